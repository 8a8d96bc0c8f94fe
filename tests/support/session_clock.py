"""A whole test session at a chosen instant (tests/test_clock_matrix.py runs the date-sensitive
tests so). `SWAPREP_TEST_NOW=2026-12-31T14:30:00Z` pins the code's clock for the session,
ticking on from that instant, and runs the test PostgreSQL under libfaketime at the same offset,
so `now()` in SQL and `clock.now()` in Python name the same instant.

Only the database server is run under libfaketime: Python 3.13 waits on CLOCK_MONOTONIC with
absolute deadlines (sem_clockwait, clock_nanosleep) that libfaketime 0.9.10 gets wrong, so a
faked Python process hangs or fails its sleeps; the pinned clock stands in for it.
"""

from __future__ import annotations

import glob
import os
from datetime import UTC, datetime

from shared.platform import clock

NOW_VARIABLE = "SWAPREP_TEST_NOW"
LIBFAKETIME_GLOBS = ("/usr/lib/*/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1",
                     "/usr/local/lib/faketime/libfaketime.so.1")

_offset_s: int | None = None
_pin = None


def requested_instant() -> datetime | None:
    text = os.environ.get(NOW_VARIABLE)
    if not text:
        return None
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError(f"{NOW_VARIABLE}={text}: give a UTC offset (e.g. Z)")
    return instant.astimezone(UTC)


def libfaketime() -> str | None:
    for pattern in LIBFAKETIME_GLOBS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    return None


def start() -> datetime | None:
    """Pin the session's clock when an instant is requested; returns it."""
    global _offset_s, _pin
    instant = requested_instant()
    if instant is None:
        return None
    _offset_s = round((instant - datetime.now(UTC)).total_seconds())
    _pin = clock.pinned(instant)
    _pin.__enter__()
    return instant


def stop() -> None:
    global _pin
    if _pin is not None:
        _pin.__exit__(None, None, None)
        _pin = None


def postgres_env() -> dict[str, str]:
    """The environment that moves the test database's clock with the session's pin."""
    if _offset_s is None:
        return {}
    library = libfaketime()
    if library is None:
        raise RuntimeError(f"{NOW_VARIABLE} is set but libfaketime is not installed "
                           "(Debian package faketime; ./dev test installs it)")
    return {"LD_PRELOAD": library, "FAKETIME": f"{_offset_s:+d}",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
