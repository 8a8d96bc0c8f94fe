"""Reads the errors a user must act on: `validation_issues` by rule, NACKed `report_items` by
TR code, `dead_letters` by queue (groups with counts and a sample), the rows behind one group,
and the issue rows of an export bundle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import psycopg

from shared.adapters.db.reads.paging import Sort, SortKey, select_page
from shared.adapters.db.reads.where import Where

SORT = Sort("id", (SortKey("x.id", int),))
KEYS = ("id",)

_ISSUE_GROUPS = """
SELECT g.rule_id, g.severity, g.count, g.open, g.assigned, g.resolved, g.last_at,
       s.message, s.field, s.value, s.event_id, e.uti
FROM (
    SELECT i.rule_id, min(i.severity) AS severity, count(*) AS count,
           count(*) FILTER (WHERE i.status = 'open') AS open,
           count(*) FILTER (WHERE i.status = 'assigned') AS assigned,
           count(*) FILTER (WHERE i.status = 'resolved') AS resolved,
           max(i.created_at) AS last_at, max(i.id) AS sample_id
    FROM validation_issues i WHERE {where}
    GROUP BY i.rule_id
) AS g
JOIN validation_issues s ON s.id = g.sample_id
JOIN trade_events e ON e.id = s.event_id
ORDER BY g.count DESC, g.rule_id
"""


def issue_groups(conn: psycopg.Connection[Any], *, status: Sequence[str] = (),
                 severity: Sequence[str] = (),
                 regime: Sequence[str] = ()) -> list[dict[str, Any]]:
    """One row per rule: counts by status and the newest issue as a sample."""
    w = Where("i.tenant_id = app.current_tenant()")
    w.any("i.status", status)
    w.any("i.severity", severity)
    w.any("i.regime", regime)
    return conn.execute(_ISSUE_GROUPS.format(where=w.sql), w.params).fetchall()


_NACK_GROUPS = """
SELECT g.tr_code, g.count, g.files, s.tr_message, s.event_id, e.uti
FROM (
    SELECT ri.tr_code, count(*) AS count,
           count(DISTINCT ri.report_file_id) AS files, max(ri.id) AS sample_id
    FROM report_items ri
    WHERE ri.tenant_id = app.current_tenant() AND ri.status = 'nacked'
    GROUP BY ri.tr_code
) AS g
JOIN report_items s ON s.id = g.sample_id
JOIN trade_events e ON e.id = s.event_id
ORDER BY g.count DESC, g.tr_code NULLS LAST
"""


def nack_groups(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """NACKed report items, one row per TR code (None when the TR gave none)."""
    return conn.execute(_NACK_GROUPS).fetchall()


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


_ITEMS = {
    "rule": """SELECT x.id, x.event_id, e.uti, x.rule_id, x.severity, x.field, x.value,
        x.message, x.message_ko, x.regime, x.status, x.assignee, x.created_at, x.resolved_at
        FROM validation_issues x JOIN trade_events e ON e.id = x.event_id""",
    "tr_code": """SELECT x.id, x.event_id, e.uti, x.report_file_id, x.position, x.record_ref,
        x.tr_code, x.tr_message, rf.regime, rf.tr_message_id, e.payload AS event_payload
        FROM report_items x JOIN trade_events e ON e.id = x.event_id
        JOIN report_files rf ON rf.id = x.report_file_id""",
    "queue": """SELECT x.id, x.queue, x.message_id, x.body, x.receive_count, x.last_error,
        x.sent_at, x.dead_at FROM dead_letters x""",
}


def error_items_page(conn: psycopg.Connection[Any], *, kind: Literal["rule", "tr_code", "queue"],
                     key: str, after: Sequence[Any] | None, limit: int,
                     status: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The rows behind one group (`kind` rule / tr_code / queue, `key` its value), newest
    first; `status` for kind rule only."""
    w = Where("x.tenant_id = app.current_tenant()")
    if kind == "rule":
        w.add("x.rule_id = %s", key)
        w.any("x.status", status)
    elif kind == "tr_code":
        w.add("x.status = 'nacked'").add("x.tr_code = %s", key)
    else:
        w.add("x.queue = %s", key).add("x.redriven_at IS NULL")
    return select_page(conn, _ITEMS[kind], w, SORT, after, limit)


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
