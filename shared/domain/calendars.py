"""Reporting deadlines on real business-day calendars (pure: no I/O, no clock).

`reporting_deadline(regime, execution_timestamp)` returns the instant (aware, UTC) by which a
report is due. The instant is the *end* of the deadline day in the regime's time zone, i.e.
midnight starting the following day: a report is on time when `reporting_timestamp <` the
deadline (the 1 µs difference from `<=` is immaterial, and it keeps the value readable:
2026-11-23T15:00:00Z rather than ...14:59:59.999999Z).

The day counting follows the rule texts: the execution day itself never counts, and the
deadline falls on the N-th business day *after* the execution date, whether or not that date
was a business day (a trade done on a Saturday is due at the end of Monday, T+1).

Which calendar, zone and day count a regime uses is part of the regime, in
`shared.domain.regimes` (`Regime.deadline`, and `CALENDAR_ONLY` for UK EMIR); this module owns
the holiday sets and the counting.

- KRX: KR public holidays (substitute and election days included) and weekends; trade date
  in Asia/Seoul (UTC+9); due T+1, a CCP T+0.
- CFTC: US federal holidays (observed days included) and weekends; trade date in
  America/New_York; due T+1 for SD/MSP/DCO/SEF/DCM, T+2 for others.
- EMIR: TARGET closing days (the ECB calendar) and weekends; trade date in UTC; due T+1.
- UKEMIR: England and Wales bank holidays and weekends; trade date in Europe/London; due T+1.
- JFSA, MAS, HKMA, ASIC: Japanese, Singapore, Hong Kong and New South Wales public holidays
  and weekends, trade date in Tokyo, Singapore, Hong Kong and Sydney; the day counts are in
  `shared.domain.regimes` with their sources (docs/RULES.md).
- CFTC43 (Part 43): "as soon as technologically practicable"; the calendar can only hold the
  outer bound, the end of the New York execution day (T+0).

Why these calendars:
- KRX: FSC Notice 2019-4 says "next business day after trade date"; the TR's exact cut-off
  time is not published, so the deadline is the end of that Korean day (24:00 KST). Give the
  KRX entry of `shared.domain.regimes` a `cutoff` (e.g. `time(18, 0)`) once the TR publishes
  one. `holidays` KR is the statutory public-holiday calendar; the KRX market calendar (XKRX)
  also closes on 31 December, which would only move the deadline later, so the public calendar
  is the safe (earlier) choice.
- CFTC: 17 CFR 45.1 as amended in 2020 (85 FR 75503) defines a business day by Saturdays,
  Sundays and *Federal* holidays, and the execution date by reference to eastern time. So the
  federal calendar (`holidays` US, public category), not the NYSE one: NYSE closes on Good
  Friday (a federal working day) and opens on Columbus and Veterans Day (federal holidays).
  Federal "observed" days (a Saturday holiday observed on Friday) count as holidays, as they do
  for federal offices (5 U.S.C. 6103(b)).
- EMIR: Art. 9(1) "working day following"; TARGET (the ECB calendar) is the EU-wide working
  day convention. EMIR Refit timestamps are UTC, so the trade date is the UTC date.

`counterparty_kind` (CFTC): SD, MSP, DCO (reporting counterparty) or SEF, DCM (the venue
reports) -> T+1; any other value -> T+2; None (unknown) -> T+1, the stricter deadline, so that
an at-risk alert comes early rather than late. KRX: CCP -> same day (T+0).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache

import holidays

from shared.domain.regimes import (
    CFTC_T1_KINDS,
    KST,
    RegimeCalendar,
    deadline_rule,
    deadline_rules,
)

__all__ = [
    "CFTC_T1_KINDS",
    "KST",
    "REGIMES",
    "RegimeCalendar",
    "add_business_days",
    "business_calendar",
    "is_business_day",
    "regime_key",
    "reporting_deadline",
]

# The rules live with the regimes (shared.domain.regimes); this is the calendars' view of them.
REGIMES = deadline_rules()


def regime_key(regime: str) -> str:
    """The calendars' key (KRX, CFTC, EMIR, UKEMIR, JFSA, ...) for any accepted spelling.

    ValueError (UnknownRegime) for a spelling no regime uses.
    """
    return deadline_rule(regime).name


@cache
def business_calendar(name: str) -> holidays.HolidayBase:
    """The holiday set behind a calendar name; years are filled in lazily as dates are asked."""
    if name == "KR":
        return holidays.country_holidays("KR")
    if name == "US":
        return holidays.country_holidays("US")  # no subdivision: federal holidays only
    if name == "TARGET":
        return holidays.financial_holidays("XECB")
    if name == "GB":
        return holidays.country_holidays("GB", subdiv="ENG")
    if name == "AU":
        # ASIC's rules count business days in Sydney (New South Wales public holidays)
        return holidays.country_holidays("AU", subdiv="NSW")
    if name in ("JP", "SG", "HK"):
        return holidays.country_holidays(name)
    raise ValueError(f"unknown calendar {name!r}")


def _is_open(day: date, calendar: holidays.HolidayBase) -> bool:
    return day.weekday() < 5 and day not in calendar


def is_business_day(regime: str, day: date) -> bool:
    return _is_open(day, business_calendar(deadline_rule(regime).calendar))


def add_business_days(regime: str, day: date, n: int) -> date:
    """The n-th business day after `day` (n >= 0; n = 0 returns `day` itself)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    calendar = business_calendar(deadline_rule(regime).calendar)
    current = day
    for _ in range(n):
        current += timedelta(days=1)
        while not _is_open(current, calendar):
            current += timedelta(days=1)
    return current


def trade_date(regime: str, execution_timestamp: datetime) -> date:
    """The execution date in the regime's time zone (a naive timestamp is taken as UTC)."""
    spec = deadline_rule(regime)
    return _aware(execution_timestamp).astimezone(spec.zone).date()


def reporting_deadline(regime: str, execution_timestamp: datetime, *,
                       counterparty_kind: str | None = None) -> datetime:
    """When a report of a trade executed at `execution_timestamp` is due, as aware UTC.

    Due means: before this instant. See the module docstring for calendars and kinds.
    """
    spec = deadline_rule(regime)
    executed_on = _aware(execution_timestamp).astimezone(spec.zone).date()
    return _deadline_of_day(spec.name, executed_on, spec.days_for(counterparty_kind))


# Memoised: validation asks for every event's deadline, and a file's events share a handful of
# trade dates. A pure function of three immutable values (the calendars are fixed sets).
@lru_cache(maxsize=4096)
def _deadline_of_day(rule_name: str, executed_on: date, days: int) -> datetime:
    """The deadline of a trade executed on the local date `executed_on`, due in `days`."""
    spec = deadline_rule(rule_name)
    due_day = add_business_days(spec.name, executed_on, days)
    if spec.cutoff is None:
        local = datetime.combine(due_day + timedelta(days=1), time(0), spec.zone)
    else:
        local = datetime.combine(due_day, spec.cutoff, spec.zone)
    return local.astimezone(UTC)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
