"""Which reports one FpML message asks for, and as what lifecycle event.

An FpML 5.10 reporting or record-keeping message carries either a trade (`trade`) or a business
event on a trade (`amendment`, `increase`, `termination`, `novation`, `optionExercise`,
`change`, `withdrawal`, or a clearing confirmation's `clearing`), flagged `isCorrection` when it
corrects an earlier message of the same conversation (`correlationId`, `sequenceNumber`).
`occurrences` reads that shape, never a file or trade name, into one `Occurrence` per report:
the trade whose state is reported, the action type and event type (ISO 20022 / CPMI-IOSCO CDE
codes), the trades it replaces (their UTIs become the prior UTI) and what the event changes
(outstanding notional, fees, dates).

How DRR (CDM's `FpML_5_10_Processes` synonyms) reads these messages, and so how this does:
- `isCorrection` true -> CORR, whatever the content; CORR carries no event type.
- `withdrawal`, or a `...Retracted` message -> EROR (the report should not have been made),
  identified by its trade identifiers alone.
- `trade` -> NEWT / TRAD (contract formation). `originatingEvent` is kept but does not change the
  event type: DRR reports `NovationTrade`, `ClearingDefaultTrade` or `Exit` trades as TRAD.
  A post-allocation trade (`allocationStatus`) naming its block (`blockTradeId`) -> NEWT /
  ALOC with the block's UTI as prior UTI (a `blockTradeId` alone stays TRAD, as in DRR); a
  trade stemming from a compression (`compressionActivity`) -> NEWT / COMP.
- `termination` -> the trade before the event (`originalTrade`, else `trade`) with its quantity
  replaced by `outstandingNotionalAmount` (a CDM quantity change); MODI when something remains
  (partial termination), TERM when nothing does; event type ETRM, the termination fee an unwind
  payment (UWIN). Event date: `agreementDate`.
- `amendment`, `increase` -> MODI / TRAD, a newly agreed term (CFTC amendment indicator).
- `change` (FpML ChangeEvent: non-negotiated) -> MODI, CORP for a corporate action, CREV for an
  index factor change (a credit event on a constituent), else TRAD.
- `novation` (CDM split) -> the new trade NEWT / NOVA with the old trade's UTI as prior UTI,
  and the old trade TERM / NOVA (MODI / NOVA when a `remainingAmount` stays with it).
- `optionExercise` -> EXER: TERM when fully exercised, MODI when an amount stays outstanding.
- `clearing` (clearingConfirmed) -> each cleared trade NEWT / CLRG with the submitted (alpha)
  trade's UTI as prior UTI, and the alpha TERM / CLRG.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from shared.domain.model import ActionType, EventType, Money
from shared.formats.fpml.xml import (
    Element,
    MappingError,
    boolean,
    children,
    decimal,
    find,
    findall,
    local,
    text,
    timestamp,
    to_date,
)

A, E = ActionType, EventType

# FpML allocation-reporting-status values -> CDE allocation indicator (CFTC Part 45 / EMIR 2.9)
_ALLOCATION_STATUS = {"preallocation": "PREA", "postallocation": "POST", "unallocated": "UNAL"}


@dataclass(frozen=True)
class Occurrence:
    """One report a message asks for."""

    action: ActionType
    event_type: EventType | None
    content: Element  # the message part the event comes from (trade, termination, ...)
    path: str  # where the reported trade sits, relative to the message (for record errors)
    trade: Element | None = None  # the trade whose state is reported
    identifiers: Element | None = None  # when no trade is given: what identifies it
    prior_utis: tuple[str, ...] = ()  # UTIs of the trades this one replaces
    event_date: date | None = None
    event_time: datetime | None = None
    early_termination_date: date | None = None
    outstanding: tuple[Money, ...] = ()  # the notional left after the event (replaces the trade's)
    payments: tuple[Element, ...] = ()  # fees the event pays (e.g. a termination fee)
    payment_type: str | None = None  # their ISO 20022 other-payment type
    amendment: bool | None = None  # CFTC amendment indicator (newly agreed terms)
    allocation: str | None = None  # PREA, POST, UNAL
    originating_event: str | None = None
    extras: dict[str, str] = field(default_factory=dict)


def occurrences(message: Element) -> list[Occurrence]:
    """The reports `message` asks for, in document order; empty when it asks for none."""
    found: list[Occurrence] = []
    for part in children(message):
        reader = _CONTENT.get(local(part))
        if reader is not None:
            found.extend(reader(part, message))
    if local(message).endswith("Retracted"):
        # FpML reporting: the earlier report is retracted, i.e. it should not have been made
        found = [replace(o, action=A.EROR, event_type=None) for o in found]
    elif boolean(message, "isCorrection") and found:
        found = [o if o.action is A.EROR else replace(o, action=A.CORR, event_type=None)
                 for o in found]
    stated = {"correlation_id": text(message, "correlationId"),
              "sequence_number": text(message, "sequenceNumber"),
              "parent_correlation_id": text(message, "parentCorrelationId")}
    lineage = {k: v for k, v in stated.items() if v}
    return [replace(o, extras={**lineage, **o.extras}) for o in found]


# --- identifiers ------------------------------------------------------------------------------

def _is_uti_scheme(scheme: str | None) -> bool:
    tail = (scheme or "").lower().rstrip("/").rsplit("/", 1)[-1]
    return "unique-transaction-identifier" in tail or "uti" in re.split(r"[^a-z]+", tail)


def utis_of(el: Element | None) -> list[str]:
    """The UTIs (tradeId in a UTI scheme) identifying a trade, a trade identifier or an event
    element holding `partyTradeIdentifier`s; the trade's own ids only, not the ids it links."""
    if el is None:
        return []
    holders = [el, *findall(el, "partyTradeIdentifier"),
               *findall(el, "tradeHeader/partyTradeIdentifier")]
    values: list[str] = []
    for holder in holders:
        for tid in findall(holder, "tradeId"):
            value = text(tid)
            if value and _is_uti_scheme(tid.get("tradeIdScheme")) and value not in values:
                values.append(value)
    return values


