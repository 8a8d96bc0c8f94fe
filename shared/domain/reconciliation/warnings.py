"""The TR's valuation warnings (RTS 2022/1858 Art. 4(1)(e), auth.106 MssngValtn): open trades
never valued, and open trades whose latest valuation is older than 14 days on the report's
reference date (the same limit the TR applies to a valuation it receives, TR-VA-001)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from shared.domain.reconciliation.model import TrTrade, TrWarning, WarningKind

STALE_AFTER_DAYS = 14


def valuation_warnings(trades: Iterable[TrTrade], reference_date: date) -> list[TrWarning]:
    """One warning per open trade with no valuation or one older than 14 days, by UTI."""
    found = []
    for trade in trades:
        stamp = trade.valuation_timestamp
        if stamp is None:
            kind = WarningKind.NO_VALUATION
        elif (reference_date - stamp.date()).days > STALE_AFTER_DAYS:
            kind = WarningKind.OUTDATED_VALUATION
        else:
            continue
        found.append(TrWarning(trade.uti, kind, trade.other_counterparty, trade.valuation_amount,
                               trade.valuation_currency, stamp))
    return sorted(found, key=lambda w: w.uti)
