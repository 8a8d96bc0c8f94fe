from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.domain.issues import Issue, Severity, has_rejects, shown_value
from shared.domain.model import (
    ActionType,
    Cleared,
    Clearing,
    EventType,
    IdType,
    Leg,
    Level,
    Money,
    Party,
    Product,
    TradeEvent,
    Valuation,
)
from shared.domain.rules import REGISTRY, ValidationContext, validate
from shared.domain.rules.iso4217 import CURRENCIES, MINOR_UNITS, is_currency
from tests.unit.domain.rules import factory as f


def test_regimes_come_from_the_event_when_the_context_has_none() -> None:
    event = f.newt(product=Product(asset_class="INTR", contract_type="SWAP"), regimes=["EMIR"])
    issues = validate(event, ValidationContext(now=f.NOW))
    assert [(i.rule_id, i.regime) for i in issues] == [("SR-ID-009", "emir")]


def test_regime_specific_rules_do_not_run_without_a_regime() -> None:
    event = f.newt(product=Product(asset_class="INTR", contract_type="SWAP"))
    assert validate(event, ValidationContext(now=f.NOW)) == []


def test_a_subset_of_rules_can_be_run() -> None:
    event = f.newt(uti=None)
    assert [i.rule_id for i in validate(event, f.context(), [REGISTRY["SR-ID-001"]])] == [
        "SR-ID-001"]


def test_issues_are_ordered_by_rule_number() -> None:
    event = f.newt(uti=None, expiration_date=date(2026, 1, 1),
                   legs=[Leg(notional=Money(amount=Decimal(-1), currency="XYZ"), fixed_rate=1)])
    ids = [i.rule_id for i in validate(event, f.context())]
    assert ids == sorted(ids, key=lambda rule_id: rule_id.rsplit("-", 1)[1])


def test_issue_helpers() -> None:
    issue = Issue("SR-ID-001", Severity.REJECT, "uti", "en", "ko")
    assert has_rejects([issue]) and issue.message("ko") == "ko"
    assert str(issue) == "SR-ID-001 reject [uti]: en"
    assert issue.to_dict()["severity"] == "reject"
    assert shown_value(Decimal("1E+9")) == "1000000000"
    assert shown_value("X" * 200).endswith("…") and len(shown_value("X" * 200)) == 80
    assert shown_value(ActionType.NEWT) == "NEWT"


def test_iso4217_table() -> None:
    assert {"KRW", "USD", "EUR", "JPY", "XAU", "ZWG"} <= CURRENCIES
    assert not {"CNH", "XXX", "XTS", "HRK", "krw"} & CURRENCIES
    assert MINOR_UNITS["KRW"] == 0 and MINOR_UNITS["BHD"] == 3 and MINOR_UNITS["XAU"] is None
    assert is_currency("KRW") and not is_currency("krw") and not is_currency(None)


_codes = st.sampled_from(["KRW", "USD", "usd", "", "CNH", "XXX", "1", "AAAAAAA"])
_ids = st.one_of(st.none(), st.text(max_size=60), st.just(f.LEI_1), st.just(f.LEI_2))
_stamps = st.one_of(st.none(), st.datetimes(min_value=datetime(1990, 1, 1),
                                            max_value=datetime(2100, 1, 1),
                                            timezones=st.sampled_from([UTC, None])))
_dates = st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))
_money = st.builds(Money, amount=st.decimals(allow_nan=False, allow_infinity=False,
                                             min_value=-10**16, max_value=10**16),
                   currency=_codes)
_parties = st.one_of(st.none(), st.builds(Party, identifier=st.text(min_size=0, max_size=30),
                                          id_type=st.sampled_from(IdType)))


@st.composite
def _events(draw) -> TradeEvent:
    return TradeEvent(
        uti=draw(_ids), prior_uti=draw(_ids),
        action_type=draw(st.sampled_from(ActionType)),
        event_type=draw(st.one_of(st.none(), st.sampled_from(EventType))),
        level=draw(st.sampled_from(Level)),
        execution_timestamp=draw(_stamps), event_timestamp=draw(_stamps),
        reporting_timestamp=draw(_stamps), effective_date=draw(_dates),
        expiration_date=draw(_dates), early_termination_date=draw(_dates),
        counterparty_1=draw(_parties), counterparty_2=draw(_parties),
        product=Product(asset_class=draw(st.one_of(st.none(), st.just("INTR"))),
                        contract_type=draw(st.sampled_from([None, "SWAP", "OPTN", "SWPT"])),
                        upi=draw(st.one_of(st.none(), st.text(max_size=14))),
                        isin=draw(st.one_of(st.none(), st.text(max_size=14)))),
        legs=draw(st.lists(st.builds(Leg, notional=st.one_of(st.none(), _money)), max_size=2)),
        valuation=draw(st.one_of(st.none(), st.builds(
            Valuation, amount=_money, timestamp=_stamps.filter(lambda v: v is not None)))),
        clearing=Clearing(cleared=draw(st.sampled_from(Cleared)), ccp=draw(_ids),
                          clearing_member=draw(_ids)),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=_events(), history=st.lists(_events(), max_size=4),
       regimes=st.lists(st.sampled_from(["krx", "emir", "cftc-part45", "ukemir"]), max_size=3,
                        unique=True))
def test_validate_never_crashes_and_every_issue_is_complete(event, history, regimes) -> None:
    ctx = ValidationContext(now=f.NOW, regimes=tuple(regimes), history=tuple(history))
    for issue in validate(event, ctx):
        assert issue.rule_id in REGISTRY
        assert issue.message_en and issue.message_ko and issue.field
        assert issue.value is None or len(issue.value) <= 80


def test_a_context_for_a_regime_is_the_context_with_that_regime() -> None:
    from dataclasses import replace

    context = f.context(history=(f.newt(),), lei_status={f.LEI_1: "LAPSED"})
    assert context.lifecycle is not None  # replayed for regime None, and remembered
    for regime in ("krx", "cftc-part45", None):
        derived = context.for_regime(regime)
        assert derived == replace(context, regime=regime)
        assert derived.lifecycle == replace(context, regime=regime).lifecycle
    assert context.for_regime(None) is context


def test_a_rule_registered_after_validation_ran_is_judged_too() -> None:
    from shared.domain.rules import base

    first = base.rules_in_order()
    before = validate(f.newt(), f.context())  # the plan for a NEWT is derived and remembered

    def always(event, context):
        yield base.Violation({})

    late = base.register(base.Rule("SR-ID-999", Severity.WARN, "uti", "late", "late", "late",
                                   always))
    try:
        assert base.rules_in_order() == (*first, late)
        assert [i.rule_id for i in validate(f.newt(), f.context())] == [
            *(i.rule_id for i in before), "SR-ID-999"]
    finally:
        del REGISTRY["SR-ID-999"]
        base._DERIVED.clear()
    assert base.rules_in_order() == first
