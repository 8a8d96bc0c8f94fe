"""Process: raw rows -> trade events once per idempotency key, trades, `validate` messages."""

from datetime import UTC, datetime

import pytest

from shared.adapters.queue import OutgoingMessage
from shared.domain.model import ActionType, TradeEvent
from shared.services.pipeline.process import Prepared, insert_events, process_chunk, tenant_settings
from shared.services.pipeline.trade_state import refresh_trades
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import (
    TENANT_LEI,
    csv_file,
    csv_row,
    row_states,
    uti,
)

pytestmark = pytest.mark.functional

# fixtures shared by the pipeline-front tests
pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant


def _raw(db, tenant_id):
    with db.tenant(tenant_id) as conn:
        return conn.execute("SELECT f.object_key, r.row_no, r.state, r.event_id, r.duplicate,"
                            " r.error, r.errors FROM raw_rows r JOIN ingest_files f"
                            " ON f.id = r.file_id ORDER BY f.received_at, r.row_no").fetchall()


def _events(db, tenant_id):
    with db.tenant(tenant_id) as conn:
        return conn.execute("SELECT * FROM trade_events ORDER BY row_no").fetchall()


def test_a_chunk_becomes_judged_events_and_parse_errors_and_one_generate_nudge(
        pipeline, db, tenant):
    """Process stores the chunk's events and judges them in the same transaction (no
    `validate` message when nothing waits); generate is nudged once per regime."""
    content = csv_file(
        csv_row(1),
        csv_row(2).replace("2026-11-24", "2026-13-45", 1),
        csv_row(3),
        csv_row(1, "MODI", event_ts="2026-11-20T05:00:00Z", notional="20000000000"),
    )
    outcome = pipeline.upload("alpha-bank/fep.csv", content)
    report = pipeline.process()
    assert (report["received"], report["succeeded"]) == (1, 1)
    assert row_states(db, tenant) == {"event": 3, "parse_error": 1}
    raw = _raw(db, tenant)
    assert raw[1]["state"] == "parse_error" and raw[1]["event_id"] is None
    assert raw[1]["error"].startswith("PARSE-CSV-006 [effective_date]: line 3")
    assert raw[1]["errors"][0]["code"] == "PARSE-CSV-006"
    events = _events(db, tenant)
    assert [(e["uti"], e["action_type"], e["row_no"]) for e in events] == [
        (uti(1), "NEWT", 1), (uti(3), "NEWT", 3), (uti(1), "MODI", 4)]
    assert {e["id"] for e in events} == {r["event_id"] for r in raw if r["event_id"]}
    newt = events[0]
    assert [e["state"] for e in events] == ["valid", "valid", "valid"]
    assert newt["regimes"] == ["krx"] and newt["validated_at"] is not None
    assert newt["source"] == "file" and str(newt["file_id"]) == outcome.file_id
    # executed Fri 2026-11-20 10:00 KST: due by the end of Mon 23 Nov in Seoul (T+1)
    assert newt["deadline_at"] == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert "legs.1.notional: copied from leg 1 (single-currency swap)" in newt["enrichment"]
    assert TradeEvent.model_validate(newt["payload"]).payload_hash() == newt["payload_hash"]
    with db.tenant(tenant) as conn:
        trades = conn.execute("SELECT * FROM trades ORDER BY uti").fetchall()
    assert [(t["uti"], t["state"], t["lifecycle"], t["last_action_type"]) for t in trades] == [
        (uti(1), "valid", "live", "MODI"), (uti(3), "valid", "live", "NEWT")]
    assert trades[0]["counterparty_1"] == TENANT_LEI and trades[0]["trade_id"] == "T1"
    assert pipeline.bodies("validate") == []
    assert pipeline.bodies("generate") == [
        {"tenant_id": str(tenant), "regime": "krx", "key": f"{outcome.file_id}:0:krx"}]


def _trade_rows(db, tenant_id):
    with db.tenant(tenant_id) as conn:
        return {t["uti"]: t for t in conn.execute(
            "SELECT uti, xmin::text AS version, state, last_event_id, last_action_type,"
            " counterparty_2_name FROM trades")}


def test_a_new_trade_is_stored_once_as_the_trades_list_shows_it(pipeline, db, tenant):
    """Process inserts a new trade with its state, latest event and the other side's name
    (searchable at once); its refresh finds nothing to rewrite. A trade that existed is
    refreshed after the commit and shows its new latest event."""
    pipeline.upload("alpha-bank/one.csv", csv_file(
        csv_row(1), csv_row(1, "MODI", event_ts="2026-11-20T05:00:00Z"), csv_row(3)))
    pipeline.process()
    events = {(e["uti"], e["action_type"]): e["id"] for e in _events(db, tenant)}
    first = _trade_rows(db, tenant)
    assert {u: (t["state"], t["last_event_id"], t["last_action_type"], t["counterparty_2_name"])
            for u, t in first.items()} == {
        uti(1): ("valid", events[(uti(1), "MODI")], "MODI", "한국데모증권"),
        uti(3): ("valid", events[(uti(3), "NEWT")], "NEWT", "한국데모증권")}
    # One write: the row version is the one process's transaction made with the events.
    with db.tenant(tenant) as conn:
        written_with = {r["uti"]: r["version"] for r in conn.execute(
            "SELECT DISTINCT uti, xmin::text AS version FROM trade_events")}
    assert {u: t["version"] for u, t in first.items()} == written_with
    with db.tenant(tenant) as conn:
        refresh_trades(conn, tenant, [uti(1), uti(3)])
    assert {u: t["version"] for u, t in _trade_rows(db, tenant).items()} == written_with, \
        "the refresh had to rewrite a new trade"

    pipeline.upload("alpha-bank/two.csv", csv_file(
        csv_row(3, "MODI", event_ts="2026-11-20T06:00:00Z")))
    pipeline.process()
    modi = [e["id"] for e in _events(db, tenant)
            if (e["uti"], e["action_type"]) == (uti(3), "MODI")]
    after = _trade_rows(db, tenant)[uti(3)]
    assert (after["last_event_id"], after["last_action_type"]) == (modi[0], "MODI")
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) AS n FROM trade_refresh_pending").fetchone()["n"] == 0


