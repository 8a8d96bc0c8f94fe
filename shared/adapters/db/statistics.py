"""Planner statistics of the pipeline's tables, refreshed when a table has outgrown them.

A tenant's first big file grows `trades`, `trade_events` and `report_items` from nothing to
hundreds of thousands of rows within minutes, faster than autovacuum (one look a minute by
default, then 10 % of the table) re-analyses them. With statistics of a table of 90 rows the
planner locks a batch's trades by scanning every trade of the tenant against the batch's
400 UTIs instead of probing the primary key, and settles a file's items with a nested loop
over every pending item: the bench measured 2.4 ms and 1.4 ms of server CPU per event in
those two statements alone, growing with the table. The stage that finds a table twice as
large as at its last ANALYZE analyses it again (a 30,000-row sample; the large payload
columns keep no statistics, migration 0019), so plans follow the growth: about log2(final
size) times per table.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

# The tables whose plans the pipeline's set-based statements depend on.
PIPELINE_TABLES = ("raw_rows", "trade_events", "trades", "report_items", "validation_issues")
# A table counts as outgrown at twice its size at the last ANALYZE, or after CHURN times as
# many changes, and never below this many rows (a small table's plans do not depend on its
# statistics).
MIN_CHANGED_ROWS = 2000
CHURN = 8


def outgrown(conn: psycopg.Connection[Any], tables: tuple[str, ...] = PIPELINE_TABLES,
             min_changed: int = MIN_CHANGED_ROWS) -> list[str]:
    """Of `tables` (in this schema), those that have doubled since their last ANALYZE, or
    whose rows changed CHURN times over (a state column moving on: an event is updated four
    times on its way to the TR, so counting updates as growth analysed trade_events 38 times
    in a 100,000-event run). From the server's cumulative statistics, at most a second old."""
    rows = conn.execute(
        "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
        " WHERE s.schemaname = current_schema() AND s.relname = ANY(%s)"
        " AND (s.n_live_tup > greatest(%s, 2 * c.reltuples)"
        "   OR s.n_mod_since_analyze > greatest(%s, %s * c.reltuples))"
        " ORDER BY s.relname",
        (list(tables), min_changed, min_changed, CHURN),
    ).fetchall()
    return [row["relname"] for row in rows]


def analyze(conn: psycopg.Connection[Any], table: str) -> None:
    """ANALYZE `table`, or nothing if another session (autovacuum, another container) holds
    it: SKIP_LOCKED, so a stage never waits for someone else's analysis."""
    conn.execute(sql.SQL("ANALYZE (SKIP_LOCKED) {}").format(sql.Identifier(table)))
