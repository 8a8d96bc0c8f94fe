"""The batch consumer against both adapters: partial failures, poison messages, deadlines."""

from __future__ import annotations

import pytest

from shared.adapters.queue import OutgoingMessage, SqsQueue
from shared.adapters.queue.consumer import consume
from tests.functional.adapters.queue.conftest import fast, sqs_client

pytestmark = pytest.mark.functional


def test_one_failing_message_is_reported_and_dead_lettered_while_the_rest_are_acked(backend):
    q = backend.make(fast(max_receives=1))
    ids = q.send("validate", [OutgoingMessage({"n": n}, backend.tenant) for n in (1, 2, 3)])
    handled = []

    def handler(message):
        if message.body["n"] == 2:
            raise ValueError("LEI 5493001KJTIIGC8Y1R12 is lapsed")
        handled.append(message.body["n"])

    report = consume(q, "validate", handler, visibility_timeout_s=30)

    assert report == {
        "queue": "validate",
        "received": 3,
        "succeeded": 2,
        "failed": 1,
        "dead_lettered": 1,
        "released": 0,
        "batchItemFailures": [
            {"itemIdentifier": ids[1], "error": "ValueError: LEI 5493001KJTIIGC8Y1R12 is lapsed"}
        ],
    }
    assert sorted(handled) == [1, 3]
    [dead] = q.dead_letters("validate")
    assert dead.body == {"n": 2} and "is lapsed" in dead.error
    m = q.metrics("validate")
    assert (m.visible, m.in_flight, m.delayed, m.dead_letters) == (0, 0, 0, 1)


def test_a_poison_message_is_retried_until_its_receives_are_used_up_and_never_raises(backend):
    q = backend.make(fast(max_receives=3))
    [poison] = q.send("process", [OutgoingMessage({"oops": True})])

    def handler(message):
        return message.body["uti"]  # KeyError every time

    report = consume(q, "process", handler, visibility_timeout_s=30)

    assert (report["received"], report["failed"], report["dead_lettered"]) == (3, 3, 1)
    assert report["batchItemFailures"] == [{"itemIdentifier": poison, "error": "KeyError: 'uti'"}]
    [dead] = q.dead_letters("process")
    assert dead.receive_count == 3 and dead.body == {"oops": True}


def test_near_the_deadline_unstarted_messages_are_released_at_once(backend):
    q = backend.make()
    q.send("generate", [OutgoingMessage({"n": n}) for n in range(5)])
    now = [0.0]  # a clock that advances 10 s per handled message

    def slow(message):
        now[0] += 10

    report = consume(
        q,
        "generate",
        slow,
        batch_size=5,
        visibility_timeout_s=60,
        deadline_epoch_s=25,
        safety_margin_s=0,
        clock=lambda: now[0],
    )

    assert (report["received"], report["succeeded"], report["released"]) == (5, 3, 2)
    m = q.metrics("generate")
    assert (m.visible, m.in_flight) == (2, 0)  # not stuck behind a 60 s lease
    assert sorted(msg.body["n"] for msg in q.receive("generate", 10, 30)) == [3, 4]


def test_a_consumer_started_past_its_deadline_touches_nothing(backend):
    q = backend.make()
    q.send("generate", [OutgoingMessage({"n": 1})])

    report = consume(
        q, "generate", lambda m: None, deadline_epoch_s=100, safety_margin_s=5, clock=lambda: 96.0
    )

    assert report["received"] == 0
    assert q.metrics("generate").visible == 1


def test_an_sqs_message_from_another_producer_reaches_the_handler_and_dead_letters(s3_clean):
    q = SqsQueue(sqs_client(s3_clean), prefix="foreign-", policy=fast(max_receives=1))
    url, _ = q._urls_for("process")
    q.client.send_message(QueueUrl=url, MessageBody="<trade>not json</trade>")
    seen = []

    report = consume(q, "process", lambda m: (seen.append(m.body), m.body["uti"]))

    assert seen == [{"raw": "<trade>not json</trade>"}]
    assert report["dead_lettered"] == 1
    [dead] = q.dead_letters("process")
    assert dead.body == {"raw": "<trade>not json</trade>"} and dead.tenant_id is None


def test_a_retry_the_queue_refuses_for_a_moment_is_scheduled_when_it_is_back(backend,
                                                                              monkeypatch):
    """The database went away under the handler and the queue with it: the retry is tried
    again over a few seconds instead of leaving the message to wait out its whole lease."""
    import shared.adapters.queue.consumer as batch

    monkeypatch.setattr(batch, "QUEUE_PATIENCE_S", (0.01, 0.01, 0.01, 0.01))
    monkeypatch.setattr(batch.time, "sleep", lambda s: None)
    q = backend.make(fast(max_receives=5))
    [sent] = q.send("process", [OutgoingMessage({"n": 1}, backend.tenant)])
    real_retry, refusals = q.retry, []

    def flaky_retry(message, error):
        if len(refusals) < 2:
            refusals.append(error)
            raise ConnectionError("server closed the connection unexpectedly")
        return real_retry(message, error)

    monkeypatch.setattr(q, "retry", flaky_retry)

    def handler(message):
        raise RuntimeError("the database is restarting")

    report = consume(q, "process", handler, visibility_timeout_s=300, batch_size=1,
                     deadline_epoch_s=None)
    assert len(refusals) == 2 and report["failed"] >= 1
    # Scheduled by the third try: the message is back on the retry back-off, not the 300 s lease.
    m = q.metrics("process")
    assert m.in_flight == 0 and m.visible + m.delayed + m.dead_letters == 1, m
    assert report["batchItemFailures"][0]["itemIdentifier"] == sent
