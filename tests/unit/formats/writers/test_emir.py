"""EMIR Refit auth.030.001.03 writer: well-formed XML, variant per action type, counts."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from shared.domain.model import (
    ActionType,
    EventType,
    Money,
    Nature,
    Party,
    Valuation,
    ValuationMethod,
)
from shared.domain.refdata import load
from shared.formats.writers.base import writer_for
from shared.formats.writers.emir import NS, EmirRefitWriter
from tests.unit.formats.writers.test_cftc import STAMP, A, B, swap

N = {"a": NS}


def document(event) -> etree._Element:
    return etree.fromstring(EmirRefitWriter().write_one(event, reporting_timestamp=STAMP))


def test_writer_for_regime():
    assert isinstance(writer_for("emir"), EmirRefitWriter)


def test_new_trade_report():
    event = swap()
    event.counterparty_1 = Party(identifier=A, nature=Nature.FINANCIAL, sectors=["CDTI"],
                                 clearing_threshold_exceeded=True)
    event.counterparty_2 = Party(identifier=B, nature=Nature.NON_FINANCIAL, sectors=["C"],
                                 clearing_threshold_exceeded=False, reporting_obligation=False)
    event.legs[0].direction, event.legs[1].direction = "TAKE", "MAKE"
    doc = document(event)
    assert doc.tag == f"{{{NS}}}Document"
    assert doc.findtext("a:DerivsTradRpt/a:RptHdr/a:NbRcrds", namespaces=N) == "1"
    new = doc.find("a:DerivsTradRpt/a:TradData/a:Rpt/a:New", N)
    cpty = new.find("a:CtrPtySpcfcData/a:CtrPty", N)
    assert cpty.findtext("a:RptgCtrPty/a:Id/a:Lgl/a:Id/a:LEI", namespaces=N) == A
    assert cpty.findtext("a:RptgCtrPty/a:Ntr/a:FI/a:Sctr/a:Cd", namespaces=N) == "CDTI"
    assert cpty.findtext("a:RptgCtrPty/a:DrctnOrSd/a:Drctn/a:DrctnOfTheFrstLeg",
                         namespaces=N) == "TAKE"
    assert cpty.findtext("a:OthrCtrPty/a:Ntr/a:NFI/a:Sctr/a:Id", namespaces=N) == "C"
    assert cpty.findtext("a:OthrCtrPty/a:RptgOblgtn", namespaces=N) == "false"
    tx = new.find("a:CmonTradData/a:TxData", N)
    assert tx.findtext("a:TxId/a:UnqTxIdr", namespaces=N) == "UTI1"
    amount = tx.find("a:NtnlAmt/a:FrstLeg/a:Amt/a:Amt", N)
    assert amount.text == "10000000" and amount.get("Ccy") == "USD"
    assert tx.findtext("a:IntrstRate/a:FrstLeg/a:Fxd/a:Rate/a:Rate", namespaces=N) == "2.53"
    assert tx.findtext("a:IntrstRate/a:ScndLeg/a:Fltg/a:Sprd/a:BsisPtSprd",
                       namespaces=N) == "15"
    assert tx.findtext("a:TradConf/a:NonConfd/a:Tp", namespaces=N) == "NCNF"
    assert tx.findtext("a:PltfmIdr", namespaces=N) == "XXXX"
    assert new.findtext("a:Lvl", namespaces=N) == "TCTN"
    # children follow the schema's order
    names = [etree.QName(c).localname for c in tx]
    assert names.index("TxId") < names.index("NtnlAmt") < names.index("IntrstRate")


@pytest.mark.parametrize(("action", "variant"), [
    (ActionType.NEWT, "New"), (ActionType.MODI, "Mod"), (ActionType.CORR, "Crrctn"),
    (ActionType.TERM, "Termntn"), (ActionType.POSC, "PosCmpnt"), (ActionType.EROR, "Err"),
    (ActionType.REVI, "Rvv"), (ActionType.VALU, "ValtnUpd"), (ActionType.PRTO, "PortOut")])
def test_variant_follows_action_type(action, variant):
    event = swap(action_type=action)
    if action is ActionType.VALU:
        event.valuation = Valuation(amount=Money(amount=Decimal("-1234.5"), currency="EUR"),
                                    method=ValuationMethod.MARK_TO_MARKET,
                                    timestamp=datetime(2021, 3, 2, 18, tzinfo=UTC))
    doc = document(event)
    [report] = doc.find("a:DerivsTradRpt/a:TradData/a:Rpt", N)
    assert etree.QName(report).localname == variant
    assert report.findtext("a:CmonTradData/a:TxData/a:TxId/a:UnqTxIdr", namespaces=N) == "UTI1"
    if variant == "ValtnUpd":
        value = report.find("a:CtrPtySpcfcData/a:Valtn/a:CtrctVal", N)
        amount = value.find("a:Amt", N)
        assert amount.text == "1234.5" and amount.get("Ccy") == "EUR"
        assert value.findtext("a:Sgn", namespaces=N) == "false"
        assert report.findtext("a:CtrPtySpcfcData/a:Valtn/a:Tp", namespaces=N) == "MTMA"
    if variant in ("Err", "ValtnUpd"):  # identification only
        assert report.find("a:CmonTradData/a:CtrctData", N) is None


def test_margin_update_is_not_an_auth030_report():
    with pytest.raises(ValueError, match=r"auth\.108"):
        document(swap(action_type=ActionType.MARU))


def test_batch_counts_records():
    out = io.BytesIO()
    count = EmirRefitWriter().write_batch([swap(uti=f"U{i}") for i in range(4)], out,
                                          reporting_timestamp=STAMP)
    doc = etree.fromstring(out.getvalue())
    assert count == 4
    assert doc.findtext("a:DerivsTradRpt/a:RptHdr/a:NbRcrds", namespaces=N) == "4"
    assert len(doc.findall("a:DerivsTradRpt/a:TradData/a:Rpt", N)) == 4


def test_platform_identifier_uses_reference_data():
    writer = EmirRefitWriter(refdata=load())
    for mic, expected in (("XNAS", "XNAS"), ("EGSI", "XXXX")):
        doc = etree.fromstring(writer.write_one(swap(execution_venue=mic),
                                                reporting_timestamp=STAMP))
        assert doc.findtext(".//a:PltfmIdr", namespaces=N) == expected


# --- lifecycle variants ---------------------------------------------------------------------


def _tx(doc: etree._Element) -> etree._Element:
    [report] = doc.find("a:DerivsTradRpt/a:TradData/a:Rpt", N)
    return report.find("a:CmonTradData/a:TxData", N)


def test_prior_uti_follows_the_uti():
    tx = _tx(document(swap(event_type=EventType.NOVA, prior_uti="OLD1")))
    names = [etree.QName(c).localname for c in tx]
    assert names[:2] == ["TxId", "PrrTxId"]
    assert tx.findtext("a:PrrTxId/a:UnqTxIdr", namespaces=N) == "OLD1"


def test_correction_reports_no_event_type_but_the_event_date():
    tx = _tx(document(swap(action_type=ActionType.CORR, event_type=None)))
    assert tx.find("a:DerivEvt/a:Tp", N) is None
    assert tx.findtext("a:DerivEvt/a:TmStmp/a:Dt", namespaces=N) == "2021-03-01"


def test_partial_termination_dates_the_event_by_its_event_date():
    tx = _tx(document(swap(action_type=ActionType.MODI, event_type=EventType.ETRM,
                           event_date=date(2021, 6, 1))))
    assert tx.findtext("a:DerivEvt/a:Tp", namespaces=N) == "ETRM"
    assert tx.findtext("a:DerivEvt/a:TmStmp/a:Dt", namespaces=N) == "2021-06-01"


def test_an_error_report_names_the_reporting_counterparty_only():
    doc = document(swap(action_type=ActionType.EROR, event_type=None, prior_uti="OLD1"))
    [report] = doc.find("a:DerivsTradRpt/a:TradData/a:Rpt", N)
    assert report.find("a:CtrPtySpcfcData/a:CtrPty/a:OthrCtrPty", N) is None
    assert report.findtext("a:CtrPtySpcfcData/a:CtrPty/a:RptgCtrPty/a:Id/a:Lgl/a:Id/a:LEI",
                           namespaces=N) == A
    assert [etree.QName(c).localname for c in _tx(doc)] == ["TxId"]
