"""`GET /api/health`: is each dependency reachable, and how deep is each queue?"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shared.platform import clock
from shared.platform.logging import get_logger, redact_text

if TYPE_CHECKING:
    from shared.services.ports import Database, ObjectStore, Queue

log = get_logger("swaprep.health")

Check = Callable[[], dict[str, Any]]


def _timed(name: str, check: Check) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = check()
        status = detail.pop("status", "ok")
    except Exception as exc:  # a health check reports failures, it does not raise them
        log.warning("health check failed", extra={"component": name, "error": str(exc)})
        detail, status = {"error": redact_text(f"{type(exc).__name__}: {exc}")}, "down"
    return {"status": status, "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            **detail}


def database_check(db: Database) -> Check:
    return lambda: db.ping()


def object_store_check(store: ObjectStore, buckets: dict[str, str]) -> Check:
    def check() -> dict[str, Any]:
        states = {logical: ("ok" if store.bucket_exists(name) else "missing")
                  for logical, name in buckets.items()}
        return {"status": "ok" if all(s == "ok" for s in states.values()) else "degraded",
                "buckets": states}
    return check


def queues_check(queue: Queue, names: list[str]) -> Check:
    def check() -> dict[str, Any]:
        known = sorted(set(names) | set(queue.queues()))
        depths = []
        for name in known:
            m = queue.metrics(name)
            depths.append({"queue": name, "visible": m.visible, "in_flight": m.in_flight,
                           "delayed": m.delayed, "dead_letters": m.dead_letters,
                           "oldest_age_s": m.oldest_age_s})
        return {"queues": depths}
    return check


def health(
    checks: dict[str, Check], depends_on: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    """HTTP status and body: 200 when every component is ok, 503 otherwise.

    `depends_on` maps a component to the one it needs (queues on PostgreSQL need the
    database): when that one is down the dependent is reported down at once instead of
    waiting out its own connection timeout.
    """
    components: dict[str, dict[str, Any]] = {}
    for name, check in checks.items():
        needed = (depends_on or {}).get(name)
        if needed and components.get(needed, {}).get("status") == "down":
            components[name] = {"status": "down", "error": f"{needed} is down"}
        else:
            components[name] = _timed(name, check)
    healthy = all(c["status"] == "ok" for c in components.values())
    body = {
        "status": "ok" if healthy else "degraded",
        "checked_at": clock.now().isoformat(),
        "components": components,
    }
    return (200 if healthy else 503), body
