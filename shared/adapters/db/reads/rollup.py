"""The trade-event rollup (migration 0008): `trade_event_rollup` holds per-hour counters,
`trade_event_rollup_delta` the signed deltas writers append in their own transactions (by
triggers). Compaction folds the deltas into the counters; the stats read both tables."""

from __future__ import annotations

from typing import Any

import psycopg


def compact_rollup(conn: psycopg.Connection[Any]) -> int:
    """Fold every committed delta row into trade_event_rollup; returns how many were folded."""
    row = conn.execute("SELECT app.compact_trade_event_rollup() AS folded").fetchone()
    assert row is not None  # a function call: always one row
    return int(row["folded"] if isinstance(row, dict) else row[0])


def pending_deltas(conn: psycopg.Connection[Any]) -> int:
    """Delta rows not yet folded (visible to this scope)."""
    row = conn.execute("SELECT count(*) AS n FROM trade_event_rollup_delta").fetchone()
    assert row is not None  # an aggregate: always one row
    return int(row["n"] if isinstance(row, dict) else row[0])
