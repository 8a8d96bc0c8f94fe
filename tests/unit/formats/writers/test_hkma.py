"""HKMA (HKTR) auth.030.001.04 writer: the fields a user of the HKMA report sees differ from EMIR.

Each test states one rule for one event shape: canonical events built in code, or small FpML
messages read by the FpML reader where the rule starts in the message (sectors, regimes,
identifiers, timestamps as written).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from shared.domain.model import (
    ActionType,
    Cleared,
    Clearing,
    Collateral,
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
from shared.formats.writers.hkma import NS, HkmaWriter, java_instant_text
from tests.unit.formats.fpml.samples import LEI_A, LEI_B, irs, message, regime, stream
from tests.unit.formats.writers.auth030_support import (
    CPTY,
    CTRCT,
    NEW,
    TX,
    N,
    documents,
    from_fpml,
    quantity_leg,
    value,
)
from tests.unit.formats.writers.test_cftc import A, B, swap

document = documents(HkmaWriter)


def with_party_data(xml: str, party: str, data: str) -> str:
    """`xml` with `data` (classifications, country, ...) added to party `party`'s element."""
    anchor = f'<party id="{party}">'
    assert anchor in xml
    lei = LEI_A if party == "A" else LEI_B
    id_line = (f'<partyId partyIdScheme="http://www.fpml.org/coding-scheme/external/iso17442">'
               f'{lei}</partyId>')
    return xml.replace(f"{anchor}\n    {id_line}", f"{anchor}\n    {id_line}\n    {data}")


def hkma_sector(code: str) -> str:
    return ('<classification industryClassificationScheme="http://www.fpml.org/coding-scheme/'
            f'hkma-rewrite-regulatory-corporate-sector">{code}</classification>')


def fixed_float() -> str:
    return irs(stream("A", "B", rate="0.0253", pay="6M"),
               stream("B", "A", index="USD-LIBOR-BBA", pay="3M", reset="3M"))


def test_writer_for_regime_and_namespace():
    assert isinstance(writer_for("hkma"), HkmaWriter)
    assert document(swap()).tag == f"{{{NS}}}Document"
    assert NS.endswith("auth.030.001.04")


def test_fields_emir_has_and_the_hkma_field_list_has_not_are_left_out():
    event = swap()
    event.counterparty_1 = Party(identifier=A, nature=Nature.FINANCIAL,
                                 clearing_threshold_exceeded=True)
    event.counterparty_2 = Party(identifier=B, nature=Nature.FINANCIAL,
                                 clearing_threshold_exceeded=True, reporting_obligation=True)
    event.product.classification = "SRCXSC"
    event.compression = False
    doc = document(event)
    for gone in (f"{NEW}/a:Lvl", f"{CPTY}/a:OthrCtrPty/a:RptgOblgtn",
                 f"{CPTY}/a:RptgCtrPty/a:Ntr/a:FI/a:ClrThrshld", f"{CTRCT}/a:PdctClssfctn",
                 f"{TX}/a:MstrAgrmt", f"{TX}/a:PstTradRskRdctnFlg", f"{TX}/a:TradClr/a:ClrOblgtn",
                 f"{TX}/a:TradConf/a:Confd/a:TmStmp"):
        assert doc.find(gone, N) is None, gone


def test_rates_are_decimal_fractions_and_periods_stay_as_stated():
    event = swap()
    event.legs[0].payment_frequency = Period(unit=PeriodUnit.MONTH, multiplier=12)
    doc = document(event)
    fixed = f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd"
    assert value(doc, f"{fixed}/a:Rate/a:Dcml") == "0.0253"  # EMIR: Rate/Rate 2.53
    assert value(doc, f"{fixed}/a:PmtFrqcy/a:Term/a:Unit") == "MNTH"  # EMIR: YEAR 1
    assert value(doc, f"{fixed}/a:PmtFrqcy/a:Term/a:Val") == "12"


def test_floating_reference_period_is_the_payment_period_and_no_reset_frequency():
    doc = document(swap())  # floating leg: pays quarterly, resets daily (SOFR)
    floating = f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg"
    assert value(doc, f"{floating}/a:RefPrd/a:Unit") == "MNTH"
    assert value(doc, f"{floating}/a:RefPrd/a:Val") == "3"
    assert doc.find(f"{floating}/a:RstFrqcy", N) is None


