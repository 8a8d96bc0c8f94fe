"""Verification and the correction clock on real PostgreSQL: a run that finds errors opens
clocks, the clocks go at risk and late on the regime's business days, one alert per clock
and state, and the monitor check clocks rejected items."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from shared.services.monitoring import run_checks
from shared.services.monitoring.settings import MonitorSettings
from shared.services.operations.base import Actor, Conflict
from shared.services.operations.verification import (
    notice,
    resolve_correction,
    verify_tenant,
)
from tests.functional.trsim.factory import LEI_A, event

CFTC = "cftc-part45"
FOUND = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # Friday 20 Nov 2026, 10:00 New York
SENT = FOUND - timedelta(days=2)
OPERATOR = Actor(id="u1", name="ops.kim", kind="user", role="operator")


def sent(conn, tenant, events, *, regime=CFTC, item_status="acked", event_state="acked",
         feedback_at=None) -> list[int]:
    """Our report file of `events` as submit and feedback leave it: its items' ids."""
    file_id = conn.execute(
        "INSERT INTO report_files (tenant_id, regime, tr, record_count, status, submitted_at,"
        " feedback_at) VALUES (%s, %s, 'SDR', %s, 'acked', %s, %s) RETURNING id",
        (tenant, regime, len(events), SENT, feedback_at or SENT)).fetchone()["id"]
    items = []
    for position, ev in enumerate(events, start=1):
        event_id = conn.execute(
            "INSERT INTO trade_events (tenant_id, source, uti, action_type, event_timestamp,"
            " payload, payload_hash, state) VALUES (%s, 'file', %s, %s, %s, %s, %s, %s)"
            " RETURNING id",
            (tenant, ev.uti, ev.action_type.value, ev.event_timestamp, ev.model_dump_json(),
             ev.payload_hash(), event_state)).fetchone()["id"]
        items.append(conn.execute(
            "INSERT INTO report_items (tenant_id, report_file_id, event_id, position,"
            " record_ref, status, tr_code, tr_message) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            " RETURNING id",
            (tenant, file_id, event_id, position, f"{ev.uti}:{position}", item_status,
             "E42" if item_status == "nacked" else None,
             "notional missing" if item_status == "nacked" else None)).fetchone()["id"])
    return items


def sdr_holds(conn, tenant, trades: dict[str, dict[str, str]], *, regime=CFTC) -> None:
    """The SDR's open-swaps view (what the TR's trade state report loads)."""
    file_id = conn.execute(
        "INSERT INTO tr_report_files (tenant_id, bucket, object_key, sha256, regime, kind,"
        " reference_date, status) VALUES (%s, 'fb', 'k', 'x', %s, 'trade_state',"
        " '2026-11-19', 'loaded') RETURNING id", (tenant, regime)).fetchone()["id"]
    for uti, values in trades.items():
        conn.execute(
            "INSERT INTO tr_trade_states (tenant_id, regime, uti, reference_date,"
            " report_file_id, last_action, reported_values) VALUES (%s, %s, %s, '2026-11-19',"
            " %s, 'NEWT', %s)", (tenant, regime, uti, file_id, json.dumps(values)))


def swap_dealer(conn, tenant) -> None:
    conn.execute(
        "INSERT INTO legal_entities (tenant_id, entity_id, name, kind, country, lei, statuses)"
        " VALUES (%s, 'NY', 'Alpha New York', 'head_office', 'US', %s, %s)",
        (tenant, LEI_A, json.dumps({CFTC: "SD"})))


def alerts(db, tenant, kind=None) -> list[dict]:
    with db.tenant(tenant) as conn:
        return conn.execute(
            "SELECT kind, severity, dedup_key, status, occurrences, summary FROM alerts"
            " WHERE kind LIKE 'correction.%%' AND (%s::text IS NULL OR kind = %s)"
            " ORDER BY id", (kind, kind)).fetchall()


def clocks(db, tenant) -> dict[str, dict]:
    with db.tenant(tenant) as conn:
        return {r["uti"]: r for r in conn.execute(
            "SELECT * FROM correction_clocks ORDER BY id").fetchall()}


def at(db, tenant, now: datetime) -> dict:
    with db.tenant(tenant) as conn:
        return verify_tenant(conn, tenant, now=now)


