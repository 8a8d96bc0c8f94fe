"""Breaks: where the TR's view of a firm's trades under one regime differs from its books.

`breaks(ours, tr_open, statuses)` compares, per UTI:
- `ours`: every trade the firm sent to that regime's TR, open or not in its books;
- `tr_open`: the open trades of the TR's latest trade state report (None: no such report
  has arrived yet, so nothing can be said about presence);
- `statuses`: the TR's latest reconciliation status per UTI.

Kinds, one per UTI at most (the first that applies, in this order):
- AT_TR_ONLY: open at the TR, unknown to us (reported by someone in our name, or lost here);
- OPEN_AT_TR: terminated or cancelled here, still open at the TR (CFTC's 2022 advisory and
  ESMA's data-quality reports single these out: the TR overstates open positions);
- MISSING_AT_TR: open here, not open at the TR (never accepted, or ended there by mistake);
- FIELD_MISMATCH: paired with the other side's report, which differs in matching fields.
An unpaired trade is not a break by itself: the other side may not have reported yet; its
status is shown on the trade.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from shared.domain.reconciliation.model import FieldDifference, ReconStatus, TrTrade

# Our latest event ending a trade: after it, the trade is not open in our books.
ENDING_ACTIONS = frozenset({"TERM", "EROR", "PRTO"})


class BreakKind(StrEnum):
    AT_TR_ONLY = "at_tr_only"
    OPEN_AT_TR = "open_at_tr"
    MISSING_AT_TR = "missing_at_tr"
    FIELD_MISMATCH = "field_mismatch"


@dataclass(frozen=True)
class OurTrade:
    """A trade as our books have it, for one regime."""

    uti: str
    open: bool  # live in our books (not terminated, cancelled with EROR or ported)
    last_action: str | None = None  # our latest event's action type

    @classmethod
    def after(cls, uti: str, last_action: str | None) -> OurTrade:
        """The trade as our latest event left it (a REVI after a TERM reopens it)."""
        return cls(uti, last_action not in ENDING_ACTIONS, last_action)


@dataclass(frozen=True)
class Break:
    uti: str
    kind: BreakKind
    our_action: str | None = None
    tr_action: str | None = None
    differences: tuple[FieldDifference, ...] = ()

    @property
    def signature(self) -> str:
        """Identifies what is wrong, not when it was seen: the same break found again on a
        later day has the same signature (an operator's resolution of it stands), a
        different one (other fields or values) does not."""
        text = "|".join([self.kind.value, self.uti] + [
            f"{d.field}={d.ours!r}/{d.theirs!r}" for d in self.differences])
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def breaks(ours: Iterable[OurTrade], tr_open: Mapping[str, TrTrade] | None,
           statuses: Mapping[str, ReconStatus]) -> list[Break]:
    """Every break, by kind (in `BreakKind` order) then UTI."""
    books = {t.uti: t for t in ours}
    found = []
    if tr_open is not None:
        found += [Break(uti, BreakKind.AT_TR_ONLY, tr_action=held.last_action)
                  for uti, held in tr_open.items() if uti not in books]
    for uti, mine in books.items():
        theirs = tr_open.get(uti) if tr_open is not None else None
        if theirs is not None and not mine.open:
            found.append(Break(uti, BreakKind.OPEN_AT_TR, mine.last_action, theirs.last_action))
        elif tr_open is not None and theirs is None and mine.open:
            found.append(Break(uti, BreakKind.MISSING_AT_TR, mine.last_action))
        elif mine.open:
            status = statuses.get(uti)
            if status is not None and status.paired and not status.matched:
                found.append(Break(uti, BreakKind.FIELD_MISMATCH, mine.last_action,
                                   theirs.last_action if theirs else None, status.differences))
    order = list(BreakKind)
    return sorted(found, key=lambda b: (order.index(b.kind), b.uti))
