"""Trades: the current state per UTI (list), and one UTI's whole history (detail)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import psycopg

from shared.services.queries.diffs import payload_diff
from shared.services.queries.filters import TradesQuery
from shared.services.queries.listing import fetch_page
from shared.services.queries.paging import Sort, SortKey
from shared.services.queries.sql import Where, prefix_params, prefix_sql
from shared.services.queries.values import jsonable

SORT = Sort("updated", (SortKey("t.updated_at", datetime), SortKey("t.uti", str)))
_KEYS = ("updated_at", "uti")
MAX_EVENTS = 1000  # a trade's history in one answer; beyond that the detail says truncated

_COLUMNS = """t.uti, t.trade_id, t.asset_class, t.product, t.counterparty_1, t.counterparty_2,
    t.counterparty_2_name, t.lifecycle, t.state, t.last_event_id, t.last_action_type,
    t.regimes, t.executed_at, t.updated_at"""


def _where(f: TradesQuery) -> Where:
    w = Where("t.tenant_id = app.current_tenant()")
    w.any("t.state", f.state)
    w.maybe(f.regime, "t.regimes && %s::text[]")
    w.any("t.asset_class", f.asset_class)
    w.any("t.last_action_type", f.action_type)
    w.maybe(f.executed_from, "t.executed_at >= %s")
    w.maybe(f.executed_to, "t.executed_at < %s")
    w.maybe(f.updated_from, "t.updated_at >= %s")
    w.maybe(f.updated_to, "t.updated_at < %s")
    w.prefix("t.uti", f.uti)
    w.prefix("t.trade_id", f.trade_id)
    if f.q:
        w.add(f"{prefix_sql('t.uti')} OR {prefix_sql('t.trade_id')}",
              *prefix_params(f.q), *prefix_params(f.q))
    if f.counterparty:
        # Either side's LEI, or the other side's name (case-insensitive): a BitmapOr of
        # three prefix indexes.
        name = f.counterparty.lower()
        w.add(f"{prefix_sql('t.counterparty_1')} OR {prefix_sql('t.counterparty_2')}"
              f" OR {prefix_sql('t.counterparty_2_name_key')}",
              *prefix_params(f.counterparty), *prefix_params(f.counterparty),
              *prefix_params(name))
    return w


def list_trades(conn: psycopg.Connection[Any], query: TradesQuery) -> dict[str, Any]:
    """One page of trades, most recently changed first."""
    return fetch_page(conn, f"SELECT {_COLUMNS} FROM trades t", _where(query), SORT, query,
                      _KEYS)


_EVENTS = """
SELECT e.id, e.version, e.source, e.action_type, e.event_type, e.event_timestamp, e.state,
       e.asset_class, e.regimes, e.reported_regimes, e.file_id, e.row_no, e.prior_uti,
       e.trade_id, e.supersedes, e.deadline_at, e.waiting_for, e.enrichment, e.validated_at,
       e.created_at, e.updated_at, e.payload
FROM trade_events e
WHERE e.tenant_id = app.current_tenant() AND e.uti = %s
ORDER BY e.event_timestamp, e.created_at, e.row_no NULLS LAST, e.id
LIMIT %s
"""

_ISSUES = """
SELECT i.id, i.event_id, i.rule_id, i.severity, i.field, i.value, i.message, i.message_ko,
       i.regime, i.status, i.assignee, i.created_at, i.resolved_at
FROM validation_issues i
WHERE i.tenant_id = app.current_tenant() AND i.event_id = ANY(%s)
ORDER BY i.event_id, i.id
"""

_ITEMS = """
SELECT ri.id, ri.event_id, ri.report_file_id, ri.position, ri.record_ref, ri.status,
       ri.tr_code, ri.tr_message, rf.regime, rf.tr, rf.status AS file_status,
       rf.tr_message_id, rf.created_at AS file_created_at, rf.submitted_at
FROM report_items ri JOIN report_files rf ON rf.id = ri.report_file_id
WHERE ri.tenant_id = app.current_tenant() AND ri.event_id = ANY(%s)
ORDER BY rf.created_at, ri.id
"""

_SUBMISSIONS = """
SELECT s.id, s.report_file_id, s.attempt, s.started_at, s.finished_at, s.http_status,
       s.tr_message_id, s.outcome, s.error
FROM submissions s
WHERE s.tenant_id = app.current_tenant() AND s.report_file_id = ANY(%s)
ORDER BY s.report_file_id, s.attempt
"""

_FEEDBACK = """
SELECT f.id, f.report_file_id, f.object_key, f.status, f.tr_message_id, f.ack_count,
       f.nack_count, f.error, f.deliveries, f.received_at, f.last_seen_at
FROM tr_feedback f
WHERE f.tenant_id = app.current_tenant() AND f.report_file_id = ANY(%s)
ORDER BY f.received_at, f.id
"""

_AUDIT = """
SELECT a.id, a.at, a.actor, a.actor_type, a.action, a.entity_type, a.entity_id, a.before,
       a.after, a.request_id
FROM audit_log a
WHERE a.tenant_id = app.current_tenant()
  AND ((a.entity_type = 'trade_event' AND a.entity_id = ANY(%s))
       OR (a.entity_type = 'trade' AND a.entity_id = %s))
ORDER BY a.at, a.id
"""


def trade_detail(conn: psycopg.Connection[Any], uti: str) -> dict[str, Any] | None:
    """Everything about one UTI, or None when the tenant has no such trade (API: 404).

    Events come in lifecycle order, each with `changes` against the previous event."""
    if not uti or len(uti) > 100:
        return None
    trade = conn.execute(f"SELECT {_COLUMNS} FROM trades t"
                         " WHERE t.tenant_id = app.current_tenant() AND t.uti = %s",
                         (uti,)).fetchone()
    events = conn.execute(_EVENTS, (uti, MAX_EVENTS + 1)).fetchall()
    if trade is None and not events:
        return None
    truncated = len(events) > MAX_EVENTS
    events = events[:MAX_EVENTS]
    ids = [e["id"] for e in events]
    previous: dict[str, Any] | None = None
    for event in events:
        event["changes"] = None if previous is None else payload_diff(previous, event["payload"])
        previous = event["payload"]
    issues = conn.execute(_ISSUES, (ids,)).fetchall()
    items = conn.execute(_ITEMS, (ids,)).fetchall()
    files = sorted({i["report_file_id"] for i in items}, key=str)
    submissions = conn.execute(_SUBMISSIONS, (files,)).fetchall() if files else []
    feedback = conn.execute(_FEEDBACK, (files,)).fetchall() if files else []
    audit = conn.execute(_AUDIT, ([str(i) for i in ids], uti)).fetchall()
    by_event: dict[uuid.UUID, dict[str, list]] = {i: {"issues": [], "report_items": []}
                                                 for i in ids}
    for issue in issues:
        by_event[issue["event_id"]]["issues"].append(issue)
    for item in items:
        by_event[item["event_id"]]["report_items"].append(item)
    for event in events:
        event.update(by_event[event["id"]])
    return jsonable({"trade": trade, "events": events, "events_truncated": truncated,
                     "submissions": submissions, "feedback": feedback, "audit": audit})
