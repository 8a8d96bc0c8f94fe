"""FpML -> TradeEvent mapping, a few representative snippets per product family."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from shared.domain.model import Cleared, Nature, PeriodUnit, TradeEvent
from shared.formats.readers.fpml import FpmlReader
from tests.unit.formats.fpml.samples import LEI_A, LEI_B, irs, message, regime, stream


def one(product: str, **kwargs) -> TradeEvent:
    [record] = FpmlReader().read(io.BytesIO(message(product, **kwargs).encode()))
    assert record.ok, record.errors
    return record.event


# --- rates ---------------------------------------------------------------------------------


def test_fixed_float_swap_fixed_leg_first_with_iso_codes():
    event = one(irs(stream("A", "B", index="USD-LIBOR-BBA", reset="3M"),
                    stream("B", "A", rate="0.0253", dcf="30E/360", pay="6M")),
                party_a_regimes=regime("DoddFrankAct", "CFTC") + regime("EMIR", "ESMA"),
                party_b_regimes=regime("EMIR", "ESMA", "NonFinancial", "false"))
    fixed, floating = event.legs
    assert fixed.fixed_rate == Decimal("0.0253") and fixed.day_count == "A011"
    assert fixed.payer == LEI_B and fixed.direction == "TAKE"
    assert fixed.payment_frequency.unit is PeriodUnit.MONTH
    assert fixed.payment_frequency.multiplier == 6
    assert floating.floating_index_code == "LIBO" and floating.day_count == "A004"
    assert floating.reset_frequency.multiplier == 3 and floating.direction == "MAKE"
    assert event.product.asset_class == "INTR" and event.product.contract_type == "SWAP"
    assert event.product.classification == "SRCXSC"
    assert event.effective_date == date(2021, 3, 3)
    assert event.expiration_date == date(2026, 3, 3)
    assert event.counterparty_1.supervisory_bodies == ["CFTC", "ESMA"]
    assert event.counterparty_1.nature is Nature.FINANCIAL
    assert event.counterparty_1.sectors == ["CDTI"]
    assert event.counterparty_2.nature is Nature.NON_FINANCIAL
    # an NFC below the clearing threshold does not report itself
    assert event.counterparty_2.reporting_obligation is False
    assert event.clearing.cleared is Cleared.NO
    assert event.master_agreement.type == "ISDA"


def test_basis_swap_keeps_order_and_spreads():
    event = one(irs(stream("A", "B", index="USD-SOFR-COMPOUND", spread="0.0006"),
                    stream("B", "A", index="USD-Federal Funds-H.15", spread="0.0001")))
    assert [leg.floating_index_code for leg in event.legs] == ["SOFR", "EFFR"]
    assert [leg.spread for leg in event.legs] == [Decimal("0.0006"), Decimal("0.0001")]


def test_cross_currency_legs_ordered_by_currency():
    event = one(irs(stream("A", "B", rate="0.15", ccy="USD", dcf="30/360"),
                    stream("B", "A", index="GBP-SONIA-OIS Compound", ccy="GBP",
                           dcf="ACT/365.FIXED")))
    assert [leg.notional.currency for leg in event.legs] == ["GBP", "USD"]
    assert event.legs[0].floating_index_code == "SONA"


def test_fra_legs_and_fixing_date():
    fra = """<fra>
      <buyerPartyReference href="A"/><sellerPartyReference href="B"/>
      <adjustedEffectiveDate id="start">2021-03-11</adjustedEffectiveDate>
      <adjustedTerminationDate>2021-06-11</adjustedTerminationDate>
      <fixingDateOffset><periodMultiplier>-2</periodMultiplier><period>D</period>
        <dayType>Business</dayType><dateRelativeTo href="start"/></fixingDateOffset>
      <dayCountFraction>ACT/360</dayCountFraction>
      <notional><currency>EUR</currency><amount>100</amount></notional>
      <fixedRate>0.0125</fixedRate>
      <floatingRateIndex>EUR-EURIBOR-Reuters</floatingRateIndex>
      <indexTenor><periodMultiplier>3</periodMultiplier><period>M</period></indexTenor>
    </fra>"""
    event = one(fra)
    assert event.product.contract_type == "FRAS"
    assert event.legs[0].fixed_rate == Decimal("0.0125")
    assert event.legs[1].floating_index_code == "EURI"
    assert event.legs[1].fixing_date == date(2021, 3, 9)  # two business days before start
    assert event.buyer is None  # FRAs are reported with leg directions, not sides


def test_swaption_strike_is_the_fixed_rate():
    swaption = f"""<swaption>
      <buyerPartyReference href="A"/><sellerPartyReference href="B"/>
      <premium><payerPartyReference href="A"/>
        <paymentAmount><currency>USD</currency><amount>1000</amount></paymentAmount>
        <paymentDate><unadjustedDate>2021-03-05</unadjustedDate></paymentDate></premium>
      <optionType>Payer</optionType>
      <europeanExercise><expirationDate><adjustableDate>
        <unadjustedDate>2022-03-01</unadjustedDate></adjustableDate></expirationDate>
      </europeanExercise>
      <swap>{stream("A", "B", rate="0.03", start="2022-03-03", end="2032-03-03")}
            {stream("B", "A", index="USD-SOFR-COMPOUND", start="2022-03-03",
                    end="2032-03-03")}</swap>
    </swaption>"""
    event = one(swaption)
    option = event.option
    assert event.product.contract_type == "SWPT"
    assert option.option_type == "CALL" and option.exercise_style == "EURO"
    assert option.strike == Decimal("0.03")
    assert option.premium.amount == Decimal("1000")
    assert option.underlying_maturity_date == date(2032, 3, 3)
    assert event.expiration_date == date(2022, 3, 1)
    assert event.final_settlement_date == date(2032, 3, 3)
    assert event.effective_date == date(2021, 3, 1)  # the trade date
    assert event.buyer == LEI_A


# --- FX ------------------------------------------------------------------------------------


def _exchanged(n: int, payer: str, receiver: str, ccy: str, amount: str) -> str:
    return (f"<exchangedCurrency{n}><payerPartyReference href='{payer}'/>"
            f"<receiverPartyReference href='{receiver}'/><paymentAmount>"
            f"<currency>{ccy}</currency><amount>{amount}</amount></paymentAmount>"
            f"</exchangedCurrency{n}>")


def test_fx_ndf():
    ndf = f"""<fxSingleLeg>
      {_exchanged(1, "A", "B", "KRW", "3763000000.0")}
      {_exchanged(2, "B", "A", "USD", "3399999.5")}
      <valueDate>2021-06-03</valueDate>
      <exchangeRate><quotedCurrencyPair><currency1>USD</currency1><currency2>KRW</currency2>
        <quoteBasis>Currency2PerCurrency1</quoteBasis></quotedCurrencyPair>
        <rate>1106.75</rate></exchangeRate>
      <nonDeliverableSettlement><settlementCurrency>USD</settlementCurrency>
        <fixing><fixingDate>2021-06-01</fixingDate></fixing></nonDeliverableSettlement>
    </fxSingleLeg>"""
    event = one(ndf)
    assert event.product.asset_class == "CURR" and event.product.contract_type == "FORW"
    assert event.product.delivery_type == "CASH"
    assert event.product.settlement_currency == "USD"
    assert event.exchange_rate == Decimal("1106.75") and event.exchange_rate_basis == "USD/KRW"
    assert [leg.notional.currency for leg in event.legs] == ["KRW", "USD"]
    assert event.legs[0].fixing_date == date(2021, 6, 1)
    assert event.legs[0].direction == "MAKE"
    assert event.expiration_date == date(2021, 6, 3)


def test_fx_option_call_put_and_offshore_renminbi():
    option = """<fxOption>
      <buyerPartyReference href="A"/><sellerPartyReference href="B"/>
      <europeanExercise><expiryDate>2021-06-01</expiryDate><valueDate>2021-06-03</valueDate>
      </europeanExercise>
      <putCurrencyAmount><currency>USD</currency><amount>1000000</amount></putCurrencyAmount>
      <callCurrencyAmount><currency>CNY</currency><amount>6600000</amount></callCurrencyAmount>
      <strike><rate>6.6</rate><strikeQuoteBasis>PutCurrencyPerCallCurrency</strikeQuoteBasis>
      </strike>
      <cashSettlement><settlementCurrency>CNH</settlementCurrency></cashSettlement>
    </fxOption>"""
    event = one(option)
    assert event.option.call_amount.currency == "CNY"
    assert event.option.put_amount.amount == Decimal("1000000")
    assert event.option.strike_currency == "CNY/USD"
    assert event.product.settlement_currency == "CNY"  # CNH is reported as CNY ...
    assert event.product.settlement_location == "HK"  # ... settled in Hong Kong
    assert event.final_settlement_date == date(2021, 6, 3)


# --- credit --------------------------------------------------------------------------------


def test_index_cds_tranche():
    cds = """<creditDefaultSwap>
      <primaryAssetClass>Credit</primaryAssetClass>
      <generalTerms>
        <effectiveDate><unadjustedDate>2021-03-02</unadjustedDate></effectiveDate>
        <scheduledTerminationDate><unadjustedDate>2026-06-20</unadjustedDate>
        </scheduledTerminationDate>
        <buyerPartyReference href="B"/><sellerPartyReference href="A"/>
        <indexReferenceInformation>
          <indexName>CDX.NA.IG.36</indexName><indexSeries>36</indexSeries>
          <indexAnnexVersion>1</indexAnnexVersion><indexFactor>0.98</indexFactor>
          <seniority>SeniorUnSec</seniority>
          <tranche><attachmentPoint>0.03</attachmentPoint><exhaustionPoint>0.07</exhaustionPoint>
          </tranche>
        </indexReferenceInformation>
      </generalTerms>
      <feeLeg>
        <initialPayment><payerPartyReference href="B"/><receiverPartyReference href="A"/>
          <adjustedPaymentDate>2021-03-05</adjustedPaymentDate>
          <paymentAmount><currency>USD</currency><amount>16000</amount></paymentAmount>
        </initialPayment>
        <periodicPayment><paymentFrequency><periodMultiplier>3</periodMultiplier>
          <period>M</period></paymentFrequency>
          <fixedAmountCalculation><fixedRate>0.01</fixedRate>
            <dayCountFraction>ACT/360</dayCountFraction></fixedAmountCalculation>
        </periodicPayment>
      </feeLeg>
      <protectionTerms><calculationAmount><currency>USD</currency><amount>10000000</amount>
      </calculationAmount></protectionTerms>
    </creditDefaultSwap>"""
    event = one(cds)
    assert event.product.asset_class == "CRDT"
    assert event.credit.seniority == "SNDB"
    assert (event.credit.series, event.credit.version) == (36, 1)
    assert event.credit.index_factor == Decimal("0.98")
    assert event.credit.attachment_point == Decimal("0.03")
    assert event.buyer == LEI_B and event.seller == LEI_A
    assert event.counterparty_1.identifier == LEI_A  # the protection seller is Party1
    assert event.legs[0].fixed_rate == Decimal("0.01") and event.legs[0].day_count == "A004"
    [fee] = event.other_payments
    assert (fee.payment_type, fee.amount.amount, fee.payer) == ("UFRO", Decimal(16000), LEI_B)
    assert event.product.underliers[0].name == "CDX.NA.IG.36"


# --- equity --------------------------------------------------------------------------------


def test_equity_index_option_notional_from_strike_and_count():
    option = """<equityOption>
      <primaryAssetClass>Equity</primaryAssetClass>
      <buyerPartyReference href="A"/><sellerPartyReference href="B"/>
      <optionType>Call</optionType>
      <underlyer><singleUnderlyer><index>
        <instrumentId instrumentIdScheme="http://www.fpml.org/coding-scheme/external/instrument-id-ISIN">IE0031442068</instrumentId>
      </index></singleUnderlyer></underlyer>
      <equityExercise><equityEuropeanExercise><expirationDate><adjustableDate>
        <unadjustedDate>2021-09-17</unadjustedDate></adjustableDate></expirationDate>
        </equityEuropeanExercise>
        <settlementCurrency>USD</settlementCurrency><settlementType>Cash</settlementType>
      </equityExercise>
      <strike><strikePrice>1314.44</strikePrice><currency>USD</currency></strike>
      <numberOfOptions>1000</numberOfOptions>
    </equityOption>"""
    event = one(option)
    leg = event.legs[0]
    assert leg.notional.amount == Decimal("1314440.00") and leg.notional.currency == "USD"
    assert leg.total_quantity == Decimal(1000) and leg.quantity_unit == "IPNT"
    assert event.option.strike_notation == "MONE"
    assert event.product.underliers[0].identifier == "IE0031442068"
    assert event.product.delivery_type == "CASH"


def test_return_swap_legs_are_reported_with_directions():
    swap = """<returnSwap>
      <primaryAssetClass>Equity</primaryAssetClass>
      <buyerPartyReference href="B"/><sellerPartyReference href="A"/>
      <returnLeg><payerPartyReference href="A"/><receiverPartyReference href="B"/>
        <effectiveDate><adjustableDate><unadjustedDate>2021-03-03</unadjustedDate>
        </adjustableDate></effectiveDate>
        <terminationDate><adjustableDate><unadjustedDate>2022-03-03</unadjustedDate>
        </adjustableDate></terminationDate>
        <notional><notionalAmount><currency>USD</currency><amount>5000000</amount>
        </notionalAmount></notional>
      </returnLeg>
      <interestLeg><payerPartyReference href="B"/><receiverPartyReference href="A"/>
        <interestCalculation><floatingRateCalculation>
          <floatingRateIndex>USD-SOFR-COMPOUND</floatingRateIndex></floatingRateCalculation>
          <dayCountFraction>ACT/360</dayCountFraction></interestCalculation>
      </interestLeg>
    </returnSwap>"""
    event = one(swap)
    assert event.counterparty_1.identifier == LEI_B
    assert event.buyer is None  # swaps carry leg directions, not buyer/seller
    assert event.legs[1].notional.amount == Decimal(5000000)  # sized by the return leg
    assert event.legs[1].floating_index_code == "SOFR"
    assert event.expiration_date == date(2022, 3, 3)


def test_single_name_cds_reference_entity_and_agreed_upfront_payment_date():
    cds = """<creditDefaultSwap>
      <primaryAssetClass>Credit</primaryAssetClass>
      <generalTerms>
        <effectiveDate><unadjustedDate>2009-03-26</unadjustedDate></effectiveDate>
        <scheduledTerminationDate><unadjustedDate>2014-06-20</unadjustedDate>
        </scheduledTerminationDate>
        <buyerPartyReference href="B"/><sellerPartyReference href="A"/>
        <referenceInformation>
          <referenceEntity id="entity"><entityName>TENET HEALTHCARE CORPORATION</entityName>
            <entityId entityIdScheme="http://www.fpml.org/spec/2003/entity-id-RED-1-0">8G836J</entityId>
          </referenceEntity>
        </referenceInformation>
      </generalTerms>
      <feeLeg>
        <initialPayment><payerPartyReference href="B"/><receiverPartyReference href="A"/>
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
    </creditDefaultSwap>"""
    event = one(cds)
    assert event.credit.reference_entity == "8G836J"  # its identifier, not its name
    [fee] = event.other_payments
    assert fee.payment_date == date(2009, 3, 28)  # as agreed, not as adjusted


def test_cds_option_strike_is_the_underlying_spread():
    option = """<creditDefaultSwapOption>
      <buyerPartyReference href="A"/><sellerPartyReference href="B"/>
      <optionType>Payer</optionType>
      <premium><payerPartyReference href="A"/><receiverPartyReference href="B"/>
        <paymentAmount><currency>EUR</currency><amount>25000</amount></paymentAmount>
        <paymentDate><adjustableDate><unadjustedDate>2021-03-03</unadjustedDate>
        </adjustableDate></paymentDate></premium>
      <europeanExercise><expirationDate><adjustableDate>
        <unadjustedDate>2021-06-16</unadjustedDate></adjustableDate></expirationDate>
      </europeanExercise>
      <settlementType>Physical</settlementType>
      <strike><spread>0.0065</spread></strike>
      <creditDefaultSwap>
        <generalTerms>
          <effectiveDate><unadjustedDate>2021-06-17</unadjustedDate></effectiveDate>
          <scheduledTerminationDate><unadjustedDate>2026-06-20</unadjustedDate>
          </scheduledTerminationDate>
          <buyerPartyReference href="A"/><sellerPartyReference href="B"/>
          <indexReferenceInformation><indexName>ITRAXX EUROPE SERIES 35</indexName>
            <indexSeries>35</indexSeries><seniority>SubLowerTier2</seniority>
          </indexReferenceInformation>
        </generalTerms>
        <feeLeg><periodicPayment><fixedAmountCalculation><fixedRate>0.01</fixedRate>
        </fixedAmountCalculation></periodicPayment></feeLeg>
        <protectionTerms><calculationAmount><currency>EUR</currency><amount>50000000</amount>
        </calculationAmount></protectionTerms>
      </creditDefaultSwap>
    </creditDefaultSwapOption>"""
    event = one(option)
    assert event.product.contract_type == "SWPT" and event.product.asset_class == "CRDT"
    assert event.option.option_type == "CALL" and event.option.strike == Decimal("0.01")
    assert event.option.underlying_maturity_date == date(2026, 6, 20)
    assert event.credit.seniority == "SBOD" and event.credit.series == 35
    assert event.product.delivery_type == "PHYS"
    assert event.legs[0].notional.amount == Decimal(50000000)
    assert event.legs[0].payer is None  # an option's legs are stated through buyer/seller


def test_dividend_swap_single_name():
    swap = """<dividendSwapTransactionSupplement>
      <primaryAssetClass>Equity</primaryAssetClass>
      <dividendLeg><payerPartyReference href="B"/><receiverPartyReference href="A"/>
        <effectiveDate><adjustableDate><unadjustedDate>2022-01-02</unadjustedDate>
        </adjustableDate></effectiveDate>
        <terminationDate><adjustableDate><unadjustedDate>2022-12-31</unadjustedDate>
        </adjustableDate></terminationDate>
        <underlyer><singleUnderlyer><equity>
          <instrumentId instrumentIdScheme="http://www.fpml.org/spec/2002/instrument-id-ISIN">CA56501R1064</instrumentId>
        </equity><openUnits>656000</openUnits></singleUnderlyer></underlyer>
      </dividendLeg>
      <fixedLeg><payerPartyReference href="A"/><receiverPartyReference href="B"/>
        <fixedPayment><paymentAmount><currency>CAD</currency><amount>682240</amount>
        </paymentAmount></fixedPayment>
      </fixedLeg>
    </dividendSwapTransactionSupplement>"""
    event = one(swap)
    leg = event.legs[0]
    assert leg.notional.amount == Decimal(682240) and leg.total_quantity == Decimal(656000)
    assert leg.quantity_unit == "SHAS"
    assert event.product.underliers[0].identifier == "CA56501R1064"
    assert event.product.underlier_basket is False
    assert event.expiration_date == date(2022, 12, 31)
