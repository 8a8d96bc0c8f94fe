"""CFTC Part 45 JSON writer: DRR field names, exact decimals, batches with a correct count."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

from shared.domain.model import (
    ActionType,
    Cleared,
    Clearing,
    EventType,
    Leg,
    Money,
    OptionTerms,
    Party,
    Period,
    PeriodUnit,
    Product,
    TradeEvent,
)
from shared.formats.writers.base import writer_for
from shared.formats.writers.cftc import CftcPart45Writer, dumps

STAMP = datetime(2024, 4, 29, tzinfo=UTC)
A, B = "5493001RKR55V4X61F71", "549300O5MFEP1XJ40B46"


def swap(uti: str = "UTI1", **overrides) -> TradeEvent:
    event = TradeEvent(
        uti=uti, action_type=ActionType.NEWT, event_type=EventType.TRAD,
        execution_timestamp=datetime(2021, 3, 1, 9, 30, tzinfo=UTC),
        event_timestamp=datetime(2021, 3, 1, 10, 0, 0, 206000, tzinfo=UTC),
        effective_date=date(2021, 3, 3), expiration_date=date(2026, 3, 3),
        final_settlement_date=date(2026, 3, 3),
        counterparty_1=Party(identifier=A, supervisory_bodies=["CFTC", "SEC"]),
        counterparty_2=Party(identifier=B),
        submitting_entity=A,
        product=Product(asset_class="INTR", contract_type="SWAP"),
        legs=[Leg(payer=B, receiver=A, notional=Money(amount=Decimal("1E+7"), currency="USD"),
                  rate_type="FIXED", fixed_rate=Decimal("0.0253"), day_count="A011",
                  payment_frequency=Period(unit=PeriodUnit.MONTH, multiplier=6)),
              Leg(payer=A, receiver=B,
                  notional=Money(amount=Decimal("10000000.00"), currency="USD"),
                  rate_type="FLOATING", floating_index="USD-SOFR-COMPOUND",
                  spread=Decimal("0.00152555"), day_count="A004",
                  payment_frequency=Period(unit=PeriodUnit.MONTH, multiplier=3),
                  reset_frequency=Period(unit=PeriodUnit.DAY, multiplier=1))],
        execution_venue_type="SEF")
    for key, value in overrides.items():
        setattr(event, key, value)
    return event


def report(event: TradeEvent) -> dict:
    return json.loads(CftcPart45Writer().write_one(event, reporting_timestamp=STAMP))


def test_writer_for_regime():
    assert isinstance(writer_for("cftc-part45"), CftcPart45Writer)


def test_swap_report_fields_and_nesting():
    r = report(swap())
    assert r["actionType"] == "NEWT" and r["eventType"] == "TRAD"
    assert r["uniqueTransactionIdentifier"] == "UTI1"
    assert r["counterparty1"] == A and r["counterparty2IdentifierSource"] == "LEID"
    assert r["jurisdiction"] == "MIXX"
    assert r["cftcGuidebook"]["assetClass"] == "InterestRate"
    assert r["cftcGuidebook"]["sefOrDcmIndicator"] is True
    assert r["cleared"] == "N" and r["nonStandardizedTermIndicator"] is False
    leg1, leg2 = r["leg1"], r["leg2"]
    assert leg1["notionalAmount"] == 10000000 and leg1["payerIdentifier"] == B
    assert leg1["periodicPayment"] == {"fixedRateDayCountConvention": "A011",
                                       "fixedRatePaymentFrequencyPeriod": "MNTH",
                                       "fixedRatePaymentFrequencyPeriodMultiplier": 6}
    assert leg2["spread"] == {"basis": 15} and leg2["spreadNotation"] == "Basis"
    assert leg2["periodicPayment"]["floatingRateResetFrequencyPeriod"] == "DAIL"
    assert r["eventTimestamp"] == "2021-03-01T10:00:00.206Z"
    assert r["reportingTimestamp"] == "2024-04-29T00:00:00Z"


def test_decimals_are_written_exactly():
    text = CftcPart45Writer().write_one(swap(), reporting_timestamp=STAMP).decode()
    assert '"fixedRate": 0.0253' in text
    assert '"notionalAmount": 10000000' in text
    assert "e+" not in text.lower() and "0.025300000000000003" not in text
    assert dumps({"x": Decimal("0.1") + Decimal("0.2"), "y": Decimal("1.50")}) == \
        '{"x": 0.3, "y": 1.5}'


def test_cleared_swap_has_no_non_standard_flag_and_option_terms():
    event = swap(clearing=Clearing(cleared=Cleared.INTENDED), buyer=A, seller=B,
                 option=OptionTerms(option_type="CALL", exercise_style="EURO",
                                    strike=Decimal("0.03"), strike_notation="DECI",
                                    premium=Money(amount=Decimal("100.5"), currency="USD")))
    r = report(event)
    assert "nonStandardizedTermIndicator" not in r
    assert r["strikePrice"] == {"decimal": 0.03} and r["strikePriceNotation"] == "Decimal"
    assert r["optionPremiumAmount"] == 100.5 and r["buyerIdentifier"] == A
    assert "payerIdentifier" not in r["leg1"]  # sides replace leg payers
    assert "fixedRate" not in r["leg1"]  # an option's rate is its strike


def test_batch_has_the_right_count():
    events = [swap(uti=f"UTI{i}") for i in range(5)]
    out = io.BytesIO()
    count = CftcPart45Writer().write_batch(iter(events), out, reporting_timestamp=STAMP)
    doc = json.loads(out.getvalue())
    assert count == 5 == doc["recordCount"] == len(doc["reports"])
    assert [r["uniqueTransactionIdentifier"] for r in doc["reports"]] == \
        [f"UTI{i}" for i in range(5)]


def test_empty_batch():
    out = io.BytesIO()
    assert CftcPart45Writer().write_batch([], out, reporting_timestamp=STAMP) == 0
    assert json.loads(out.getvalue()) == {"reports": [], "recordCount": 0}


# --- lifecycle variants ---------------------------------------------------------------------


def test_partial_termination_is_reported_as_an_amended_trad_modification():
    # CFTC Table 7 has ETRM with TERM only: the MODI of a partial termination is TRAD
    r = report(swap(action_type=ActionType.MODI, event_type=EventType.ETRM,
                    amendment_indicator=True))
    assert (r["actionType"], r["eventType"], r["amendmentIndicator"]) == ("MODI", "TRAD", True)


def test_full_termination_keeps_etrm_and_has_no_amendment_indicator():
    r = report(swap(action_type=ActionType.TERM, event_type=EventType.ETRM))
    assert r["eventType"] == "ETRM" and "amendmentIndicator" not in r


def test_a_lifecycle_modification_is_not_an_amendment_unless_said():
    assert report(swap(action_type=ActionType.MODI,
                       event_type=EventType.EXER))["amendmentIndicator"] is False
    assert report(swap(action_type=ActionType.MODI,
                       event_type=EventType.TRAD))["amendmentIndicator"] is True


def test_prior_uti_and_clearing_timestamp():
    r = report(swap(action_type=ActionType.NEWT, event_type=EventType.NOVA, prior_uti="OLD1",
                    clearing=Clearing(cleared=Cleared.INTENDED, clearing_timestamp=datetime(
                        2021, 3, 1, 11, tzinfo=UTC))))
    assert r["priorUTI"] == "OLD1" and r["clearingTimestamp"] == "2021-03-01T11:00:00Z"


def test_an_error_report_states_no_term_indicator():
    r = report(swap(action_type=ActionType.EROR, event_type=None))
    assert r["actionType"] == "EROR" and "nonStandardizedTermIndicator" not in r
    assert "eventType" not in r
