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
from datetime import datetime
from decimal import Decimal

from lxml import etree

from shared.domain.model import ActionType, Leg, Money, TradeEvent, Underlier
from shared.formats.writers.auth030 import ISO_UNITS, SLIM_VARIANTS, Auth030Writer
from shared.formats.writers.derive import basis_points, day, leg_kind, timestamp
from shared.formats.writers.hkma import quantity_period

NS = "urn:iso:std:iso:20022:tech:xsd:auth.030.001.04"
# ISO 6166: country prefix, 9 alphanumerics, check digit (an index's code of that shape, such as
# a CDX RED pair code, goes in the index's ISIN element, as DRR reports it)
ISIN_SHAPE = re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]")
# DRR states an unknown notional quantity with the schema's largest value
UNKNOWN_QUANTITY = Decimal("9999999999999999999999999")
# and a price it cannot state with the largest of its 11-digit decimal prices
UNAVAILABLE_PRICE = Decimal("99999999999")


class MasWriter(Auth030Writer):
    regime = "mas"
    namespace = NS
    # TxData's children as MAS fills them, in the auth.030.001.04 schema's order: no
    # MstrAgrmt, PstTradRskRdctnFlg (EMIR-only fields), no Cdt (MAS asks no index series,
    # version, factor, seniority or tranche)
    TX_SEQUENCE = (
        "_tx_identifier", "_collateral_portfolio", "_platform", "_price", "_notionals",
        "_delivery", "_execution", "_tx_dates", "_derivative_event", "_confirmation",
        "_clearing", "_interest_rates", "_package", "_currency", "_option", "_other_payments",
    )

    def _report(self, rpt: etree._Element, event: TradeEvent,
                reporting_timestamp: datetime) -> None:
        super()._report(rpt, event, reporting_timestamp)
        body = rpt[-1]
        # auth.030.001.04 drops EMIR's Lvl (MAS reports transactions only, no positions) and
        # closes each report with its technical attributes: the message's technical record id
        # where the reporting counterparty's trade information is registered with MAS (DRR),
        # and the time the report was received: for a report made here, its reporting time
        level = body.find(f"{{{NS}}}Lvl")
        if level is not None:
            body.remove(level)
        attributes = self.sub(body, "TechAttrbts")
        cp1 = event.counterparty_1
        if event.event_id and cp1 is not None and "MAS" in cp1.supervisory_bodies:
            self.sub(attributes, "TechRcrdId", event.event_id)
        self.sub(attributes, "RptRctTmStmp", timestamp(reporting_timestamp))

    # --- counterparty-specific data -----------------------------------------------------------

    def _counterparty_data(self, parent: etree._Element, event: TradeEvent, stamp: datetime,
                           variant: str) -> None:
        full = variant not in SLIM_VARIANTS
        cpty = self.sub(parent, "CtrPty")
        rptg = self.sub(cpty, "RptgCtrPty")
        cp1, cp2 = event.counterparty_1, event.counterparty_2
        if cp1 is not None:
            self.sub(rptg, "Id/Lgl/Id/LEI", cp1.identifier)
            if full:
                self._direction(rptg, event)
                # MAS field "booking location": the country (ISO 3166 alpha-2) of the
                # reporting counterparty's branch or office that books the trade
                if cp1.country:
                    self.sub(rptg, "BookgLctn", cp1.country)
        if cp2 is not None and variant != "Err":
            # MAS asks the other counterparty's identifier only: no nature, sector or
            # reporting obligation (EMIR Table 1 fields 1.9-1.13); an error report names the
            # reporting side only
            self.sub(cpty, "OthrCtrPty/IdTp/Lgl/Id/LEI", cp2.identifier)
        if event.submitting_entity:
            self.sub(cpty, "SubmitgAgt/LEI", event.submitting_entity)
        if event.entity_responsible:
            self.sub(cpty, "NttyRspnsblForRpt/LEI", event.entity_responsible)
        if full:
            self._execution_agents(cpty, event)
        if variant == "ValtnUpd" and event.valuation is not None:
            self._valuation(parent, event)
        self.sub(parent, "RptgTmStmp", timestamp(stamp))

    def _execution_agents(self, parent: etree._Element, event: TradeEvent) -> None:
        """CDE "execution agent", one per counterparty: the reporting counterparty's first
        (NOAP when it has none but the other counterparty does), then the other's."""
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

    def _contract_data(self, parent: etree._Element, event: TradeEvent) -> None:
        product = event.product
        if product.contract_type:
            self.sub(parent, "CtrctTp", product.contract_type)
        if product.asset_class:
            self.sub(parent, "AsstClss", str(product.asset_class))
        # no PdctClssfctn (CFI): MAS identifies the product by its UPI
        if product.upi:
            self.sub(parent, "PdctId/UnqPdctIdr/Id", product.upi)
        self._underlying(parent, event)
        if product.settlement_currency:
            self.sub(parent, "SttlmCcy/Ccy", product.settlement_currency)
        second = event.legs[1].settlement_currency if len(event.legs) > 1 else None
        if second:
            # CDE "settlement currency" of leg 2 (auth.030.001.04 SttlmCcyScndLeg)
            self.sub(parent, "SttlmCcyScndLeg/Ccy", second)
        # no DerivBasedOnCrptAsst: an EMIR Refit field

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
        node = self.sub(parent, other)
        self.sub(node, "Id", underlier.identifier)
        self.sub(node, "Src", underlier.id_scheme or "Other")

    # --- transaction data --------------------------------------------------------------------

    def _transaction_data(self, parent: etree._Element, event: TradeEvent,
                          variant: str) -> None:
        super()._transaction_data(parent, event, variant)
        if variant == "Err":
            # an error report (action type EROR) identifies the trade and states when the
            # error was found (CDE "event timestamp"), no event type (DRR)
            self._event_timestamp(self.sub(parent, "DerivEvt"), event)

    def _collateral_portfolio(self, parent: etree._Element, event: TradeEvent) -> None:
        """auth.030.001.04 asks the initial and the variation margin portfolio codes apart.
        A trade in no portfolio states NOAP for both; a portfolio code not stated as the
        initial or the variation margin one fills neither, so nothing is reported (DRR)."""
        if event.collateral is not None and event.collateral.portfolio_code:
            return
        node = self.sub(parent, "CollPrtflCd/MrgnPrtflCd")
        self.sub(node, "InitlMrgnPrtflCd/NoPrtfl", "NOAP")
        self.sub(node, "VartnMrgnPrtflCd/NoPrtfl", "NOAP")

    def _platform(self, parent: etree._Element, event: TradeEvent) -> None:
        # CDE "platform identifier": the MIC of the execution facility the trade names, as
        # given (XXXX, XOFF or a venue's MIC); no EMIR-style XXXX default when none is named
        if event.execution_venue:
            self.sub(parent, "PltfmIdr", event.execution_venue)

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
            self.sub(parent, "TxPric/Pric/Dcml", UNAVAILABLE_PRICE)
            return
        if price is None or price.notation not in ("PERC", "MONE"):
            return
        node = self.sub(parent, "TxPric")
        if price.notation == "PERC":
            self.sub(node, "Pric/Dcml", price.value / 100)
        else:
            self.sub(node, "Pric/MntryVal/Amt", price.value,
                     **({"Ccy": price.currency} if price.currency else {}))
        first = event.legs[0] if event.legs else None
        unit = first.quantity_unit if first is not None else None
        if unit is None and first is not None and first.notional is not None and \
                event.product.asset_class != "COMM":
            unit = "ACCY"  # per amount of currency; a commodity's price is per its unit only
        if unit in ISO_UNITS:
            self.sub(node, "UnitOfMeasr/Cd", unit)

    def _notionals(self, parent: etree._Element, event: TradeEvent) -> None:
        """CDE "notional amount" and "total notional quantity" of each leg; a known quantity
        with its unit of measure and its quantity schedule (`Dtls/Term`, CDE "notional
        quantity"): a commodity leg's quantity per period of delivery, another's total."""
        amounts = [leg.notional for leg in event.legs[:2]]
        if any(amounts):
            node = self.sub(parent, "NtnlAmt")
            for name, money in zip(("FrstLeg", "ScndLeg"), amounts, strict=False):
                if money is not None:
                    self.sub(node, f"{name}/Amt/Amt", money.amount, Ccy=money.currency)
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

    def _derivative_event(self, parent: etree._Element, event: TradeEvent) -> None:
        # auth.030.001.04: the event timestamp is a date and time (CDE "event timestamp"),
        # as the source wrote it (DRR keeps its offset and precision)
        node = self.sub(parent, "DerivEvt")
        if event.action_type != ActionType.CORR:
            # a correction restates the trade and is no event of its own: no event type (DRR)
            self.sub(node, "Tp", str(event.event_type or "TRAD"))
        self._event_timestamp(node, event)

    def _event_timestamp(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.event_timestamp and event.event_timestamp_text:
            self.sub(parent, "TmStmp/DtTm", event.event_timestamp_text)
            return
        when = event.event_timestamp or event.execution_timestamp
        if when:
            self.sub(parent, "TmStmp/DtTm", timestamp(when))

    def _clearing(self, parent: etree._Element, event: TradeEvent) -> None:
        """CDE "cleared": cleared (with its CCP) or not cleared. MAS has no clearing
        obligation nor intragroup field (EMIR 2.31, 2.38); a trade still intended to be
        cleared has no clearing status yet, so DRR reports none."""
        cleared = str(event.clearing.cleared)
        if cleared == "I":
            return
        node = self.sub(parent, "TradClr")
        if cleared == "Y":
            detail = self.sub(node, "ClrSts/Clrd")
            if event.clearing.ccp:
                self.sub(detail, "Dtls/CCP/LEI", event.clearing.ccp)
        else:
            self.sub(node, "ClrSts/NonClrd/Rsn", "NORE")

    def _interest_rates(self, parent: etree._Element, event: TradeEvent) -> None:
        # an FRA's legs are reported as they stand (fixed first), unlike ESMA's FRA rule
        if event.product.asset_class == "COMM":
            self._commodity_spreads(parent, event)  # a spread in money per unit
            return
        if event.product.asset_class not in ("INTR", "CRDT", "EQUI"):
            return
        legs = [(name, leg) for name, leg in zip(("FrstLeg", "ScndLeg"), event.legs[:2],
                                                 strict=False) if self._rate_leg(leg)]
        if legs:
            node = self.sub(parent, "IntrstRate")
            for name, leg in legs:
                self._rate_leg_node(self.sub(node, name), leg)

    def _years(self, value: tuple[str, int | None]) -> tuple[str, int | None]:
        return value  # a term is reported in the unit the trade states it (12M stays MNTH 12)

    def _package(self, parent: etree._Element, event: TradeEvent) -> None:
        # CDE "package identifier" only: MAS asks no package transaction price or spread
        if event.package_id:
            self.sub(parent, "Packg/CmplxTradId", event.package_id)

    def _rate_leg_node(self, parent: etree._Element, leg: Leg) -> None:
        if leg_kind(leg) == "FIXED":
            node = self.sub(parent, "Fxd")
            # auth.030.001.04 Rate/Dcml: the CDE fixed rate as a decimal fraction
            self.sub(node, "Rate/Dcml", leg.fixed_rate)
            if leg.day_count:
                self.sub(node, "DayCnt/Cd", leg.day_count)
            self._term(node, "PmtFrqcy", leg.payment_frequency)
            return
        # MAS has no floating rate identifier or reference period here (DRR reports neither)
        node = self.sub(parent, "Fltg")
        if leg.spread is not None:
            self.sub(node, "Sprd/BsisPtSprd", basis_points(leg.spread))
        if leg.day_count:
            self.sub(node, "DayCnt/Cd", leg.day_count)
        self._term(node, "PmtFrqcy", leg.payment_frequency)
        self._term(node, "RstFrqcy", leg.reset_frequency)

    def _currency(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.product.asset_class != "CURR" or event.exchange_rate is None:
            return
        node = self.sub(parent, "Ccy")
        # auth.030.001.04 XchgRate (CDE "exchange rate"), EMIR's FwdXchgRate
        self.sub(node, "XchgRate", event.exchange_rate)
        if event.exchange_rate_basis and "/" in event.exchange_rate_basis:
            base, quoted = event.exchange_rate_basis.split("/", 1)
            pair = self.sub(node, "XchgRateBsis/CcyPair")
            self.sub(pair, "BaseCcy", base)
            self.sub(pair, "QtdCcy", quoted)

    def _option(self, parent: etree._Element, event: TradeEvent) -> None:
        option = event.option
        if option is None:
            return
        node = self.sub(parent, "Optn")
        if option.option_type:
            self.sub(node, "Tp", option.option_type)
        if option.exercise_style:
            self.sub(node, "ExrcStyle", option.exercise_style)
        first = option.first_exercise_date or next(iter(option.exercise_dates), None)
        if first:
            self.sub(node, "ExrcDt/FrstExrcDt", day(first))
        if option.strike is not None:
            if option.strike_notation == "MONE":
                self.sub(node, "StrkPric/MntryVal/Amt", option.strike,
                         **({"Ccy": option.strike_currency} if option.strike_currency else {}))
            else:
                self.sub(node, "StrkPric/Dcml", option.strike)
        for name, money in (("CallAmt", option.call_amount), ("PutAmt", option.put_amount)):
            if money is not None:
                self.sub(node, name, money.amount, Ccy=money.currency)
        premium = option.premium
        notional = event.notional()
        if premium is None and notional is not None:
            # CDE "option premium amount": zero when the trade states no premium (DRR),
            # in the notional's currency; EMIR states an unknown one as 99...9 instead
            premium = Money(amount=Decimal(0), currency=notional.currency)
        if premium is not None:
            self.sub(node, "PrmAmt", premium.amount, Ccy=premium.currency)
