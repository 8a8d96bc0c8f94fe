"""The every-minute sweep: wake consumers for work left in queues, alert on dead letters,
and apply trade refreshes that no stage applied (trade_state.refresh_pending's backstop).

On NCP a producer's wake-up is best effort (there is no queue trigger), so this sweep is
what guarantees progress: any queue with visible messages gets its consumer invoked. The
dead-letter alert of a queue resolves once its dead letters are redriven.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.platform.logging import get_logger
from shared.services.monitoring.alerts import raise_alert, resolve_alert
from shared.services.pipeline import CONSUMERS

if TYPE_CHECKING:
    from shared.services.ports import Database, Invoker, Queue

log = get_logger("swaprep.monitor")


def sweep_queues(*, db: Database | None, queue: Queue, invoker: Invoker) -> dict[str, Any]:
    woken: list[str] = []
    not_woken: list[str] = []
    dead: dict[str, int] = {}
    clear: list[str] = []
    for name in sorted(set(CONSUMERS) | set(queue.queues())):
        metrics = queue.metrics(name)
        consumer = CONSUMERS.get(name)
        if metrics.visible and consumer:
            # Only a wake-up the platform confirmed (an activation id) counts as done.
            started = invoker.invoke_async(consumer, {"queue": name})
            (woken if started else not_woken).append(name)
        if metrics.dead_letters:
            dead[name] = metrics.dead_letters
        else:
            clear.append(name)
    if db is not None:
        with db.system() as conn:
            for name, count in dead.items():
                raise_alert(
                    conn, tenant_id=None, kind="queue.dead_letters", severity="critical",
                    dedup_key=f"dead-letters:{name}",
                    summary=f"{count} message(s) dead-lettered in queue {name!r}: redrive them",
                    details={"queue": name, "count": count},
                )
            for name in clear:
                resolve_alert(conn, tenant_id=None, dedup_key=f"dead-letters:{name}")
    refreshed = _refresh_left_trades(db) if db is not None else {}
    if woken or not_woken or dead or refreshed:
        log.info("sweep", extra={"woken": woken, "not_woken": not_woken, "dead_letters": dead,
                                 "trades_refreshed": refreshed})
    return {"woken": woken, "not_woken": not_woken, "dead_letters": dead,
            "trades_refreshed": refreshed}


def _refresh_left_trades(db: Database) -> dict[str, int]:
    """Trades whose refresh a stage noted but nobody applied (its refresh failed after the
    commit, or gave up its turn and its budget ran out): applied now, per tenant."""
    from shared.adapters.db import trades as trades_db
    from shared.services.pipeline import trade_state

    with db.system() as conn:
        tenants = trades_db.tenants_with_pending_refresh(conn)
    refreshed: dict[str, int] = {}
    for tenant in tenants:  # one tenant's failure does not hold back the others'
        try:
            refreshed[str(tenant)] = trade_state.refresh_pending(db, tenant)
        except Exception:
            log.warning("refreshing a tenant's trades failed; the next sweep tries again",
                        extra={"tenant_id": str(tenant)}, exc_info=True)
    return refreshed