def test_single_payment_leg_reference_period_is_expiry():
    event = swap()
    event.legs[1].payment_frequency = Period(unit=PeriodUnit.EXPIRY, multiplier=1)
    doc = document(event)
    floating = f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg"
    assert value(doc, f"{floating}/a:RefPrd/a:Unit") == "EXPI"


def test_fra_reports_the_fixed_rate_first_and_only_the_floating_day_count():
    event = swap()
    event.product = Product(asset_class="INTR", contract_type="FRAS")
    event.legs[1].floating_index_code = "EURI"
    event.legs[1].floating_tenor = Period(unit=PeriodUnit.MONTH, multiplier=3)
    doc = document(event)
    rates = f"{TX}/a:IntrstRate"
    assert value(doc, f"{rates}/a:FrstLeg/a:Fxd/a:Rate/a:Dcml") == "0.0253"
    assert value(doc, f"{rates}/a:ScndLeg/a:Fltg/a:DayCnt/a:Cd") == "A004"
    assert doc.find(f"{rates}/a:ScndLeg/a:Fltg/a:Rate", N) is None
    assert doc.find(f"{CTRCT}/a:UndrlygInstrm", N) is None


def test_uncollateralised_trade_states_no_margin_portfolios_and_a_coded_one_nothing():
    doc = document(swap())
    codes = f"{TX}/a:CollPrtflCd/a:MrgnPrtflCd"
    assert value(doc, f"{codes}/a:InitlMrgnPrtflCd/a:NoPrtfl") == "NOAP"
    assert value(doc, f"{codes}/a:VartnMrgnPrtflCd/a:NoPrtfl") == "NOAP"
    coded = document(swap(collateral=Collateral(portfolio_code="PF1")))
    assert coded.find(f"{TX}/a:CollPrtflCd", N) is None


def test_platform_only_where_the_trade_names_one_even_if_not_an_active_mic():
    assert document(swap()).find(f"{TX}/a:PltfmIdr", N) is None  # EMIR: XXXX
    assert value(document(swap(execution_venue="EGSI")), f"{TX}/a:PltfmIdr") == "EGSI"


@pytest.mark.parametrize(("cleared", "status"), [
    (Cleared.NO, "NonClrd"), (Cleared.INTENDED, "IntndToClear"), (Cleared.YES, "Clrd")])
def test_clearing_status(cleared, status):
    doc = document(swap(clearing=Clearing(cleared=cleared, ccp=B if cleared == "Y" else None)))
    [node] = doc.find(f"{TX}/a:TradClr/a:ClrSts", N)
    assert etree.QName(node).localname == status


def test_non_standardised_term_flag_defaults_to_false():
    assert value(document(swap()), f"{TX}/a:NonStdsdTerm") == "false"
    assert value(document(swap(non_standard_terms=True)), f"{TX}/a:NonStdsdTerm") == "true"


def test_exchange_rate_is_xchgrate():
    event = swap(product=Product(asset_class="CURR", contract_type="FORW"),
                 exchange_rate=Decimal("108.833"), exchange_rate_basis="USD/JPY")
    doc = document(event)
    assert value(doc, f"{TX}/a:Ccy/a:XchgRate") == "108.833"
    assert doc.find(f"{TX}/a:Ccy/a:FwdXchgRate", N) is None


def test_ndf_settlement_currency_with_fixing_date_and_second_leg_currency():
    event = swap(product=Product(asset_class="CURR", contract_type="FORW",
                                 settlement_currency="USD"))
    event.legs[0].fixing_date = date(2019, 3, 18)
    event.legs[1].settlement_currency = "USD"
    doc = document(event)
    assert value(doc, f"{CTRCT}/a:SttlmCcy/a:Ccy") == "USD"
    assert value(doc, f"{CTRCT}/a:SttlmCcy/a:FxgDt") == "2019-03-18T00:00:00Z"
    assert value(doc, f"{CTRCT}/a:SttlmCcyScndLeg/a:Ccy") == "USD"


def test_offshore_renminbi_place_of_settlement():
    event = swap(product=Product(asset_class="INTR", contract_type="SWPT",
                                 settlement_currency="CNY", settlement_location="HK"))
    assert value(document(event), f"{CTRCT}/a:PlcOfSttlm") == "HK"


