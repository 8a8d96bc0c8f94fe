"""FpML commodity products (commoditySwap, commodityForward, commodityOption, commoditySwaption)
and the equity variance swap -> TradeEvent."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from shared.domain.model import TradeEvent
from shared.domain.refdata import load
from shared.formats.readers.fpml import FpmlReader
from tests.unit.formats.fpml.samples import LEI_A, LEI_B, message

TAXONOMY = "http://www.fpml.org/coding-scheme/product-taxonomy"
CFI = "http://www.fpml.org/coding-scheme/external/product-classification/iso10962"


def one(product: str) -> TradeEvent:
    [record] = FpmlReader().read(io.BytesIO(message(product).encode()))
    assert record.ok, record.errors
    return record.event


def fixed_leg(payer: str, receiver: str, price: str = "5.4", qty: str = "1300000",
              unit: str = "MMBTU") -> str:
    return f"""<fixedLeg>
      <payerPartyReference href="{payer}"/><receiverPartyReference href="{receiver}"/>
      <fixedPrice><price>{price}</price><priceCurrency>USD</priceCurrency>
        <priceUnit>{unit}</priceUnit></fixedPrice>
      <notionalQuantity><quantityUnit>{unit}</quantityUnit>
        <quantityFrequency>PerCalculationPeriod</quantityFrequency>
        <quantity>{qty}</quantity></notionalQuantity>
      <totalNotionalQuantity>{qty}</totalNotionalQuantity>
    </fixedLeg>"""


def floating_leg(payer: str, receiver: str, price: str = "NATURAL GAS-HENRY HUB-NYMEX",
                 qty: str = "1300000", unit: str = "MMBTU", spread: str = "",
                 frequency: str = "PerCalculationPeriod") -> str:
    spread_el = (f"<spread><currency>USD</currency><amount>{spread}</amount></spread>"
                 if spread else "")
    return f"""<floatingLeg>
      <payerPartyReference href="{payer}"/><receiverPartyReference href="{receiver}"/>
      <commodity><instrumentId instrumentIdScheme="http://www.fpml.org/coding-scheme/commodity-reference-price-1-0">{price}</instrumentId>
        <currency>USD</currency><specifiedPrice>Settlement</specifiedPrice></commodity>
      <notionalQuantity><quantityUnit>{unit}</quantityUnit>
        <quantityFrequency>{frequency}</quantityFrequency><quantity>{qty}</quantity>
      </notionalQuantity>
      <totalNotionalQuantity>{qty}</totalNotionalQuantity>
      <calculation><pricingDates><dayType>CommodityBusiness</dayType></pricingDates>
        {spread_el}</calculation>
    </floatingLeg>"""


def commodity_swap(*legs: str, taxonomy: str = "Commodity:Energy:NatGas:Swap:Cash") -> str:
    return f"""<commoditySwap>
      <primaryAssetClass>Commodity</primaryAssetClass>
      <productType productTypeScheme="{CFI}">STJXXC</productType>
      <productId productIdScheme="{TAXONOMY}">{taxonomy}</productId>
      <effectiveDate><adjustableDate><unadjustedDate>2022-02-01</unadjustedDate>
        </adjustableDate></effectiveDate>
      <terminationDate><adjustableDate><unadjustedDate>2022-02-28</unadjustedDate>
        </adjustableDate></terminationDate>
      <settlementCurrency>USD</settlementCurrency>
      {"".join(legs)}
    </commoditySwap>"""


def test_fixed_floating_commodity_swap():
    event = one(commodity_swap(fixed_leg("B", "A"), floating_leg("A", "B")))
    assert event.product.asset_class == "COMM" and event.product.contract_type == "SWAP"
    assert event.product.delivery_type == "CASH"
    # counterparty 1 pays the commodity (floating) price; the fixed leg is reported first
    assert event.counterparty_1.identifier == LEI_A
    fixed, floating = event.legs
    assert fixed.payer == LEI_B and fixed.direction == "TAKE"
    assert floating.payer == LEI_A and floating.direction == "MAKE"
    # both legs are sized by the fixed price times the quantity, in the price currency
    assert fixed.notional.amount == floating.notional.amount == Decimal("7020000.0")
    assert fixed.notional.currency == "USD"
    assert fixed.total_quantity == floating.total_quantity == Decimal("1300000")
    assert floating.quantity_unit == "MMBTU"  # no CDM unit: kept as stated
    assert event.price.value == Decimal("5.4") and event.price.notation == "MONE"
    assert event.buyer is None and event.seller is None  # MAKE/TAKE, not a side
    # the settlement currency goes with the floating payout; leg 1 is the fixed one
    assert event.product.settlement_currency is None
    assert (fixed.settlement_currency, floating.settlement_currency) == (None, "USD")
    assert event.effective_date == date(2022, 2, 1)
    assert event.expiration_date == event.final_settlement_date == date(2022, 2, 28)
    commodity = event.product.commodity
    assert (commodity.base_product, commodity.sub_product,
            commodity.further_sub_product) == ("NRGY", "NGAS", "OTHR")
    assert event.product.underliers[0].identifier == "NATURAL GAS-HENRY HUB-NYMEX"


def test_two_floating_legs_carry_spreads_and_settlement_currency():
    event = one(commodity_swap(floating_leg("A", "B", price="PALLADIUM-NYMEX", qty="2000",
                                            unit="ozt", spread="0.003"),
                               floating_leg("A", "B", price="PALLADIUM-TOCOM", qty="4000",
                                            unit="ozt", spread="0"),
                               taxonomy="Commodity:Index:Swap:Cash"))
    assert [leg.total_quantity for leg in event.legs] == [Decimal("2000"), Decimal("4000")]
    assert [leg.direction for leg in event.legs] == ["MAKE", "MAKE"]
    assert [leg.spread for leg in event.legs] == [Decimal("0.003"), Decimal("0")]
    assert event.legs[0].spread_currency == "USD"
    assert all(leg.notional is None for leg in event.legs)  # no fixed price: no amount
    assert event.price is None
    assert event.product.settlement_currency == "USD"
    # CDM carries the swap's settlement currency on its first floating payout only
    assert [leg.settlement_currency for leg in event.legs] == ["USD", None]
    assert event.legs[0].quantity_unit == "OZTR"
    # a commodity index is classified as one, not by its constituents
    assert event.product.commodity.base_product == "INDX"


def test_single_leg_commodity_swap_is_a_forward_with_sides():
    event = one(commodity_swap(floating_leg("B", "A", qty="465000", unit="USMMBTU",
                                            frequency="PerCalendarDay")))
    assert event.product.contract_type == "FORW"
    assert event.buyer == LEI_B and event.seller == LEI_A
    assert event.counterparty_1.identifier == LEI_B
    [leg] = event.legs
    assert leg.total_quantity == Decimal("465000") and leg.quantity_unit == "MBTU"
    assert leg.quantity_frequency == "PerCalendarDay"
    assert leg.settlement_currency == "USD" and leg.notional is None


def test_strip_of_legs_reports_no_leg_terms():
    event = one(commodity_swap(fixed_leg("A", "B"), fixed_leg("A", "B", price="5.5"),
                               floating_leg("B", "A"), floating_leg("B", "A")))
    assert event.counterparty_1.identifier == LEI_B  # the first floating leg's payer
    [leg] = event.legs
    assert leg.notional is None and leg.total_quantity is None and leg.direction is None
    assert event.price is None


def test_unknown_unit_is_kept_as_stated():
    # CDM reads no MMBTU (FpML's codes are USMMBTU and GBMMBTU): kept, for a rule to name
    event = one(commodity_swap(fixed_leg("B", "A", unit="MMBTU"),
                               floating_leg("A", "B", unit="MMBTU")))
    assert event.legs[0].quantity_unit == "MMBTU"


def test_unit_without_an_iso_code_is_none():
    # kilolitres are a CDM capacity unit with no ISO 20022 code: DRR reports no unit
    event = one(commodity_swap(fixed_leg("B", "A", unit="kL"), floating_leg("A", "B",
                                                                            unit="kL")))
    assert event.legs[0].quantity_unit is None


@pytest.mark.parametrize(("fpml", "iso"), [("t", "GBTN"), ("MT", "TONE"), ("USMMBTU", "MBTU"),
                                           ("ozt", "OZTR"), ("st", "USTN"), ("CWT", "UCWT")])
def test_units_follow_drr_cdm_capacity_units(fpml, iso):
    event = one(commodity_swap(fixed_leg("B", "A", unit=fpml), floating_leg("A", "B",
                                                                            unit=fpml)))
    assert event.legs[0].quantity_unit == iso


def test_commodity_option_on_an_index():
    event = one(f"""<commodityOption>
      <productType productTypeScheme="{CFI}">HTOXVX</productType>
      <productId productIdScheme="{TAXONOMY}">Commodity:Index:Option:Cash</productId>
      <buyerPartyReference href="B"/><sellerPartyReference href="A"/>
      <optionType>Call</optionType>
      <commodity><instrumentId>GOLD-LBMA PRICE PM</instrumentId></commodity>
      <effectiveDate><adjustableDate><unadjustedDate>2021-06-21</unadjustedDate>
        </adjustableDate></effectiveDate>
      <terminationDate><adjustableDate><unadjustedDate>2023-06-21</unadjustedDate>
        </adjustableDate></terminationDate>
      <notionalQuantity><quantityUnit>IndexUnits</quantityUnit>
        <quantityFrequency>Term</quantityFrequency><quantity>5347.19</quantity>
      </notionalQuantity>
      <totalNotionalQuantity>5347.19</totalNotionalQuantity>
      <exercise>
        <europeanExercise><expirationDate><adjustableDate>
          <unadjustedDate>2023-06-21</unadjustedDate></adjustableDate></expirationDate>
        </europeanExercise>
        <settlementCurrency>USD</settlementCurrency>
      </exercise>
      <strikePricePerUnit><currency>USD</currency><amount>261.82</amount></strikePricePerUnit>
      <premium><payerPartyReference href="B"/><receiverPartyReference href="A"/>
        <paymentDate><adjustableDate><unadjustedDate>2021-06-23</unadjustedDate>
          </adjustableDate></paymentDate>
        <paymentAmount><currency>USD</currency><amount>57960.00</amount></paymentAmount>
      </premium>
    </commodityOption>""")
    assert event.product.contract_type == "OPTN" and event.product.asset_class == "COMM"
    assert event.buyer == LEI_B and event.counterparty_1.identifier == LEI_B
    assert event.option.option_type == "CALL" and event.option.exercise_style == "EURO"
    assert event.option.strike == Decimal("261.82") and event.option.strike_currency == "USD"
    assert event.option.premium.amount == Decimal("57960.00")
    assert event.option.premium_payment_date == date(2021, 6, 23)
    assert event.legs[0].notional.amount == Decimal("261.82") * Decimal("5347.19")
    assert event.legs[0].quantity_unit == "IPNT"
    assert event.product.delivery_type == "CASH"
    assert event.product.settlement_currency == "USD"
    assert event.effective_date == date(2021, 3, 1)  # an option takes effect when traded
    assert event.expiration_date == date(2023, 6, 21)


def test_commodity_swaption_strike_is_the_fixed_price():
    event = one(f"""<commoditySwaption>
      <productType productTypeScheme="{CFI}">HTSXVX</productType>
      <buyerPartyReference href="A"/><sellerPartyReference href="B"/>
      <optionType>Call</optionType>
      {commodity_swap(floating_leg("B", "A", qty="1840000"),
                      fixed_leg("A", "B", price="2.93", qty="1840000"))}
      <physicalExercise><europeanExercise><expirationDates><adjustableDates>
        <unadjustedDate>2022-01-27</unadjustedDate></adjustableDates></expirationDates>
      </europeanExercise></physicalExercise>
    </commoditySwaption>""")
    assert event.product.contract_type == "SWPT"
    assert event.product.delivery_type == "PHYS"
    assert event.option.strike == Decimal("2.93") and event.option.strike_notation == "MONE"
    assert event.option.underlying_maturity_date == date(2022, 2, 28)
    assert event.expiration_date == date(2022, 1, 27)
    assert event.final_settlement_date == date(2022, 2, 28)
    [leg] = event.legs
    assert leg.notional.amount == Decimal("2.93") * Decimal("1840000")
    assert leg.total_quantity == Decimal("1840000")


def test_commodity_forward_buyer_pays_the_fixed_price():
    event = one(f"""<commodityForward>
      <productId productIdScheme="{TAXONOMY}">Commodity:Metals:Precious:Forward</productId>
      <valueDate><adjustableDate><unadjustedDate>2022-06-30</unadjustedDate>
        </adjustableDate></valueDate>
      <fixedLeg><payerPartyReference href="B"/><receiverPartyReference href="A"/>
        <totalPrice><currency>USD</currency><amount>180000</amount></totalPrice>
      </fixedLeg>
      <bullionPhysicalLeg><payerPartyReference href="A"/><receiverPartyReference href="B"/>
        <bullionType>Gold</bullionType>
        <deliveryLocation>London</deliveryLocation>
        <physicalQuantity><quantityUnit>ozt</quantityUnit>
          <quantityFrequency>Term</quantityFrequency><quantity>100</quantity>
        </physicalQuantity>
      </bullionPhysicalLeg>
    </commodityForward>""")
    assert event.product.contract_type == "FORW" and event.product.delivery_type == "PHYS"
    assert event.buyer == LEI_B and event.seller == LEI_A
    assert event.price.value == Decimal("180000")
    assert event.legs[0].total_quantity == Decimal("100")
    assert event.legs[0].quantity_unit == "OZTR"
    assert event.expiration_date == date(2022, 6, 30)
    assert event.product.commodity.sub_product == "PRME"


def test_variance_swap():
    event = one("""<varianceSwap>
      <productType productTypeScheme="http://www.fpml.org/coding-scheme/external/product-classification/iso10962">SESVXX</productType>
      <varianceLeg>
        <payerPartyReference href="A"/><receiverPartyReference href="B"/>
        <underlyer><singleUnderlyer><equity>
          <instrumentId instrumentIdScheme="http://www.fpml.org/schemes/4.1/instrumentId">IBM</instrumentId>
        </equity></singleUnderlyer></underlyer>
        <settlementType>Cash</settlementType>
        <amount><variance>
          <varianceAmount><currency>USD</currency><amount>1388.889</amount></varianceAmount>
          <volatilityStrikePrice>18.135</volatilityStrikePrice>
          <vegaNotionalAmount>50000</vegaNotionalAmount>
        </variance></amount>
      </varianceLeg>
    </varianceSwap>""")
    assert event.product.asset_class == "EQUI" and event.product.contract_type == "SWAP"
    assert event.product.classification == "SESVXX"
    # the variance receiver is long variance: the buyer
    assert event.buyer == LEI_B and event.seller == LEI_A
    assert event.counterparty_1.identifier == LEI_A
    [leg] = event.legs
    assert leg.notional.amount == Decimal("1388.889") and leg.payer == LEI_A
    assert event.variance.vega_notional == Decimal("50000")
    assert event.variance.volatility_strike == Decimal("18.135")
    assert event.variance.variance_strike == Decimal("18.135") ** 2
    assert event.product.delivery_type == "CASH"
    assert event.expiration_date is None  # no termination date stated on the leg


@pytest.mark.parametrize(("taxonomy", "prices", "expected"), [
    (["Commodity:Energy:Oil:Swap:Cash"], ["OIL-WTI-NYMEX"], ("NRGY", "OILP", "WTIO")),
    (["Commodity:Agricultural:GrainsOilSeeds:Swap:Cash"], ["SOYABEAN MEAL-CBOT"],
     ("AGRI", "GROS", "SOYB")),
    (["Commodity:Metals:Precious:Swap:Cash"], ["GOLD-LBMA PRICE PM"], ("METL", "PRME", "GOLD")),
    # a reference price that contradicts the stated taxonomy does not override it
    (["Commodity:Energy:Oil:Swap:Cash"], ["ELECTRICITY-PJM-WESTERN HUB"], ("NRGY", "OILP", None)),
    ([], ["ELECTRICITY-PJM-WESTERN HUB-REAL TIME"], ("NRGY", "ELEC", "OTHR")),
    (["Commodity:Freight:Wet:Swap"], ["NO SUCH PRICE"], ("FRGT", "WETF", None)),
    (["Commodity:Index:Swap:Cash"], ["PALLADIUM-NYMEX"], ("INDX", None, None)),
    ([], ["NO SUCH PRICE"], None),
])
def test_commodity_classification(taxonomy, prices, expected):
    assert load().classify_commodity(taxonomy, prices) == expected


def test_classification_code_list_is_whole():
    refdata = load()
    bases = {base for base, _sub, _further in refdata.commodity_codes}
    assert bases == {"AGRI", "NRGY", "ENVR", "FRGT", "FRTL", "INDP", "METL", "MCEX", "PAPR",
                     "POLY", "INFL", "OEST", "OTHC", "OTHR", "INDX"}
    assert refdata.commodity_classification("NRGY", "OILP", "WTIO")
    assert refdata.commodity_classification("METL", "NPRM", "ZINC")
    assert not refdata.commodity_classification("METL", "PRME", "ZINC")
    assert not refdata.commodity_classification("NRGY", "GROS")


def _with_schedule(leg: str, schedule: str) -> str:
    """The leg with its calculation periods (a schedule, or explicit dates)."""
    head, tail = leg.split("<commodity>", 1) if "<commodity>" in leg else \
        leg.split("<fixedPrice>", 1)
    marker = "<commodity>" if "<commodity>" in leg else "<fixedPrice>"
    return f"{head}{schedule}{marker}{tail}"


def test_calculation_period_is_the_leg_schedule_or_the_one_it_references():
    monthly = """<calculationPeriodsSchedule id="periods1"><periodMultiplier>1</periodMultiplier>
      <period>M</period><balanceOfFirstPeriod>false</balanceOfFirstPeriod>
      </calculationPeriodsSchedule>"""
    fixed = _with_schedule(fixed_leg("B", "A"),
                           '<calculationPeriodsScheduleReference href="periods1"/>')
    event = one(commodity_swap(fixed, _with_schedule(floating_leg("A", "B"), monthly)))
    # the fixed leg refers to the floating leg's schedule; both are monthly
    assert [(str(leg.calculation_period.unit), leg.calculation_period.multiplier)
            for leg in event.legs] == [("MNTH", 1), ("MNTH", 1)]


def test_calculation_periods_listed_by_date_are_ad_hoc():
    dated = """<calculationPeriods id="dates1"><unadjustedDate>2022-03-01</unadjustedDate>
      <unadjustedDate>2022-04-01</unadjustedDate></calculationPeriods>"""
    event = one(commodity_swap(fixed_leg("B", "A"),
                               _with_schedule(floating_leg("A", "B"), dated)))
    assert str(event.legs[1].calculation_period.unit) == "ADHO"


def test_settlement_currency_goes_to_the_first_floating_leg_only():
    fixed_float = one(commodity_swap(fixed_leg("B", "A"), floating_leg("A", "B")))
    assert [leg.settlement_currency for leg in fixed_float.legs] == [None, "USD"]
    two_floating = one(commodity_swap(floating_leg("A", "B", price="PALLADIUM-NYMEX"),
                                      floating_leg("A", "B", price="PALLADIUM-TOCOM")))
    assert [leg.settlement_currency for leg in two_floating.legs] == ["USD", None]
    assert two_floating.product.settlement_currency == "USD"
