"""The correction clock on each regime's business days, and when verification is due."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.domain.corrections import correction_clock, verification_due

NY_MORNING = 15  # 10:00 in New York in winter, as UTC hours


def at(day: str, hour: int = NY_MORNING) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def test_cftc_gives_seven_business_days_and_goes_at_risk_two_before_the_end():
    found = at("2026-12-04")  # a Friday
    clock = correction_clock("cftc-part45", found, at("2026-12-10"))
    assert clock.due == datetime(2026, 12, 16, 5, 0, tzinfo=UTC)  # end of Tue 15 Dec, NY
    assert (clock.business_days, clock.prescribed, clock.state) == (7, True, "on_track")
    assert correction_clock("cftc-part45", found, at("2026-12-11")).state == "at_risk"
    assert correction_clock("cftc-part45", found, at("2026-12-15", 23)).state == "at_risk"
    late = correction_clock("cftc-part45", found, datetime(2026, 12, 16, 5, 0, tzinfo=UTC))
    assert (late.state, late.business_days_left) == ("late", 0)


def test_holidays_do_not_count():
    found = at("2026-12-22")  # Christmas and New Year's Day fall on Fridays
    assert correction_clock("cftc-part45", found, at("2026-12-29")).state == "on_track"
    risk = correction_clock("cftc-part45", found, at("2026-12-30"))
    assert (risk.state, risk.business_days_left) == ("at_risk", 2)
    assert risk.due == datetime(2027, 1, 5, 5, 0, tzinfo=UTC)  # end of Mon 4 Jan, NY


def test_where_the_regime_sets_no_period_the_tenants_target_runs_on_its_calendar():
    found = datetime(2026, 12, 23, 9, 0, tzinfo=UTC)
    clock = correction_clock("emir", found, found, target_days=5)
    assert clock.prescribed is False and clock.business_days == 5
    assert clock.due == datetime(2027, 1, 1, 0, 0, tzinfo=UTC)  # TARGET closes 25 Dec
    krx = correction_clock("krx", datetime(2026, 12, 31, 1, tzinfo=UTC), found, target_days=1)
    assert krx.due == datetime(2027, 1, 4, 15, 0, tzinfo=UTC)  # end of Mon 4 Jan in Seoul


def test_timestamps_must_say_their_zone():
    with pytest.raises(ValueError):
        correction_clock("emir", datetime(2026, 12, 1), at("2026-12-02"))


@pytest.mark.parametrize(("regime", "status", "last", "due"), [
    ("cftc-part45", "SD", date(2026, 11, 1), date(2026, 12, 1)),
    ("cftc-part45", "sd", None, date(2026, 12, 7)),  # never done: due now
    ("cftc-part45", "FE", date(2026, 11, 1), date(2027, 1, 31)),
    ("emir", "FC", date(2026, 11, 1), None),  # no periodic verification prescribed
])
def test_verification_is_due_by_status(regime, status, last, due):
    assert verification_due(regime, status, last, date(2026, 12, 7)) == due