def _linked_utis(trade: Element, name: str) -> list[str]:
    """UTIs of the trades a trade links to through `name` (blockTradeId, originatingTradeId)."""
    values: list[str] = []
    for ident in findall(trade, "tradeHeader/partyTradeIdentifier"):
        for link in findall(ident, name):
            for value in utis_of(link) or [v for v in [text(link, "tradeId")] if v]:
                if value not in values:
                    values.append(value)
    return values


def _amounts(el: Element, name: str) -> tuple[Money, ...]:
    out = []
    for node in findall(el, name):
        amount, currency = decimal(node, "amount"), text(node, "currency")
        if amount is not None and currency:
            out.append(Money(amount=amount, currency=currency))
    return tuple(out)


def _first(el: Element, *names: str) -> tuple[Element | None, str]:
    for name in names:
        node = find(el, name)
        if node is not None:
            return node, name
    return None, ""


# --- content readers --------------------------------------------------------------------------

def _trade(part: Element, message: Element) -> list[Occurrence]:
    event_type, prior = E.TRAD, tuple[str, ...]()
    allocation = _allocation(part)
    blocks = _linked_utis(part, "blockTradeId")
    compression = next(iter(part.iterfind(".//{*}compressionActivity")), None)
    if blocks and allocation == "POST":
        # an allocation of the block it names (CFTC Tech. Spec. Example 5: NEWT-ALOC, prior
        # UTI the block's). A blockTradeId alone is only a reference: DRR reports TRAD.
        event_type, prior = E.ALOC, tuple(blocks)
    elif compression is not None:
        event_type = E.COMP
        prior = tuple(utis_of(find(compression, "originatingTradeIdentifier"))
                      or [v for v in (text(n) for n in findall(compression,
                                                               "originatingTradeId/tradeId"))
                          if v])
    return [Occurrence(A.NEWT, event_type, part, "trade", trade=part, prior_utis=prior,
                       allocation=allocation,
                       originating_event=text(message, "originatingEvent"))]


def _allocation(trade: Element) -> str | None:
    """CDE allocation indicator from FpML `allocationStatus` (allocation-reporting-status) or
    `intentToAllocate`."""
    for info in findall(trade, "tradeHeader/partyTradeInformation"):
        status = re.sub(r"[^a-z]", "", (text(info, "allocationStatus") or "").lower())
        if status in _ALLOCATION_STATUS:
            return _ALLOCATION_STATUS[status]
        if boolean(info, "intentToAllocate"):
            return "PREA"  # to be allocated after execution
    return None


def _amendment(part: Element, message: Element) -> list[Occurrence]:
    trade, name = _first(part, "trade", "newTrade", "resultingTrade", "originalTrade",
                         "tradeIdentifier", "originalTradeIdentifier")
    return [_event_on(part, trade, name, A.MODI, E.TRAD, amendment=True)]


def _increase(part: Element, message: Element) -> list[Occurrence]:
    trade, name = _first(part, "originalTrade", "trade", "resultingTrade",
                         "originalTradeIdentifier", "tradeIdentifier")
    return [_event_on(part, trade, name, A.MODI, E.TRAD, amendment=True,
                      outstanding=_amounts(part, "outstandingNotionalAmount"))]


def _termination(part: Element, message: Element) -> list[Occurrence]:
    # CDM: the instruction's `before` is the original trade, changed by a quantity change
    # (Replace with outstandingNotionalAmount) and a transfer of the termination fee.
    trade, name = _first(part, "originalTrade", "trade", "resultingTrade",
                         "originalTradeIdentifier", "tradeIdentifier")
    outstanding = _amounts(part, "outstandingNotionalAmount")
    remaining = [n for n in ("outstandingNumberOfOptions", "outstandingNumberOfUnits",
                             "outstandingQuantity") if (decimal(part, n) or Decimal(0)) > 0]
    partial = any(m.amount > 0 for m in outstanding) or bool(remaining)
    occurrence = _event_on(part, trade, name, A.MODI if partial else A.TERM, E.ETRM,
                           amendment=True if partial else None, outstanding=outstanding,
                           payments=tuple(findall(part, "payment")), payment_type="UWIN")
    if not partial:
        # EMIR 2.47: the date the early termination takes effect
        occurrence = replace(occurrence, early_termination_date=to_date(part, "effectiveDate"))
    return [occurrence]


