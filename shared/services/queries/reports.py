"""Report files with their items' outcome and their submissions to the TR."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import psycopg

from shared.domain.identifiers import uuid_or_none
from shared.services.queries.filters import ReportsQuery
from shared.services.queries.listing import fetch_page
from shared.services.queries.paging import Sort, SortKey
from shared.services.queries.sql import Where
from shared.services.queries.values import jsonable

SORT = Sort("created", (SortKey("rf.created_at", datetime), SortKey("rf.id", uuid.UUID)))

_SELECT = """SELECT rf.id, rf.regime, rf.tr, rf.object_key, rf.record_count, rf.status,
    rf.tr_message_id, rf.reject_code, rf.reject_reason, rf.created_at, rf.submitted_at,
    rf.feedback_at, rf.updated_at
FROM report_files rf"""

_ITEM_COUNTS = """
SELECT ri.report_file_id, ri.status, count(*) AS n FROM report_items ri
WHERE ri.tenant_id = app.current_tenant() AND ri.report_file_id = ANY(%s::uuid[])
GROUP BY 1, 2
"""

_SUBMISSIONS = """
SELECT s.report_file_id, s.attempt, s.started_at, s.finished_at, s.http_status,
       s.tr_message_id, s.outcome, s.error
FROM submissions s
WHERE s.tenant_id = app.current_tenant() AND s.report_file_id = ANY(%s::uuid[])
ORDER BY s.report_file_id, s.attempt
"""


def _with_details(conn: psycopg.Connection[Any], files: list[dict[str, Any]]) -> None:
    if not files:
        return
    ids = [str(f["id"]) for f in files]
    by_id = {i: f for i, f in zip(ids, files, strict=True)}
    for f in files:
        f["items_by_status"] = {"pending": 0, "acked": 0, "nacked": 0}
        f["submissions"] = []
    for row in conn.execute(_ITEM_COUNTS, (ids,)):
        by_id[str(row["report_file_id"])]["items_by_status"][row["status"]] = row["n"]
    for row in conn.execute(_SUBMISSIONS, (ids,)):
        by_id[str(row.pop("report_file_id"))]["submissions"].append(row)


def list_reports(conn: psycopg.Connection[Any], query: ReportsQuery) -> dict[str, Any]:
    w = Where("rf.tenant_id = app.current_tenant()")
    w.any("rf.status", query.status)
    w.any("rf.regime", query.regime)
    w.prefix("rf.tr_message_id", query.tr_message_id)
    w.maybe(query.created_from, "rf.created_at >= %s")
    w.maybe(query.created_to, "rf.created_at < %s")
    result = fetch_page(conn, _SELECT, w, SORT, query, ("created_at", "id"))
    _with_details(conn, result["items"])
    result["items"] = jsonable(result["items"])
    return result


def report_detail(conn: psycopg.Connection[Any], report_file_id: str) -> dict[str, Any] | None:
    key = uuid_or_none(report_file_id)
    if key is None:
        return None
    row = conn.execute(f"{_SELECT} WHERE rf.tenant_id = app.current_tenant() AND rf.id = %s",
                       (key,)).fetchone()
    if row is None:
        return None
    _with_details(conn, [row])
    return jsonable(row)
