"""Reads the figures of the console's front page from `trade_events` and `raw_rows`: cheap on
any volume, no statement reads more than a day's worth of one tenant's rows (the indexes
`trade_events_tenant_received`, migration 0011, the partial `trade_events_late`, 0008, and
the partial `raw_rows_parse_error`, 0014)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db import deadlines

# Index-only on trade_events_tenant_received (migration 0011).
_RECEIVED = """
SELECT e.state, count(*) AS n FROM trade_events e
WHERE e.tenant_id = app.current_tenant() AND e.created_at >= %(start)s AND e.created_at < %(end)s
GROUP BY 1
"""

# Open now: trades with an event late or at risk, by the one definition the monitor's deadline
# alerts and the trades list's `due` filter use. The conditions imply the predicate of
# trade_events_late, so this reads that small index and the few heap rows for their UTIs.
_DUE = f"""
SELECT count(DISTINCT e.uti) FILTER (WHERE {deadlines.is_late()}) AS late,
       count(DISTINCT e.uti) FILTER (WHERE NOT ({deadlines.is_late()})) AS at_risk
FROM trade_events e
WHERE e.tenant_id = app.current_tenant() AND {deadlines.owing()}
  AND {deadlines.within('%(window)s')}
"""

# The raw rows of the files received in [start, end) that could not be parsed (as the files
# list counts them per file; the partial index raw_rows_parse_error, migration 0014).
_PARSE_ERRORS = """
SELECT count(*) AS n FROM ingest_files f
JOIN raw_rows r ON r.tenant_id = f.tenant_id AND r.file_id = f.id AND r.state = 'parse_error'
WHERE f.tenant_id = app.current_tenant()
  AND f.received_at >= %(start)s AND f.received_at < %(end)s
"""


def received_by_state(conn: psycopg.Connection[Any], start: datetime,
                      end: datetime) -> list[dict[str, Any]]:
    """`{state, n}` of the events created in [start, end), by their state now."""
    return conn.execute(_RECEIVED, {"start": start, "end": end}, prepare=False).fetchall()


def due_counts(conn: psycopg.Connection[Any], window_s: int) -> dict[str, int]:
    """`{late, at_risk}`: trades with an event late now, or due within `window_s` seconds."""
    row = conn.execute(_DUE, {"window": window_s}, prepare=False).fetchone()
    assert row is not None  # an aggregate: always one row
    return {"late": int(row["late"]), "at_risk": int(row["at_risk"])}


def parse_errors(conn: psycopg.Connection[Any], start: datetime, end: datetime) -> int:
    """Rows that could not be parsed, of the files received in [start, end)."""
    row = conn.execute(_PARSE_ERRORS, {"start": start, "end": end}, prepare=False).fetchone()
    assert row is not None  # an aggregate: always one row
    return int(row["n"])
