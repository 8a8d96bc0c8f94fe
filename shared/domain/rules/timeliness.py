"""Timeliness: was (or would be) the report sent by its regime's deadline?

A late report must still be sent, so a breach is a warning, never a reject: rejecting it would
hold back the very report that is overdue. The breach is what compliance must see and explain.

The deadline is the context's `deadline` when given; otherwise it is computed from the regime's
business-day calendar by `shared.domain.calendars.reporting_deadline` (imported on first use,
so this module loads without it), from the timestamp the regime counts from:
- NEWT and POSC: the execution timestamp (CFTC 45.3, EMIR Art. 9(1), KRX T+1);
- VALU: the valuation timestamp; MARU: the collateral timestamp (end-of-day reports);
- other lifecycle events: the event timestamp, else the execution timestamp (CFTC 45.4).
Not yet reported: judged against the context's `now`, i.e. "late if it were sent now".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache

from shared.domain.issues import Severity
from shared.domain.model import ActionType, Nature, TradeEvent, utc
from shared.domain.rules.base import Violation, rule
from shared.domain.rules.context import DeadlineFunction, ValidationContext

A = ActionType


def _z(value: datetime) -> str:
    if value.tzinfo is not UTC:
        return utc(value).isoformat().replace("+00:00", "Z")
    return _z_utc(value)


# The text of UTC instants, remembered: a late report names its deadline (a few per file) and
# the clock of the validation run (one per run). A pure function of the instant: UTC
# datetimes are equal only when their instants are.
@lru_cache(maxsize=1024)
def _z_utc(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def reference_timestamp(event: TradeEvent) -> datetime | None:
    """The instant the reporting deadline counts from, for this action type."""
    if event.action_type in (A.NEWT, A.POSC):
        return event.execution_timestamp
    if event.action_type is A.VALU and event.valuation is not None:
        return event.valuation.timestamp
    if event.action_type is A.MARU and event.collateral is not None:
        return event.collateral.timestamp
    return event.event_timestamp or event.execution_timestamp


def _calendar() -> DeadlineFunction | None:
    if _CALENDAR:
        return _CALENDAR[0]
    try:
        from shared.domain.calendars import reporting_deadline
    except ImportError:  # calendars not installed in this action's zip
        return None
    _CALENDAR.append(reporting_deadline)  # found once: not an import statement per event
    return reporting_deadline


_CALENDAR: list[DeadlineFunction] = []


def counterparty_kind(event: TradeEvent, ctx: ValidationContext) -> str | None:
    if ctx.counterparty_kind:
        return ctx.counterparty_kind
    one = event.counterparty_1
    return "CCP" if one is not None and one.nature is Nature.CCP else None


def deadline_for(event: TradeEvent, ctx: ValidationContext) -> datetime | None:
    """When `event` is due under `ctx.regime`, or None when that cannot be told."""
    if ctx.deadline is not None:
        return ctx.deadline
    reference = reference_timestamp(event)
    if ctx.regime is None or reference is None:
        return None
    compute = ctx.deadline_fn or _calendar()
    if compute is None:
        return None
    try:
        return utc(compute(ctx.regime, utc(reference),
                           counterparty_kind=counterparty_kind(event, ctx)))
    except ValueError:  # a regime without a calendar: nothing to judge
        return None


@rule("SR-TM-030", severity=Severity.WARN, field="reporting_timestamp",
      title="Reported by the regime's deadline (late: warning, the report still goes out)",
      en="{state} {value}, after the deadline {deadline}: the report is late and must still be "
         "sent; record why for compliance",
      ko="{state_ko} {value}은(는) 보고기한 {deadline}을(를) 지났습니다. 지연 "
         "보고이더라도 반드시 보고해야 하며, 지연 사유를 컴플라이언스용으로 기록하십시오",
      per_regime=True,
      source="KRX: FSC Notice 2019-4 (T+1); CFTC 17 CFR 45.3-45.4 (T+1 SD/MSP/DCO, T+2 "
             "others); EMIR Art. 9(1) (T+1)",
      note="Deadline from the regime's business-day calendar; without a reporting "
           "timestamp the time of validation is used.")
def reported_in_time(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    deadline = deadline_for(event, ctx)
    if deadline is None:
        return
    if event.reporting_timestamp is not None:
        reported, state, state_ko = utc(event.reporting_timestamp), "reported at", "보고시각"
    else:
        reported, state, state_ko = ctx.now, "not yet reported at", "미보고 상태의 현재시각"
    if reported >= deadline:  # due *before* the deadline instant (see calendars)
        yield Violation({"state": state, "state_ko": state_ko, "deadline": _z(deadline)},
                        value=_z(reported))
