"""Validate: rules and the lifecycle over the UTI's accepted history, in order across chunks and
files, issues with rule ids, states every console screen can show, `generate` nudges."""

from datetime import UTC, datetime

import pytest

from shared.adapters.queue import OutgoingMessage
from shared.domain.model import ActionType, TradeEvent
from shared.platform import clock
from shared.services.pipeline import ingest_reading
from shared.services.pipeline.process import Prepared, insert_events, tenant_settings
from shared.services.pipeline.validation import open_issues, validate_events, wait_delay_s
from swaprep.local.demo import demo_fep_records, write_fep_csv
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import (
    csv_file,
    csv_row,
    event_states,
    issues_by_uti,
    row_states,
    uti,
)

pytestmark = [pytest.mark.functional, pytest.mark.date_sensitive]  # also at fixed instants

# fixtures shared by the pipeline-front tests
pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant


def _event(db, tenant_id, event_uti, action):
    with db.tenant(tenant_id) as conn:
        return conn.execute("SELECT * FROM trade_events WHERE uti = %s AND action_type = %s",
                            (event_uti, action)).fetchone()


def _trade(db, tenant_id, trade_uti):
    with db.tenant(tenant_id) as conn:
        return conn.execute("SELECT * FROM trades WHERE uti = %s", (trade_uti,)).fetchone()


def _hold(pipeline, queue, **match):
    """Keep matching messages back (as if their consumer were slow)."""
    where = " AND ".join(f"body->>'{k}' = %s" for k in match)
    with pipeline.db.system() as conn:
        conn.execute(f"UPDATE queue_messages SET visible_at = now() + interval '1 hour'"
                     f" WHERE queue = %s AND {where}", (queue, *map(str, match.values())))


def test_good_and_bad_records_each_end_in_exactly_one_state(pipeline, db, tenant):
    pipeline.upload("alpha-bank/small.csv", csv_file(
        csv_row(1),
        csv_row(2, counterparty="9884DEMO000000010000"),  # LEI check digits
        csv_row(3, currency="KRX"),
        csv_row(4).replace("2026-11-24", "2026-13-45", 1),  # parse error
        csv_row(1, "MODI", event_ts="2026-11-20T05:00:00Z", notional="20000000000"),
        csv_row(9, "MODI"),  # no NEWT for UTI 9 anywhere: refused, not left waiting
    ))
    pipeline.run()
    assert row_states(db, tenant) == {"event": 5, "parse_error": 1}
    assert event_states(db, tenant) == {"valid": 2, "invalid": 3}
    assert issues_by_uti(db, tenant) == {
        f"{uti(2)}:NEWT": {"SR-ID-004"}, f"{uti(3)}:NEWT": {"SR-EC-023"},
        f"{uti(9)}:MODI": {"SR-LC-016"}}
    with db.tenant(tenant) as conn:
        issue = conn.execute("SELECT * FROM validation_issues WHERE rule_id = 'SR-ID-004'"
                             ).fetchone()
    assert issue["field"] == "counterparty_2.identifier" and issue["regime"] is None
    assert issue["value"] == "9884DEMO000000010000" and issue["message_ko"]
    modi = _event(db, tenant, uti(1), "MODI")
    assert modi["state"] == "valid" and modi["validated_at"] and modi["waiting_for"] is None
    assert (_trade(db, tenant, uti(1))["lifecycle"], _trade(db, tenant, uti(1))["state"]) == (
        "live", "valid")
    assert (_trade(db, tenant, uti(9))["lifecycle"], _trade(db, tenant, uti(9))["state"]) == (
        "unreported", "invalid")
    nudges = pipeline.bodies("generate")
    assert [(n["tenant_id"], n["regime"]) for n in nudges] == [(str(tenant), "krx")]


def test_a_demo_fep_file_ends_with_every_record_accounted_for(pipeline, db, tenant):
    records = demo_fep_records(400, seed=11)  # with parse errors and re-sent rows
    pipeline.upload("alpha-bank/2026-11-20/fep-demo.csv", write_fep_csv(records))
    pipeline.run()
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT r.row_no, r.state, r.duplicate, r.errors, e.state AS event_state,"
            " coalesce(array_agg(i.rule_id) FILTER (WHERE i.severity = 'reject'), '{}')"
            " AS rejects FROM raw_rows r LEFT JOIN trade_events e ON e.id = r.event_id"
            " LEFT JOIN validation_issues i ON i.event_id = e.id"
            " GROUP BY r.row_no, r.state, r.duplicate, r.errors, e.state ORDER BY r.row_no"
        ).fetchall()
    assert len(rows) == len(records) == 400
    expected = {"ack": ("event", False, "valid"), "nack": ("event", False, "valid"),
                "invalid": ("event", False, "invalid"), "duplicate": ("event", True, "valid"),
                "parse_error": ("parse_error", False, None)}
    wrong = []
    for row, record in zip(rows, records, strict=True):  # intent against outcome, row by row
        intent = record.intent
        outcome = (row["state"], row["duplicate"], row["event_state"])
        found = ({e["code"] for e in row["errors"]} if row["state"] == "parse_error"
                 else set(row["rejects"]))
        meant = intent.parse_codes if intent.outcome == "parse_error" else intent.rules
        if outcome != expected[intent.outcome] or found != set(meant):
            wrong.append((row["row_no"], intent.mistake, outcome, found))
    assert wrong == []
    assert {r.intent.outcome for r in records} == set(expected)


