"""Lost-trigger sweep: on NCP an Object Storage trigger can be lost, so ingest, feedback and
tr-reports must not depend on it alone. The inbound and feedback buckets are listed
(ListObjects v1, the object-store port's `list`) and each object older than the grace period
(its trigger may simply not have fired yet) that the ledgers do not know (`ingest_files` /
`tr_feedback` / `tr_report_files` by bucket and key, `swept_objects` by key and ETag) is
handed to the very function its trigger calls, at most `lost_trigger_max_objects` per bucket
and run. A concurrent late trigger is harmless: the ledgers are keyed on content, so the
second is a recorded duplicate. A TR end-of-day report (`tr-reports/` keys) is handed to the
tr-reports action by an asynchronous invoke with the trigger's own event: reading it needs
lxml, which the monitor's package does not carry.

Known limit: an object replaced under the same key (new content) while its trigger is lost
looks known to the ingest ledger by key; the sweep does not re-hash known keys.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.adapters.db import monitoring as monitor_db
from shared.domain.reconciliation import OBJECT_PREFIX
from shared.platform import clock
from shared.platform.logging import get_logger
from shared.platform.triggers import ObjectEvent
from shared.services.monitoring.common import Budget
from shared.services.monitoring.settings import MonitorSettings

if TYPE_CHECKING:
    from shared.services.ports import Database, Invoker, ObjectStore, Queue

log = get_logger("swaprep.monitor")

def sweep_lost_triggers(db: Database, store: ObjectStore, queue: Queue, invoker: Invoker,
                        buckets: dict[str, str],
                        settings: MonitorSettings, budget: Budget | None = None,
                        now: datetime | None = None, **_: Any) -> dict[str, Any]:
    """`buckets`: logical name (inbound, feedback) -> physical bucket."""
    budget = budget or Budget()
    cutoff = (now or clock.now()) - timedelta(seconds=settings.lost_trigger_grace_s)
    result: dict[str, Any] = {}
    for logical in ("inbound", "feedback"):
        if logical in buckets and budget.allows(10):
            result[logical] = _sweep_bucket(db, store, queue, logical, buckets[logical], cutoff,
                                            settings, budget, invoker)
    if any(o["status"] == "received" for o in result.get("inbound", {}).get("handled", [])):
        invoker.invoke_async("ingest", {"queue": "ingest"})  # read the files now, not next tick
    return result


def _sweep_bucket(db: Database, store: ObjectStore, queue: Queue, logical: str, bucket: str,
                  cutoff: datetime, settings: MonitorSettings, budget: Budget,
                  invoker: Invoker) -> dict[str, Any]:
    # A bucket holds far more keys than one run lists: each run resumes where the previous
    # one left off and wraps at the end, so every key is looked at in turn. It resumes just
    # before the first key that needs another look (too young yet, failed, or left over).
    marker = _marker(db, bucket)
    candidates, listed, reached_end = [], 0, True
    before: dict[str, str] = {}  # key -> the key listed before it (Marker is exclusive)
    previous, resume = marker, None
    for summary in store.list(bucket, after=marker):
        listed += 1
        before[summary.key], previous = previous, summary.key
        if summary.last_modified is None or summary.last_modified < cutoff:
            candidates.append(summary)
        elif resume is None:
            resume = before[summary.key]
        if listed >= settings.lost_trigger_max_listed:
            reached_end = False
            break
    unknown = _unknown(db, logical, bucket, candidates)
    handled: list[dict[str, Any]] = []
    pending: list[str] = []
    for summary in unknown:
        if len(handled) >= settings.lost_trigger_max_objects or not budget.allows(10):
            pending.append(summary.key)
            continue
        event = ObjectEvent(bucket, summary.key, "ObjectCreated:Put", summary.size, summary.etag)
        try:
            outcome = _hand_on(logical, event, db=db, store=store, queue=queue,
                               invoker=invoker)
        except Exception as exc:  # one bad object must not stop the sweep; retried next run
            log.warning("lost-trigger sweep: object failed",
                        extra={"bucket": bucket, "key": summary.key, "error": str(exc)})
            handled.append({"key": summary.key, "status": "error", "reason": str(exc)[:300]})
            pending.append(summary.key)
            continue
        with db.system() as conn:
            monitor_db.record_swept_object(conn, bucket, summary.key, summary.etag,
                                           outcome["status"])
        handled.append(outcome)
    again = [before[k] for k in pending] + ([resume] if resume is not None else [])
    _save_marker(db, bucket, min(again) if again else "" if reached_end else previous)
    if handled:
        log.warning("lost triggers: objects handed on by the sweep",
                    extra={"bucket": bucket, "objects": [h["key"] for h in handled]})
    return {"listed": listed, "unknown": len(unknown), "handled": handled}


def _marker(db: Database, bucket: str) -> str:
    with db.system() as conn:
        return monitor_db.sweep_marker(conn, bucket) or ""


def _save_marker(db: Database, bucket: str, marker: str) -> None:
    """Remember where the next run resumes ("" = from the first key)."""
    with db.system() as conn:
        monitor_db.save_sweep_marker(conn, bucket, marker)


def _unknown(db: Database, logical: str, bucket: str, candidates: list[Any]) -> list[Any]:
    if not candidates:
        return []
    keys = [c.key for c in candidates]
    with db.system() as conn:
        known = monitor_db.ledger_keys(conn, logical, bucket, keys)
        swept = monitor_db.swept_objects(conn, bucket, keys)
    return [c for c in candidates if c.key not in known and (c.key, c.etag) not in swept]


def _hand_on(logical: str, event: ObjectEvent, *, db: Database, store: ObjectStore,
             queue: Queue, invoker: Invoker) -> dict[str, Any]:
    if logical == "feedback" and event.key.startswith(OBJECT_PREFIX):
        from shared.platform.triggers import object_storage_event

        invoker.invoke_async("tr-reports", object_storage_event(
            event.bucket, event.key, size=event.size or 0, etag=event.etag or ""))
        return {"key": event.key, "status": "invoked", "action": "tr-reports"}
    if logical == "inbound":
        from shared.services.pipeline.ingest_ledger import ingest_object

        return ingest_object(event, db=db, store=store, queue=queue).as_dict()
    from shared.services.pipeline.feedback import apply_feedback_object

    return apply_feedback_object(event, db=db, store=store).as_dict()
