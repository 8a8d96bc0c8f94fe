"""The TR's valuation warnings: open trades never valued or valued over 14 days ago."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from shared.domain.reconciliation import TrTrade, WarningKind, valuation_warnings

REFERENCE = date(2026, 11, 23)


def trade(uti: str, valued: datetime | None) -> TrTrade:
    return TrTrade(uti, "NEWT", valuation_timestamp=valued,
                   valuation_amount=None if valued is None else Decimal("-1250.5"),
                   valuation_currency=None if valued is None else "EUR")


def test_a_trade_never_valued_is_warned_as_such():
    [warning] = valuation_warnings([trade("A", None)], REFERENCE)
    assert (warning.uti, warning.kind) == ("A", WarningKind.NO_VALUATION)


def test_fourteen_days_is_still_fresh_and_fifteen_is_outdated():
    fresh = trade("FRESH", datetime(2026, 11, 9, 23, 0, tzinfo=UTC))  # 14 days before
    stale = trade("STALE", datetime(2026, 11, 8, 1, 0, tzinfo=UTC))  # 15 days before
    [warning] = valuation_warnings([fresh, stale], REFERENCE)
    assert (warning.uti, warning.kind) == ("STALE", WarningKind.OUTDATED_VALUATION)
    assert warning.valuation_amount == Decimal("-1250.5") and warning.valuation_currency == "EUR"


def test_a_valuation_of_the_reference_day_raises_nothing():
    assert valuation_warnings([trade("A", datetime(2026, 11, 23, 18, tzinfo=UTC))],
                              REFERENCE) == []


def test_warnings_come_by_uti():
    found = valuation_warnings([trade("C", None), trade("A", None), trade("B", None)], REFERENCE)
    assert [w.uti for w in found] == ["A", "B", "C"]