def option_event(**product) -> TradeEvent:
    event = swap(product=Product(contract_type="OPTN", **product))
    event.option = OptionTerms(option_type="CALL", exercise_style="EURO",
                               strike=Decimal("0.03"), strike_notation="PERC",
                               first_exercise_date=date(2022, 7, 13),
                               premium=Money(amount=Decimal("100"), currency="USD"))
    event.buyer, event.seller = A, B
    return event


def test_option_strike_as_decimal_first_exercise_date_and_call_amount():
    doc = document(option_event(asset_class="INTR"))  # a cap: a call on the rate
    option = f"{TX}/a:Optn"
    assert value(doc, f"{option}/a:StrkPric/a:Dcml") == "0.03"  # EMIR: Pctg 3
    assert value(doc, f"{option}/a:ExrcDt/a:FrstExrcDt") == "2022-07-13"
    call = doc.find(f"{option}/a:CallAmt", N)
    assert call.text == "10000000" and call.get("Ccy") == "USD"
    assert doc.find(f"{option}/a:PutAmt", N) is None


def test_payer_swaption_notional_is_the_put_amount():
    event = option_event(asset_class="INTR")
    event.product.contract_type = "SWPT"
    event.legs[0].payer = A  # the buyer pays the fixed leg
    doc = document(event)
    assert value(doc, f"{TX}/a:Optn/a:PutAmt") == "10000000"
    assert doc.find(f"{TX}/a:Optn/a:CallAmt", N) is None
    event.legs[0].payer = B  # a receiver swaption: a call
    assert value(document(event), f"{TX}/a:Optn/a:CallAmt") == "10000000"


def test_cds_option_notional_is_both_call_and_put_amount():
    doc = document(option_event(asset_class="CRDT"))
    assert value(doc, f"{TX}/a:Optn/a:CallAmt") == "10000000"
    assert value(doc, f"{TX}/a:Optn/a:PutAmt") == "10000000"


def test_fx_option_amounts_and_strike_in_the_quoted_currency():
    event = option_event(asset_class="CURR")
    event.option.strike, event.option.strike_notation = Decimal("104.3"), "MONE"
    event.option.strike_currency = "USD/JPY"
    event.option.call_amount = Money(amount=Decimal("1000000"), currency="USD")
    event.option.put_amount = Money(amount=Decimal("104300000"), currency="JPY")
    doc = document(event)
    strike = doc.find(f"{TX}/a:Optn/a:StrkPric/a:MntryVal/a:Amt", N)
    assert strike.text == "104.3" and strike.get("Ccy") == "JPY"
    assert doc.find(f"{TX}/a:Optn/a:PutAmt", N).get("Ccy") == "JPY"


def test_equity_basket_constituents_by_other_identifier():
    event = swap(product=Product(asset_class="EQUI", contract_type="OPTN",
                                 underlier_basket=True, underliers=[
                                     Underlier(identifier="ENR1n.DE", source="OTHR",
                                               id_scheme="RIC"),
                                     Underlier(identifier="US0378331005", source="ISIN")]))
    doc = document(event)
    basket = doc.findall(f"{CTRCT}/a:UndrlygInstrm/a:Bskt/a:Cnsttnts/a:InstrmId", N)
    assert value(basket[0], "a:OthrId/a:Id") == "ENR1n.DE"
    assert value(basket[0], "a:OthrId/a:Src") == "RIC"
    assert value(basket[1], "a:ISIN") == "US0378331005"


def test_single_underlier_known_by_other_identifier_and_credit_index_id():
    single = swap(product=Product(asset_class="EQUI", contract_type="OPTN", underliers=[
        Underlier(identifier="STM-FP", source="OTHR", id_scheme="Other")]))
    doc = document(single)
    assert value(doc, f"{CTRCT}/a:UndrlygInstrm/a:Othr/a:Id") == "STM-FP"
    assert value(doc, f"{CTRCT}/a:UndrlygInstrm/a:Othr/a:Src") == "Other"
    index = swap(product=Product(asset_class="CRDT", contract_type="SWAP", underliers=[
        Underlier(identifier="USE17X16D151", source="INDX", name="CDX.EM.24")]))
    doc = document(index)
    assert value(doc, f"{CTRCT}/a:UndrlygInstrm/a:Indx/a:ISIN") == "USE17X16D151"
    assert value(doc, f"{CTRCT}/a:UndrlygInstrm/a:Indx/a:Nm") == "CDX.EM.24"


