"""Statistics over a period of local days: volumes by day / week / month (asset class,
action type, regime), acceptance rate, top rejection codes, late reports, counterparties.

Volumes read the hourly rollup `trade_event_rollup` plus its not yet compacted deltas
(migration 0008, appended by triggers in the events' own transactions; rollup.py), so a month
costs some thousands of rows whatever the event count.
The reporting zone (Asia/Seoul, the default) reads daily counters; another zone with a
whole-hour offset sums hours; any other zone counts the events themselves (correct, slower).
The statements are the adapter's (`shared.adapters.db.reads.stats`)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from shared.adapters.db.reads import stats as db
from shared.services.reads.filters import StatsQuery
from shared.services.reads.values import jsonable
from shared.services.reads.volumes import fold


def period(query: StatsQuery) -> tuple[datetime, datetime]:
    """[start, end) instants of the local days date_from .. date_to (inclusive)."""
    zone = ZoneInfo(query.tz)
    start = datetime.combine(query.date_from, time(), zone)
    end = datetime.combine(query.date_to + timedelta(days=1), time(), zone)
    return start, end


ROLLUP_ZONE = "Asia/Seoul"  # the zone of trade_event_rollup_daily (app.rollup_zone())


def _whole_hours(query: StatsQuery) -> bool:
    start, end = period(query)
    offsets = (t.utcoffset() for t in (start, end))
    return all(o is not None and o.total_seconds() % 3600 == 0 for o in offsets)


def _period(query: StatsQuery) -> db.Period:
    start, end = period(query)
    return db.Period(start=start, end=end, first_day=query.date_from, last_day=query.date_to,
                     unit=query.unit, tz=query.tz, top=query.top)


def volumes(conn: psycopg.Connection[Any], query: StatsQuery) -> dict[str, Any]:
    """Events by their event timestamp's local day / week / month, with acceptance rates."""
    source: db.VolumeSource = ("daily" if query.tz == ROLLUP_ZONE else
                               "hourly" if _whole_hours(query) else "events")
    rows = db.volume_counts(conn, _period(query), source)
    return {"unit": query.unit, "tz": query.tz, **fold(rows, query.tz)}


def rejections(conn: psycopg.Connection[Any], query: StatsQuery) -> dict[str, Any]:
    """Top rejecting validation rules (issues raised in the period) and TR codes (NACKs of
    report files made in the period)."""
    span = _period(query)
    return jsonable({"rules": db.top_rejecting_rules(conn, span),
                     "tr_codes": db.top_nack_codes(conn, span)})


def late_reports(conn: psycopg.Connection[Any], query: StatsQuery) -> dict[str, Any]:
    """Events with a deadline in the period that were acknowledged after it (the event's last
    change is taken as the ACK time) or are still not acknowledged now that it has passed."""
    by_state = {r["state"]: r["n"] for r in db.late_counts(conn, _period(query))}
    acked_late = by_state.pop("acked", 0)
    return jsonable({"acked_late": acked_late, "open_overdue": sum(by_state.values()),
                     "open_overdue_by_state": dict(sorted(by_state.items()))})


def counterparties(conn: psycopg.Connection[Any], query: StatsQuery) -> dict[str, Any]:
    """The other sides with most trades executed in the period, with their trades' states."""
    return {"items": jsonable(db.top_counterparties(conn, _period(query)))}


def stats(conn: psycopg.Connection[Any], query: StatsQuery) -> dict[str, Any]:
    start, end = period(query)
    return {"from": start.isoformat(), "to": end.isoformat(), "tz": query.tz,
            "volumes": volumes(conn, query), "rejections": rejections(conn, query),
            "late": late_reports(conn, query), "counterparties": counterparties(conn, query)}
