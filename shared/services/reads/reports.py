"""Report files with their items' outcome and their submissions to the TR."""

from __future__ import annotations

from typing import Any

import psycopg

from shared.adapters.db.reads import reports as db
from shared.domain.identifiers import uuid_or_none
from shared.services.reads.filters import ReportsQuery
from shared.services.reads.listing import fetch_counted_page
from shared.services.reads.values import jsonable


def _with_details(conn: psycopg.Connection[Any], files: list[dict[str, Any]]) -> None:
    if not files:
        return
    ids = [str(f["id"]) for f in files]
    by_id = {i: f for i, f in zip(ids, files, strict=True)}
    for f in files:
        f["items_by_status"] = {"pending": 0, "acked": 0, "nacked": 0}
        f["submissions"] = []
    for row in db.item_counts(conn, ids):
        by_id[str(row["report_file_id"])]["items_by_status"][row["status"]] = row["n"]
    for row in db.submissions(conn, ids):
        by_id[str(row.pop("report_file_id"))]["submissions"].append(row)


def list_reports(conn: psycopg.Connection[Any], query: ReportsQuery) -> dict[str, Any]:
    sort, keys = db.reports_sort(query.sort, query.order)
    where = db.reports_where(status=query.status, regime=query.regime,
                             tr_message_id=query.tr_message_id,
                             created_from=query.created_from, created_to=query.created_to)
    result = fetch_counted_page(
        query, sort, keys, lambda after, limit: db.reports_page(conn, where, sort, after, limit),
        lambda cap: db.reports_count(conn, where, cap))
    _with_details(conn, result["items"])
    result["items"] = jsonable(result["items"])
    return result


def report_detail(conn: psycopg.Connection[Any], report_file_id: str) -> dict[str, Any] | None:
    key = uuid_or_none(report_file_id)
    if key is None:
        return None
    row = db.report_row(conn, key)
    if row is None:
        return None
    _with_details(conn, [row])
    return jsonable(row)
