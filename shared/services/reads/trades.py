"""Trades: the current state per UTI (list), and one UTI's whole history (detail)."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from shared.adapters.db.reads import trades as db
from shared.services.reads.diffs import payload_diff
from shared.services.reads.filters import TradesQuery
from shared.services.reads.listing import fetch_page
from shared.services.reads.values import jsonable

MAX_EVENTS = 1000  # a trade's history in one answer; beyond that the detail says truncated


# Totals are exact up to here, then "10,000+": a count never walks more than this many rows.
TOTAL_CAP = 10_000


def list_trades(conn: psycopg.Connection[Any], query: TradesQuery) -> dict[str, Any]:
    """One page of trades in the asked order (default: most recently changed first), with
    the total of the whole selection (`total_capped`: at least `total`)."""
    sort, keys = db.sort_for(query.sort, query.order)
    where = db.trades_where(
        state=query.state, regime=query.regime, asset_class=query.asset_class,
        action_type=query.action_type, executed_from=query.executed_from,
        executed_to=query.executed_to, updated_from=query.updated_from,
        updated_to=query.updated_to, uti=query.uti, trade_id=query.trade_id, q=query.q,
        counterparty=query.counterparty)
    result = fetch_page(query, sort, keys, lambda after, limit: db.trades_page(
        conn, where, sort, after, limit))
    for item in result["items"]:
        for name in db.SORT_ONLY:
            item.pop(name, None)
    if query.cursor is None and result["next_cursor"] is None:
        # The whole selection is this page: no second scan (a rare search term, the one
        # case that scans every trade, would otherwise pay its scan twice).
        counted = len(result["items"])
    else:
        counted = db.trades_count(conn, where, TOTAL_CAP)
    result["total"] = min(counted, TOTAL_CAP)
    result["total_capped"] = counted > TOTAL_CAP
    return result


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
