"""Reads `report_files` with their items' outcome (`report_items`) and their submissions to
the TR (`submissions`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db.reads.paging import Sort, SortKey, count_rows, select_page, sort_for
from shared.adapters.db.reads.where import Where

# The sortable columns (`sort=` of GET /api/reports): each a keyset order ending in the id,
# ties by creation; an index per order (migrations 0008, 0015).
_CREATED, _ID = SortKey("rf.created_at", datetime), SortKey("rf.id", uuid.UUID)
SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "created_at": (_CREATED, _ID),
    "regime": (SortKey("rf.regime", str), _CREATED, _ID),
    "status": (SortKey("rf.status", str), _CREATED, _ID),
    "record_count": (SortKey("rf.record_count", int), _CREATED, _ID),
}


def reports_sort(column: str, order: str) -> tuple[Sort, tuple[str, ...]]:
    """The keyset order of `sort=column&order=order` and the row keys its cursor records."""
    names = ("created_at", "id") if column == "created_at" else (column, "created_at", "id")
    return sort_for(SORT_KEYS, column, order), names


_FROM = "report_files rf"
_SELECT = f"""SELECT rf.id, rf.regime, rf.tr, rf.object_key, rf.record_count, rf.status,
    rf.tr_message_id, rf.reject_code, rf.reject_reason, rf.created_at, rf.submitted_at,
    rf.feedback_at, rf.updated_at
FROM {_FROM}"""

_ITEM_COUNTS = """
SELECT ri.report_file_id, ri.status, count(*) AS n FROM report_items ri
WHERE ri.tenant_id = app.current_tenant() AND ri.report_file_id = ANY(%b::uuid[])
GROUP BY 1, 2
"""

_SUBMISSIONS = """
SELECT s.report_file_id, s.attempt, s.started_at, s.finished_at, s.http_status,
       s.tr_message_id, s.outcome, s.error
FROM submissions s
WHERE s.tenant_id = app.current_tenant() AND s.report_file_id = ANY(%b::uuid[])
ORDER BY s.report_file_id, s.attempt
"""


def reports_where(*, status: Sequence[str] = (), regime: Sequence[str] = (),
                  tr_message_id: str | None = None, created_from: datetime | None = None,
                  created_to: datetime | None = None) -> Where:
    """`tr_message_id` is a prefix."""
    w = Where("rf.tenant_id = app.current_tenant()")
    w.any("rf.status", status)
    w.any("rf.regime", regime)
    w.prefix("rf.tr_message_id", tr_message_id)
    w.maybe(created_from, "rf.created_at >= %s")
    w.maybe(created_to, "rf.created_at < %s")
    return w


def reports_page(conn: psycopg.Connection[Any], where: Where, sort: Sort,
                 after: Sequence[Any] | None, limit: int) -> list[dict[str, Any]]:
    return select_page(conn, _SELECT, where.copy(), sort, after, limit)


def reports_count(conn: psycopg.Connection[Any], where: Where, cap: int) -> int:
    return count_rows(conn, _FROM, where, cap)


def report_row(conn: psycopg.Connection[Any], report_file_id: str) -> dict[str, Any] | None:
    """`report_file_id`: a canonical UUID string (`uuid_or_none`)."""
    return conn.execute(f"{_SELECT} WHERE rf.tenant_id = app.current_tenant() AND rf.id = %s",
                        (report_file_id,)).fetchone()


def item_counts(conn: psycopg.Connection[Any], ids: list[str]) -> list[dict[str, Any]]:
    """Rows `{report_file_id, status, n}` for the report files `ids`."""
    return conn.execute(_ITEM_COUNTS, (ids,)).fetchall()


def submissions(conn: psycopg.Connection[Any], ids: list[str]) -> list[dict[str, Any]]:
    """The submissions of the report files `ids`, by file and attempt."""
    return conn.execute(_SUBMISSIONS, (ids,)).fetchall()


def report_objects(conn: psycopg.Connection[Any], ids: list[str]) -> list[dict[str, Any]]:
    """`{bucket, object_key}` of the report files `ids` that have an object, oldest first."""
    return conn.execute(
        "SELECT bucket, object_key FROM report_files WHERE id = ANY(%b::uuid[])"
        " AND object_key IS NOT NULL ORDER BY created_at, id", (ids,)).fetchall()
