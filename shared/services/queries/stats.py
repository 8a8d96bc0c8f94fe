"""Statistics over a period of local days: volumes by day / week / month (asset class,
action type, regime), acceptance rate, top rejection codes, late reports, counterparties.

Volumes read the hourly rollup `trade_event_rollup` plus its not yet compacted deltas
(migration 0008, appended by triggers in the events' own transactions; rollup.py), so a month
costs some thousands of rows whatever the event count.
The reporting zone (Asia/Seoul, the default) reads daily counters; another zone with a
whole-hour offset sums hours; any other zone counts the events themselves (correct, slower)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from shared.services.queries.filters import StatsQuery
from shared.services.queries.values import jsonable
from shared.services.queries.volumes import fold

# Every statement below runs with prepare=False: planned for the actual period each time
# (a generic plan cannot tell a day from a year).


def period(query: StatsQuery) -> tuple[datetime, datetime]:
    """[start, end) instants of the local days date_from .. date_to (inclusive)."""
    zone = ZoneInfo(query.tz)
    start = datetime.combine(query.date_from, time(), zone)
    end = datetime.combine(query.date_to + timedelta(days=1), time(), zone)
    return start, end


ROLLUP_ZONE = "Asia/Seoul"  # the zone of trade_event_rollup_daily (app.rollup_zone())


def _whole_hours(query: StatsQuery) -> bool:
    start, end = period(query)
    return all(t.utcoffset() is not None and t.utcoffset().total_seconds() % 3600 == 0
               for t in (start, end))


# The folded counters plus the deltas appended since the last compaction: exact either way.
_FROM_DAILY = """
SELECT date_trunc(%(unit)s, r.day)::timestamp AS bucket, r.dim, r.key, sum(r.events) AS n
FROM (
    SELECT day, dim, key, events FROM trade_event_rollup_daily
    WHERE tenant_id = app.current_tenant() AND day >= %(first_day)s AND day <= %(last_day)s
    UNION ALL
    SELECT (hour AT TIME ZONE app.rollup_zone())::date, dim, key, events
    FROM trade_event_rollup_delta
    WHERE tenant_id = app.current_tenant() AND hour >= %(start)s AND hour < %(end)s
) AS r
GROUP BY 1, 2, 3
"""

_FROM_ROLLUP = """
SELECT date_trunc(%(unit)s, r.hour AT TIME ZONE %(tz)s) AS bucket, r.dim, r.key,
       sum(r.events) AS n
FROM (
    SELECT hour, dim, key, events FROM trade_event_rollup
    WHERE tenant_id = app.current_tenant() AND hour >= %(start)s AND hour < %(end)s
    UNION ALL
    SELECT hour, dim, key, events FROM trade_event_rollup_delta
    WHERE tenant_id = app.current_tenant() AND hour >= %(start)s AND hour < %(end)s
) AS r
GROUP BY 1, 2, 3
"""

# The same counts from the events themselves (same app.rollup_keys), for other time zones.
_FROM_EVENTS = """
SELECT date_trunc(%(unit)s, e.event_timestamp AT TIME ZONE %(tz)s) AS bucket, k.dim, k.key,
       count(*) AS n
FROM trade_events e
CROSS JOIN LATERAL app.rollup_keys(e.state, e.asset_class, e.action_type, e.regimes) AS k
WHERE e.tenant_id = app.current_tenant()
  AND e.event_timestamp >= %(start)s AND e.event_timestamp < %(end)s
GROUP BY 1, 2, 3
"""


def _params(query: StatsQuery) -> dict[str, Any]:
    start, end = period(query)
    return {"unit": query.unit, "tz": query.tz, "start": start, "end": end, "top": query.top,
            "first_day": query.date_from, "last_day": query.date_to}


def volumes(conn: psycopg.Connection[Any], query: StatsQuery) -> dict[str, Any]:
    """Events by their event timestamp's local day / week / month, with acceptance rates."""
    source = (_FROM_DAILY if query.tz == ROLLUP_ZONE else
              _FROM_ROLLUP if _whole_hours(query) else _FROM_EVENTS)
    rows = conn.execute(source, _params(query), prepare=False).fetchall()
    return {"unit": query.unit, "tz": query.tz, **fold(rows, query.tz)}


