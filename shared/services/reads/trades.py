"""Trades: the current state per UTI (list), and one UTI's whole history (detail)."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from shared.adapters.db.reads import trades as db
from shared.services.monitoring.settings import MonitorSettings
from shared.services.reads.diffs import payload_diff
from shared.services.reads.filters import TradesQuery
from shared.services.reads.listing import fetch_page
from shared.services.reads.values import jsonable

MAX_EVENTS = 1000  # a trade's history in one answer; beyond that the detail says truncated


def list_trades(conn: psycopg.Connection[Any], query: TradesQuery, *,
                at_risk_window_s: int = MonitorSettings.at_risk_window_s) -> dict[str, Any]:
    """One page of trades, most recently changed first (`at_risk_window_s`: the monitor's, for
    `due=at_risk`)."""
    return fetch_page(query, db.SORT, db.KEYS, lambda after, limit: db.trades_page(
        conn, after=after, limit=limit, state=query.state, regime=query.regime,
        asset_class=query.asset_class, action_type=query.action_type,
        executed_from=query.executed_from, executed_to=query.executed_to,
        updated_from=query.updated_from, updated_to=query.updated_to, uti=query.uti,
        trade_id=query.trade_id, q=query.q, counterparty=query.counterparty, due=query.due,
        at_risk_window_s=at_risk_window_s))


def trade_detail(conn: psycopg.Connection[Any], uti: str) -> dict[str, Any] | None:
    """Everything about one UTI, or None when the tenant has no such trade (API: 404).

    Events come in lifecycle order, each with `changes` against the previous event."""
    if not uti or len(uti) > 100:
        return None
    trade = db.trade_row(conn, uti)
    events = db.trade_events(conn, uti, MAX_EVENTS + 1)
    if trade is None and not events:
        return None
    truncated = len(events) > MAX_EVENTS
    events = events[:MAX_EVENTS]
    ids = [e["id"] for e in events]
    previous: dict[str, Any] | None = None
    for event in events:
        event["changes"] = None if previous is None else payload_diff(previous, event["payload"])
        previous = event["payload"]
    issues = db.event_issues(conn, ids)
    items = db.event_report_items(conn, ids)
    files = sorted({i["report_file_id"] for i in items}, key=str)
    submissions = db.file_submissions(conn, files) if files else []
    feedback = db.file_feedback(conn, files) if files else []
    audit = db.trade_audit(conn, [str(i) for i in ids], uti)
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
