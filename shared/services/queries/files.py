"""Ingest files: status, reject reason, and what became of their records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import psycopg

from shared.domain.identifiers import uuid_or_none
from shared.services.queries.filters import FilesQuery
from shared.services.queries.listing import fetch_page
from shared.services.queries.paging import Sort, SortKey
from shared.services.queries.sql import Where
from shared.services.queries.values import jsonable

SORT = Sort("received", (SortKey("f.received_at", datetime), SortKey("f.id", uuid.UUID)))

_SELECT = """SELECT f.id, f.bucket, f.object_key, f.sha256, f.size_bytes, f.format, f.profile,
    f.source, f.status, f.reject_reason, f.row_count, f.chunk_count, f.received_at,
    f.parsed_at, f.updated_at
FROM ingest_files f"""

# Per file: raw rows by state, and the events they became by the event's state (a duplicate
# row counts its first event). Index-only on raw_rows_file_state for the first.
_COUNTS = """
SELECT r.file_id, 'rows' AS kind, r.state, count(*) AS n
FROM raw_rows r WHERE r.tenant_id = app.current_tenant() AND r.file_id = ANY(%(ids)s::uuid[])
GROUP BY r.file_id, r.state
UNION ALL
SELECT r.file_id, 'events', e.state, count(*)
FROM raw_rows r JOIN trade_events e ON e.id = r.event_id
WHERE r.tenant_id = app.current_tenant() AND r.file_id = ANY(%(ids)s::uuid[])
  AND r.event_id IS NOT NULL
GROUP BY r.file_id, e.state
"""


def _with_counts(conn: psycopg.Connection[Any], files: list[dict[str, Any]]) -> None:
    if not files:
        return
    counts: dict[Any, dict[str, dict[str, int]]] = {
        str(f["id"]): {"rows": {}, "events": {}} for f in files}
    for row in conn.execute(_COUNTS, {"ids": list(counts)}):
        counts[str(row["file_id"])][row["kind"]][row["state"]] = row["n"]
    for f in files:
        f["rows_by_state"] = counts[str(f["id"])]["rows"]
        f["events_by_state"] = counts[str(f["id"])]["events"]


def list_files(conn: psycopg.Connection[Any], query: FilesQuery) -> dict[str, Any]:
    w = Where("f.tenant_id = app.current_tenant()")
    w.any("f.status", query.status)
    w.maybe(query.source, "f.source = %s")
    w.prefix("f.object_key", query.name)
    w.maybe(query.received_from, "f.received_at >= %s")
    w.maybe(query.received_to, "f.received_at < %s")
    result = fetch_page(conn, _SELECT, w, SORT, query, ("received_at", "id"))
    _with_counts(conn, result["items"])  # for the page's files only
    result["items"] = jsonable(result["items"])
    return result


def file_detail(conn: psycopg.Connection[Any], file_id: str) -> dict[str, Any] | None:
    key = uuid_or_none(file_id)
    if key is None:
        return None  # not an id of ours: the API answers 404, as for another tenant's id
    row = conn.execute(f"{_SELECT} WHERE f.tenant_id = app.current_tenant() AND f.id = %s",
                       (key,)).fetchone()
    if row is None:
        return None
    _with_counts(conn, [row])
    return jsonable(row)
