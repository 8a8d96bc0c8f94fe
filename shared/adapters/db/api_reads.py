"""Reads the HTTP API makes on its own: a report file to download (`report_files`) and the
per-tenant counts behind GET /api/metrics (`trade_events`, `ingest_files`, `submissions`,
`alerts`, `queue_messages`, `dead_letters`).

The tables belong to the pipeline stages that write them; these are read-only views for the
routes, run in the caller's tenant transaction so RLS keeps every figure and file to its own
tenant.
"""

from __future__ import annotations

from typing import Any

Counts = dict[tuple[str, ...], int]


def find_report_file(conn: Any, report_id: str) -> dict[str, Any] | None:
    """Where a report file is stored (bucket, object_key; empty before it is written), its
    regime and status."""
    row: dict[str, Any] | None = conn.execute(
        "SELECT id, regime, status, bucket, object_key FROM report_files"
        " WHERE id = %s", (report_id,)).fetchone()
    return row


# -- metrics: {(label value, ...): count} -------------------------------------------------------

def _counts(conn: Any, sql: str) -> Counts:
    return {tuple(str(v) for v in list(row.values())[:-1]): int(list(row.values())[-1])
            for row in conn.execute(sql)}


def count_events_by_state(conn: Any) -> Counts:
    return _counts(conn, "SELECT state, count(*) FROM trade_events GROUP BY 1")


def count_files_by_status(conn: Any) -> Counts:
    return _counts(conn, "SELECT status, count(*) FROM ingest_files GROUP BY 1")


def count_submissions_by_outcome(conn: Any) -> Counts:
    """Finished submissions only (an outcome is set)."""
    return _counts(conn, "SELECT outcome, count(*) FROM submissions"
                         " WHERE outcome IS NOT NULL GROUP BY 1")


def count_unresolved_alerts(conn: Any) -> Counts:
    """By (severity, status): open and acked alerts."""
    return _counts(conn, "SELECT severity, status, count(*) FROM alerts"
                         " WHERE status <> 'resolved' GROUP BY 1, 2")


def count_queue_messages(conn: Any) -> Counts:
    """By queue: messages waiting or in flight (the PostgreSQL queue backend)."""
    return _counts(conn, "SELECT queue, count(*) FROM queue_messages GROUP BY 1")


def count_dead_letters(conn: Any) -> Counts:
    """By queue: dead letters not redriven."""
    return _counts(conn, "SELECT queue, count(*) FROM dead_letters"
                         " WHERE redriven_at IS NULL GROUP BY 1")
