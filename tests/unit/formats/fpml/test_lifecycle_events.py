"""FpML lifecycle messages -> action type, event type, prior UTI and what the event changes.

Each message is a small hand-written FpML 5.10 record-keeping message: the shape of the message
(isCorrection, termination, novation, withdrawal, ...) decides the report, not any name.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from shared.domain.model import ActionType, Cleared, EventType, Money, TradeEvent
from shared.domain.rules.context import ValidationContext
from shared.domain.rules.engine import validate
from shared.formats.readers.fpml import FpmlReader
from shared.formats.writers.cftc import CftcPart45Writer
from shared.formats.writers.emir import EmirRefitWriter
from tests.unit.formats.fpml.samples import LEI_A, LEI_B, NS, irs, stream

A, E = ActionType, EventType
UTI_SCHEME = "http://www.fpml.org/coding-scheme/external/unique-transaction-identifier"
STAMP = datetime(2024, 4, 29, tzinfo=UTC)


def ident(uti: str, element: str = "partyTradeIdentifier", inner: str = "") -> str:
    return (f'<{element}><issuer>{LEI_A}</issuer>'
            f'<tradeId tradeIdScheme="{UTI_SCHEME}">{uti}</tradeId>{inner}</{element}>')


def trade(uti: str, *, notional: str = "10000000", element: str = "trade", info: str = "",
          inner_ident: str = "", clear: str = "false") -> str:
    return f"""<{element}>
    <tradeHeader>
      {ident(uti, inner=inner_ident)}
      <partyTradeInformation>
        <partyReference href="A"/>
        <executionDateTime>2021-03-01T09:30:00Z</executionDateTime>
        <intentToClear>{clear}</intentToClear>
        {info}
      </partyTradeInformation>
      <tradeDate>2021-03-01</tradeDate>
    </tradeHeader>
    {irs(stream("A", "B", notional=notional, index="USD-LIBOR-BBA", reset="3M"),
         stream("B", "A", notional=notional, rate="0.0253"))}
  </{element}>"""


def message(body: str, *, correction: bool = False,
            root: str = "nonpublicExecutionReport") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="{NS}" fpmlVersion="5-10">
  <header>
    <messageId messageIdScheme="http://example.com/msg">MSG7</messageId>
    <sentBy>{LEI_A}</sentBy>
    <creationTimestamp>2021-06-01T10:13:07Z</creationTimestamp>
  </header>
  <isCorrection>{"true" if correction else "false"}</isCorrection>
  <correlationId correlationIdScheme="http://example.com/conv">CONV1</correlationId>
  <sequenceNumber>{2 if correction else 1}</sequenceNumber>
  <onBehalfOf><partyReference href="A"/></onBehalfOf>
  {body}
  <party id="A"><partyId partyIdScheme="http://www.fpml.org/coding-scheme/external/iso17442">{LEI_A}</partyId></party>
  <party id="B"><partyId partyIdScheme="http://www.fpml.org/coding-scheme/external/iso17442">{LEI_B}</partyId></party>
  <party id="C"><partyId partyIdScheme="http://www.fpml.org/coding-scheme/external/iso17442">5299000J2N45DDNE4Y28</partyId></party>
</{root}>"""


def events(xml: str) -> list[TradeEvent]:
    records = list(FpmlReader().read(io.BytesIO(xml.encode())))
    assert all(r.ok for r in records), [r.errors for r in records]
    return [r.event for r in records]


def one(xml: str) -> TradeEvent:
    [event] = events(xml)
    return event


def cftc(event: TradeEvent) -> dict:
    return json.loads(CftcPart45Writer().write_one(event, reporting_timestamp=STAMP))


def emir(event: TradeEvent) -> str:
    return EmirRefitWriter().write_one(event, reporting_timestamp=STAMP).decode()


