"""ISO 20022 auth.030 (DerivativesTradeReport): the report every ISO-based regime sends.

ESMA's EMIR Refit (auth.030.001.03) and the FCA's UK EMIR, JFSA, MAS, HKMA and ASIC
(auth.030.001.04 and their own field sets) share one document shape: `RptHdr/NbRcrds`, then per
record a variant chosen by the action type (New, Mod, Crrctn, Termntn, PosCmpnt, ValtnUpd, Err,
Rvv, PortOut) holding counterparty data, contract data and transaction data in the schema's
sequence order. `Auth030Writer` builds that shape from a canonical event; each regime's writer
is a subclass that sets its namespace and overrides the elements its rules fill differently.
The elements of TxData are emitted by the methods named in `TX_SEQUENCE`, so a regime adds,
drops or reorders them without copying the rest.

`write_one` makes a Document with one `Rpt`; `write_batch` one Document with N reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO, ClassVar

from lxml import etree

from shared.domain.model import ActionType, Leg, Nature, Party, Period, TradeEvent
from shared.domain.obligations.status import has_reporting_obligation
from shared.domain.refdata import RefData
from shared.formats.writers.derive import (
    basis_points,
    day,
    decimal_text,
    frequency,
    leg_kind,
    percent,
    timestamp,
)

XSI = "http://www.w3.org/2001/XMLSchema-instance"
VARIANTS = {ActionType.NEWT: "New", ActionType.MODI: "Mod", ActionType.CORR: "Crrctn",
            ActionType.TERM: "Termntn", ActionType.POSC: "PosCmpnt",
            ActionType.VALU: "ValtnUpd", ActionType.EROR: "Err", ActionType.REVI: "Rvv",
            ActionType.PRTO: "PortOut"}
# only identification (and valuation for ValtnUpd) goes in these variants
SLIM_VARIANTS = frozenset({"Err", "ValtnUpd"})
NACE_SECTORS = frozenset("ABCDEFGHIJKLMNOPQRSTU")
# ISO 20022 AgreementType1Code: any other master agreement is reported as OTHR
MASTER_AGREEMENT_TYPES = frozenset({
    "BBMA", "CDEA", "DERV", "EFMA", "EUMA", "FBAA", "FEOA", "FPCA", "GMRA", "GMSL", "ICMA",
    "IETA", "IFEM", "IFXO", "ISBA", "ISDA", "KRMA", "MCSA", "NAES", "NAFO", "TMAA",
})
# The floating rate indices ESMA's auth.030.001.03 admits (its FloatingRateIndex1Code, a subset
# of ISO's: no TONA, SORA, CORA, HKIO ...); DRR reports no code for an index outside it.
ESMA_FLOATING_RATE_INDICES = frozenset({
    "BBSW", "BUBO", "CDOR", "CIBO", "CZNA", "EFFR", "EONA", "EONS", "ESTR", "EUCH", "EURI",
    "EUUS", "FUSW", "GCFR", "ISDA", "JIBA", "LIBI", "LIBO", "MAAA", "MOSP", "NIBO", "OBFR",
    "PFAN", "PRBO", "SOFR", "SONA", "STBO", "SWAP", "TIBO", "TLBO", "TREA", "WIBO",
})


# ISO 20022 UnitOfMeasure12Code, the unit code list of auth.030.001.04 (UnitOfMeasr/Cd): a unit
# the source states in no code of it (kL, a free text) cannot be reported
ISO_UNITS = frozenset((
    "ACRE", "ALOW", "ACCY", "ARES", "BAGG", "BALE", "BARL", "BCUF", "BDFT", "BOTL", "BOXX",
    "BRTU", "BUSL", "CRTN", "CELI", "CMET", "YARD", "USTN", "USQA", "USPI", "USOU", "UCWT",
    "USGA", "USFO", "USBA", "OZTR", "TOCD", "MILI", "MMET", "MIBA", "MBTU", "PIEC", "PUND",
    "PWRD", "SHAS", "SCMT", "SQFO", "SQIN", "SQKI", "SMET", "SQMI", "SMIL", "SQYA", "THMS",
    "TONS", "MILE", "TONE", "METR", "MWYC", "MMOC", "MWMC", "MWHC", "MWHO", "MWDC", "LOTS",
    "LITR", "KWYC", "KWMC", "KMOC", "KWHC", "KWDC", "KWHO", "KMET", "KILO", "IPNT", "INCH",
    "HUWG", "HECT", "GRAM", "GWHO", "GBTN", "GBQA", "GBPI", "GBOU", "GBGA", "GBFO", "GGEU",
    "FUTU", "FOOT", "ENVO", "ENVC", "DMET", "DGEU", "DAYS", "CBML", "CBME", "CBIN", "CRAT",
    "CNTR", "CLRT", "CEER", "CDDA", "CPDA", "HDDA",
))


def iso_unit(unit: str | None) -> str | None:
    """`unit` when it is an ISO 20022 UnitOfMeasure code, the only form `UnitOfMeasr/Cd`
    takes (auth.030.001.04); a unit the reference data could not translate (FpML MMBTU, kL,
    kept as the source states them) is not reported: the TR would refuse the whole file."""
    return unit if unit in ISO_UNITS else None


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int):
        return decimal_text(value)
    return str(value)


def serialize(doc: etree._Element) -> bytes:
    data: bytes = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


class Auth030Writer:
    """One regime's auth.030 report; subclasses set the class attributes below."""

    regime: ClassVar[str]
    namespace: ClassVar[str]  # urn:iso:std:iso:20022:tech:xsd:auth.030.001.0N
    media_type: ClassVar[str] = "application/xml"
    extension: ClassVar[str] = ".xml"
    # TxData's children, in the schema's order: each names a method (parent, event) -> None
    TX_SEQUENCE: ClassVar[tuple[str, ...]] = (
        "_tx_identifier", "_collateral_portfolio", "_platform", "_price", "_notionals",
        "_delivery", "_execution", "_tx_dates", "_master_agreement", "_risk_reduction",
        "_derivative_event", "_confirmation", "_clearing", "_interest_rates", "_package",
        "_currency", "_option", "_credit", "_other_payments",
    )

    # the benchmark codes this regime's schema admits in Fltg/Rate/Cd and FRA Indx/Indx
    FLOATING_RATE_INDICES: ClassVar[frozenset[str]] = ESMA_FLOATING_RATE_INDICES
    # CtrctData fields not every regime's field set has
    PRODUCT_CLASSIFICATION: ClassVar[bool] = True  # PdctClssfctn (CFI)
    CRYPTO_ASSET_FLAG: ClassVar[bool] = True  # DerivBasedOnCrptAsst
    RESET_FREQUENCY: ClassVar[bool] = True  # a floating leg's RstFrqcy
    SETTLEMENT_DATE: ClassVar[bool] = True  # TxData/SttlmDt
    EXCHANGE_RATE: ClassVar[str] = "FwdXchgRate"  # .001.04 names it XchgRate

    def __init__(self, refdata: RefData | None = None):
        self._refdata = refdata
        # path -> the qualified tags of its elements: the writer's own paths, a fixed set
        self._tags: dict[str, tuple[str, ...]] = {}

    @property
    def refdata(self) -> RefData:
        if self._refdata is None:
            from shared.domain.refdata import load

            self._refdata = load()
        return self._refdata

    def write_one(self, event: TradeEvent, *, reporting_timestamp: datetime) -> bytes:
        return serialize(self._document([event], reporting_timestamp))

    def write_batch(self, events: Iterable[TradeEvent], out: BinaryIO, *,
                    reporting_timestamp: datetime) -> int:
        events = list(events)
        out.write(serialize(self._document(events, reporting_timestamp)))
        return len(events)

    def sub(self, parent: etree._Element, path: str, value: object = None,
            **attrs: str) -> etree._Element:
        """Create the elements of `path` ("A/B/C") under `parent`; set the leaf's text."""
        node = parent
        tags = self._tags.get(path)
        if tags is None:
            if len(self._tags) >= 1024:  # bounded all the same
                self._tags.clear()
            tags = self._tags[path] = tuple(
                f"{{{self.namespace}}}{name}" for name in path.split("/"))
        for tag in tags:
            node = etree.SubElement(node, tag)
        if value is not None:
            node.text = _text(value)
        for key, val in attrs.items():
            node.set(key, val)
        return node

    def _document(self, events: list[TradeEvent], reporting_timestamp: datetime
                  ) -> etree._Element:
        ns = self.namespace
        doc = etree.Element(f"{{{ns}}}Document", nsmap={None: ns, "xsi": XSI})
        report = self.sub(doc, "DerivsTradRpt")
        self.sub(report, "RptHdr/NbRcrds", len(events))
        data = self.sub(report, "TradData")
        for event in events:
            self._report(self.sub(data, "Rpt"), event, reporting_timestamp)
        return doc

    def _report(self, rpt: etree._Element, event: TradeEvent,
                reporting_timestamp: datetime) -> None:
        action = ActionType(event.action_type)
        if action == ActionType.MARU:
            raise ValueError("margin updates (MARU) are reported in auth.108, not auth.030")
        variant = VARIANTS[action]
        body = self.sub(rpt, variant)
        self._counterparty_data(self.sub(body, "CtrPtySpcfcData"), event, reporting_timestamp,
                                variant)
        self._common_data(self.sub(body, "CmonTradData"), event, variant)
        self._record_attributes(body, event, reporting_timestamp)

    def _common_data(self, common: etree._Element, event: TradeEvent, variant: str) -> None:
        if variant not in SLIM_VARIANTS:
            self._contract_data(self.sub(common, "CtrctData"), event)
        self._transaction_data(self.sub(common, "TxData"), event, variant)

    def _record_attributes(self, body: etree._Element, event: TradeEvent,
                           reporting_timestamp: datetime) -> None:
        """What closes a report after its common data: EMIR's reporting level."""
        self.sub(body, "Lvl", str(event.level))

    # --- counterparty-specific data -----------------------------------------------------------

    def _counterparty_data(self, parent: etree._Element, event: TradeEvent, stamp: datetime,
                           variant: str) -> None:
        cpty = self.sub(parent, "CtrPty")
        rptg = self.sub(cpty, "RptgCtrPty")
        cp1, cp2 = event.counterparty_1, event.counterparty_2
        if cp1 is not None:
            self.sub(rptg, "Id/Lgl/Id/LEI", cp1.identifier)
            if variant not in SLIM_VARIANTS:
                self._nature(rptg, cp1, other=False)
                self._direction(rptg, event)
        if cp2 is not None and variant != "Err":  # an error report names the reporter only
            other = self.sub(cpty, "OthrCtrPty")
            self.sub(other, "IdTp/Lgl/Id/LEI", cp2.identifier)
            if variant not in SLIM_VARIANTS:
                self._nature(other, cp2, other=True)
                self.sub(other, "RptgOblgtn", has_reporting_obligation(cp2, self.regime))
        if event.broker and variant not in SLIM_VARIANTS:
            self.sub(cpty, "Brkr/LEI", event.broker)
        if event.submitting_entity:
            self.sub(cpty, "SubmitgAgt/LEI", event.submitting_entity)
        if event.entity_responsible:
            self.sub(cpty, "NttyRspnsblForRpt/LEI", event.entity_responsible)
        if variant == "ValtnUpd" and event.valuation is not None:
            self._valuation(parent, event)
        self.sub(parent, "RptgTmStmp", timestamp(stamp))

    def _nature(self, parent: etree._Element, party: Party, other: bool) -> None:
        nature = party.nature
        if nature is None:
            return
        ntr = self.sub(parent, "Ntr")
        if nature == Nature.FINANCIAL:
            fi = self.sub(ntr, "FI")
            for sector in party.sectors[:1]:
                self.sub(fi, "Sctr/Cd", sector)
            if party.clearing_threshold_exceeded is not None:
                self.sub(fi, "ClrThrshld", party.clearing_threshold_exceeded)
        elif nature == Nature.NON_FINANCIAL:
            nfi = self.sub(ntr, "NFI")
            for sector in [s for s in party.sectors if s[:1] in NACE_SECTORS and len(s) == 1][:1]:
                self.sub(nfi, "Sctr/Id", sector)
            if party.clearing_threshold_exceeded is not None:
                self.sub(nfi, "ClrThrshld", party.clearing_threshold_exceeded)
            if party.directly_linked_activity is not None and not other:
                self.sub(nfi, "DrctlyLkdActvty", party.directly_linked_activity)
        elif nature == Nature.CCP:
            self.sub(ntr, "CntrlCntrPty", "NORE")  # NoReasonCode: a CCP states no sector
        else:
            self.sub(ntr, "Othr", "NORE")

    def _direction(self, parent: etree._Element, event: TradeEvent) -> None:
        cp1 = event.counterparty_1.identifier if event.counterparty_1 else None
        if event.buyer or event.seller:
            side = "BYER" if event.buyer == cp1 else "SLLR"
            self.sub(parent, "DrctnOrSd/CtrPtySd", side)
            return
        first = event.legs[0].direction if event.legs else None
        second = event.legs[1].direction if len(event.legs) > 1 else None
        if first or second:
            drctn = self.sub(parent, "DrctnOrSd/Drctn")
            if first:
                self.sub(drctn, "DrctnOfTheFrstLeg", first)
            if second:
                self.sub(drctn, "DrctnOfTheScndLeg", second)

    def _valuation(self, parent: etree._Element, event: TradeEvent) -> None:
        valuation = event.valuation
        assert valuation is not None
        node = self.sub(parent, "Valtn")
        value = self.sub(node, "CtrctVal")  # AmountAndDirection: a non-negative amount and a sign
        self.sub(value, "Amt", abs(valuation.amount.amount), Ccy=valuation.amount.currency)
        self.sub(value, "Sgn", valuation.amount.amount >= 0)
        self.sub(node, "TmStmp", timestamp(valuation.timestamp))
        if valuation.method:
            self.sub(node, "Tp", str(valuation.method))
        if valuation.delta is not None:
            self.sub(node, "Dlta", valuation.delta)

    # --- contract data -----------------------------------------------------------------------

    def _contract_data(self, parent: etree._Element, event: TradeEvent) -> None:
        product = event.product
        if product.contract_type:
            self.sub(parent, "CtrctTp", product.contract_type)
        if product.asset_class:
            self.sub(parent, "AsstClss", str(product.asset_class))
        if product.classification and self.PRODUCT_CLASSIFICATION:
            self.sub(parent, "PdctClssfctn", product.classification)
        if product.upi:
            self.sub(parent, "PdctId/UnqPdctIdr/Id", product.upi)
        self._underlying(parent, event)
        self._settlement_currencies(parent, event)
        if self.CRYPTO_ASSET_FLAG:
            self.sub(parent, "DerivBasedOnCrptAsst", False)

    def _settlement_currencies(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.product.settlement_currency:
            self.sub(parent, "SttlmCcy/Ccy", event.product.settlement_currency)

    def _underlying(self, parent: etree._Element, event: TradeEvent) -> None:
        product = event.product
        isins = [u.identifier for u in product.underliers if u.source == "ISIN"]
        index = next((u for u in product.underliers if u.source == "INDX"), None)
        if product.custom_basket or product.basket_id or (product.underlier_basket and isins):
            node = self.sub(parent, "UndrlygInstrm/Bskt")
            if product.basket_id:
                self.sub(node, "Id", product.basket_id)
            for isin in isins:
                self.sub(node, "Cnsttnts/InstrmId/ISIN", isin)
            return
        if isins:
            self.sub(parent, "UndrlygInstrm/ISIN", isins[0])
            return
        if index is not None:
            self.sub(parent, "UndrlygInstrm/Indx/Nm", index.name or index.identifier)
            return
        if product.contract_type == "FRAS":
            code = self._index_code(next((leg.floating_index_code for leg in event.legs
                                          if leg.floating_index_code), None))
            if code:
                self.sub(parent, "UndrlygInstrm/Indx/Indx", code)

    # --- transaction data --------------------------------------------------------------------

    def _transaction_data(self, parent: etree._Element, event: TradeEvent,
                          variant: str) -> None:
        if variant in SLIM_VARIANTS:
            self._tx_identifier(parent, event)
            return
        for name in self.TX_SEQUENCE:
            getattr(self, name)(parent, event)

    def _tx_identifier(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.uti:
            self.sub(parent, "TxId/UnqTxIdr", event.uti)
        if event.prior_uti and event.action_type is not ActionType.EROR:
            # EMIR 2.3 prior UTI: the trade this one replaces (allocation, clearing, novation..)
            self.sub(parent, "PrrTxId/UnqTxIdr", event.prior_uti)

    def _collateral_portfolio(self, parent: etree._Element, event: TradeEvent) -> None:
        portfolio = event.collateral.portfolio_code if event.collateral else None
        if portfolio:
            self.sub(parent, "CollPrtflCd/Prtfl/Cd", portfolio)
        else:
            self.sub(parent, "CollPrtflCd/Prtfl/NoPrtfl", "NOAP")

    def _platform(self, parent: etree._Element, event: TradeEvent) -> None:
        venue = event.execution_venue
        self.sub(parent, "PltfmIdr",
                 venue if venue and self.refdata.mic_active(venue) else "XXXX")

    def _price(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.price is not None and event.price.notation == "PERC":
            self.sub(parent, "TxPric/Pric/Pctg", event.price.value)
        elif event.price is not None and event.price.notation == "MONE":
            self.sub(parent, "TxPric/Pric/MntryVal/Amt", event.price.value,
                     **({"Ccy": event.price.currency} if event.price.currency else {}))

    def _delivery(self, parent: etree._Element, event: TradeEvent) -> None:
        delivery = event.product.delivery_type or self._default_delivery(event)
        if delivery:
            self.sub(parent, "DlvryTp", delivery)

    def _execution(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.execution_timestamp:
            self.sub(parent, "ExctnTmStmp", timestamp(event.execution_timestamp))

    def _tx_dates(self, parent: etree._Element, event: TradeEvent) -> None:
        effective, expiry, settlement = self._dates(event)
        if effective:
            self.sub(parent, "FctvDt", day(effective))
        if expiry:
            self.sub(parent, "XprtnDt", day(expiry))
        if event.early_termination_date:
            self.sub(parent, "EarlyTermntnDt", day(event.early_termination_date))
        if settlement and self.SETTLEMENT_DATE:
            self.sub(parent, "SttlmDt", day(settlement))

    def _master_agreement(self, parent: etree._Element, event: TradeEvent) -> None:
        agreement = event.master_agreement
        if agreement is None or not (agreement.type or agreement.version):
            return
        node = self.sub(parent, "MstrAgrmt")
        kind = (agreement.type or "").upper()
        self.sub(node, "Tp/Tp", kind if kind in MASTER_AGREEMENT_TYPES else "OTHR")
        if agreement.version:
            self.sub(node, "Vrsn", agreement.version)

    def _risk_reduction(self, parent: etree._Element, event: TradeEvent) -> None:
        self.sub(parent, "PstTradRskRdctnFlg", bool(event.compression))

    def _derivative_event(self, parent: etree._Element, event: TradeEvent) -> None:
        event_node = self.sub(parent, "DerivEvt")
        if event.event_type is not None or event.action_type is not ActionType.CORR:
            # a correction restates the trade, it reports no business event of its own
            self.sub(event_node, "Tp", str(event.event_type or "TRAD"))
        # EMIR 2.152 event date: when the reported event happened (a trade: its execution)
        when = event.event_date or event.execution_timestamp or event.event_timestamp
        if when:
            self.sub(event_node, "TmStmp/Dt", day(when))

    def _dates(self, event: TradeEvent) -> tuple[date | None, date | None, date | None]:
        """(effective, expiration, settlement). An FRA is reported as the forward it is: it takes
        effect when traded, expires at the rate fixing and settles on its payment (start) date."""
        if event.product.contract_type == "FRAS":
            fixing = next((leg.fixing_date for leg in event.legs if leg.fixing_date), None)
            traded = event.execution_timestamp.date() if event.execution_timestamp else None
            return traded or event.effective_date, fixing or event.effective_date, \
                event.effective_date
        return event.effective_date, event.expiration_date, event.final_settlement_date

    def _default_delivery(self, event: TradeEvent) -> str | None:
        if event.product.asset_class in ("INTR", "CURR"):
            return "PHYS"
        return None

    def _notionals(self, parent: etree._Element, event: TradeEvent) -> None:
        self._notional_amounts(parent, event)
        self._notional_quantities(parent, event)

    def _notional_amounts(self, parent: etree._Element, event: TradeEvent) -> None:
        amounts = [leg.notional for leg in event.legs[:2]]
        if any(amounts):
            node = self.sub(parent, "NtnlAmt")
            for name, money in zip(("FrstLeg", "ScndLeg"), amounts, strict=False):
                if money is not None:
                    self.sub(node, f"{name}/Amt/Amt", money.amount, Ccy=money.currency)

    def _notional_quantities(self, parent: etree._Element, event: TradeEvent) -> None:
        quantities = [leg.total_quantity for leg in event.legs[:2]]
        if event.product.asset_class in ("EQUI", "COMM") and quantities and quantities[0] is None:
            # DRR states an unknown equity or commodity quantity with the schema's largest value
            quantities[0] = Decimal("9999999999999999999999999")
        if any(q is not None for q in quantities):
            node = self.sub(parent, "NtnlQty")
            for name, qty in zip(("FrstLeg", "ScndLeg"), quantities, strict=False):
                if qty is not None:
                    self.sub(node, f"{name}/TtlQty", qty)

    def _confirmation(self, parent: etree._Element, event: TradeEvent) -> None:
        code = event.confirmation or "NCNF"
        if code == "NCNF":
            self.sub(parent, "TradConf/NonConfd/Tp", "NCNF")
            return
        node = self.sub(parent, "TradConf/Confd")
        self.sub(node, "Tp", code)
        stamp = event.confirmation_timestamp or event.execution_timestamp
        if stamp:
            self.sub(node, "TmStmp", timestamp(stamp))

    def _clearing(self, parent: etree._Element, event: TradeEvent) -> None:
        node = self.sub(parent, "TradClr")
        mandatory = event.clearing.clearing_obligation
        self.sub(node, "ClrOblgtn", "TRUE" if mandatory else "FLSE")
        self._cleared_status(node, event)
        if event.intragroup is not None:
            self.sub(node, "IntraGrp", event.intragroup)

    def _cleared_status(self, node: etree._Element, event: TradeEvent) -> None:
        """TradClr's ClrSts: cleared (with its CCP) or not cleared."""
        if str(event.clearing.cleared) == "Y":
            cleared = self.sub(node, "ClrSts/Clrd")
            if event.clearing.ccp:
                self.sub(cleared, "Dtls/CCP/LEI", event.clearing.ccp)
        else:
            self.sub(node, "ClrSts/NonClrd/Rsn", "NORE")

    def _interest_rates(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.product.asset_class == "COMM":
            self._commodity_spreads(parent, event)
            return
        if event.product.asset_class not in ("INTR", "CRDT", "EQUI"):
            return
        legs = self._rate_legs(event)
        if not legs:
            return
        node = self.sub(parent, "IntrstRate")
        for name, leg in legs:
            self._rate_leg_entry(node, name, leg, event)

    def _rate_legs(self, event: TradeEvent) -> list[tuple[str, Leg]]:
        """(FrstLeg/ScndLeg, leg) of each leg with rate terms to report."""
        legs = [(name, leg) for name, leg in zip(("FrstLeg", "ScndLeg"), event.legs[:2],
                                                 strict=False) if self._rate_leg(leg)]
        if event.product.contract_type == "FRAS":
            # ESMA: an FRA's fixed rate is the second leg's; its floating leg carries no terms
            legs = [("ScndLeg", leg) for _name, leg in legs if leg_kind(leg) == "FIXED"]
        return legs

    def _rate_leg_entry(self, node: etree._Element, name: str, leg: Leg,
                        event: TradeEvent) -> None:
        self._rate_leg_node(self.sub(node, name), leg, event)

    def _commodity_spreads(self, parent: etree._Element, event: TradeEvent) -> None:
        """A floating commodity leg's spread is a price per unit: EMIR Refit field 2.74/2.90
        (spread of leg 1/2) in monetary value; a commodity leg has no other rate terms."""
        if event.option is not None:
            return
        legs = [(name, leg) for name, leg in zip(("FrstLeg", "ScndLeg"), event.legs[:2],
                                                 strict=False)
                if leg.spread is not None and leg.spread_currency]
        if not legs:
            return
        node = self.sub(parent, "IntrstRate")
        for name, leg in legs:
            self.sub(node, f"{name}/Fltg/Sprd/MntryVal/Amt", leg.spread,
                     Ccy=leg.spread_currency)  # type: ignore[arg-type]

    def _rate_leg(self, leg: Leg) -> bool:
        kind = leg_kind(leg)
        if kind == "FIXED":
            return leg.fixed_rate is not None
        return kind == "FLOATING"

    def _rate_leg_node(self, parent: etree._Element, leg: Leg, event: TradeEvent) -> None:
        if leg_kind(leg) == "FIXED":
            node = self.sub(parent, "Fxd")
            self._fixed_rate(node, leg)
            if leg.day_count:
                self.sub(node, "DayCnt/Cd", leg.day_count)
            self._term(node, "PmtFrqcy", leg.payment_frequency)
            return
        self._floating_rate_node(self.sub(parent, "Fltg"), leg, event)

    def _fixed_rate(self, node: etree._Element, leg: Leg) -> None:
        self.sub(node, "Rate/Rate", percent(leg.fixed_rate))  # type: ignore[arg-type]

    def _floating_rate_node(self, node: etree._Element, leg: Leg, event: TradeEvent) -> None:
        code = self._index_code(leg.floating_index_code)
        if code:
            self.sub(node, "Rate/Cd", code)
        if leg.floating_tenor is not None and code:
            self._reference_period(node, self._years(frequency(leg.floating_tenor)))  # type: ignore[arg-type]
        self._floating_terms(node, leg)

    def _reference_period(self, node: etree._Element, value: tuple[str, int | None]) -> None:
        unit, count = value
        ref = self.sub(node, "RefPrd")
        self.sub(ref, "Unit", unit)
        if count is not None:
            self.sub(ref, "Val", count)

    def _floating_terms(self, node: etree._Element, leg: Leg) -> None:
        """A floating leg's spread, day count and frequencies, after its rate and period."""
        if leg.spread is not None:
            self.sub(node, "Sprd/BsisPtSprd", basis_points(leg.spread))
        if leg.day_count:
            self.sub(node, "DayCnt/Cd", leg.day_count)
        self._term(node, "PmtFrqcy", leg.payment_frequency)
        if self.RESET_FREQUENCY:
            self._term(node, "RstFrqcy", leg.reset_frequency)

    def _index_code(self, code: str | None) -> str | None:
        """The leg's benchmark code if this regime's code list has it, else none."""
        return code if code in self.FLOATING_RATE_INDICES else None

    def _years(self, value: tuple[str, int | None]) -> tuple[str, int | None]:
        if value[0] == "MNTH" and value[1] and value[1] % 12 == 0:
            return "YEAR", value[1] // 12  # whole years are stated in years
        return value

    def _term(self, parent: etree._Element, name: str, period: Period | None) -> None:
        value = frequency(period)
        if value is None:
            return
        unit, count = self._years(value)
        term = self.sub(parent, f"{name}/Term")
        self.sub(term, "Unit", unit)
        if count is not None:
            self.sub(term, "Val", count)

    def _package(self, parent: etree._Element, event: TradeEvent) -> None:
        if not event.package_id:
            return
        node = self.sub(parent, "Packg")
        self.sub(node, "CmplxTradId", event.package_id)
        if event.package_spread is not None:
            self.sub(node, "Sprd/BsisPtSprd", event.package_spread.value)
        price = event.package_price
        if price is not None:
            if price.notation == "PERC":
                self.sub(node, "Pric/Pctg", price.value)
            else:
                self.sub(node, "Pric/MntryVal/Amt", price.value,
                    **({"Ccy": price.currency} if price.currency else {}))

    def _currency(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.product.asset_class != "CURR" or event.exchange_rate is None:
            return
        node = self.sub(parent, "Ccy")
        self.sub(node, self.EXCHANGE_RATE, event.exchange_rate)
        self._exchange_rate_basis(node, event)

    def _exchange_rate_basis(self, node: etree._Element, event: TradeEvent) -> None:
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
        if option.strike is not None:
            if option.strike_notation == "MONE":
                self.sub(node, "StrkPric/MntryVal/Amt", option.strike,
                    **({"Ccy": option.strike_currency} if option.strike_currency
                       and "/" not in option.strike_currency else {}))
            else:
                self.sub(node, "StrkPric/Pctg", percent(option.strike))
        if option.premium is not None:
            self.sub(node, "PrmAmt", option.premium.amount, Ccy=option.premium.currency)
        if option.premium_payment_date:
            self.sub(node, "PrmPmtDt", day(option.premium_payment_date))
        if option.underlying_maturity_date:
            self.sub(node, "MtrtyDtOfUndrlyg", day(option.underlying_maturity_date))

    def _credit(self, parent: etree._Element, event: TradeEvent) -> None:
        credit = event.credit
        if credit is None:
            return
        node = self.sub(parent, "Cdt")
        if credit.seniority:
            self.sub(node, "Snrty", credit.seniority)
        if credit.series is not None:
            self.sub(node, "Srs", credit.series)
        if credit.version is not None:
            self.sub(node, "Vrsn", credit.version)
        if credit.index_factor is not None:
            self.sub(node, "IndxFctr", credit.index_factor)
        if credit.attachment_point is not None or credit.detachment_point is not None:
            tranche = self.sub(node, "Trch/Trnchd")
            if credit.attachment_point is not None:
                self.sub(tranche, "AttchmntPt", credit.attachment_point)
            if credit.detachment_point is not None:
                self.sub(tranche, "DtchmntPt", credit.detachment_point)
        if len(node) == 0:
            parent.remove(node)

    def _other_payments(self, parent: etree._Element, event: TradeEvent) -> None:
        for payment in event.other_payments:
            node = self.sub(parent, "OthrPmt")
            self.sub(node, "PmtAmt/Amt", payment.amount.amount, Ccy=payment.amount.currency)
            if payment.payment_type:
                self.sub(node, "PmtTp/Tp", payment.payment_type)
            if payment.payment_date:
                self.sub(node, "PmtDt", day(payment.payment_date))
            if payment.payer:
                self.sub(node, "PmtPyer/Lgl/LEI", payment.payer)
            if payment.receiver:
                self.sub(node, "PmtRcvr/Lgl/LEI", payment.receiver)
