"""Planner statistics of the pipeline's tables, refreshed when a table has outgrown them.

A tenant's first big file grows `trades`, `trade_events` and `report_items` from nothing to
hundreds of thousands of rows within minutes, faster than autovacuum (one look a minute by
default, then 10 % of the table) re-analyses them. With statistics of a table of 90 rows the
planner locks a batch's trades by scanning every trade of the tenant against the batch's
400 UTIs instead of probing the primary key, and settles a file's items with a nested loop
over every pending item: the bench measured 2.4 ms and 1.4 ms of server CPU per event in
those two statements alone, growing with the table. The stage that changed a table as much
as the table held at its last ANALYZE analyses it again (a 30,000-row sample, a few hundred
milliseconds at most), so plans follow the growth: about log2(final size) times per table.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

# The tables whose plans the pipeline's set-based statements depend on.
PIPELINE_TABLES = ("raw_rows", "trade_events", "trades", "report_items", "validation_issues")
# Changes since the last ANALYZE before a table counts as outgrown: its size then, and at
# least this many rows (a small table's plans do not depend on its statistics).
MIN_CHANGED_ROWS = 2000


def outgrown(conn: psycopg.Connection[Any], tables: tuple[str, ...] = PIPELINE_TABLES,
             min_changed: int = MIN_CHANGED_ROWS) -> list[str]:
    """Of `tables` (in this schema), those changed by more rows since their last ANALYZE
    than they held then (the server's cumulative statistics, at most a second old)."""
    rows = conn.execute(
        "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
        " WHERE s.schemaname = current_schema() AND s.relname = ANY(%s)"
        " AND s.n_mod_since_analyze > greatest(%s, c.reltuples)"
        " ORDER BY s.relname",
        (list(tables), min_changed),
    ).fetchall()
    return [row["relname"] for row in rows]


def analyze(conn: psycopg.Connection[Any], table: str) -> None:
    """ANALYZE `table`, or nothing if another session (autovacuum, another container) holds
    it: SKIP_LOCKED, so a stage never waits for someone else's analysis."""
    conn.execute(sql.SQL("ANALYZE (SKIP_LOCKED) {}").format(sql.Identifier(table)))
