"""Verification: the TR's open trades against our books, and the clock a finding starts."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.domain.corrections import correction_clock
from shared.domain.reconciliation import TrTrade
from shared.domain.verification import BookTrade, book_values, verify

NOTIONAL = "NtnlAmtFrstLeg"


def held(uti: str, action: str = "NEWT", **values: str) -> TrTrade:
    return TrTrade(uti, action, values=values)


def test_each_kind_of_difference_with_what_the_tr_holds_is_a_finding():
    ours = [
        BookTrade("UTI-OK", "NEWT", {NOTIONAL: "1000000 EUR"}),
        BookTrade("UTI-MISSING", "NEWT"),  # open here, the TR does not show it open
        BookTrade("UTI-ENDED", "TERM"),  # ended here, open at the TR
        BookTrade("UTI-AMOUNT", "MODI", {NOTIONAL: "2000000 EUR", "XprtnDt": "2031-06-30"}),
    ]
    tr_open = {
        "UTI-OK": held("UTI-OK", **{NOTIONAL: "1000000.00 EUR", "CtrctTp": "SWAP"}),
        "UTI-ENDED": held("UTI-ENDED"),
        "UTI-AMOUNT": held("UTI-AMOUNT", **{NOTIONAL: "2500000 EUR",
                                            "XprtnDt": "2031-06-30"}),
        "UTI-STRANGER": held("UTI-STRANGER"),
    }
    result = verify(ours, tr_open)
    assert [(f.uti, f.kind) for f in result.findings] == [
        ("UTI-STRANGER", "at_tr_only"), ("UTI-ENDED", "open_at_tr"),
        ("UTI-MISSING", "missing_at_tr"), ("UTI-AMOUNT", "field_differs")]
    amount = result.findings[-1]
    assert [(d.field, d.ours, d.theirs) for d in amount.differences] == [
        (NOTIONAL, "2000000 EUR", "2500000 EUR")]
    assert "2500000 EUR" in amount.summary()
    assert (result.open_at_tr, result.open_here) == (4, 3)


def test_the_direction_the_tr_holds_from_us_agrees_when_it_is_ours():
    ours = [BookTrade("U1", "NEWT", {"DrctnOrSd": "BYER"}),
            BookTrade("U2", "NEWT", {"DrctnOrSd": "BYER"})]
    result = verify(ours, {"U1": held("U1", DrctnOrSd="BYER"),
                           "U2": held("U2", DrctnOrSd="SLLR")})
    assert [(f.uti, f.kind) for f in result.findings] == [("U2", "field_differs")]


def test_a_field_we_reported_that_the_tr_lacks_is_a_finding():
    result = verify([BookTrade("U1", "NEWT", {"FctvDt": "2026-01-05"})], {"U1": held("U1")})
    assert [(d.field, d.ours, d.theirs) for d in result.findings[0].differences] == [
        ("FctvDt", "2026-01-05", None)]


def test_our_values_come_from_the_event_as_stored():
    payload = {"effective_date": "2026-01-05", "expiration_date": "2031-01-05",
               "level": "TCTN", "legs": [
                   {"notional": {"amount": "1000000", "currency": "USD"},
                    "fixed_rate": "0.0253"},
                   {"notional": {"amount": 1000000, "currency": "USD"}}]}
    assert book_values(payload) == {
        "FctvDt": "2026-01-05", "XprtnDt": "2031-01-05", "Lvl": "TCTN",
        "NtnlAmtFrstLeg": "1000000 USD", "IntrstFxdRateFrstLeg": "2.53",
        "NtnlAmtScndLeg": "1000000 USD"}


def test_a_finding_goes_at_risk_on_the_right_business_day_across_thanksgiving():
    found = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # Friday 20 Nov, 10:00 New York
    # seven business days, Thanksgiving (Thu 26 Nov) not counted: due end of Wed 2 Dec
    friday = correction_clock("cftc-part45", found, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    assert friday.due == datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
    assert (friday.state, friday.business_days_left) == ("on_track", 3)
    monday = correction_clock("cftc-part45", found, datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    assert (monday.state, monday.business_days_left) == ("at_risk", 2)
    after = correction_clock("cftc-part45", found, datetime(2026, 12, 3, 5, 0, tzinfo=UTC))
    assert after.state == "late"
