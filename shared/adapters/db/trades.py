"""Trades: `trades`, one row per tenant and UTI, what the trades list shows.

Upserted by process (and repair) from what its events say of the trade; its `state`,
`last_event_id` and `last_action_type` are refreshed by every stage that moves one of its
events (`shared.services.pipeline.trade_state.refresh_trades` computes them from the rows
read here), its `lifecycle` by validation (in the same write).

Plain SQL with no domain imports, so that the stages that do not parse trades (submit,
feedback) carry nothing more into their cold start. Every function runs in the caller's
transaction and tenant scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.adapters.db.trade_events import ACTION_RANK_SQL, unit_separated


# What the trades list shows of a trade, from its events (the one definition: the refresh and
# the insert of a new trade both use it): `invalid` while any event waits for repair,
# `received` while any is not yet judged, else the state of its latest event by the lifecycle
# order (newest first below). Per UTI through LATERAL: index lookups per trade whatever the
# planner's (often stale, on a table that grew by thousands of rows a minute ago) estimates;
# `uti = ANY(...)` let it scan every event of the tenant instead. Its latest event is walked
# backwards from the (tenant, uti, event_timestamp) index, and the two flags come from small
# partial indexes, not from every event of a trade with a year of valuations.
def _shown(uti: str) -> str:
    """A LATERAL item `shown` (id, action_type of the latest event; state shown) of `uti`."""
    return f"""LATERAL (
    SELECT last.id, last.action_type, CASE
        WHEN EXISTS (SELECT 1 FROM trade_events i WHERE i.tenant_id = %(tenant)s
                     AND i.uti = {uti} AND i.state = 'invalid') THEN 'invalid'
        WHEN EXISTS (SELECT 1 FROM trade_events r WHERE r.tenant_id = %(tenant)s
                     AND r.uti = {uti} AND r.state = 'received') THEN 'received'
        ELSE last.state END AS state
    FROM (SELECT e.id, e.action_type, e.state, {ACTION_RANK_SQL} AS rank
          FROM trade_events e
          WHERE e.tenant_id = %(tenant)s AND e.uti = {uti} AND e.state <> 'superseded'
          ORDER BY e.event_timestamp DESC, rank DESC, e.created_at DESC,
                   e.row_no DESC NULLS FIRST, e.id DESC
          LIMIT 1) AS last
) AS shown"""


# A new trade is inserted as its refresh would leave it (its state and latest event; its
# lifecycle where validation just gave it), so that no refresh has to write it again, and the
# counterparty name (the insert trigger reads it from that event) is in its search text from
# the start: each later rewrite of the row costs an entry in each of its twelve indexes and,
# for the name, a trigram update. A trade that exists keeps what it shows until its refresh.
# One statement per batch (a statement per trade ran the search index's statement trigger
# once per trade). Regimes travel joined by U+001F (trade_events.unit_separated).
_UPSERT_TRADES = f"""
INSERT INTO trades (tenant_id, uti, trade_id, asset_class, product, counterparty_1,
    counterparty_2, lifecycle, state, regimes, executed_at, last_event_id, last_action_type)
SELECT %(tenant)s, v.uti, v.trade_id, v.asset_class, v.product, v.cp1, v.cp2,
    coalesce(v.lifecycle, 'unreported'), coalesce(shown.state, 'received'),
    string_to_array(v.regimes, chr(31)), v.executed, shown.id, shown.action_type
FROM unnest(%(uti)b::text[], %(trade_id)b::text[], %(asset_class)b::text[], %(product)b::text[],
            %(cp1)b::text[], %(cp2)b::text[], %(regimes)b::text[], %(executed)b::timestamptz[],
            %(lifecycle)b::text[])
     AS v(uti, trade_id, asset_class, product, cp1, cp2, regimes, executed, lifecycle)
LEFT JOIN {_shown("v.uti")} ON true
ORDER BY v.uti
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
-- A later event of a known trade usually says nothing new of it: no new row version then
-- (each costs a tuple, an entry in every index of the table and its WAL); the refresh of the
-- trade's state that follows moves updated_at anyway.
WHERE (trades.trade_id, trades.asset_class, trades.product, trades.counterparty_1,
       trades.counterparty_2, trades.regimes, trades.executed_at)
  IS DISTINCT FROM
      (coalesce(EXCLUDED.trade_id, trades.trade_id),
       coalesce(EXCLUDED.asset_class, trades.asset_class),
       coalesce(EXCLUDED.product, trades.product),
       coalesce(EXCLUDED.counterparty_1, trades.counterparty_1),
       coalesce(EXCLUDED.counterparty_2, trades.counterparty_2),
       ARRAY(SELECT DISTINCT r FROM unnest(trades.regimes || EXCLUDED.regimes) AS r
             ORDER BY r),
       coalesce(trades.executed_at, EXCLUDED.executed_at))
