"""Errors a user must act on: validation issues by rule, NACKs by TR code, dead letters by
queue, each with counts and a sample; and the paginated list behind one group."""

from __future__ import annotations

from typing import Any

import psycopg

from shared.services.queries.filters import ErrorItemsQuery, IssuesQuery
from shared.services.queries.listing import fetch_page
from shared.services.queries.paging import Sort, SortKey
from shared.services.queries.sql import Where
from shared.services.queries.values import jsonable

SORT = Sort("id", (SortKey("x.id", int),))

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


def issue_groups(conn: psycopg.Connection[Any], query: IssuesQuery) -> dict[str, Any]:
    """Validation issues grouped by rule: counts by status and the newest one as a sample.
    All groups at once (there are as many as rules): `next_cursor` is always None."""
    w = Where("i.tenant_id = app.current_tenant()")
    w.any("i.status", query.status)
    w.any("i.severity", query.severity)
    w.any("i.regime", query.regime)
    rows = conn.execute(_ISSUE_GROUPS.format(where=w.sql), w.params).fetchall()
    groups = [{
        "rule_id": r["rule_id"], "severity": r["severity"], "count": r["count"],
        "by_status": {"open": r["open"], "assigned": r["assigned"], "resolved": r["resolved"]},
        "last_at": r["last_at"],
        "sample": {"message": r["message"], "field": r["field"], "value": r["value"],
                   "event_id": r["event_id"], "uti": r["uti"]},
    } for r in rows]
    return {"items": jsonable(groups), "next_cursor": None}


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


def nack_groups(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """NACKed report items grouped by the TR's code (None when the TR gave none)."""
    rows = conn.execute(_NACK_GROUPS).fetchall()
    groups = [{"tr_code": r["tr_code"], "count": r["count"], "files": r["files"],
               "sample": {"message": r["tr_message"], "event_id": r["event_id"],
                          "uti": r["uti"]}} for r in rows]
    return {"items": jsonable(groups), "next_cursor": None}


_DEAD_GROUPS = """
SELECT d.queue, count(*) AS count, min(d.dead_at) AS oldest_at, max(d.dead_at) AS newest_at,
       (array_agg(d.last_error ORDER BY d.id DESC))[1] AS sample_error
FROM dead_letters d
WHERE d.tenant_id = app.current_tenant() AND d.redriven_at IS NULL
GROUP BY d.queue
ORDER BY count DESC, d.queue
"""


def dead_letter_groups(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """The tenant's dead letters not yet redriven, by queue."""
    return {"items": jsonable(conn.execute(_DEAD_GROUPS).fetchall()), "next_cursor": None}


_ITEMS = {
    "rule": """SELECT x.id, x.event_id, e.uti, x.rule_id, x.severity, x.field, x.value,
        x.message, x.message_ko, x.regime, x.status, x.assignee, x.created_at, x.resolved_at
        FROM validation_issues x JOIN trade_events e ON e.id = x.event_id""",
    "tr_code": """SELECT x.id, x.event_id, e.uti, x.report_file_id, x.position, x.record_ref,
        x.tr_code, x.tr_message, rf.regime, rf.tr_message_id
        FROM report_items x JOIN trade_events e ON e.id = x.event_id
        JOIN report_files rf ON rf.id = x.report_file_id""",
    "queue": """SELECT x.id, x.queue, x.message_id, x.body, x.receive_count, x.last_error,
        x.sent_at, x.dead_at FROM dead_letters x""",
}


def error_items(conn: psycopg.Connection[Any], query: ErrorItemsQuery) -> dict[str, Any]:
    """The rows behind one group (`kind` rule / tr_code / queue, `key` its value), newest
    first."""
    w = Where("x.tenant_id = app.current_tenant()")
    if query.kind == "rule":
        w.add("x.rule_id = %s", query.key)
        w.any("x.status", query.status)
    elif query.kind == "tr_code":
        w.add("x.status = 'nacked'").add("x.tr_code = %s", query.key)
    else:
        w.add("x.queue = %s", query.key).add("x.redriven_at IS NULL")
    return fetch_page(conn, _ITEMS[query.kind], w, SORT, query, ("id",))
