"""feedback against the real TR simulator's feedback files, real PostgreSQL and the S3 API."""

from __future__ import annotations

import json

import pytest

from shared.platform.triggers import object_events, object_storage_event
from shared.services.pipeline.feedback import apply_feedback_object
from shared.services.pipeline.submit import submit_report_file
from tests.functional.trsim.factory import (
    FEEDBACK,
    KEY,
    OUTBOUND,
    alerts,
    event,
    file_state,
    seed_report_file,
    uti,
)
from tests.support.actions import load_main

pytestmark = pytest.mark.functional


@pytest.fixture
def submitted(db, store, sim, tenant):
    """Seed a report file and submit it to the simulator; returns (file id, TR message)."""
    from shared.adapters.tr import transport_from_config
    from shared.platform.config import Config

    config = Config({"tr_url_krx": sim.url, "tr_api_key_krx": KEY, "tr_max_attempts": 1})

    def submit(events, *, record: bool = True):
        file_id = seed_report_file(db, store, tenant, events)
        if record:
            with db.tenant(tenant) as conn:
                outcome = submit_report_file(
                    conn, tenant, file_id, db=db, store=store, outbound_bucket=OUTBOUND,
                    transport_for=lambda regime: transport_from_config(config, regime, db))
            assert outcome.status == "submitted", outcome
        else:  # the TR has it, our transaction did not commit (crash after the POST)
            from shared.adapters.tr.base import TrSubmission

            transport_from_config(config, "krx", db).submit(TrSubmission(
                "krx", file_id, store.get_bytes(OUTBOUND, file_state(db, tenant, file_id)[
                    "object_key"]), "5299000ALPHABANK0192", "alpha-bank"))
        message = next(m for m in sim.messages() if m["report_file_id"] == file_id)
        return file_id, message

    return submit


def deliver(db, store, key: str, shape: str = "ncp"):
    info = store.head(FEEDBACK, key)
    payload = object_storage_event(FEEDBACK, key, size=info.size, etag=info.etag, shape=shape)
    [event_] = object_events(payload)
    return apply_feedback_object(event_, db=db, store=store)


def ledger(db, tenant) -> list[dict]:
    with db.tenant(tenant) as conn:
        return conn.execute("SELECT object_key, status, ack_count, nack_count, error,"
                            " deliveries, tr_message_id FROM tr_feedback ORDER BY id").fetchall()


def test_acks_and_nacks_are_applied_once_even_when_delivered_twice(db, store, sim, tenant,
                                                                   submitted):
    file_id, message = submitted([event(uti(1)), event(uti(9), "MODI"), event(uti(2))])
    sim.set_faults(duplicate_feedback=1)
    assert sim.flush_feedback() == 2
    key = message["feedback_key"]
    first = deliver(db, store, key)
    assert (first.status, first.acked, first.nacked, first.file_status) == \
        ("applied", 2, 1, "partially_acked")
    again = deliver(db, store, key.replace(".json", ".redelivered.json"), shape="aws")
    assert again.status == "duplicate" and key in again.reason

    state = file_state(db, tenant, file_id)
    assert state["status"] == "partially_acked" and state["feedback_at"] is not None
    assert [(i["status"], i["tr_code"], i["event_state"]) for i in state["items"]] == [
        ("acked", None, "acked"), ("nacked", "TR-LC-001", "nacked"), ("acked", None, "acked")]
    assert "TR-LC-001: MODI refused" in state["items"][1]["tr_message"]
    [row] = ledger(db, tenant)
    assert (row["status"], row["ack_count"], row["nack_count"], row["deliveries"]) == \
        ("applied", 2, 1, 2)
    [nack] = alerts(db, "tr.nack")
    assert nack["occurrences"] == 1 and nack["details"]["codes"] == {"TR-LC-001": 1}


def test_an_all_ack_file_is_acked_and_an_all_nack_file_rejected(db, store, sim, submitted,
                                                                 tenant):
    acked, ack_message = submitted([event(uti(1)), event(uti(2))])
    nacked, nack_message = submitted([event(uti(7), "TERM")])
    sim.flush_feedback()
    assert deliver(db, store, ack_message["feedback_key"]).file_status == "acked"
    assert deliver(db, store, nack_message["feedback_key"]).file_status == "rejected"
    assert file_state(db, tenant, acked)["status"] == "acked"
    assert file_state(db, tenant, nacked)["items"][0]["event_state"] == "nacked"
    assert alerts(db, "tr.nack")[0]["details"]["report_file_id"] == nacked


