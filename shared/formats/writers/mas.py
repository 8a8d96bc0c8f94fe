"""MAS (Singapore) SF(RDC)R report, auth.030.001.04, as `Auth030Writer` builds it.

Starts from the ISO 20022 document every auth.030 regime shares; the elements this regime's
rules fill differently are overridden here. MAS's field set (SF(RDC)R First Schedule, the
MAS OTC derivatives reporting guidelines' Annex D Table 2, live 21 October 2024) is the
CPMI-IOSCO critical data elements, without EMIR's own fields (counterparty nature and sector,
reporting obligation of the other counterparty, broker, product classification, crypto-asset
flag, master agreement, post-trade risk reduction, clearing obligation, intragroup, level,
credit index series/version/seniority/tranche), and a few of its own (booking location).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from shared.domain.model import Leg, Money, OptionTerms, TradeEvent, Underlier
from shared.formats.writers.auth030 import ISO_UNITS
from shared.formats.writers.auth030_v04 import NS as NS  # the regime's namespace, re-exported
from shared.formats.writers.auth030_v04 import (
    PRICE_NOT_AVAILABLE,
    UNKNOWN_QUANTITY,
    Auth030V04Writer,
    quantity_period,
)

# ISO 6166: country prefix, 9 alphanumerics, check digit (an index's code of that shape, such as
# a CDX RED pair code, goes in the index's ISIN element, as DRR reports it)
ISIN_SHAPE = re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]")


class MasWriter(Auth030V04Writer):
    regime = "mas"
    # TxData's children as MAS fills them, in the auth.030.001.04 schema's order: no
    # MstrAgrmt, PstTradRskRdctnFlg (EMIR-only fields), no Cdt (MAS asks no index series,
    # version, factor, seniority or tranche)
    TX_SEQUENCE = (
        "_tx_identifier", "_collateral_portfolio", "_platform", "_price", "_notionals",
        "_delivery", "_execution", "_tx_dates", "_derivative_event", "_confirmation",
        "_clearing", "_interest_rates", "_package", "_currency", "_option", "_other_payments",
    )
    CRYPTO_ASSET_FLAG = False  # an EMIR Refit field
    BOOKING_LOCATION = True  # MAS field "booking location"
    EXECUTION_AGENTS = True
    EVENT_ID = False
    # MAS reports transactions only (no positions): each report closes with the time it was
    # received, for a report made here its reporting time
    RECEIPT_TIMESTAMP = True
    UNDERLYING_MATURITY = False

    def _technical_record_id(self, event: TradeEvent, stamp: datetime) -> str | None:
        # the message's technical record id where the reporting counterparty's trade
        # information is registered with MAS (DRR)
        cp1 = event.counterparty_1
        if event.event_id and cp1 is not None and "MAS" in cp1.supervisory_bodies:
            return event.event_id
        return None

    # --- contract data -----------------------------------------------------------------------
    # no PdctClssfctn (CFI): MAS identifies the product by its UPI; the other counterparty by
    # its identifier only: no nature, sector or reporting obligation (EMIR Table 1 1.9-1.13)

    def _underlying(self, parent: etree._Element, event: TradeEvent) -> None:
        """CDE "underlier ID": each instrument by its ISIN, else by its other identifier and
        that identifier's source; a basket (even of one constituent) as its constituents; an
        index by its identifier and name. MAS has no underlying field for interest-rate
        products (the floating rate is not an underlier, unlike EMIR's FRA index)."""
        product = event.product
        if product.asset_class == "COMM":
            return  # a commodity reference price is no instrument with an ISIN or identifier
        instruments = [u for u in product.underliers if u.source != "INDX"]
        index = next((u for u in product.underliers if u.source == "INDX"), None)
        if instruments and (product.custom_basket or product.basket_id
                            or product.underlier_basket):
            basket = self.sub(parent, "UndrlygInstrm/Bskt")
            for underlier in instruments:
                self._instrument(self.sub(basket, "Cnsttnts/InstrmId"), underlier, "OthrId")
            return
        if instruments:
            self._instrument(self.sub(parent, "UndrlygInstrm"), instruments[0], "Othr")
            return
        if index is not None:
            node = self.sub(parent, "UndrlygInstrm/Indx")
            if ISIN_SHAPE.fullmatch(index.identifier):
                self.sub(node, "ISIN", index.identifier)
            self.sub(node, "Nm", index.name or index.identifier)

    def _instrument(self, parent: etree._Element, underlier: Underlier, other: str) -> None:
        if underlier.source == "ISIN":
            self.sub(parent, "ISIN", underlier.identifier)
            return
        self._other_id(self.sub(parent, other), underlier)

    # --- transaction data --------------------------------------------------------------------

    def _transaction_data(self, parent: etree._Element, event: TradeEvent,
                          variant: str) -> None:
        super()._transaction_data(parent, event, variant)
        if variant == "Err":
            # an error report (action type EROR) identifies the trade and states when the
            # error was found (CDE "event timestamp"), no event type (DRR)
            self._event_timestamp(self.sub(parent, "DerivEvt"), event)

    def _price(self, parent: etree._Element, event: TradeEvent) -> None:
        """CDE "price": auth.030.001.04 states a percentage as a decimal fraction (72.66 % is
        0.7266), with the unit the price is per: an amount of the notional's currency
        (ISO 20022 unit of measure ACCY) or the quantity's unit (shares, index points)."""
        price = event.price
        variance = event.variance
        if price is None and variance is not None and (
                variance.volatility_strike is not None or variance.variance_strike is not None):
            # a variance swap's price is its volatility (variance) strike, which DRR does not
            # state as the trade's price: it reports its "price not available" value
            self.sub(parent, "TxPric/Pric/Dcml", PRICE_NOT_AVAILABLE)
            return
        if price is None or price.notation not in ("PERC", "MONE"):
            return
        node = self.sub(parent, "TxPric")
        self._price_value(node, price)
        first = event.legs[0] if event.legs else None
        unit = first.quantity_unit if first is not None else None
        if unit is None and first is not None and first.notional is not None and \
                event.product.asset_class != "COMM":
            unit = "ACCY"  # per amount of currency; a commodity's price is per its unit only
        if unit in ISO_UNITS:
            self.sub(node, "UnitOfMeasr/Cd", unit)

    def _notional_quantities(self, parent: etree._Element, event: TradeEvent) -> None:
        """CDE "total notional quantity" of each leg; a known quantity with its unit of
        measure and its quantity schedule (`Dtls/Term`, CDE "notional quantity"): a commodity
        leg's quantity per period of delivery, another's total."""
        legs = event.legs[:2]
        asset_class = str(event.product.asset_class)
        if asset_class in ("EQUI", "COMM") and legs and legs[0].total_quantity is None:
            # DRR: an unknown quantity as the schema's largest value, on each leg of a
            # commodity swap (a strip of periods has no known leg quantity), else the first
            both = asset_class == "COMM" and event.product.contract_type == "SWAP"
            node = self.sub(parent, "NtnlQty")
            for name in ("FrstLeg", "ScndLeg")[:2 if both else 1]:
                self.sub(node, f"{name}/TtlQty", UNKNOWN_QUANTITY)
            return
        node = None
        for index, (name, leg) in enumerate(zip(("FrstLeg", "ScndLeg"), legs, strict=False)):
            if leg.total_quantity is None:
                continue
            node = node if node is not None else self.sub(parent, "NtnlQty")
            side = self.sub(node, name)
            self.sub(side, "TtlQty", leg.total_quantity)
            if leg.quantity_unit in ISO_UNITS:
                self.sub(side, "UnitOfMeasr/Cd", leg.quantity_unit)
            if asset_class == "COMM":
                self._quantity_term(side, event, leg)
            elif index == 0:
                self.sub(side, "Dtls/Term/Qty", leg.total_quantity)

    def _quantity_term(self, parent: etree._Element, event: TradeEvent, leg: Leg) -> None:
        """A commodity leg's quantity per delivery period (`Dtls/Term`: the quantity, the
        period's count `Val` where stated and its unit `TmUnit`: 1 DAIL for a quantity per
        calendar day, the calculation period for one per calculation period, EXPI without a
        count for the whole term). DRR details no schedule for a commodity forward."""
        if event.product.contract_type == "FORW":
            return
        term = self.sub(parent, "Dtls/Term")
        self.sub(term, "Qty", leg.quantity if leg.quantity is not None else leg.total_quantity)
        period = quantity_period(leg)
        if period is None:
            return
        unit, count = period
        if count:
            self.sub(term, "Val", count)
        self.sub(term, "TmUnit", unit)

    def _clearing(self, parent: etree._Element, event: TradeEvent) -> None:
        """CDE "cleared": cleared (with its CCP) or not cleared. MAS has no clearing
        obligation nor intragroup field (EMIR 2.31, 2.38); a trade still intended to be
        cleared has no clearing status yet, so DRR reports none."""
        if str(event.clearing.cleared) == "I":
            return
        self._cleared_status(self.sub(parent, "TradClr"), event)

    def _package(self, parent: etree._Element, event: TradeEvent) -> None:
        # CDE "package identifier" only: MAS asks no package transaction price or spread
        if event.package_id:
            self.sub(parent, "Packg/CmplxTradId", event.package_id)

    def _floating_rate_node(self, node: etree._Element, leg: Leg, event: TradeEvent) -> None:
        # MAS has no floating rate identifier or reference period here (DRR reports neither)
        self._floating_terms(node, leg)

    def _first_exercise_date(self, option: OptionTerms) -> date | None:
        return option.first_exercise_date or next(iter(option.exercise_dates), None)

    def _option_premium(self, node: etree._Element, event: TradeEvent) -> None:
        option = event.option
        assert option is not None
        premium = option.premium
        notional = event.notional()
        if premium is None and notional is not None:
            # CDE "option premium amount": zero when the trade states no premium (DRR),
            # in the notional's currency; EMIR states an unknown one as 99...9 instead
            premium = Money(amount=Decimal(0), currency=notional.currency)
        if premium is not None:
            self.sub(node, "PrmAmt", premium.amount, Ccy=premium.currency)
