"""ASIC auth.030.001.04 writer: what ASIC's 2024 Rules field set reports, and how, per event
shape (counterparties, identifiers, margin portfolio codes, rates, FX and options)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from shared.domain.model import (
    ActionType,
    AssetClass,
    Collateral,
    CreditTerms,
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
    Underlier,
)
from shared.formats.writers.asic import AsicWriter
from shared.formats.writers.base import writer_for
from tests.unit.formats.writers.auth030_support import CPTY, CTRCT, NEW, TX, N, documents
from tests.unit.formats.writers.auth030_support import value as text
from tests.unit.formats.writers.test_cftc import STAMP, A, B, swap

document = documents(AsicWriter)


def fx_option():
    event = swap(uti="FXO1")
    event.product = Product(asset_class=AssetClass.CURR, contract_type="OPTN",
                            settlement_currency="JPY")
    event.legs = [Leg(notional=Money(amount=Decimal("111500000"), currency="JPY")),
                  Leg(notional=Money(amount=Decimal("1110000"), currency="NZD"))]
    event.exchange_rate, event.exchange_rate_basis = Decimal("73.5"), "JPY/NZD"
    event.option = OptionTerms(
        option_type="OTHR", exercise_style="EURO", strike=Decimal("73.5"),
        strike_currency="JPY/NZD", strike_notation="MONE",
        premium=Money(amount=Decimal("60085"), currency="NZD"),
        premium_payment_date=date(2019, 1, 30),
        call_amount=Money(amount=Decimal("111500000"), currency="JPY"),
        put_amount=Money(amount=Decimal("1110000"), currency="NZD"))
    return event


def test_writer_for_regime_and_namespace():
    assert isinstance(writer_for("asic"), AsicWriter)
    assert document(swap()).tag == "{urn:iso:std:iso:20022:tech:xsd:auth.030.001.04}Document"


def test_counterparties_by_identifier_only():
    event = swap()
    event.counterparty_1 = Party(identifier=A, nature=Nature.FINANCIAL, sectors=["CDTI"],
                                 clearing_threshold_exceeded=True,
                                 beneficiary="BENEFICIARY0LEI00001")
    event.counterparty_2 = Party(identifier=B, nature=Nature.FINANCIAL, sectors=["INVF"],
                                 reporting_obligation=True)
    doc = document(event)
    assert text(doc, f"{CPTY}/a:RptgCtrPty/a:Id/a:Lgl/a:Id/a:LEI") == A
    assert text(doc, f"{CPTY}/a:OthrCtrPty/a:IdTp/a:Lgl/a:Id/a:LEI") == B
    # EMIR Refit's nature, sector, clearing threshold and reporting obligation are not ASIC's
    assert doc.find(f"{CPTY}/a:RptgCtrPty/a:Ntr", N) is None
    assert doc.find(f"{CPTY}/a:OthrCtrPty/a:Ntr", N) is None
    assert doc.find(f"{CPTY}/a:OthrCtrPty/a:RptgOblgtn", N) is None
    assert text(doc, f"{CPTY}/a:Bnfcry/a:Lgl/a:Id/a:LEI") == "BENEFICIARY0LEI00001"


def test_execution_agents_are_positional():
    event = swap()
    event.counterparty_1 = Party(identifier=A, execution_agent="NOAP")
    event.counterparty_2 = Party(identifier=B, execution_agent="AGENT000000000000LEI")
    agents = document(event).findall(f"{CPTY}/a:ExctnAgt", N)
    assert [a.findtext("a:Othr/a:Id/a:Id", namespaces=N) for a in agents] == ["NOAP", None]
    assert agents[1].findtext("a:LEI", namespaces=N) == "AGENT000000000000LEI"


def test_contract_data_leaves_out_emir_only_fields():
    event = swap()
    event.product.classification = "SRCXSC"
    event.product.settlement_currency = "USD"
    doc = document(event)
    assert text(doc, f"{CTRCT}/a:CtrctTp") == "SWAP"
    assert doc.find(f"{CTRCT}/a:PdctClssfctn", N) is None
    assert doc.find(f"{CTRCT}/a:DerivBasedOnCrptAsst", N) is None
    # a swap's second leg has its own settlement currency
    assert text(doc, f"{CTRCT}/a:SttlmCcyScndLeg/a:Ccy") == "USD"


def test_transaction_data_leaves_out_emir_only_fields():
    event = swap(confirmation="ECNF", compression=False, intragroup=False,
                 master_agreement=MasterAgreement(type="ISDA", version="2002"))
    event.product.delivery_type = "CASH"
    doc = document(event)
    for name in ("DlvryTp", "SttlmDt", "MstrAgrmt", "PstTradRskRdctnFlg", "TradConf",
                 "TradClr/a:ClrOblgtn", "TradClr/a:IntraGrp", "PltfmIdr"):
        assert doc.find(f"{TX}/a:{name}", N) is None, name
    assert text(doc, f"{TX}/a:TradClr/a:ClrSts/a:NonClrd/a:Rsn") == "NORE"
    assert text(doc, f"{TX}/a:XprtnDt") == "2026-03-03"


def test_technical_attributes_replace_level():
    doc = document(swap())
    assert doc.find(f"{NEW}/a:Lvl", N) is None
    assert text(doc, f"{NEW}/a:TechAttrbts/a:RptRctTmStmp") == "2024-04-29T00:00:00Z"


def test_derivative_event_identifier_and_date_time():
    event = swap(event_id="SEF123")
    doc = document(event)
    assert text(doc, f"{TX}/a:DerivEvt/a:Tp") == "TRAD"
    assert text(doc, f"{TX}/a:DerivEvt/a:Id/a:EvtIdr") == "SEF123"
    assert text(doc, f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == "2021-03-01T10:00:00.206Z"
    assert doc.find(f"{TX}/a:DerivEvt/a:TmStmp/a:Dt", N) is None


def test_secondary_transaction_identifier():
    assert text(document(swap(secondary_trade_id="INTERNAL01")), f"{TX}/a:ScndryTxId") == \
        "INTERNAL01"
    assert document(swap()).find(f"{TX}/a:ScndryTxId", N) is None


def test_margin_portfolio_codes():
    none = document(swap())
    base = f"{TX}/a:CollPrtflCd/a:MrgnPrtflCd"
    assert text(none, f"{base}/a:InitlMrgnPrtflCd/a:NoPrtfl") == "NOAP"
    assert text(none, f"{base}/a:VartnMrgnPrtflCd/a:NoPrtfl") == "NOAP"
    coded = document(swap(collateral=Collateral(portfolio_code="123")))
    assert text(coded, f"{base}/a:VartnMrgnPrtflCd/a:Prtfl/a:Cd") == "123"
    assert coded.find(f"{base}/a:InitlMrgnPrtflCd", N) is None


def test_platform_only_when_the_trade_names_one():
    # an inactive MIC is reported as named: no ESMA register check
    assert text(document(swap(execution_venue="EGSI")), f"{TX}/a:PltfmIdr") == "EGSI"


def test_rates_as_decimal_fractions_and_no_floating_rate_code():
    event = swap()
    event.legs[1].floating_index_code = "SOFR"
    event.legs[1].floating_tenor = Period(unit=PeriodUnit.MONTH, multiplier=3)
    doc = document(event)
    assert text(doc, f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:Rate/a:Dcml") == "0.0253"
    floating = doc.find(f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg", N)
    assert floating.findtext("a:Sprd/a:BsisPtSprd", namespaces=N) == "15"
    assert floating.find("a:Rate", N) is None and floating.find("a:RstFrqcy", N) is None
    # an interest-rate product's reference rate term is UPI reference data: not restated
    assert floating.find("a:RefPrd", N) is None


def test_equity_swap_funding_leg_states_its_rate_term():
    event = swap()
    event.product = Product(asset_class=AssetClass.EQUI, contract_type="SWAP")
    event.legs[1].floating_tenor = Period(unit=PeriodUnit.MONTH, multiplier=3)
    doc = document(event)
    ref = f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg/a:RefPrd"
    assert (text(doc, f"{ref}/a:Unit"), text(doc, f"{ref}/a:Val")) == ("MNTH", "3")


def test_terms_as_stated():
    event = swap()
    event.legs[0].payment_frequency = Period(unit=PeriodUnit.MONTH, multiplier=12)
    doc = document(event)
    term = f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:PmtFrqcy/a:Term"
    assert (text(doc, f"{term}/a:Unit"), text(doc, f"{term}/a:Val")) == ("MNTH", "12")


def test_fra_fixed_leg_stays_first():
    event = swap()
    event.product.contract_type = "FRAS"
    event.legs[0].fixing_date = date(2021, 6, 1)
    doc = document(event)
    assert text(doc, f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:Rate/a:Dcml") == "0.0253"
    assert doc.find(f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg", N) is not None


def test_percentage_price_as_decimal():
    doc = document(swap(price=Price(value=Decimal("72.66"), notation="PERC")))
    assert text(doc, f"{TX}/a:TxPric/a:Pric/a:Dcml") == "0.7266"


def test_fx_option_amounts_strike_pair_and_no_exchange_rate():
    doc = document(fx_option())
    option = doc.find(f"{TX}/a:Optn", N)
    assert option.find("a:Tp", N) is None and option.find("a:ExrcStyle", N) is None
    # the quoted currency: the schema takes one ISO 4217 code, never the pair
    strike = option.find("a:StrkPric/a:MntryVal/a:Amt", N)
    assert (strike.text, strike.get("Ccy")) == ("73.5", "NZD")
    call, put = option.find("a:CallAmt", N), option.find("a:PutAmt", N)
    assert (call.text, call.get("Ccy")) == ("111500000", "JPY")
    assert (put.text, put.get("Ccy")) == ("1110000", "NZD")
    assert doc.find(f"{TX}/a:Ccy/a:XchgRate", N) is None
    assert text(doc, f"{TX}/a:Ccy/a:XchgRateBsis/a:CcyPair/a:BaseCcy") == "JPY"


def test_fx_forward_exchange_rate():
    event = fx_option()
    event.option = None
    event.product.contract_type = "FORW"
    assert text(document(event), f"{TX}/a:Ccy/a:XchgRate") == "73.5"


def test_option_without_premium_reports_zero():
    event = swap(option=OptionTerms(option_type="CALL", strike=Decimal("0.03"),
                                    strike_notation="PERC"))
    doc = document(event)
    premium = doc.find(f"{TX}/a:Optn/a:PrmAmt", N)
    assert (premium.text, premium.get("Ccy")) == ("0", "USD")
    assert text(doc, f"{TX}/a:Optn/a:StrkPric/a:Dcml") == "0.03"


def test_credit_keeps_index_factor_and_tranche_only():
    event = swap(credit=CreditTerms(seniority="SNDB", series=2, version=3,
                                    index_factor=Decimal("0.02")))
    event.product.asset_class = AssetClass.CRDT
    doc = document(event)
    assert text(doc, f"{TX}/a:Cdt/a:IndxFctr") == "0.02"
    assert doc.find(f"{TX}/a:Cdt/a:Snrty", N) is None
    assert doc.find(f"{TX}/a:Cdt/a:Srs", N) is None
    seniority_only = swap(credit=CreditTerms(seniority="SNDB"))
    assert document(seniority_only).find(f"{TX}/a:Cdt", N) is None


def test_underliers_by_isin_or_other_identifier():
    basket = swap()
    basket.product = Product(asset_class=AssetClass.EQUI, contract_type="SWAP",
                             underlier_basket=True, underliers=[
                                 Underlier(identifier="NKY", source="OTHR", id_scheme="BBGID"),
                                 Underlier(identifier="US0378331005", source="ISIN")])
    doc = document(basket)
    constituents = doc.findall(f"{CTRCT}/a:UndrlygInstrm/a:Bskt/a:Cnsttnts/a:InstrmId", N)
    assert constituents[0].findtext("a:OthrId/a:Id", namespaces=N) == "NKY"
    assert constituents[0].findtext("a:OthrId/a:Src", namespaces=N) == "BBGID"
    assert constituents[1].findtext("a:ISIN", namespaces=N) == "US0378331005"
    index = swap()
    index.product = Product(asset_class=AssetClass.CRDT, contract_type="SWAP", underliers=[
        Underlier(identifier="Dow Jones CDX NA IG.2", source="INDX",
                  name="Dow Jones CDX NA IG.2")])
    doc = document(index)
    assert text(doc, f"{CTRCT}/a:UndrlygInstrm/a:Othr/a:Id") == "Dow Jones CDX NA IG.2"
    assert text(doc, f"{CTRCT}/a:UndrlygInstrm/a:Othr/a:Src") == "Name"
    index.product.underliers = [Underlier(identifier="USM17X16X151", source="INDX",
                                          name="CDX.NA.HY.18")]
    assert text(document(index), f"{CTRCT}/a:UndrlygInstrm/a:ISIN") == "USM17X16X151"


def test_equity_quantity_with_unit_and_term():
    event = swap()
    event.product = Product(asset_class=AssetClass.EQUI, contract_type="OPTN")
    event.legs = [Leg(total_quantity=Decimal("150000"), quantity_unit="SHAS")]
    qty = document(event).find(f"{TX}/a:NtnlQty/a:FrstLeg", N)
    assert qty.findtext("a:TtlQty", namespaces=N) == "150000"
    assert qty.findtext("a:UnitOfMeasr/a:Cd", namespaces=N) == "SHAS"
    assert qty.findtext("a:Dtls/a:Term/a:Qty", namespaces=N) == "150000"


def test_error_report_names_the_trade_and_event_only():
    event = swap(action_type=ActionType.EROR)
    doc = document(event)
    err = doc.find("a:DerivsTradRpt/a:TradData/a:Rpt/a:Err", N)
    assert err.findtext("a:CmonTradData/a:TxData/a:TxId/a:UnqTxIdr", namespaces=N) == "UTI1"
    assert err.findtext("a:CmonTradData/a:TxData/a:DerivEvt/a:TmStmp/a:DtTm",
                        namespaces=N) == "2021-03-01T10:00:00.206Z"
    assert err.find("a:CtrPtySpcfcData/a:CtrPty/a:OthrCtrPty", N) is None
    assert err.find("a:CmonTradData/a:CtrctData", N) is None


def test_emir_output_unchanged_by_asic_overrides():
    from shared.formats.writers.emir import EmirRefitWriter

    event = swap(event_id="SEF123", execution_venue="EGSI")
    doc = etree.fromstring(EmirRefitWriter().write_one(event, reporting_timestamp=STAMP))
    emir = {"a": "urn:iso:std:iso:20022:tech:xsd:auth.030.001.03"}
    assert doc.findtext(f"{TX}/a:DerivEvt/a:TmStmp/a:Dt", namespaces=emir) == "2021-03-01"
    assert doc.findtext(f"{NEW}/a:Lvl", namespaces=emir) == "TCTN"


# --- what the FpML mapping gives the ASIC report (beneficiary, secondary identifier) ----


def mapped(extra_header: str = "", other_ids: tuple[str, ...] = ()):
    import io

    from shared.formats.readers.fpml import FpmlReader
    from tests.unit.formats.fpml.samples import irs, message, stream

    xml = message(irs(stream("A", "B", index="USD-LIBOR-BBA", reset="3M"),
                      stream("B", "A", rate="0.0253", dcf="30E/360", pay="6M")),
                  extra_header=extra_header)
    extra_ids = "".join(
        f'<partyTradeIdentifier><partyReference href="A"/>'
        f'<tradeId tradeIdScheme="http://www.example.com/internal-id">{value}</tradeId>'
        f"</partyTradeIdentifier>" for value in other_ids)
    xml = xml.replace("<partyTradeInformation>", extra_ids + "<partyTradeInformation>", 1)
    [record] = FpmlReader().read(io.BytesIO(xml.encode()))
    assert record.ok, record.errors
    return record.event


def test_mapping_beneficiary_of_the_reporting_counterparty():
    from tests.unit.formats.fpml.samples import LEI_B

    event = mapped('<relatedParty><partyReference href="B"/><role>Beneficiary</role>'
                   "</relatedParty>")
    assert event.counterparty_1.beneficiary == LEI_B
    assert text(document(event), f"{CPTY}/a:Bnfcry/a:Lgl/a:Id/a:LEI") == LEI_B
    assert mapped().counterparty_1.beneficiary is None


def test_mapping_secondary_identifier_only_when_unambiguous():
    event = mapped(other_ids=("INTERNAL01",))
    assert event.secondary_trade_id == "INTERNAL01"
    assert event.uti == "UTI0000000000000000001"
    assert mapped(other_ids=("INTERNAL01", "PLATFORM02")).secondary_trade_id is None
    assert mapped().secondary_trade_id is None


def test_commodity_quantities_on_both_legs_and_price_unit():
    event = swap()
    event.product = Product(asset_class=AssetClass.COMM, contract_type="SWAP")
    event.price = Price(value=Decimal("375"), currency="USD", notation="MONE")
    event.legs = [Leg(total_quantity=Decimal("200"), quantity_unit="GBTN"),
                  Leg(total_quantity=Decimal("200"), quantity_unit="GBTN")]
    doc = document(event)
    assert text(doc, f"{TX}/a:TxPric/a:Pric/a:MntryVal/a:Amt") == "375"
    assert text(doc, f"{TX}/a:TxPric/a:UnitOfMeasr/a:Cd") == "GBTN"
    assert len(doc.findall(f"{TX}/a:TxPric", N)) == 1
    assert text(doc, f"{TX}/a:NtnlQty/a:ScndLeg/a:Dtls/a:Term/a:Qty") == "200"
    # quantities the trade does not state: DRR's largest-value placeholder, per leg
    event.legs = [Leg(), Leg()]
    doc = document(event)
    assert [q.text for q in doc.findall(f"{TX}/a:NtnlQty/*/a:TtlQty", N)] == \
        ["9999999999999999999999999"] * 2


def test_equity_swap_money_leg_has_no_quantity():
    event = swap()
    event.product = Product(asset_class=AssetClass.EQUI, contract_type="SWAP")
    doc = document(event)
    assert text(doc, f"{TX}/a:NtnlQty/a:FrstLeg/a:TtlQty") == "9999999999999999999999999"
    assert doc.find(f"{TX}/a:NtnlQty/a:ScndLeg", N) is None


def test_correction_has_no_event_type_but_names_the_event():
    doc = document(swap(action_type=ActionType.CORR, event_id="SEF001"))
    event = doc.find("a:DerivsTradRpt/a:TradData/a:Rpt/a:Crrctn/a:CmonTradData/a:TxData"
                     "/a:DerivEvt", N)
    assert event.find("a:Tp", N) is None
    assert event.findtext("a:Id/a:EvtIdr", namespaces=N) == "SEF001"


def test_commodity_reports_no_underlying_instrument():
    event = swap()
    event.product = Product(asset_class=AssetClass.COMM, contract_type="SWAP", underliers=[
        Underlier(identifier="OIL-WTI-NYMEX", source="OTHR")])
    assert document(event).find(f"{CTRCT}/a:UndrlygInstrm", N) is None


def test_event_timestamp_as_the_source_wrote_it():
    event = swap(event_timestamp_text="2021-03-01T02:00:00.2060001-08:00")
    doc = document(event)
    assert text(doc, f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == "2021-03-01T02:00:00.2060001-08:00"
    # without the source's text: the instant in UTC
    assert text(document(swap()), f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == \
        "2021-03-01T10:00:00.206Z"


def test_package_without_a_price_states_it_not_available():
    event = swap(package_id="PKG1", package_spread=Price(value=Decimal("500"), notation="BAPO"))
    doc = document(event)
    assert text(doc, f"{TX}/a:Packg/a:Pric/a:Dcml") == "99999999999"
    assert text(doc, f"{TX}/a:Packg/a:Sprd/a:BsisPtSprd") == "500"
    event.package_price = Price(value=Decimal("1.5"), notation="PERC")
    assert text(document(event), f"{TX}/a:Packg/a:Pric/a:Dcml") == "0.015"


def test_variance_swap_price_not_available():
    from shared.domain.model import VarianceTerms

    event = swap(variance=VarianceTerms(volatility_strike=Decimal("18.135")))
    event.product = Product(asset_class=AssetClass.EQUI, contract_type="SWAP")
    assert text(document(event), f"{TX}/a:TxPric/a:Pric/a:Dcml") == "99999999999"


# --- commodity swaps as the FpML mapping gives them -------------------------------------


def test_commodity_fixed_floating_swap_settles_its_floating_leg():
    from tests.unit.formats.fpml.test_commodity import commodity_swap, fixed_leg, floating_leg
    from tests.unit.formats.fpml.test_commodity import one as commodity

    event = commodity(commodity_swap(fixed_leg("B", "A", unit="t"),
                                     floating_leg("A", "B", unit="t", spread="0.5")))
    doc = document(event)
    # the swap's settlement currency is its commodity (floating, second) leg's
    assert doc.find(f"{CTRCT}/a:SttlmCcy", N) is None
    assert text(doc, f"{CTRCT}/a:SttlmCcyScndLeg/a:Ccy") == "USD"
    # a floating commodity leg's spread is a price, in money
    spread = doc.find(f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg/a:Sprd/a:MntryVal/a:Amt", N)
    assert (spread.text, spread.get("Ccy")) == ("0.5", "USD")
    # FpML t as DRR reads it: the GB (long) ton
    assert text(doc, f"{TX}/a:NtnlQty/a:FrstLeg/a:UnitOfMeasr/a:Cd") == "GBTN"
    assert text(doc, f"{TX}/a:TxPric/a:UnitOfMeasr/a:Cd") == "GBTN"


def test_commodity_floating_swap_settlement_currency_is_the_first_legs():
    from tests.unit.formats.fpml.test_commodity import commodity_swap, floating_leg
    from tests.unit.formats.fpml.test_commodity import one as commodity

    event = commodity(commodity_swap(floating_leg("A", "B", unit="ozt"),
                                     floating_leg("A", "B", unit="ozt")))
    doc = document(event)
    assert text(doc, f"{CTRCT}/a:SttlmCcy/a:Ccy") == "USD"
    assert doc.find(f"{CTRCT}/a:SttlmCcyScndLeg", N) is None


def test_commodity_unit_without_an_iso_code_is_not_reported():
    from tests.unit.formats.fpml.test_commodity import commodity_swap, fixed_leg, floating_leg
    from tests.unit.formats.fpml.test_commodity import one as commodity

    for unit in ("kL", "MMBTU"):
        event = commodity(commodity_swap(fixed_leg("B", "A", unit=unit),
                                         floating_leg("A", "B", unit=unit)))
        doc = document(event)
        assert text(doc, f"{TX}/a:NtnlQty/a:FrstLeg/a:TtlQty") == "1300000"
        assert doc.findall(f"{TX}//a:UnitOfMeasr", N) == [], unit
    event = commodity(commodity_swap(fixed_leg("B", "A", unit="USMMBTU"),
                                     floating_leg("A", "B", unit="USMMBTU")))
    assert text(document(event), f"{TX}/a:NtnlQty/a:ScndLeg/a:UnitOfMeasr/a:Cd") == "MBTU"


def test_commodity_strip_swap_has_two_unknown_quantities():
    from tests.unit.formats.fpml.test_commodity import commodity_swap, fixed_leg, floating_leg
    from tests.unit.formats.fpml.test_commodity import one as commodity

    event = commodity(commodity_swap(fixed_leg("A", "B"), fixed_leg("A", "B", price="5.5"),
                                     floating_leg("B", "A"), floating_leg("B", "A")))
    doc = document(event)
    assert [q.text for q in doc.findall(f"{TX}/a:NtnlQty/*/a:TtlQty", N)] == \
        ["9999999999999999999999999"] * 2
    assert doc.find(f"{CTRCT}/a:SttlmCcy", N) is None
    assert doc.find(f"{CTRCT}/a:SttlmCcyScndLeg", N) is None


def test_upfront_payment_on_its_agreed_date():
    from tests.unit.formats.fpml.test_commodity import one as mapped_product

    event = mapped_product("""<creditDefaultSwap>
      <primaryAssetClass>Credit</primaryAssetClass>
      <generalTerms>
        <effectiveDate><unadjustedDate>2009-03-26</unadjustedDate></effectiveDate>
        <scheduledTerminationDate><unadjustedDate>2014-06-20</unadjustedDate>
        </scheduledTerminationDate>
        <buyerPartyReference href="A"/><sellerPartyReference href="B"/>
        <referenceInformation><referenceEntity><entityName>X CORP</entityName>
        </referenceEntity></referenceInformation>
      </generalTerms>
      <feeLeg>
        <initialPayment><payerPartyReference href="A"/><receiverPartyReference href="B"/>
          <adjustablePaymentDate>2009-03-28</adjustablePaymentDate>
          <adjustedPaymentDate>2009-03-30</adjustedPaymentDate>
          <paymentAmount><currency>USD</currency><amount>1000</amount></paymentAmount>
        </initialPayment>
        <periodicPayment><paymentFrequency><periodMultiplier>3</periodMultiplier>
          <period>M</period></paymentFrequency>
          <fixedAmountCalculation><fixedRate>0.01</fixedRate></fixedAmountCalculation>
        </periodicPayment>
      </feeLeg>
      <protectionTerms><calculationAmount><currency>USD</currency><amount>5000000</amount>
      </calculationAmount></protectionTerms>
    </creditDefaultSwap>""")
    # the date the parties agreed (a Saturday), not the business day it is paid on
    assert text(document(event), f"{TX}/a:OthrPmt/a:PmtDt") == "2009-03-28"