def fee(amount: str = "12345.00") -> str:
    return f"""<payment>
      <payerPartyReference href="A"/><receiverPartyReference href="B"/>
      <paymentAmount><currency>USD</currency><amount>{amount}</amount></paymentAmount>
      <paymentDate><adjustedDate>2021-06-03</adjustedDate></paymentDate>
    </payment>"""


def termination(outstanding: str) -> str:
    return f"""<termination>
    {trade("UTIORIGINAL0000000001", element="originalTrade")}
    <agreementDate>2021-06-01Z</agreementDate>
    <executionDateTime>2021-06-01T10:12:34Z</executionDateTime>
    <effectiveDate>2021-06-03Z</effectiveDate>
    {fee()}
    <changeInNotionalAmount><currency>USD</currency><amount>4000000</amount></changeInNotionalAmount>
    <outstandingNotionalAmount><currency>USD</currency><amount>{outstanding}</amount></outstandingNotionalAmount>
  </termination>"""


# --- new trade, correction, retraction, withdrawal -----------------------------------------


def test_a_trade_is_a_new_trade_whatever_its_originating_event():
    # DRR reports NovationTrade / ClearingDefaultTrade trades as TRAD: the message holds the
    # trade, not the event that created it
    event = one(message("<originatingEvent>NovationTrade</originatingEvent>"
                        + trade("UTINEW00000000000001")))
    assert (event.action_type, event.event_type) == (A.NEWT, E.TRAD)
    assert event.prior_uti is None
    assert event.extensions["originating_event"] == "NovationTrade"
    assert event.extensions["correlation_id"] == "CONV1"


def test_is_correction_makes_a_corr_without_event_type():
    event = one(message(trade("UTICORR0000000000001"), correction=True))
    assert (event.action_type, event.event_type) == (A.CORR, None)
    assert event.uti == "UTICORR0000000000001"
    assert event.extensions["sequence_number"] == "2"
    xml = emir(event)
    assert "<Crrctn>" in xml and "<DerivEvt>\n" in xml and "<Tp>TRAD</Tp>" not in xml
    assert "eventType" not in cftc(event)


def test_a_retracted_report_is_an_error():
    event = one(message(trade("UTIRETRACTED00000001"),
                        root="nonpublicExecutionReportRetracted"))
    assert (event.action_type, event.event_type) == (A.EROR, None)
    assert event.uti == "UTIRETRACTED00000001"


def test_withdrawal_is_an_error_identified_by_its_uti_and_parties():
    event = one(message(f"""<withdrawal>
      {ident("UTIWITHDRAWN00000001")}
      <partyTradeInformation><partyReference href="A"/></partyTradeInformation>
      <partyTradeInformation><partyReference href="B"/></partyTradeInformation>
      <effectiveDate>2021-06-02</effectiveDate>
      <requestedAction>RetainRecords</requestedAction>
      <reason>RaisedInError</reason>
    </withdrawal>"""))
    assert (event.action_type, event.event_type) == (A.EROR, None)
    assert event.uti == "UTIWITHDRAWN00000001"
    assert event.counterparty_1.identifier == LEI_A
    assert event.counterparty_2.identifier == LEI_B
    assert event.event_id == "MSG7" and event.legs == []
    xml = emir(event)
    assert "<Err>" in xml and "<OthrCtrPty>" not in xml and "<CtrctData>" not in xml
    report = cftc(event)
    assert report["actionType"] == "EROR" and "nonStandardizedTermIndicator" not in report


def test_a_message_without_trade_or_event_is_a_record_error():
    [record] = FpmlReader().read(io.BytesIO(message("").encode()))
    assert record.errors[0].code == "PARSE-FPML-001"


# --- termination --------------------------------------------------------------------------