def test_malformed_feedback_is_kept_recorded_rejected_and_alerted(db, store, sim, tenant,
                                                                  submitted):
    file_id, message = submitted([event(uti(1))])
    sim.set_faults(malformed_feedback=1)
    sim.flush_feedback()
    outcome = deliver(db, store, message["feedback_key"])
    assert outcome.status == "rejected" and outcome.reason.startswith("not JSON")
    assert store.exists(FEEDBACK, message["feedback_key"])  # kept for investigation
    [row] = ledger(db, tenant)
    assert row["status"] == "rejected" and row["error"].startswith("not JSON")
    [alert] = alerts(db, "tr.feedback_rejected")
    assert message["feedback_key"] in alert["summary"]
    state = file_state(db, tenant, file_id)
    assert state["status"] == "submitted" and state["items"][0]["status"] == "pending"


def test_feedback_for_an_unknown_message_changes_nothing(db, store, tenant):
    document = {"tr_message_id": "TR-KRX-20261122-NOPE", "report_file_id":
                "00000000-0000-4000-8000-000000000000", "regime": "krx",
                "records": [{"position": 1, "record_ref": "X:NEWT:1", "status": "ACK"}]}
    store.put_bytes(FEEDBACK, "alpha-bank/TR-KRX-20261122-NOPE.json",
                    json.dumps(document).encode())
    outcome = deliver(db, store, "alpha-bank/TR-KRX-20261122-NOPE.json")
    assert outcome.status == "rejected" and "unknown message" in outcome.reason
    assert ledger(db, tenant)[0]["tr_message_id"] == "TR-KRX-20261122-NOPE"
    assert alerts(db, "tr.feedback_rejected")


def test_feedback_under_no_known_tenant_is_alerted(db, store):
    store.put_bytes(FEEDBACK, "nobody/TR-1.json", b"{}")
    outcome = deliver(db, store, "nobody/TR-1.json")
    assert outcome.status == "rejected"
    [alert] = alerts(db, "tr.feedback_unknown_tenant")
    assert alert["tenant_id"] is None


def test_late_or_contradicting_feedback_changes_nothing_final(db, store, sim, tenant,
                                                              submitted):
    file_id, message = submitted([event(uti(1)), event(uti(2))])
    sim.flush_feedback()
    deliver(db, store, message["feedback_key"])
    late = json.loads(store.get_bytes(FEEDBACK, message["feedback_key"]))
    late["generated_at"] = "2026-11-22T11:00:00Z"  # other bytes: not a duplicate
    late["records"][0] |= {"status": "NACK", "codes": [{"code": "TR-LC-002", "message": "x"}]}
    store.put_bytes(FEEDBACK, "alpha-bank/late.json", json.dumps(late).encode())
    outcome = deliver(db, store, "alpha-bank/late.json")
    assert (outcome.status, outcome.acked, outcome.nacked, outcome.unchanged) == \
        ("applied", 0, 0, 2)
    state = file_state(db, tenant, file_id)
    assert state["status"] == "acked"
    assert [i["status"] for i in state["items"]] == ["acked", "acked"]
    assert alerts(db, "tr.nack") == []


def test_feedback_that_overtakes_a_crashed_submit_is_applied_and_submit_then_stops(
        db, store, sim, tenant, submitted):
    file_id, message = submitted([event(uti(1))], record=False)
    assert file_state(db, tenant, file_id)["tr_message_id"] is None
    sim.flush_feedback()
    assert deliver(db, store, message["feedback_key"]).status == "applied"
    state = file_state(db, tenant, file_id)
    assert state["status"] == "acked" and state["tr_message_id"] == message["tr_message_id"]
    requests_before = sim.requests
    with db.tenant(tenant) as conn:
        outcome = submit_report_file(conn, tenant, file_id, db=db, store=store,
                                     outbound_bucket=OUTBOUND, transport_for=None)
    assert outcome.status == "already_submitted" and sim.requests == requests_before


def test_the_feedback_action_takes_the_ncp_trigger_payload(db, store, sim, tenant, submitted,
                                                           database_url, s3_clean):
    file_id, message = submitted([event(uti(1))])
    sim.flush_feedback()
    info = store.head(FEEDBACK, message["feedback_key"])
    result = load_main("feedback")({
        **object_storage_event(FEEDBACK, message["feedback_key"], size=info.size,
                               etag=info.etag),
        "database_url": database_url, "s3_endpoint_url": s3_clean,
        "s3_access_key_id": "testing", "s3_secret_access_key": "testing",
    })
    assert result["files"][0]["status"] == "applied", result
    assert file_state(db, tenant, file_id)["status"] == "acked"


def test_the_trs_end_of_day_reports_are_left_to_the_tr_reports_stage(db, store, tenant):
    key = "tr-reports/alpha-bank/emir/2026-11-22/trade_state-5299000ALPHABANK0192.xml"
    store.put_bytes(FEEDBACK, key, b"<Document/>")
    outcome = deliver(db, store, key)
    assert outcome.status == "ignored" and "end-of-day report" in outcome.reason
    assert ledger(db, tenant) == [] and alerts(db) == []
