"""The cron-driven sweep: wake consumers for work left in queues, alert on dead letters.

On NCP a producer's wake-up is best effort (there is no queue trigger), so this sweep is
what guarantees progress: any queue with visible messages gets its consumer invoked.
"""

from __future__ import annotations

import json
from typing import Any

from shared.platform.logging import get_logger
from shared.services.pipeline import CONSUMERS

log = get_logger("swaprep.monitor")


def sweep_queues(*, db, queue, invoker) -> dict[str, Any]:
    woken, not_woken, dead = [], [], {}
    for name in sorted(set(CONSUMERS) | set(queue.queues())):
        metrics = queue.metrics(name)
        consumer = CONSUMERS.get(name)
        if metrics.visible and consumer:
            # Only a wake-up the platform confirmed (an activation id) counts as done.
            started = invoker.invoke_async(consumer, {"queue": name})
            (woken if started else not_woken).append(name)
        if metrics.dead_letters:
            dead[name] = metrics.dead_letters
    if dead and db is not None:
        with db.system() as conn:
            for name, count in dead.items():
                conn.execute(
                    "INSERT INTO alerts (tenant_id, kind, severity, dedup_key, summary, details)"
                    " VALUES (NULL, 'queue.dead_letters', 'critical', %s, %s, %s)"
                    " ON CONFLICT (coalesce(tenant_id::text, ''), dedup_key)"
                    " WHERE status <> 'resolved' DO UPDATE SET last_seen_at = now(),"
                    " occurrences = alerts.occurrences + 1, summary = EXCLUDED.summary,"
                    " details = EXCLUDED.details",
                    (f"dead-letters:{name}",
                     f"{count} message(s) in the dead-letter queue of '{name}': redrive them",
                     json.dumps({"queue": name, "count": count})),
                )
    if woken or not_woken or dead:
        log.info("sweep", extra={"woken": woken, "not_woken": not_woken, "dead_letters": dead})
    return {"woken": woken, "not_woken": not_woken, "dead_letters": dead}
