"""JFSA (Japan) OTC derivatives report, auth.030.001.04, as `Auth030Writer` builds it.

Starts from the ISO 20022 document every auth.030 regime shares; the elements this regime's
rules fill differently are overridden here. Two kinds of difference from EMIR Refit (.001.03):

* the schema version (auth.030.001.04, shared with MAS, HKMA and ASIC): rates, prices and
  strikes stated as decimal fractions (`Dcml`), the event timestamp as a date-time
  (`DerivEvt/TmStmp/DtTm`), the event identifier (`DerivEvt/Id/EvtIdr`), the exchange rate as
  `Ccy/XchgRate`, separate initial and variation margin portfolio codes
  (`CollPrtflCd/MrgnPrtflCd`), a second leg's settlement currency (`SttlmCcyScndLeg`), an NDF's
  fixing date (`SttlmCcy/FxgDt`), an option's first exercise date and FX call/put amounts,
  basket constituents identified by other schemes (`OthrId/Id`+`Src`) and the technical record
  identification (`TechAttrbts/TechRcrdId`) in place of EMIR's `Lvl`;
* JFSA's own field set (FSA "Guidelines for Creating, Recordkeeping and Reporting of
  Transaction Information specified in Article 4(1) of the Cabinet Office Order on the
  Regulation of OTC Derivatives Transactions", Dec 2022, rev. Nov 2023), which has no
  counterparty nature/sector or clearing threshold, no reporting obligation of the other
  counterparty, no broker, no product classification (CFI), no master agreement, no post-trade
  risk reduction flag, no clearing obligation and no intragroup flag, and reports the platform
  identifier only where the trade names its execution venue.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import ClassVar

from lxml import etree

from shared.domain.model import ActionType, Leg, Party, TradeEvent
from shared.formats.writers.auth030 import SLIM_VARIANTS, VARIANTS, Auth030Writer, iso_unit
from shared.formats.writers.derive import day, leg_kind, timestamp

NS = "urn:iso:std:iso:20022:tech:xsd:auth.030.001.04"
# contracts whose underlier DRR's JFSA rules state as the floating rate index
RATE_INDEX_CONTRACTS = frozenset({"SWAP", "FRAS", "SWPT"})


class JfsaWriter(Auth030Writer):
    regime = "jfsa"
    namespace = NS
    # auth.030.001.04 TxData: JFSA reports no master agreement, no post-trade risk reduction
    TX_SEQUENCE: ClassVar[tuple[str, ...]] = (
        "_tx_identifier", "_collateral_portfolio", "_platform", "_price", "_notionals",
        "_delivery", "_execution", "_tx_dates", "_derivative_event", "_confirmation",
        "_clearing", "_interest_rates", "_package", "_currency", "_option", "_credit",
        "_other_payments",
    )

    # --- document -----------------------------------------------------------------------------

    def _report(self, rpt: etree._Element, event: TradeEvent,
                reporting_timestamp: datetime) -> None:
        action = ActionType(event.action_type)
        if action == ActionType.MARU:
            raise ValueError("margin updates (MARU) are reported in auth.108, not auth.030")
        variant = VARIANTS[action]
        body = self.sub(rpt, variant)
        self._counterparty_data(self.sub(body, "CtrPtySpcfcData"), event, reporting_timestamp,
                                variant)
        common = self.sub(body, "CmonTradData")
        if variant == "Err":
            self._error_data(common, event)
            return
        if variant not in SLIM_VARIANTS:
            self._contract_data(self.sub(common, "CtrctData"), event)
        self._transaction_data(self.sub(common, "TxData"), event, variant)
        # auth.030.001.04 has no reporting level (EMIR's `Lvl`); it carries the technical
        # record identification instead
        record_id = self._technical_record_id(event, reporting_timestamp)
        if record_id:
            self.sub(body, "TechAttrbts/TechRcrdId", record_id)

    def _error_data(self, common: etree._Element, event: TradeEvent) -> None:
        """An error (withdrawal) report. DRR's JFSA rules gate most fields on the action
        (IsAllowableActionForJFSA: not for EROR); those that are not stay: the crypto-asset
        flag, the UTI, the margin portfolio codes, the event's identifier and timestamp (not
        its type), confirmation and clearing status. No technical record id either."""
        self.sub(common, "CtrctData/DerivBasedOnCrptAsst", False)
        tx = self.sub(common, "TxData")
        self._tx_identifier(tx, event)
        self._collateral_portfolio(tx, event)
        node = self.sub(tx, "DerivEvt")
        self._event_identity(node, event)
        self._confirmation(tx, event)
        self._clearing(tx, event)

    def _technical_record_id(self, event: TradeEvent, stamp: datetime) -> str | None:
        """JFSA "Technical record identification", unique per submitted record. DRR
        (TechnicalRecordIdRule) joins the sender's technical record id (FpML `messageId`) and
        the reporting timestamp as Java prints an instant: `<id>_2024-04-29T00:00Z`. A source
        with no message id (CSV, JSONL) uses the trade's UTI in its place."""
        base = event.message_id or event.uti
        if not base:
            return None
        return f"{base}_{java_instant_text(stamp)}"

    # --- counterparty-specific data -----------------------------------------------------------

    def _counterparty_data(self, parent: etree._Element, event: TradeEvent, stamp: datetime,
                           variant: str) -> None:
        # JFSA identifies the counterparties only: no nature, sector, clearing threshold,
        # reporting obligation or broker (none is a JFSA data element)
        cpty = self.sub(parent, "CtrPty")
        rptg = self.sub(cpty, "RptgCtrPty")
        cp1, cp2 = event.counterparty_1, event.counterparty_2
        if cp1 is not None:
            self.sub(rptg, "Id/Lgl/Id/LEI", cp1.identifier)
            if variant not in SLIM_VARIANTS:
                self._direction(rptg, event)
        if cp2 is not None and variant != "Err":  # counterparty 2 is not reported on an error
            self.sub(cpty, "OthrCtrPty/IdTp/Lgl/Id/LEI", cp2.identifier)
        if event.submitting_entity:
            self.sub(cpty, "SubmitgAgt/LEI", event.submitting_entity)
        if event.entity_responsible:
            self.sub(cpty, "NttyRspnsblForRpt/LEI", event.entity_responsible)
        if variant == "ValtnUpd" and event.valuation is not None:
            self._valuation(parent, event)
        self.sub(parent, "RptgTmStmp", timestamp(stamp))

    def _nature(self, parent: etree._Element, party: Party, other: bool) -> None:
        return None  # JFSA has no counterparty nature or sector

    # --- contract data -----------------------------------------------------------------------

    def _contract_data(self, parent: etree._Element, event: TradeEvent) -> None:
        product = event.product
        if product.contract_type:
            self.sub(parent, "CtrctTp", product.contract_type)
        if product.asset_class:
            self.sub(parent, "AsstClss", str(product.asset_class))
        # no product classification (CFI): JFSA identifies the product by its UPI only
        if product.upi:
            self.sub(parent, "PdctId/UnqPdctIdr/Id", product.upi)
        self._underlying(parent, event)
        self._settlement_currencies(parent, event)
        self.sub(parent, "DerivBasedOnCrptAsst", False)

    def _settlement_currencies(self, parent: etree._Element, event: TradeEvent) -> None:
        """Settlement currency (CDE 2.31) of the first leg and, for a two-leg trade paying in a
        second currency, the second leg's (`SttlmCcyScndLeg`, .001.04); an NDF's or a
        cash-settled option's fixing date goes with the settlement currency it fixes into."""
        first = event.product.settlement_currency
        second = None
        if len(event.legs) > 1 and event.product.asset_class != "CURR":
            first = event.legs[0].settlement_currency or first
            second = event.legs[1].settlement_currency
        if first:
            node = self.sub(parent, "SttlmCcy")
            self.sub(node, "Ccy", first)
            fixing = self._fixing_date(event)
            if fixing:
                self.sub(node, "FxgDt", f"{day(fixing)}T00:00:00Z")
        if second:
            self.sub(parent, "SttlmCcyScndLeg/Ccy", second)

    def _fixing_date(self, event: TradeEvent) -> date | None:
        if event.product.asset_class != "CURR" or event.product.delivery_type != "CASH":
            return None
        return next((leg.fixing_date for leg in event.legs if leg.fixing_date), None)

    def _underlying(self, parent: etree._Element, event: TradeEvent) -> None:
        product = event.product
        basket = product.custom_basket or product.basket_id or product.underlier_basket
        if basket and product.underliers:
            node = self.sub(parent, "UndrlygInstrm/Bskt")
            if product.basket_id:  # CustomBasket4: Strr, Id, then the constituents
                self.sub(node, "Strr", product.basket_id)
            for underlier in product.underliers:
                ident = self.sub(node, "Cnsttnts/InstrmId")
                if underlier.source == "ISIN":
                    self.sub(ident, "ISIN", underlier.identifier)
                else:
                    other = self.sub(ident, "OthrId")
                    self.sub(other, "Id", underlier.identifier)
                    self.sub(other, "Src", underlier.id_scheme or "Other")
            return
        isin = next((u.identifier for u in product.underliers if u.source == "ISIN"), None)
        if isin:
            self.sub(parent, "UndrlygInstrm/ISIN", isin)
            return
        index = next((u for u in product.underliers if u.source == "INDX"), None)
        if index is not None:
            # an index: its ISIN where it has one, and its name (.001.04 IndexIdentification)
            node = self.sub(parent, "UndrlygInstrm/Indx")
            if _looks_like_isin(index.identifier):
                self.sub(node, "ISIN", index.identifier)
            if index.name or not _looks_like_isin(index.identifier):
                self.sub(node, "Nm", index.name or index.identifier)
            return
        if self._rate_index_underlier(event):
            code = next((leg.floating_index_code for leg in event.legs
                         if leg.floating_index_code), None)
            if code:
                self.sub(parent, "UndrlygInstrm/Indx/Indx", code)

    def _rate_index_underlier(self, event: TradeEvent) -> bool:
        """DRR's JFSA underlier of an interest rate derivative (GetUnderlyingIndexIndicator):
        the first floating rate index of an FRA or of a product CDM qualifies as an IR swap
        (single currency, no option), a swaption looking through to its underlying swap. A
        cross-currency swap or a cap/floor reports no underlier."""
        product = event.product
        if product.asset_class != "INTR" or product.contract_type not in RATE_INDEX_CONTRACTS:
            return False
        currencies = {leg.notional.currency for leg in event.legs if leg.notional}
        return len(currencies) <= 1

    # --- transaction data --------------------------------------------------------------------

    def _collateral_portfolio(self, parent: etree._Element, event: TradeEvent) -> None:
        # .001.04 splits the portfolio code into initial and variation margin codes; JFSA
        # collateral is reported in the margin report (auth.108), so the trade report states
        # no portfolio (NOAP) for both
        node = self.sub(parent, "CollPrtflCd/MrgnPrtflCd")
        self.sub(node, "InitlMrgnPrtflCd/NoPrtfl", "NOAP")
        self.sub(node, "VartnMrgnPrtflCd/NoPrtfl", "NOAP")

    def _platform(self, parent: etree._Element, event: TradeEvent) -> None:
        # JFSA "Platform identifier": the venue's MIC, XOFF or XXXX as the trade states it;
        # no default when the trade names none
        if event.execution_venue:
            self.sub(parent, "PltfmIdr", event.execution_venue)

    def _price(self, parent: etree._Element, event: TradeEvent) -> None:
        price = event.price
        if price is None:
            return
        if price.notation == "PERC":
            self.sub(parent, "TxPric/Pric/Dcml", price.value / 100)
        elif price.notation == "MONE":
            node = self.sub(parent, "TxPric")
            self._monetary_or_decimal(self.sub(node, "Pric"), price.value, price.currency)
            if event.product.asset_class == "COMM":
                # a commodity's fixed price is per unit of the quantity (FpML fixedPrice/
                # priceUnit = notionalQuantity/quantityUnit): JFSA "Price unit of measure"
                unit = next((iso_unit(leg.quantity_unit) for leg in event.legs
                             if iso_unit(leg.quantity_unit)), None)
                if unit:
                    self.sub(node, "UnitOfMeasr/Cd", unit)

    def _monetary_or_decimal(self, parent: etree._Element, value: Decimal,
                             currency: str | None) -> None:
        if currency and "/" not in currency:
            self.sub(parent, "MntryVal/Amt", value, Ccy=currency)
        else:
            self.sub(parent, "Dcml", value)  # e.g. an FX strike: a rate, not an amount

    def _notionals(self, parent: etree._Element, event: TradeEvent) -> None:
        amounts = [leg.notional for leg in event.legs[:2]]
        if any(amounts):
            node = self.sub(parent, "NtnlAmt")
            for name, money in zip(("FrstLeg", "ScndLeg"), amounts, strict=False):
                if money is not None:
                    self.sub(node, f"{name}/Amt/Amt", money.amount, Ccy=money.currency)
        # JFSA "Total notional quantity" with its unit of measure (.001.04 UnitOfMeasr); only a
        # quantity the trade states: no placeholder for an unknown one
        legs = [(name, leg) for name, leg in zip(("FrstLeg", "ScndLeg"), event.legs[:2],
                                                 strict=False) if leg.total_quantity is not None]
        if legs:
            node = self.sub(parent, "NtnlQty")
            for name, leg in legs:
                quantity = self.sub(node, name)
                self.sub(quantity, "TtlQty", leg.total_quantity)
                unit = iso_unit(leg.quantity_unit)
                if unit:
                    self.sub(quantity, "UnitOfMeasr/Cd", unit)

    def _derivative_event(self, parent: etree._Element, event: TradeEvent) -> None:
        node = self.sub(parent, "DerivEvt")
        event_type = self._event_type(event)
        if event_type:
            self.sub(node, "Tp", event_type)
        self._event_identity(node, event)

    def _event_type(self, event: TradeEvent) -> str | None:
        """JFSA "Event type": the business event the report follows. A correction (CORR)
        restates an earlier report's data and follows no new event, so DRR states none for it
        unless the event names one; a trade reported with no event is a trade (TRAD)."""
        if event.event_type:
            return str(event.event_type)
        if event.action_type == ActionType.CORR:
            return None
        return "TRAD"

    def _event_identity(self, node: etree._Element, event: TradeEvent) -> None:
        if event.event_id:
            self.sub(node, "Id/EvtIdr", event.event_id)
        if event.event_timestamp and _has_zone(event.event_timestamp_text):
            # DRR carries the source's event timestamp through as stated (FpML header
            # creationTimestamp), its offset and all of its fraction digits included
            self.sub(node, "TmStmp/DtTm", event.event_timestamp_text)
            return
        when = event.event_timestamp or event.execution_timestamp
        if when:
            self.sub(node, "TmStmp/DtTm", zoned_timestamp(when))

    def _clearing(self, parent: etree._Element, event: TradeEvent) -> None:
        # JFSA "Cleared": Y or N; no clearing obligation, no intragroup element. A trade
        # still to be cleared (I) has no cleared status yet.
        cleared = str(event.clearing.cleared)
        if cleared == "Y":
            node = self.sub(parent, "TradClr/ClrSts/Clrd")
            if event.clearing.ccp:
                self.sub(node, "Dtls/CCP/LEI", event.clearing.ccp)
        elif cleared == "N":
            self.sub(parent, "TradClr/ClrSts/NonClrd/Rsn", "NORE")

    def _dates(self, event: TradeEvent) -> tuple[date | None, date | None, date | None]:
        # unlike ESMA's, JFSA's FRA dates are the contract's own: effective on its start date,
        # expiring and settling on its end (termination) date
        return event.effective_date, event.expiration_date, event.final_settlement_date

    def _interest_rates(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.product.asset_class == "COMM":
            # JFSA "Spread of leg 1/2": a floating commodity leg's spread, a price per unit
            self._commodity_spreads(parent, event)
            return
        if event.product.asset_class not in ("INTR", "CRDT", "EQUI"):
            return
        legs = [(name, leg) for name, leg in zip(("FrstLeg", "ScndLeg"), event.legs[:2],
                                                 strict=False) if self._rate_leg(leg)]
        if not legs:
            return
        node = self.sub(parent, "IntrstRate")
        fra = event.product.contract_type == "FRAS"
        for name, leg in legs:
            if fra and leg_kind(leg) == "FLOATING":
                # an FRA's floating rate is its underlier (UndrlygInstrm/Indx); DRR's JFSA
                # floating rate rules skip FRAs (IndicatorOfTheFloatingRateOfLeg2Rule: not
                # IsFRA), so the floating leg states only its day count
                if leg.day_count:
                    self.sub(node, f"{name}/Fltg/DayCnt/Cd", leg.day_count)
                continue
            self._rate_leg_node(self.sub(node, name), leg)

    def _years(self, value: tuple[str, int | None]) -> tuple[str, int | None]:
        return value  # JFSA keeps a term's unit as the trade states it (12 MNTH, not 1 YEAR)

    def _rate_leg_node(self, parent: etree._Element, leg: Leg) -> None:
        super()._rate_leg_node(parent, leg)
        if leg_kind(leg) == "FIXED":
            # .001.04 states the fixed rate as a decimal fraction (0.0253 for 2.53 %)
            rate = parent.find(f"{{{NS}}}Fxd/{{{NS}}}Rate")
            if rate is not None:
                for child in list(rate):
                    rate.remove(child)
                self.sub(rate, "Dcml", leg.fixed_rate)

    def _currency(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.product.asset_class != "CURR" or event.exchange_rate is None:
            return
        node = self.sub(parent, "Ccy")
        self.sub(node, "XchgRate", event.exchange_rate)
        if event.exchange_rate_basis and "/" in event.exchange_rate_basis:
            base, quoted = event.exchange_rate_basis.split("/", 1)
            pair = self.sub(node, "XchgRateBsis/CcyPair")
            self.sub(pair, "BaseCcy", base)
            self.sub(pair, "QtdCcy", quoted)

    def _credit(self, parent: etree._Element, event: TradeEvent) -> None:
        super()._credit(parent, event)
        credit = event.credit
        if credit is None or not credit.reference_entity or event.option is not None:
            return
        # JFSA "Reference entity" of a single-name credit default swap: the entity's
        # identifier as the trade states it (DRR reports it in RefPty/LEI), after the
        # seniority; an option on a credit default swap states none (DRR)
        node = parent.find(f"{{{NS}}}Cdt")
        if node is None:
            node = self.sub(parent, "Cdt")
        reference = etree.Element(f"{{{NS}}}RefPty")
        self.sub(reference, "LEI", credit.reference_entity)
        seniority = node.find(f"{{{NS}}}Snrty")
        node.insert(0 if seniority is None else 1, reference)

    def _option(self, parent: etree._Element, event: TradeEvent) -> None:
        option = event.option
        if option is None:
            return
        node = self.sub(parent, "Optn")
        if option.option_type:
            self.sub(node, "Tp", option.option_type)
        if option.exercise_style:
            self.sub(node, "ExrcStyle", option.exercise_style)
        first_exercise = option.first_exercise_date or (
            min(option.exercise_dates) if option.exercise_dates else None)
        if first_exercise:
            self.sub(node, "ExrcDt/FrstExrcDt", day(first_exercise))
        if option.strike is not None:
            strike = self.sub(node, "StrkPric")
            if option.strike_notation == "MONE":
                self._monetary_or_decimal(strike, option.strike, option.strike_currency)
            else:
                self.sub(strike, "Dcml", option.strike)
        # OptionOrSwaption11's sequence: the call and put amounts come before the premium
        if option.call_amount is not None:
            self.sub(node, "CallAmt", option.call_amount.amount,
                     Ccy=option.call_amount.currency)
        if option.put_amount is not None:
            self.sub(node, "PutAmt", option.put_amount.amount, Ccy=option.put_amount.currency)
        if option.premium is not None:
            self.sub(node, "PrmAmt", option.premium.amount, Ccy=option.premium.currency)
        elif self._is_cap_floor(event):
            # a cap or floor is an interest rate stream with a cap/floor rate (no CDM option
            # payout): DRR states its JFSA "Option premium amount" as zero when none is paid;
            # an option with no premium states none
            self.sub(node, "PrmAmt", 0)
        if option.premium_payment_date:
            self.sub(node, "PrmPmtDt", day(option.premium_payment_date))
        if option.underlying_maturity_date:
            self.sub(node, "MtrtyDtOfUndrlyg", day(option.underlying_maturity_date))


    def _is_cap_floor(self, event: TradeEvent) -> bool:
        return (event.product.asset_class == "INTR" and event.product.contract_type == "OPTN"
                and any(leg_kind(leg) == "FLOATING" for leg in event.legs))


def _has_zone(text: str | None) -> bool:
    """Whether an ISO 8601 date-time text states its offset (Z or +hh:mm / -hh:mm)."""
    if not text or "T" not in text:
        return False
    clock = text.split("T", 1)[1]
    return clock.endswith("Z") or "+" in clock or "-" in clock


def zoned_timestamp(value: datetime) -> str:
    """ISO 8601 date-time in the offset the source stated it in (Z for UTC): DRR carries the
    event timestamp through as the FpML header gives it, e.g. 2004-01-24T04:36:35-08:00."""
    offset = value.utcoffset() if value.tzinfo else None
    if not offset:
        return timestamp(value) or ""
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def java_instant_text(value: datetime) -> str:
    """An instant as Java's `Instant.toString()` prints it (ISO 8601, UTC): seconds only when
    not zero, a fraction in groups of three digits only when there is one."""
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M")
    if utc.second or utc.microsecond:
        text += f":{utc.second:02d}"
    if utc.microsecond:
        fraction = f"{utc.microsecond:06d}"
        text += "." + (fraction[:3] if fraction.endswith("000") else fraction)
    return text + "Z"


def _looks_like_isin(value: str | None) -> bool:
    """ISO 6166 shape: a two-letter country prefix, nine alphanumerics and a check digit."""
    if not value or len(value) != 12:
        return False
    return value[:2].isalpha() and value.isalnum() and value[-1].isdigit()
