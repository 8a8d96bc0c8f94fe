"""The benches generate for the day they run: the generator's intent must hold on any day,
weekends and Korean holidays included, as the TR simulator judges valuation age (at most 14
days, swaprep/trsim/checks.py) by the same running clock. Pure: the generator only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from swaprep.local import demo
from swaprep.trsim.checks import STALE_VALUATION

DAYS = (
    demo.DEFAULT_DAY,
    date(2026, 12, 5),  # a Saturday
    date(2026, 12, 7),  # a Monday
    date(2027, 1, 1),  # New Year's Day
    date(2027, 2, 9),  # Seollal
    date(2025, 10, 15),  # after Chuseok: the five business days before reach back 14 days
    date(2028, 10, 11),  # the same in 2028
)


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_valuations_are_as_fresh_or_stale_at_the_tr_as_intended(day):
    """Seen by the TR any time from the start of the upload day (KST) to the end of the next
    one, a clean valuation is never stale and a stale one always is."""
    start = datetime.combine(day, time(0), demo.KST)
    latest = start + timedelta(days=2) - timedelta(seconds=1)
    records = demo.demo_fep_records(4000, seed=20261122, day=day)
    valued = [(r.intent, datetime.fromisoformat(r.row["valuation_timestamp"]))
              for r in records if r.row["valuation_timestamp"]
              and r.intent.outcome in ("ack", "nack")]
    stale_too_soon = [(i.mistake, v) for i, v in valued if i.tr_code != "TR-VA-001"
                      and latest - v > STALE_VALUATION]
    fresh_meant_stale = [v for i, v in valued if i.tr_code == "TR-VA-001"
                         and start - v <= STALE_VALUATION]
    assert stale_too_soon == [] and fresh_meant_stale == []
    assert sum(i.outcome == "ack" for i, _ in valued) > 100  # valuations there are
    assert any(i.tr_code == "TR-VA-001" for i, _ in valued)


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_nothing_is_stamped_on_or_after_the_upload_day(day):
    """A file made for today holds nothing from the future at any hour of today (KST)."""
    start = datetime.combine(day, time(0), demo.KST)
    for record in demo.demo_fep_records(2000, seed=20261122, day=day, broken_rows=True):
        for column in ("execution_timestamp", "event_timestamp", "valuation_timestamp"):
            if record.row[column]:
                assert datetime.fromisoformat(record.row[column]) < start, (column, record)
