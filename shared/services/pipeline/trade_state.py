"""A trade's current state (`trades.state`, what the trades list shows), kept by every stage
that moves one of its events: process, validate, generate, submit, feedback and the operator
actions. No domain imports, so that the stages that do not parse trades (submit, feedback)
carry nothing more into their cold start; the SQL is in `shared.adapters.db.trades`.

Inside a pipeline stage (`deferred()`, set by the stage runner and feedback) a refresh is
only noted, in the stage's transaction, and applied by `refresh_pending` right after the
commit, in short transactions of its own, one refresher per tenant at a time. Refreshing
inside every stage's transaction held the trades' row locks until each commit, and stages
queued behind one another on the same trades (the cost model: 3.9 ms of lock wait per
event, process containers mostly waiting). A note is never lost: it commits with the
stage's work, and whoever leaves one behind (a failed refresh, a refresher that gave up its
turn) is followed by the next stage's refresh or the monitor's. A message that noted nothing
(a duplicate, a deferred submit) does not look.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import psycopg

from shared.adapters.db import trades as trades_db

if TYPE_CHECKING:
    from shared.services.ports import Database

# The lifecycle order of a UTI's events, re-exported for the services that order by it.
from shared.adapters.db.trade_events import ACTION_RANK_SQL, EVENT_ORDER_SQL

__all__ = ["ACTION_RANK_SQL", "EVENT_ORDER_SQL", "Noted", "deferred", "refresh_pending",
           "refresh_trades"]

log = logging.getLogger(__name__)


class Noted:
    """What a `deferred()` block noted: whether the caller has a refresh to apply after its
    commit (most messages of submit, and every duplicate, note nothing)."""

    __slots__ = ("any",)

    def __init__(self) -> None:
        self.any = False


_DEFERRED: ContextVar[Noted | None] = ContextVar("trade_refresh_deferred", default=None)
# Pending trades applied per transaction (their row locks are held to its commit, and
# process's upsert of the same trades waits for them: small), and how long one call keeps at
# it before it leaves the rest to the next stage's refresh (or the monitor's).
REFRESH_BATCH = 500
REFRESH_BUDGET_S = 10.0


@contextmanager
def deferred() -> Iterator[Noted]:
    """Within this block `refresh_trades` notes the trades instead of refreshing them; the
    caller runs `refresh_pending` after its transaction commits if the block noted any."""
    noted = Noted()
    token = _DEFERRED.set(noted)
    try:
        yield noted
    finally:
        _DEFERRED.reset(token)


def refresh_trades(conn: psycopg.Connection[Any], tenant_id: uuid.UUID | str,
                   utis: Sequence[str], lifecycles: Mapping[str, str] | None = None) -> None:
    """`trades.state` (what the list shows, defined in shared.adapters.db.trades: `invalid`
    while any event of the trade waits for repair, `received` while any is not yet
    validated, else the state of its latest event); `last_event_id` / `last_action_type`: its
    latest event by the lifecycle order; `lifecycle` where `lifecycles` names it (validation),
    in the same write.

    Computed here rather than in one UPDATE ... FROM: on young tables the planner's row
    estimates turned that join into a quadratic nested loop (17 s for 400 trades).

    Within `deferred()`: noted in `conn`'s transaction, applied by `refresh_pending`."""
    if not utis:
        return
    noted = _DEFERRED.get()
    if noted is not None:
        trades_db.add_pending_refresh(conn, tenant_id, utis,
                                      [(lifecycles or {}).get(uti) for uti in utis])
        noted.any = True
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
        states_.append(row["state"])
    trades_db.set_trade_states(conn, tenant_id, utis_, ids, actions, states_,
                               [(lifecycles or {}).get(uti) for uti in utis_])


def refresh_pending(db: Database, tenant_id: uuid.UUID | str) -> int:
    """Apply the tenant's noted refreshes (oldest first; a later note's lifecycle wins), in
    transactions of REFRESH_BATCH; the number of trades refreshed. Returns at once if another
    refresher of the tenant is at work: after its commit it looks again, and finds ours."""
    refreshed = 0
    give_up_at = time.monotonic() + REFRESH_BUDGET_S
    while time.monotonic() < give_up_at:
        with db.tenant(tenant_id) as conn:
            if not trades_db.take_refresher_lock(conn, tenant_id):
                return refreshed
            rows = sorted(trades_db.claim_pending_refresh(conn, tenant_id, REFRESH_BATCH),
                          key=lambda row: row["id"])
            lifecycles = {row["uti"]: row["lifecycle"] for row in rows
                          if row["lifecycle"] is not None}
            utis = sorted({row["uti"] for row in rows})
            with _not_deferred():
                refresh_trades(conn, tenant_id, utis, lifecycles)
            refreshed += len(utis)
        # Committed, lock released: a note left by a refresher that found it taken meanwhile
        # is seen here (it committed its note before trying the lock).
        with db.tenant(tenant_id) as conn:
            if not trades_db.has_pending_refresh(conn, tenant_id):
                return refreshed
    log.info("trade refresh budget used; the rest is left to the next refresh",
             extra={"tenant_id": str(tenant_id), "refreshed": refreshed})
    return refreshed


@contextmanager
def _not_deferred() -> Iterator[None]:
    token = _DEFERRED.set(None)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
