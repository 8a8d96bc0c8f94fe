"""Reads `ingest_files` with what became of their records (`raw_rows`, `trade_events`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db.reads.paging import Sort, SortKey, count_rows, select_page, sort_for
from shared.adapters.db.reads.where import Where

# The sortable columns (`sort=` of GET /api/files): each a keyset order ending in the id, with
# an index walked forwards (desc) or backwards (asc) (migrations 0008, 0015).
_ID = SortKey("f.id", uuid.UUID)
SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "received_at": (SortKey("f.received_at", datetime), _ID),
    "object_key": (SortKey("f.object_key", str), _ID),
    "status": (SortKey("f.status", str), SortKey("f.received_at", datetime), _ID),
}
KEY_NAMES = {"received_at": ("received_at", "id"), "object_key": ("object_key", "id"),
             "status": ("status", "received_at", "id")}


def files_sort(column: str, order: str) -> tuple[Sort, tuple[str, ...]]:
    """The keyset order of `sort=column&order=order` and the row keys its cursor records."""
    return sort_for(SORT_KEYS, column, order), KEY_NAMES[column]


_FROM = "ingest_files f"
_SELECT = f"""SELECT f.id, f.bucket, f.object_key, f.sha256, f.size_bytes, f.format, f.profile,
    f.source, f.status, f.reject_reason, f.row_count, f.chunk_count, f.received_at,
    f.parsed_at, f.updated_at
FROM {_FROM}"""

# Per file: raw rows by state, re-sent duplicate rows, and the events its rows became by the
# event's state. A duplicate row points at the first row's event: counting it there would count
# one event twice, so events come from the rows that are not duplicates. Index-only on
# raw_rows_file_state for the first.
_COUNTS = """
SELECT r.file_id, 'rows' AS kind, r.state, count(*) AS n
FROM raw_rows r WHERE r.tenant_id = app.current_tenant() AND r.file_id = ANY(%(ids)b::uuid[])
GROUP BY r.file_id, r.state
UNION ALL
SELECT r.file_id, 'duplicates', 'duplicate', count(*)
FROM raw_rows r WHERE r.tenant_id = app.current_tenant() AND r.file_id = ANY(%(ids)b::uuid[])
  AND r.duplicate
GROUP BY r.file_id
UNION ALL
SELECT r.file_id, 'events', e.state, count(*)
FROM raw_rows r JOIN trade_events e ON e.id = r.event_id
WHERE r.tenant_id = app.current_tenant() AND r.file_id = ANY(%(ids)b::uuid[])
  AND r.event_id IS NOT NULL AND NOT r.duplicate
GROUP BY r.file_id, e.state
"""


def files_where(*, status: Sequence[str] = (), source: str | None = None,
                name: str | None = None, received_from: datetime | None = None,
                received_to: datetime | None = None) -> Where:
    """`name` is an object key prefix."""
    w = Where("f.tenant_id = app.current_tenant()")
    w.any("f.status", status)
    w.maybe(source, "f.source = %s")
    w.prefix("f.object_key", name)
    w.maybe(received_from, "f.received_at >= %s")
    w.maybe(received_to, "f.received_at < %s")
    return w


def files_page(conn: psycopg.Connection[Any], where: Where, sort: Sort,
               after: Sequence[Any] | None, limit: int) -> list[dict[str, Any]]:
    return select_page(conn, _SELECT, where.copy(), sort, after, limit)


def files_count(conn: psycopg.Connection[Any], where: Where, cap: int) -> int:
    return count_rows(conn, _FROM, where, cap)


def file_row(conn: psycopg.Connection[Any], file_id: str) -> dict[str, Any] | None:
    """`file_id`: a canonical UUID string (`uuid_or_none`)."""
    return conn.execute(f"{_SELECT} WHERE f.tenant_id = app.current_tenant() AND f.id = %s",
                        (file_id,)).fetchone()


def record_counts(conn: psycopg.Connection[Any], file_ids: list[str]) -> list[dict[str, Any]]:
    """Rows `{file_id, kind ('rows', 'duplicates' or 'events'), state, n}` for the files
    `file_ids`."""
    return conn.execute(_COUNTS, {"ids": file_ids}).fetchall()