_TOP_RULES = """
SELECT i.rule_id AS code, count(*) AS count FROM validation_issues i
WHERE i.tenant_id = app.current_tenant() AND i.severity = 'reject'
  AND i.created_at >= %(start)s AND i.created_at < %(end)s
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %(top)s
"""

# From the period's files to their NACKed items (report_items_nacked_file, index-only).
_TOP_TR_CODES = """
SELECT ri.tr_code AS code, count(*) AS count
FROM report_files rf JOIN report_items ri ON ri.report_file_id = rf.id AND ri.status = 'nacked'
WHERE rf.tenant_id = app.current_tenant()
  AND rf.created_at >= %(start)s AND rf.created_at < %(end)s
GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST LIMIT %(top)s
"""


def rejections(conn: psycopg.Connection[Any], query: StatsQuery) -> dict[str, Any]:
    """Top rejecting validation rules (issues raised in the period) and TR codes (NACKs of
    report files made in the period)."""
    params = _params(query)
    return jsonable({"rules": conn.execute(_TOP_RULES, params, prepare=False).fetchall(),
                     "tr_codes": conn.execute(_TOP_TR_CODES, params, prepare=False).fetchall()})


# The partial index trade_events_late holds exactly the rows this can match.
_LATE = """
SELECT e.state, count(*) AS n FROM trade_events e
WHERE e.tenant_id = app.current_tenant() AND e.deadline_at IS NOT NULL
  AND (e.state NOT IN ('acked', 'cancelled', 'superseded')
       OR (e.state = 'acked' AND e.updated_at > e.deadline_at))
  AND e.deadline_at >= %(start)s AND e.deadline_at < %(end)s AND e.deadline_at < now()
GROUP BY 1
"""


def late_reports(conn: psycopg.Connection[Any], query: StatsQuery) -> dict[str, Any]:
    """Events with a deadline in the period that were acknowledged after it (the event's last
    change is taken as the ACK time) or are still not acknowledged now that it has passed."""
    by_state = {r["state"]: r["n"]
                for r in conn.execute(_LATE, _params(query), prepare=False)}
    acked_late = by_state.pop("acked", 0)
    return jsonable({"acked_late": acked_late, "open_overdue": sum(by_state.values()),
                     "open_overdue_by_state": dict(sorted(by_state.items()))})


# Index-only on trades_executed (counterparty_2, state included); names for the top rows only.
_COUNTERPARTIES = """
SELECT c.*, (SELECT t.counterparty_2_name FROM trades t
             WHERE t.tenant_id = app.current_tenant() AND t.counterparty_2 = c.lei
               AND t.counterparty_2_name IS NOT NULL LIMIT 1) AS name
FROM (
    SELECT t.counterparty_2 AS lei, count(*) AS trades,
           count(*) FILTER (WHERE t.state = 'acked') AS acked,
           count(*) FILTER (WHERE t.state = 'nacked') AS nacked,
           count(*) FILTER (WHERE t.state = 'invalid') AS invalid
    FROM trades t
    WHERE t.tenant_id = app.current_tenant() AND t.counterparty_2 IS NOT NULL
      AND t.executed_at >= %(start)s AND t.executed_at < %(end)s
    GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %(top)s
) AS c
ORDER BY c.trades DESC, c.lei
"""


def counterparties(conn: psycopg.Connection[Any], query: StatsQuery) -> dict[str, Any]:
    """The other sides with most trades executed in the period, with their trades' states."""
    rows = conn.execute(_COUNTERPARTIES, _params(query), prepare=False).fetchall()
    return {"items": jsonable(rows)}


def stats(conn: psycopg.Connection[Any], query: StatsQuery) -> dict[str, Any]:
    start, end = period(query)
    return {"from": start.isoformat(), "to": end.isoformat(), "tz": query.tz,
            "volumes": volumes(conn, query), "rejections": rejections(conn, query),
            "late": late_reports(conn, query), "counterparties": counterparties(conn, query)}
