"""The date-sensitive tests (marker `date_sensitive`) pass at instants that have bitten reporting
systems, not only on the day CI happens to run: each instant is a pytest session of its own with
the code's clock pinned there and the test database's clock moved with it
(tests/support/session_clock.py), under a machine time zone of its own.

Each instant is checked to be what its name says against the project's own calendars, so a
change of holiday data cannot quietly turn "a Korean public holiday" into an ordinary Monday.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.domain.calendars import KST, add_business_days, is_business_day
from tests.support import session_clock

ROOT = Path(__file__).resolve().parents[1]
NEW_YORK = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class Instant:
    name: str
    at: datetime
    machine_tz: str  # the TZ the test process runs under: none of it may matter


def _last_krx_business_day(year: int) -> date:
    day = date(year, 12, 31)
    while not is_business_day("krx", day):
        day -= timedelta(days=1)
    return day


INSTANTS = [
    # Saturday morning in Seoul: T+1 runs to Monday (or later), nothing is due today.
    Instant("kr-weekend", datetime(2027, 1, 9, 1, 0, tzinfo=UTC), "Asia/Seoul"),
    # The Monday of Seollal 2027, a weekday the KRX calendar closes.
    Instant("kr-public-holiday", datetime(2027, 2, 8, 1, 0, tzinfo=UTC), "UTC"),
    # 23:30 in Seoul on the year's last KRX business day: the next one is in January.
    Instant("last-business-day-of-year",
            datetime.combine(_last_krx_business_day(2026), datetime.min.time(), KST)
            .replace(hour=23, minute=30).astimezone(UTC), "Australia/Sydney"),
    # 01:30 in New York, half an hour before the clocks jump to 03:00 (DST starts).
    Instant("us-dst-change", datetime(2027, 3, 14, 6, 30, tzinfo=UTC), "America/New_York"),
]


def test_the_instants_are_what_their_names_say():
    weekend, holiday, year_end, dst = (i.at for i in INSTANTS)
    assert weekend.astimezone(KST).weekday() == 5
    holiday_day = holiday.astimezone(KST).date()
    assert holiday_day.weekday() < 5 and not is_business_day("krx", holiday_day)
    year_end_day = year_end.astimezone(KST).date()
    assert is_business_day("krx", year_end_day)
    assert add_business_days("krx", year_end_day, 1).year == year_end_day.year + 1
    before, after = dst.astimezone(NEW_YORK), (dst + timedelta(hours=1)).astimezone(NEW_YORK)
    assert (before.utcoffset(), after.utcoffset()) == (timedelta(hours=-5), timedelta(hours=-4))


@pytest.fixture(scope="module")
def faketime_available() -> None:
    if session_clock.libfaketime() is None:
        message = "libfaketime is needed to move the test database's clock (Debian: faketime)"
        if os.environ.get("SWAPREP_REQUIRE_FAKETIME"):
            pytest.fail(message + "; ./dev test installs it")
        pytest.skip(message)


def _marked_files() -> list[str]:
    """The test files that mention the marker: collecting only these keeps each instant's
    session to seconds (collecting the whole suite took ~30 s of each run's ~55 s). A file
    can only carry the marker by naming it, so none is missed."""
    marker = "date_sensitive"
    return sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("test_*.py")
                  if path.name != Path(__file__).name and marker in path.read_text("utf-8"))


@pytest.fixture(scope="module")
def matrix_runs(faketime_available, tmp_path_factory) -> dict[str, subprocess.Popen]:
    """Every instant's session started at once: they share nothing (each starts its own
    database under its own clock) and mostly wait on I/O, so together they take about as long
    as the slowest one rather than the sum."""
    files = _marked_files()
    assert files, "no test file carries the date_sensitive marker"
    runs: dict[str, subprocess.Popen] = {}
    for instant in INSTANTS:
        env = {**os.environ, session_clock.NOW_VARIABLE: instant.at.isoformat(),
               "TZ": instant.machine_tz}
        report = tmp_path_factory.mktemp(instant.name) / "junit.xml"
        runs[instant.name] = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-m", "date_sensitive", "-q", "-p",
             "no:cacheprovider", "--no-header", f"--junitxml={report}", *files],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield runs
    for run in runs.values():
        if run.poll() is None:
            run.kill()
            run.wait()


@pytest.mark.parametrize("instant", INSTANTS, ids=[i.name for i in INSTANTS])
def test_the_date_sensitive_tests_pass_at(instant: Instant, matrix_runs):
    run = matrix_runs[instant.name]
    stdout, _ = run.communicate(timeout=900)
    tail = "\n".join(stdout.splitlines()[-40:])
    assert run.returncode == 0, f"at {instant.at.isoformat()} ({instant.name}):\n{tail}"
    assert " passed" in tail and "skipped" not in tail and " failed" not in tail, tail
