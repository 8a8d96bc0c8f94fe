"""The ingest ledger and the records read from it: `ingest_files` and `raw_rows`.

`ingest_files` is one row per received content (unique per tenant and SHA-256), with the
reader's lease (`parse_owner` / `parse_heartbeat`) and cursor; `raw_rows` holds every record
of a file as it was read, then what `process` made of it. Written by ingest (the bucket
trigger and the file reader), online ingest (the HTTPS event API) and process; read by
validation to tell whether an earlier record of a trade may still arrive.

Every function runs in the caller's transaction and tenant scope.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

RAW_COLUMNS = ("tenant_id, file_id, row_no, chunk_no, line_no, content, uti, trade_id,"
               " parse_result")


# -- the ledger ---------------------------------------------------------------------------------


def insert_object_file(conn: Any, *, tenant_id: Any, bucket: str, object_key: str, sha256: str,
                       size_bytes: int, file_format: str | None, source: str, status: str,
                       reject_reason: str | None, profile: str | None,
                       line_index: list[list[int]]) -> Any | None:
    """Record an uploaded object; its id, or None when the same content is recorded already."""
    inserted = conn.execute(
        "INSERT INTO ingest_files (tenant_id, bucket, object_key, sha256, size_bytes, format,"
        " source, status, reject_reason, profile, line_index)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (tenant_id, sha256) DO NOTHING RETURNING id",
        (tenant_id, bucket, object_key, sha256, size_bytes, file_format, source, status,
         reject_reason, profile, json.dumps(line_index)),
    ).fetchone()
    return None if inserted is None else inserted["id"]


def insert_api_file(conn: Any, *, tenant_id: Any, bucket: str, object_key: str, sha256: str,
                    size_bytes: int, source: str, profile: str | None,
                    row_count: int) -> Any | None:
    """Record an API request as a parsed one-chunk JSON Lines file; its id, or None when the
    same body is recorded already."""
    row = conn.execute(
        "INSERT INTO ingest_files (tenant_id, bucket, object_key, sha256, size_bytes, format,"
        " source, status, profile, row_count, chunk_count, parsed_at)"
        " VALUES (%s, %s, %s, %s, %s, 'jsonl', %s, 'parsed', %s, %s, 1, now())"
        " ON CONFLICT (tenant_id, sha256) DO NOTHING RETURNING id",
        (tenant_id, bucket, object_key, sha256, size_bytes, source, profile, row_count),
    ).fetchone()
    return None if row is None else row["id"]


def original_file(conn: Any, tenant_id: Any, sha256: str) -> dict[str, Any] | None:
    """`id` and `object_key` of the file first recorded with this content."""
    return conn.execute(
        "SELECT id, object_key FROM ingest_files WHERE tenant_id = %s AND sha256 = %s",
        (tenant_id, sha256),
    ).fetchone()


def first_file_with_content(conn: Any, tenant_id: Any, sha256: str) -> dict[str, Any] | None:
    """`id`, `bucket` and `object_key` of the file first recorded with this content."""
    return conn.execute(
        "SELECT id, bucket, object_key FROM ingest_files WHERE tenant_id = %s AND sha256 = %s",
        (tenant_id, sha256)).fetchone()


def file_status(conn: Any, file_id: Any) -> str | None:
    """The file's status, or None when there is no such file (or it is not visible here)."""
    row = conn.execute("SELECT status FROM ingest_files WHERE id = %s",
                       (file_id,)).fetchone()
    return None if row is None else row["status"]


# -- the reader's lease and cursor -------------------------------------------------------------


def lease_file_for_reading(conn: Any, file_id: Any, owner: Any,
                           stale_s: float) -> dict[str, Any] | None:
    """Make `owner` the file's reader if it is still to be read and has no live reader (none
    heard of for `stale_s`): the whole ledger row, or None."""
    return conn.execute(
        "UPDATE ingest_files SET parse_owner = %(owner)s, parse_heartbeat = now(),"
        " status = 'parsing', updated_at = now()"
        " WHERE id = %(file)s AND status IN ('received', 'parsing')"
        " AND (parse_owner IS NULL"
        "      OR parse_heartbeat < now() - make_interval(secs => %(stale)s))"
        " RETURNING *",
        {"owner": owner, "file": file_id, "stale": stale_s},
    ).fetchone()