def test_partial_termination_modifies_the_original_trade_to_the_outstanding_notional():
    event = one(message(termination("6000000")))
    assert (event.action_type, event.event_type) == (A.MODI, E.ETRM)
    assert event.uti == "UTIORIGINAL0000000001"
    assert [leg.notional for leg in event.legs] == [Money(amount=Decimal(6000000),
                                                          currency="USD")] * 2
    assert event.event_date == date(2021, 6, 1)  # the termination's agreement date
    assert event.early_termination_date is None  # the trade goes on
    [unwind] = event.other_payments
    assert unwind.payment_type == "UWIN" and unwind.amount.amount == Decimal("12345.00")
    assert unwind.payer == LEI_A and unwind.payment_date == date(2021, 6, 3)
    assert event.amendment_indicator is True


def test_partial_termination_is_etrm_under_emir_and_an_amended_trad_under_cftc():
    event = one(message(termination("6000000")))
    xml = emir(event)
    assert "<Mod>" in xml and "<Tp>ETRM</Tp>" in xml and "<Dt>2021-06-01</Dt>" in xml
    report = cftc(event)
    assert report["actionType"] == "MODI" and report["eventType"] == "TRAD"
    assert report["amendmentIndicator"] is True


def test_partial_termination_passes_the_action_event_rule_in_both_regimes():
    event = one(message(termination("6000000")))
    for regime in ("cftc-part45", "emir"):
        issues = validate(event, ValidationContext(now=STAMP, regimes=(regime,)))
        assert "SR-LC-020" not in {i.rule_id for i in issues}, regime


def test_full_termination_terminates_with_its_early_termination_date():
    event = one(message(termination("0")))
    assert (event.action_type, event.event_type) == (A.TERM, E.ETRM)
    assert event.early_termination_date == date(2021, 6, 3)
    assert "<Termntn>" in emir(event)
    assert cftc(event)["eventType"] == "ETRM"


def test_an_event_on_a_trade_meant_to_be_cleared_reports_it_as_not_cleared():
    body = termination("6000000").replace("<intentToClear>false", "<intentToClear>true")
    assert one(message(body)).clearing.cleared is Cleared.NO


def test_termination_by_trade_identifier_alone():
    event = one(message(f"""<termination>
      {ident("UTIBYIDENTIFIER00001", element="tradeIdentifier")}
      <agreementDate>2021-06-01</agreementDate>
      <effectiveDate>2021-06-03</effectiveDate>
      <changeInNotionalAmount><currency>USD</currency><amount>10000000</amount></changeInNotionalAmount>
    </termination>"""))
    assert (event.action_type, event.event_type) == (A.TERM, E.ETRM)
    assert event.uti == "UTIBYIDENTIFIER00001"


# --- novation -----------------------------------------------------------------------------


def novation(remaining: str = "") -> str:
    return f"""<novation>
    {trade("UTINEWTRADE000000001", element="newTrade")}
    {trade("UTIOLDTRADE000000001", element="oldTrade")}
    <transferor href="B"/><transferee href="C"/><remainingParty href="A"/>
    <novationDate>2021-06-05</novationDate>
    <novationTradeDate>2021-06-01</novationTradeDate>
    <novatedAmount><currency>USD</currency><amount>10000000</amount></novatedAmount>
    {remaining}
  </novation>"""


def test_novation_opens_the_new_trade_and_terminates_the_old_one():
    new, old = events(message(novation()))
    assert (new.action_type, new.event_type) == (A.NEWT, E.NOVA)
    assert new.uti == "UTINEWTRADE000000001" and new.prior_uti == "UTIOLDTRADE000000001"
    assert (old.action_type, old.event_type) == (A.TERM, E.NOVA)
    assert old.uti == "UTIOLDTRADE000000001"
    assert new.event_date == old.event_date == date(2021, 6, 1)
    assert "<PrrTxId>\n" in emir(new) and cftc(new)["priorUTI"] == "UTIOLDTRADE000000001"


def test_partial_novation_keeps_the_old_trade_with_the_remaining_amount():
    remaining = ("<remainingAmount><currency>USD</currency><amount>3000000</amount>"
                 "</remainingAmount>")
    _, old = events(message(novation(remaining)))
    assert (old.action_type, old.event_type) == (A.MODI, E.NOVA)
    assert old.legs[0].notional == Money(amount=Decimal(3000000), currency="USD")