-- xmax is 0 only in a row version this statement inserted (the usual test; PostgreSQL 15 has
-- no RETURNING old.*): the others are trades that existed, whose state is refreshed.
RETURNING trades.uti, (trades.xmax = 0) AS inserted
"""


def upsert_trade_rows(conn: Any, params: Sequence[dict[str, Any]]) -> set[str]:
    """Insert or fill in each trade (dicts of tenant, uti, trade_id, asset_class, product, cp1,
    cp2, regimes, executed), one statement: what is known is kept, regimes are merged; a new
    trade comes with its state, latest event and, where given, lifecycle. One tenant, each UTI
    once; rows are taken in UTI order (a fixed lock order: concurrent chunks cannot deadlock
    here). Returns the UTIs of the trades inserted now (the others existed: their state needs
    a refresh)."""
    if not params:
        return set()
    tenants = {str(p["tenant"]) for p in params}
    if len(tenants) != 1:
        raise ValueError(f"upsert_trade_rows: one tenant per batch, got {len(tenants)}")
    columns = ("uti", "trade_id", "asset_class", "product", "cp1", "cp2", "executed",
               "lifecycle")
    arrays: dict[str, Any] = {name: [p.get(name) for p in params] for name in columns}
    arrays["regimes"] = [unit_separated(p["regimes"]) for p in params]
    rows = conn.execute(_UPSERT_TRADES, {"tenant": tenants.pop(), **arrays}).fetchall()
    return {row["uti"] for row in rows if row["inserted"]}


# Per trade with events (by UTI): its latest event's id, action type and the state shown.
_TRADE_SUMMARIES = f"""
SELECT u.uti, shown.id, shown.action_type, shown.state
FROM unnest(%(utis)b::text[]) AS u(uti)
CROSS JOIN {_shown("u.uti")}
ORDER BY u.uti
"""


def lock_trades(conn: Any, tenant_id: Any, utis: Sequence[str]) -> None:
    """Lock the trades (FOR NO KEY UPDATE) in UTI order: two stages refreshing one trade at
    once then take turns."""
    conn.execute("SELECT 1 FROM trades WHERE tenant_id = %s AND uti = ANY(%b::text[])"
                 " ORDER BY uti FOR NO KEY UPDATE", (str(tenant_id), sorted(set(utis))))


def trade_summaries(conn: Any, tenant_id: Any, utis: Sequence[str]) -> list[dict[str, Any]]:
    """Per trade with events (by UTI): its latest event's id and action_type by the lifecycle
    order, and the state the trades list shows (`_shown`)."""
    return conn.execute(_TRADE_SUMMARIES,
                        {"tenant": str(tenant_id), "utis": list(utis)}).fetchall()


def set_trade_states(conn: Any, tenant_id: Any, utis: Sequence[str], event_ids: Sequence[Any],
                     actions: Sequence[str], states: Sequence[str],
                     lifecycles: Sequence[str | None] | None = None) -> None:
    """Each trade's latest event (id, action type), state and, where given, lifecycle, in one
    statement. A trade already so is not written again: each version of a row costs a tuple,
    an entry in each of its indexes and the WAL for all of them (the cost model)."""
    conn.execute(
        "UPDATE trades t SET last_event_id = v.event_id, last_action_type = v.action,"
        " state = v.state, lifecycle = coalesce(v.lifecycle, t.lifecycle), updated_at = now()"
        " FROM unnest(%b::text[], %b::uuid[], %b::text[], %b::text[], %b::text[])"
        " AS v(uti, event_id, action, state, lifecycle) WHERE t.tenant_id = %s AND t.uti = v.uti"
        " AND (t.last_event_id, t.last_action_type, t.state, t.lifecycle) IS DISTINCT FROM"
        " (v.event_id, v.action, v.state, coalesce(v.lifecycle, t.lifecycle))",
        (list(utis), list(event_ids), list(actions), list(states),
         list(lifecycles) if lifecycles is not None else [None] * len(utis), str(tenant_id)))


# -- trades to refresh after a stage's commit (migration 0017) ----------------------------------

def add_pending_refresh(conn: Any, tenant_id: Any, utis: Sequence[str],
                        lifecycles: Sequence[str | None]) -> None:
    """Note that these trades' state must be refreshed (with lifecycles[i] where given):
    one insert, no lock on the trades themselves."""
    conn.execute(
        "INSERT INTO trade_refresh_pending (tenant_id, uti, lifecycle)"
        " SELECT %s, v.uti, v.lifecycle FROM unnest(%b::text[], %b::text[]) AS v(uti, lifecycle)",
        (str(tenant_id), list(utis), list(lifecycles)))


def take_refresher_lock(conn: Any, tenant_id: Any) -> bool:
    """The tenant's refresher lock, until the transaction ends; False if another transaction
    holds it (it looks for pending trades again after its commit)."""
    row = conn.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0)) AS got",
                       (f"trade-refresh:{tenant_id}",)).fetchone()
    return bool(row and row["got"])


def claim_pending_refresh(conn: Any, tenant_id: Any, limit: int) -> list[dict[str, Any]]:
    """The oldest `limit` pending rows of the tenant, deleted (they are applied in this
    transaction or, if it fails, come back): (id, uti, lifecycle), oldest first."""
    return conn.execute(
        "DELETE FROM trade_refresh_pending WHERE id IN (SELECT id FROM trade_refresh_pending"
        " WHERE tenant_id = %s ORDER BY id LIMIT %s) RETURNING id, uti, lifecycle",
        (str(tenant_id), limit)).fetchall()


def has_pending_refresh(conn: Any, tenant_id: Any) -> bool:
    row = conn.execute("SELECT EXISTS (SELECT 1 FROM trade_refresh_pending WHERE tenant_id = %s)"
                       " AS pending", (str(tenant_id),)).fetchone()
    return bool(row and row["pending"])


def tenants_with_pending_refresh(conn: Any) -> list[Any]:
    """Tenants with trades still to refresh (system scope): the monitor's backstop."""
    return [r["tenant_id"] for r in conn.execute(
        "SELECT DISTINCT tenant_id FROM trade_refresh_pending ORDER BY tenant_id")]
