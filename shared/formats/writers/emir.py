"""ESMA EMIR Refit report: ISO 20022 auth.030.001.03 (DerivativesTradeReport).

`write_one` makes a Document with one `Rpt`; `write_batch` one Document with N reports and
`RptHdr/NbRcrds` = N. The report variant follows the action type (New, Mod, Crrctn, Termntn,
PosCmpnt, ValtnUpd, Err, Rvv, PortOut); elements follow the schema's sequence order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from lxml import etree

from shared.domain.model import ActionType, Leg, Nature, Party, Period, TradeEvent
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

NS = "urn:iso:std:iso:20022:tech:xsd:auth.030.001.03"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
VARIANTS = {ActionType.NEWT: "New", ActionType.MODI: "Mod", ActionType.CORR: "Crrctn",
            ActionType.TERM: "Termntn", ActionType.POSC: "PosCmpnt",
            ActionType.VALU: "ValtnUpd", ActionType.EROR: "Err", ActionType.REVI: "Rvv",
            ActionType.PRTO: "PortOut"}
# only identification (and valuation for ValtnUpd) goes in these variants
_SLIM = {"Err", "ValtnUpd"}
NACE_SECTORS = set("ABCDEFGHIJKLMNOPQRSTU")


class EmirRefitWriter:
    regime = "emir"
    media_type = "application/xml"
    extension = ".xml"

    def __init__(self, refdata: RefData | None = None):
        self._refdata = refdata

    @property
    def refdata(self) -> RefData:
        if self._refdata is None:
            from shared.domain.refdata import load

            self._refdata = load()
        return self._refdata

    def write_one(self, event: TradeEvent, *, reporting_timestamp: datetime) -> bytes:
        return _serialize(_document([event], reporting_timestamp, self.refdata))

    def write_batch(self, events: Iterable[TradeEvent], out: BinaryIO, *,
                    reporting_timestamp: datetime) -> int:
        events = list(events)
        out.write(_serialize(_document(events, reporting_timestamp, self.refdata)))
        return len(events)


def _serialize(doc: etree._Element) -> bytes:
    data: bytes = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


class _Builder:
    """Tiny helper: `sub(parent, "A/B/C", text)` creates the path and sets the leaf text."""

    @staticmethod
    def sub(parent: etree._Element, path: str, value: object = None,
            **attrs: str) -> etree._Element:
        node = parent
        tags = _TAGS.get(path)
        if tags is None:
            if len(_TAGS) >= 1024:  # bounded all the same
                _TAGS.clear()
            tags = _TAGS[path] = tuple(f"{{{NS}}}{name}" for name in path.split("/"))
        for tag in tags:
            node = etree.SubElement(node, tag)
        if value is not None:
            node.text = _text(value)
        for key, val in attrs.items():
            node.set(key, val)
        return node


sub = _Builder.sub
# path -> the qualified tags of its elements: the writer's own paths, a fixed set (~200)
_TAGS: dict[str, tuple[str, ...]] = {}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int):
        return decimal_text(value)
    return str(value)


def _document(events: list[TradeEvent], reporting_timestamp: datetime,
              refdata: RefData) -> etree._Element:
    doc = etree.Element(f"{{{NS}}}Document", nsmap={None: NS, "xsi": XSI})
    report = sub(doc, "DerivsTradRpt")
    sub(report, "RptHdr/NbRcrds", len(events))
    data = sub(report, "TradData")
    for event in events:
        _report(sub(data, "Rpt"), event, reporting_timestamp, refdata)
    return doc


def _report(rpt: etree._Element, event: TradeEvent, reporting_timestamp: datetime,
            refdata: RefData) -> None:
    action = ActionType(event.action_type)
    if action == ActionType.MARU:
        raise ValueError("margin updates (MARU) are reported in auth.108, not auth.030")
    variant = VARIANTS[action]
    body = sub(rpt, variant)
    _counterparty_data(sub(body, "CtrPtySpcfcData"), event, reporting_timestamp, variant)
    common = sub(body, "CmonTradData")
    if variant not in _SLIM:
        _contract_data(sub(common, "CtrctData"), event)
    _transaction_data(sub(common, "TxData"), event, variant, refdata)
    sub(body, "Lvl", str(event.level))


# --- counterparty-specific data -----------------------------------------------------------


def _counterparty_data(parent: etree._Element, event: TradeEvent, stamp: datetime,
                       variant: str) -> None:
    cpty = sub(parent, "CtrPty")
    rptg = sub(cpty, "RptgCtrPty")
    cp1, cp2 = event.counterparty_1, event.counterparty_2
    if cp1 is not None:
        sub(rptg, "Id/Lgl/Id/LEI", cp1.identifier)
        if variant not in _SLIM:
            _nature(rptg, cp1, other=False)
            _direction(rptg, event)
    if cp2 is not None:
        other = sub(cpty, "OthrCtrPty")
        sub(other, "IdTp/Lgl/Id/LEI", cp2.identifier)
        if variant not in _SLIM:
            _nature(other, cp2, other=True)
            sub(other, "RptgOblgtn", bool(cp2.reporting_obligation))
    if event.broker and variant not in _SLIM:
        sub(cpty, "Brkr/LEI", event.broker)
    if event.submitting_entity:
        sub(cpty, "SubmitgAgt/LEI", event.submitting_entity)
    if event.entity_responsible:
        sub(cpty, "NttyRspnsblForRpt/LEI", event.entity_responsible)
    if variant == "ValtnUpd" and event.valuation is not None:
        _valuation(parent, event)
    sub(parent, "RptgTmStmp", timestamp(stamp))


def _nature(parent: etree._Element, party: Party, other: bool) -> None:
    nature = party.nature
    if nature is None:
        return
    ntr = sub(parent, "Ntr")
    if nature == Nature.FINANCIAL:
        fi = sub(ntr, "FI")
        for sector in party.sectors[:1]:
            sub(fi, "Sctr/Cd", sector)
        if party.clearing_threshold_exceeded is not None:
            sub(fi, "ClrThrshld", party.clearing_threshold_exceeded)
    elif nature == Nature.NON_FINANCIAL:
        nfi = sub(ntr, "NFI")
        for sector in [s for s in party.sectors if s[:1] in NACE_SECTORS and len(s) == 1][:1]:
            sub(nfi, "Sctr/Id", sector)
        if party.clearing_threshold_exceeded is not None:
            sub(nfi, "ClrThrshld", party.clearing_threshold_exceeded)
        if party.directly_linked_activity is not None and not other:
            sub(nfi, "DrctlyLkdActvty", party.directly_linked_activity)
    elif nature == Nature.CCP:
        sub(ntr, "CntrlCntrPty", "NORE")  # NoReasonCode: a CCP states no sector
    else:
        sub(ntr, "Othr", "NORE")


def _direction(parent: etree._Element, event: TradeEvent) -> None:
    cp1 = event.counterparty_1.identifier if event.counterparty_1 else None
    if event.buyer or event.seller:
        side = "BYER" if event.buyer == cp1 else "SLLR"
        sub(parent, "DrctnOrSd/CtrPtySd", side)
        return
    first = event.legs[0].direction if event.legs else None
    second = event.legs[1].direction if len(event.legs) > 1 else None
    if first or second:
        drctn = sub(parent, "DrctnOrSd/Drctn")
        if first:
            sub(drctn, "DrctnOfTheFrstLeg", first)
        if second:
            sub(drctn, "DrctnOfTheScndLeg", second)


def _valuation(parent: etree._Element, event: TradeEvent) -> None:
    valuation = event.valuation
    assert valuation is not None
    node = sub(parent, "Valtn")
    value = sub(node, "CtrctVal")  # AmountAndDirection: a non-negative amount and a sign
    sub(value, "Amt", abs(valuation.amount.amount), Ccy=valuation.amount.currency)
    sub(value, "Sgn", valuation.amount.amount >= 0)
    sub(node, "TmStmp", timestamp(valuation.timestamp))
    if valuation.method:
        sub(node, "Tp", str(valuation.method))
    if valuation.delta is not None:
        sub(node, "Dlta", valuation.delta)


# --- contract data -----------------------------------------------------------------------


def _contract_data(parent: etree._Element, event: TradeEvent) -> None:
    product = event.product
    if product.contract_type:
        sub(parent, "CtrctTp", product.contract_type)
    if product.asset_class:
        sub(parent, "AsstClss", str(product.asset_class))
    if product.classification:
        sub(parent, "PdctClssfctn", product.classification)
    if product.upi:
        sub(parent, "PdctId/UnqPdctIdr/Id", product.upi)
    _underlying(parent, event)
    if product.settlement_currency:
        sub(parent, "SttlmCcy/Ccy", product.settlement_currency)
    sub(parent, "DerivBasedOnCrptAsst", False)


def _underlying(parent: etree._Element, event: TradeEvent) -> None:
    product = event.product
    isins = [u.identifier for u in product.underliers if u.source == "ISIN"]
    index = next((u for u in product.underliers if u.source == "INDX"), None)
    if product.custom_basket or product.basket_id or (product.underlier_basket and isins):
        node = sub(parent, "UndrlygInstrm/Bskt")
        if product.basket_id:
            sub(node, "Id", product.basket_id)
        for isin in isins:
            sub(node, "Cnsttnts/InstrmId/ISIN", isin)
        return
    if isins:
        sub(parent, "UndrlygInstrm/ISIN", isins[0])
        return
    if index is not None:
        sub(parent, "UndrlygInstrm/Indx/Nm", index.name or index.identifier)
        return
    if product.contract_type == "FRAS":
        code = next((leg.floating_index_code for leg in event.legs if leg.floating_index_code),
                    None)
        if code:
            sub(parent, "UndrlygInstrm/Indx/Indx", code)


# --- transaction data --------------------------------------------------------------------


def _transaction_data(parent: etree._Element, event: TradeEvent, variant: str,
                      refdata: RefData) -> None:
    if event.uti:
        sub(parent, "TxId/UnqTxIdr", event.uti)
    if variant in _SLIM:
        return
    product = event.product
    portfolio = event.collateral.portfolio_code if event.collateral else None
    if portfolio:
        sub(parent, "CollPrtflCd/Prtfl/Cd", portfolio)
    else:
        sub(parent, "CollPrtflCd/Prtfl/NoPrtfl", "NOAP")
    venue = event.execution_venue
    sub(parent, "PltfmIdr", venue if venue and refdata.mic_active(venue) else "XXXX")
    if event.price is not None and event.price.notation == "PERC":
        sub(parent, "TxPric/Pric/Pctg", event.price.value)
    elif event.price is not None and event.price.notation == "MONE":
        sub(parent, "TxPric/Pric/MntryVal/Amt", event.price.value,
            **({"Ccy": event.price.currency} if event.price.currency else {}))
    _notionals(parent, event)
    delivery = product.delivery_type or _default_delivery(event)
    if delivery:
        sub(parent, "DlvryTp", delivery)
    if event.execution_timestamp:
        sub(parent, "ExctnTmStmp", timestamp(event.execution_timestamp))
    effective, expiry, settlement = _dates(event)
    if effective:
        sub(parent, "FctvDt", day(effective))
    if expiry:
        sub(parent, "XprtnDt", day(expiry))
    if event.early_termination_date:
        sub(parent, "EarlyTermntnDt", day(event.early_termination_date))
    if settlement:
        sub(parent, "SttlmDt", day(settlement))
    agreement = event.master_agreement
    if agreement is not None and (agreement.type or agreement.version):
        node = sub(parent, "MstrAgrmt")
        kind = (agreement.type or "").upper()
        if kind in ("ISDA", "CDEA", "EUMA", "FBAA", "BBMA", "DERV", "EFMA", "FEOA", "FPCA",
                    "GMRA", "GMSL", "ICMA", "IETA", "IFEM", "IFXO", "ISBA", "ISDA", "KRMA",
                    "MCSA", "NAES", "NAFO", "TMAA"):
            sub(node, "Tp/Tp", kind)
        else:
            sub(node, "Tp/Tp", "OTHR")
        if agreement.version:
            sub(node, "Vrsn", agreement.version)
    sub(parent, "PstTradRskRdctnFlg", bool(event.compression))
    event_node = sub(parent, "DerivEvt")
    sub(event_node, "Tp", str(event.event_type or "TRAD"))
    when = event.execution_timestamp or event.event_timestamp
    if when:
        sub(event_node, "TmStmp/Dt", day(when))
    _confirmation(parent, event)
    _clearing(parent, event)
    _interest_rates(parent, event)
    _package(parent, event)
    _currency(parent, event)
    _option(parent, event)
    _credit(parent, event)
    _other_payments(parent, event)


def _dates(event: TradeEvent) -> tuple[date | None, date | None, date | None]:
    """(effective, expiration, settlement). An FRA is reported as the forward it is: it takes
    effect when traded, expires at the rate fixing and settles on its payment (start) date."""
    if event.product.contract_type == "FRAS":
        fixing = next((leg.fixing_date for leg in event.legs if leg.fixing_date), None)
        traded = event.execution_timestamp.date() if event.execution_timestamp else None
        return traded or event.effective_date, fixing or event.effective_date, \
            event.effective_date
    return event.effective_date, event.expiration_date, event.final_settlement_date


def _default_delivery(event: TradeEvent) -> str | None:
    if event.product.asset_class in ("INTR", "CURR"):
        return "PHYS"
    return None


def _notionals(parent: etree._Element, event: TradeEvent) -> None:
    amounts = [leg.notional for leg in event.legs[:2]]
    if any(amounts):
        node = sub(parent, "NtnlAmt")
        for name, money in zip(("FrstLeg", "ScndLeg"), amounts, strict=False):
            if money is not None:
                sub(node, f"{name}/Amt/Amt", money.amount, Ccy=money.currency)
    quantities = [leg.total_quantity for leg in event.legs[:2]]
    if event.product.asset_class == "EQUI" and quantities and quantities[0] is None:
        # DRR states an unknown equity quantity with the schema's largest value
        quantities[0] = Decimal("9999999999999999999999999")
    if any(q is not None for q in quantities):
        node = sub(parent, "NtnlQty")
        for name, qty in zip(("FrstLeg", "ScndLeg"), quantities, strict=False):
            if qty is not None:
                sub(node, f"{name}/TtlQty", qty)


def _confirmation(parent: etree._Element, event: TradeEvent) -> None:
    code = event.confirmation or "NCNF"
    if code == "NCNF":
        sub(parent, "TradConf/NonConfd/Tp", "NCNF")
        return
    node = sub(parent, "TradConf/Confd")
    sub(node, "Tp", code)
    stamp = event.confirmation_timestamp or event.execution_timestamp
    if stamp:
        sub(node, "TmStmp", timestamp(stamp))


def _clearing(parent: etree._Element, event: TradeEvent) -> None:
    node = sub(parent, "TradClr")
    mandatory = event.clearing.clearing_obligation
    sub(node, "ClrOblgtn", "TRUE" if mandatory else "FLSE")
    if str(event.clearing.cleared) == "Y":
        cleared = sub(node, "ClrSts/Clrd")
        if event.clearing.ccp:
            sub(cleared, "Dtls/CCP/LEI", event.clearing.ccp)
    else:
        sub(node, "ClrSts/NonClrd/Rsn", "NORE")
    if event.intragroup is not None:
        sub(node, "IntraGrp", event.intragroup)


def _interest_rates(parent: etree._Element, event: TradeEvent) -> None:
    if event.product.asset_class not in ("INTR", "CRDT", "EQUI"):
        return
    legs = [(name, leg) for name, leg in zip(("FrstLeg", "ScndLeg"), event.legs[:2],
                                             strict=False) if _rate_leg(leg)]
    if event.product.contract_type == "FRAS":
        # ESMA: an FRA's fixed rate is the second leg's; its floating leg carries no terms
        legs = [("ScndLeg", leg) for _name, leg in legs if leg_kind(leg) == "FIXED"]
    if not legs:
        return
    node = sub(parent, "IntrstRate")
    for name, leg in legs:
        _rate_leg_node(sub(node, name), leg)


def _rate_leg(leg: Leg) -> bool:
    kind = leg_kind(leg)
    if kind == "FIXED":
        return leg.fixed_rate is not None
    return kind == "FLOATING"


def _rate_leg_node(parent: etree._Element, leg: Leg) -> None:
    if leg_kind(leg) == "FIXED":
        node = sub(parent, "Fxd")
        sub(node, "Rate/Rate", percent(leg.fixed_rate))  # type: ignore[arg-type]
        if leg.day_count:
            sub(node, "DayCnt/Cd", leg.day_count)
        _term(node, "PmtFrqcy", leg.payment_frequency)
        return
    node = sub(parent, "Fltg")
    if leg.floating_index_code:
        sub(node, "Rate/Cd", leg.floating_index_code)
    if leg.floating_tenor is not None and leg.floating_index_code:
        unit, value = _years(frequency(leg.floating_tenor))  # type: ignore[arg-type]
        ref = sub(node, "RefPrd")
        sub(ref, "Unit", unit)
        if value is not None:
            sub(ref, "Val", value)
    if leg.spread is not None:
        sub(node, "Sprd/BsisPtSprd", basis_points(leg.spread))
    if leg.day_count:
        sub(node, "DayCnt/Cd", leg.day_count)
    _term(node, "PmtFrqcy", leg.payment_frequency)
    _term(node, "RstFrqcy", leg.reset_frequency)


def _years(value: tuple[str, int | None]) -> tuple[str, int | None]:
    if value[0] == "MNTH" and value[1] and value[1] % 12 == 0:
        return "YEAR", value[1] // 12  # whole years are stated in years
    return value


def _term(parent: etree._Element, name: str, period: Period | None) -> None:
    value = frequency(period)
    if value is None:
        return
    unit, count = _years(value)
    term = sub(parent, f"{name}/Term")
    sub(term, "Unit", unit)
    if count is not None:
        sub(term, "Val", count)


def _package(parent: etree._Element, event: TradeEvent) -> None:
    if not event.package_id:
        return
    node = sub(parent, "Packg")
    sub(node, "CmplxTradId", event.package_id)
    if event.package_spread is not None:
        sub(node, "Sprd/BsisPtSprd", event.package_spread.value)
    price = event.package_price
    if price is not None:
        if price.notation == "PERC":
            sub(node, "Pric/Pctg", price.value)
        else:
            sub(node, "Pric/MntryVal/Amt", price.value,
                **({"Ccy": price.currency} if price.currency else {}))


def _currency(parent: etree._Element, event: TradeEvent) -> None:
    if event.product.asset_class != "CURR" or event.exchange_rate is None:
        return
    node = sub(parent, "Ccy")
    sub(node, "FwdXchgRate", event.exchange_rate)
    if event.exchange_rate_basis and "/" in event.exchange_rate_basis:
        base, quoted = event.exchange_rate_basis.split("/", 1)
        pair = sub(node, "XchgRateBsis/CcyPair")
        sub(pair, "BaseCcy", base)
        sub(pair, "QtdCcy", quoted)


def _option(parent: etree._Element, event: TradeEvent) -> None:
    option = event.option
    if option is None:
        return
    node = sub(parent, "Optn")
    if option.option_type:
        sub(node, "Tp", option.option_type)
    if option.exercise_style:
        sub(node, "ExrcStyle", option.exercise_style)
    if option.strike is not None:
        if option.strike_notation == "MONE":
            sub(node, "StrkPric/MntryVal/Amt", option.strike,
                **({"Ccy": option.strike_currency} if option.strike_currency
                   and "/" not in option.strike_currency else {}))
        else:
            sub(node, "StrkPric/Pctg", percent(option.strike))
    if option.premium is not None:
        sub(node, "PrmAmt", option.premium.amount, Ccy=option.premium.currency)
    if option.premium_payment_date:
        sub(node, "PrmPmtDt", day(option.premium_payment_date))
    if option.underlying_maturity_date:
        sub(node, "MtrtyDtOfUndrlyg", day(option.underlying_maturity_date))


def _credit(parent: etree._Element, event: TradeEvent) -> None:
    credit = event.credit
    if credit is None:
        return
    node = sub(parent, "Cdt")
    if credit.seniority:
        sub(node, "Snrty", credit.seniority)
    if credit.series is not None:
        sub(node, "Srs", credit.series)
    if credit.version is not None:
        sub(node, "Vrsn", credit.version)
    if credit.index_factor is not None:
        sub(node, "IndxFctr", credit.index_factor)
    if credit.attachment_point is not None or credit.detachment_point is not None:
        tranche = sub(node, "Trch/Trnchd")
        if credit.attachment_point is not None:
            sub(tranche, "AttchmntPt", credit.attachment_point)
        if credit.detachment_point is not None:
            sub(tranche, "DtchmntPt", credit.detachment_point)
    if len(node) == 0:
        parent.remove(node)


def _other_payments(parent: etree._Element, event: TradeEvent) -> None:
    for payment in event.other_payments:
        node = sub(parent, "OthrPmt")
        sub(node, "PmtAmt/Amt", payment.amount.amount, Ccy=payment.amount.currency)
        if payment.payment_type:
            sub(node, "PmtTp/Tp", payment.payment_type)
        if payment.payment_date:
            sub(node, "PmtDt", day(payment.payment_date))
        if payment.payer:
            sub(node, "PmtPyer/Lgl/LEI", payment.payer)
        if payment.receiver:
            sub(node, "PmtRcvr/Lgl/LEI", payment.receiver)
