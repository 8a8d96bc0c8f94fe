"""Compaction of the trade-event rollup (migration 0008): writers append signed deltas in
their own transactions; this folds them into the per-hour counters. Exact at any time (the
stats read both tables); compaction only keeps the delta table short. Call it from a cron
tick in a system scope: `with db.system() as conn: compact(conn)`."""

from __future__ import annotations

from typing import Any

import psycopg


def compact(conn: psycopg.Connection[Any]) -> int:
    """Fold every committed delta row into trade_event_rollup; returns how many were folded."""
    row = conn.execute("SELECT app.compact_trade_event_rollup() AS folded").fetchone()
    return int(row["folded"] if isinstance(row, dict) else row[0])


def pending(conn: psycopg.Connection[Any]) -> int:
    """Delta rows not yet folded (visible to this scope): a health figure for the monitor."""
    row = conn.execute("SELECT count(*) AS n FROM trade_event_rollup_delta").fetchone()
    return int(row["n"] if isinstance(row, dict) else row[0])
