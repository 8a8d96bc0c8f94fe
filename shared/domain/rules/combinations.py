"""Which event types each action type may carry, per regime (data for SR-LC-020).

Sources, and how sure we are:

CFTC: Technical Specification v3.2 (Sep 2022), Appendix F, Table 7 "Valid Action type and
Event type combinations". The public text version loses the check marks, so the table below is
rebuilt from what survives: the per-row mark counts (NEWT 9, MODI 8, TERM 9), footnotes 105-108
(CORR, EROR, REVI, VALU and MARU carry no event type; NEWT-UPDT for upgrades; NEWT-PTNG to
transfer a trade back in) and Examples 1-15 (NEWT/MODI-TRAD, NEWT/TERM/MODI-NOVA, TERM-ETRM,
NEWT/TERM-CLRG, NEWT/TERM-COMP, NEWT/MODI/TERM-EXER, NEWT/TERM-ALOC, MODI-CREV, PRTO-PTNG).
Cells that no example shows (MODI-ALOC, MODI-CORP, MODI-UPDT, TERM-CLAL, TERM-CREV, TERM-CORP,
NEWT-CLAL) follow the row counts. Check against the PDF when it is at hand.

EMIR: ESMA Guidelines for reporting under EMIR (ESMA74-362-2281, 14 Dec 2022), section 3.6.2
"Action types and event types combinations". That table was not available in a citable form
while writing this, so the EMIR list is a deliberately *permissive* reconstruction (a wrong
reject stops a report; a wrong accept is caught by the TR's NACK): NEWT and POSC with the events
that create a derivative, MODI with the events that change one (UPDT: the Refit transition),
TERM with the events that end one, INCP (inclusion in a position) on NEWT, MODI and TERM;
CORR with no event type or any NEWT/MODI event type; EROR, REVI, VALU and MARU with none.
EMIR has no PRTO and no PTNG (TRs port data between themselves).

UK EMIR: the FCA and the Bank of England kept ESMA's action/event table for UK EMIR Refit
(UK EMIR validation rules and the joint guidance follow EMIR Refit's section 3.6.2 field for
field), so UK EMIR uses the EMIR table, PRTO excluded likewise.

CFTC Part 43: the same action and event types as Part 45 (Tech. Spec. v3.2 covers both), but
public dissemination carries no valuation (VALU) and no margin (MARU) reports.

JFSA, MAS, HKMA and ASIC took the CPMI-IOSCO CDE action and event types (ASIC 2024 Rules
S1.3.1; MAS SF(RDC)R Second Schedule; HKMA/SFC Supplementary Reporting Instructions; JFSA's
2024 data element list). Their own combination tables were not available in a citable form,
so, like KRX, they accept the union of CFTC's and EMIR's and a pair outside it only warns.

KRX: the TR's specification is not public. Until it is, KRX accepts the union of the two.
Regime unknown (None): the union as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from shared.domain.model import ActionType, EventType

__all__ = ["ALLOWED", "EVENT_REQUIRED", "SETTLED", "allowed_events"]

A, E = ActionType, EventType
NONE: frozenset[EventType | None] = frozenset({None})


def _events(*codes: EventType, blank: bool = False) -> frozenset[EventType | None]:
    return frozenset(codes) | (NONE if blank else frozenset())


_CFTC: dict[ActionType, frozenset[EventType | None]] = {
    A.NEWT: _events(E.TRAD, E.NOVA, E.COMP, E.CLRG, E.EXER, E.ALOC, E.CLAL, E.PTNG, E.UPDT),
    A.MODI: _events(E.TRAD, E.NOVA, E.COMP, E.EXER, E.ALOC, E.CREV, E.CORP, E.UPDT),
    A.TERM: _events(E.NOVA, E.COMP, E.ETRM, E.CLRG, E.EXER, E.ALOC, E.CLAL, E.CREV, E.CORP),
    A.PRTO: _events(E.PTNG),
    A.CORR: NONE, A.EROR: NONE, A.REVI: NONE, A.VALU: NONE, A.MARU: NONE,
    # no POSC in CFTC Part 45
}

_EMIR_NEW = (E.TRAD, E.NOVA, E.COMP, E.CLRG, E.EXER, E.ALOC, E.CLAL, E.CORP)
# ETRM with MODI: a partial termination (part of the notional terminated early) modifies the
# derivative (ESMA74-362-2281 3.6.2; DRR's EMIR report of an FpML partial termination: Mod, ETRM)
_EMIR_MODI = (E.TRAD, E.NOVA, E.COMP, E.ETRM, E.EXER, E.ALOC, E.CREV, E.CORP, E.INCP, E.UPDT)
_EMIR: dict[ActionType, frozenset[EventType | None]] = {
    A.NEWT: _events(*_EMIR_NEW, E.INCP),
    A.POSC: _events(*_EMIR_NEW),
    A.MODI: _events(*_EMIR_MODI),
    A.TERM: _events(E.NOVA, E.COMP, E.ETRM, E.CLRG, E.EXER, E.ALOC, E.CLAL, E.CREV, E.CORP,
                    E.INCP),
    A.CORR: _events(*_EMIR_NEW, E.INCP, *_EMIR_MODI, blank=True),
    A.EROR: NONE, A.REVI: NONE, A.VALU: NONE, A.MARU: NONE,
    # no PRTO in EMIR
}

_UNION: dict[ActionType, frozenset[EventType | None]] = {
    a: _CFTC.get(a, frozenset()) | _EMIR.get(a, frozenset()) for a in ActionType}
_CFTC_PUBLIC: dict[ActionType, frozenset[EventType | None]] = {
    a: events for a, events in _CFTC.items() if a not in (A.VALU, A.MARU)}

ALLOWED: Mapping[str | None, Mapping[ActionType, frozenset[EventType | None]]] = {
    "cftc-part45": MappingProxyType(_CFTC),
    "cftc-part43": MappingProxyType(_CFTC_PUBLIC),
    "emir": MappingProxyType(_EMIR),
    "uk-emir": MappingProxyType(_EMIR),
    **dict.fromkeys(("krx", "jfsa", "mas", "hkma", "asic", None), MappingProxyType(_UNION)),
}
# The regimes whose table is published and settled: a pair outside it is rejected. Elsewhere
# (the union stands in for a table we could not cite) it is flagged for review.
SETTLED = frozenset({"cftc-part45", "cftc-part43", "emir", "uk-emir"})

# Action types whose report must say which event caused it (all regimes).
EVENT_REQUIRED = frozenset({A.NEWT, A.MODI, A.TERM, A.POSC, A.PRTO})


def allowed_events(regime: str | None, action: ActionType) -> frozenset[EventType | None]:
    """Event types (None: no event type) `action` may carry under `regime`; empty: no such
    action type in the regime."""
    table = ALLOWED.get(regime.lower() if regime else None, ALLOWED[None])
    return table.get(action, frozenset())
