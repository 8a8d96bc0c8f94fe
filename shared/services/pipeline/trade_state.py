"""A trade's current state (`trades.state`, what the trades list shows), kept by every stage
that moves one of its events: process, validate, generate, submit, feedback and the operator
actions. No domain imports, so that the stages that do not parse trades (submit, feedback)
carry nothing more into their cold start; the SQL is in `shared.adapters.db.trades`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg

from shared.adapters.db import trades as trades_db

# The lifecycle order of a UTI's events, re-exported for the services that order by it.
from shared.adapters.db.trade_events import ACTION_RANK_SQL, EVENT_ORDER_SQL

__all__ = ["ACTION_RANK_SQL", "EVENT_ORDER_SQL", "refresh_trades"]


def refresh_trades(conn: psycopg.Connection[Any], tenant_id: uuid.UUID | str,
                   utis: Sequence[str], lifecycles: Mapping[str, str] | None = None) -> None:
    """`trades.state`: `invalid` while any event of the trade waits for repair, `received`
    while any is not yet validated, else the state of its latest event (valid, reported,
    acked...); `last_event_id` / `last_action_type`: its latest event by the lifecycle order;
    `lifecycle` where `lifecycles` names it (validation), in the same write.

    Computed here rather than in one UPDATE ... FROM: on young tables the planner's row
    estimates turned that join into a quadratic nested loop (17 s for 400 trades)."""
    if not utis:
        return
    # The trades first, in UTI order: two stages refreshing one trade at once (e.g. the
    # feedback of a NEWT's file and of its MODI's) then take turns, and the second reads
    # the events as the first left them instead of writing a state computed before it.
    trades_db.lock_trades(conn, tenant_id, utis)
    utis_, ids, actions, states_ = [], [], [], []
    for row in trades_db.trade_summaries(conn, tenant_id, utis):
        utis_.append(row["uti"])
        ids.append(row["id"])
        actions.append(row["action_type"])
        states_.append("invalid" if row["any_invalid"] else
                       "received" if row["any_received"] else row["state"])
    trades_db.set_trade_states(conn, tenant_id, utis_, ids, actions, states_,
                               [(lifecycles or {}).get(uti) for uti in utis_])