# --- allocation, amendment, change, exercise, clearing -----------------------------------


def test_a_post_allocation_trade_naming_its_block_is_an_allocation():
    block = (f'<blockTradeId><issuer>{LEI_A}</issuer>'
             f'<tradeId tradeIdScheme="{UTI_SCHEME}">UTIBLOCK000000000001</tradeId>'
             '</blockTradeId>')
    event = one(message(trade("UTIALLOCATED00000001", inner_ident=block,
                              info="<allocationStatus>PostAllocation</allocationStatus>")))
    assert (event.action_type, event.event_type) == (A.NEWT, E.ALOC)
    assert event.prior_uti == "UTIBLOCK000000000001" and event.allocation == "POST"


def test_a_block_trade_id_alone_is_only_a_reference():
    block = (f'<blockTradeId><issuer>{LEI_A}</issuer>'
             f'<tradeId tradeIdScheme="{UTI_SCHEME}">UTIBLOCK000000000001</tradeId>'
             '</blockTradeId>')
    event = one(message(trade("UTIREFBLOCK000000001", inner_ident=block)))
    assert (event.event_type, event.prior_uti) == (E.TRAD, None)


def test_a_block_to_be_allocated_is_pre_allocated():
    event = one(message(trade("UTIBLOCK000000000001",
                              info="<intentToAllocate>true</intentToAllocate>")))
    assert event.allocation == "PREA" and cftc(event)["allocationIndicator"] == "PREA"


def test_amendment_is_a_modification_with_newly_agreed_terms():
    event = one(message(f"""<amendment>
      {trade("UTIAMENDED0000000001")}
      <agreementDate>2021-05-20</agreementDate>
      <effectiveDate>2021-05-21</effectiveDate>
    </amendment>"""))
    assert (event.action_type, event.event_type) == (A.MODI, E.TRAD)
    assert event.event_date == date(2021, 5, 20)
    assert cftc(event)["amendmentIndicator"] is True


def test_a_corporate_action_change_is_a_non_negotiated_corp_modification():
    event = one(message(f"""<change>
      {trade("UTICHANGED0000000001")}
      <effectiveDate>2021-05-21</effectiveDate>
      <corporateAction/>
    </change>"""))
    assert (event.action_type, event.event_type) == (A.MODI, E.CORP)
    assert cftc(event)["amendmentIndicator"] is False


@pytest.mark.parametrize(("outstanding", "action"), [("0", A.TERM), ("2500000", A.MODI)])
def test_option_exercise(outstanding, action):
    event = one(message(f"""<optionExercise>
      {trade("UTIEXERCISED00000001")}
      <exerciseDate>2021-07-01</exerciseDate>
      <outstandingNotionalAmount><currency>USD</currency><amount>{outstanding}</amount></outstandingNotionalAmount>
    </optionExercise>"""))
    assert (event.action_type, event.event_type) == (action, E.EXER)
    assert event.event_date == date(2021, 7, 1)


def test_clearing_confirmation_opens_the_cleared_trades_and_ends_the_alpha():
    beta, gamma, alpha = events(message(f"""<clearing>
      <submitted>{trade("UTIALPHA000000000001")}</submitted>
      <cleared>{trade("UTIBETA0000000000001")}{trade("UTIGAMMA000000000001")}</cleared>
    </clearing>"""))
    for cleared in (beta, gamma):
        assert (cleared.action_type, cleared.event_type) == (A.NEWT, E.CLRG)
        assert cleared.prior_uti == "UTIALPHA000000000001"
        assert cleared.clearing.cleared is Cleared.YES
    assert (alpha.action_type, alpha.event_type, alpha.uti) == (
        A.TERM, E.CLRG, "UTIALPHA000000000001")


def test_a_corrected_novation_corrects_both_reports():
    reports = events(message(novation(), correction=True))
    assert [(r.action_type, r.event_type) for r in reports] == [(A.CORR, None)] * 2
