"""Every registered rule has a passing and a failing case here; a rule added without them fails
`test_every_rule_has_cases`. More detailed cases live in the per-area test modules."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

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
    ValuationMethod,
)
from shared.domain.rules import REGISTRY, Issue, ValidationContext, get_rule, validate
from shared.domain.rules.catalog import render_markdown
from tests.unit.domain.rules import factory as f

A, E = ActionType, EventType
Case = Callable[[], tuple[TradeEvent, ValidationContext]]


@dataclass(frozen=True)
class Cases:
    passing: Case
    failing: Case


def _c(event: Callable[[], TradeEvent], **ctx) -> Case:
    return lambda: (event(), f.context(**ctx))


def _history(*actions: tuple[ActionType, EventType | None]) -> tuple[TradeEvent, ...]:
    return (f.newt(), *(f.lifecycle(a, e) for a, e in actions))


BAD_LEI = f.LEI_2[:-2] + ("00" if f.LEI_2[-2:] != "00" else "01")
LATER = f.EXECUTED + timedelta(hours=3)

CASES: dict[str, Cases] = {
    "SR-ID-001": Cases(_c(f.newt), _c(lambda: f.newt(uti=None))),
    "SR-ID-002": Cases(_c(f.newt), _c(lambda: f.newt(uti="lei-1/trade 1"))),
    "SR-ID-040": Cases(_c(f.newt), _c(lambda: f.newt(
        uti=None, extensions={"conflicting_utis": ["UTIFROMPARTYA", "UTIFROMPARTYB"]}))),
    "SR-ID-041": Cases(_c(lambda: f.newt(event_id=f"{f.LEI_1}EVT000001"), regimes=("jfsa",)),
                       _c(lambda: f.newt(event_id="SEF123"), regimes=("jfsa",))),
    "SR-ID-003": Cases(_c(f.newt), _c(lambda: f.newt(uti="TRADE0001"))),
    "SR-ID-004": Cases(_c(f.newt), _c(lambda: f.newt(
        counterparty_2=Party(identifier=BAD_LEI)))),
    "SR-ID-005": Cases(_c(f.newt, lei_status={f.LEI_2: "ISSUED"}),
                       _c(f.newt, lei_status={f.LEI_2: "RETIRED"})),
    "SR-ID-006": Cases(_c(f.newt), _c(lambda: f.newt(counterparty_2=Party(identifier=f.LEI_1)))),
    "SR-ID-007": Cases(_c(f.newt), _c(lambda: f.newt(
        product=Product(asset_class="INTR", contract_type="SWAP", upi="QZ123")))),
    "SR-ID-008": Cases(
        _c(lambda: f.newt(product=Product(asset_class="INTR", contract_type="SWAP", upi=f.UPI,
                                          isin="US9311421039"))),
        _c(lambda: f.newt(product=Product(asset_class="INTR", contract_type="SWAP", upi=f.UPI,
                                          isin="US9311421038")))),
    "SR-ID-009": Cases(_c(f.newt, regimes=("emir",)), _c(lambda: f.newt(
        product=Product(asset_class="INTR", contract_type="SWAP")), regimes=("emir",))),
    "SR-ID-046": Cases(_c(lambda: f.newt(
        product=Product(asset_class="INTR", contract_type="SWAP", upi=f.UPI),
        extensions={"upi_unavailable": {"reason": "not_found", "attributes": "INTR Swap"}}),
        regimes=("emir",)), _c(lambda: f.newt(
            product=Product(asset_class="INTR", contract_type="SWAP"),
            extensions={"upi_unavailable": {"reason": "not_found", "attributes": "INTR Swap"}}),
            regimes=("emir",))),
    "SR-DT-010": Cases(_c(f.newt), _c(lambda: f.newt(
        reporting_timestamp=f.EXECUTED - timedelta(minutes=1)))),
    "SR-DT-011": Cases(_c(f.newt), _c(lambda: f.newt(expiration_date=date(2026, 11, 23)))),
    "SR-DT-012": Cases(_c(f.newt), _c(lambda: f.newt(
        event_timestamp=f.EXECUTED - timedelta(days=1)))),
    "SR-DT-013": Cases(_c(f.valu), _c(lambda: f.valu(
        event_timestamp=datetime(2026, 11, 21, 6, tzinfo=UTC),
        reporting_timestamp=datetime(2026, 11, 21, 7, tzinfo=UTC)))),
    "SR-DT-014": Cases(
        _c(lambda: f.lifecycle(A.MODI, E.TRAD), history=_history()),
        _c(lambda: f.lifecycle(A.MODI, E.TRAD, execution_timestamp=f.EXECUTED
                               + timedelta(minutes=5)), history=_history())),
    "SR-LC-015": Cases(_c(f.newt, history=()), _c(f.newt, history=_history())),
    "SR-LC-016": Cases(_c(lambda: f.lifecycle(A.MODI, E.TRAD), history=_history()),
                       _c(lambda: f.lifecycle(A.MODI, E.TRAD), history=())),
    "SR-LC-017": Cases(
        _c(lambda: f.lifecycle(A.REVI), history=_history((A.EROR, None))),
        _c(lambda: f.lifecycle(A.MODI, E.TRAD), history=_history((A.EROR, None)))),
    "SR-LC-018": Cases(_c(lambda: f.lifecycle(A.REVI), history=_history((A.TERM, E.ETRM))),
                       _c(lambda: f.lifecycle(A.REVI), history=_history())),
    "SR-LC-019": Cases(
        _c(lambda: f.lifecycle(A.CORR, level=Level.PSTN), history=_history()),
        _c(lambda: f.lifecycle(A.MODI, E.TRAD, level=Level.PSTN), history=_history())),
    "SR-LC-020": Cases(_c(f.newt, regimes=("emir",)),
                       _c(lambda: f.newt(event_type=E.ETRM), regimes=("emir",))),
    "SR-LC-021": Cases(
        _c(lambda: f.lifecycle(A.CORR), history=_history((A.TERM, E.ETRM))),
        _c(lambda: f.lifecycle(A.MODI, E.TRAD), history=_history((A.TERM, E.ETRM)),
           regimes=("emir",))),
    "SR-EC-022": Cases(_c(f.newt), _c(lambda: f.newt(
        legs=[Leg(notional=Money(amount=Decimal("-1"), currency="KRW"), fixed_rate=1)]))),
    "SR-EC-023": Cases(_c(f.newt), _c(lambda: f.newt(
        legs=[Leg(notional=Money(amount=Decimal("1"), currency="KRX"), fixed_rate=1)]))),
    "SR-EC-024": Cases(_c(f.newt), _c(lambda: f.newt(
        legs=[Leg(notional=Money(amount=Decimal("1"), currency="KRW"))]))),
    "SR-EC-025": Cases(_c(f.newt), _c(lambda: f.newt(
        legs=[Leg(notional=Money(amount=Decimal("1E14"), currency="KRW"), fixed_rate=1)]))),
    "SR-EC-050": Cases(_c(f.commodity_swap), _c(lambda: f.commodity_swap(
        product=Product(asset_class="COMM", contract_type="SWAP", commodity={
            "base_product": "METL", "sub_product": "PRME", "further_sub_product": "WTIO"})))),
    "SR-EC-051": Cases(_c(f.commodity_swap), _c(lambda: f.commodity_swap(
        legs=[Leg(notional=Money(amount=Decimal("750000"), currency="USD"),
                  total_quantity=Decimal("10000"))]))),
    "SR-CL-026": Cases(_c(f.cleared), _c(lambda: f.newt(clearing=Clearing(cleared=Cleared.YES)))),
    "SR-VA-027": Cases(
        _c(lambda: f.cleared(valuation=f.valuation(method=ValuationMethod.CCP))),
        _c(lambda: f.cleared(valuation=f.valuation(method=ValuationMethod.MARK_TO_MARKET)))),
    "SR-VA-028": Cases(
        _c(lambda: f.newt(product=Product(asset_class="INTR", contract_type="SWPT", upi=f.UPI),
                          valuation=f.valuation(delta=Decimal("0.45")))),
        _c(lambda: f.newt(product=Product(asset_class="INTR", contract_type="SWPT", upi=f.UPI),
                          valuation=f.valuation()))),
    "SR-VA-029": Cases(
        _c(lambda: f.newt(valuation=f.valuation())),
        _c(lambda: f.newt(valuation=f.valuation(timestamp=f.NOW - timedelta(days=20))))),
    "SR-TM-030": Cases(_c(f.newt, deadline=f.REPORTED + timedelta(hours=1)),
                       _c(f.newt, deadline=f.REPORTED - timedelta(hours=1))),
    "SR-LC-035": Cases(_c(lambda: f.lifecycle(A.TERM, E.ETRM), history=_history()),
                       _c(lambda: f.lifecycle(A.TERM, E.ETRM, event_timestamp=None))),
    "SR-LC-036": Cases(_c(lambda: f.lifecycle(A.EROR), history=_history()),
                       _c(lambda: f.lifecycle(A.EROR, legs=f.newt().legs))),
    "SR-LC-037": Cases(_c(f.newt), _c(lambda: f.newt(counterparty_2=None))),
    "SR-LC-038": Cases(_c(f.valu), _c(lambda: f.valu(valuation=None))),
    "SR-LC-039": Cases(
        _c(lambda: f.lifecycle(A.PRTO, E.PTNG), history=_history()),
        _c(lambda: f.lifecycle(A.MODI, E.TRAD), history=_history((A.PRTO, E.PTNG)))),
}


def _issues_of(rule_id: str, case: Case) -> list[Issue]:
    event, ctx = case()
    return [i for i in validate(event, ctx) if i.rule_id == rule_id]


def test_every_rule_has_cases() -> None:
    assert set(CASES) == set(REGISTRY), (
        f"rules without cases: {sorted(set(REGISTRY) - set(CASES))}; "
        f"cases without rules: {sorted(set(CASES) - set(REGISTRY))}")


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_rule_passes_its_passing_case(rule_id: str) -> None:
    assert _issues_of(rule_id, CASES[rule_id].passing) == []


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_rule_fires_on_its_failing_case(rule_id: str) -> None:
    issues = _issues_of(rule_id, CASES[rule_id].failing)
    assert issues, f"{rule_id} did not fire"
    rule = get_rule(rule_id)
    for issue in issues:
        assert issue.message_en and issue.message_ko
        # every placeholder filled, in both languages; the Korean text is Korean
        assert not re.search(r"\{[a-z_]+\}", issue.message_en + issue.message_ko), issue
        assert re.search("[가-힣]", issue.message_ko)
        assert issue.field
        if rule.regimes is None and not rule.per_regime:
            assert issue.regime is None


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_rule_is_declared_completely(rule_id: str) -> None:
    rule = get_rule(rule_id)
    assert re.fullmatch(r"SR-(ID|DT|LC|EC|CL|VA|TM)-\d{3}", rule.id)
    assert rule.title and rule.source and rule.field
    assert rule.severity.value in ("reject", "warn")


def test_rule_numbers_are_unique_across_areas() -> None:
    numbers = [rule_id.rsplit("-", 1)[1] for rule_id in REGISTRY]
    assert len(numbers) == len(set(numbers))


def test_the_base_events_are_clean() -> None:
    for event in (f.newt(), f.valu(), f.maru(), f.cleared()):
        assert validate(event, f.context(history=None)) == [], event.action_type


def test_a_natural_persons_identifier_is_never_shown() -> None:
    person = Party(identifier="KR-RRN-123456", id_type=IdType.NATURAL_PERSON)
    event = f.newt(counterparty_1=person, counterparty_2=person)
    issues = [i for i in validate(event, f.context()) if i.rule_id == "SR-ID-006"]
    assert issues and all(i.value is None and "RRN" not in i.message_en for i in issues)


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    docs = Path(__file__).resolve().parents[4] / "docs" / "RULES.md"
    assert docs.read_text(encoding="utf-8") == render_markdown(), (
        "docs/RULES.md is stale: .venv/bin/python -m shared.domain.rules.catalog > docs/RULES.md")
