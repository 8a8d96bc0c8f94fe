"""The simulated TR's end-of-day reports: what it holds of our EMIR trades, their pairing and
matching with the other side's reports, and its valuation warnings, written once per
simulated day into the feedback bucket under tr-reports/."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests
from click.testing import CliRunner

from shared.domain.model import Party
from shared.domain.reconciliation import FieldDifference, WarningKind
from shared.formats.tr_reports import read_open_swaps, read_report
from swaprep.cli import main as cli
from tests.functional.trsim.factory import (
    BAD_LEI,
    FEEDBACK,
    LEI_A,
    LEI_CP,
    NOW,
    event,
    make_sim,
    post,
    report,
    uti,
)
from tests.support.waiting import wait_for

pytestmark = pytest.mark.functional

TODAY = NOW.date()
PREFIX = f"tr-reports/alpha-bank/emir/{TODAY}"


def two_sided(n: int, action: str = "NEWT", **overrides):
    """An EMIR trade whose other side must report too (so the TR pairs it)."""
    return event(uti(n), action, counterparty_2=Party(identifier=LEI_CP,
                                                      reporting_obligation=True), **overrides)


def submit(sim, events, file_id: str, regime: str = "emir"):
    answer = post(sim, report(events, regime), regime=regime, file_id=file_id)
    assert answer.status_code == 202, answer.text
    return answer.json()


def eod_reports(store, prefix: str = PREFIX) -> dict:
    keys = sorted(s.key for s in store.list(FEEDBACK) if s.key.startswith(prefix))
    found = [read_report(store.get_bytes(FEEDBACK, key)) for key in keys]
    return {report.kind: report for report in found}


def test_three_reports_of_the_open_trades_land_under_their_own_prefix(sim, store):
    submit(sim, [two_sided(1), two_sided(2), two_sided(3)], "rf-1")
    submit(sim, [two_sided(3, "TERM", event_type="ETRM")], "rf-2")
    written = sim.end_of_day()
    assert written == [f"{PREFIX}/{kind}-{LEI_A}.xml"
                       for kind in ("trade_state", "reconciliation", "warnings")]
    reports = eod_reports(store)
    state = reports["trade_state"]
    assert state.reference_date == TODAY
    assert [(t.uti, t.last_action, t.reconciliation_flag) for t in state.trades] == [
        (uti(1), "NEWT", "SSUN"), (uti(2), "NEWT", "SSUN")]  # the terminated one is gone
    assert {s.uti: s.pairing for s in reports["reconciliation"].statuses} == {
        uti(1): "unpaired", uti(2): "unpaired"}  # the other side has reported nothing
    assert {(w.uti, w.kind) for w in reports["warnings"].warnings} == {
        (uti(1), WarningKind.NO_VALUATION), (uti(2), WarningKind.NO_VALUATION)}
    feedback = [s.key for s in store.list(FEEDBACK) if not s.key.startswith("tr-reports/")]
    assert len(feedback) == 0  # feedback files still wait for their delay: nothing mixed in


def test_a_termination_the_tr_refused_leaves_the_trade_open_there(sim, store):
    submit(sim, [two_sided(1)], "rf-1")
    # the TERM names a counterparty whose LEI check digits are wrong: NACKed (TR-ID-002)
    submit(sim, [event(uti(1), "TERM", event_type="ETRM", cp2=BAD_LEI)], "rf-2")
    [nacked] = sim.received_records()[1:]
    assert (nacked["action"], nacked["status"]) == ("TERM", "NACK")
    sim.end_of_day()
    assert [t.uti for t in eod_reports(store)["trade_state"].trades] == [uti(1)]


def test_the_other_side_mirroring_us_pairs_and_matches(sim, store):
    submit(sim, [two_sided(1)], "rf-1")
    sim.set_counterparty(mode="mirror")
    sim.end_of_day()
    reports = eod_reports(store)
    [status] = reports["reconciliation"].statuses
    assert (status.pairing, status.matching, status.differences) == ("paired", "matched", ())
    assert reports["trade_state"].trades[0].reconciliation_flag == "DSMA"


def test_a_configured_difference_is_reported_with_both_values(sim, store):
    submit(sim, [two_sided(1), two_sided(2)], "rf-1")
    sim.set_counterparty(mode="mirror", differences={uti(2): {"NtnlAmtFrstLeg":
                                                              "11000000000 KRW"}},
                         unreported=[uti(1)])
    sim.end_of_day()
    statuses = {s.uti: s for s in eod_reports(store)["reconciliation"].statuses}
    assert statuses[uti(1)].pairing == "unpaired"
    assert statuses[uti(2)].differences == (
        FieldDifference("NtnlAmtFrstLeg", "10000000000 KRW", "11000000000 KRW"),)


def test_the_other_sides_own_reports_can_be_loaded(sim, store):
    submit(sim, [two_sided(1)], "rf-1")
    theirs = event(uti(1), counterparty_1=Party(identifier=LEI_CP),
                   counterparty_2=Party(identifier=LEI_A, reporting_obligation=True),
                   submitting_entity=LEI_CP,
                   expiration_date=date(2032, 11, 24))
    answer = requests.post(f"{sim.admin_url}/admin/counterparty/reports?regime=emir",
                           data=report([theirs], "emir"), timeout=10)
    assert answer.json() == {"regime": "emir", "records": 1}
    sim.end_of_day()
    [status] = eod_reports(store)["reconciliation"].statuses
    assert status.pairing == "paired"
    assert status.differences == (FieldDifference("XprtnDt", "2031-11-24", "2032-11-24"),)


def test_a_trade_whose_other_side_does_not_report_is_not_reconciled(sim, store):
    submit(sim, [event(uti(1))], "rf-1")  # counterparty 2 has no reporting obligation
    sim.set_counterparty(mode="mirror")
    sim.end_of_day()
    [status] = eod_reports(store)["reconciliation"].statuses
    assert (status.pairing, status.flag) == ("not_applicable", "NORE")


def test_valuations_show_in_the_state_and_stale_ones_are_warned(s3_clean, store):
    moments = [NOW]
    with make_sim(s3_clean, clock=lambda: moments[0]) as sim:
        submit(sim, [two_sided(1), two_sided(2)], "rf-1")
        submit(sim, [two_sided(1, "VALU", valued=NOW - timedelta(hours=2))], "rf-2")
        sim.end_of_day()
        [valued, unvalued] = eod_reports(store)["trade_state"].trades
        assert (valued.last_action, valued.valuation_amount) == ("VALU", Decimal("-1250.5"))
        assert unvalued.valuation_amount is None
        moments[0] = NOW + timedelta(days=20)  # twenty simulated days later
        later = sim.end_of_day()
        assert later and all(f"/{(NOW + timedelta(days=20)).date()}/" in k for k in later)
        warnings = eod_reports(store, f"tr-reports/alpha-bank/emir/{later[0].split('/')[3]}")
        assert {(w.uti, w.kind) for w in warnings["warnings"].warnings} == {
            (uti(1), WarningKind.OUTDATED_VALUATION), (uti(2), WarningKind.NO_VALUATION)}


def test_once_per_simulated_day_unless_asked_again(sim, store):
    submit(sim, [two_sided(1)], "rf-1")
    assert len(sim.end_of_day()) == 3
    assert sim.end_of_day() == []
    assert len(sim.end_of_day(again=True)) == 3
    assert len(sim.end_of_day(date(2026, 11, 23))) == 3


def test_krx_trades_get_no_end_of_day_reports(sim, store):
    submit(sim, [event(uti(1))], "rf-1", regime="krx")
    assert sim.end_of_day() == []


def test_the_admin_api_and_the_cli_run_the_day_and_set_the_other_side(sim, store):
    submit(sim, [two_sided(1)], "rf-1")
    refused = requests.post(f"{sim.admin_url}/admin/counterparty",
                            json={"mode": "mirror", "differences": {"*": {"Notional": "1"}}},
                            timeout=10)
    assert refused.status_code == 400 and "unknown matching field(s) ['Notional']" in \
        refused.json()["error"]
    runner = CliRunner()
    switched = runner.invoke(cli, ["trsim", "counterparty", "--admin", sim.admin_url,
                                   "--differ", "XprtnDt=2033-01-01"])
    assert switched.exit_code == 0, switched.output
    assert sim.eod.counterparty.mode == "mirror"
    assert sim.eod.counterparty.differences == {"*": {"XprtnDt": "2033-01-01"}}
    ran = runner.invoke(cli, ["trsim", "eod", "--admin", sim.admin_url, "--date",
                              "2026-11-22"])
    printed = [line for line in ran.output.splitlines() if line.startswith("tr-reports/")]
    assert ran.exit_code == 0 and len(printed) == 3, ran.output
    [status] = eod_reports(store)["reconciliation"].statuses
    assert [d.field for d in status.differences] == ["XprtnDt"]
    bad = requests.post(f"{sim.admin_url}/admin/eod", json={"day": "x"}, timeout=10)
    assert bad.status_code == 400 and "unknown field(s) ['day']" in bad.json()["error"]


def test_what_the_tr_holds_survives_a_restart(s3_clean, store, tmp_path):
    state = tmp_path / "trsim.json"
    with make_sim(s3_clean, state_path=state) as sim:
        submit(sim, [two_sided(1)], "rf-1")
        sim.set_counterparty(mode="mirror")
    with make_sim(s3_clean, state_path=state) as again:
        again.end_of_day()
    [status] = eod_reports(store)["reconciliation"].statuses
    assert status.matching == "matched"


def test_a_quiet_period_schedule_writes_the_day_so_far_once_per_burst_of_files(sim, store):
    sim.schedule_end_of_day(0.5)
    submit(sim, [two_sided(1)], "rf-1")
    wait_for("the quiet-period reports", lambda: "reconciliation" in eod_reports(store), 10)
    assert [t.uti for t in eod_reports(store)["trade_state"].trades] == [uti(1)]
    # nothing new arrived: the reports are not written again (deleted, they stay gone)
    for summary in list(store.list(FEEDBACK, PREFIX)):
        store.delete(FEEDBACK, summary.key)
    import time

    time.sleep(1.5)
    assert eod_reports(store) == {}
    # a later file: the day's reports are written again and now hold both trades
    submit(sim, [two_sided(2)], "rf-2")
    def utis_held() -> list[str]:
        state = eod_reports(store).get("trade_state")
        return [t.uti for t in state.trades] if state else []

    wait_for("the reports again, with both trades", lambda: utis_held() == [uti(1), uti(2)], 10)


def test_a_day_end_schedule_writes_the_day_that_ended_not_today(s3_clean, store):
    moments = [NOW]
    with make_sim(s3_clean, clock=lambda: moments[0]) as sim:
        sim.schedule_end_of_day("day_end")
        submit(sim, [two_sided(1)], "rf-1")
        moments[0] = NOW + timedelta(days=1)  # the TR's day has ended
        wait_for("the ended day's reports", lambda: bool(eod_reports(store)), 10)
        assert eod_reports(store)["trade_state"].reference_date == TODAY


@pytest.mark.parametrize("bad", [0, -1, "hourly"])
def test_a_schedule_that_is_neither_day_end_nor_seconds_is_refused(sim, bad):
    with pytest.raises(ValueError, match="eod_schedule"):
        sim.schedule_end_of_day(bad)


def test_the_sdr_writes_one_open_swaps_report_of_the_swaps_it_holds_open(sim, store):
    """cftc-part45: an ACKed TERM takes the swap out, a VALU changes only its last action,
    and the report is JSON under the regime's own prefix."""
    submit(sim, [event(uti(1)), event(uti(2)), event(uti(3))], "rf-c1", regime="cftc-part45")
    submit(sim, [event(uti(2), "TERM", event_type="ETRM"), event(uti(3), "VALU")], "rf-c2",
           regime="cftc-part45")
    statuses = {(r["uti"], r["status"]) for r in sim.received_records()
                if r["report_file_id"] == "rf-c2"}
    assert statuses == {(uti(2), "ACK"), (uti(3), "ACK")}
    [key] = sim.end_of_day()
    assert key == f"tr-reports/alpha-bank/cftc-part45/{TODAY}/open_swaps-{LEI_A}.json"
    assert store.head(FEEDBACK, key).content_type == "application/json"
    held = read_open_swaps(store.get_bytes(FEEDBACK, key))
    assert [(t.uti, t.last_action) for t in held.trades] == [(uti(1), "NEWT"),
                                                             (uti(3), "VALU")]
    assert held.trades[1].values["NtnlAmtFrstLeg"] == "10000000000 KRW"
    with pytest.raises(ValueError, match="no reconciliation with the other side's reports"):
        sim.load_counterparty_reports("cftc-part45", b"{}")
