"""The CFTC SDR's open swaps report: what the simulator writes from our Part 45 reports reads
back as the TR's view verification compares (same TrTrade as auth.107), an SDR's own field
names through the setting, and every unreadable part named."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from shared.domain.model import Leg, Money, Party, Product, TradeEvent
from shared.formats.tr_reports import (
    HeldSwap,
    OpenSwapsFields,
    TrReportError,
    is_open_swaps_report,
    read_open_swaps,
    write_open_swaps,
)
from shared.formats.writers.cftc import CftcPart45Writer

DAY = date(2026, 11, 22)
LEI_A, LEI_CP = "5299000ALPHABANK0192", "9884000COUNTERP00195"
RECEIVED = "2026-11-22T09:00:00Z"


def part45(uti: str, **overrides) -> dict:
    """Our Part 45 writer's report of a two-leg fixed/float swap, as the SDR received it."""
    values = dict(
        uti=uti, action_type="NEWT", event_type="TRAD",
        execution_timestamp=datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC),
        event_timestamp=datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC),
        effective_date=date(2026, 11, 24), expiration_date=date(2031, 11, 24),
        counterparty_1=Party(identifier=LEI_A), counterparty_2=Party(identifier=LEI_CP),
        submitting_entity=LEI_A,
        product=Product(asset_class="INTR", contract_type="SWAP", upi="QZ0000000001"),
        legs=[Leg(notional=Money(amount=Decimal("10000000"), currency="USD"),
                  fixed_rate=Decimal("0.0325")),
              Leg(notional=Money(amount=Decimal("10000000"), currency="USD"))])
    values.update(overrides)
    event = TradeEvent(**values)
    return json.loads(CftcPart45Writer().write_one(
        event, reporting_timestamp=datetime(2026, 11, 22, 8, tzinfo=UTC)))


def document(swaps: list, **header) -> bytes:
    return json.dumps({"reportType": "OpenSwapsReport", "asOfDate": "2026-11-22",
                       "reportingCounterparty": LEI_A, "recordCount": len(swaps),
                       "openSwaps": swaps, **header}).encode()


def test_the_sdrs_report_of_our_swaps_reads_back_as_the_values_verification_compares():
    body = write_open_swaps(DAY, LEI_A, [HeldSwap(part45("UTI-1"), "MODI", RECEIVED)])
    assert is_open_swaps_report(body)
    report = read_open_swaps(body)
    assert (report.reference_date, report.kind, report.problems) == (DAY, "trade_state", ())
    [swap] = report.trades
    assert (swap.uti, swap.last_action, swap.level) == ("UTI-1", "MODI", "TCTN")
    assert (swap.reporting_counterparty, swap.other_counterparty) == (LEI_A, LEI_CP)
    assert swap.received_at == datetime(2026, 11, 22, 9, tzinfo=UTC)
    # in the TR's text forms our books' values are compared in (rate in percent)
    assert dict(swap.values) == {
        "Lvl": "TCTN", "FctvDt": "2026-11-24", "XprtnDt": "2031-11-24",
        "ExctnTmStmp": "2026-11-20T01:02:03Z", "UnqPdctIdr": "QZ0000000001",
        "NtnlAmtFrstLeg": "10000000 USD", "IntrstFxdRateFrstLeg": "3.25",
        "NtnlAmtScndLeg": "10000000 USD"}
    record = json.loads(body)["openSwaps"][0]
    assert (record["uniqueTransactionIdentifier"], record["actionType"],
            record["eventTimestamp"], record["leg1"]["fixedRate"]) == (
        "UTI-1", "MODI", "2026-11-20T01:02:03Z", 0.0325)


def test_an_empty_report_says_nothing_is_open():
    report = read_open_swaps(write_open_swaps(DAY, LEI_A, []))
    assert (report.reference_date, report.trades, report.problems) == (DAY, (), ())


def test_an_sdr_naming_fields_its_own_way_is_read_through_the_setting():
    names = OpenSwapsFields.from_setting(
        '{"uti": "UTI", "leg1_notional": "notionalAmountLeg1", '
        '"leg1_currency": "notionalCurrencyLeg1", "received_at": "submissionTimestamp"}')
    body = document([{"UTI": "UTI-9", "actionType": "NEWT", "notionalAmountLeg1": "5000000",
                      "notionalCurrencyLeg1": "EUR", "submissionTimestamp": RECEIVED}])
    [swap] = read_open_swaps(body, names).trades
    assert swap.uti == "UTI-9" and swap.values["NtnlAmtFrstLeg"] == "5000000 EUR"
    assert swap.received_at == datetime(2026, 11, 22, 9, tzinfo=UTC)
    # our default names find no UTI in that SDR's records
    assert read_open_swaps(body).problems == (
        "openSwaps[1]: no UTI (uniqueTransactionIdentifier)",)


@pytest.mark.parametrize(("setting", "message"), [
    ('{"notional": "x"}', "unknown field 'notional'"),
    ('{"uti": ""}', "cftc_open_swaps_fields['uti']: a name of 1 to 100 characters"),
    ("[1]", "expected a JSON object"),
    ("{uti", "not JSON"),
])
def test_a_bad_field_name_setting_is_refused_naming_the_entry(setting, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        OpenSwapsFields.from_setting(setting)


def test_records_that_cannot_be_read_are_named_and_the_rest_load():
    good = {"uniqueTransactionIdentifier": "UTI-1", "actionType": "NEWT"}
    report = read_open_swaps(document([
        good, "not a record", {"actionType": "NEWT"}, {**good, "actionType": "MODI"},
        {"uniqueTransactionIdentifier": "UTI-2", "actionType": "NEWT",
         "effectiveDate": "24/11/2026", "leg1": {"notionalAmount": "ten"}}]))
    assert [(t.uti, t.last_action) for t in report.trades] == [("UTI-1", "NEWT"),
                                                                ("UTI-2", "NEWT")]
    assert report.problems == (
        "openSwaps[2]: not a JSON object",
        "openSwaps[3]: no UTI (uniqueTransactionIdentifier)",
        "openSwaps[4]: UTI UTI-1 is listed twice; the first is kept",
        "openSwaps[5] (UTI UTI-2): effectiveDate '24/11/2026' is not a date (YYYY-MM-DD); "
        "leg1.notionalAmount 'ten' is not a number")
    # open at the SDR all the same, without the values it could not read
    assert "FctvDt" not in report.trades[1].values


@pytest.mark.parametrize(("body", "message"), [
    (b"<Document/>", "not readable JSON"),
    (json.dumps({"openSwaps": []}).encode(), '"reportType": "OpenSwapsReport"'),
    (document([], recordCount=2), '"recordCount" says 2 but the report holds 0 swap'),
    (document([], recordCount="0"), '"recordCount" is missing or not an integer'),
    (document([], openSwaps={}), '"openSwaps" is missing or not a list'),
    (document([], asOfDate="22.11.2026"), "\"asOfDate\" '22.11.2026' is not a date"),
])
def test_a_document_that_is_not_an_open_swaps_report_is_refused_saying_why(body, message):
    with pytest.raises(TrReportError, match=message):
        read_open_swaps(body)