def test_credit_basket_id_is_the_structurer():
    event = swap(product=Product(asset_class="CRDT", contract_type="SWAP", custom_basket=True,
                                 basket_id="BASKET1", underliers=[
                                     Underlier(identifier="US0089ABC985", source="ISIN")]))
    doc = document(event)
    assert value(doc, f"{CTRCT}/a:UndrlygInstrm/a:Bskt/a:Strr") == "BASKET1"
    assert doc.find(f"{CTRCT}/a:UndrlygInstrm/a:Bskt/a:Id", N) is None


def test_equity_quantity_details_and_percentage_price():
    event = swap(product=Product(asset_class="EQUI", contract_type="SWAP"))
    event.legs[0].total_quantity, event.legs[0].quantity_unit = Decimal("150000"), "SHAS"
    doc = document(event)
    first = f"{TX}/a:NtnlQty/a:FrstLeg"
    assert value(doc, f"{first}/a:TtlQty") == "150000"
    assert value(doc, f"{first}/a:UnitOfMeasr/a:Cd") == "SHAS"
    assert value(doc, f"{first}/a:Dtls/a:Term/a:Qty") == "150000"
    priced = document(swap(price=Price(value=Decimal("72.6600701"), notation="PERC")))
    assert value(priced, f"{TX}/a:TxPric/a:Pric/a:Dcml") == "0.726600701"
    assert value(priced, f"{TX}/a:TxPric/a:UnitOfMeasr/a:Cd") == "ACCY"


@pytest.mark.parametrize(("text", "java"), [
    ("2011-02-04T16:42:16Z", "2011-02-04T16:42:16Z"),
    ("2021-08-11T03:00:00Z", "2021-08-11T03:00Z"),  # zero seconds are left out
    ("2004-01-24T04:36:35-08:00", "2004-01-24T04:36:35-08:00"),  # the offset is kept
    ("2020-12-09T19:32:00.206Z", "2020-12-09T19:32:00.206Z"),
    ("2020-10-05T15:20:38.7635176Z", "2020-10-05T15:20:38.763517600Z"),  # 9 digits
    ("2021-01-01T00:00:00+00:00", "2021-01-01T00:00Z"),
])
def test_java_instant_text(text, java):
    assert java_instant_text(text, None) == java


