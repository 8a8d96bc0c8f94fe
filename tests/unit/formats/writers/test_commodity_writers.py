"""Commodity trades and variance swaps as the EMIR (auth.030), CFTC Part 45 and KRX writers
report them, from FpML through the mapping."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from lxml import etree

from shared.formats.writers.cftc import CftcPart45Writer
from shared.formats.writers.emir import NS, EmirRefitWriter
from shared.formats.writers.krx import KrxCsvWriter
from tests.unit.formats.fpml.samples import LEI_A, LEI_B
from tests.unit.formats.fpml.test_commodity import (
    commodity_swap,
    fixed_leg,
    floating_leg,
    one,
)

STAMP = datetime(2024, 4, 29, tzinfo=UTC)
N = {"a": NS}


def emir(event) -> etree._Element:
    doc = etree.fromstring(EmirRefitWriter().write_one(event, reporting_timestamp=STAMP))
    return doc.find("a:DerivsTradRpt/a:TradData/a:Rpt/a:New", N)


def krx_row(event) -> dict[str, str]:
    data = KrxCsvWriter().write_one(event, reporting_timestamp=STAMP).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(data)))[:2]
    return dict(zip(header, row, strict=True))


def test_emir_fixed_floating_commodity_swap():
    new = emir(one(commodity_swap(fixed_leg("B", "A"),
                                  floating_leg("A", "B", spread="0.25"))))
    assert new.findtext("a:CmonTradData/a:CtrctData/a:AsstClss", namespaces=N) == "COMM"
    assert new.findtext("a:CmonTradData/a:CtrctData/a:CtrctTp", namespaces=N) == "SWAP"
    # the settlement currency goes with the floating leg, and leg 1 is the fixed one
    assert new.find("a:CmonTradData/a:CtrctData/a:SttlmCcy", N) is None
    tx = new.find("a:CmonTradData/a:TxData", N)
    assert tx.findtext("a:TxPric/a:Pric/a:MntryVal/a:Amt", namespaces=N) == "5.4"
    assert tx.findtext("a:NtnlAmt/a:FrstLeg/a:Amt/a:Amt", namespaces=N) == "7020000"
    assert tx.findtext("a:NtnlQty/a:ScndLeg/a:TtlQty", namespaces=N) == "1300000"
    assert tx.findtext("a:DlvryTp", namespaces=N) == "CASH"
    # a commodity leg's spread is a price: stated in money, the leg has no other rate terms
    spread = tx.find("a:IntrstRate/a:ScndLeg/a:Fltg/a:Sprd/a:MntryVal/a:Amt", N)
    assert spread.text == "0.25" and spread.get("Ccy") == "USD"
    assert tx.find("a:IntrstRate/a:FrstLeg", N) is None
    side = new.find("a:CtrPtySpcfcData/a:CtrPty/a:RptgCtrPty/a:DrctnOrSd/a:Drctn", N)
    assert [c.text for c in side] == ["TAKE", "MAKE"]


def test_emir_strip_states_an_unknown_quantity():
    event = one(commodity_swap(fixed_leg("A", "B"), fixed_leg("A", "B"),
                               floating_leg("B", "A"), floating_leg("B", "A")))
    tx = emir(event).find("a:CmonTradData/a:TxData", N)
    assert tx.findtext("a:NtnlQty/a:FrstLeg/a:TtlQty", namespaces=N) == (
        "9999999999999999999999999")
    assert tx.find("a:NtnlAmt", N) is None and tx.find("a:TxPric", N) is None


def test_cftc_single_leg_commodity_swap():
    report = CftcPart45Writer().report(
        one(commodity_swap(floating_leg("B", "A", qty="465000", unit="USMMBTU"))),
        reporting_timestamp=STAMP)
    assert report["cftcGuidebook"]["assetClass"] == "Commodity"
    assert report["cftcGuidebook"]["settlementType"] == "CASH"
    assert report["buyerIdentifier"] == LEI_B and report["sellerIdentifier"] == LEI_A
    leg = report["leg1"]
    assert leg["quantityUnitOfMeasure"] == "MBTU" and str(leg["totalNotionalQuantity"]) == (
        "465000")
    assert leg["settlementCurrency"] == "USD"
    assert "payerIdentifier" not in leg  # a sided trade's legs name no payer


def test_cftc_variance_swap_leg_names_payer_and_receiver():
    event = one("""<varianceSwap><varianceLeg>
        <payerPartyReference href="A"/><receiverPartyReference href="B"/>
        <settlementType>Cash</settlementType>
        <amount><variance><varianceAmount><currency>USD</currency><amount>1388.889</amount>
        </varianceAmount><vegaNotionalAmount>50000</vegaNotionalAmount></variance></amount>
      </varianceLeg></varianceSwap>""")
    report = CftcPart45Writer().report(event, reporting_timestamp=STAMP)
    assert report["buyerIdentifier"] == LEI_B and report["sellerIdentifier"] == LEI_A
    assert report["leg1"]["payerIdentifier"] == LEI_A
    assert report["leg1"]["receiverIdentifier"] == LEI_B
    assert str(report["leg1"]["notionalAmount"]) == "1388.889"
    assert report["cftcGuidebook"]["assetClass"] == "Equity"
    side = emir(event).findtext("a:CtrPtySpcfcData/a:CtrPty/a:RptgCtrPty/a:DrctnOrSd/"
                                "a:CtrPtySd", namespaces=N)
    assert side == "SLLR"


def test_krx_carries_asset_class_underlier_classification_and_quantity():
    row = krx_row(one(commodity_swap(fixed_leg("B", "A", price="75", qty="10000", unit="BBL"),
                                     floating_leg("A", "B", price="OIL-WTI-NYMEX", qty="10000",
                                                  unit="BBL"),
                                     taxonomy="Commodity:Energy:Oil:Swap:Cash")))
    assert row["ASSET_CLASS"] == "COMM" and row["CONTRACT_TYPE"] == "SWAP"
    assert row["UNDERLYING_ID"] == "OIL-WTI-NYMEX" and row["UNDERLYING_ID_SOURCE"] == "FPML"
    assert (row["COMMODITY_BASE"], row["COMMODITY_SUB"], row["COMMODITY_FURTHER_SUB"]) == (
        "NRGY", "OILP", "WTIO")
    assert row["L1_TOTAL_QUANTITY"] == row["L2_TOTAL_QUANTITY"] == "10000"
    assert row["L1_QUANTITY_UNIT"] == "BARL"
    assert row["L1_QUANTITY_FREQ"] == "PerCalculationPeriod"
    assert row["L1_NOTIONAL"] == "750000" and row["PRICE"] == "75"
