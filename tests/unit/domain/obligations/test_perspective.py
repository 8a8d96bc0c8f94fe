"""The other side's report of the same trade: what a counterparty or a delegate sends."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shared.domain.model import (
    ActionType,
    Collateral,
    Leg,
    Money,
    Party,
    TradeEvent,
    Valuation,
)
from shared.domain.obligations.perspective import NotACounterparty, as_reported_by

A, B, AGENT = "DUMMYLEI012345678903", "DUMMYLEI012345678904", "5493001KJTIIGC8Y1R12"
WHEN = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def event() -> TradeEvent:
    return TradeEvent(
        uti="UTI1", action_type=ActionType.VALU, buyer=A, seller=B,
        counterparty_1=Party(identifier=A, country="GB"),
        counterparty_2=Party(identifier=B, country="US", reporting_obligation=False),
        submitting_entity=A, entity_responsible=A,
        legs=[Leg(payer=A, receiver=B, direction="MAKE"),
              Leg(payer=B, receiver=A, direction="TAKE")],
        valuation=Valuation(amount=Money(amount=Decimal("-1250.5"), currency="USD"),
                            timestamp=WHEN),
        collateral=Collateral(initial_margin_posted=Money(amount=Decimal(10), currency="USD"),
                              variation_margin_collected=Money(amount=Decimal(3),
                                                               currency="EUR")))


def test_the_other_side_reports_the_trade_turned_round():
    turned = as_reported_by(event(), B)
    assert (turned.counterparty_1.identifier, turned.counterparty_2.identifier) == (B, A)
    assert turned.counterparty_1.reporting_obligation is False  # each party keeps its own
    assert [leg.direction for leg in turned.legs] == ["TAKE", "MAKE"]
    assert [(leg.payer, leg.receiver) for leg in turned.legs] == [(A, B), (B, A)]  # by id
    assert (turned.buyer, turned.seller) == (A, B)
    assert turned.valuation.amount.amount == Decimal("1250.5")  # B's gain is A's loss
    assert turned.collateral.initial_margin_collected.amount == Decimal(10)
    assert turned.collateral.variation_margin_posted.currency == "EUR"
    assert turned.collateral.initial_margin_posted is None
    assert (turned.submitting_entity, turned.entity_responsible) == (B, B)


def test_the_original_is_left_as_it_was():
    original = event()
    as_reported_by(original, B)
    assert original.counterparty_1.identifier == A
    assert original.valuation.amount.amount == Decimal("-1250.5")
    assert original.legs[0].direction == "MAKE"


def test_a_delegate_submits_and_may_be_responsible():
    mandatory = as_reported_by(event(), B.lower(), submitting_entity=A, entity_responsible=A)
    assert (mandatory.counterparty_1.identifier, mandatory.submitting_entity,
            mandatory.entity_responsible) == (B, A, A)
    voluntary = as_reported_by(event(), B, submitting_entity=AGENT)
    assert (voluntary.submitting_entity, voluntary.entity_responsible) == (AGENT, B)


def test_reporting_as_counterparty_1_changes_only_who_submits():
    same = as_reported_by(event(), A, submitting_entity=AGENT)
    assert same.counterparty_1.identifier == A and same.legs[0].direction == "MAKE"
    assert same.valuation.amount.amount == Decimal("-1250.5")
    assert (same.submitting_entity, same.entity_responsible) == (AGENT, A)


def test_a_party_that_is_not_on_the_trade_is_refused_by_name():
    with pytest.raises(NotACounterparty, match=f"{AGENT} is neither counterparty.*{A}, {B}"):
        as_reported_by(event(), AGENT)
