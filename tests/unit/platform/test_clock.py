"""The one clock: every read of "now" in shipped code goes through it, and a pin holds."""

from __future__ import annotations

import ast
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.platform import clock

# Judged against the clock: also run at fixed instants (tests/test_clock_matrix.py).
pytestmark = pytest.mark.date_sensitive

SHARED = Path(__file__).resolve().parents[3] / "shared"
WALL_CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"),
                    ("datetime", "today")}


def _wall_clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) \
                and (node.func.value.id, node.func.attr) in WALL_CLOCK_READS:
            found.append(f"{path.relative_to(SHARED.parent)}:{node.lineno}")
    return found


def test_shipped_code_reads_the_date_only_through_the_clock():
    """A stray datetime.now() is a test that passes today and fails next month."""
    reads = [r for p in sorted(SHARED.rglob("*.py")) if p.name != "clock.py"
             for r in _wall_clock_reads(p)]
    assert reads == []


def test_pinned_clock_gives_the_instant_and_ticks_on_from_it():
    at = datetime(2026, 12, 31, 14, 59, 59, tzinfo=UTC)
    before = clock.now()
    with clock.pinned(at) as pinned:
        first = clock.now()
        time.sleep(0.01)
        second = clock.now()
        assert at <= first < second < at + timedelta(seconds=5)
        pinned.advance(timedelta(days=1))
        assert clock.now() >= at + timedelta(days=1)
    assert timedelta(0) <= clock.now() - before < timedelta(seconds=5)  # the pin is gone


def test_a_standing_pin_does_not_move():
    at = datetime(2027, 3, 14, 6, 30, tzinfo=timezone(timedelta(hours=-4)))
    with clock.pinned(at, ticking=False):
        time.sleep(0.01)
        assert clock.now() == at and clock.now().tzinfo is UTC


def test_today_is_the_firms_day_not_the_machines():
    """23:30 UTC on 31 December is already 1 January in Seoul."""
    with clock.pinned(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), ticking=False):
        assert clock.today(ZoneInfo("Asia/Seoul")).isoformat() == "2027-01-01"
        assert clock.today(ZoneInfo("America/New_York")).isoformat() == "2026-12-31"


def test_a_naive_pin_is_refused():
    with pytest.raises(ValueError, match="time zone"), clock.pinned(datetime(2026, 12, 6)):
        pass
