"""What every check shares: alert publication with auto-resolve, time bounds, the run ledger."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.adapters.db import alerts as alerts_db
from shared.adapters.db import monitoring as monitor_db
from shared.services.monitoring.alerts import raise_alert, resolve_alert

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class AlertSpec:
    tenant_id: Any
    kind: str
    severity: str
    dedup_key: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


def publish(conn: psycopg.Connection[Any], firing: Iterable[AlertSpec],
            kinds: Iterable[str]) -> dict[str, int]:
    """Raise every firing alert and resolve the open alerts of `kinds` that no longer fire:
    the check is the authority on its own conditions."""
    firing = list(firing)
    for spec in firing:
        raise_alert(conn, tenant_id=spec.tenant_id, kind=spec.kind, severity=spec.severity,
                    dedup_key=spec.dedup_key, summary=spec.summary, details=spec.details)
    live = {(str(s.tenant_id) if s.tenant_id else None, s.dedup_key) for s in firing}
    resolved = 0
    for row in alerts_db.open_alert_keys(conn, list(kinds)):
        tenant = str(row["tenant_id"]) if row["tenant_id"] else None
        if (tenant, row["dedup_key"]) not in live:
            resolved += resolve_alert(conn, tenant_id=tenant, dedup_key=row["dedup_key"])
    return {"firing": len(firing), "resolved": resolved}


def bound(conn: psycopg.Connection[Any], seconds: float) -> None:
    """Cap every statement of this transaction: a slow check fails alone, the others run."""
    monitor_db.bound_statements(conn, f"{max(int(seconds * 1000), 1)}ms")


def age(seconds: float) -> str:
    """A duration as people read it in an alert: 45 s, 12 min, 3.5 h, 2.0 d."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


@dataclass
class Budget:
    """The activation's time left (None: unbounded, as in tests and local invokes)."""

    deadline_epoch_s: float | None = None
    margin_s: float = 5.0

    def left(self) -> float:
        if self.deadline_epoch_s is None:
            return float("inf")
        return self.deadline_epoch_s - time.time() - self.margin_s

    def allows(self, seconds: float) -> bool:
        return self.left() >= seconds
