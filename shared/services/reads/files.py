"""Ingest files: status, reject reason, and what became of their records."""

from __future__ import annotations

from typing import Any

import psycopg

from shared.adapters.db.reads import files as db
from shared.domain.identifiers import uuid_or_none
from shared.services.reads.filters import FilesQuery
from shared.services.reads.listing import fetch_counted_page
from shared.services.reads.values import jsonable


def _with_counts(conn: psycopg.Connection[Any], files: list[dict[str, Any]]) -> None:
    """Per file: raw rows by state, the events they became by the event's state (a re-sent
    duplicate row is not another event), its parse errors (rows in `parse_error`, as the
    dashboard's tile and the errors screen's parse group count them) and duplicate rows."""
    if not files:
        return
    counts: dict[Any, dict[str, dict[str, int]]] = {
        str(f["id"]): {"rows": {}, "events": {}, "duplicates": {}} for f in files}
    for row in db.record_counts(conn, list(counts)):
        counts[str(row["file_id"])][row["kind"]][row["state"]] = row["n"]
    for f in files:
        mine = counts[str(f["id"])]
        f["rows_by_state"] = mine["rows"]
        f["events_by_state"] = mine["events"]
        f["parse_errors"] = mine["rows"].get("parse_error", 0)
        f["duplicates"] = mine["duplicates"].get("duplicate", 0)


def list_files(conn: psycopg.Connection[Any], query: FilesQuery) -> dict[str, Any]:
    sort, keys = db.files_sort(query.sort, query.order)
    where = db.files_where(status=query.status, source=query.source, name=query.name,
                           received_from=query.received_from, received_to=query.received_to)
    result = fetch_counted_page(
        query, sort, keys, lambda after, limit: db.files_page(conn, where, sort, after, limit),
        lambda cap: db.files_count(conn, where, cap))
    _with_counts(conn, result["items"])  # for the page's files only
    result["items"] = jsonable(result["items"])
    return result


def file_detail(conn: psycopg.Connection[Any], file_id: str) -> dict[str, Any] | None:
    key = uuid_or_none(file_id)
    if key is None:
        return None  # not an id of ours: the API answers 404, as for another tenant's id
    row = db.file_row(conn, key)
    if row is None:
        return None
    _with_counts(conn, [row])
    return jsonable(row)
