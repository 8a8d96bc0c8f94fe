"""Reads today's figures for the console's front page from `trade_events`: cheap on any
volume, no statement reads more than a day's worth of one tenant's rows (the indexes
`trade_events_tenant_received`, migration 0011, and the partial `trade_events_late`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

# Index-only on trade_events_tenant_received (migration 0011).
_RECEIVED = """
SELECT e.state, count(*) AS n FROM trade_events e
WHERE e.tenant_id = app.current_tenant() AND e.created_at >= %(start)s AND e.created_at < %(end)s
GROUP BY 1
"""

# Not acknowledged yet, deadline ahead but within the window. The conditions imply the
# predicate of trade_events_late, so this is an index-only range scan of the window.
_AT_RISK = """
SELECT count(*) AS n FROM trade_events e
WHERE e.tenant_id = app.current_tenant() AND e.deadline_at IS NOT NULL
  AND e.state NOT IN ('acked', 'cancelled', 'superseded')
  AND e.deadline_at >= now() AND e.deadline_at < now() + make_interval(secs => %s)
"""


def received_by_state(conn: psycopg.Connection[Any], start: datetime,
                      end: datetime) -> list[dict[str, Any]]:
    """`{state, n}` of the events created in [start, end), by their state now."""
    return conn.execute(_RECEIVED, {"start": start, "end": end}, prepare=False).fetchall()


def at_risk_count(conn: psycopg.Connection[Any], window_s: int) -> int:
    """Events not acknowledged whose deadline falls within the next `window_s` seconds."""
    row = conn.execute(_AT_RISK, (window_s,), prepare=False).fetchone()
    assert row is not None  # an aggregate: always one row
    return int(row["n"])