def test_technical_record_id_and_event_identification_keep_the_source_timestamp():
    event = swap(event_id="GW0EB40A0q", event_timestamp_text="2004-01-24T04:36:35-08:00",
                 event_timestamp=datetime(2004, 1, 24, 12, 36, 35, tzinfo=UTC))
    doc = document(event)
    assert value(doc, f"{TX}/a:DerivEvt/a:Id/a:EvtIdr") == "GW0EB40A0q"
    assert value(doc, f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == "2004-01-24T04:36:35-08:00"
    assert value(doc, f"{NEW}/a:TechAttrbts/a:TechRcrdId") == \
        f"HKMA-{A}-{B}-UTI1-2004-01-24T04:36:35-08:00"
    no_uti = document(swap(uti=None))  # no UTI: the id has no part for it
    assert value(no_uti, f"{NEW}/a:TechAttrbts/a:TechRcrdId") == \
        f"HKMA-{A}-{B}-2021-03-01T10:00:00.206Z"


# --- from FpML: the rule starts in the message ------------------------------------------------


def test_sector_is_the_hkma_classification_and_nature_the_hktr_regimes():
    xml = message(fixed_float(), party_a_regimes=regime("HKTR", "HKMA"),
                  party_b_regimes=regime("HKTR", "HKMA"))
    xml = with_party_data(xml, "A", hkma_sector("CSDS"))  # its EMIR sector: CDTI
    xml = with_party_data(xml, "B", hkma_sector("CDTI"))  # its EMIR sector: INVF
    doc = document(from_fpml(xml))
    assert value(doc, f"{CPTY}/a:RptgCtrPty/a:Ntr/a:FI/a:Sctr/a:Cd") == "CSDS"
    assert value(doc, f"{CPTY}/a:OthrCtrPty/a:Ntr/a:FI/a:Sctr/a:Cd") == "CDTI"


def test_first_hkma_regime_without_a_classification_states_no_nature():
    unclassified = """<reportingRegime><name>HKMA</name>
      <supervisorRegistration><supervisoryBody>HKMA</supervisoryBody></supervisorRegistration>
      <reportingRole>ReportingParty</reportingRole></reportingRegime>"""
    xml = message(fixed_float(), party_a_regimes=unclassified + regime("HKTR", "HKMA"),
                  party_b_regimes=regime("HKTR", "HKMA"))
    doc = document(from_fpml(with_party_data(xml, "B", hkma_sector("INVF"))))
    assert doc.find(f"{CPTY}/a:RptgCtrPty/a:Ntr", N) is None
    assert value(doc, f"{CPTY}/a:OthrCtrPty/a:Ntr/a:FI/a:Sctr/a:Cd") == "INVF"


@pytest.mark.parametrize(("data", "location"), [
    ("<country>US</country>", "US"),
    ("<country>XX</country><contactInfo><address><country>GB</country></address>"
     "</contactInfo>", "GB"),  # XX (unknown) gives way to the address
    ("<country>DEU</country>", None),  # not an ISO 3166 alpha-2 code
])
def test_booking_location_is_the_reporting_partys_country(data, location):
    xml = with_party_data(message(fixed_float()), "A", data)
    assert value(document(from_fpml(xml)), f"{CPTY}/a:RptgCtrPty/a:BookgLctn") == location


def internal_id(party: str, value: str) -> str:
    return (f'<partyTradeIdentifier><partyReference href="{party}"/><tradeId tradeIdScheme='
            f'"http://www.dtcc.com/internal_Referenceid">{value}</tradeId>'
            f'</partyTradeIdentifier>')


def with_trade_ids(xml: str, ids: str) -> str:
    return xml.replace("<partyTradeInformation>", ids + "<partyTradeInformation>", 1)


def test_secondary_transaction_id_is_the_only_non_uti_identifier():
    one = from_fpml(with_trade_ids(message(fixed_float()), internal_id("A", "REF1")))
    assert value(document(one), f"{TX}/a:ScndryTxId") == "REF1"
    two = from_fpml(with_trade_ids(message(fixed_float()),
                                   internal_id("A", "REF1") + internal_id("B", "REF2")))
    assert document(two).find(f"{TX}/a:ScndryTxId", N) is None


def test_trade_without_uti_is_identified_by_its_transaction_id():
    event = from_fpml(with_trade_ids(message(fixed_float(), uti=""), internal_id("A", "REF1")))
    doc = document(event)
    assert doc.find(f"{TX}/a:TxId/a:UnqTxIdr", N) is None
    assert value(doc, f"{TX}/a:TxId/a:Prtry/a:Id") == "REF1"
    assert value(doc, f"{TX}/a:TxId/a:Prtry/a:SchmeNm") == "UTI-TID"


def test_event_date_time_is_the_header_creation_time_as_written():
    written = "2021-03-01T18:00:00.7635176+08:00"
    xml = message(fixed_float()).replace("2021-03-01T10:00:00Z", written)
    doc = document(from_fpml(xml))
    assert value(doc, f"{TX}/a:DerivEvt/a:TmStmp/a:DtTm") == written
    assert value(doc, f"{TX}/a:DerivEvt/a:Id/a:EvtIdr") == "MSG1"
    assert value(doc, f"{NEW}/a:TechAttrbts/a:TechRcrdId").endswith(
        "-2021-03-01T18:00:00.763517600+08:00")


# --- commodities -------------------------------------------------------------------------------

COMMODITY_PRICE = "http://www.fpml.org/coding-scheme/commodity-reference-price-1-0"


def commodity_leg(kind: str, payer: str, receiver: str, *, periods: str = "",
                  unit: str = "ozt", quantity: str = "1100", total: str = "1100",
                  frequency: str = "PerCalculationPeriod") -> str:
    """A commodity swap leg: a fixed price leg or a floating (commodity price) leg, with its
    calculation periods (`periods`: a schedule, a reference to one, or dates)."""
    price = ("<fixedPrice><price>1800</price><priceCurrency>USD</priceCurrency>"
             f"<priceUnit>{unit}</priceUnit></fixedPrice>") if kind == "fixedLeg" else ""
    commodity = ("" if kind == "fixedLeg" else
                 f'<commodity><instrumentId instrumentIdScheme="{COMMODITY_PRICE}">'
                 "GOLD-LBMA PRICE PM</instrumentId><currency>USD</currency>"
                 "<specifiedPrice>Settlement</specifiedPrice></commodity>")
    return f"""<{kind}>
      <payerPartyReference href="{payer}"/><receiverPartyReference href="{receiver}"/>
      {periods}{price}{commodity}
      <notionalQuantity><quantityUnit>{unit}</quantityUnit>
        <quantityFrequency>{frequency}</quantityFrequency><quantity>{quantity}</quantity>
      </notionalQuantity>
      <totalNotionalQuantity>{total}</totalNotionalQuantity>
    </{kind}>"""


def commodity_swap(*legs: str) -> str:
    return f"""<commoditySwap>
      <primaryAssetClass>Commodity</primaryAssetClass>
      <productId productIdScheme="http://www.fpml.org/coding-scheme/product-taxonomy">Commodity:Metals:Precious:Swap:Cash</productId>
      <effectiveDate><adjustableDate><unadjustedDate>2022-01-01</unadjustedDate>
        </adjustableDate></effectiveDate>
      <terminationDate><adjustableDate><unadjustedDate>2022-12-31</unadjustedDate>
        </adjustableDate></terminationDate>
      <settlementCurrency>USD</settlementCurrency>
      {"".join(legs)}
    </commoditySwap>"""


MONTHLY = ('<calculationPeriodsSchedule id="periods1"><periodMultiplier>1</periodMultiplier>'
           "<period>M</period><balanceOfFirstPeriod>false</balanceOfFirstPeriod>"
           "</calculationPeriodsSchedule>")
MONTHLY_REF = '<calculationPeriodsScheduleReference href="periods1"/>'


def test_commodity_quantity_is_detailed_per_calculation_period():
    fixed = commodity_leg("fixedLeg", "B", "A", periods=MONTHLY_REF, quantity="100",
                          total="1200")
    floating = commodity_leg("floatingLeg", "A", "B", periods=MONTHLY, quantity="100",
                             total="1200")
    doc = document(from_fpml(message(commodity_swap(fixed, floating))))
    for side in ("FrstLeg", "ScndLeg"):
        # 1200 troy ounces, 100 each month (the fixed leg shares the floating leg's periods)
        assert quantity_leg(doc, side) == ("1200", "OZTR", "100", "1", "MNTH")
    # the price is per troy ounce
    assert value(doc, f"{TX}/a:TxPric/a:Pric/a:MntryVal/a:Amt") == "1800"
    assert value(doc, f"{TX}/a:TxPric/a:UnitOfMeasr/a:Cd") == "OZTR"
    # the settlement currency is the commodity (second) leg's, not the contract's
    assert value(doc, f"{CTRCT}/a:SttlmCcyScndLeg/a:Ccy") == "USD"
    assert doc.find(f"{CTRCT}/a:SttlmCcy", N) is None


def test_commodity_periods_listed_by_date_are_ad_hoc():
    dates = ('<calculationPeriods id="dates1"><unadjustedDate>2022-01-01</unadjustedDate>'
             "<unadjustedDate>2022-02-01</unadjustedDate></calculationPeriods>")
    fixed = commodity_leg("fixedLeg", "B", "A",
                          periods='<calculationPeriodsReference href="dates1"/>')
    floating = commodity_leg("floatingLeg", "A", "B", periods=dates)
    doc = document(from_fpml(message(commodity_swap(fixed, floating))))
    term = f"{TX}/a:NtnlQty/a:FrstLeg/a:Dtls/a:Term"
    assert value(doc, f"{term}/a:TmUnit") == "ADHO"
    assert doc.find(f"{term}/a:Val", N) is None


@pytest.mark.parametrize(("frequency", "unit", "multiplier"), [
    ("PerCalendarDay", "DAIL", "1"), ("PerHour", "HOUL", "1"), ("PerMonth", "MNTH", "1"),
    ("Term", "EXPI", None),  # once for the whole term: no multiplier
])
def test_commodity_quantity_per_stated_period(frequency, unit, multiplier):
    floating = commodity_leg("floatingLeg", "A", "B", periods=MONTHLY, frequency=frequency,
                             quantity="50", total="18250")
    other = commodity_leg("floatingLeg", "A", "B", periods=MONTHLY_REF, frequency=frequency,
                          quantity="50", total="18250")
    doc = document(from_fpml(message(commodity_swap(floating, other))))
    term = f"{TX}/a:NtnlQty/a:FrstLeg/a:Dtls/a:Term"
    assert value(doc, f"{term}/a:Qty") == "50"
    assert value(doc, f"{term}/a:TmUnit") == unit
    assert value(doc, f"{term}/a:Val") == multiplier


def test_two_commodity_price_legs_state_the_settlement_currency_once():
    first = commodity_leg("floatingLeg", "A", "B", periods=MONTHLY)
    second = commodity_leg("floatingLeg", "A", "B", periods=MONTHLY_REF)
    doc = document(from_fpml(message(commodity_swap(first, second))))
    assert value(doc, f"{CTRCT}/a:SttlmCcy/a:Ccy") == "USD"
    assert doc.find(f"{CTRCT}/a:SttlmCcyScndLeg", N) is None


def test_commodity_strip_states_both_quantities_as_unknown():
    legs = [commodity_leg("fixedLeg", "B", "A"), commodity_leg("fixedLeg", "B", "A"),
            commodity_leg("floatingLeg", "A", "B"), commodity_leg("floatingLeg", "A", "B")]
    doc = document(from_fpml(message(commodity_swap(*legs))))
    assert len(doc.findall(f"{TX}/a:NtnlQty", N)) == 1
    assert value(doc, f"{TX}/a:NtnlQty/a:FrstLeg/a:TtlQty") == "9999999999999999999999999"
    assert value(doc, f"{TX}/a:NtnlQty/a:ScndLeg/a:TtlQty") == "9999999999999999999999999"


# --- lifecycle: corrections and errors ---------------------------------------------------------

CORRECTION = "a:DerivsTradRpt/a:TradData/a:Rpt/a:Crrctn"
ERROR = "a:DerivsTradRpt/a:TradData/a:Rpt/a:Err"


def test_correction_reports_no_event_type():
    doc = document(swap(action_type=ActionType.CORR, event_type=None, event_id="E1"))
    event = f"{CORRECTION}/a:CmonTradData/a:TxData/a:DerivEvt"
    assert doc.find(f"{event}/a:Tp", N) is None
    assert value(doc, f"{event}/a:Id/a:EvtIdr") == "E1"
    assert value(doc, f"{event}/a:TmStmp/a:DtTm") is not None


def test_error_report_states_the_uti_and_event_id_and_a_record_id_without_event_time():
    doc = document(swap(action_type=ActionType.EROR, event_type=None, event_id="E9"))
    tx = f"{ERROR}/a:CmonTradData/a:TxData"
    assert value(doc, f"{tx}/a:TxId/a:UnqTxIdr") == "UTI1"
    assert value(doc, f"{tx}/a:DerivEvt/a:Id/a:EvtIdr") == "E9"
    assert doc.find(f"{tx}/a:DerivEvt/a:Tp", N) is None
    assert doc.find(f"{tx}/a:DerivEvt/a:TmStmp", N) is None
    assert doc.find(f"{ERROR}/a:CmonTradData/a:CtrctData", N) is None
    assert value(doc, f"{ERROR}/a:TechAttrbts/a:TechRcrdId") == f"HKMA-{A}-{B}-UTI1"


def test_intragroup_from_a_regimes_trade_party_relationship():
    intragroup = regime("EMIR", "ESMA").replace(
        "</reportingRegime>",
        "<tradePartyRelationshipType>Intragroup</tradePartyRelationshipType></reportingRegime>")
    doc = document(from_fpml(message(fixed_float(), party_a_regimes=intragroup)))
    assert value(doc, f"{TX}/a:TradClr/a:IntraGrp") == "true"
    unstated = document(from_fpml(message(fixed_float())))
    assert unstated.find(f"{TX}/a:TradClr/a:IntraGrp", N) is None
