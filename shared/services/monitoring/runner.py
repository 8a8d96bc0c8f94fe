"""`run_checks`: every enabled check in turn, each bounded in time and isolated: a check that
fails is logged and alerted (`monitor.check_failed`, resolved when it next succeeds) and the
others still run. `monitor_checks` records each run; a check runs at most once per
`tick_interval_s` (overlapping cron ticks do not double up) and reconciliation once per
`reconcile_every_s`. `notify` runs last, so an alert raised in this tick is posted in it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shared.adapters.db import monitoring as monitor_db
from shared.platform.logging import get_logger, redact_text
from shared.services.monitoring.alerts import raise_alert, resolve_alert
from shared.services.monitoring.common import Budget
from shared.services.monitoring.settings import CHECKS, MonitorSettings

if TYPE_CHECKING:
    from shared.services.ports import Database, Invoker, ObjectStore, Queue, Webhook

log = get_logger("swaprep.monitor")

MIN_CHECK_S = 5.0  # no check starts with less time than this left


def _checks() -> dict[str, Callable[..., dict[str, Any]]]:
    from shared.services.monitoring.anomaly_check import check_anomalies
    from shared.services.monitoring.backloads import run_backloads
    from shared.services.monitoring.deadlines import check_deadlines
    from shared.services.monitoring.leases import check_leases
    from shared.services.monitoring.lost_triggers import sweep_lost_triggers
    from shared.services.monitoring.notify import notify
    from shared.services.monitoring.reconciliation import check_reconciliation
    from shared.services.monitoring.stuck_files import check_stuck_files
    from shared.services.monitoring.tr_silence import check_tr_silence
    from shared.services.monitoring.verification import check_verification

    return {"lost_triggers": sweep_lost_triggers, "deadlines": check_deadlines,
            "leases": check_leases, "stuck_files": check_stuck_files,
            "tr_silence": check_tr_silence, "reconciliation": check_reconciliation,
            "anomalies": check_anomalies, "verification": check_verification,
            "backloads": run_backloads, "notify": notify}


def run_checks(*, db: Database, settings: MonitorSettings, store: ObjectStore | None = None,
               queue: Queue | None = None, invoker: Invoker | None = None,
               webhook: Webhook | None = None, buckets: dict[str, str] | None = None,
               deadline_epoch_s: float | None = None) -> dict[str, Any]:
    """Run the enabled checks (settings.checks, in CHECKS order); returns each one's result,
    `{"error": ...}` for a failed one, `{"skipped": why}` for one not run."""
    budget = Budget(deadline_epoch_s)
    checks = _checks()
    adapters = {"db": db, "store": store, "queue": queue, "invoker": invoker,
                "webhook": webhook, "buckets": buckets or {}, "settings": settings,
                "budget": budget}
    results: dict[str, Any] = {}
    for name in (n for n in CHECKS if n in settings.checks):
        if not budget.allows(MIN_CHECK_S):
            results[name] = {"skipped": "activation deadline near"}
            continue
        if name == "lost_triggers" and store is None:
            results[name] = {"skipped": "no object store"}
            continue
        interval = (settings.reconcile_every_s if name == "reconciliation"
                    else settings.tick_interval_s)
        if not _claim(db, name, interval):
            results[name] = {"skipped": f"ran less than {interval} s ago"}
            continue
        started = time.perf_counter()
        try:
            results[name] = checks[name](**adapters)
            error = None
        except Exception as exc:
            error = redact_text(f"{type(exc).__name__}: {exc}")[:1000]
            log.exception("monitor check failed", extra={"check": name})
            results[name] = {"error": error}
        _record(db, name, error, round((time.perf_counter() - started) * 1000))
    results["rollup"] = compact_rollup(db)
    return results


def compact_rollup(db: Database) -> dict[str, Any]:
    """Fold the stats rollup's deltas into its counters (the single writer the rollup needs;
    docs/QUERIES.md), every tick: the stats are exact without it, only slower as the delta
    table grows. A failure is logged and retried next tick; it never stops the checks."""
    from shared.services.reads.rollup import compact

    try:
        with db.system() as conn:
            return {"folded": compact(conn)}
    except Exception as exc:
        log.exception("stats rollup compaction failed")
        return {"error": redact_text(f"{type(exc).__name__}: {exc}")[:1000]}


def _claim(db: Database, name: str, interval_s: int) -> bool:
    """Take this run of the check unless it ran within `interval_s` (the row is the lease)."""
    with db.system() as conn:
        return monitor_db.claim_check_run(conn, name, interval_s)


def _record(db: Database, name: str, error: str | None, duration_ms: int) -> None:
    with db.system() as conn:
        monitor_db.record_check_run(conn, name, error, duration_ms)
        key = f"monitor-check:{name}"
        if error is None:
            resolve_alert(conn, tenant_id=None, dedup_key=key)
        else:
            raise_alert(conn, tenant_id=None, kind="monitor.check_failed", severity="warning",
                        dedup_key=key, summary=f"Monitor check {name!r} failed: {error}",
                        details={"check": name, "error": error})
