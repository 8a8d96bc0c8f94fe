"""Verification: the open trades a TR holds for a firm against the firm's books (issue 17).

CFTC 17 CFR 45.14(a)(3) asks a reporting counterparty to verify, on a schedule
(`shared.domain.corrections.verification_due`), that the swap data the SDR holds for its open
swaps is complete and accurate, and to keep a log of each verification. EMIR asks the same
in substance (data quality, ESMA's Guidelines on reporting). The TR's view is its trade
state report (EMIR's auth.107; for CFTC the SDR's open swaps report, 17 CFR 49.11, in the
same `TrTrade` form). `verify` compares:

- presence, through `shared.domain.reconciliation.breaks` (the one comparer of what is open
  where): open here, not at the TR (MISSING_AT_TR); ended here, open at the TR
  (OPEN_AT_TR); open at the TR, unknown here (AT_TR_ONLY);
- content: for a trade open on both sides, the matching fields we last reported against the
  values the TR holds from us, with the reconciliation's rules (`matching.compare`; the TR's
  values are mirrored with `other_side` so the direction rule, written for the other side's
  report, reads "the same as ours"). Only the fields our books give a value for are compared:
  a field the TR lacks that we reported is a finding, one we never derive is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from shared.domain.reconciliation.breaks import BreakKind, OurTrade, breaks
from shared.domain.reconciliation.matching import compare, other_side
from shared.domain.reconciliation.model import FieldDifference, TrTrade

FIELD_DIFFERS = "field_differs"
KINDS = (BreakKind.AT_TR_ONLY.value, BreakKind.OPEN_AT_TR.value, BreakKind.MISSING_AT_TR.value,
         FIELD_DIFFERS)


@dataclass(frozen=True)
class BookTrade:
    """A trade as we last reported it to one regime's TR."""

    uti: str
    last_action: str | None
    values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def open(self) -> bool:
        return OurTrade.after(self.uti, self.last_action).open


@dataclass(frozen=True)
class Finding:
    uti: str
    kind: str  # one of KINDS
    our_action: str | None = None
    tr_action: str | None = None
    differences: tuple[FieldDifference, ...] = ()

    def summary(self) -> str:
        if self.kind == FIELD_DIFFERS:
            fields = ", ".join(f"{d.field} ours {d.ours!r}, TR {d.theirs!r}"
                               for d in self.differences)
            return f"{self.uti}: the TR holds other values ({fields})"
        return {
            BreakKind.AT_TR_ONLY.value: f"{self.uti}: open at the TR, not in our books",
            BreakKind.OPEN_AT_TR.value: f"{self.uti}: ended here ({self.our_action}), still "
                                        "open at the TR",
            BreakKind.MISSING_AT_TR.value: f"{self.uti}: open here, not open at the TR",
        }[self.kind]

    def as_dict(self) -> dict[str, Any]:
        return {"uti": self.uti, "kind": self.kind, "our_action": self.our_action,
                "tr_action": self.tr_action, "summary": self.summary(),
                "differences": [d.as_dict() for d in self.differences]}


@dataclass(frozen=True)
class Verification:
    open_at_tr: int
    open_here: int
    findings: tuple[Finding, ...]


def verify(ours: Iterable[BookTrade], tr_open: Mapping[str, TrTrade]) -> Verification:
    """Every finding, presence first (in `breaks`' order), then field differences by UTI."""
    books = {t.uti: t for t in ours}
    presence = breaks([OurTrade.after(t.uti, t.last_action) for t in books.values()],
                      tr_open, {})
    found = [Finding(b.uti, b.kind.value, b.our_action, b.tr_action) for b in presence]
    for uti in sorted(books):
        mine, theirs = books[uti], tr_open.get(uti)
        if theirs is None or not mine.open or not mine.values:
            continue
        held = {k: v for k, v in other_side(theirs.values).items() if k in mine.values}
        differences = compare(mine.values, held)
        if differences:
            found.append(Finding(uti, FIELD_DIFFERS, mine.last_action, theirs.last_action,
                                 differences))
    return Verification(len(tr_open), sum(1 for t in books.values() if t.open), tuple(found))


def _amount(money: Any) -> str | None:
    if not isinstance(money, Mapping) or money.get("amount") in (None, ""):
        return None
    return f"{Decimal(str(money['amount']))} {money.get('currency') or ''}".strip()


def _day(value: Any) -> str | None:
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)[:10] if value else None


def book_values(payload: Mapping[str, Any]) -> dict[str, str]:
    """The matching fields (`matching.FIELDS` keys, in the TR's text forms: dates ISO,
    amounts "<amount> <currency>", rates in percent) our event's payload (a TradeEvent as
    stored) gives a value for."""
    values: dict[str, str] = {}
    for key, name in (("FctvDt", "effective_date"), ("XprtnDt", "expiration_date"),
                      ("EarlyTermntnDt", "early_termination_date")):
        day = _day(payload.get(name))
        if day:
            values[key] = day
    legs = payload.get("legs") or []
    for index, (notional, rate) in enumerate((("NtnlAmtFrstLeg", "IntrstFxdRateFrstLeg"),
                                              ("NtnlAmtScndLeg", "IntrstRateFxdScndLeg"))):
        if index < len(legs) and isinstance(legs[index], Mapping):
            amount = _amount(legs[index].get("notional"))
            if amount:
                values[notional] = amount
            if legs[index].get("fixed_rate") not in (None, ""):
                # ISO 20022 PercentageRate: 3.25 is 3.25 %; our books keep 0.0325
                percent = Decimal(str(legs[index]["fixed_rate"])) * 100
                values[rate] = str(percent.normalize()) if percent else "0"
    if payload.get("level"):
        values["Lvl"] = str(payload["level"])
    return values