@pytest.fixture
def books(db, two_tenants):
    """A swap dealer's three swaps sent to the SDR; the SDR holds one right, one with another
    notional, and lacks the third."""
    tenant = two_tenants[0]
    with db.tenant(tenant) as conn:
        swap_dealer(conn, tenant)
        sent(conn, tenant, [event("UTI-OK"), event("UTI-AMOUNT"), event("UTI-MISSING")])
        held = {"NtnlAmtFrstLeg": "10000000000 KRW", "FctvDt": "2026-11-24",
                "XprtnDt": "2031-11-24", "IntrstFxdRateFrstLeg": "3.25", "Lvl": "TCTN"}
        sdr_holds(conn, tenant, {"UTI-OK": held,
                                 "UTI-AMOUNT": {**held, "NtnlAmtFrstLeg": "9000000000 KRW"}})
    return tenant


def test_a_verification_finds_the_errors_logs_the_run_and_starts_their_clocks(db, books):
    result = at(db, books, FOUND)
    [run] = result["runs"]
    assert (run["regime"], run["status"], run["findings"], run["clocks_opened"]) == (
        CFTC, "completed", 2, 2)
    with db.tenant(books) as conn:
        [log] = conn.execute("SELECT * FROM verifications").fetchall()
    assert (log["entity_id"], log["entity_status"], log["open_at_tr"], log["open_here"],
            log["trigger"], log["run_by"]) == ("NY", "SD", 2, 3, "schedule", "monitor")
    assert [(d["uti"], d["kind"]) for d in log["details"]] == [
        ("UTI-MISSING", "missing_at_tr"), ("UTI-AMOUNT", "field_differs")]
    assert log["details"][1]["differences"] == [
        {"field": "NtnlAmtFrstLeg", "ours": "10000000000 KRW", "theirs": "9000000000 KRW"}]
    found = clocks(db, books)
    assert set(found) == {"UTI-MISSING", "UTI-AMOUNT"}
    # seven New York business days, Thanksgiving (26 Nov) not one: due end of Wed 2 Dec
    assert found["UTI-MISSING"]["due"] == datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
    assert {c["state"] for c in found.values()} == {"on_track"}
    assert alerts(db, books) == []


