"""The `backload_jobs` table and the open trades a back-load reads (migration 0024).

Every statement runs in the caller's tenant transaction (RLS). `open_trades_after` pages the
tenant's live trades by UTI from a cursor, with the payload of each trade's latest event, so
a batch is one statement however large.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

_COLUMNS = ("id, reason, regimes, asset_class, as_of, status, total, done, skipped, cursor_uti,"
            " batch_size, rate_per_s, created_by, created_at, started_at, finished_at,"
            " updated_at, last_error")
_OPEN = """
FROM trades t JOIN trade_events e ON e.id = t.last_event_id
WHERE t.lifecycle = 'live'
  AND (%(asset_class)s::text IS NULL OR t.asset_class = %(asset_class)s)
  AND (cardinality(%(regimes)s::text[]) = 0 OR t.regimes && %(regimes)s::text[]
       OR cardinality(t.regimes) = 0)
"""


def count_open_trades(conn: Any, *, regimes: list[str], asset_class: str | None) -> int:
    row = conn.execute(f"SELECT count(*) AS n {_OPEN}",
                       {"regimes": regimes, "asset_class": asset_class}).fetchone()
    return int(row["n"])


def open_trades_after(conn: Any, *, cursor: str | None, limit: int, regimes: list[str],
                      asset_class: str | None) -> list[dict[str, Any]]:
    """Up to `limit` live trades with a UTI after `cursor`, in UTI order: uti, the latest
    event's id, file, row and payload (JSON text)."""
    rows: list[dict[str, Any]] = conn.execute(
        f"SELECT t.uti, e.id AS event_id, e.file_id, e.row_no, e.payload::text AS payload"
        f" {_OPEN} AND (%(cursor)s::text IS NULL OR t.uti > %(cursor)s)"
        " ORDER BY t.uti LIMIT %(limit)s",
        {"regimes": regimes, "asset_class": asset_class, "cursor": cursor,
         "limit": limit}).fetchall()
    return rows


def create_job(conn: Any, *, reason: str, regimes: list[str], asset_class: str | None,
               as_of: datetime, total: int, batch_size: int, rate_per_s: float | None,
               created_by: str) -> dict[str, Any]:
    row: dict[str, Any] = conn.execute(
        "INSERT INTO backload_jobs (tenant_id, reason, regimes, asset_class, as_of, total,"
        " batch_size, rate_per_s, created_by) VALUES (app.current_tenant(), %s, %s, %s, %s,"
        f" %s, %s, %s, %s) RETURNING {_COLUMNS}",
        (reason, regimes, asset_class, as_of, total, batch_size, rate_per_s,
         created_by)).fetchone()
    return row


def get_job(conn: Any, job_id: Any, *, lock: bool = False) -> dict[str, Any] | None:
    """The job; `lock` takes it for this transaction, skipping one another runner holds."""
    row: dict[str, Any] | None = conn.execute(
        f"SELECT {_COLUMNS} FROM backload_jobs WHERE id = %s"
        + (" FOR UPDATE SKIP LOCKED" if lock else ""), (str(job_id),)).fetchone()
    return row


def list_jobs(conn: Any, limit: int = 50) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = conn.execute(
        f"SELECT {_COLUMNS} FROM backload_jobs ORDER BY created_at DESC LIMIT %s",
        (limit,)).fetchall()
    return rows


def advance(conn: Any, job_id: Any, *, cursor: str | None, done: int, skipped: int,
            status: str, finished: bool) -> dict[str, Any]:
    """Record a batch: the cursor and the counts move together with the batch's events."""
    row: dict[str, Any] = conn.execute(
        "UPDATE backload_jobs SET cursor_uti = coalesce(%s, cursor_uti), done = done + %s,"
        " skipped = skipped + %s, status = %s, updated_at = now(), last_error = NULL,"
        " started_at = coalesce(started_at, now()),"
        " finished_at = CASE WHEN %s THEN now() ELSE finished_at END"
        f" WHERE id = %s RETURNING {_COLUMNS}",
        (cursor, done, skipped, status, finished, str(job_id))).fetchone()
    return row


def set_status(conn: Any, job_id: Any, status: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = conn.execute(
        f"UPDATE backload_jobs SET status = %s, updated_at = now() WHERE id = %s"
        f" RETURNING {_COLUMNS}", (status, str(job_id))).fetchone()
    return row


def runnable_jobs(conn: Any) -> list[dict[str, Any]]:
    """Per tenant its oldest job still to be worked off (ready or running): one job at a time
    per tenant, so a tenant's back-loads never run side by side. Needs the system role."""
    rows: list[dict[str, Any]] = conn.execute(
        "SELECT DISTINCT ON (tenant_id) tenant_id, id FROM backload_jobs"
        " WHERE status IN ('ready', 'running') ORDER BY tenant_id, created_at, id").fetchall()
    return rows


def record_error(conn: Any, job_id: Any, message: str) -> None:
    conn.execute("UPDATE backload_jobs SET last_error = %s, updated_at = now() WHERE id = %s",
                 (message[:2000], str(job_id)))
