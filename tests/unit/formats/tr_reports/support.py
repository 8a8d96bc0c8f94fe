"""Trades as our EMIR writer reports them, and the TR's held copies of them."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from lxml import etree

from shared.domain.identifiers import lei_with_check_digits
from shared.domain.model import (
    ActionType,
    Leg,
    Money,
    Party,
    Period,
    PeriodUnit,
    Product,
    TradeEvent,
    Valuation,
    ValuationMethod,
)
from shared.formats.tr_reports import HeldTrade
from shared.formats.writers.base import writer_for

US = lei_with_check_digits("5299000ALPHABANK01")
THEM = lei_with_check_digits("9884000COUNTERP001")
REFERENCE = date(2026, 11, 23)
RECEIVED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def uti(n: int) -> str:
    return f"{US}T{n:0>6}"


def event(n: int, action: str = "NEWT", *, valued: datetime | None = None,
          notional: str = "10000000", **overrides) -> TradeEvent:
    values = dict(
        uti=uti(n), trade_id=f"T{n}", action_type=ActionType(action), event_type="TRAD",
        execution_timestamp=datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC),
        event_timestamp=datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC),
        effective_date=date(2026, 11, 24), expiration_date=date(2031, 11, 24),
        counterparty_1=Party(identifier=US),
        counterparty_2=Party(identifier=THEM, reporting_obligation=True),
        submitting_entity=US,
        product=Product(asset_class="INTR", contract_type="SWAP", upi="QZ0000000001"),
        legs=[Leg(notional=Money(amount=Decimal(notional), currency="EUR"),
                  fixed_rate=Decimal("0.0325"), direction="MAKE",
                  payment_frequency=Period(unit=PeriodUnit.MONTH, multiplier=3))],
    )
    if valued is not None:
        values["valuation"] = Valuation(amount=Money(amount=Decimal("-1250.5"), currency="EUR"),
                                        method=ValuationMethod.MARK_TO_MARKET, timestamp=valued)
    values.update(overrides)
    return TradeEvent(**values)


def bodies(*events: TradeEvent, regime: str = "emir") -> list[bytes]:
    """Each event's report body (the New, Mod, ... element) as the TR received it."""
    out = io.BytesIO()
    writer_for(regime).write_batch(list(events), out, reporting_timestamp=RECEIVED)
    root = etree.fromstring(out.getvalue())
    ns = {"a": root.nsmap[None]}
    return [etree.tostring(v) for v in root.findall("a:DerivsTradRpt/a:TradData/a:Rpt/*", ns)]


def valuation_of(body: bytes) -> bytes:
    """The Valtn element of a ValtnUpd body."""
    root = etree.fromstring(body)
    [node] = root.findall(".//{*}Valtn")
    return etree.tostring(node)


def held(n: int, *, flag: str | None = "SSUN", **kwargs) -> HeldTrade:
    [body] = bodies(event(n, **kwargs))
    return HeldTrade(body, "NEWT", RECEIVED, reconciliation_flag=flag)
