"""JFSA auth.030.001.04 writer: JFSA's field set and the .001.04 shapes that differ from EMIR."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from lxml import etree

from shared.domain.model import (
    ActionType,
    Cleared,
    Clearing,
    CreditTerms,
    EventType,
    Leg,
    MasterAgreement,
    Money,
    Nature,
    OptionTerms,
    Party,
    Period,
    PeriodUnit,
    Price,
    Product,
    TradeEvent,
    Underlier,
)
from shared.formats.writers.base import writer_for
from shared.formats.writers.jfsa import JfsaWriter, java_instant_text
from tests.unit.formats.writers.auth030_support import CTRCT, NEW, TX, N, documents
from tests.unit.formats.writers.auth030_support import value as text
from tests.unit.formats.writers.test_cftc import A, B, swap

document = documents(JfsaWriter)


def test_writer_for_regime_and_namespace():
    assert isinstance(writer_for("jfsa"), JfsaWriter)
    assert document(swap()).tag == "{urn:iso:std:iso:20022:tech:xsd:auth.030.001.04}Document"


def test_counterparties_without_nature_obligation_or_broker():
    event = swap(broker="549300OL8KL0WCQ34V31")
    event.counterparty_1 = Party(identifier=A, nature=Nature.FINANCIAL, sectors=["CDTI"],
                                 clearing_threshold_exceeded=True)
    event.counterparty_2 = Party(identifier=B, nature=Nature.NON_FINANCIAL, sectors=["C"],
                                 reporting_obligation=True)
    event.legs[0].direction, event.legs[1].direction = "TAKE", "MAKE"
    doc = document(event)
    cpty = doc.find(f"{NEW}/a:CtrPtySpcfcData/a:CtrPty", N)
    assert text(cpty, "a:RptgCtrPty/a:Id/a:Lgl/a:Id/a:LEI") == A
    assert text(cpty, "a:RptgCtrPty/a:DrctnOrSd/a:Drctn/a:DrctnOfTheFrstLeg") == "TAKE"
    assert text(cpty, "a:OthrCtrPty/a:IdTp/a:Lgl/a:Id/a:LEI") == B
    for absent in ("Ntr", "RptgOblgtn", "Brkr"):
        assert cpty.find(f".//a:{absent}", N) is None, absent


def test_no_emir_only_elements():
    event = swap(master_agreement=MasterAgreement(type="ISDA", version="2002"),
                 compression=False, intragroup=False)
    event.product.classification = "SRCCSP"
    event.clearing = Clearing(cleared=Cleared.NO, clearing_obligation=False)
    doc = document(event)
    for absent in ("PdctClssfctn", "MstrAgrmt", "PstTradRskRdctnFlg", "ClrOblgtn",
                   "IntraGrp", "Lvl", "PltfmIdr"):
        assert doc.find(f".//a:{absent}", N) is None, absent
    assert text(doc, f"{TX}/a:TradClr/a:ClrSts/a:NonClrd/a:Rsn") == "NORE"


def test_trade_intended_for_clearing_has_no_cleared_status_yet():
    doc = document(swap(clearing=Clearing(cleared=Cleared.INTENDED)))
    assert doc.find(f"{TX}/a:TradClr", N) is None


def test_platform_only_as_the_trade_states_it():
    # a MIC reported as given (no EMIR-style check of its status); none when the trade names none
    assert text(document(swap(execution_venue="EGSI")), f"{TX}/a:PltfmIdr") == "EGSI"
    assert text(document(swap(execution_venue="XOFF")), f"{TX}/a:PltfmIdr") == "XOFF"


def test_margin_portfolio_codes_replace_collateral_portfolio():
    doc = document(swap())
    node = f"{TX}/a:CollPrtflCd/a:MrgnPrtflCd"
    assert text(doc, f"{node}/a:InitlMrgnPrtflCd/a:NoPrtfl") == "NOAP"
    assert text(doc, f"{node}/a:VartnMrgnPrtflCd/a:NoPrtfl") == "NOAP"
    assert doc.find(f"{TX}/a:CollPrtflCd/a:Prtfl", N) is None


def test_event_identifier_and_timestamp():
    doc = document(swap(event_id="SEF123"))
    assert text(doc, f"{TX}/a:DerivEvt/a:Id/a:EvtIdr") == "SEF123"
    assert text(doc, f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == "2021-03-01T10:00:00.206Z"
    assert doc.find(f"{TX}/a:DerivEvt/a:TmStmp/a:Dt", N) is None
    assert document(swap()).find(f"{TX}/a:DerivEvt/a:Id", N) is None


def test_technical_record_id_from_message_id_and_reporting_timestamp():
    tech = f"{NEW}/a:TechAttrbts/a:TechRcrdId"
    doc = document(swap(message_id="MSG42"), datetime(2024, 4, 29, tzinfo=UTC))
    assert text(doc, tech) == "MSG42_2024-04-29T00:00Z"
    assert doc.find(f"{NEW}/a:Lvl", N) is None
    doc = document(swap(message_id="MSG42"), datetime(2024, 4, 29, 9, 15, 42, tzinfo=UTC))
    assert text(doc, tech) == "MSG42_2024-04-29T09:15:42Z"
    # no message id (a CSV or JSONL source): the UTI stands in
    assert text(document(swap()), tech) == "UTI1_2024-04-29T00:00Z"


def test_event_timestamp_keeps_the_offset_the_source_gave():
    pacific = timezone(timedelta(hours=-8))
    doc = document(swap(event_timestamp=datetime(2004, 1, 24, 4, 36, 35, tzinfo=pacific)))
    assert text(doc, f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == "2004-01-24T04:36:35-08:00"


def test_java_instant_text():
    assert java_instant_text(datetime(2024, 4, 29, 9, 15, tzinfo=UTC)) == "2024-04-29T09:15Z"
    assert java_instant_text(datetime(2024, 4, 29, 9, 15, 0, 206000, tzinfo=UTC)) == \
        "2024-04-29T09:15:00.206Z"
    assert java_instant_text(datetime(2024, 4, 29, 9, 15, 1, 123456, tzinfo=UTC)) == \
        "2024-04-29T09:15:01.123456Z"


def test_fixed_rate_as_decimal_fraction():
    doc = document(swap())
    assert text(doc, f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:Rate/a:Dcml") == "0.0253"
    assert doc.find(f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:Rate/a:Rate", N) is None


def test_floating_index_is_the_underlier_of_a_single_currency_swap():
    event = swap()
    event.legs[1].floating_index_code = "SOFR"
    assert text(document(event), f"{CTRCT}/a:UndrlygInstrm/a:Indx/a:Indx") == "SOFR"
    # a cross-currency swap reports no underlier
    event.legs[0].notional = Money(amount=Decimal("9E+6"), currency="EUR")
    assert document(event).find(f"{CTRCT}/a:UndrlygInstrm", N) is None


def test_cap_reports_no_rate_underlier_and_zero_premium_when_none_paid():
    event = swap(product=Product(asset_class="INTR", contract_type="OPTN"),
                 option=OptionTerms(option_type="CALL", exercise_style="EURO",
                                    strike=Decimal("0.03"), strike_notation="PERC"))
    event.legs[1].floating_index_code = "LIBO"
    doc = document(event)
    assert doc.find(f"{CTRCT}/a:UndrlygInstrm", N) is None
    assert text(doc, f"{TX}/a:Optn/a:StrkPric/a:Dcml") == "0.03"
    premium = doc.find(f"{TX}/a:Optn/a:PrmAmt", N)
    assert premium.text == "0" and premium.get("Ccy") is None


def test_fra_dates_and_legs():
    event = swap(product=Product(asset_class="INTR", contract_type="FRAS"),
                 effective_date=date(2021, 3, 11), expiration_date=date(2021, 6, 11),
                 final_settlement_date=date(2021, 6, 11))
    event.legs[0].payment_frequency = Period(unit=PeriodUnit.MONTH, multiplier=3)
    event.legs[1].floating_index_code = "EURI"
    event.legs[1].fixing_date = date(2021, 3, 9)
    doc = document(event)
    assert text(doc, f"{TX}/a:FctvDt") == "2021-03-11"
    assert text(doc, f"{TX}/a:XprtnDt") == "2021-06-11"
    assert text(doc, f"{TX}/a:SttlmDt") == "2021-06-11"
    assert text(doc, f"{CTRCT}/a:UndrlygInstrm/a:Indx/a:Indx") == "EURI"
    assert text(doc, f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:Rate/a:Dcml") == "0.0253"
    floating = doc.find(f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg", N)
    assert [etree.QName(c).localname for c in floating] == ["DayCnt"]


def test_terms_keep_the_unit_the_trade_states():
    event = swap()
    event.legs[0].payment_frequency = Period(unit=PeriodUnit.MONTH, multiplier=12)
    doc = document(event)
    term = f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:PmtFrqcy/a:Term"
    assert (text(doc, f"{term}/a:Unit"), text(doc, f"{term}/a:Val")) == ("MNTH", "12")


def test_fx_option_strike_as_decimal_with_call_and_put_amounts_and_first_exercise():
    event = swap(product=Product(asset_class="CURR", contract_type="OPTN"),
                 exchange_rate=Decimal("73.5"),
                 option=OptionTerms(option_type="CALL", exercise_style="EURO",
                                    strike=Decimal("73.5"), strike_notation="MONE",
                                    strike_currency="NZD/JPY",
                                    premium=Money(amount=Decimal(60085), currency="NZD"),
                                    exercise_dates=[date(2019, 3, 21)],
                                    call_amount=Money(amount=Decimal(111500000), currency="JPY"),
                                    put_amount=Money(amount=Decimal(1110000), currency="NZD")))
    doc = document(event)
    option = f"{TX}/a:Optn"
    assert text(doc, f"{option}/a:StrkPric/a:Dcml") == "73.5"
    assert text(doc, f"{option}/a:ExrcDt/a:FrstExrcDt") == "2019-03-21"
    call, put = doc.find(f"{option}/a:CallAmt", N), doc.find(f"{option}/a:PutAmt", N)
    assert (call.text, call.get("Ccy"), put.text, put.get("Ccy")) == (
        "111500000", "JPY", "1110000", "NZD")
    assert text(doc, f"{TX}/a:Ccy/a:XchgRate") == "73.5"
    assert doc.find(f"{TX}/a:Ccy/a:FwdXchgRate", N) is None


def test_ndf_fixing_date_with_settlement_currency():
    event = swap(product=Product(asset_class="CURR", contract_type="FORW",
                                 delivery_type="CASH", settlement_currency="USD"))
    event.legs[0].fixing_date = date(2022, 3, 16)
    doc = document(event)
    assert text(doc, f"{CTRCT}/a:SttlmCcy/a:Ccy") == "USD"
    assert text(doc, f"{CTRCT}/a:SttlmCcy/a:FxgDt") == "2022-03-16T00:00:00Z"


def test_second_leg_settlement_currency():
    event = swap(product=Product(asset_class="INTR", contract_type="SWAP"))
    event.legs[0].settlement_currency = "EUR"
    event.legs[1].settlement_currency = "USD"
    doc = document(event)
    assert text(doc, f"{CTRCT}/a:SttlmCcy/a:Ccy") == "EUR"
    assert text(doc, f"{CTRCT}/a:SttlmCcyScndLeg/a:Ccy") == "USD"


def test_percentage_price_as_decimal():
    doc = document(swap(price=Price(value=Decimal("72.66"), notation="PERC")))
    assert text(doc, f"{TX}/a:TxPric/a:Pric/a:Dcml") == "0.7266"


def test_basket_constituents_by_identifier_scheme():
    event = swap(product=Product(asset_class="EQUI", contract_type="SWAP",
                                 underlier_basket=True,
                                 underliers=[Underlier(identifier="ANSS.OQ", source="OTHR",
                                                       id_scheme="RIC"),
                                             Underlier(identifier="US0378331005",
                                                       source="ISIN")]))
    doc = document(event)
    constituents = doc.findall(f"{CTRCT}/a:UndrlygInstrm/a:Bskt/a:Cnsttnts/a:InstrmId", N)
    assert text(constituents[0], "a:OthrId/a:Id") == "ANSS.OQ"
    assert text(constituents[0], "a:OthrId/a:Src") == "RIC"
    assert text(constituents[1], "a:ISIN") == "US0378331005"


def test_credit_index_by_isin_and_name():
    event = swap(product=Product(asset_class="CRDT", contract_type="SWAP",
                                 underliers=[Underlier(identifier="USM17X16X151", source="INDX",
                                                       name="CDX.NA.HY.18")]))
    doc = document(event)
    assert text(doc, f"{CTRCT}/a:UndrlygInstrm/a:Indx/a:ISIN") == "USM17X16X151"
    assert text(doc, f"{CTRCT}/a:UndrlygInstrm/a:Indx/a:Nm") == "CDX.NA.HY.18"


def test_equity_quantity_with_unit_and_no_placeholder_when_unknown():
    event = swap(product=Product(asset_class="EQUI", contract_type="OPTN"))
    event.legs = event.legs[:1]
    event.legs[0].total_quantity = Decimal(150000)
    event.legs[0].quantity_unit = "SHAS"
    doc = document(event)
    assert text(doc, f"{TX}/a:NtnlQty/a:FrstLeg/a:TtlQty") == "150000"
    assert text(doc, f"{TX}/a:NtnlQty/a:FrstLeg/a:UnitOfMeasr/a:Cd") == "SHAS"
    event.legs[0].total_quantity = None
    assert document(event).find(f"{TX}/a:NtnlQty", N) is None


def test_error_report_keeps_the_fields_drr_does_not_gate_on_the_action():
    event = swap(action_type=ActionType.EROR, message_id="M1", event_id="E1")
    doc = document(event)
    err = doc.find("a:DerivsTradRpt/a:TradData/a:Rpt/a:Err", N)
    cpty = err.find("a:CtrPtySpcfcData/a:CtrPty", N)
    assert text(cpty, "a:RptgCtrPty/a:Id/a:Lgl/a:Id/a:LEI") == A
    assert cpty.find("a:OthrCtrPty", N) is None
    contract = err.find("a:CmonTradData/a:CtrctData", N)
    assert [etree.QName(c).localname for c in contract] == ["DerivBasedOnCrptAsst"]
    tx = err.find("a:CmonTradData/a:TxData", N)
    assert [etree.QName(c).localname for c in tx] == [
        "TxId", "CollPrtflCd", "DerivEvt", "TradConf", "TradClr"]
    assert text(tx, "a:TxId/a:UnqTxIdr") == "UTI1"
    assert text(tx, "a:DerivEvt/a:Id/a:EvtIdr") == "E1"
    assert tx.find("a:DerivEvt/a:Tp", N) is None
    assert err.find("a:TechAttrbts", N) is None


def commodity_swap(**overrides) -> TradeEvent:
    """A cash-settled commodity swap: a fixed price leg against a floating (index) leg."""
    event = swap(product=Product(asset_class="COMM", contract_type="SWAP",
                                 delivery_type="CASH"),
                 price=Price(value=Decimal("375"), currency="USD", notation="MONE"),
                 **overrides)
    event.legs = [Leg(rate_type="FIXED", total_quantity=Decimal("200"), quantity_unit="OZTR",
                      quantity_frequency="PerCalculationPeriod"),
                  Leg(rate_type="OTHER", total_quantity=Decimal("200"), quantity_unit="OZTR",
                      quantity_frequency="PerCalculationPeriod", settlement_currency="USD",
                      spread=Decimal("0.003"), spread_currency="USD")]
    return event


def test_commodity_price_and_quantities_with_their_unit():
    doc = document(commodity_swap())
    assert text(doc, f"{TX}/a:TxPric/a:Pric/a:MntryVal/a:Amt") == "375"
    assert text(doc, f"{TX}/a:TxPric/a:UnitOfMeasr/a:Cd") == "OZTR"
    for leg in ("FrstLeg", "ScndLeg"):
        assert text(doc, f"{TX}/a:NtnlQty/a:{leg}/a:TtlQty") == "200"
        assert text(doc, f"{TX}/a:NtnlQty/a:{leg}/a:UnitOfMeasr/a:Cd") == "OZTR"


def test_unit_without_an_iso_code_is_not_reported():
    event = commodity_swap()
    for leg in event.legs:
        leg.quantity_unit = "KL"  # kilolitres: no ISO 20022 UnitOfMeasure code
    doc = document(event)
    assert text(doc, f"{TX}/a:NtnlQty/a:FrstLeg/a:TtlQty") == "200"
    assert doc.find(".//a:UnitOfMeasr", N) is None


def test_commodity_floating_leg_spread_and_second_leg_settlement_currency():
    doc = document(commodity_swap())
    assert doc.find(f"{CTRCT}/a:SttlmCcy", N) is None  # the fixed price leg settles none
    assert text(doc, f"{CTRCT}/a:SttlmCcyScndLeg/a:Ccy") == "USD"
    amount = doc.find(f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg/a:Sprd/a:MntryVal/a:Amt", N)
    assert amount.text == "0.003" and amount.get("Ccy") == "USD"
    assert doc.find(f"{TX}/a:IntrstRate/a:FrstLeg", N) is None


def test_correction_states_no_event_type_unless_the_event_has_one():
    corrected = "a:DerivsTradRpt/a:TradData/a:Rpt/a:Crrctn/a:CmonTradData/a:TxData/a:DerivEvt"
    doc = document(swap(action_type=ActionType.CORR, event_type=None, event_id="E1"))
    assert doc.find(f"{corrected}/a:Tp", N) is None
    assert text(doc, f"{corrected}/a:Id/a:EvtIdr") == "E1"
    assert text(document(swap(event_type=None)), f"{TX}/a:DerivEvt/a:Tp") == "TRAD"
    modified = "a:DerivsTradRpt/a:TradData/a:Rpt/a:Mod/a:CmonTradData/a:TxData/a:DerivEvt/a:Tp"
    doc = document(swap(action_type=ActionType.MODI, event_type=EventType.ETRM))
    assert text(doc, modified) == "ETRM"


def test_event_timestamp_as_the_source_states_it():
    event = swap(event_timestamp=datetime(2021, 10, 19, 22, 34, 57, 341844, tzinfo=UTC),
                 event_timestamp_text="2021-10-19T22:34:57.3418443Z")
    assert text(document(event), f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == \
        "2021-10-19T22:34:57.3418443Z"
    # a text with no offset is not an instant: the parsed timestamp is reported instead
    event.event_timestamp_text = "2021-10-19T22:34:57"
    assert text(document(event), f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == \
        "2021-10-19T22:34:57.341844Z"


def test_option_without_premium_states_none():
    event = commodity_swap(option=OptionTerms(option_type="CALL", exercise_style="EURO",
                                              strike=Decimal("2.93"), strike_currency="USD",
                                              strike_notation="MONE"))
    event.product.contract_type = "SWPT"
    assert document(event).find(f"{TX}/a:Optn/a:PrmAmt", N) is None


def test_single_name_cds_reference_entity():
    event = swap(product=Product(asset_class="CRDT", contract_type="SWAP"),
                 credit=CreditTerms(seniority="SNDB", reference_entity="8G836J"))
    credit = document(event).find(f"{TX}/a:Cdt", N)
    assert [etree.QName(c).localname for c in credit] == ["Snrty", "RefPty"]
    assert text(credit, "a:RefPty/a:LEI") == "8G836J"
    # an option on a credit default swap states no reference entity
    event.option = OptionTerms(option_type="CALL", exercise_style="EURO")
    event.product.contract_type = "SWPT"
    assert document(event).find(f"{TX}/a:Cdt/a:RefPty", N) is None
