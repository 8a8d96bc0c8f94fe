"""Reads the statistics over a period: event volumes from the hourly rollup
`trade_event_rollup` / `trade_event_rollup_daily` plus its not yet compacted deltas
`trade_event_rollup_delta` (migration 0008; by the hour received since 0013), or from
`trade_events` themselves; top rejecting rules (`validation_issues`) and TR codes
(`report_items`), late reports and counterparties.

Every statement here runs with prepare=False: planned for the actual period each time (a
generic plan cannot tell a day from a year)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import psycopg


@dataclass(frozen=True)
class Period:
    """[start, end) instants of the local days first_day .. last_day in `tz`, cut into `unit`
    buckets; `top` rows for the rankings."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date
    unit: str = "day"
    tz: str = "Asia/Seoul"
    top: int = 10

    def params(self) -> dict[str, Any]:
        return {"unit": self.unit, "tz": self.tz, "start": self.start, "end": self.end,
                "top": self.top, "first_day": self.first_day, "last_day": self.last_day}


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
SELECT date_trunc(%(unit)s, e.created_at AT TIME ZONE %(tz)s) AS bucket, k.dim, k.key,
       count(*) AS n
FROM trade_events e
CROSS JOIN LATERAL app.rollup_keys(e.state, e.asset_class, e.action_type, e.regimes) AS k
WHERE e.tenant_id = app.current_tenant()
  AND e.created_at >= %(start)s AND e.created_at < %(end)s
GROUP BY 1, 2, 3
"""

VolumeSource = Literal["daily", "hourly", "events"]
_VOLUMES = {"daily": _FROM_DAILY, "hourly": _FROM_ROLLUP, "events": _FROM_EVENTS}


def volume_counts(conn: psycopg.Connection[Any], period: Period,
                  source: VolumeSource) -> list[dict[str, Any]]:
    """Rows `{bucket (local naive start), dim, key, n}` of the period's events by when they were
    received (created_at, migration 0013), as the dashboard's "today" counts them: from the
    daily counters (`daily`: the rollup's own zone only), the hourly ones
    (`hourly`: a zone with whole-hour offsets) or the events themselves (`events`: any zone,
    slower)."""
    return conn.execute(_VOLUMES[source], period.params(), prepare=False).fetchall()


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


def top_rejecting_rules(conn: psycopg.Connection[Any], period: Period) -> list[dict[str, Any]]:
    """`{code, count}` of the rules raising most rejecting issues in the period."""
    return conn.execute(_TOP_RULES, period.params(), prepare=False).fetchall()


def top_nack_codes(conn: psycopg.Connection[Any], period: Period) -> list[dict[str, Any]]:
    """`{code, count}` of the TR codes NACKing most items of report files made in the
    period."""
    return conn.execute(_TOP_TR_CODES, period.params(), prepare=False).fetchall()


# The partial index trade_events_late holds exactly the rows this can match.
_LATE = """
SELECT e.state, count(*) AS n FROM trade_events e
WHERE e.tenant_id = app.current_tenant() AND e.deadline_at IS NOT NULL
  AND (e.state NOT IN ('acked', 'cancelled', 'superseded')
       OR (e.state = 'acked' AND e.updated_at > e.deadline_at))
  AND e.deadline_at >= %(start)s AND e.deadline_at < %(end)s AND e.deadline_at < now()
GROUP BY 1
"""


def late_counts(conn: psycopg.Connection[Any], period: Period) -> list[dict[str, Any]]:
    """`{state, n}` of the events with a deadline in the period acknowledged after it
    (`acked`) or not acknowledged now that it has passed (any other state)."""
    return conn.execute(_LATE, period.params(), prepare=False).fetchall()


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


def top_counterparties(conn: psycopg.Connection[Any], period: Period) -> list[dict[str, Any]]:
    """The other sides with most trades executed in the period, with their trades' states."""
    return conn.execute(_COUNTERPARTIES, period.params(), prepare=False).fetchall()
