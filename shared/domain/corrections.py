"""The correction clock and the verification schedule (issue 17).

An error found in reported data (a NACK, a break against the TR's view, a verification
finding) must be corrected within the regime's period (`Regime.correction`), counted in
business days on the regime's calendar from the day it was found, ending at the end of that
business day in the regime's zone, as reporting deadlines do. Where the rule says "as soon as
possible", the tenant's target (`target_days`) stands in. The clock is *at risk* once no more
than `at_risk_days` business days are left, and *late* after the end of the last one, when
the regime wants the regulator told (CFTC: within 12 hours of finding the period cannot be
met).

Periodic verification of what the TR holds is due `verify_every_days` after the last one
(CFTC §45.14(a)(3): every 30 days for swap dealers, quarterly for the rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from shared.domain.calendars import add_business_days, is_business_day
from shared.domain.regimes import deadline_rule, regime

DEFAULT_TARGET_DAYS = 5  # a tenant's own period where the regime sets none
DEFAULT_AT_RISK_DAYS = 2


@dataclass(frozen=True)
class CorrectionClock:
    regime: str
    discovered_at: datetime
    due: datetime  # the end of the last business day (aware UTC)
    business_days: int  # the period counted
    prescribed: bool  # False: the tenant's target, the regime sets no period
    state: str  # on_track | at_risk | late
    business_days_left: int  # whole business days after today's, to the due day; 0 on it

    def as_dict(self) -> dict[str, object]:
        return {"regime": self.regime, "discovered_at": self.discovered_at.isoformat(),
                "due": self.due.isoformat(), "business_days": self.business_days,
                "prescribed": self.prescribed, "state": self.state,
                "business_days_left": self.business_days_left}


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value


def correction_clock(regime_key: str, discovered_at: datetime, now: datetime, *,
                     target_days: int = DEFAULT_TARGET_DAYS,
                     at_risk_days: int = DEFAULT_AT_RISK_DAYS) -> CorrectionClock:
    """Where the correction of an error found at `discovered_at` stands at `now`."""
    spec = regime(regime_key)
    rule = deadline_rule(regime_key)
    zone = rule.zone
    prescribed = spec.correction.business_days is not None
    days = spec.correction.business_days if prescribed else target_days
    assert days is not None
    found_on = _aware(discovered_at).astimezone(zone).date()
    due_day = add_business_days(regime_key, found_on, days)
    due = datetime.combine(due_day + timedelta(days=1), time(0), zone).astimezone(UTC)
    today = _aware(now).astimezone(zone).date()
    left = _business_days_between(regime_key, today, due_day)
    if now >= due:
        state = "late"
    elif left <= at_risk_days:
        state = "at_risk"
    else:
        state = "on_track"
    return CorrectionClock(spec.key, discovered_at, due, days, prescribed, state, left)


def _business_days_between(regime_key: str, start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 when `end` <= `start`)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(regime_key, day):
            count += 1
    return count


def verification_due(regime_key: str, status: str | None, last_done: date | None,
                     today: date) -> date | None:
    """When the next verification of the TR's open trades is due (today when never done);
    None where the regime prescribes none."""
    every = regime(regime_key).correction.verify_every_days
    if not every:
        return None
    days = every.get((status or "").upper(), every.get("*"))
    if days is None:
        return None
    return today if last_done is None else last_done + timedelta(days=days)