def advance_parse_cursor(conn: Any, *, file_id: Any, owner: Any, chunk_no: int,
                         cursor: dict[str, Any], row_count: int, chunk_count: int,
                         status: str | None, reason: str | None, done: bool, release: bool,
                         encoding: str | None, first_record_line: int | None,
                         header: str | None) -> bool:
    """Compare-and-set on the cursor: move it past chunk `chunk_no` (and close the file with
    `status`, give the lease up with `release`) only if `owner` still reads the file and that
    chunk is still next. False when it is not."""
    updated = conn.execute(
        "UPDATE ingest_files SET parse_cursor = %(cursor)s, row_count = %(rows)s,"
        " chunk_count = %(chunks)s, parse_heartbeat = now(), updated_at = now(),"
        " status = coalesce(%(status)s, 'parsing'), reject_reason = %(reason)s,"
        " parsed_at = CASE WHEN %(done)s THEN now() END,"
        " parse_owner = CASE WHEN %(release)s THEN NULL ELSE parse_owner END,"
        " encoding = coalesce(%(encoding)s, encoding),"
        " first_record_line = coalesce(%(first)s, first_record_line),"
        " header = coalesce(%(header)s, header)"
        " WHERE id = %(file)s AND parse_owner = %(owner)s"
        " AND coalesce((parse_cursor->>'chunk_no')::int, 0) = %(chunk)s RETURNING id",
        {"cursor": json.dumps(cursor), "rows": row_count, "chunks": chunk_count,
         "status": status, "reason": reason, "done": done,
         "release": release, "encoding": encoding,
         "first": first_record_line, "header": header,
         "file": file_id, "owner": owner, "chunk": chunk_no},
    ).fetchone()
    return updated is not None


def release_reader_lease(conn: Any, file_id: Any, owner: Any) -> None:
    """Give the file's reader lease up, if `owner` still holds it."""
    conn.execute("UPDATE ingest_files SET parse_owner = NULL WHERE id = %s"
                 " AND parse_owner = %s", (file_id, owner))


# -- raw_rows -----------------------------------------------------------------------------------


def copy_raw_rows(conn: Any, rows: list[tuple]) -> None:
    """COPY the rows (tuples in RAW_COLUMNS order) in. PostgreSQL refuses COPY FROM into a
    table under row-level security, so they are copied into a session-local staging table and
    moved with one INSERT, which the tenant policy checks like any other."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS raw_rows_load (tenant_id uuid, file_id uuid,"
        " row_no integer, chunk_no integer, line_no integer, content text, uti text,"
        " trade_id text, parse_result jsonb) ON COMMIT DELETE ROWS")
    with conn.cursor() as cur, cur.copy(f"COPY raw_rows_load ({RAW_COLUMNS}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    conn.execute(f"INSERT INTO raw_rows ({RAW_COLUMNS}) SELECT {RAW_COLUMNS} FROM raw_rows_load")


def insert_api_rows(conn: Any, rows: Sequence[dict[str, Any]]) -> None:
    """The rows of an API request (chunk 0, line = row number), already judged: each a dict of
    tenant, file, row_no, content, state, error, errors, result, uti, trade_id, event_id and
    duplicate."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO raw_rows (tenant_id, file_id, row_no, chunk_no, line_no, content, state,"
            " error, errors, parse_result, uti, trade_id, event_id, duplicate)"
            " VALUES (%(tenant)s, %(file)s, %(row_no)s, 0, %(row_no)s, %(content)s, %(state)s,"
            " %(error)s, %(errors)s, %(result)s, %(uti)s, %(trade_id)s, %(event_id)s,"
            " %(duplicate)s)",
            rows)


def rows_with_events(conn: Any, file_id: Any) -> list[dict[str, Any]]:
    """Every row of the file in order: row_no, state, event_id, duplicate, errors and the
    event's UTI."""
    return conn.execute(
        "SELECT r.row_no, r.state, r.event_id, r.duplicate, r.errors, e.uti FROM raw_rows r"
        " LEFT JOIN trade_events e ON e.id = r.event_id WHERE r.file_id = %s"
        " ORDER BY r.row_no", (file_id,)).fetchall()


