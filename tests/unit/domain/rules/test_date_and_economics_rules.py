from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from shared.domain.model import (
    ActionType,
    EventType,
    Leg,
    Money,
    NotionalStep,
    OptionTerms,
    Price,
)
from shared.domain.rules import validate
from tests.unit.domain.rules import factory as f

A, E = ActionType, EventType


def _ids(event, **ctx) -> dict[str, list]:
    found: dict[str, list] = {}
    for issue in validate(event, f.context(**ctx)):
        found.setdefault(issue.rule_id, []).append(issue)
    return found


def test_naive_timestamps_are_compared_as_utc() -> None:
    naive = f.EXECUTED.replace(tzinfo=None)
    event = f.newt(execution_timestamp=naive, event_timestamp=naive,
                   reporting_timestamp=f.REPORTED.replace(tzinfo=None))
    assert validate(event, f.context()) == []


def test_without_a_reporting_timestamp_now_is_the_reference() -> None:
    future = f.NOW + timedelta(hours=1)
    issues = _ids(f.newt(execution_timestamp=future, event_timestamp=future,
                         reporting_timestamp=None))["SR-DT-010"]
    assert "current time" in issues[0].message_en and "현재시각" in issues[0].message_ko


def test_event_after_expiration_is_refused_for_new_terms_but_not_for_valuations() -> None:
    late = datetime.combine(date(2032, 1, 5), f.EXECUTED.time(), f.EXECUTED.tzinfo)
    modi = f.lifecycle(A.MODI, E.TRAD, event_timestamp=late, reporting_timestamp=late)
    assert "after the expiration date 2031-11-24" in _ids(modi)["SR-DT-012"][0].message_en
    eror = f.lifecycle(A.EROR, event_timestamp=late, reporting_timestamp=late)
    assert "SR-DT-012" not in _ids(eror)


def test_zero_notional_is_fine_on_termination_and_compression() -> None:
    zero = [Leg(notional=Money(amount=Decimal(0), currency="KRW"), fixed_rate=Decimal("0.01"))]
    assert "SR-EC-022" not in _ids(f.lifecycle(A.TERM, E.ETRM, legs=zero))
    assert "SR-EC-022" not in _ids(f.newt(event_type=E.COMP, legs=zero))
    assert "SR-EC-022" in _ids(f.newt(legs=zero))


def test_negative_notional_schedule_step_is_named() -> None:
    leg = Leg(notional=Money(amount=Decimal(10), currency="KRW"), fixed_rate=Decimal("0.01"),
              notional_schedule=[NotionalStep(effective_date=date(2027, 1, 1),
                                              amount=Decimal(-5))])
    issue = _ids(f.newt(legs=[leg]))["SR-EC-022"][0]
    assert issue.field == "legs[0].notional_schedule[0].amount" and issue.value == "-5"


@pytest.mark.parametrize(("event_kwargs", "field"), [
    ({"price": Price(value=Decimal(1), currency="US$")}, "price.currency"),
    ({"option": OptionTerms(strike_currency="EUR/XYZ")}, "option.strike_currency"),
    ({"legs": [Leg(notional=Money(amount=Decimal(1), currency="KRW"), fixed_rate=1,
                   settlement_currency="XXX")]}, "legs[0].settlement_currency"),
])
def test_every_currency_field_is_checked(event_kwargs, field) -> None:
    assert [i.field for i in _ids(f.newt(**event_kwargs))["SR-EC-023"]] == [field]


def _set_path(model, path: str, value) -> None:
    """Set `legs[0].notional.currency`-style paths in place (the copy is the test's own)."""
    *parents, last = path.split(".")
    for part in parents:
        name, _, index = part.partition("[")
        model = getattr(model, name)
        if index:
            model = model[int(index.rstrip("]"))]
    setattr(model, last, value)


def test_an_unknown_code_in_any_currency_field_an_event_carries_is_refused() -> None:
    """SR-EC-023 looks at the common event's currencies before naming any path (a fast path);
    whatever `currency_fields` lists, an unknown code there must still be found. An event
    without option, collateral or other payments, where that fast path decides alone."""
    from shared.domain.model import Valuation, copy_model
    from shared.domain.rules.economics import currency_fields

    event = f.newt(
        legs=[Leg(notional=Money(amount=Decimal(1), currency="KRW"), fixed_rate=1,
                  settlement_currency="KRW", spread_currency="KRW"),
              Leg(notional=Money(amount=Decimal(1), currency="USD"), spread=Decimal("0.01"),
                  settlement_currency="USD", spread_currency="USD")],
        valuation=Valuation(amount=Money(amount=Decimal(5), currency="KRW"),
                            timestamp=f.EXECUTED, method="MTMA"),
        price=Price(value=Decimal(1), currency="KRW"))
    event.product.settlement_currency = "KRW"
    paths = [path for path, _ in currency_fields(event)]
    assert len(paths) == 9 and "SR-EC-023" not in _ids(event)
    for path in paths:
        wrong = copy_model(event)
        _set_path(wrong, path, "ZZZ")
        assert [i.field for i in _ids(wrong).get("SR-EC-023", [])] == [path], path


def test_offshore_renminbi_gets_a_hint() -> None:
    leg = Leg(notional=Money(amount=Decimal(1), currency="CNH"), fixed_rate=Decimal("0.02"))
    issue = _ids(f.newt(legs=[leg]))["SR-EC-023"][0]
    assert "report CNY with the settlement location" in issue.message_en


def test_swap_rate_rule_is_for_interest_rate_swaps_only() -> None:
    fx = f.newt(product=f.newt().product.model_copy(update={"asset_class": "CURR"}),
                legs=[Leg(notional=Money(amount=Decimal(1), currency="USD"))])
    assert "SR-EC-024" not in _ids(fx)


def test_abnormal_notional_ceiling_is_per_currency_and_configurable() -> None:
    leg = Leg(notional=Money(amount=Decimal("2E10"), currency="USD"), fixed_rate=1)
    assert _ids(f.newt(legs=[leg]))["SR-EC-025"][0].message_en.endswith(
        "is above 10,000,000,000 USD: check the amount and its unit")
    assert "SR-EC-025" not in _ids(f.newt(legs=[leg]),
                                   notional_ceilings={"USD": Decimal("1E11")})
    krw = Leg(notional=Money(amount=Decimal("2E10"), currency="KRW"), fixed_rate=1)
    assert "SR-EC-025" not in _ids(f.newt(legs=[krw]))


def test_a_fixed_leg_paying_a_known_amount_needs_no_rate() -> None:
    known = Leg(notional=Money(amount=Decimal(1), currency="EUR"), rate_type="FIXED")
    assert "SR-EC-024" not in _ids(f.newt(legs=[known]))
