"""tr-reports against the real TR simulator's end-of-day files, real PostgreSQL and the S3
API: the TR's view of our trades stored per tenant, and the breaks against our books."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain.model import Party
from shared.platform.triggers import object_storage_event
from tests.functional.services.tr_reports_support import (
    deliver,
    deliver_all,
    send,
    trade,
)
from tests.functional.trsim.factory import (
    BAD_LEI,
    FEEDBACK,
    NOW,
    alerts,
    make_sim,
    post,
    report,
    uti,
)
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

A, B, C = uti("A"), uti("B"), uti("C")


def rows(db, tenant, sql: str, *params) -> list[dict]:
    with db.tenant(tenant) as conn:
        return conn.execute(sql, params).fetchall()


def breaks(db, tenant, status: str = "open") -> dict[str, dict]:
    return {r["uti"]: r for r in rows(
        db, tenant, "SELECT * FROM tr_breaks WHERE status = %s ORDER BY id", status)}


def test_a_mismatched_field_from_the_end_of_day_reconciliation_is_stored_for_the_trade(
        db, store, sim, tenant):
    send(db, store, sim, tenant, [trade(A), trade(B)])
    sim.set_counterparty(mode="mirror", differences={B: {"NtnlAmtFrstLeg": "12000000000 KRW"}})
    keys = sim.end_of_day()
    outcomes = deliver_all(db, store, keys)
    assert [(o.status, o.kind, o.records) for o in outcomes] == [
        ("loaded", "trade_state", 2), ("loaded", "reconciliation", 2), ("loaded", "warnings", 2)]
    [status] = rows(db, tenant, "SELECT * FROM tr_recon_statuses WHERE uti = %s", B)
    assert (status["paired"], status["matched"]) == (True, False)
    assert status["differences"] == [{"field": "NtnlAmtFrstLeg", "ours": "10000000000 KRW",
                                      "theirs": "12000000000 KRW"}]
    found = breaks(db, tenant)
    assert list(found) == [B] and found[B]["kind"] == "field_mismatch"
    assert found[B]["differences"] == status["differences"]
    [alert] = alerts(db, "tr.reconciliation_breaks")
    assert alert["severity"] == "warning" and "1 new break(s)" in alert["summary"]


def test_a_trade_terminated_here_but_open_at_the_tr_is_raised_as_a_break(db, store, sim, tenant):
    send(db, store, sim, tenant, [trade(A), trade(C)])
    # our TERM of C carries a counterparty LEI with wrong check digits: the TR NACKs it, so it
    # still holds C open while our books have it terminated
    send(db, store, sim, tenant, [trade(C, "TERM", cp2=BAD_LEI, counterparty_2=Party(
        identifier=BAD_LEI, reporting_obligation=True))])
    deliver_all(db, store, sim.end_of_day())
    found = breaks(db, tenant)
    assert list(found) == [C]
    assert (found[C]["kind"], found[C]["our_action"], found[C]["tr_action"]) == (
        "open_at_tr", "TERM", "NEWT")
    [alert] = alerts(db, "tr.reconciliation_breaks")
    assert alert["severity"] == "critical"


def test_at_the_tr_not_with_us_and_with_us_not_at_the_tr(db, store, sim, tenant):
    send(db, store, sim, tenant, [trade(A)])
    # B reached the TR from elsewhere in our name (no file of ours carries it)
    assert post(sim, report([trade(B)], "emir"), regime="emir",
                file_id="not-ours").status_code == 202
    # C's NEWT names an unknown-check-digit LEI: refused by the TR, so never open there
    send(db, store, sim, tenant, [trade(C, counterparty_2=Party(identifier=BAD_LEI,
                                                                reporting_obligation=True))])
    deliver_all(db, store, sim.end_of_day())
    assert {u: b["kind"] for u, b in breaks(db, tenant).items()} == {
        B: "at_tr_only", C: "missing_at_tr"}


def test_the_same_files_loaded_twice_change_nothing(db, store, sim, tenant):
    send(db, store, sim, tenant, [trade(A), trade(B)])
    sim.set_counterparty(mode="mirror", differences={"*": {"XprtnDt": "2032-01-01"}})
    keys = sim.end_of_day()
    deliver_all(db, store, keys)

    def snapshot():
        return (rows(db, tenant, "SELECT * FROM tr_trade_states ORDER BY uti"),
                rows(db, tenant, "SELECT * FROM tr_recon_statuses ORDER BY uti"),
                rows(db, tenant, "SELECT * FROM tr_warnings ORDER BY uti"),
                rows(db, tenant, "SELECT id, uti, kind, status, last_seen_at FROM tr_breaks"
                                 " ORDER BY id"),
                rows(db, tenant, "SELECT id, occurrences FROM alerts ORDER BY id"))

    before = snapshot()
    again = deliver_all(db, store, keys)
    assert {o.status for o in again} == {"duplicate"}
    assert snapshot() == before
    copy = "tr-reports/alpha-bank/emir/2026-11-22/copy.xml"
    store.put_bytes(FEEDBACK, copy, store.get_bytes(FEEDBACK, keys[1]))
    assert deliver(db, store, copy).status == "duplicate"
    assert snapshot() == before
    ledger = rows(db, tenant, "SELECT deliveries FROM tr_report_files ORDER BY id")
    assert [r["deliveries"] for r in ledger] == [2, 3, 2]
    assert len(rows(db, tenant, "SELECT 1 FROM audit_log WHERE action = 'tr_report.duplicate'"))\
        == 4


def test_a_break_fixed_the_next_day_clears_and_a_resolved_one_stays_resolved(
        s3_clean, db, store, tenant):
    moments = [NOW]
    with make_sim(s3_clean, clock=lambda: moments[0]) as sim:
        send(db, store, sim, tenant, [trade(A), trade(B)])
        sim.set_counterparty(mode="mirror", differences={
            A: {"XprtnDt": "2032-01-01"}, B: {"FctvDt": "2026-11-25"}})
        deliver_all(db, store, sim.end_of_day())
        assert set(breaks(db, tenant)) == {A, B}
        with db.tenant(tenant) as conn:  # an operator accepted B's difference
            conn.execute("UPDATE tr_breaks SET status = 'resolved', resolution_note = 'agreed',"
                         " resolved_at = now() WHERE uti = %s", (B,))
        moments[0] = NOW + timedelta(days=1)  # the other side fixed A's expiry overnight
        sim.set_counterparty(mode="mirror", differences={B: {"FctvDt": "2026-11-25"}})
        outcomes = deliver_all(db, store, sim.end_of_day())
    assert {o.reference_date for o in outcomes} == {"2026-11-23"}
    assert breaks(db, tenant) == {}
    assert set(breaks(db, tenant, "cleared")) == {A}
    assert set(breaks(db, tenant, "resolved")) == {B}
    assert alerts(db, "tr.reconciliation_breaks")[0]["summary"].startswith("2 new break(s)")
    with db.system() as conn:
        [alert] = conn.execute("SELECT status FROM alerts WHERE kind ="
                               " 'tr.reconciliation_breaks'").fetchall()
    assert alert["status"] == "resolved"


def test_a_report_of_an_earlier_day_arriving_late_replaces_nothing(s3_clean, db, store, tenant):
    moments = [NOW + timedelta(days=1)]
    with make_sim(s3_clean, clock=lambda: moments[0]) as sim:
        send(db, store, sim, tenant, [trade(A)])
        later = sim.end_of_day()
        send(db, store, sim, tenant, [trade(B)])
        earlier = sim.end_of_day(NOW.date())  # the day before, written after
    deliver_all(db, store, later)
    outcomes = deliver_all(db, store, earlier)
    assert {o.status for o in outcomes} == {"stale"}
    assert [r["uti"] for r in rows(db, tenant, "SELECT uti FROM tr_trade_states")] == [A]


def test_an_event_sent_after_the_reports_day_is_not_a_break_yet(db, store, sim, tenant):
    send(db, store, sim, tenant, [trade(A)])
    deliver_all(db, store, sim.end_of_day())
    # B went to the TR the next day: the TR's report of this day cannot know it
    send(db, store, sim, tenant, [trade(B)], sent_at=NOW + timedelta(days=1))
    from shared.services.pipeline.tr_reports import reconcile_regime

    with db.tenant(tenant) as conn:
        assert reconcile_regime(conn, tenant, "emir") == (0, 0)


@pytest.mark.parametrize(("key", "body", "reason"), [
    ("tr-reports/alpha-bank/emir/2026-11-22/x.xml", b"not xml", "not a readable XML document"),
    ("tr-reports/alpha-bank/emir/2026-11-22/x.xml",
     b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:auth.030.001.03"/>', "not a TR report"),
    ("tr-reports/alpha-bank/krx/2026-11-22/x.xml", b"<x/>",
     "the key names no regime whose TR reports are read (emir, uk-emir, cftc-part45)"),
    ("tr-reports/alpha-bank/emir/2026-11-22/x.json", b'{"reportType": "OpenSwapsReport"}',
     "an open swaps report (CFTC) under emir"),
])
def test_an_unreadable_report_is_kept_recorded_rejected_and_alerted(db, store, tenant, key,
                                                                     body, reason):
    store.put_bytes(FEEDBACK, key, body)
    outcome = deliver(db, store, key)
    assert outcome.status == "rejected" and outcome.reason.startswith(reason)
    [ledger] = rows(db, tenant, "SELECT status, error FROM tr_report_files")
    assert ledger["status"] == "rejected" and ledger["error"].startswith(reason)
    assert store.get_bytes(FEEDBACK, key) == body  # kept for whoever looks into it
    assert alerts(db, "tr.report_rejected")


def test_a_report_for_no_known_tenant_is_alerted(db, store, tenant):
    key = "tr-reports/nobody/emir/2026-11-22/x.xml"
    store.put_bytes(FEEDBACK, key, b"<x/>")
    assert deliver(db, store, key).status == "rejected"
    [alert] = alerts(db, "tr.report_unknown_tenant")
    assert alert["tenant_id"] is None


def test_records_that_cannot_be_read_are_named_and_the_rest_loaded(db, store, sim, tenant):
    send(db, store, sim, tenant, [trade(A), trade(B)])
    [state_key, *_] = sim.end_of_day()
    body = store.get_bytes(FEEDBACK, state_key).replace(
        f"<UnqTxIdr>{A}</UnqTxIdr>".encode(), b"")
    broken = state_key.replace("trade_state-", "trade_state-fixed-")
    store.put_bytes(FEEDBACK, broken, body)
    outcome = deliver(db, store, broken)
    assert (outcome.status, outcome.records, outcome.problems) == ("loaded", 1, 1)
    [ledger] = rows(db, tenant, "SELECT problems FROM tr_report_files")
    assert ledger["problems"] == ["Stat 1: no UTI (CmonTradData/TxData/TxId/UnqTxIdr)"]
    assert alerts(db, "tr.report_problems")


def test_each_tenant_sees_only_its_own_tr_view(db, store, sim, tenant, two_tenants):
    send(db, store, sim, tenant, [trade(A)])
    deliver_all(db, store, sim.end_of_day())
    other = two_tenants[1]
    assert rows(db, other, "SELECT * FROM tr_trade_states") == []
    assert rows(db, other, "SELECT * FROM tr_report_files") == []
    assert len(rows(db, tenant, "SELECT * FROM tr_trade_states")) == 1


def test_the_action_takes_the_trigger_and_ignores_feedback_files(db, store, sim, tenant,
                                                                 database_url, s3_clean):
    send(db, store, sim, tenant, [trade(A)])
    [key, *_] = sim.end_of_day()
    sim.flush_feedback()
    feedback_key = next(s.key for s in store.list(FEEDBACK) if s.key.endswith(".json"))
    settings = {"database_url": database_url, "s3_endpoint_url": s3_clean,
                "s3_access_key_id": "testing", "s3_secret_access_key": "testing",
                "bucket_feedback": FEEDBACK}
    main = load_main("tr-reports")
    for target, expected in ((key, "loaded"), (feedback_key, "ignored")):
        info = store.head(FEEDBACK, target)
        result = main({**object_storage_event(FEEDBACK, target, size=info.size,
                                              etag=info.etag), **settings})
        assert result["files"][0]["status"] == expected, result


def test_the_sweep_hands_a_lost_report_to_the_tr_reports_action(db, store, sim, tenant,
                                                                database_url, s3_clean):
    from datetime import UTC, datetime

    from shared.adapters.queue.postgres import PostgresQueue
    from shared.services.monitoring.lost_triggers import sweep_lost_triggers
    from shared.services.monitoring.settings import MonitorSettings

    send(db, store, sim, tenant, [trade(A)])
    keys = sim.end_of_day()
    main = load_main("tr-reports")
    settings = {"database_url": database_url, "s3_endpoint_url": s3_clean,
                "s3_access_key_id": "testing", "s3_secret_access_key": "testing"}

    calls = []

    class Invoker:  # the platform's invoke API: runs the action it is asked to
        def invoke_async(self, action, params):
            calls.append(action)
            return main({**params, **settings})

    monitor = MonitorSettings(tick_interval_s=0, reconcile_every_s=0)
    later = datetime.now(UTC) + timedelta(seconds=monitor.lost_trigger_grace_s + 60)
    result = sweep_lost_triggers(db, store, PostgresQueue(db), Invoker(),
                                 {"feedback": FEEDBACK}, monitor, now=later)
    assert {h["key"] for h in result["feedback"]["handled"]} == set(keys)
    assert calls == ["tr-reports"] * 3
    assert len(rows(db, tenant, "SELECT 1 FROM tr_report_files WHERE status = 'loaded'")) == 3
    again = sweep_lost_triggers(db, store, PostgresQueue(db), Invoker(),
                                {"feedback": FEEDBACK}, monitor, now=later)
    assert again["feedback"]["unknown"] == 0
