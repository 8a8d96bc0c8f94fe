"""The queue port's contract, run against PostgreSQL and against SQS (moto over HTTP)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from shared.adapters.queue import OutgoingMessage, RetryOutcome
from tests.functional.adapters.queue.conftest import fast

pytestmark = pytest.mark.functional

LEASE_S = 1
AFTER_LEASE_S = 1.25


def msg(n: int, tenant: str | None = None, **options) -> OutgoingMessage:
    return OutgoingMessage(body={"n": n}, tenant_id=tenant, **options)


def counts(queue, name: str) -> tuple[int, int, int, int]:
    m = queue.metrics(name)
    return m.visible, m.in_flight, m.delayed, m.dead_letters


def test_a_batch_is_received_whole_once_with_bodies_tenants_and_counts(backend):
    q = backend.make()
    # 12 > 10: the SQS adapter must split the batch; odd ones carry a tenant.
    ids = q.send("process", [msg(i, backend.tenant if i % 2 else None) for i in range(12)])
    q.send("validate", [msg(99)])
    assert len(set(ids)) == 12

    got = q.receive("process", 20, 30)

    assert sorted(m.body["n"] for m in got) == list(range(12))  # nothing from "validate"
    assert {m.id for m in got} == set(ids)
    by_n = {m.body["n"]: m for m in got}
    assert by_n[1].tenant_id == backend.tenant and by_n[0].tenant_id is None
    assert {(m.queue, m.receive_count) for m in got} == {("process", 1)}
    assert all(abs((datetime.now(UTC) - m.sent_at).total_seconds()) < 60 for m in got)
    assert q.receive("process", 20, 30) == []  # all leased
    assert q.ack(got) == 12
    assert counts(q, "process") == (0, 0, 0, 0)
    assert [m.body for m in q.receive("validate", 10, 30)] == [{"n": 99}]


def test_an_unacked_message_comes_back_after_its_visibility_timeout(backend):
    q = backend.make()
    q.send("process", [msg(1)])
    [first] = q.receive("process", 10, LEASE_S)
    assert q.receive("process", 10, LEASE_S) == []

    time.sleep(AFTER_LEASE_S)
    [again] = q.receive("process", 10, 30)

    assert (again.id, again.body, again.receive_count) == (first.id, {"n": 1}, 2)


def test_a_receipt_from_an_earlier_receive_cannot_ack_or_retry(backend):
    q = backend.make()
    q.send("process", [msg(1)])
    [old] = q.receive("process", 10, LEASE_S)
    time.sleep(AFTER_LEASE_S)
    [new] = q.receive("process", 10, 30)  # another consumer took it over

    assert q.ack([old]) == 0
    assert q.retry(old, "late failure") is RetryOutcome.STALE
    assert counts(q, "process") == (0, 1, 0, 0)  # still there, still leased by `new`
    assert q.ack([new]) == 1
    assert counts(q, "process") == (0, 0, 0, 0)


def test_a_message_failing_every_receive_is_dead_lettered_with_its_error_then_redriven(backend):
    q = backend.make(fast(max_receives=2))
    q.send("process", [msg(7, backend.tenant)])
    [first] = q.receive("process", 10, 30)
    assert q.retry(first, "ValueError: TR timeout") is RetryOutcome.RETRIED
    [second] = q.receive("process", 10, 30)
    assert second.receive_count == 2

    assert q.retry(second, "ValueError: LEI 5493 unknown") is RetryOutcome.DEAD_LETTERED

    assert q.receive("process", 10, 30) == []
    [dead] = q.dead_letters("process")
    assert (dead.body, dead.tenant_id, dead.message_id, dead.receive_count) == (
        {"n": 7},
        backend.tenant,
        first.id,
        2,
    )
    assert "LEI 5493 unknown" in dead.error
    assert counts(q, "process") == (0, 0, 0, 1)

    assert q.redrive("process") == 1

    assert q.dead_letters("process") == []
    [back] = q.receive("process", 10, 30)
    assert (back.body, back.tenant_id, back.receive_count) == ({"n": 7}, backend.tenant, 1)
    assert counts(q, "process") == (0, 1, 0, 0)


def test_redrive_by_id_puts_back_only_the_chosen_dead_letters(backend):
    q = backend.make(fast(max_receives=1))
    q.send("submit", [msg(1), msg(2), msg(3)])
    for message in q.receive("submit", 10, 30):
        assert q.retry(message, "boom") is RetryOutcome.DEAD_LETTERED
    dead = q.dead_letters("submit")
    assert sorted(d.body["n"] for d in dead) == [1, 2, 3]
    chosen = next(d for d in dead if d.body["n"] == 2)

    assert q.redrive("submit", ids=[chosen.id]) == 1

    assert [m.body["n"] for m in q.receive("submit", 10, 30)] == [2]
    assert sorted(d.body["n"] for d in q.dead_letters("submit")) == [1, 3]


def test_a_message_whose_consumers_keep_dying_is_dead_lettered_not_delivered_again(backend):
    q = backend.make(fast(max_receives=2))
    q.send("process", [msg(5)])
    assert [m.receive_count for m in q.receive("process", 10, LEASE_S)] == [1]
    time.sleep(AFTER_LEASE_S)
    assert [m.receive_count for m in q.receive("process", 10, LEASE_S)] == [2]
    time.sleep(AFTER_LEASE_S)

    assert q.receive("process", 10, 30) == []

    [dead] = q.dead_letters("process")
    assert dead.body == {"n": 5} and dead.receive_count == 2
    assert "lease expired without ack" in dead.error


def test_metrics_count_visible_in_flight_delayed_and_dead_messages(backend):
    q = backend.make(fast(max_receives=1))
    q.send("process", [msg(1), msg(2), msg(3), msg(4, delay_s=60)])
    [taken] = q.receive("process", 1, 60)
    [failed] = q.receive("process", 1, 60)
    assert q.retry(failed, "boom") is RetryOutcome.DEAD_LETTERED

    assert counts(q, "process") == (1, 1, 1, 1)
    oldest = q.metrics("process").oldest_age_s
    if backend.name == "postgres":
        assert oldest is not None and 0 <= oldest < 60
    else:
        assert oldest is None  # not an SQS queue attribute

    assert q.ack([taken]) == 1
    assert counts(q, "process") == (1, 0, 1, 1)


def test_queues_lists_the_configured_queues_and_those_in_use(backend):
    q = backend.make(known_queues=["submit"])
    q.send("process", [msg(1)])
    q.send("validate", [msg(2)])

    assert q.queues() == ["process", "submit", "validate"]  # no "-dlq" twins
