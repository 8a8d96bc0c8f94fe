"""The one clock the code reads "now" from.

Deadlines, lateness, valuation age, "today" on the dashboard and upload keys all turn on the
current instant, so every read of it goes through `now()` here: the system clock in production,
a pinned instant in a test (`pinned`), never a machine's local time zone (always aware UTC).
The domain never calls it: services read it once and hand the instant to pure rules.

Durations (leases, timeouts, back-offs) are measured with the database's clock or
`time.monotonic()`, which no pin moves: a pinned test still times out in real seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class PinnedClock:
    """Starts at a chosen instant and, with `ticking`, moves on in real time from there (so
    "sent 2 s after received" still holds); without it, stands still until `advance`."""

    def __init__(self, at: datetime, *, ticking: bool = True) -> None:
        if at.tzinfo is None:
            raise ValueError("a pinned instant needs a time zone (naive times are ambiguous)")
        self._at = at.astimezone(UTC)
        self._ticking = ticking
        self._since = time.monotonic()

    def now(self) -> datetime:
        if not self._ticking:
            return self._at
        return self._at + timedelta(seconds=time.monotonic() - self._since)

    def advance(self, by: timedelta) -> None:
        self._at += by


_current: Clock = SystemClock()


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return _current.now()


def today(zone: tzinfo) -> date:
    """The calendar day it is now in `zone` (the reporting firm's day, not the machine's)."""
    return _current.now().astimezone(zone).date()


@contextmanager
def pinned(at: datetime, *, ticking: bool = True) -> Iterator[PinnedClock]:
    """Pin the clock for the code run inside (tests); the previous clock comes back after."""
    global _current
    previous, clock = _current, PinnedClock(at, ticking=ticking)
    _current = clock
    try:
        yield clock
    finally:
        _current = previous
