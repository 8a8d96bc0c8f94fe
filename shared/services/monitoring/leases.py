"""Expired leases: messages received (receive_count >= 1) whose lease ran out without an ack
or a retry (both clear the receipt), so they are visible again: the consumer died mid-batch
(a crash, or an activation killed at its timeout). The work is redelivered by the next
receive; the alert says which queue's consumer is dying. PostgreSQL queue backend only (SQS
hides leases)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.db import monitoring as monitor_db
from shared.services.monitoring.common import AlertSpec, age, bound, publish
from shared.services.monitoring.settings import MonitorSettings

if TYPE_CHECKING:
    from shared.services.ports import Database

KINDS = ("queue.lease_expired",)


def check_leases(db: Database, settings: MonitorSettings, **_: Any) -> dict[str, Any]:
    with db.system() as conn:
        bound(conn, settings.check_timeout_s)
        rows = monitor_db.expired_leases(conn, grace_s=settings.lease_grace_s,
                                         examples=settings.examples)
        firing = [AlertSpec(
            tenant_id=None, kind=KINDS[0], severity="warning",
            dedup_key=f"lease-expired:{r['queue']}",
            summary=(f"{r['n']} message(s) of queue {r['queue']!r} outlived their lease without "
                     f"an ack (a consumer died mid-batch; oldest expired {age(r['oldest_s'])} "
                     f"ago, up to {r['max_receives']} receive(s)): they will be redelivered"),
            details={"queue": r["queue"], "count": r["n"], "max_receive_count": r["max_receives"],
                     "oldest_s": round(r["oldest_s"]),
                     "message_ids": [str(i) for i in r["examples"]]},
        ) for r in rows]
        outcome = publish(conn, firing, KINDS)
    return {**outcome, "expired": {r["queue"]: r["n"] for r in rows}}
