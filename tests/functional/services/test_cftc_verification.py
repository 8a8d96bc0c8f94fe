"""CFTC verification end to end (17 CFR 45.14(a)): a swap dealer's Part 45 reports go to the
simulated SDR over HTTP, the SDR's open swaps report lands in the feedback bucket (moto S3),
the tr-reports stage loads it into real PostgreSQL, and verification finds what the SDR holds
wrongly, with CFTC's correction period and the swap dealer's 30-day cadence."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shared.domain.model import Leg, Money, Party
from shared.services.operations.verification import verify_tenant
from tests.functional.services.tr_reports_support import deliver, send
from tests.functional.trsim.factory import BAD_LEI, FEEDBACK, LEI_A, event, uti

pytestmark = pytest.mark.functional

CFTC = "cftc-part45"
A, B, C = uti("A"), uti("B"), uti("C")
# Monday 23 Nov 2026, 10:00 in New York: the day after the SDR's report of 22 Nov
FOUND = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def rows(db, tenant, sql: str, *params) -> list[dict]:
    with db.tenant(tenant) as conn:
        return conn.execute(sql, params).fetchall()


def swap_dealer(db, tenant) -> None:
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO legal_entities (tenant_id, entity_id, name, kind, country, lei,"
            " statuses) VALUES (%s, 'NY', 'Alpha New York', 'head_office', 'US', %s, %s)",
            (tenant, LEI_A, json.dumps({CFTC: "SD"})))


def refused(uti_: str, action: str, **overrides):
    """An event the SDR NACKs: its other counterparty's LEI has wrong check digits."""
    return event(uti_, action, cp2=BAD_LEI, counterparty_2=Party(identifier=BAD_LEI),
                 **overrides)


@pytest.fixture
def sdr_report(db, store, sim, tenant):
    """Three swaps reported and ACKed; B's amendment to a larger notional and C's
    termination NACKed by the SDR; the SDR's open swaps report of 22 Nov loaded."""
    swap_dealer(db, tenant)
    send(db, store, sim, tenant, [event(A), event(B), event(C)], regime=CFTC)
    bigger = [Leg(notional=Money(amount=Decimal("12000000000"), currency="KRW"),
                  fixed_rate=Decimal("0.0325"))]
    send(db, store, sim, tenant, [
        refused(B, "MODI", legs=bigger, event_timestamp=datetime(2026, 11, 21, tzinfo=UTC)),
        refused(C, "TERM", event_type="ETRM",
                event_timestamp=datetime(2026, 11, 21, tzinfo=UTC))], regime=CFTC)
    nacked = {(r["uti"], r["status"]) for r in sim.received_records()}
    assert {(B, "NACK"), (C, "NACK")} <= nacked
    [key] = sim.end_of_day()
    return tenant, key


def test_the_sdr_writes_its_open_swaps_report_and_the_stage_loads_it(db, store, sdr_report):
    tenant, key = sdr_report
    assert key == f"tr-reports/alpha-bank/{CFTC}/2026-11-22/open_swaps-{LEI_A}.json"
    report = json.loads(store.get_bytes(FEEDBACK, key))
    assert (report["reportType"], report["asOfDate"], report["recordCount"]) == (
        "OpenSwapsReport", "2026-11-22", 3)
    # the NACKed TERM left C open, the NACKed MODI left B at its first notional
    held = {s["uniqueTransactionIdentifier"]: s for s in report["openSwaps"]}
    assert (held[C]["actionType"], held[B]["leg1"]["notionalAmount"]) == ("NEWT", 10000000000)

    outcome = deliver(db, store, key)
    assert (outcome.status, outcome.regime, outcome.kind, outcome.records) == (
        "loaded", CFTC, "trade_state", 3)
    states = {r["uti"]: r for r in rows(db, tenant, "SELECT * FROM tr_trade_states")}
    assert set(states) == {A, B, C}
    assert states[B]["reported_values"]["NtnlAmtFrstLeg"] == "10000000000 KRW"
    # open swaps only: the break is one of presence, nothing is paired
    found = rows(db, tenant, "SELECT uti, kind, our_action, tr_action FROM tr_breaks"
                             " WHERE status = 'open'")
    assert found == [{"uti": C, "kind": "open_at_tr", "our_action": "TERM",
                      "tr_action": "NEWT"}]
    assert rows(db, tenant, "SELECT * FROM tr_recon_statuses") == []


def test_verification_finds_the_swap_ended_here_open_at_the_sdr_and_the_field_it_holds_wrong(
        db, store, sdr_report):
    tenant, key = sdr_report
    deliver(db, store, key)
    with db.tenant(tenant) as conn:
        result = verify_tenant(conn, tenant, now=FOUND)
    [run] = result["runs"]
    assert (run["regime"], run["status"], run["reference_date"], run["open_at_tr"],
            run["open_here"], run["findings"]) == (CFTC, "completed", "2026-11-22", 3, 2, 2)
    [log] = rows(db, tenant, "SELECT * FROM verifications")
    assert (log["entity_status"], log["trigger"]) == ("SD", "schedule")
    assert [(d["uti"], d["kind"]) for d in log["details"]] == [
        (C, "open_at_tr"), (B, "field_differs")]
    assert log["details"][1]["differences"] == [
        {"field": "NtnlAmtFrstLeg", "ours": "12000000000 KRW", "theirs": "10000000000 KRW"}]

    clocks = {(r["uti"], r["kind"]): r for r in rows(
        db, tenant, "SELECT * FROM correction_clocks WHERE source = 'verification'")}
    assert set(clocks) == {(C, "open_at_tr"), (B, "field_differs")}
    # CFTC 45.14(b): seven New York business days, Thanksgiving (26 Nov) not one: due at
    # the end of Thursday 3 December
    assert {(c["business_days"], c["due"], c["state"]) for c in clocks.values()} == {
        (7, datetime(2026, 12, 4, 5, 0, tzinfo=UTC), "on_track")}

    # a swap dealer verifies every 30 days: not before, and then again
    with db.tenant(tenant) as conn:
        assert verify_tenant(conn, tenant, now=FOUND + timedelta(days=29))["runs"] == []
    with db.tenant(tenant) as conn:
        [again] = verify_tenant(conn, tenant, now=FOUND + timedelta(days=30))["runs"]
    assert (again["regime"], again["findings"]) == (CFTC, 2)


def test_a_report_that_is_not_an_open_swaps_report_is_rejected_under_cftc(db, store, tenant):
    key = f"tr-reports/alpha-bank/{CFTC}/2026-11-22/open_swaps-{LEI_A}.json"
    store.put_bytes(FEEDBACK, key, b'{"reportType": "PositionReport"}')
    outcome = deliver(db, store, key)
    assert outcome.status == "rejected"
    assert outcome.reason == ('open swaps report: expected a JSON object with "reportType": '
                              '"OpenSwapsReport"')
    [file_] = rows(db, tenant, "SELECT status, error FROM tr_report_files")
    assert (file_["status"], file_["error"]) == ("rejected", outcome.reason)