def _change(part: Element, message: Element) -> list[Occurrence]:
    trade, name = _first(part, "trade", "newTrade", "originalTrade", "oldTrade",
                         "tradeIdentifier")
    kinds = {local(c) for c in children(part)}
    if any("corporateaction" in k.lower() for k in kinds):
        event_type = E.CORP
    elif "indexChange" in kinds:
        event_type = E.CREV
    else:
        event_type = E.TRAD
    # FpML ChangeEvent: "non-negotiated trade change" -> not newly agreed terms
    return [_event_on(part, trade, name, A.MODI, event_type, amendment=False)]


def _novation(part: Element, message: Element) -> list[Occurrence]:
    new, new_name = _first(part, "newTrade", "newTradeIdentifier")
    old, old_name = _first(part, "oldTrade", "oldTradeIdentifier")
    old_utis = tuple(utis_of(old))
    executed = timestamp(part, "executionDateTime")
    when = to_date(part, "novationTradeDate") or (executed.date() if executed else None)
    found: list[Occurrence] = []
    if new is not None:
        found.append(replace(_event_on(part, new, new_name, A.NEWT, E.NOVA),
                             prior_utis=old_utis, event_date=when))
    if old is not None:
        remaining = _amounts(part, "remainingAmount")
        partial = any(m.amount > 0 for m in remaining) or any(
            (decimal(part, n) or Decimal(0)) > 0
            for n in ("remainingNumberOfOptions", "remainingNumberOfUnits"))
        found.append(replace(_event_on(part, old, old_name, A.MODI if partial else A.TERM,
                                       E.NOVA, outstanding=remaining), event_date=when))
    return found


def _exercise(part: Element, message: Element) -> list[Occurrence]:
    trade, name = _first(part, "trade", "originalTrade", "tradeIdentifier")
    outstanding = _amounts(part, "outstandingNotionalAmount")
    remaining = (decimal(part, "outstandingNumberOfOptions") or Decimal(0)) > 0
    partial = any(m.amount > 0 for m in outstanding) or remaining
    occurrence = _event_on(part, trade, name, A.MODI if partial else A.TERM, E.EXER,
                           outstanding=outstanding)
    return [replace(occurrence, event_date=to_date(part, "exerciseDate")
                    or occurrence.event_date)]


def _withdrawal(part: Element, message: Element) -> list[Occurrence]:
    trade = find(part, "trade")
    return [Occurrence(A.EROR, None, part, "withdrawal", trade=trade,
                       identifiers=None if trade is not None else part,
                       event_date=to_date(part, "effectiveDate"))]


def _clearing(part: Element, message: Element) -> list[Occurrence]:
    alpha, alpha_name = _first(part, "submitted/trade", "submitted/tradeIdentifier",
                               "submitted")
    alpha_utis = tuple(utis_of(alpha))
    found = [Occurrence(A.NEWT, E.CLRG, part, f"clearing/cleared/trade[{i}]", trade=t,
                        prior_utis=alpha_utis)
             for i, t in enumerate(findall(part, "cleared/trade"), start=1)]
    if alpha is not None and local(alpha) == "trade":
        found.append(Occurrence(A.TERM, E.CLRG, part, f"clearing/{alpha_name}", trade=alpha))
    return found


def _event_on(part: Element, trade: Element | None, name: str, action: ActionType,
              event_type: EventType, *, amendment: bool | None = None,
              outstanding: tuple[Money, ...] = (), payments: tuple[Element, ...] = (),
              payment_type: str | None = None) -> Occurrence:
    """An event on an existing trade, given whole (`trade`) or by its identifier."""
    whole = trade is not None and find(trade, "tradeHeader") is not None
    identifiers = None if whole else (trade if trade is not None else part)
    if identifiers is not None and not utis_of(identifiers) and not text(identifiers,
                                                                          "tradeId"):
        raise MappingError(f"<{local(part)}> names no trade (neither the trade nor its "
                           "identifier)", local(part))
    agreed = to_date(part, "agreementDate")
    executed = timestamp(part, "executionDateTime")
    return Occurrence(action, event_type, part, f"{local(part)}/{name}" if name else local(part),
                      trade=trade if whole else None, identifiers=identifiers,
                      event_date=agreed or (executed.date() if executed else None),
                      event_time=executed, outstanding=outstanding, payments=payments,
                      payment_type=payment_type, amendment=amendment)


_CONTENT = {
    "trade": _trade,
    "amendment": _amendment,
    "increase": _increase,
    "termination": _termination,
    "change": _change,
    "novation": _novation,
    "optionExercise": _exercise,
    "withdrawal": _withdrawal,
    "clearing": _clearing,
}