def test_the_same_record_twice_is_one_event_in_one_file_or_two(pipeline, db, tenant):
    pipeline.upload("alpha-bank/one.csv", csv_file(csv_row(1), csv_row(1), csv_row(2)))
    pipeline.upload("alpha-bank/two.csv", csv_file(csv_row(2), csv_row(4)))
    pipeline.process()
    raw = _raw(db, tenant)
    assert [(r["object_key"], r["row_no"], r["duplicate"]) for r in raw] == [
        ("alpha-bank/one.csv", 1, False), ("alpha-bank/one.csv", 2, True),
        ("alpha-bank/one.csv", 3, False), ("alpha-bank/two.csv", 1, True),
        ("alpha-bank/two.csv", 2, False)]
    assert raw[0]["event_id"] == raw[1]["event_id"] and raw[2]["event_id"] == raw[3]["event_id"]
    assert row_states(db, tenant) == {"event": 5}
    assert len(_events(db, tenant)) == 3
    assert {e["state"] for e in _events(db, tenant)} == {"valid"}  # each judged once


def test_a_redelivered_process_message_changes_nothing(pipeline, db, tenant):
    outcome = pipeline.upload("alpha-bank/fep.csv", csv_file(csv_row(1), csv_row(2)))
    [body] = pipeline.bodies("process")
    pipeline.queue.send("process", [OutgoingMessage(body, tenant_id=tenant)])  # delivered twice
    report = pipeline.process()
    assert (report["received"], report["succeeded"]) == (2, 2)
    assert len(_events(db, tenant)) == 2 and len(pipeline.bodies("generate")) == 1
    before = (_raw(db, tenant), _events(db, tenant))
    # the handler itself, run again on the same chunk (e.g. a redrive under another key)
    with db.tenant(tenant) as conn:
        again = process_chunk(conn, tenant, outcome.file_id, 0)
    assert (again.rows, again.event_ids) == (0, [])
    assert (_raw(db, tenant), _events(db, tenant)) == before


def test_a_record_that_cannot_be_keyed_is_a_parse_error_naming_the_rule(pipeline, db, tenant):
    no_ids = csv_row(1).replace(f"T1,{uti(1)},", ",,", 1)
    no_time = csv_row(2, "MODI", event_ts="")
    generated = csv_row(3, trade_uti="")
    pipeline.upload("alpha-bank/x.csv", csv_file(no_ids, no_time, generated))
    pipeline.process()
    raw = _raw(db, tenant)
    assert [r["state"] for r in raw] == ["parse_error", "parse_error", "event"]
    assert raw[0]["errors"][0]["code"] == "SR-ID-001" and raw[0]["errors"][0]["field"] == "uti"
    assert "no trade id" in raw[0]["error"]
    assert raw[1]["errors"][0]["code"] == "PROC-001"
    [event] = _events(db, tenant)
    assert event["uti"].startswith(TENANT_LEI) and event["trade_id"] == "T3"
    assert any(f.startswith("uti: generated") for f in event["enrichment"])


def test_online_events_are_completed_and_passed_on(pipeline, db, tenant):
    event = TradeEvent(uti=uti(7), action_type=ActionType.NEWT,
                       execution_timestamp=datetime(2026, 11, 20, 1, tzinfo=UTC),
                       event_timestamp=datetime(2026, 11, 20, 1, tzinfo=UTC))
    bare = Prepared(event, (), (), None, event.payload_hash())  # as an API might store it
    with db.tenant(tenant) as conn:
        [(event_id, new)] = insert_events(conn, tenant_settings(conn, tenant),
                                          [(bare, None, None)], source="api")
        [(again, new_again)] = insert_events(conn, tenant_settings(conn, tenant),
                                             [(bare, None, None)], source="api")
    assert new and not new_again and again == event_id
    pipeline.queue.send("process", [OutgoingMessage({"event_ids": [str(event_id)]},
                                                    tenant_id=tenant)])
    pipeline.process()
    [stored] = _events(db, tenant)
    assert stored["regimes"] == ["krx"] and stored["deadline_at"] is not None
    # judged at once: a bare NEWT lacks what KRX requires, so it waits for repair
    assert stored["state"] == "invalid" and pipeline.bodies("validate") == []
    assert pipeline.bodies("generate") == []
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) AS n FROM validation_issues WHERE event_id = %s",
                            (event_id,)).fetchone()["n"] > 0
        assert conn.execute("SELECT state FROM trades").fetchone()["state"] == "invalid"


def test_a_tenant_cannot_process_another_tenants_chunk(pipeline, db, two_tenants):
    alpha, beta = two_tenants
    outcome = pipeline.upload("alpha-bank/fep.csv", csv_file(csv_row(1)))
    with db.tenant(beta) as conn:
        assert process_chunk(conn, beta, outcome.file_id, 0).rows == 0
    assert row_states(db, alpha) == {"stored": 1}
