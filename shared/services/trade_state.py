"""A trade's current state (`trades.state`, what the trades list shows), kept by every stage
that moves one of its events: process, validate, generate, submit, feedback and the operator
actions. Plain SQL with no domain imports, so that the stages that do not parse trades
(submit, feedback) carry nothing more into their cold start."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import psycopg

# A UTI's events in the order the lifecycle sees them (the same order generate reports them
# in): event timestamp; at the same instant what opens a trade before what changes or ends it;
# then arrival, then position in the file.
ACTION_RANK_SQL = ("CASE e.action_type WHEN 'NEWT' THEN 0 WHEN 'POSC' THEN 0 WHEN 'TERM' THEN 2"
                   " WHEN 'EROR' THEN 3 ELSE 1 END")
EVENT_ORDER_SQL = "e.event_timestamp, rank, e.created_at, e.row_no NULLS LAST, e.id"


# Per UTI through LATERAL: an index lookup per trade whatever the planner's (often stale, on a
# table that grew by thousands of rows a minute ago) estimates; `uti = ANY(...)` let it scan
# every event of the tenant instead, and processing slowed down as the table grew.
_TRADE_EVENTS = f"""
SELECT e.uti, e.id, e.action_type, e.state, e.rank
FROM unnest(%(utis)s::text[]) AS u(uti)
CROSS JOIN LATERAL (
    SELECT e.uti, e.id, e.action_type, e.state, e.event_timestamp, e.created_at, e.row_no,
           {ACTION_RANK_SQL} AS rank
    FROM trade_events e
    WHERE e.tenant_id = %(tenant)s AND e.uti = u.uti AND e.state <> 'superseded'
) AS e
ORDER BY e.uti, e.event_timestamp, e.rank, e.created_at, e.row_no NULLS LAST, e.id
"""


def refresh_trades(conn: psycopg.Connection[Any], tenant_id: uuid.UUID | str,
                   utis: Sequence[str]) -> None:
    """`trades.state`: `invalid` while any event of the trade waits for repair, `received`
    while any is not yet validated, else the state of its latest event (valid, reported,
    acked...); `last_event_id` / `last_action_type`: its latest event by the lifecycle order.

    Computed here rather than in one UPDATE ... FROM: on young tables the planner's row
    estimates turned that join into a quadratic nested loop (17 s for 400 trades)."""
    if not utis:
        return
    # The trades first, in UTI order: two stages refreshing one trade at once (e.g. the
    # feedback of a NEWT's file and of its MODI's) then take turns, and the second reads
    # the events as the first left them instead of writing a state computed before it.
    conn.execute("SELECT 1 FROM trades WHERE tenant_id = %s AND uti = ANY(%s::text[])"
                 " ORDER BY uti FOR NO KEY UPDATE", (str(tenant_id), sorted(set(utis))))
    events: dict[str, list[dict[str, Any]]] = {}
    for row in conn.execute(_TRADE_EVENTS, {"tenant": str(tenant_id), "utis": list(utis)}):
        events.setdefault(row["uti"], []).append(row)
    utis_, ids, actions, states_ = [], [], [], []
    for uti in sorted(events):
        rows = events[uti]
        states = {r["state"] for r in rows}
        latest = rows[-1]
        utis_.append(uti)
        ids.append(latest["id"])
        actions.append(latest["action_type"])
        states_.append("invalid" if "invalid" in states else
                       "received" if "received" in states else latest["state"])
    conn.execute(
        "UPDATE trades t SET last_event_id = v.event_id, last_action_type = v.action,"
        " state = v.state, updated_at = now()"
        " FROM unnest(%s::text[], %s::uuid[], %s::text[], %s::text[]) AS v(uti, event_id,"
        " action, state) WHERE t.tenant_id = %s AND t.uti = v.uti",
        (utis_, ids, actions, states_, str(tenant_id)))
