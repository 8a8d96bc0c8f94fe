"""Mapper rules every regime's report carries: who reports (DRR's default reporting side),
leg directions, equity swap legs, FX rate basis and the event time as written."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

from shared.domain.model import TradeEvent
from shared.formats.readers.fpml import FpmlReader
from shared.formats.writers.cftc import CftcPart45Writer
from tests.unit.formats.fpml.samples import LEI_A, LEI_B, irs, message, regime, stream


def one(product: str, **kwargs) -> TradeEvent:
    [record] = FpmlReader().read(io.BytesIO(message(product, **kwargs).encode()))
    assert record.ok, record.errors
    return record.event


def _role(name: str | None, role: str) -> str:
    named = f"<name>{name}</name>" if name else ""
    return (f"<reportingRegime>{named}<supervisorRegistration><supervisoryBody>ESMA"
            f"</supervisoryBody></supervisorRegistration><reportingRole>{role}</reportingRole>"
            f"</reportingRegime>")


# --- the reporting party ---------------------------------------------------------------------


def test_party1_that_is_only_emir_counterparty_does_not_report():
    # A pays the first stream, so A is CDM's Party1; but A is EMIR's Counterparty and B its
    # ReportingParty: B reports, and the sides follow
    swap = irs(stream("A", "B", rate="0.01"), stream("B", "A", index="USD-SOFR-COMPOUND"))
    event = one(swap, party_a_regimes=_role("EMIR", "Counterparty") + _role("UKEMIR",
                                                                            "ReportingParty"),
                party_b_regimes=_role("EMIR", "ReportingParty"))
    assert event.counterparty_1.identifier == LEI_B
    assert event.counterparty_2.identifier == LEI_A
    assert event.submitting_entity == LEI_B
    fixed, floating = event.legs
    assert fixed.direction == "TAKE" and floating.direction == "MAKE"


def test_party1_stays_reporting_party_when_both_report():
    swap = irs(stream("A", "B", rate="0.01"), stream("B", "A", index="USD-SOFR-COMPOUND"))
    event = one(swap, party_a_regimes=regime("EMIR", "ESMA"),
                party_b_regimes=regime("EMIR", "ESMA"))
    assert event.counterparty_1.identifier == LEI_A


def test_unnamed_regime_counts_as_emir_reporting_role():
    # DRR's filter lets a regime without a (known) name through for every regime
    swap = irs(stream("A", "B", rate="0.01"), stream("B", "A", index="USD-SOFR-COMPOUND"))
    event = one(swap, party_a_regimes=_role("EMIR", "Counterparty") + _role(None,
                                                                            "ReportingParty"),
                party_b_regimes=_role("EMIR", "ReportingParty"))
    assert event.counterparty_1.identifier == LEI_A


# --- equity swaps ----------------------------------------------------------------------------

_INTEREST = """<interestLeg>{parties}
        <interestLegCalculationPeriodDates id="d1">
          <effectiveDate><adjustableDate><unadjustedDate>2021-03-03</unadjustedDate>
          </adjustableDate></effectiveDate>
          <terminationDate><adjustableDate><unadjustedDate>2022-12-19</unadjustedDate>
          </adjustableDate></terminationDate>
        </interestLegCalculationPeriodDates>
        <notional><notionalAmount><currency>CAD</currency><amount>8291615</amount>
        </notionalAmount></notional>
        <interestCalculation><floatingRateCalculation>
          <floatingRateIndex>CAD-CORRA-OIS Compound</floatingRateIndex>
          </floatingRateCalculation><dayCountFraction>ACT/365.FIXED</dayCountFraction>
        </interestCalculation>
      </interestLeg>"""


def _return_swap(return_parties: str, interest_parties: str, underlyer: str) -> str:
    return f"""<returnSwap>
      <primaryAssetClass>Equity</primaryAssetClass>
      <buyerPartyReference href="B"/><sellerPartyReference href="A"/>
      <returnLeg>{return_parties}
        <effectiveDate><adjustableDate><unadjustedDate>2021-03-03</unadjustedDate>
        </adjustableDate></effectiveDate>
        <underlyer>{underlyer}</underlyer>
        <rateOfReturn><valuationPriceFinal><valuationRules><valuationDate><adjustableDate>
          <unadjustedDate>2022-12-19</unadjustedDate></adjustableDate></valuationDate>
        </valuationRules></valuationPriceFinal></rateOfReturn>
        <notional><notionalAmount><currency>CAD</currency><amount>8291615</amount>
        </notionalAmount></notional>
      </returnLeg>
      {_INTEREST.format(parties=interest_parties)}
    </returnSwap>"""


_ONE_CONSTITUENT = """<basket><openUnits>8291615</openUnits><basketConstituent>
      <equity><instrumentId instrumentIdScheme="http://example.com/ric">CTCa.TO</instrumentId>
      </equity><constituentWeight><basketPercentage>1</basketPercentage></constituentWeight>
    </basketConstituent></basket>"""


def test_leg_naming_only_its_payer_has_no_direction_for_the_other_side():
    swap = _return_swap('<payerPartyReference href="A"/>', '<payerPartyReference href="B"/>',
                        _ONE_CONSTITUENT)
    event = one(swap)
    assert event.counterparty_1.identifier == LEI_B  # the buyer
    equity_leg, interest_leg = event.legs
    assert equity_leg.payer == LEI_A and equity_leg.receiver is None
    assert equity_leg.direction is None  # B neither pays nor (as stated) receives it
    assert interest_leg.direction == "MAKE"


def test_one_constituent_basket_quantity_is_its_weight_not_the_basket_units():
    swap = _return_swap('<payerPartyReference href="A"/>', '<payerPartyReference href="B"/>',
                        _ONE_CONSTITUENT)
    assert one(swap).legs[0].total_quantity == Decimal(1)


def test_return_swap_legs_naming_one_party_state_no_payer_or_direction():
    swap = _return_swap('<payerPartyReference href="A"/>', '<payerPartyReference href="A"/>',
                        _ONE_CONSTITUENT)
    event = one(swap)
    assert event.counterparty_1.identifier == LEI_B
    assert all(leg.payer is None and leg.direction is None for leg in event.legs)


def test_return_swap_without_termination_date_has_no_expiration():
    swap = _return_swap('<payerPartyReference href="A"/><receiverPartyReference href="B"/>',
                        "", _ONE_CONSTITUENT).replace(_INTEREST.format(parties=""), "")
    event = one(swap)
    assert event.expiration_date is None  # the final valuation date does not end the swap
    assert event.final_settlement_date is None


def test_dividend_swap_dividend_leg_first_with_directions():
    swap = """<dividendSwapTransactionSupplement>
      <primaryAssetClass>Equity</primaryAssetClass>
      <dividendLeg><payerPartyReference href="A"/><receiverPartyReference href="B"/>
        <underlyer><singleUnderlyer><equity>
          <instrumentId instrumentIdScheme="http://www.fpml.org/spec/2002/instrument-id-ISIN">CA56501R1064</instrumentId>
        </equity><openUnits>656000</openUnits></singleUnderlyer></underlyer>
      </dividendLeg>
      <fixedLeg><payerPartyReference href="B"/><receiverPartyReference href="A"/>
        <fixedPayment><paymentAmount><currency>CAD</currency><amount>682240</amount>
        </paymentAmount></fixedPayment>
      </fixedLeg>
    </dividendSwapTransactionSupplement>"""
    event = one(swap)
    assert event.counterparty_1.identifier == LEI_B  # the fixed amount payer
    dividend, fixed = event.legs
    assert dividend.payer == LEI_A and dividend.total_quantity == Decimal(656000)
    assert dividend.notional.amount == Decimal(682240)
    assert dividend.direction == "TAKE" and fixed.direction == "MAKE"


# --- FX and the event time -------------------------------------------------------------------


def _forward(quote_basis: str) -> str:
    return f"""<fxSingleLeg>
      <exchangedCurrency1><payerPartyReference href="A"/><receiverPartyReference href="B"/>
        <paymentAmount><currency>BRL</currency><amount>1800</amount></paymentAmount>
      </exchangedCurrency1>
      <exchangedCurrency2><payerPartyReference href="B"/><receiverPartyReference href="A"/>
        <paymentAmount><currency>USD</currency><amount>356.9</amount></paymentAmount>
      </exchangedCurrency2>
      <valueDate>2022-03-18</valueDate>
      <exchangeRate><quotedCurrencyPair><currency1>BRL</currency1><currency2>USD</currency2>
        {quote_basis}</quotedCurrencyPair><rate>5.043317</rate></exchangeRate>
    </fxSingleLeg>"""


def test_fx_rate_without_quote_basis_has_no_basis():
    event = one(_forward(""))
    assert event.exchange_rate == Decimal("5.043317")
    assert event.exchange_rate_basis is None
    assert event.expiration_date == date(2022, 3, 18)


def test_fx_rate_basis_follows_quote_basis():
    quoted = one(_forward("<quoteBasis>Currency1PerCurrency2</quoteBasis>"))
    assert quoted.exchange_rate_basis == "USD/BRL"


def test_cftc_event_timestamp_keeps_the_source_text():
    swap = irs(stream("A", "B", rate="0.01"), stream("B", "A", index="USD-SOFR-COMPOUND"))
    xml = message(swap).replace("2021-03-01T10:00:00Z", "2021-03-01T02:00:00.1234567-08:00")
    [record] = FpmlReader().read(io.BytesIO(xml.encode()))
    report = json.loads(CftcPart45Writer().write_one(
        record.event, reporting_timestamp=datetime(2024, 4, 29, tzinfo=UTC)))
    assert report["eventTimestamp"] == "2021-03-01T02:00:00.1234567-08:00"
