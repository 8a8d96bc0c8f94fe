"""ISO 20022 auth.030.001.04: the schema version the JFSA, MAS, HKMA and ASIC reports share.

`Auth030V04Writer` is what differs from ESMA's auth.030.001.03 (`Auth030Writer`) in every one of
them: no `Lvl` but `TechAttrbts` closing each report, no product classification (CFI), rates,
strikes and prices as decimal fractions (`Dcml`), the event's identifier and its timestamp as a
date-time (`DerivEvt/Id/EvtIdr`, `DerivEvt/TmStmp/DtTm`), the exchange rate as `XchgRate`, the
second leg's settlement currency (`SttlmCcyScndLeg`), initial and variation margin portfolio
codes (`MrgnPrtflCd`), instruments known by another identifier (`OthrId`/`Othr`: `Id`+`Src`),
options' first exercise date and call/put amounts, and a term a trade states as it states it.
A regime's writer subclasses it and keeps only its own field set, through the hooks below.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from lxml import etree

from shared.domain.model import (
    ActionType,
    Leg,
    Money,
    OptionTerms,
    Party,
    Price,
    TradeEvent,
    Underlier,
)
from shared.formats.writers.auth030 import SLIM_VARIANTS, Auth030Writer
from shared.formats.writers.derive import day, frequency, timestamp

NS = "urn:iso:std:iso:20022:tech:xsd:auth.030.001.04"
# DRR's placeholder for a quantity it cannot state: the schema's largest value
UNKNOWN_QUANTITY = Decimal("9999999999999999999999999")
# and for a price it cannot state: the largest of the schema's 11-digit decimal prices
PRICE_NOT_AVAILABLE = Decimal("99999999999")
# FpML commodity-quantity-frequency -> (ISO 20022 frequency code, multiplier): the period a
# commodity leg's quantity is per; once for the whole term has no multiplier
_QUANTITY_FREQUENCIES: dict[str, tuple[str, int | None]] = {
    "Term": ("EXPI", None), "PerCalendarDay": ("DAIL", 1), "PerBusinessDay": ("DAIL", 1),
    "PerHour": ("HOUL", 1), "PerMonth": ("MNTH", 1), "PerSettlementPeriod": ("ADHO", None)}


def quantity_period(leg: Leg) -> tuple[str, int | None] | None:
    """(frequency code, multiplier) of the period a commodity leg's quantity is stated per:
    its calculation period for a PerCalculationPeriod quantity (ad hoc when the periods are
    listed by date), else the period FpML names."""
    stated = leg.quantity_frequency
    if stated is None:
        return None
    if stated == "PerCalculationPeriod":
        return frequency(leg.calculation_period) or ("ADHO", None)
    return _QUANTITY_FREQUENCIES.get(stated)


class Auth030V04Writer(Auth030Writer):
    """An auth.030.001.04 report; a regime sets the flags and overrides the hooks it needs."""

    namespace: ClassVar[str] = NS
    PRODUCT_CLASSIFICATION: ClassVar[bool] = False
    EXCHANGE_RATE: ClassVar[str] = "XchgRate"
    # the fields only some .001.04 regimes ask for
    BROKER: ClassVar[bool] = False  # CtrPty/Brkr
    BOOKING_LOCATION: ClassVar[bool] = False  # RptgCtrPty/BookgLctn
    EXECUTION_AGENTS: ClassVar[bool] = False  # CtrPty/ExctnAgt
    EVENT_ID: ClassVar[bool] = True  # DerivEvt/Id/EvtIdr
    RECEIPT_TIMESTAMP: ClassVar[bool] = False  # TechAttrbts/RptRctTmStmp
    UNDERLYING_MATURITY: ClassVar[bool] = True  # Optn/MtrtyDtOfUndrlyg

    # --- report frame ------------------------------------------------------------------------

    def _record_attributes(self, body: etree._Element, event: TradeEvent,
                           reporting_timestamp: datetime) -> None:
        # .001.04 has no reporting level (EMIR's Lvl): the technical attributes close a report
        record_id = self._technical_record_id(event, reporting_timestamp)
        if not record_id and not self.RECEIPT_TIMESTAMP:
            return
        node = self.sub(body, "TechAttrbts")
        if record_id:
            self.sub(node, "TechRcrdId", record_id)
        if self.RECEIPT_TIMESTAMP:
            # the report's own time: the repository overwrites it with its receipt time
            self.sub(node, "RptRctTmStmp", timestamp(reporting_timestamp))

    def _technical_record_id(self, event: TradeEvent, stamp: datetime) -> str | None:
        return None

    # --- counterparty-specific data -----------------------------------------------------------

    def _counterparty_data(self, parent: etree._Element, event: TradeEvent, stamp: datetime,
                           variant: str) -> None:
        full = variant not in SLIM_VARIANTS
        cpty = self.sub(parent, "CtrPty")
        cp1, cp2 = event.counterparty_1, event.counterparty_2
        self._reporting_counterparty(cpty, event, full)
        if cp2 is not None:
            self._other_counterparty(cpty, cp2, variant)
        if event.broker and full and self.BROKER:
            self.sub(cpty, "Brkr/LEI", event.broker)
        if event.submitting_entity:
            self.sub(cpty, "SubmitgAgt/LEI", event.submitting_entity)
        if full:
            self._beneficiary(cpty, cp1)
        if event.entity_responsible:
            self.sub(cpty, "NttyRspnsblForRpt/LEI", event.entity_responsible)
        if full and self.EXECUTION_AGENTS:
            self._execution_agents(cpty, event)
        if variant == "ValtnUpd" and event.valuation is not None:
            self._valuation(parent, event)
        self.sub(parent, "RptgTmStmp", timestamp(stamp))

    def _reporting_counterparty(self, cpty: etree._Element, event: TradeEvent,
                                full: bool) -> None:
        rptg = self.sub(cpty, "RptgCtrPty")
        cp1 = event.counterparty_1
        if cp1 is None:
            return
        self.sub(rptg, "Id/Lgl/Id/LEI", cp1.identifier)
        if full:
            self._nature(rptg, cp1, other=False)
            self._direction(rptg, event)
            if self.BOOKING_LOCATION and cp1.country:
                # the country (ISO 3166 alpha-2) of the branch or office booking the trade
                self.sub(rptg, "BookgLctn", cp1.country)

    def _other_counterparty(self, cpty: etree._Element, party: Party, variant: str) -> None:
        # the other counterparty's identifier only; an error report names the reporter only
        if variant != "Err":
            self.sub(cpty, "OthrCtrPty/IdTp/Lgl/Id/LEI", party.identifier)

    def _nature(self, parent: etree._Element, party: Party, other: bool) -> None:
        return None  # no counterparty nature, sector or clearing threshold unless a regime's

    def _beneficiary(self, cpty: etree._Element, party: Party | None) -> None:
        return None

    def _execution_agents(self, parent: etree._Element, event: TradeEvent) -> None:
        """CDE "execution agent", one per counterparty that states one (NOAP when it has none
        but the other counterparty does): the reporting counterparty's first, then the other's."""
        for party in (event.counterparty_1, event.counterparty_2):
            agent = party.execution_agent if party is not None else None
            if not agent:
                continue
            node = self.sub(parent, "ExctnAgt")
            if agent == "NOAP":
                self.sub(node, "Othr/Id/Id", agent)
            else:
                self.sub(node, "LEI", agent)

    # --- contract data -----------------------------------------------------------------------

    def _settlement_currencies(self, parent: etree._Element, event: TradeEvent) -> None:
        self._settlement_currency(parent, event)
        second = self._second_settlement_currency(event)
        if second:
            self.sub(parent, "SttlmCcyScndLeg/Ccy", second)

    def _settlement_currency(self, parent: etree._Element, event: TradeEvent) -> None:
        """`SttlmCcy`, with the fixing date of a contract settled in it after a fixing (NDF)."""
        first = self._first_settlement_currency(event)
        if not first:
            return
        node = self.sub(parent, "SttlmCcy")
        self.sub(node, "Ccy", first)
        fixing = self._fixing_date(event)
        if fixing:
            self.sub(node, "FxgDt", f"{day(fixing)}T00:00:00Z")

    def _first_settlement_currency(self, event: TradeEvent) -> str | None:
        return event.product.settlement_currency

    def _second_settlement_currency(self, event: TradeEvent) -> str | None:
        return event.legs[1].settlement_currency if len(event.legs) > 1 else None

    def _fixing_date(self, event: TradeEvent) -> date | None:
        return None

    def _other_id(self, node: etree._Element, underlier: Underlier) -> None:
        """An instrument known by an identifier other than an ISIN, with its scheme."""
        self.sub(node, "Id", underlier.identifier)
        self.sub(node, "Src", underlier.id_scheme or "Other")

    # --- transaction data --------------------------------------------------------------------

    def _collateral_portfolio(self, parent: etree._Element, event: TradeEvent) -> None:
        """.001.04 asks the initial and the variation margin portfolio codes apart. A trade in
        no portfolio states NOAP for both; a portfolio code not stated as the initial or the
        variation margin one fills neither, so nothing is reported (DRR)."""
        if event.collateral is not None and event.collateral.portfolio_code:
            return
        self._no_margin_portfolio(self.sub(parent, "CollPrtflCd/MrgnPrtflCd"))

    def _no_margin_portfolio(self, node: etree._Element) -> None:
        self.sub(node, "InitlMrgnPrtflCd/NoPrtfl", "NOAP")
        self.sub(node, "VartnMrgnPrtflCd/NoPrtfl", "NOAP")

    def _platform(self, parent: etree._Element, event: TradeEvent) -> None:
        # the execution facility's MIC as the trade names it (a MIC, XOFF or XXXX); no
        # EMIR-style XXXX default (nor MIC register check) when it names none
        if event.execution_venue:
            self.sub(parent, "PltfmIdr", event.execution_venue)

    def _price_value(self, node: etree._Element, price: Price) -> None:
        """`Pric` of a percentage (as a decimal fraction: 72.66 % is 0.7266) or an amount."""
        if price.notation == "PERC":
            self.sub(node, "Pric/Dcml", price.value / 100)
        else:
            self.sub(node, "Pric/MntryVal/Amt", price.value,
                     **({"Ccy": price.currency} if price.currency else {}))

    def _derivative_event(self, parent: etree._Element, event: TradeEvent) -> None:
        node = self.sub(parent, "DerivEvt")
        event_type = self._event_type(event)
        if event_type:
            self.sub(node, "Tp", event_type)
        self._event_identity(node, event)

    def _event_type(self, event: TradeEvent) -> str | None:
        # a correction restates the trade and is no business event of its own: no event type
        if event.action_type == ActionType.CORR:
            return None
        return str(event.event_type or "TRAD")

    def _event_identity(self, node: etree._Element, event: TradeEvent) -> None:
        if self.EVENT_ID and event.event_id:
            self.sub(node, "Id/EvtIdr", event.event_id)
        self._event_timestamp(node, event)

    def _event_timestamp(self, node: etree._Element, event: TradeEvent) -> None:
        if event.event_timestamp and event.event_timestamp_text:
            # an ISODateTime as the source wrote it: DRR keeps its offset and its precision
            self.sub(node, "TmStmp/DtTm", event.event_timestamp_text)
            return
        when = event.event_timestamp or event.execution_timestamp
        if when:
            self.sub(node, "TmStmp/DtTm", timestamp(when))

    def _rate_legs(self, event: TradeEvent) -> list[tuple[str, Leg]]:
        # every rate leg in its own place, an FRA's too (not ESMA's FRA convention)
        return [(name, leg) for name, leg in zip(("FrstLeg", "ScndLeg"), event.legs[:2],
                                                 strict=False) if self._rate_leg(leg)]

    def _fixed_rate(self, node: etree._Element, leg: Leg) -> None:
        self.sub(node, "Rate/Dcml", leg.fixed_rate)  # a decimal fraction: 0.0253 = 2.53 %

    def _years(self, value: tuple[str, int | None]) -> tuple[str, int | None]:
        return value  # a term in the unit the trade states it (12M stays MNTH 12, not 1 YEAR)

    def _option(self, parent: etree._Element, event: TradeEvent) -> None:
        option = event.option
        if option is None:
            return
        node = self.sub(parent, "Optn")
        self._option_kind(node, option)
        first_exercise = self._first_exercise_date(option)
        if first_exercise:
            self.sub(node, "ExrcDt/FrstExrcDt", day(first_exercise))
        if option.strike is not None:
            self._strike(self.sub(node, "StrkPric"), option)
        # OptionOrSwaption11's sequence: the call and put amounts come before the premium
        call, put = self._call_put_amounts(event)
        if call is not None:
            self.sub(node, "CallAmt", call.amount, Ccy=call.currency)
        if put is not None:
            self.sub(node, "PutAmt", put.amount, Ccy=put.currency)
        self._option_premium(node, event)
        if self.UNDERLYING_MATURITY and option.underlying_maturity_date:
            self.sub(node, "MtrtyDtOfUndrlyg", day(option.underlying_maturity_date))

    def _option_kind(self, node: etree._Element, option: OptionTerms) -> None:
        if option.option_type:
            self.sub(node, "Tp", option.option_type)
        if option.exercise_style:
            self.sub(node, "ExrcStyle", option.exercise_style)

    def _first_exercise_date(self, option: OptionTerms) -> date | None:
        return option.first_exercise_date

    def _strike(self, node: etree._Element, option: OptionTerms) -> None:
        assert option.strike is not None
        if option.strike_notation == "MONE":
            currency = self._strike_currency(option.strike_currency)
            self.sub(node, "MntryVal/Amt", option.strike,
                     **({"Ccy": currency} if currency else {}))
        else:
            self.sub(node, "Dcml", option.strike)

    def _strike_currency(self, pair: str | None) -> str | None:
        # An FX strike is a price of the pair's base currency in its quoted currency: the
        # amount's Ccy is that one ISO 4217 code (ActiveOrHistoricCurrencyCode), never the
        # pair, which the schema refuses (and with it the whole file), though DRR's MAS and
        # ASIC test packs write it.
        if not pair:
            return None
        return pair.rsplit("/", 1)[-1]

    def _call_put_amounts(self, event: TradeEvent) -> tuple[Money | None, Money | None]:
        option = event.option
        assert option is not None
        return option.call_amount, option.put_amount

    def _option_premium(self, node: etree._Element, event: TradeEvent) -> None:
        option = event.option
        assert option is not None
        if option.premium is not None:
            self.sub(node, "PrmAmt", option.premium.amount, Ccy=option.premium.currency)
        if option.premium_payment_date:
            self.sub(node, "PrmPmtDt", day(option.premium_payment_date))
