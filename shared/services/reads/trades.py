"""Trades: the current state per UTI (list), and one UTI's whole history (detail)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db.deadlines import SETTLED
from shared.adapters.db.reads import trades as db
from shared.platform import clock
from shared.services.monitoring.settings import MonitorSettings
from shared.services.reads.diffs import payload_diff
from shared.services.reads.errors import named_field
from shared.services.reads.filters import TradesQuery
from shared.services.reads.listing import fetch_counted_page
from shared.services.reads.values import jsonable

MAX_EVENTS = 1000  # a trade's history in one answer; beyond that the detail says truncated


def list_trades(conn: psycopg.Connection[Any], query: TradesQuery, *,
                at_risk_window_s: int = MonitorSettings.at_risk_window_s) -> dict[str, Any]:
    """One page of trades in the asked order (default: most recently changed first), with
    the total of the whole selection (`total_capped`: at least `total`); `at_risk_window_s`
    is the monitor's, for `due=at_risk`."""
    sort, keys = db.sort_for(query.sort, query.order)
    # a rare term is read from the trigram index; a common one by walking the list's order
    sparse = not query.q or db.search_hits(conn, query.q, db.SPARSE_SEARCH) <= db.SPARSE_SEARCH
    where = db.trades_where(
        state=query.state, regime=query.regime, asset_class=query.asset_class,
        action_type=query.action_type, executed_from=query.executed_from,
        executed_to=query.executed_to, updated_from=query.updated_from,
        updated_to=query.updated_to, uti=query.uti, trade_id=query.trade_id, q=query.q,
        counterparty=query.counterparty, due=query.due, at_risk_window_s=at_risk_window_s,
        sparse_search=sparse)
    result = fetch_counted_page(
        query, sort, keys, lambda after, limit: db.trades_page(conn, where, sort, after, limit),
        lambda cap: db.trades_count(conn, where, cap))
    for item in result["items"]:
        for name in db.SORT_ONLY:
            item.pop(name, None)
    return result


def trade_detail(conn: psycopg.Connection[Any], uti: str,
                 now: datetime | None = None) -> dict[str, Any] | None:
    """Everything about one UTI, or None when the tenant has no such trade (API: 404).

    Events come in lifecycle order, numbered `seq` 1..n in that order (an event's own
    `version` counts repairs of that one event, so it is 1 for nearly all), each with
    `changes` against the previous event and its `routing` (who reports it under which
    regimes, and why; null for an event stored before routing). On top: the `current` event
    (whose fields are the trade's now), the `deadline` and, per regime, what the TR said
    about this trade's latest report (`tr_status`), never the whole report file's counts."""
    if not uti or len(uti) > 100:
        return None
    trade = db.trade_row(conn, uti)
    events = db.trade_events(conn, uti, MAX_EVENTS + 1)
    if trade is None and not events:
        return None
    truncated = len(events) > MAX_EVENTS
    events = events[-MAX_EVENTS:]  # the newest: the oldest are the ones left out
    total = int(events[0]["total"]) if events else 0
    ids = [e["id"] for e in events]
    previous: dict[str, Any] | None = None
    for n, event in enumerate(events):
        del event["total"]
        event["seq"] = total - len(events) + n + 1
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
        for item in event["report_items"]:  # the field a NACK names, as the errors list has it
            item["field"], item["value"] = named_field(item["tr_message"], event["payload"])
    now = now or clock.now()
    return jsonable({"trade": trade, "current": _current(trade, events),
                     "deadline": _deadline(events, now), "tr_status": _tr_status(events, items),
                     "events": events, "events_truncated": truncated,
                     "submissions": submissions, "feedback": feedback, "audit": audit})


def _current(trade: dict[str, Any] | None, events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The event whose fields are the trade's now: the trade's last event, else the newest
    one not replaced by a repair."""
    last = trade["last_event_id"] if trade else None
    found = next((e for e in events if e["id"] == last), None) if last else None
    found = found or next((e for e in reversed(events) if e["state"] != "superseded"), None)
    return {"event_id": found["id"], "seq": found["seq"], "payload": found["payload"]} \
        if found else None


def _deadline(events: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """The earliest deadline still owed (an event not yet acknowledged, as the deadline alert
    counts them): `open` ahead, `late` past; with none owed, whether the latest acknowledged
    event made its deadline (`met` / `missed`), else `none`."""
    owed = [e for e in events if e["state"] not in SETTLED and e["deadline_at"] is not None]
    if owed:
        first = min(owed, key=lambda e: e["deadline_at"])
        status = "late" if first["deadline_at"] <= now else "open"
        return {"status": status, "due_at": first["deadline_at"], "event_id": first["id"],
                "seq": first["seq"]}
    acked = [e for e in events if e["state"] == "acked" and e["deadline_at"] is not None]
    if acked:
        last = acked[-1]
        status = "missed" if last["updated_at"] > last["deadline_at"] else "met"
        return {"status": status, "due_at": last["deadline_at"], "event_id": last["id"],
                "seq": last["seq"]}
    return {"status": "none", "due_at": None, "event_id": None, "seq": None}


def _tr_status(events: list[dict[str, Any]],
               items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per regime, this trade's latest report item (newest report file): its status, TR code
    and message and the event it reported."""
    seq = {e["id"]: e["seq"] for e in events}
    latest: dict[str, dict[str, Any]] = {}
    for item in items:  # report files oldest first: the last one per regime wins
        latest[item["regime"]] = {**item, "seq": seq[item["event_id"]]}
    return [latest[r] for r in sorted(latest)]
