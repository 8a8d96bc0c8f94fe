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

from shared.domain.model import ActionType, Leg, OptionTerms, TradeEvent
from shared.formats.writers.auth030 import iso_unit
from shared.formats.writers.auth030_v04 import NS, Auth030V04Writer
from shared.formats.writers.derive import day, leg_kind, timestamp

# contracts whose underlier DRR's JFSA rules state as the floating rate index
RATE_INDEX_CONTRACTS = frozenset({"SWAP", "FRAS", "SWPT"})


class JfsaWriter(Auth030V04Writer):
    regime = "jfsa"
    # auth.030.001.04 TxData: JFSA reports no master agreement, no post-trade risk reduction
    TX_SEQUENCE: ClassVar[tuple[str, ...]] = (
        "_tx_identifier", "_collateral_portfolio", "_platform", "_price", "_notionals",
        "_delivery", "_execution", "_tx_dates", "_derivative_event", "_confirmation",
        "_clearing", "_interest_rates", "_package", "_currency", "_option", "_credit",
        "_other_payments",
    )

    # --- document -----------------------------------------------------------------------------

    def _common_data(self, common: etree._Element, event: TradeEvent, variant: str) -> None:
        if variant == "Err":
            self._error_data(common, event)
            return
        super()._common_data(common, event, variant)

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
        with no message id (CSV, JSONL) uses the trade's UTI in its place. An error report
        carries none."""
        base = event.message_id or event.uti
        if not base or ActionType(event.action_type) is ActionType.EROR:
            return None
        return f"{base}_{java_instant_text(stamp)}"

    # --- contract data -----------------------------------------------------------------------
    # JFSA identifies the counterparties only (no nature, sector, clearing threshold,
    # reporting obligation or broker) and the product by its UPI only (no CFI)

    def _first_settlement_currency(self, event: TradeEvent) -> str | None:
        """Settlement currency (CDE 2.31) of the first leg and, for a two-leg trade paying in a
        second currency, the second leg's (`SttlmCcyScndLeg`); an NDF's or a cash-settled
        option's fixing date goes with the settlement currency it fixes into."""
        first = event.product.settlement_currency
        if self._two_currency_legs(event):
            first = event.legs[0].settlement_currency or first
        return first

    def _second_settlement_currency(self, event: TradeEvent) -> str | None:
        return event.legs[1].settlement_currency if self._two_currency_legs(event) else None

    @staticmethod
    def _two_currency_legs(event: TradeEvent) -> bool:
        return len(event.legs) > 1 and event.product.asset_class != "CURR"

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
                    self._other_id(self.sub(ident, "OthrId"), underlier)
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
        # JFSA collateral is reported in the margin report (auth.108), so the trade report
        # states no portfolio (NOAP) for both margins
        self._no_margin_portfolio(self.sub(parent, "CollPrtflCd/MrgnPrtflCd"))

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

    def _notional_quantities(self, parent: etree._Element, event: TradeEvent) -> None:
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

    def _event_type(self, event: TradeEvent) -> str | None:
        """JFSA "Event type": the business event the report follows. A correction (CORR)
        restates an earlier report's data and follows no new event, so DRR states none for it
        unless the event names one; a trade reported with no event is a trade (TRAD)."""
        if event.event_type:
            return str(event.event_type)
        if event.action_type == ActionType.CORR:
            return None
        return "TRAD"

    def _event_timestamp(self, node: etree._Element, event: TradeEvent) -> None:
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
        if str(event.clearing.cleared) in ("Y", "N"):
            self._cleared_status(self.sub(parent, "TradClr"), event)

    def _dates(self, event: TradeEvent) -> tuple[date | None, date | None, date | None]:
        # unlike ESMA's, JFSA's FRA dates are the contract's own: effective on its start date,
        # expiring and settling on its end (termination) date
        return event.effective_date, event.expiration_date, event.final_settlement_date

    def _rate_leg_entry(self, node: etree._Element, name: str, leg: Leg,
                        event: TradeEvent) -> None:
        if event.product.contract_type == "FRAS" and leg_kind(leg) == "FLOATING":
            # an FRA's floating rate is its underlier (UndrlygInstrm/Indx); DRR's JFSA
            # floating rate rules skip FRAs (IndicatorOfTheFloatingRateOfLeg2Rule: not
            # IsFRA), so the floating leg states only its day count
            if leg.day_count:
                self.sub(node, f"{name}/Fltg/DayCnt/Cd", leg.day_count)
            return
        super()._rate_leg_entry(node, name, leg, event)

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

    def _first_exercise_date(self, option: OptionTerms) -> date | None:
        return option.first_exercise_date or (
            min(option.exercise_dates) if option.exercise_dates else None)

    def _strike(self, node: etree._Element, option: OptionTerms) -> None:
        assert option.strike is not None
        if option.strike_notation == "MONE":
            self._monetary_or_decimal(node, option.strike, option.strike_currency)
        else:
            self.sub(node, "Dcml", option.strike)

    def _option_premium(self, node: etree._Element, event: TradeEvent) -> None:
        option = event.option
        assert option is not None
        if option.premium is not None:
            self.sub(node, "PrmAmt", option.premium.amount, Ccy=option.premium.currency)
        elif self._is_cap_floor(event):
            # a cap or floor is an interest rate stream with a cap/floor rate (no CDM option
            # payout): DRR states its JFSA "Option premium amount" as zero when none is paid;
            # an option with no premium states none
            self.sub(node, "PrmAmt", 0)
        if option.premium_payment_date:
            self.sub(node, "PrmPmtDt", day(option.premium_payment_date))

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
