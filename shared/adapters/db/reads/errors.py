"""Reads the errors a user must act on: `validation_issues` by rule, NACKed `report_items` by
TR code, `dead_letters` by queue, `raw_rows` that did not parse by file (groups with counts, age,
deadline and a sample), the rows behind one group, and the issue rows of an export bundle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import psycopg

from shared.adapters.db.reads.paging import Sort, SortKey, count_rows, select_page
from shared.adapters.db.reads.where import Where

SORT = Sort("id", (SortKey("x.id", int),))
KEYS = ("id",)

# Per group: how many items still need action ("open": an issue not resolved, a NACK whose
# event is still nacked), the oldest of them and the nearest reporting deadline of their
# events, so that the service can put what needs action first.
_ISSUE_GROUPS = """
SELECT g.rule_id, g.severity, g.count, g.open, g.assigned, g.resolved, g.last_at,
       g.oldest_at, g.deadline_at, s.message, s.field, s.value, s.event_id, e.uti
FROM (
    SELECT i.rule_id, min(i.severity) AS severity, count(*) AS count,
           count(*) FILTER (WHERE i.status = 'open') AS open,
           count(*) FILTER (WHERE i.status = 'assigned') AS assigned,
           count(*) FILTER (WHERE i.status = 'resolved') AS resolved,
           max(i.created_at) AS last_at,
           min(i.created_at) FILTER (WHERE i.status <> 'resolved') AS oldest_at,
           min(ie.deadline_at) FILTER (WHERE i.status <> 'resolved') AS deadline_at,
           max(i.id) AS sample_id
    FROM validation_issues i JOIN trade_events ie ON ie.id = i.event_id WHERE {where}
    GROUP BY i.rule_id
) AS g
JOIN validation_issues s ON s.id = g.sample_id
JOIN trade_events e ON e.id = s.event_id
ORDER BY g.count DESC, g.rule_id
"""


def issue_groups(conn: psycopg.Connection[Any], *, status: Sequence[str] = (),
                 severity: Sequence[str] = (), regime: Sequence[str] = (),
                 event_id: Any = None) -> list[dict[str, Any]]:
    """One row per rule: counts by status, the oldest open issue, the nearest deadline of
    the open issues' events and the newest issue as a sample; `event_id`: only its rules."""
    w = Where("i.tenant_id = app.current_tenant()")
    w.any("i.status", status)
    w.any("i.severity", severity)
    w.any("i.regime", regime)
    w.maybe(event_id, "i.event_id = %s")
    return conn.execute(_ISSUE_GROUPS.format(where=w.sql), w.params).fetchall()


# A NACK needs action while its event is still `nacked` (a repair supersedes it, a
# resubmission sends it back to `valid`). First seen: when its report file was submitted.
_NACK_GROUPS = """
SELECT g.tr_code, g.count, g.open, g.files, g.oldest_at, g.deadline_at, g.last_at,
       s.tr_message, s.event_id, e.uti
FROM (
    SELECT ri.tr_code, count(*) AS count,
           count(*) FILTER (WHERE ie.state = 'nacked') AS open,
           count(DISTINCT ri.report_file_id) AS files,
           min(coalesce(rf.submitted_at, rf.created_at))
               FILTER (WHERE ie.state = 'nacked') AS oldest_at,
           min(ie.deadline_at) FILTER (WHERE ie.state = 'nacked') AS deadline_at,
           max(coalesce(rf.submitted_at, rf.created_at)) AS last_at,
           max(ri.id) AS sample_id
    FROM report_items ri
    JOIN trade_events ie ON ie.id = ri.event_id
    JOIN report_files rf ON rf.id = ri.report_file_id
    WHERE {where}
    GROUP BY ri.tr_code
) AS g
JOIN report_items s ON s.id = g.sample_id
JOIN trade_events e ON e.id = s.event_id
ORDER BY g.count DESC, g.tr_code NULLS LAST
"""


def nack_groups(conn: psycopg.Connection[Any], *, event_id: Any = None) -> list[dict[str, Any]]:
    """NACKed report items, one row per TR code (None when the TR gave none); `event_id`:
    only that event's."""
    w = Where("ri.tenant_id = app.current_tenant()", "ri.status = 'nacked'")
    w.maybe(event_id, "ri.event_id = %s")
    return conn.execute(_NACK_GROUPS.format(where=w.sql), w.params).fetchall()


_DEAD_GROUPS = """
SELECT d.queue, count(*) AS count, min(d.dead_at) AS oldest_at, max(d.dead_at) AS newest_at,
       (array_agg(d.last_error ORDER BY d.id DESC))[1] AS sample_error
FROM dead_letters d
WHERE d.tenant_id = app.current_tenant() AND d.redriven_at IS NULL
GROUP BY d.queue
ORDER BY count DESC, d.queue
"""


