"""CFTC Part 43 writer: the Part 43 subset of the Part 45 report, sent as a real-time message."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

from shared.domain.model import (
    ActionType,
    Cleared,
    Clearing,
    CreditTerms,
    EventType,
    Leg,
    Money,
    OptionTerms,
    OtherPayment,
    Party,
    Period,
    PeriodUnit,
    Price,
    Product,
    TradeEvent,
)
from shared.formats.writers.base import writer_for
from shared.formats.writers.cftc import CftcPart45Writer
from shared.formats.writers.cftc_part43 import CftcPart43Writer

STAMP = datetime(2024, 4, 29, tzinfo=UTC)
A, B = "5493001RKR55V4X61F71", "549300O5MFEP1XJ40B46"
AGENT = "549300F2KFOQJZRKZ512"


def swap(**overrides: object) -> TradeEvent:
    event = TradeEvent(
        uti="UTI43", event_id="SEF123", action_type=ActionType.NEWT,
        event_type=EventType.TRAD,
        execution_timestamp=datetime(2021, 3, 1, 9, 30, tzinfo=UTC),
        event_timestamp=datetime(2021, 3, 1, 10, 0, tzinfo=UTC),
        effective_date=date(2021, 3, 3), expiration_date=date(2026, 3, 3),
        final_settlement_date=date(2026, 3, 5),
        counterparty_1=Party(identifier=A, supervisory_bodies=["CFTC"],
                             financial_entity=True),
        counterparty_2=Party(identifier=B, federal_entity=False),
        submitting_entity=A, allocation="UNAL",
        product=Product(asset_class="INTR", contract_type="SWAP"),
        legs=[Leg(payer=B, receiver=A,
                  notional=Money(amount=Decimal("12345678.91"), currency="USD"),
                  rate_type="FIXED", fixed_rate=Decimal("0.0253"), day_count="A011",
                  payment_frequency=Period(unit=PeriodUnit.MONTH, multiplier=6)),
              Leg(payer=A, receiver=B,
                  notional=Money(amount=Decimal("12345678.91"), currency="USD"),
                  rate_type="FLOATING", floating_index="USD-SOFR-COMPOUND",
                  day_count="A004",
                  payment_frequency=Period(unit=PeriodUnit.MONTH, multiplier=3),
                  reset_frequency=Period(unit=PeriodUnit.MONTH, multiplier=3))],
        execution_venue_type="SEF")
    for key, value in overrides.items():
        setattr(event, key, value)
    return event


def fx_option() -> TradeEvent:
    return swap(
        product=Product(asset_class="CURR", contract_type="OPTN", delivery_type="CASH",
                        settlement_currency="JPY"),
        buyer=A, seller=B,
        legs=[Leg(notional=Money(amount=Decimal("111500000"), currency="JPY"),
                  settlement_currency="JPY", fixing_date=date(2019, 3, 19)),
              Leg(notional=Money(amount=Decimal("1110000"), currency="NZD"))],
        option=OptionTerms(option_type="OTHR", exercise_style="EURO",
                           strike=Decimal("73.5"), strike_notation="MONE",
                           strike_currency="JPY/NZD",
                           premium=Money(amount=Decimal("60085"), currency="NZD"),
                           premium_payment_date=date(2019, 1, 30),
                           first_exercise_date=date(2019, 3, 21)))


def part43(event: TradeEvent) -> dict:
    return json.loads(CftcPart43Writer().write_one(event, reporting_timestamp=STAMP))


def part45(event: TradeEvent) -> dict:
    return json.loads(CftcPart45Writer().write_one(event, reporting_timestamp=STAMP))


def test_registry_gives_the_part43_writer():
    writer = writer_for("cftc-part43")
    assert isinstance(writer, CftcPart43Writer)
    assert writer.regime == "cftc-part43" and writer.media_type == "application/json"


def test_every_part43_message_is_a_real_time_message():
    assert part43(swap())["cftcGuidebook"]["messageType"] == "RT"
    assert part43(swap(action_type=ActionType.MODI))["cftcGuidebook"]["messageType"] == "RT"
    # the Part 45 report of the same trade is still a trade-state message
    assert part45(swap())["cftcGuidebook"]["messageType"] == "Trade State"


def test_part45_only_fields_are_left_out():
    r = part43(swap())
    for field in ("allocationIndicator", "jurisdiction", "eventIdentifier",
                  "finalContractualSettlementDate",
                  "counterparty1FederalEntityIndicator", "counterparty2FederalEntityIndicator",
                  "counterparty1FinancialEntityIndicator",
                  "counterparty2FinancialEntityIndicator"):
        assert field not in r, field
    # the same event's Part 45 report carries them
    p45 = part45(swap())
    assert p45["allocationIndicator"] == "UNAL" and p45["eventIdentifier"] == "SEF123"
    assert p45["finalContractualSettlementDate"] == "2026-03-05"


def test_legs_keep_their_economics_without_payer_and_receiver():
    r = part43(swap())
    leg1, leg2 = r["leg1"], r["leg2"]
    assert leg1 == {"fixedRate": 0.0253, "notionalAmount": 12345678.91,
                    "notionalCurrency": "USD",
                    "periodicPayment": {"fixedRateDayCountConvention": "A011",
                                        "fixedRatePaymentFrequencyPeriod": "MNTH",
                                        "fixedRatePaymentFrequencyPeriodMultiplier": 6}}
    assert leg2["periodicPayment"]["floatingRateResetFrequencyPeriod"] == "MNTH"
    assert not {"payerIdentifier", "receiverIdentifier", "payerIdentifierFormat",
                "receiverIdentifierFormat"} & (leg1.keys() | leg2.keys())


def test_notional_is_sent_unrounded_and_uncapped():
    # 43.4(g)/(h) rounding and capping are the SDR's job at dissemination
    raw = CftcPart43Writer().write_one(swap(), reporting_timestamp=STAMP).decode()
    assert '"notionalAmount": 12345678.91' in raw


def test_sdr_needs_the_trade_identity_and_the_timestamps():
    r = part43(swap())
    assert r["uniqueTransactionIdentifier"] == "UTI43"
    assert r["counterparty1"] == A and r["counterparty2"] == B
    assert r["counterparty2IdentifierSource"] == "LEID"
    assert r["reportSubmittingEntityID"] == A
    assert r["executionTimestamp"] == "2021-03-01T09:30:00Z"
    assert r["reportingTimestamp"] == "2024-04-29T00:00:00Z"
    assert r["cftcGuidebook"]["sefOrDcmIndicator"] is True
    assert r["cftcGuidebook"]["largeNotionalOffFacilitySwapElectionIndicator"] is False
    assert r["blockTradeElectionIndicator"] is False


def test_execution_agents_stay_in_the_report():
    event = swap(counterparty_1=Party(identifier=A, supervisory_bodies=["CFTC"],
                                      execution_agent=AGENT))
    assert part43(event)["executionAgentCounterparty1"] == AGENT


def test_option_keeps_premium_and_strike_but_not_sides_or_dates_of_payment():
    r = part43(fx_option())
    assert "buyerIdentifier" not in r and "sellerIdentifier" not in r
    assert "optionPremiumPaymentDate" not in r
    assert r["optionPremiumAmount"] == 60085 and r["optionPremiumCurrency"] == "NZD"
    assert r["strikePrice"] == {"monetary": 73.5} and r["strikePriceNotation"] == "Monetary"
    assert r["firstExerciseDate"] == "2019-03-21"
    assert r["cftcGuidebook"]["optionStyle"] == "EURO"
    assert "fixingDate" not in r["leg1"]  # a Part 45 element only
    assert r["leg1"]["settlementCurrency"] == "JPY"
    p45 = part45(fx_option())
    assert p45["buyerIdentifier"] == A and p45["leg1"]["fixingDate"].startswith("2019-03-19")


def test_credit_tranche_keeps_index_factor_but_not_attachment_points():
    event = swap(product=Product(asset_class="CRDT", contract_type="SWAP"),
                 credit=CreditTerms(index_factor=Decimal("0.95"),
                                    attachment_point=Decimal("0.03"),
                                    detachment_point=Decimal("0.07")))
    r = part43(event)
    assert r["indexFactor"] == 0.95
    assert "cdSIndexAttachmentPoint" not in r and "cdSIndexDetachmentPoint" not in r


def test_package_keeps_indicator_and_price_not_its_identifier():
    event = swap(package_id="PKG-1",
                 package_price=Price(value=Decimal("0.0125"), notation="DECI"))
    r = part43(event)
    assert r["packageIndicator"] is True and "packageIdentifier" not in r
    assert r["packageTransactionPrice"] == {"decimal": 0.0125}
    assert r["packageTransactionPriceNotation"] == "Decimal"


def test_other_payments_are_kept():
    event = swap(other_payments=[OtherPayment(
        payment_type="UFRO", amount=Money(amount=Decimal("337.3"), currency="JPY"),
        payment_date=date(2021, 8, 13), payer=B, receiver=A)])
    (payment,) = part43(event)["otherPayment"]
    assert payment["amount"] == 337.3 and payment["paymentType"] == "UFRO"
    assert payment["date"] == "2021-08-13"


def test_cleared_swap_has_no_non_standard_flag():
    event = swap(clearing=Clearing(cleared=Cleared.YES), non_standard_terms=True)
    r = part43(event)
    assert r["cleared"] == "Y" and "nonStandardizedTermIndicator" not in r


def test_a_report_with_no_leg_terms_sends_no_empty_legs():
    assert "leg1" not in part43(swap(legs=[])) and "leg2" not in part43(swap(legs=[]))


def test_batch_holds_part43_reports():
    out = io.BytesIO()
    count = CftcPart43Writer().write_batch([swap(), fx_option()], out,
                                           reporting_timestamp=STAMP)
    batch = json.loads(out.getvalue())
    assert count == 2 and batch["recordCount"] == 2
    assert all(r["cftcGuidebook"]["messageType"] == "RT" for r in batch["reports"])
    assert all("allocationIndicator" not in r for r in batch["reports"])