def test_a_modi_in_a_later_chunk_waits_for_its_newt_instead_of_being_refused(
        pipeline, db, tenant, monkeypatch):
    monkeypatch.setattr(ingest_reading, "CHUNK_RECORDS", 2)
    outcome = pipeline.upload("alpha-bank/fep.csv", csv_file(
        csv_row(1), csv_row(2),
        csv_row(1, "MODI", event_ts="2026-11-20T05:00:00Z", notional="20000000000"),
        csv_row(3),
    ))
    _hold(pipeline, "process", chunk_no=0)  # chunk 1 (the MODI) is processed first
    pipeline.process()
    pipeline.validate()
    modi = _event(db, tenant, uti(1), "MODI")
    assert modi["state"] == "received"
    assert modi["waiting_for"] == (
        "record 1 of alpha-bank/fep.csv (same trade): not processed yet")
    [waiting] = pipeline.bodies("validate")
    assert waiting["event_ids"] == [str(modi["id"])] and waiting["attempt"] == 1
    assert waiting["key"] == f"{outcome.file_id}:1/wait1"
    assert _event(db, tenant, uti(3), "NEWT")["state"] == "valid"  # others are not held up

    pipeline.expedite("process")
    pipeline.process()  # chunk 0: the NEWT, judged as it is stored
    assert _event(db, tenant, uti(1), "NEWT")["state"] == "valid"
    assert _event(db, tenant, uti(1), "MODI")["state"] == "received"  # until its turn comes

    pipeline.run()
    assert _event(db, tenant, uti(1), "NEWT")["state"] == "valid"
    modi = _event(db, tenant, uti(1), "MODI")
    assert (modi["state"], modi["waiting_for"]) == ("valid", None)
    with db.tenant(tenant) as conn:
        assert open_issues(conn, modi["id"]) == []
    assert _trade(db, tenant, uti(1))["last_action_type"] == "MODI"


def test_events_of_a_file_wait_while_an_earlier_file_is_still_being_read(pipeline, db, tenant):
    pipeline.upload("alpha-bank/1-newt.csv", csv_file(csv_row(1)), read=False)
    pipeline.upload("alpha-bank/2-modi.csv", csv_file(
        csv_row(1, "MODI", event_ts="2026-11-20T05:00:00Z", notional="20000000000")),
        read=False)
    _hold(pipeline, "ingest", key=pipeline.bodies("ingest")[0]["key"])
    pipeline.read()  # only the second file
    pipeline.process()
    pipeline.validate()
    modi = _event(db, tenant, uti(1), "MODI")
    assert modi["waiting_for"] == (
        "the file alpha-bank/1-newt.csv, received earlier: still being read")
    pipeline.expedite("ingest")
    pipeline.read()
    pipeline.run()
    assert event_states(db, tenant) == {"valid": 2}


def test_an_event_waits_while_an_earlier_event_of_its_uti_waits(pipeline, db, tenant):
    """A NEWT held up (an earlier file still being read) holds up its MODI, stored later."""
    pipeline.upload("alpha-bank/0-other.csv", csv_file(csv_row(5)), read=False)
    pipeline.upload("alpha-bank/1-newt.csv", csv_file(csv_row(1)), read=False)
    _hold(pipeline, "ingest", key=pipeline.bodies("ingest")[0]["key"])
    pipeline.read()  # the NEWT's file, not the one before it
    pipeline.process()
    assert "still being read" in _event(db, tenant, uti(1), "NEWT")["waiting_for"]
    # The MODI comes through the API: no file before it, only its UTI's waiting NEWT.
    event = TradeEvent.model_validate(_event(db, tenant, uti(1), "NEWT")["payload"])
    modi = event.model_copy(update={"action_type": ActionType.MODI,
                                    "event_timestamp": datetime(2026, 11, 20, 5, tzinfo=UTC)})
    with db.tenant(tenant) as conn:
        [(modi_id, _)] = insert_events(conn, tenant_settings(conn, tenant), [(
            Prepared(modi, (), (), None, modi.payload_hash()), None, None)], source="api")
    pipeline.queue.send("process", [OutgoingMessage({"event_ids": [str(modi_id)]},
                                                    tenant_id=tenant)])
    pipeline.process()
    waiting = _event(db, tenant, uti(1), "MODI")["waiting_for"]
    assert waiting.startswith("the earlier event ") and "(NEWT)" in waiting
    assert waiting.endswith("not validated yet")
    pipeline.expedite("ingest")
    pipeline.read()
    pipeline.run()
    assert event_states(db, tenant) == {"valid": 3}


