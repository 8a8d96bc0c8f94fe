"""ASIC (Australia) derivative transaction report, auth.030.001.04, as `Auth030Writer` builds it.

ASIC Derivative Transaction Rules (Reporting) 2024 (in force 21 October 2024), Schedule 1
Part S1.3 lists the Derivative Transaction Information; Rule 2.2.4 has it reported with the tags
of the ISO 20022 auth.030 message. The document shape is the one every auth.030 regime shares;
what ASIC's field set leaves out or states differently from ESMA's EMIR Refit is overridden here
(element names and paths as in the DRR 6.10 ASIC projection).

Two groups of differences from EMIR:
- auth.030.001.04 shape (shared with the JFSA, MAS and HKMA reports): rates, strikes and prices
  as decimal fractions (`Dcml`) instead of percentages, the derivative event's timestamp as a
  date-time (`DerivEvt/TmStmp/DtTm`), the margin portfolio codes split into initial and
  variation margin (`CollPrtflCd/MrgnPrtflCd`), no `Lvl`, and `TechAttrbts` closing the report.
- ASIC's own field set: no counterparty nature, sector, clearing threshold or reporting
  obligation, no product classification, crypto-asset flag, delivery type, settlement date,
  master agreement, post-trade risk reduction flag, confirmation or clearing obligation, no
  option type or exercise style, no credit seniority, series or version; but a secondary
  transaction identifier, beneficiary and execution agents, the event identifier, the second
  leg's settlement currency, FX options' call and put amounts and the notional quantity's terms.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from shared.domain.model import Leg, OptionTerms, Party, TradeEvent
from shared.formats.writers.auth030 import SLIM_VARIANTS, iso_unit
from shared.formats.writers.auth030_v04 import NS as NS  # the regime's namespace, re-exported
from shared.formats.writers.auth030_v04 import (
    PRICE_NOT_AVAILABLE,
    UNKNOWN_QUANTITY,
    Auth030V04Writer,
)
from shared.formats.writers.derive import day, frequency


class AsicWriter(Auth030V04Writer):
    regime = "asic"
    # TxData's children in auth.030.001.04 order, less what ASIC's Schedule 1 does not ask for
    # (delivery type, master agreement, post-trade risk reduction, confirmation)
    TX_SEQUENCE = (
        "_tx_identifier", "_secondary_identifier", "_collateral_portfolio", "_platform",
        "_price", "_notionals", "_execution", "_tx_dates", "_derivative_event", "_clearing",
        "_interest_rates", "_package", "_currency", "_option", "_credit", "_other_payments",
    )
    CRYPTO_ASSET_FLAG = False  # no crypto-asset flag in ASIC's Schedule 1
    BROKER = True
    EXECUTION_AGENTS = True
    # DRR states the report's own timestamp as the receipt timestamp the repository later
    # overwrites
    RECEIPT_TIMESTAMP = True
    RESET_FREQUENCY = False  # no reset frequency in Schedule 1
    SETTLEMENT_DATE = False  # no settlement date in Schedule 1

    # --- report shape (auth.030.001.04) ---------------------------------------------------

    def _transaction_data(self, parent: etree._Element, event: TradeEvent,
                          variant: str) -> None:
        if variant in SLIM_VARIANTS:
            # an error or valuation report still names the event it is about
            self._tx_identifier(parent, event)
            self._derivative_event(parent, event, slim=True)
            return
        super()._transaction_data(parent, event, variant)

    # --- counterparty-specific data ------------------------------------------------------
    # ASIC 2024 Rules S1.3.1: counterparties by identifier only (no nature, sector, clearing
    # threshold or reporting obligation, which are EMIR Refit fields)

    def _reporting_counterparty(self, cpty: etree._Element, event: TradeEvent,
                                full: bool) -> None:
        if event.counterparty_1 is not None:
            super()._reporting_counterparty(cpty, event, full)

    def _other_counterparty(self, cpty: etree._Element, party: Party, variant: str) -> None:
        if variant not in SLIM_VARIANTS:
            self.sub(cpty, "OthrCtrPty/IdTp/Lgl/Id/LEI", party.identifier)

    def _beneficiary(self, cpty: etree._Element, party: Party | None) -> None:
        if party is not None and party.beneficiary:
            # the beneficiary named by the reporting counterparty (ASIC "Beneficiary 1")
            self.sub(cpty, "Bnfcry/Lgl/Id/LEI", party.beneficiary)

    # --- contract data -------------------------------------------------------------------
    # no CFI classification in ASIC's Schedule 1

    def _second_settlement_currency(self, event: TradeEvent) -> str | None:
        """ASIC "Settlement currency of leg 2": a swap's second leg settles on its own. A
        commodity swap's settlement currency is its first commodity price leg's only (leg 2
        of a fixed/floating swap, none of a floating/floating one); any other swap's second
        leg settles in the trade's settlement currency unless it states its own."""
        if event.product.contract_type != "SWAP" or len(event.legs) < 2:
            return None
        if event.product.asset_class == "COMM":
            return event.legs[1].settlement_currency
        if not event.product.settlement_currency:
            return None
        return event.legs[1].settlement_currency or event.product.settlement_currency

    def _underlying(self, parent: etree._Element, event: TradeEvent) -> None:
        """An ISIN where there is one, else the identifier with its source (`Othr`): ASIC's
        underlier identification takes no index code or index name."""
        product = event.product
        if product.asset_class == "COMM":
            return  # a commodity's reference price is no instrument with an identifier
        underliers = product.underliers
        isin = next((u for u in underliers if u.source == "ISIN"), None)
        if product.custom_basket or product.basket_id or product.underlier_basket:
            if not underliers and not product.basket_id:
                return
            node = self.sub(parent, "UndrlygInstrm/Bskt")
            if product.basket_id:
                self.sub(node, "Id", product.basket_id)
            for underlier in underliers:
                if underlier.source == "ISIN":
                    self.sub(node, "Cnsttnts/InstrmId/ISIN", underlier.identifier)
                else:
                    self._other_id(self.sub(node, "Cnsttnts/InstrmId/OthrId"), underlier)
            return
        if isin is not None:
            self.sub(parent, "UndrlygInstrm/ISIN", isin.identifier)
            return
        index = next((u for u in underliers if u.source == "INDX"), None)
        if index is not None:
            if _looks_like_isin(index.identifier):
                self.sub(parent, "UndrlygInstrm/ISIN", index.identifier)
            else:
                other = self.sub(parent, "UndrlygInstrm/Othr")
                self.sub(other, "Id", index.name or index.identifier)
                self.sub(other, "Src", "Name")
            return
        single = next(iter(underliers), None)
        if single is not None and single.source == "OTHR":
            self._other_id(self.sub(parent, "UndrlygInstrm/Othr"), single)

    # --- transaction data ----------------------------------------------------------------

    def _secondary_identifier(self, parent: etree._Element, event: TradeEvent) -> None:
        # ASIC "Secondary transaction identifier": the trade's one other identifier
        if event.secondary_trade_id and event.secondary_trade_id != event.uti:
            self.sub(parent, "ScndryTxId", event.secondary_trade_id)

    def _collateral_portfolio(self, parent: etree._Element, event: TradeEvent) -> None:
        # a trade's collateral portfolio is the variation margin's; with none, neither margin
        # is portfolio-managed (NOAP)
        portfolio = event.collateral.portfolio_code if event.collateral else None
        node = self.sub(parent, "CollPrtflCd/MrgnPrtflCd")
        if portfolio:
            self.sub(node, "VartnMrgnPrtflCd/Prtfl/Cd", portfolio)
        else:
            self._no_margin_portfolio(node)

    def _price(self, parent: etree._Element, event: TradeEvent) -> None:
        price = event.price
        if price is None and event.variance is not None:
            # a variance swap is priced by its volatility strike, in volatility points: not
            # a price ASIC's "Price" can state (an amount, decimal or percentage), so DRR
            # reports the price as not available
            self.sub(parent, "TxPric/Pric/Dcml", PRICE_NOT_AVAILABLE)
            return
        if price is None or price.notation not in ("PERC", "MONE"):
            return
        node = self.sub(parent, "TxPric")
        self._price_value(node, price)
        if price.notation == "PERC":
            return
        # a commodity's price is per unit of the quantity it is traded in
        unit = next((leg.quantity_unit for leg in event.legs if leg.quantity_unit), None)
        if event.product.asset_class == "COMM" and iso_unit(unit):
            self.sub(node, "UnitOfMeasr/Cd", unit)

    def _notional_quantities(self, parent: etree._Element, event: TradeEvent) -> None:
        quantified = self._quantity_legs(event)
        known: list[Leg | None] = list(event.legs[:2])
        if event.product.asset_class == "COMM" and event.product.contract_type == "SWAP":
            # a commodity swap has two quantity legs even where no leg can be told apart
            # (a strip of fixed and floating legs): both are then unknown
            known += [None] * (2 - len(known))
        legs = [(name, leg) for index, (name, leg) in enumerate(zip(
                    ("FrstLeg", "ScndLeg"), known, strict=False))
                if (leg is not None and leg.total_quantity is not None) or index < quantified]
        if not legs:
            return
        node = self.sub(parent, "NtnlQty")
        for name, leg in legs:
            qty = self.sub(node, name)
            if leg is None or leg.total_quantity is None:
                # DRR states an unknown quantity with the schema's largest value, as for EMIR
                self.sub(qty, "TtlQty", UNKNOWN_QUANTITY)
                continue
            # ASIC "Notional quantity": the total, its unit and the quantity per term
            self.sub(qty, "TtlQty", leg.total_quantity)
            if iso_unit(leg.quantity_unit):
                self.sub(qty, "UnitOfMeasr/Cd", leg.quantity_unit)
            self.sub(qty, "Dtls/Term/Qty", leg.quantity if leg.quantity is not None
                     else leg.total_quantity)

    def _quantity_legs(self, event: TradeEvent) -> int:
        """How many legs (from the first) are denominated in a quantity: every leg of a
        commodity derivative, an equity derivative's equity (first) leg only; the other leg
        of an equity swap is in money."""
        return {"COMM": 2, "EQUI": 1}.get(str(event.product.asset_class), 0)

    def _derivative_event(self, parent: etree._Element, event: TradeEvent,
                          slim: bool = False) -> None:
        # ASIC "Event type", "Event identifier" and "Event timestamp" (a date-time in .04); an
        # error or valuation report states the timestamp only
        if slim:
            node = self.sub(parent, "DerivEvt")
            self._event_timestamp(node, event)
        else:
            super()._derivative_event(parent, event)
            node = parent[-1]
        if len(node) == 0:
            parent.remove(node)

    def _clearing(self, parent: etree._Element, event: TradeEvent) -> None:
        # cleared status only: no clearing obligation or intragroup flag in Schedule 1
        self._cleared_status(self.sub(parent, "TradClr"), event)

    def _floating_rate_node(self, node: etree._Element, leg: Leg, event: TradeEvent) -> None:
        # ASIC identifies a floating rate by ISIN or name, which FpML's index codes are not.
        # An interest-rate product's UPI reference data carries its reference rate and term;
        # the funding leg of an equity or credit derivative states its rate's term itself
        if event.product.asset_class != "INTR" and leg.floating_tenor is not None:
            # ASIC "Floating rate reference period" (the index tenor, e.g. 3M of a 3M BBSW)
            self._reference_period(node, frequency(leg.floating_tenor))  # type: ignore[arg-type]
        self._floating_terms(node, leg)

    def _package(self, parent: etree._Element, event: TradeEvent) -> None:
        if not event.package_id:
            return
        node = self.sub(parent, "Packg")
        self.sub(node, "CmplxTradId", event.package_id)
        price = event.package_price
        if price is None:
            # ASIC "Package transaction price" is asked of every package: one not (yet) agreed
            # is stated with DRR's "not available" value for a decimal price
            self.sub(node, "Pric/Dcml", PRICE_NOT_AVAILABLE)
        else:
            self._price_value(node, price)
        if event.package_spread is not None:
            self.sub(node, "Sprd/BsisPtSprd", event.package_spread.value)

    def _currency(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.product.asset_class != "CURR":
            return
        basis = event.exchange_rate_basis
        # ASIC "Exchange rate": agreed for a forward or swap; an option's rate is its strike
        rate = event.exchange_rate if event.option is None else None
        if rate is None and not (basis and "/" in basis):
            return
        node = self.sub(parent, "Ccy")
        if rate is not None:
            self.sub(node, "XchgRate", rate)
        self._exchange_rate_basis(node, event)

    # no option type, exercise style or exercise date in ASIC's Schedule 1
    def _option_kind(self, node: etree._Element, option: OptionTerms) -> None:
        return None

    def _first_exercise_date(self, option: OptionTerms) -> date | None:
        return None

    def _option_premium(self, node: etree._Element, event: TradeEvent) -> None:
        option = event.option
        assert option is not None
        premium = option.premium
        if premium is not None:
            self.sub(node, "PrmAmt", premium.amount, Ccy=premium.currency)
            if option.premium_payment_date:
                self.sub(node, "PrmPmtDt", day(option.premium_payment_date))
            return
        # ASIC "Option premium amount" is required of every option: none agreed is zero,
        # in the currency of the notional it is paid on
        currency = next((leg.notional.currency for leg in event.legs if leg.notional), None)
        if currency:
            self.sub(node, "PrmAmt", 0, Ccy=currency)

    def _credit(self, parent: etree._Element, event: TradeEvent) -> None:
        # ASIC keeps the index factor and tranche only (no seniority, series or version)
        credit = event.credit
        if credit is None:
            return
        if credit.index_factor is None and credit.attachment_point is None and \
                credit.detachment_point is None:
            return
        node = self.sub(parent, "Cdt")
        if credit.index_factor is not None:
            self.sub(node, "IndxFctr", credit.index_factor)
        if credit.attachment_point is not None or credit.detachment_point is not None:
            tranche = self.sub(node, "Trch/Trnchd")
            if credit.attachment_point is not None:
                self.sub(tranche, "AttchmntPt", credit.attachment_point)
            if credit.detachment_point is not None:
                self.sub(tranche, "DtchmntPt", credit.detachment_point)


def _looks_like_isin(value: str) -> bool:
    """ISO 6166 shape: two letters, nine alphanumerics, a check digit."""
    return len(value) == 12 and value[:2].isalpha() and value[:2].isupper() \
        and value[2:11].isalnum() and value[11].isdigit()
