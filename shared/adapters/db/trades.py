"""Trades: `trades`, one row per tenant and UTI, what the trades list shows.

Upserted by process (and repair) from what its events say of the trade; its `state`,
`last_event_id` and `last_action_type` are refreshed by every stage that moves one of its
events (`shared.services.pipeline.trade_state.refresh_trades` computes them from the rows
read here), its `lifecycle` by validation.

Plain SQL with no domain imports, so that the stages that do not parse trades (submit,
feedback) carry nothing more into their cold start. Every function runs in the caller's
transaction and tenant scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.adapters.db.trade_events import ACTION_RANK_SQL

_UPSERT_TRADE = """
INSERT INTO trades (tenant_id, uti, trade_id, asset_class, product, counterparty_1,
    counterparty_2, lifecycle, state, regimes, executed_at)
VALUES (%(tenant)s, %(uti)s, %(trade_id)s, %(asset_class)s, %(product)s, %(cp1)s, %(cp2)s,
    'unreported', 'received', %(regimes)s, %(executed)s)
ON CONFLICT (tenant_id, uti) DO UPDATE SET
    trade_id = coalesce(EXCLUDED.trade_id, trades.trade_id),
    asset_class = coalesce(EXCLUDED.asset_class, trades.asset_class),
    product = coalesce(EXCLUDED.product, trades.product),
    counterparty_1 = coalesce(EXCLUDED.counterparty_1, trades.counterparty_1),
    counterparty_2 = coalesce(EXCLUDED.counterparty_2, trades.counterparty_2),
    regimes = ARRAY(SELECT DISTINCT r FROM unnest(trades.regimes || EXCLUDED.regimes) AS r
                    ORDER BY r),
    executed_at = coalesce(trades.executed_at, EXCLUDED.executed_at),
    updated_at = now()
"""


def upsert_trade_rows(conn: Any, params: Sequence[dict[str, Any]]) -> None:
    """Insert or fill in each trade (dicts of tenant, uti, trade_id, asset_class, product, cp1,
    cp2, regimes, executed): what is known is kept, regimes are merged. Give them in UTI order
    (a fixed lock order: concurrent chunks cannot deadlock here)."""
    with conn.cursor() as cur:
        cur.executemany(_UPSERT_TRADE, params)


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


def lock_trades(conn: Any, tenant_id: Any, utis: Sequence[str]) -> None:
    """Lock the trades (FOR NO KEY UPDATE) in UTI order: two stages refreshing one trade at
    once then take turns."""
    conn.execute("SELECT 1 FROM trades WHERE tenant_id = %s AND uti = ANY(%s::text[])"
                 " ORDER BY uti FOR NO KEY UPDATE", (str(tenant_id), sorted(set(utis))))


def events_of_trades(conn: Any, tenant_id: Any, utis: Sequence[str]) -> list[dict[str, Any]]:
    """uti, id, action_type, state and rank of the trades' events but the superseded, in
    lifecycle order per UTI."""
    return conn.execute(_TRADE_EVENTS,
                        {"tenant": str(tenant_id), "utis": list(utis)}).fetchall()


def set_trade_states(conn: Any, tenant_id: Any, utis: Sequence[str], event_ids: Sequence[Any],
                     actions: Sequence[str], states: Sequence[str]) -> None:
    """Each trade's latest event (id, action type) and state, in one statement."""
    conn.execute(
        "UPDATE trades t SET last_event_id = v.event_id, last_action_type = v.action,"
        " state = v.state, updated_at = now()"
        " FROM unnest(%s::text[], %s::uuid[], %s::text[], %s::text[]) AS v(uti, event_id,"
        " action, state) WHERE t.tenant_id = %s AND t.uti = v.uti",
        (list(utis), list(event_ids), list(actions), list(states), str(tenant_id)))


def set_lifecycles(conn: Any, tenant_id: str, utis: Sequence[str],
                   lifecycles: Sequence[str]) -> None:
    """Each trade's lifecycle (unreported / live / terminated / errored / ported), set-based
    and keyed on the primary key."""
    conn.execute("UPDATE trades t SET lifecycle = v.lifecycle, updated_at = now()"
                 " FROM unnest(%s::text[], %s::text[]) AS v(uti, lifecycle)"
                 " WHERE t.tenant_id = %s AND t.uti = v.uti", (list(utis), lifecycles, tenant_id))