def test_the_clock_goes_at_risk_on_the_right_business_day_and_alerts_once(db, books):
    at(db, books, FOUND)
    at(db, books, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # Fri: 3 business days left
    assert {c["state"] for c in clocks(db, books).values()} == {"on_track"}
    assert alerts(db, books) == []

    at(db, books, datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # Mon: 2 left
    at(db, books, datetime(2026, 11, 30, 20, 0, tzinfo=UTC))  # the next ticks change nothing
    at(db, books, datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    assert {c["state"] for c in clocks(db, books).values()} == {"at_risk"}
    risk = alerts(db, books)
    assert [(a["kind"], a["severity"], a["status"], a["occurrences"]) for a in risk] == [
        ("correction.at_risk", "warning", "open", 1)] * 2
    assert "due 2026-12-03 00:00 EST, 2 business day(s) left" in risk[0]["summary"]

    at(db, books, datetime(2026, 12, 3, 5, 0, tzinfo=UTC))  # the period is over
    assert {c["state"] for c in clocks(db, books).values()} == {"late"}
    states = {(a["kind"], a["status"]) for a in alerts(db, books)}
    assert states == {("correction.at_risk", "resolved"), ("correction.late", "open")}
    assert len(alerts(db, books, "correction.late")) == 2
    with db.tenant(books) as conn:  # an SD verifies every 30 days: not due again yet
        assert conn.execute("SELECT count(*) AS n FROM verifications").fetchone()["n"] == 1


def test_an_sd_is_verified_again_after_thirty_days_and_a_corrected_finding_resolves(db, books):
    at(db, books, FOUND)
    with db.tenant(books) as conn:  # the notional corrected at the SDR
        conn.execute("UPDATE tr_trade_states SET reported_values = reported_values ||"
                     " '{\"NtnlAmtFrstLeg\": \"10000000000 KRW\"}' WHERE uti = 'UTI-AMOUNT'")
    assert at(db, books, FOUND + timedelta(days=29))["runs"] == []
    [run] = at(db, books, FOUND + timedelta(days=30))["runs"]
    assert run["findings"] == 1
    found = clocks(db, books)
    assert (found["UTI-AMOUNT"]["state"], found["UTI-AMOUNT"]["resolved_by"]) == (
        "resolved", "system")
    assert found["UTI-MISSING"]["state"] == "late"
    assert len(found) == 2  # the missing trade found again keeps its first clock


def test_an_operator_resolves_a_clock_once_with_a_note_and_its_alert_closes(db, books):
    at(db, books, FOUND)
    at(db, books, datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    clock = clocks(db, books)["UTI-MISSING"]
    with db.tenant(books) as conn:
        shown = resolve_correction(conn, clock["id"], "resubmitted NEWT, ACKed", OPERATOR)
    assert (shown["state"], shown["resolved_by"]) == ("resolved", "ops.kim")
    open_risk = [a for a in alerts(db, books) if a["status"] == "open"]
    assert [a["dedup_key"] for a in open_risk] == [
        f"correction:{clocks(db, books)['UTI-AMOUNT']['id']}:at_risk"]
    with db.tenant(books) as conn, pytest.raises(Conflict, match="resolved already"):
        resolve_correction(conn, clock["id"], "again", OPERATOR)


def test_the_notice_is_drafted_from_the_open_clocks(db, books):
    at(db, books, FOUND)
    with db.tenant(books) as conn:
        draft = notice(conn, books, CFTC, reason="the SDR refuses the back-dated NEWT",
                       now=datetime(2026, 12, 3, 6, 0, tzinfo=UTC))
    assert draft["kind"] == "cftc_notice" and draft["clocks"] == 2
    text = draft["text"]
    assert "2 swap(s) affected by 2 error(s) (2 past the correction period, 0 at risk)" in text
    assert "UTI-AMOUNT, UTI-MISSING" in text
    assert "first found them on 2026-11-20 10:00 (America/New_York)" in text
    assert "the SDR refuses the back-dated NEWT" in text


def test_a_rejected_item_starts_a_clock_the_monitor_alerts_once(db, two_tenants):
    tenant = two_tenants[0]
    with db.tenant(tenant) as conn:
        sent(conn, tenant, [event("UTI-NACK")], item_status="nacked", event_state="nacked",
             feedback_at=datetime.now(UTC) - timedelta(days=30))
    settings = MonitorSettings(tick_interval_s=0, checks=("verification",))
    first = run_checks(db=db, settings=settings)["verification"]
    assert first["clocks_opened"] == 1
    run_checks(db=db, settings=settings)
    [late] = alerts(db, tenant)
    assert (late["kind"], late["severity"], late["occurrences"]) == ("correction.late",
                                                                      "critical", 1)
    assert "UTI-NACK: rejected by the TR (E42 notional missing)" in late["summary"]
    with db.tenant(tenant) as conn:  # corrected and accepted: the clock stops by itself
        conn.execute("UPDATE trade_events SET state = 'acked' WHERE uti = 'UTI-NACK'")
    run_checks(db=db, settings=settings)
    assert clocks(db, tenant)["UTI-NACK"]["state"] == "resolved"
    assert alerts(db, tenant)[0]["status"] == "resolved"


def test_each_tenant_sees_only_its_own_clocks(db, books, two_tenants):
    at(db, books, FOUND)
    assert clocks(db, two_tenants[1]) == {}


def test_swaprep_verify_runs_one_regime_now_and_audits_it(database_url, db, books):
    from click.testing import CliRunner

    from swaprep.cli import main

    out = CliRunner().invoke(main, ["verify", "--database-url", database_url,
                                    "--tenant", "alpha-bank", "--regime", CFTC])
    assert out.exit_code == 0, out.output
    assert "cftc-part45: run 1: 2 open at the TR (2026-11-19), 3 open here, 2 finding(s)" \
        in out.output
    assert "2 correction clock(s) opened" in out.output
    with db.tenant(books) as conn:
        log = conn.execute("SELECT trigger, run_by FROM verifications").fetchone()
        audited = conn.execute("SELECT action FROM audit_log WHERE action ="
                               " 'verification.run'").fetchall()
    assert log["trigger"] == "manual" and log["run_by"].startswith("cli:") and len(audited) == 1
    wrong = CliRunner().invoke(main, ["verify", "--database-url", database_url,
                                      "--tenant", "alpha-bank", "--regime", "nowhere"])
    assert wrong.exit_code != 0 and "'nowhere' is not a known regime" in wrong.output
