"""Reporting deadlines on the Korean, US federal and TARGET calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from shared.domain.calendars import (
    add_business_days,
    is_business_day,
    regime_key,
    reporting_deadline,
    trade_date,
)

KST = timezone(timedelta(hours=9))


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=KST)


def z(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ------------------------------------------------------------------ KRX: T+1 Korean day, KST


@pytest.mark.parametrize("executed, due", [
    # an ordinary Tuesday -> end of Wednesday in Seoul (24:00 KST = 15:00 UTC)
    (kst(2026, 11, 17, 10, 0), z(2026, 11, 18, 15)),
    # Friday -> Monday (weekend)
    (kst(2026, 11, 20, 10, 0), z(2026, 11, 23, 15)),
    # Chuseok 2026: 24-26 Sep (Thu-Sat), then Sunday -> Monday 28 Sep
    (kst(2026, 9, 23, 12, 0), z(2026, 9, 28, 15)),
    # Seollal 2026: 16-18 Feb (Mon-Wed); a Friday trade is due Thursday 19 Feb
    (kst(2026, 2, 13, 16, 0), z(2026, 2, 19, 15)),
    # National Foundation Day on Saturday 3 Oct 2026 -> substitute holiday Monday 5 Oct
    (kst(2026, 10, 2, 9, 0), z(2026, 10, 6, 15)),
    # local election day Wednesday 3 Jun 2026
    (kst(2026, 6, 2, 9, 0), z(2026, 6, 4, 15)),
    # New Year: 31 Dec 2026 (Thu) -> 1 Jan holiday -> Monday 4 Jan 2027
    (kst(2026, 12, 31, 9, 0), z(2027, 1, 4, 15)),
])
def test_krx_next_korean_business_day(executed, due):
    assert reporting_deadline("KRX", executed) == due


def test_krx_trade_date_is_the_korean_date():
    # Friday 16:00 UTC is Saturday 01:00 in Seoul: the trade date is Saturday -> due Monday
    executed = z(2026, 11, 20, 16, 0)
    assert trade_date("krx", executed) == date(2026, 11, 21)
    assert reporting_deadline("krx", executed) == z(2026, 11, 23, 15)


def test_krx_ccp_reports_the_same_day():
    assert reporting_deadline("KRX", kst(2026, 11, 20, 10), counterparty_kind="CCP") == z(
        2026, 11, 20, 15)


# ------------------------------------------------------------------ CFTC: US federal, eastern


@pytest.mark.parametrize("executed, kind, due", [
    # Independence Day 2026 is a Saturday, observed Friday 3 Jul: Thursday's trade due Monday
    (z(2026, 7, 2, 18), "SD", z(2026, 7, 7, 4)),  # end of Monday, EDT (UTC-4)
    (z(2026, 7, 2, 18), "other", z(2026, 7, 8, 4)),  # T+2 for a non-SD/MSP/DCO counterparty
    (z(2026, 7, 2, 18), None, z(2026, 7, 7, 4)),  # unknown kind: the stricter T+1
    (z(2026, 7, 2, 18), "sef", z(2026, 7, 7, 4)),
    # Thanksgiving Thursday 26 Nov 2026 -> Friday, end of day EST (UTC-5)
    (z(2026, 11, 25, 15), "SD", z(2026, 11, 28, 5)),
    # Good Friday is a federal business day (NYSE is closed, the CFTC calendar is not)
    (z(2026, 4, 2, 15), "MSP", z(2026, 4, 4, 4)),
    # Columbus Day is a federal holiday (NYSE is open)
    (z(2026, 10, 9, 15), "DCO", z(2026, 10, 14, 4)),
    # Friday -> Monday; T+2 -> Tuesday
    (z(2026, 11, 20, 15), "SD", z(2026, 11, 24, 5)),
    (z(2026, 11, 20, 15), "NON-SD", z(2026, 11, 25, 5)),
])
def test_cftc_us_federal_business_days(executed, kind, due):
    assert reporting_deadline("CFTC", executed, counterparty_kind=kind) == due


def test_cftc_execution_date_is_taken_in_eastern_time():
    # 03:00 UTC Saturday is 22:00 Friday in New York: Friday's trade, due Monday
    executed = z(2026, 11, 21, 3)
    assert trade_date("cftc-part45", executed) == date(2026, 11, 20)
    assert reporting_deadline("cftc-part45", executed, counterparty_kind="SD") == z(
        2026, 11, 24, 5)


# ------------------------------------------------------------------ EMIR: TARGET, UTC


@pytest.mark.parametrize("executed, due", [
    (z(2026, 11, 20, 10), z(2026, 11, 24)),  # Friday -> end of Monday
    (z(2026, 4, 2, 10), z(2026, 4, 8)),  # Good Friday and Easter Monday closed -> Tuesday
    (z(2026, 4, 30, 10), z(2026, 5, 5)),  # Labour Day (Fri 1 May) closed -> Monday
    (z(2026, 12, 24, 10), z(2026, 12, 29)),  # Christmas (Fri) closed -> Monday 28
    (z(2026, 12, 31, 10), z(2027, 1, 5)),  # New Year's Day (Fri) closed -> Monday 4 Jan
    (datetime(2026, 11, 17, 23, 30), z(2026, 11, 19)),  # naive: UTC
])
def test_emir_target_working_days(executed, due):
    assert reporting_deadline("EMIR", executed) == due


def test_uk_emir_uses_english_bank_holidays():
    # Late Summer Bank Holiday Monday 31 Aug 2026: Friday's trade due Tuesday, BST end of day
    assert reporting_deadline("UKEMIR", z(2026, 8, 28, 10)) == z(2026, 9, 1, 23)


# ------------------------------------------------------------------ helpers


def test_regime_spellings():
    assert {regime_key(r) for r in ("krx", "KRX", "cftc-part45", "CFTC", "emir", "uk_emir")} == {
        "KRX", "CFTC", "EMIR", "UKEMIR"}
    with pytest.raises(ValueError, match="unknown regime"):
        reporting_deadline("CSA", z(2026, 1, 5))  # Canada: no regime of ours


def test_business_day_helpers():
    assert not is_business_day("KRX", date(2026, 9, 25))  # Chuseok
    assert is_business_day("EMIR", date(2026, 9, 25))
    assert not is_business_day("CFTC", date(2026, 11, 26))  # Thanksgiving
    assert not is_business_day("EMIR", date(2026, 11, 21))  # Saturday
    assert add_business_days("CFTC", date(2026, 11, 20), 0) == date(2026, 11, 20)
    # §45.14: seven business days after discovery, across Thanksgiving
    assert add_business_days("CFTC", date(2026, 11, 20), 7) == date(2026, 12, 2)
    with pytest.raises(ValueError):
        add_business_days("CFTC", date(2026, 11, 20), -1)
