"""An event as one of its counterparties reports it.

A record states the trade from one side (counterparty 1). The other side's report of the same
trade (both sides report under EMIR; a delegate reports a client's side) names that side as
counterparty 1, so everything stated from counterparty 1's point of view turns round with it:
the two parties, each leg's direction (MAKE/TAKE), the valuation's sign and the margin posted
and collected. What names a party by its identifier (buyer, seller, payers, receivers) already
holds for either side.
"""

from __future__ import annotations

from shared.domain.model import Collateral, TradeEvent

_OPPOSITE = {"MAKE": "TAKE", "TAKE": "MAKE", "BYER": "SLLR", "SLLR": "BYER"}


class NotACounterparty(ValueError):
    """The LEI asked for is neither counterparty of the event."""


def as_reported_by(event: TradeEvent, reporting_lei: str, *, submitting_entity: str | None = None,
                   entity_responsible: str | None = None) -> TradeEvent:
    """A copy of `event` with `reporting_lei` as counterparty 1, and the submitting entity and
    entity responsible given (each defaults to the reporting counterparty itself)."""
    lei = reporting_lei.strip().upper()
    one, two = event.counterparty_1, event.counterparty_2
    out = event.model_copy(deep=True)
    if one is not None and one.identifier.upper() == lei:
        pass
    elif two is not None and two.identifier.upper() == lei:
        out.counterparty_1, out.counterparty_2 = out.counterparty_2, out.counterparty_1
        for leg in out.legs:
            if leg.direction:
                leg.direction = _OPPOSITE.get(leg.direction, leg.direction)
        if out.valuation is not None:
            out.valuation.amount.amount = -out.valuation.amount.amount
        if out.collateral is not None:
            out.collateral = _turned(out.collateral)
    else:
        named = ", ".join(p.identifier for p in (one, two) if p is not None) or "none"
        raise NotACounterparty(f"{reporting_lei} is neither counterparty of the event "
                               f"(counterparties: {named})")
    out.submitting_entity = submitting_entity or lei
    out.entity_responsible = entity_responsible or lei
    return out


def _turned(collateral: Collateral) -> Collateral:
    return collateral.model_copy(update={
        "initial_margin_posted": collateral.initial_margin_collected,
        "initial_margin_collected": collateral.initial_margin_posted,
        "variation_margin_posted": collateral.variation_margin_collected,
        "variation_margin_collected": collateral.variation_margin_posted,
    })
