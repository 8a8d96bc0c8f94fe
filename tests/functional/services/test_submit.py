"""submit against the real TR simulator, real PostgreSQL (queue, RLS) and the S3 API.

Most tests run the real action (functions/submit) over the PostgreSQL queue, so retries,
rollbacks and redeliveries are the queue's own.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.queue import OutgoingMessage
from shared.adapters.queue.postgres import PostgresQueue
from shared.adapters.tr import CircuitOpen
from shared.adapters.tr.breaker import BreakerPolicy, CircuitBreaker
from shared.services.pipeline import submit as submit_service
from tests.functional.trsim.factory import (
    FEEDBACK,
    KEY,
    OUTBOUND,
    alerts,
    event,
    file_state,
    report,
    seed_report_file,
    uti,
)
from tests.support.actions import load_main

pytestmark = pytest.mark.functional


@pytest.fixture
def run(database_url, s3_clean, sim, db):
    """Queue a submit message for a file (optional) and run the submit action once."""
    main = load_main("submit")
    settings = {
        "database_url": database_url, "s3_endpoint_url": s3_clean,
        "s3_access_key_id": "testing", "s3_secret_access_key": "testing",
        "bucket_outbound": OUTBOUND, "bucket_feedback": FEEDBACK,
        "tr_url_krx": sim.url, "tr_api_key_krx": KEY, "tr_timeout_s": 2,
        "tr_max_attempts": 1, "tr_backoff_base_s": 0.01, "tr_backoff_max_s": 0.05,
        "tr_breaker_threshold": 3, "tr_breaker_cooldown_s": 1,
    }

    def run(expedite: bool = True, **overrides) -> dict:
        if expedite:
            with db.system() as conn:  # whatever is queued is due now: no waiting for backoffs
                conn.execute(
                    "UPDATE queue_messages SET visible_at = now() WHERE queue = 'submit'")
        result = main({**settings, **overrides, "queue": "submit"})
        assert "error" not in result, result
        return result

    return run


def enqueue(db, tenant, file_id: str) -> None:
    PostgresQueue(db).send("submit", [OutgoingMessage(
        {"report_file_id": file_id, "key": f"submit:{file_id}"}, tenant_id=tenant)])


def queued(db) -> list[dict]:
    with db.system() as conn:
        return conn.execute("SELECT body, receive_count, visible_at > now() AS delayed"
                            " FROM queue_messages WHERE queue = 'submit' ORDER BY id").fetchall()


def dead(db) -> int:
    with db.system() as conn:
        return conn.execute("SELECT count(*) AS n FROM dead_letters").fetchone()["n"]


def test_a_file_is_submitted_once_and_its_tr_message_id_recorded(db, store, sim, tenant, run):
    file_id = seed_report_file(db, store, tenant, [event(uti(1)), event(uti(2))])
    enqueue(db, tenant, file_id)
    assert run()["succeeded"] == 1
    state = file_state(db, tenant, file_id)
    [message] = sim.messages()
    assert state["status"] == "submitted" and state["tr_message_id"] == message["tr_message_id"]
    assert state["submitted_at"] is not None
    assert [(a["attempt"], a["http_status"], a["outcome"]) for a in state["attempts"]] == \
        [(1, 202, "accepted")]
    assert [i["event_state"] for i in state["items"]] == ["submitted", "submitted"]
    assert [i["status"] for i in state["items"]] == ["pending", "pending"]
    assert message["submitter"] == "5299000ALPHABANK0192" and message["report_file_id"] == \
        file_id
    assert sim.message(message["tr_message_id"]).feedback_key.startswith("alpha-bank/")

    enqueue(db, tenant, file_id)  # a second message for the same file: nothing is sent
    assert run()["succeeded"] == 1
    assert sim.requests == 1 and queued(db) == []


def test_a_5xx_burst_is_ridden_out_by_retries_and_then_the_queue(db, store, sim, tenant, run):
    file_id = seed_report_file(db, store, tenant, [event(uti(1))])
    enqueue(db, tenant, file_id)
    sim.set_faults(fail_next=3)
    first = run(tr_max_attempts=2)  # 503, 503: the message goes back to the queue
    assert first["failed"] == 1 and "HTTP 503" in first["batchItemFailures"][0]["error"]
    assert file_state(db, tenant, file_id)["status"] == "generated"
    second = run(tr_max_attempts=2)  # 503, then 202 within the activation
    assert second["succeeded"] == 1
    state = file_state(db, tenant, file_id)
    assert state["status"] == "submitted" and sim.requests == 4 and len(sim.messages()) == 1
    assert [(a["attempt"], a["http_status"], a["outcome"]) for a in state["attempts"]] == \
        [(1, 503, "retry"), (2, 202, "accepted")]


def test_a_tr_that_is_down_then_back(db, store, sim, tenant, run):
    file_id = seed_report_file(db, store, tenant, [event(uti(1))])
    enqueue(db, tenant, file_id)
    sim.set_faults(down=True)
    failed = run()
    assert failed["failed"] == 1 and "no answer" in failed["batchItemFailures"][0]["error"]
    [attempt] = file_state(db, tenant, file_id)["attempts"]
    assert attempt["outcome"] == "retry" and attempt["http_status"] is None
    assert queued(db)[0]["receive_count"] == 1 and dead(db) == 0
    sim.set_faults(down=False)
    assert run()["succeeded"] == 1
    assert file_state(db, tenant, file_id)["status"] == "submitted"


def test_a_crash_after_the_post_and_before_the_commit_is_still_one_submission(
        db, store, sim, tenant, run, monkeypatch):
    file_id = seed_report_file(db, store, tenant, [event(uti(1))])
    enqueue(db, tenant, file_id)
    real = submit_service._record_receipt
    calls = []

    def crash_once(*args, **kwargs):
        calls.append(args[-1])
        if len(calls) == 1:
            raise RuntimeError("container killed after the TR's 202")
        return real(*args, **kwargs)

    monkeypatch.setattr(submit_service, "_record_receipt", crash_once)
    crashed = run()
    assert crashed["failed"] == 1
    state = file_state(db, tenant, file_id)
    assert state["status"] == "generated" and state["tr_message_id"] is None  # rolled back
    assert len(sim.messages()) == 1  # but the TR has it

    assert run()["succeeded"] == 1
    [message] = sim.messages()
    assert [c.tr_message_id for c in calls] == [message["tr_message_id"]] * 2
    assert calls[1].replayed is True
    state = file_state(db, tenant, file_id)
    assert state["tr_message_id"] == message["tr_message_id"]
    # the crashed attempt stays on record with no outcome: it is unknown what happened
    assert [(a["attempt"], a["outcome"]) for a in state["attempts"]] == \
        [(1, None), (2, "accepted")]
    assert sim.flush_feedback() == 1


def test_a_slow_tr_times_out_and_the_retry_gets_the_same_message(db, store, sim, tenant, run):
    file_id = seed_report_file(db, store, tenant, [event(uti(1))])
    enqueue(db, tenant, file_id)
    sim.set_faults(slow_s=0.8, slow_requests=1)
    assert run(tr_timeout_s=0.3)["failed"] == 1
    time.sleep(0.7)  # the stalled request is taken by the TR meanwhile
    assert run()["succeeded"] == 1
    [message] = sim.messages()
    assert file_state(db, tenant, file_id)["tr_message_id"] == message["tr_message_id"]


def test_a_file_refused_as_a_whole_is_rejected_with_its_code(db, store, sim, tenant, run):
    body = report([event(uti(1)), event(uti(2))]).replace(b"\r\nT,2,", b"\r\nT,7,")
    file_id = seed_report_file(db, store, tenant, [event(uti(1)), event(uti(2))], body=body)
    enqueue(db, tenant, file_id)
    assert run()["succeeded"] == 1  # final: no retry
    state = file_state(db, tenant, file_id)
    assert state["status"] == "rejected" and state["reject_code"] == "TR-FILE-002"
    assert "trailer count 7" in state["reject_reason"]
    assert [(i["status"], i["tr_code"], i["event_state"]) for i in state["items"]] == \
        [("nacked", "TR-FILE-002", "nacked")] * 2
    assert [(a["http_status"], a["outcome"]) for a in state["attempts"]] == [(400, "failed")]
    [alert] = alerts(db, "tr.file_rejected")
    assert alert["severity"] == "critical" and alert["tenant_id"] == tenant
    assert queued(db) == [] and sim.messages() == []


def test_a_tenant_without_an_lei_is_refused_by_the_tr(db, store, sim, two_tenants, run):
    tenant = two_tenants[1]  # no LEI: no X-Submitter
    file_id = seed_report_file(db, store, tenant, [event(uti(1))])
    enqueue(db, tenant, file_id)
    run()
    assert file_state(db, tenant, file_id)["reject_code"] == "TR-HDR-002"


def test_the_breaker_opens_fails_fast_then_half_opens_and_closes(db, store, sim, tenant, run):
    file_id = seed_report_file(db, store, tenant, [event(uti(1))])
    enqueue(db, tenant, file_id)
    sim.set_faults(fail_next=2)
    run(tr_breaker_threshold=2)
    run(tr_breaker_threshold=2)  # the second consecutive failure opens it
    assert sim.requests == 2
    [alert] = alerts(db, "tr.circuit_open")
    assert alert["tenant_id"] is None and alert["severity"] == "critical"

    waiting = run(tr_breaker_threshold=2)  # open: nothing sent, the message waits
    assert waiting["succeeded"] == 1 and sim.requests == 2
    [deferred] = queued(db)
    assert deferred["body"] == {"report_file_id": file_id, "deferrals": 1}
    assert deferred["receive_count"] == 0 and deferred["delayed"] and dead(db) == 0
    assert [a["attempt"] for a in file_state(db, tenant, file_id)["attempts"]] == [1, 2]

    time.sleep(1.1)  # the cooldown: the next call is the probe, and the TR answers
    assert run(tr_breaker_threshold=2)["succeeded"] == 1
    assert sim.requests == 3 and file_state(db, tenant, file_id)["status"] == "submitted"
    breaker = CircuitBreaker(db, "krx").status()
    assert breaker["state"] == "closed" and breaker["consecutive_failures"] == 0


def test_a_failed_probe_opens_the_breaker_again(db):
    breaker = CircuitBreaker(db, "emir", BreakerPolicy(failure_threshold=2, cooldown_s=0.2,
                                                       probe_timeout_s=5))
    breaker.acquire()
    assert breaker.record_failure("503") is False
    assert breaker.record_failure("503") is True
    with pytest.raises(CircuitOpen):
        breaker.acquire()
    time.sleep(0.25)
    breaker.acquire()  # this caller is the probe
    assert breaker.status()["state"] == "half_open"
    with pytest.raises(CircuitOpen):
        breaker.acquire()  # one probe at a time
    assert breaker.record_failure("still 503") is True
    with pytest.raises(CircuitOpen):
        breaker.acquire()
    time.sleep(0.25)
    breaker.acquire()
    breaker.record_success()
    assert breaker.status()["state"] == "closed"
    breaker.acquire()


def test_an_older_file_of_the_same_tr_goes_first(db, store, sim, tenant, run):
    older = seed_report_file(db, store, tenant, [event(uti(1))])
    newer = seed_report_file(db, store, tenant, [event(uti(1), "MODI")])
    enqueue(db, tenant, newer)
    run()
    assert sim.messages() == [] and queued(db)[0]["body"]["deferrals"] == 1
    enqueue(db, tenant, older)
    run()
    run()  # the deferred newer one, once due
    assert [m["report_file_id"] for m in sim.messages()] == [older, newer]
    sim.flush_feedback()
    assert all(m["nacks"] == 0 for m in sim.messages())  # the MODI found its NEWT


def test_a_file_out_of_the_way_wakes_the_next_one_instead_of_leaving_it_to_its_delay(
        db, store, sim, tenant, run):
    """After a crash or an outage, files of one trade queue up behind the oldest with growing
    delays; once it is sent, the next goes at once (and that one hands on to the one after)."""
    later = [timedelta(hours=1), timedelta(hours=2)]
    files = [seed_report_file(db, store, tenant, [event(uti(1))])] + [
        seed_report_file(db, store, tenant, [event(
            uti(1), "MODI", event_timestamp=datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC) + d)])
        for d in later]
    for newer in files[1:]:
        enqueue(db, tenant, newer)
    run()
    assert sim.messages() == [] and all(q["delayed"] for q in queued(db))
    enqueue(db, tenant, files[0])
    run(expedite=False)  # the deferred messages are not due yet
    assert [m["report_file_id"] for m in sim.messages()] == files
    run()  # the old delayed messages, once due, find their files sent: nothing twice
    assert len(sim.messages()) == 3 and queued(db) == []


def test_a_file_with_no_trade_in_common_does_not_wait_for_an_older_one(
        db, store, sim, tenant, run):
    """Only the order of one trade's events matters: a stuck older file holds back the files
    that report its UTIs, not the tenant's other reports."""
    stuck = seed_report_file(db, store, tenant, [event(uti(1)), event(uti(2))])
    unrelated = seed_report_file(db, store, tenant, [event(uti(3))])
    dependent = seed_report_file(db, store, tenant, [event(uti(4)), event(uti(2), "MODI")])
    enqueue(db, tenant, unrelated)
    enqueue(db, tenant, dependent)
    run()
    assert [m["report_file_id"] for m in sim.messages()] == [unrelated]
    assert {q["body"]["report_file_id"] for q in queued(db)} == {dependent}  # still waiting
    enqueue(db, tenant, stuck)
    run()
    run()
    assert [m["report_file_id"] for m in sim.messages()] == [unrelated, stuck, dependent]


def test_the_adapter_honours_a_short_retry_after_and_leaves_a_long_one_to_the_queue(sim):
    from shared.adapters.tr import TrSubmission, TrTransient
    from shared.adapters.tr.https import HttpsTrTransport

    sleeps: list[float] = []
    transport = HttpsTrTransport(sim.url, KEY, max_attempts=3, backoff_base_s=0.01,
                                 backoff_max_s=2, sleep=sleeps.append)
    body = report([event(uti(1))])
    sim.set_faults(fail_next=1, retry_after_s=1)
    receipt = transport.submit(TrSubmission("krx", "rf-1", body, "5299000ALPHABANK0192"))
    assert receipt.attempts == 2 and sleeps == [1.0]
    sim.set_faults(fail_next=1, retry_after_s=30)
    with pytest.raises(TrTransient) as failure:
        transport.submit(TrSubmission("krx", "rf-2", body, "5299000ALPHABANK0192"))
    assert failure.value.attempts == 1 and failure.value.retry_after_s == 30
    assert failure.value.http_status == 503 and sleeps == [1.0]
    assert "Bearer" not in repr(transport) and KEY not in repr(transport)
