"""Clean events for rule tests: each passes every rule under every regime, so a test changes
exactly one thing and knows which rule must fire."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.domain.identifiers import lei_with_check_digits
from shared.domain.model import (
    ActionType,
    AssetClass,
    Cleared,
    Clearing,
    Collateral,
    CommodityClassification,
    EventType,
    Leg,
    Money,
    Nature,
    Party,
    Period,
    PeriodUnit,
    Product,
    TradeEvent,
    Valuation,
    ValuationMethod,
)
from shared.domain.rules import ValidationContext

LEI_1 = lei_with_check_digits("9884DEMO0000000001")  # reporting counterparty
LEI_2 = lei_with_check_digits("9884DEMO0000000100")
LEI_CCP = lei_with_check_digits("9884DEMOCCP0000001")
LEI_CM = lei_with_check_digits("9884DEMOCM00000001")
UTI = LEI_1 + "TRADE0001"
UPI = "QZ0000000001"
EXECUTED = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)  # Friday 10:30 in Seoul
REPORTED = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
ALL_REGIMES = ("krx", "emir", "cftc-part45")


def context(**overrides: Any) -> ValidationContext:
    values: dict[str, Any] = {"now": NOW, "regimes": ALL_REGIMES, "history": ()}
    values.update(overrides)
    return ValidationContext(**values)


def newt(**overrides: Any) -> TradeEvent:
    """A KRW fixed/float interest rate swap, reported the day it was executed."""
    values: dict[str, Any] = {
        "uti": UTI,
        "trade_id": "TRADE-0001",
        "action_type": ActionType.NEWT,
        "event_type": EventType.TRAD,
        "execution_timestamp": EXECUTED,
        "event_timestamp": EXECUTED,
        "reporting_timestamp": REPORTED,
        "effective_date": date(2026, 11, 24),
        "expiration_date": date(2031, 11, 24),
        "counterparty_1": Party(identifier=LEI_1, nature=Nature.FINANCIAL, country="KR"),
        "counterparty_2": Party(identifier=LEI_2, nature=Nature.FINANCIAL, country="KR"),
        "execution_venue": "XOFF",
        "product": Product(asset_class=AssetClass.INTR, contract_type="SWAP", upi=UPI),
        "legs": [
            Leg(notional=Money(amount=Decimal("10000000000"), currency="KRW"),
                fixed_rate=Decimal("0.0325"), day_count="A004", direction="MAKE",
                payment_frequency=Period(unit=PeriodUnit.MONTH, multiplier=3)),
            Leg(notional=Money(amount=Decimal("10000000000"), currency="KRW"),
                floating_index="KRW-CD-KSDA-BLOOMBERG", spread=Decimal("0.001"),
                day_count="A005", direction="TAKE",
                floating_tenor=Period(unit=PeriodUnit.MONTH, multiplier=3),
                payment_frequency=Period(unit=PeriodUnit.MONTH, multiplier=3)),
        ],
        "clearing": Clearing(cleared=Cleared.NO),
    }
    values.update(overrides)
    return TradeEvent(**values)


def commodity_swap(**overrides: Any) -> TradeEvent:
    """A cash-settled fixed/floating WTI swap: 10 000 barrels at USD 75."""
    legs = [Leg(notional=Money(amount=Decimal("750000"), currency="USD"), rate_type="FIXED",
                total_quantity=Decimal("10000"), quantity_unit="BARL", direction="MAKE"),
            Leg(notional=Money(amount=Decimal("750000"), currency="USD"), rate_type="OTHER",
                total_quantity=Decimal("10000"), quantity_unit="BARL", direction="TAKE")]
    values: dict[str, Any] = {
        "product": Product(asset_class=AssetClass.COMM, contract_type="SWAP", upi=UPI,
                           delivery_type="CASH", commodity=CommodityClassification(
                               base_product="NRGY", sub_product="OILP",
                               further_sub_product="WTIO")),
        "legs": legs}
    values.update(overrides)
    return newt(**values)


def valuation(**overrides: Any) -> Valuation:
    values: dict[str, Any] = {"amount": Money(amount=Decimal("-1250000"), currency="KRW"),
                              "method": ValuationMethod.MARK_TO_MODEL,
                              "timestamp": datetime(2026, 11, 20, 6, 0, tzinfo=UTC)}
    values.update(overrides)
    return Valuation(**values)


def valu(**overrides: Any) -> TradeEvent:
    """An end-of-day valuation update of the same trade."""
    values: dict[str, Any] = {
        "uti": UTI, "action_type": ActionType.VALU, "event_type": None,
        "execution_timestamp": EXECUTED,
        "event_timestamp": datetime(2026, 11, 20, 6, 0, tzinfo=UTC),
        "reporting_timestamp": datetime(2026, 11, 20, 6, 30, tzinfo=UTC),
        "counterparty_1": Party(identifier=LEI_1), "counterparty_2": Party(identifier=LEI_2),
        "valuation": valuation(),
    }
    values.update(overrides)
    return TradeEvent(**values)


def maru(**overrides: Any) -> TradeEvent:
    values: dict[str, Any] = {
        "uti": UTI, "action_type": ActionType.MARU, "event_type": None,
        "event_timestamp": datetime(2026, 11, 20, 6, 0, tzinfo=UTC),
        "reporting_timestamp": datetime(2026, 11, 20, 6, 30, tzinfo=UTC),
        "counterparty_1": Party(identifier=LEI_1), "counterparty_2": Party(identifier=LEI_2),
        "collateral": Collateral(category="FLCL",
                                 initial_margin_posted=Money(amount=Decimal("1000"),
                                                             currency="KRW"),
                                 timestamp=datetime(2026, 11, 20, 6, 0, tzinfo=UTC)),
    }
    values.update(overrides)
    return TradeEvent(**values)


def lifecycle(action: ActionType, event_type: EventType | None = None,
              **overrides: Any) -> TradeEvent:
    """A later report on the same trade: same terms, a later event timestamp."""
    stamp = EXECUTED + timedelta(hours=2)
    values: dict[str, Any] = {"action_type": action, "event_type": event_type,
                              "event_timestamp": stamp, "reporting_timestamp": stamp}
    if action in (ActionType.EROR, ActionType.REVI, ActionType.TERM, ActionType.PRTO):
        values.update(legs=[])
    values.update(overrides)
    return newt(**values)


def cleared(**overrides: Any) -> TradeEvent:
    return newt(clearing=Clearing(cleared=Cleared.YES, ccp=LEI_CCP, clearing_member=LEI_CM),
                **overrides)