def test_after_a_termination_a_modification_is_refused_and_the_trade_stays_terminated(
        pipeline, db, tenant):
    pipeline.upload("alpha-bank/fep.csv", csv_file(
        csv_row(1),
        csv_row(1, "TERM", event_ts="2026-11-20T04:00:00Z"),
        csv_row(1, "MODI", event_ts="2026-11-20T05:00:00Z", notional="20000000000"),
    ))
    pipeline.run()
    assert _event(db, tenant, uti(1), "TERM")["state"] == "valid"
    assert issues_by_uti(db, tenant) == {f"{uti(1)}:MODI": {"SR-LC-021"}}
    trade = _trade(db, tenant, uti(1))
    assert (trade["lifecycle"], trade["state"], trade["last_action_type"]) == (
        "terminated", "invalid", "MODI")


def test_a_redelivered_validate_message_changes_nothing(pipeline, db, tenant):
    """Events process judged already: a validate message naming them (twice, as a redelivery
    would) and the handler run once more leave them as they were."""
    pipeline.upload("alpha-bank/fep.csv", csv_file(csv_row(1), csv_row(2, currency="KRX")))
    pipeline.process()
    with db.tenant(tenant) as conn:
        ids = [str(r["id"]) for r in conn.execute("SELECT id FROM trade_events ORDER BY id")]
        before = conn.execute("SELECT id, state, validated_at FROM trade_events ORDER BY id"
                              ).fetchall()
    body = {"event_ids": ids, "key": "redelivered"}
    pipeline.queue.send("validate", [OutgoingMessage(body, tenant_id=tenant)] * 2)
    report = pipeline.validate()
    assert (report["received"], report["succeeded"]) == (2, 2)
    with db.tenant(tenant) as conn:
        issues = conn.execute("SELECT rule_id FROM validation_issues").fetchall()
        again = validate_events(conn, tenant, ids)
    assert [i["rule_id"] for i in issues] == ["SR-EC-023", "SR-EC-023"]  # both legs, once
    assert (again.skipped, again.valid, again.invalid) == (2, [], [])
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT id, state, validated_at FROM trade_events ORDER BY id"
                            ).fetchall() == before
    assert len(pipeline.bodies("generate")) == 1


def test_rules_run_for_each_regime_of_the_tenant_and_nudge_each(pipeline, db, tenant):
    with db.system() as conn:
        conn.execute("UPDATE tenants SET regimes = '{krx,emir}'")
    pipeline.upload("alpha-bank/fep.csv", csv_file(csv_row(1, upi="QZ0123456789")))
    with clock.pinned(datetime(2026, 11, 25, tzinfo=UTC)):  # judged after T+1
        pipeline.process()
    with db.tenant(tenant) as conn:
        late = conn.execute("SELECT rule_id, severity, regime FROM validation_issues"
                            " WHERE rule_id = 'SR-TM-030' ORDER BY regime").fetchall()
    assert event_states(db, tenant) == {"valid": 1}
    # due at different instants under each regime: one warning per regime
    assert [(i["severity"], i["regime"]) for i in late] == [("warn", "emir"), ("warn", "krx")]
    assert sorted(n["regime"] for n in pipeline.bodies("generate")) == ["emir", "krx"]


def test_wait_delays_grow_to_half_a_minute():
    assert [wait_delay_s(n) for n in (1, 2, 3, 4, 5, 50)] == [2, 4, 8, 16, 30, 30]


def test_another_tenant_sees_none_of_it(pipeline, db, two_tenants):
    alpha, beta = two_tenants
    pipeline.upload("alpha-bank/fep.csv", csv_file(csv_row(1), csv_row(2, currency="KRX")))
    pipeline.run()
    tables = ("ingest_files", "raw_rows", "trade_events", "trades", "validation_issues",
              "processed_messages")
    with db.tenant(alpha) as conn:
        assert all(conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in tables)
    with db.tenant(beta) as conn:
        assert [conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"]
                for t in tables] == [0] * len(tables)
        assert validate_events(conn, beta, [str(e) for e in _ids(db, alpha)]).skipped == 0
    with db.unscoped() as conn:
        assert conn.execute("SELECT count(*) AS n FROM raw_rows").fetchone()["n"] == 0


def _ids(db, tenant_id):
    with db.tenant(tenant_id) as conn:
        return [r["id"] for r in conn.execute("SELECT id FROM trade_events")]