def lock_chunk_rows(conn: Any, file_id: Any, chunk_no: int) -> list[dict[str, Any]]:
    """The chunk's rows in order, locked for this transaction: row_no, state, `errors` (the
    parse result's, or None) and `event_json` (its canonical event as JSON text, or None).
    The event stays text: pydantic reads JSON text in one pass, where a dict from psycopg
    costs a Python JSON parse first and a walk of the dict after.

    No state filter in SQL: with one, stale statistics could send the planner to the
    (file_id, state) index and through every unprocessed row of a large file."""
    return conn.execute(
        "SELECT row_no, state, parse_result -> 'errors' AS errors,"
        " (parse_result -> 'event')::text AS event_json"
        " FROM raw_rows WHERE file_id = %s AND chunk_no = %s ORDER BY row_no FOR UPDATE",
        (str(file_id), chunk_no),
    ).fetchall()


# Set-based rather than executemany: a prepared statement's generic plan, on young tables with
# stale statistics, picked a (file_id, state) index over the primary key and made every update
# scan the file's rows. Joining the primary key against unnest() keeps each one a key lookup.
_UPDATE_ROWS = """
UPDATE raw_rows r
SET state = v.state, event_id = v.event_id, duplicate = v.duplicate, error = v.error,
    errors = v.errors::jsonb
FROM unnest(%(rows)b::int[], %(states)b::text[], %(events)b::uuid[], %(duplicates)b::bool[],
            %(errors)b::text[], %(details)b::text[])
     AS v(row_no, state, event_id, duplicate, error, errors)
WHERE r.file_id = %(file)s AND r.row_no = v.row_no
"""


def record_row_outcomes(conn: Any, file_id: Any, updates: Sequence[dict[str, Any]]) -> None:
    """What process made of each row, in one statement: `updates` are dicts of row, state,
    event (id or None), duplicate, error (text) and errors (list or None)."""
    conn.execute(_UPDATE_ROWS, {
        "file": str(file_id), "rows": [u["row"] for u in updates],
        "states": [u["state"] for u in updates], "events": [u["event"] for u in updates],
        "duplicates": [u["duplicate"] for u in updates],
        "errors": [u["error"] for u in updates],
        "details": [None if u["errors"] is None else json.dumps(u["errors"],
                                                                 ensure_ascii=False)
                    for u in updates]})


# -- what validation waits for -------------------------------------------------------------------

# Only the four columns it needs: with `r.*` the UNION compared whole rows, content and parse
# result included (about 1 ms of server time per validated event in the 100k bench).
_STORED_ROWS = """
SELECT r.uti, r.trade_id, r.file_id, r.row_no, f.received_at, f.object_key
FROM (SELECT r.* FROM unnest(%(utis)b::text[]) AS u(uti)
      CROSS JOIN LATERAL (SELECT r.uti, r.trade_id, r.file_id, r.row_no FROM raw_rows r
                          WHERE r.tenant_id = %(tenant)s AND r.state = 'stored'
                            AND r.uti = u.uti) AS r
      UNION
      SELECT r.* FROM unnest(%(trade_ids)b::text[]) AS t(trade_id)
      CROSS JOIN LATERAL (SELECT r.uti, r.trade_id, r.file_id, r.row_no FROM raw_rows r
                          WHERE r.tenant_id = %(tenant)s AND r.state = 'stored'
                            AND r.trade_id = t.trade_id) AS r) AS r
JOIN ingest_files f ON f.id = r.file_id
"""

_READING_FILES = """
SELECT id, object_key, received_at FROM ingest_files
WHERE tenant_id = %(tenant)s AND status IN ('received', 'parsing') AND received_at < %(before)s
ORDER BY received_at
"""


def unprocessed_rows_of(conn: Any, tenant_id: str, utis: Sequence[str],
                        trade_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Rows still `stored` (not processed yet) of these UTIs or trade ids, with their file's
    arrival and key. LATERAL: one index lookup per UTI / trade id, whatever the planner's
    estimates."""
    return conn.execute(_STORED_ROWS, {
        "tenant": tenant_id, "utis": utis, "trade_ids": trade_ids,
    }).fetchall()


def files_being_read(conn: Any, tenant_id: str, before: Any) -> list[dict[str, Any]]:
    """The tenant's files received before `before` and not fully read yet, oldest first."""
    return conn.execute(_READING_FILES, {"tenant": tenant_id, "before": before}).fetchall()
