"""Compaction of the trade-event rollup (migration 0008): writers append signed deltas in
their own transactions; this folds them into the per-hour counters. Exact at any time (the
stats read both tables); compaction only keeps the delta table short. Call it from a cron
tick in a system scope: `with db.system() as conn: compact(conn)`."""

from __future__ import annotations

from typing import Any

import psycopg

from shared.adapters.db.reads import rollup as db


def compact(conn: psycopg.Connection[Any]) -> int:
    """Fold every committed delta row into trade_event_rollup; returns how many were folded."""
    return db.compact_rollup(conn)


def pending(conn: psycopg.Connection[Any]) -> int:
    """Delta rows not yet folded (visible to this scope): a health figure for the monitor."""
    return db.pending_deltas(conn)
