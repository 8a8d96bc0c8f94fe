"""MAS SF(RDC)R auth.030.001.04 writer: MAS's field set, not EMIR's, on the shared document."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from lxml import etree

from shared.domain.model import (
    ActionType,
    AssetClass,
    Cleared,
    Clearing,
    Collateral,
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
    VarianceTerms,
)
from shared.formats.writers.base import writer_for
from shared.formats.writers.mas import NS, MasWriter
from tests.unit.formats.fpml.samples import LEI_A, irs, message, regime, stream
from tests.unit.formats.writers.auth030_support import (
    CPTY,
    CTRCT,
    NEW,
    TX,
    N,
    documents,
    from_fpml,
    has,
    quantity_leg,
    value,
)
from tests.unit.formats.writers.test_cftc import A, B, swap

document = documents(MasWriter)


def test_writer_for_regime_and_namespace():
    assert isinstance(writer_for("mas"), MasWriter)
    assert document(swap()).tag == f"{{{NS}}}Document"
    assert NS.endswith("auth.030.001.04")


def test_no_emir_only_fields():
    event = swap()
    event.counterparty_1 = Party(identifier=A, nature=Nature.FINANCIAL, sectors=["CDTI"],
                                 clearing_threshold_exceeded=True)
    event.counterparty_2 = Party(identifier=B, nature=Nature.FINANCIAL, sectors=["INVF"],
                                 reporting_obligation=True)
    event.broker = "549300OL8KL0WCQ34V31"
    event.product.classification = "SRCXSC"
    event.master_agreement = MasterAgreement(type="ISDA", version="2002")
    event.intragroup = False
    doc = document(event)
    for path in (f"{CPTY}/a:RptgCtrPty/a:Ntr", f"{CPTY}/a:OthrCtrPty/a:Ntr",
                 f"{CPTY}/a:OthrCtrPty/a:RptgOblgtn", f"{CPTY}/a:Brkr",
                 f"{CTRCT}/a:PdctClssfctn", f"{CTRCT}/a:DerivBasedOnCrptAsst",
                 f"{TX}/a:MstrAgrmt", f"{TX}/a:PstTradRskRdctnFlg",
                 f"{TX}/a:TradClr/a:ClrOblgtn", f"{TX}/a:TradClr/a:IntraGrp", f"{NEW}/a:Lvl"):
        assert not has(doc, path), path
    assert value(doc, f"{CPTY}/a:OthrCtrPty/a:IdTp/a:Lgl/a:Id/a:LEI") == B
    assert value(doc, f"{TX}/a:TradClr/a:ClrSts/a:NonClrd/a:Rsn") == "NORE"


def test_technical_attributes_close_the_report():
    doc = document(swap())
    assert value(doc, f"{NEW}/a:TechAttrbts/a:RptRctTmStmp") == "2024-04-29T00:00:00Z"
    assert etree.QName(doc.find(NEW, N)[-1]).localname == "TechAttrbts"
    assert not has(doc, f"{NEW}/a:TechAttrbts/a:TechRcrdId")


def test_technical_record_id_where_registered_with_mas():
    event = swap(event_id="MSG-42")
    event.counterparty_1 = Party(identifier=A, supervisory_bodies=["MAS", "ESMA"])
    assert value(document(event), f"{NEW}/a:TechAttrbts/a:TechRcrdId") == "MSG-42"


def test_booking_location_and_execution_agents():
    event = swap()
    event.counterparty_1 = Party(identifier=A, country="SG", execution_agent="NOAP")
    event.counterparty_2 = Party(identifier=B, execution_agent="549300F2KFOQJZRKZ512")
    doc = document(event)
    assert value(doc, f"{CPTY}/a:RptgCtrPty/a:BookgLctn") == "SG"
    agents = doc.findall(f"{CPTY}/a:ExctnAgt", N)
    assert [a.findtext("a:Othr/a:Id/a:Id", namespaces=N) for a in agents] == ["NOAP", None]
    assert agents[1].findtext("a:LEI", namespaces=N) == "549300F2KFOQJZRKZ512"


def test_no_booking_location_or_agents_when_unknown():
    doc = document(swap())
    assert not has(doc, f"{CPTY}/a:RptgCtrPty/a:BookgLctn")
    assert not has(doc, f"{CPTY}/a:ExctnAgt")


def test_fixed_rate_is_a_decimal_and_floating_leg_has_no_index_code():
    event = swap()
    event.legs[1].floating_index_code = "SOFR"
    event.legs[1].floating_tenor = Period(unit=PeriodUnit.MONTH, multiplier=3)
    doc = document(event)
    assert value(doc, f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:Rate/a:Dcml") == "0.0253"
    assert not has(doc, f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:Rate/a:Rate")
    floating = doc.find(f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg", N)
    assert floating.find("a:Rate", N) is None and floating.find("a:RefPrd", N) is None
    assert floating.findtext("a:Sprd/a:BsisPtSprd", namespaces=N) == "15"  # whole bp
    assert floating.findtext("a:DayCnt/a:Cd", namespaces=N) == "A004"


def test_a_twelve_month_term_stays_in_months():
    event = swap()
    event.legs[0].payment_frequency = Period(unit=PeriodUnit.MONTH, multiplier=12)
    doc = document(event)
    term = f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:PmtFrqcy/a:Term"
    assert (value(doc, f"{term}/a:Unit"), value(doc, f"{term}/a:Val")) == ("MNTH", "12")


def test_fra_legs_as_they_stand():
    event = swap(product=Product(asset_class="INTR", contract_type="FRAS"))
    event.legs[1].payment_frequency = event.legs[1].reset_frequency = None
    doc = document(event)
    assert value(doc, f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:Rate/a:Dcml") == "0.0253"
    assert has(doc, f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg")
    assert not has(doc, f"{CTRCT}/a:UndrlygInstrm")


def test_event_timestamp_is_a_date_time_as_the_source_wrote_it():
    doc = document(swap())
    assert value(doc, f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == "2021-03-01T10:00:00.206Z"
    assert not has(doc, f"{TX}/a:DerivEvt/a:TmStmp/a:Dt")
    event = swap(event_timestamp_text="2021-03-01T02:00:00.2060000-08:00")
    assert value(document(event), f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == \
        "2021-03-01T02:00:00.2060000-08:00"


def test_margin_portfolio_codes():
    doc = document(swap())
    codes = f"{TX}/a:CollPrtflCd/a:MrgnPrtflCd"
    assert value(doc, f"{codes}/a:InitlMrgnPrtflCd/a:NoPrtfl") == "NOAP"
    assert value(doc, f"{codes}/a:VartnMrgnPrtflCd/a:NoPrtfl") == "NOAP"
    # a portfolio code not stated as the initial or variation margin one fills neither
    event = swap(collateral=Collateral(portfolio_code="7485"))
    assert not has(document(event), f"{TX}/a:CollPrtflCd")


def test_platform_only_when_an_execution_facility_is_named():
    assert not has(document(swap()), f"{TX}/a:PltfmIdr")
    assert value(document(swap(execution_venue="EGSI")), f"{TX}/a:PltfmIdr") == "EGSI"


def test_intended_to_clear_has_no_clearing_status():
    assert not has(document(swap(clearing=Clearing(cleared=Cleared.INTENDED))),
                   f"{TX}/a:TradClr")
    doc = document(swap(clearing=Clearing(cleared=Cleared.YES, ccp="F226TOH6YD6XJB17KS62")))
    assert value(doc, f"{TX}/a:TradClr/a:ClrSts/a:Clrd/a:Dtls/a:CCP/a:LEI") == \
        "F226TOH6YD6XJB17KS62"


def test_fx_exchange_rate_and_second_settlement_currency():
    event = swap(product=Product(asset_class=AssetClass.CURR, contract_type="FORW",
                                 settlement_currency="USD"),
                 exchange_rate=Decimal("108.833"), exchange_rate_basis="USD/JPY")
    event.legs[1].settlement_currency = "USD"
    doc = document(event)
    assert value(doc, f"{TX}/a:Ccy/a:XchgRate") == "108.833"
    assert not has(doc, f"{TX}/a:Ccy/a:FwdXchgRate")
    assert value(doc, f"{TX}/a:Ccy/a:XchgRateBsis/a:CcyPair/a:QtdCcy") == "JPY"
    assert value(doc, f"{CTRCT}/a:SttlmCcyScndLeg/a:Ccy") == "USD"


def test_fx_option_exercise_date_strike_and_call_put_amounts():
    event = swap(product=Product(asset_class=AssetClass.CURR, contract_type="OPTN"),
                 option=OptionTerms(option_type="OTHR", exercise_style="AMER",
                                    first_exercise_date=date(2020, 11, 18), strike=Decimal("1.1"),
                                    strike_notation="MONE", strike_currency="EUR/USD",
                                    call_amount=Money(amount=Decimal(100), currency="EUR"),
                                    put_amount=Money(amount=Decimal(110), currency="USD"),
                                    premium=Money(amount=Decimal(5), currency="USD"),
                                    premium_payment_date=date(2020, 11, 20)))
    doc = document(event)
    option = f"{TX}/a:Optn"
    assert value(doc, f"{option}/a:ExrcDt/a:FrstExrcDt") == "2020-11-18"
    # the quoted currency: the schema takes one ISO 4217 code, never the pair
    strike = doc.find(f"{option}/a:StrkPric/a:MntryVal/a:Amt", N)
    assert strike.text == "1.1" and strike.get("Ccy") == "USD"
    assert doc.find(f"{option}/a:CallAmt", N).get("Ccy") == "EUR"
    assert value(doc, f"{option}/a:PutAmt") == "110"
    assert value(doc, f"{option}/a:PrmAmt") == "5"
    assert not has(doc, f"{option}/a:PrmPmtDt")


def test_swaption_strike_as_decimal_and_zero_premium_when_none_stated():
    event = swap(product=Product(asset_class="INTR", contract_type="SWPT"),
                 option=OptionTerms(option_type="CALL", exercise_style="EURO",
                                    strike=Decimal("0.03"), strike_notation="PERC",
                                    underlying_maturity_date=date(2032, 1, 13)))
    doc = document(event)
    assert value(doc, f"{TX}/a:Optn/a:StrkPric/a:Dcml") == "0.03"
    premium = doc.find(f"{TX}/a:Optn/a:PrmAmt", N)
    assert premium.text == "0" and premium.get("Ccy") == "USD"
    assert not has(doc, f"{TX}/a:Optn/a:MtrtyDtOfUndrlyg")


def test_percentage_price_is_a_decimal_per_amount_of_currency():
    event = swap(price=Price(value=Decimal("72.6600701"), notation="PERC"))
    doc = document(event)
    assert value(doc, f"{TX}/a:TxPric/a:Pric/a:Dcml") == "0.726600701"
    assert value(doc, f"{TX}/a:TxPric/a:UnitOfMeasr/a:Cd") == "ACCY"


def test_known_quantity_is_detailed_with_its_unit():
    event = swap(product=Product(asset_class=AssetClass.EQUI, contract_type="OPTN"))
    event.legs = [Leg(notional=Money(amount=Decimal(4800000), currency="EUR"),
                      total_quantity=Decimal(150000), quantity_unit="SHAS")]
    doc = document(event)
    leg = f"{TX}/a:NtnlQty/a:FrstLeg"
    assert value(doc, f"{leg}/a:TtlQty") == "150000"
    assert value(doc, f"{leg}/a:UnitOfMeasr/a:Cd") == "SHAS"
    assert value(doc, f"{leg}/a:Dtls/a:Term/a:Qty") == "150000"
    event.legs[0].total_quantity = None  # unknown: DRR's placeholder, without details
    doc = document(event)
    assert value(doc, f"{leg}/a:TtlQty") == "9999999999999999999999999"
    assert not has(doc, f"{leg}/a:Dtls")


def test_underliers_by_isin_other_id_basket_and_index():
    single = swap(product=Product(asset_class=AssetClass.EQUI, contract_type="OPTN",
                                  underliers=[Underlier(identifier="STM-FP", source="OTHR",
                                                        id_scheme="Other")]))
    doc = document(single)
    assert value(doc, f"{CTRCT}/a:UndrlygInstrm/a:Othr/a:Id") == "STM-FP"
    assert value(doc, f"{CTRCT}/a:UndrlygInstrm/a:Othr/a:Src") == "Other"
    basket = swap(product=Product(
        asset_class=AssetClass.EQUI, contract_type="SWAP", underlier_basket=True,
        underliers=[Underlier(identifier="ANSS.OQ", source="OTHR", id_scheme="RIC"),
                    Underlier(identifier="IE0031442068", source="ISIN")]))
    constituents = document(basket).findall(f"{CTRCT}/a:UndrlygInstrm/a:Bskt/a:Cnsttnts", N)
    assert constituents[0].findtext("a:InstrmId/a:OthrId/a:Src", namespaces=N) == "RIC"
    assert constituents[1].findtext("a:InstrmId/a:ISIN", namespaces=N) == "IE0031442068"
    index = swap(product=Product(asset_class=AssetClass.CRDT, contract_type="SWAP",
                                 underliers=[Underlier(identifier="USM17X16X151", source="INDX",
                                                       name="CDX.NA.HY.18")]))
    doc = document(index)
    assert value(doc, f"{CTRCT}/a:UndrlygInstrm/a:Indx/a:ISIN") == "USM17X16X151"
    assert value(doc, f"{CTRCT}/a:UndrlygInstrm/a:Indx/a:Nm") == "CDX.NA.HY.18"
    named = swap(product=Product(asset_class=AssetClass.CRDT, contract_type="SWAP",
                                 underliers=[Underlier(identifier="CDX.NA.IG.2", source="INDX",
                                                       name="CDX.NA.IG.2")]))
    assert not has(document(named), f"{CTRCT}/a:UndrlygInstrm/a:Indx/a:ISIN")


def test_package_reports_its_identifier_only():
    event = swap(package_id="PKG1", package_price=Price(value=Decimal(5), notation="MONE",
                                                        currency="USD"))
    doc = document(event)
    assert value(doc, f"{TX}/a:Packg/a:CmplxTradId") == "PKG1"
    assert not has(doc, f"{TX}/a:Packg/a:Pric")


def test_slim_variants_keep_identification_only():
    doc = document(swap(action_type=ActionType.EROR))
    err = doc.find("a:DerivsTradRpt/a:TradData/a:Rpt/a:Err", N)
    assert err is not None
    assert err.find("a:CtrPtySpcfcData/a:CtrPty/a:RptgCtrPty/a:BookgLctn", N) is None
    assert err.findtext("a:CmonTradData/a:TxData/a:TxId/a:UnqTxIdr", namespaces=N) == "UTI1"
    assert err.find("a:TechAttrbts/a:RptRctTmStmp", N) is not None


def test_error_report_names_the_reporter_only_and_when_the_error_was_found():
    doc = document(swap(action_type=ActionType.EROR))
    err = doc.find("a:DerivsTradRpt/a:TradData/a:Rpt/a:Err", N)
    assert err.find("a:CtrPtySpcfcData/a:CtrPty/a:OthrCtrPty", N) is None
    event = err.find("a:CmonTradData/a:TxData/a:DerivEvt", N)
    assert event.findtext("a:TmStmp/a:DtTm", namespaces=N) == "2021-03-01T10:00:00.206Z"
    assert event.find("a:Tp", N) is None


def test_correction_states_no_event_type():
    doc = document(swap(action_type=ActionType.CORR))
    event = doc.find("a:DerivsTradRpt/a:TradData/a:Rpt/a:Crrctn/a:CmonTradData/a:TxData/"
                     "a:DerivEvt", N)
    assert event.find("a:Tp", N) is None
    assert event.find("a:TmStmp/a:DtTm", N) is not None
    assert value(document(swap()), f"{TX}/a:DerivEvt/a:Tp") == "TRAD"


# --- commodities -----------------------------------------------------------------------------


def commodity_swap(unit: str = "OZTR", period: Period | None = None) -> TradeEvent:
    period = period or Period(unit=PeriodUnit.MONTH, multiplier=1)
    legs = [Leg(payer=B, receiver=A, rate_type="FIXED", quantity=Decimal("150"),
                total_quantity=Decimal("3000"), quantity_unit=unit,
                quantity_frequency="PerCalculationPeriod", calculation_period=period),
            Leg(payer=A, receiver=B, rate_type="OTHER", quantity=Decimal("150"),
                total_quantity=Decimal("3000"), quantity_unit=unit, spread=Decimal("0.25"),
                spread_currency="USD", settlement_currency="USD",
                quantity_frequency="PerCalculationPeriod", calculation_period=period)]
    return swap(product=Product(asset_class=AssetClass.COMM, contract_type="SWAP",
                                underliers=[Underlier(identifier="GOLD-LBMA PRICE PM",
                                                      source="FPML")]),
                legs=legs, price=Price(value=Decimal("1800"), currency="USD",
                                       notation="MONE"))


def test_commodity_quantity_per_delivery_period_on_each_leg():
    doc = document(commodity_swap())
    for name in ("FrstLeg", "ScndLeg"):
        # the quantity per period (150 a month) in the term, not the total
        assert quantity_leg(doc, name) == ("3000", "OZTR", "150", "1", "MNTH")
    assert value(doc, f"{TX}/a:TxPric/a:UnitOfMeasr/a:Cd") == "OZTR"
    # a commodity reference price is no underlying instrument
    assert not has(doc, f"{CTRCT}/a:UndrlygInstrm")
    # the floating leg's spread is a price per unit, in money
    assert value(doc, f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg/a:Sprd/a:MntryVal/a:Amt") == "0.25"
    assert value(doc, f"{CTRCT}/a:SttlmCcyScndLeg/a:Ccy") == "USD"


def test_commodity_term_without_a_count_and_a_unit_no_iso_code():
    doc = document(commodity_swap(unit="kL", period=Period(unit=PeriodUnit.ADHOC,
                                                           multiplier=0)))
    leg = f"{TX}/a:NtnlQty/a:FrstLeg"
    assert value(doc, f"{leg}/a:Dtls/a:Term/a:TmUnit") == "ADHO"
    assert not has(doc, f"{leg}/a:Dtls/a:Term/a:Val")
    # kL is in no ISO 20022 unit code: no unit of measure
    assert not has(doc, f"{leg}/a:UnitOfMeasr")
    assert not has(doc, f"{TX}/a:TxPric/a:UnitOfMeasr")


def test_commodity_quantity_per_day_hour_or_term():
    for stated, val, unit in (("PerCalendarDay", "1", "DAIL"), ("PerHour", "1", "HOUL"),
                              ("Term", None, "EXPI")):
        event = commodity_swap()
        for leg in event.legs:
            leg.quantity_frequency = stated
        doc = document(event)
        term = f"{TX}/a:NtnlQty/a:FrstLeg/a:Dtls/a:Term"
        assert value(doc, f"{term}/a:TmUnit") == unit
        assert value(doc, f"{term}/a:Val") == val


def test_commodity_forward_has_no_quantity_schedule():
    event = commodity_swap()
    event.product.contract_type = "FORW"
    event.legs = event.legs[1:]
    doc = document(event)
    assert value(doc, f"{TX}/a:NtnlQty/a:FrstLeg/a:TtlQty") == "3000"
    assert not has(doc, f"{TX}/a:NtnlQty/a:FrstLeg/a:Dtls")


def test_commodity_swap_of_unknown_quantity_states_the_placeholder_on_both_legs():
    event = commodity_swap()
    event.legs = [Leg()]
    doc = document(event)
    for name in ("FrstLeg", "ScndLeg"):
        assert value(doc, f"{TX}/a:NtnlQty/a:{name}/a:TtlQty") == "9" * 25


def test_variance_swap_price_is_not_available():
    event = swap(product=Product(asset_class=AssetClass.EQUI, contract_type="SWAP"),
                 variance=VarianceTerms(volatility_strike=Decimal("18.135")))
    assert value(document(event), f"{TX}/a:TxPric/a:Pric/a:Dcml") == "99999999999"
    assert not has(document(swap()), f"{TX}/a:TxPric")


# --- from FpML: what the mapper carries for MAS ----------------------------------------------


def _with_party_a(xml: str, inner: str) -> str:
    marker = 'esma-emir-refit-regulatory-corporate-sector">CDTI</classification>'
    return xml.replace(marker, marker + inner, 1)


def test_booking_location_skips_a_country_that_is_no_country():
    product = irs(stream("A", "B", index="USD-LIBOR-BBA", reset="3M"),
                  stream("B", "A", rate="0.0253", dcf="30E/360", pay="6M"))
    regimes = regime("EMIR", "ESMA")
    xml = _with_party_a(message(product, party_a_regimes=regimes),
                        "<country>XX</country><contactInfo><address><country>GB</country>"
                        "</address></contactInfo>")
    event = from_fpml(xml)
    assert event.counterparty_1.identifier == LEI_A
    assert value(document(event), f"{CPTY}/a:RptgCtrPty/a:BookgLctn") == "GB"
    alpha3 = from_fpml(_with_party_a(message(product, party_a_regimes=regimes),
                                     "<country>HKG</country>"))
    assert not has(document(alpha3), f"{CPTY}/a:RptgCtrPty/a:BookgLctn")


def test_event_timestamp_keeps_the_source_offset():
    product = irs(stream("A", "B", index="USD-LIBOR-BBA", reset="3M"),
                  stream("B", "A", rate="0.0253", dcf="30E/360", pay="6M"))
    xml = message(product).replace("2021-03-01T10:00:00Z", "2021-03-01T02:00:00-08:00")
    event = from_fpml(xml)
    assert event.event_timestamp == datetime(2021, 3, 1, 10, tzinfo=UTC)
    assert value(document(event), f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == \
        "2021-03-01T02:00:00-08:00"


def test_equity_basket_constituents_carry_their_id_source():
    swap_xml = """<returnSwap>
      <primaryAssetClass>Equity</primaryAssetClass>
      <returnLeg><payerPartyReference href="A"/><receiverPartyReference href="B"/>
        <effectiveDate><adjustableDate><unadjustedDate>2021-03-03</unadjustedDate>
        </adjustableDate></effectiveDate>
        <terminationDate><adjustableDate><unadjustedDate>2022-03-03</unadjustedDate>
        </adjustableDate></terminationDate>
        <underlyer><basket>
          <basketConstituent><equity>
            <instrumentId instrumentIdScheme="http://www.fpml.org/spec/2003/instrument-id-Reuters-RIC">ANSS.OQ</instrumentId>
          </equity></basketConstituent>
          <basketConstituent><equity>
            <instrumentId instrumentIdScheme="http://www.fpml.org/spec/2002/instrument-id-CUSIP">233326107</instrumentId>
          </equity></basketConstituent>
          <basketConstituent><index>
            <instrumentId instrumentIdScheme="http://www.fpml.org/spec/2002/instrument-id-Bloomberg">SPX</instrumentId>
          </index></basketConstituent>
        </basket></underlyer>
        <notional><notionalAmount><currency>USD</currency><amount>5000000</amount>
        </notionalAmount></notional>
      </returnLeg>
    </returnSwap>"""
    event = from_fpml(message(swap_xml))
    assert [u.id_scheme for u in event.product.underliers] == ["RIC", "CUSIP", "BBGID"]
    constituents = document(event).findall(f"{CTRCT}/a:UndrlygInstrm/a:Bskt/a:Cnsttnts", N)
    assert [(c.findtext("a:InstrmId/a:OthrId/a:Id", namespaces=N),
             c.findtext("a:InstrmId/a:OthrId/a:Src", namespaces=N)) for c in constituents] == [
        ("ANSS.OQ", "RIC"), ("233326107", "CUSIP"), ("SPX", "BBGID")]


def test_single_name_cds_reference_obligation_without_isin():
    cds = """<creditDefaultSwap>
      <primaryAssetClass>Credit</primaryAssetClass>
      <generalTerms>
        <effectiveDate><unadjustedDate>2021-03-02</unadjustedDate></effectiveDate>
        <scheduledTerminationDate><unadjustedDate>2026-06-20</unadjustedDate>
        </scheduledTerminationDate>
        <buyerPartyReference href="B"/><sellerPartyReference href="A"/>
        <referenceInformation>
          <referenceEntity id="entity"><entityName>TENET HEALTHCARE CORPORATION</entityName>
            <entityId entityIdScheme="http://www.fpml.org/spec/2003/entity-id-RED-1-0">8G836J</entityId>
          </referenceEntity>
          <referenceObligation><bond>
            <instrumentId instrumentIdScheme="http://www.fpml.org/spec/2003/instrument-id-RED-pair-1-0">8G836JAF2</instrumentId>
          </bond></referenceObligation>
        </referenceInformation>
      </generalTerms>
      <feeLeg><periodicPayment><paymentFrequency><periodMultiplier>3</periodMultiplier>
        <period>M</period></paymentFrequency>
        <fixedAmountCalculation><fixedRate>0.01</fixedRate></fixedAmountCalculation>
      </periodicPayment></feeLeg>
      <protectionTerms><calculationAmount><currency>USD</currency><amount>10000000</amount>
      </calculationAmount></protectionTerms>
    </creditDefaultSwap>"""
    doc = document(from_fpml(message(cds)))
    assert value(doc, f"{CTRCT}/a:UndrlygInstrm/a:Othr/a:Id") == "8G836JAF2"
    assert value(doc, f"{CTRCT}/a:UndrlygInstrm/a:Othr/a:Src") == "Other"
    assert not has(doc, f"{TX}/a:Cdt")  # MAS asks no credit index series/seniority block
