"""Date and timestamp order rules. Timestamps are compared in UTC (naive ones taken as UTC).

SR-DT-014 (execution timestamp does not change on MODI) needs the trade's history and lives
with the other sequence rules in `sequence.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from shared.domain.issues import Severity
from shared.domain.model import ActionType, TradeEvent, utc
from shared.domain.rules.base import Violation, rule
from shared.domain.rules.context import ValidationContext

A = ActionType


def _z(value: datetime) -> str:
    return utc(value).isoformat().replace("+00:00", "Z")


@rule("SR-DT-010", severity=Severity.REJECT, field="execution_timestamp",
      title="The execution timestamp is not after the reporting timestamp (or now)",
      en="execution timestamp {value} is after the {when} {reported}: a trade is reported "
         "after it is executed",
      ko="체결시각 {value}이(가) {when_ko} {reported}보다 늦습니다. 거래는 체결 후에 보고됩니다",
      source="CPMI-IOSCO CDE (execution and reporting timestamps)",
      note="Without a reporting timestamp the time of validation is used.")
def executed_before_reported(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if event.execution_timestamp is None:
        return
    executed = utc(event.execution_timestamp)
    if event.reporting_timestamp is not None:
        reported, when, when_ko = utc(event.reporting_timestamp), "reporting timestamp", "보고시각"
    else:
        reported, when, when_ko = ctx.now, "current time", "현재시각"
    if executed > reported:
        yield Violation({"reported": _z(reported), "when": when, "when_ko": when_ko},
                        value=_z(executed))


@rule("SR-DT-011", severity=Severity.REJECT, field="expiration_date",
      title="The effective date is not after the expiration date",
      en="expiration date {value} is before the effective date {effective}",
      ko="만기일 {value}이(가) 효력발생일 {effective}보다 앞섭니다",
      source="CPMI-IOSCO CDE (effective and expiration dates)")
def effective_before_expiration(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if event.effective_date and event.expiration_date and (
            event.effective_date > event.expiration_date):
        yield Violation({"effective": event.effective_date.isoformat()},
                        value=event.expiration_date)


@rule("SR-DT-012", severity=Severity.REJECT, field="event_timestamp",
      title="Execution date <= event date <= expiration date",
      en="event date {value} is {problem}",
      ko="이벤트 일자 {value}이(가) {problem_ko}",
      source="DTCC GTR event date check (domain notes)",
      note="The upper bound applies to NEWT, POSC, MODI and TERM: VALU, CORR and EROR of an "
           "expired trade are legitimate.")
def event_within_life(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if event.event_timestamp is None:
        return
    day: date = utc(event.event_timestamp).date()
    if event.execution_timestamp is not None:
        executed = utc(event.execution_timestamp).date()
        if day < executed:
            yield Violation({"problem": f"before the execution date {executed.isoformat()}",
                             "problem_ko": f"체결일 {executed.isoformat()}보다 앞섭니다"},
                            value=day)
            return
    if (event.expiration_date and day > event.expiration_date
            and event.action_type in (A.NEWT, A.POSC, A.MODI, A.TERM)):
        end = event.expiration_date.isoformat()
        yield Violation({"problem": f"after the expiration date {end}",
                         "problem_ko": f"만기일 {end}보다 늦습니다"}, value=day)


@rule("SR-DT-013", severity=Severity.REJECT, field="valuation.timestamp",
      title="For VALU, the valuation date is the event date",
      en="valuation date {value} differs from the event date {event_date}: a VALU reports "
         "the valuation of its own day",
      ko="평가일 {value}이(가) 이벤트 일자 {event_date}와(과) 다릅니다. VALU는 해당 일자의 "
         "평가를 보고합니다",
      actions=(A.VALU,),
      source="EMIR Refit: valuation date mismatch is a top rejection (domain notes)")
def valuation_on_event_date(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if event.valuation is None or event.event_timestamp is None:
        return
    valued = utc(event.valuation.timestamp).date()
    event_date = utc(event.event_timestamp).date()
    if valued != event_date:
        yield Violation({"event_date": event_date.isoformat()}, value=valued)