def dead_letter_groups(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """The tenant's dead letters not yet redriven, one row per queue."""
    return conn.execute(_DEAD_GROUPS).fetchall()


# Rows of ingested files that did not parse, per file (raw_rows_parse_error, migration 0014).
_PARSE_GROUPS = """
SELECT g.file_id, f.object_key, g.count, f.received_at AS oldest_at,
       s.error AS sample_error, g.first_row
FROM (
    SELECT r.file_id, count(*) AS count, min(r.row_no) AS first_row
    FROM raw_rows r
    WHERE r.tenant_id = app.current_tenant() AND r.state = 'parse_error'
    GROUP BY r.file_id
) AS g
JOIN ingest_files f ON f.id = g.file_id
JOIN raw_rows s ON s.file_id = g.file_id AND s.row_no = g.first_row
ORDER BY f.received_at DESC, g.file_id
"""


def parse_error_groups(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Ingested files with rows in `parse_error`: one row per file, its first error as a
    sample."""
    return conn.execute(_PARSE_GROUPS).fetchall()


# The rows behind one group; `event_state` says whether the event can still be repaired.
_ITEMS = {
    "rule": """SELECT x.id, x.event_id, e.uti, x.rule_id, x.severity, x.field, x.value,
        x.message, x.message_ko, x.regime, x.status, x.assignee, x.created_at, x.resolved_at,
        e.state AS event_state, e.deadline_at
        FROM validation_issues x JOIN trade_events e ON e.id = x.event_id""",
    "tr_code": """SELECT x.id, x.event_id, e.uti, x.report_file_id, x.position, x.record_ref,
        x.tr_code, x.tr_message, rf.regime, rf.tr_message_id, e.state AS event_state,
        e.deadline_at, coalesce(rf.submitted_at, rf.created_at) AS created_at,
        e.payload AS event_payload
        FROM report_items x JOIN trade_events e ON e.id = x.event_id
        JOIN report_files rf ON rf.id = x.report_file_id""",
    "queue": """SELECT x.id, x.queue, x.message_id, x.body, x.receive_count, x.last_error,
        x.sent_at, x.dead_at FROM dead_letters x""",
    # a raw row has no id of its own: its row number is unique within the file (the group)
    # the start of a row that did not parse (200 characters): enough to recognise it
    "parse": """SELECT x.row_no AS id, x.file_id, x.row_no, x.line_no, x.error,
        left(x.content, 200) AS content, f.object_key, f.received_at AS created_at
        FROM raw_rows x JOIN ingest_files f ON f.id = x.file_id""",
}

# A file's rows in file order.
PARSE_SORT = Sort("row", (SortKey("x.row_no", int),), ascending=True)


# What the items' filter reads: the group's own rows only (every join above is to the one
# row a foreign key names, so it neither adds nor drops rows), for the count.
_ITEMS_FROM = {"rule": "validation_issues x", "tr_code": "report_items x",
               "queue": "dead_letters x", "parse": "raw_rows x"}

ErrorKind = Literal["rule", "tr_code", "queue", "parse"]


def error_items_where(*, kind: ErrorKind, key: str, status: Sequence[str] = ()) -> Where:
    """The rows behind one group (`kind` rule / tr_code / queue / parse, `key` its value:
    the rule id, TR code, queue or ingest file id); `status` for kind rule only. `key` of
    kind parse must be a UUID (the caller checks)."""
    w = Where("x.tenant_id = app.current_tenant()")
    if kind == "rule":
        w.add("x.rule_id = %s", key)
        w.any("x.status", status)
    elif kind == "tr_code":
        w.add("x.status = 'nacked'").add("x.tr_code = %s", key)
    elif kind == "queue":
        w.add("x.queue = %s", key).add("x.redriven_at IS NULL")
    else:
        w.add("x.file_id = %s", key).add("x.state = 'parse_error'")
    return w


def error_items_page(conn: psycopg.Connection[Any], kind: ErrorKind, where: Where,
                     after: Sequence[Any] | None, limit: int) -> list[dict[str, Any]]:
    """Newest first (a file's rows in file order)."""
    sort = PARSE_SORT if kind == "parse" else SORT
    return select_page(conn, _ITEMS[kind], where.copy(), sort, after, limit)


def error_items_count(conn: psycopg.Connection[Any], kind: ErrorKind, where: Where,
                      cap: int) -> int:
    return count_rows(conn, _ITEMS_FROM[kind], where, cap)


_EXPORT_ISSUES = """
SELECT i.id, i.rule_id, i.severity, i.field, i.value, i.regime, i.message, i.status,
       i.assignee, i.created_at, i.resolved_at, e.id AS event_id, e.uti, e.trade_id,
       e.action_type, e.state AS event_state, f.object_key AS file, e.row_no
FROM validation_issues i JOIN trade_events e ON e.id = i.event_id
LEFT JOIN ingest_files f ON f.id = e.file_id
WHERE {where} ORDER BY i.id LIMIT %s
"""


def export_issues(conn: psycopg.Connection[Any], *, after_id: int, limit: int,
                  status: Sequence[str] = (), severity: Sequence[str] = (),
                  regime: Sequence[str] = (),
                  rule_id: str | None = None) -> list[dict[str, Any]]:
    """Validation issues with their event and file, by id after `after_id` (an export
    bundle's errors.csv, read `limit` rows at a time)."""
    w = Where("i.tenant_id = app.current_tenant()", "i.id > %s")
    w.params.append(after_id)
    w.any("i.status", status)
    w.any("i.severity", severity)
    w.any("i.regime", regime)
    w.maybe(rule_id, "i.rule_id = %s")
    return conn.execute(_EXPORT_ISSUES.format(where=w.sql), [*w.params, limit]).fetchall()
