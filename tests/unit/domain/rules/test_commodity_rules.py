"""Commodity rules: a valid commodity trade passes; a wrong classification or quantity does not."""

from __future__ import annotations

from decimal import Decimal

from shared.domain.issues import Severity
from shared.domain.model import CommodityClassification, Leg, Money, Product
from shared.domain.rules import validate
from tests.unit.domain.rules import factory as f


def _issues(event, rule_id):
    return [i for i in validate(event, f.context()) if i.rule_id == rule_id]


def test_a_valid_commodity_swap_is_accepted():
    assert validate(f.commodity_swap(), f.context()) == []


def test_a_classification_outside_the_code_list_is_rejected():
    product = f.commodity_swap().product.model_copy(update={
        "commodity": CommodityClassification(base_product="NRGY", sub_product="GROS")})
    [issue] = _issues(f.commodity_swap(product=product), "SR-EC-050")
    assert issue.severity is Severity.REJECT and issue.value == "NRGY/GROS"


def test_every_level_of_the_code_list_is_accepted():
    for key in (("AGRI", "GROS", "SOYB"), ("METL", "PRME", "PLDM"), ("INFL", None, None),
                ("NRGY", "ELEC", "PKLD"), ("ENVR", "EMIS", "EUAE")):
        product = Product(asset_class="COMM", contract_type="SWAP", commodity=dict(zip(
            ("base_product", "sub_product", "further_sub_product"), key, strict=True)))
        assert _issues(f.commodity_swap(product=product), "SR-EC-050") == [], key


def test_a_commodity_trade_without_classification_is_a_warning():
    product = Product(asset_class="COMM", contract_type="SWAP", upi=f.UPI)
    [issue] = _issues(f.commodity_swap(product=product), "SR-EC-050")
    assert issue.severity is Severity.WARN


def test_a_quantity_without_unit_is_rejected_and_an_unknown_unit_warned():
    legs = [Leg(notional=Money(amount=Decimal("1"), currency="USD"),
                total_quantity=Decimal("10"), quantity_unit="KL"),
            Leg(notional=Money(amount=Decimal("1"), currency="USD"),
                total_quantity=Decimal("10"))]
    first, second = _issues(f.commodity_swap(legs=legs), "SR-EC-051")
    assert first.severity is Severity.WARN and first.field == "legs[0].quantity_unit"
    assert second.severity is Severity.REJECT and second.field == "legs[1].quantity_unit"


def test_a_negative_quantity_is_rejected():
    legs = [Leg(notional=Money(amount=Decimal("1"), currency="USD"),
                total_quantity=Decimal("-10"), quantity_unit="BARL")]
    [issue] = _issues(f.commodity_swap(legs=legs), "SR-EC-051")
    assert issue.field == "legs[0].total_quantity" and issue.severity is Severity.REJECT


def test_other_asset_classes_are_not_judged():
    legs = [Leg(notional=Money(amount=Decimal("1"), currency="KRW"), fixed_rate=Decimal("0.01"),
                total_quantity=Decimal("10"))]
    assert _issues(f.newt(legs=legs), "SR-EC-051") == []
    assert _issues(f.newt(), "SR-EC-050") == []
