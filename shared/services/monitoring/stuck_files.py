"""Stuck files: an ingest file queued but never read ('received' too long) or whose reader
went silent ('parsing' with a stale heartbeat), and report files that stopped moving
('building', 'generated' or 'submitting' too long). One alert per tenant, listing each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.db import monitoring as monitor_db
from shared.services.monitoring.common import AlertSpec, age, bound, publish
from shared.services.monitoring.settings import MonitorSettings

if TYPE_CHECKING:
    from shared.services.ports import Database

KINDS = ("files.stuck",)


def check_stuck_files(db: Database, settings: MonitorSettings, **_: Any) -> dict[str, Any]:
    with db.system() as conn:
        bound(conn, settings.check_timeout_s)
        rows = monitor_db.stuck_files(conn, received_s=settings.stuck_received_s,
                                      heartbeat_s=settings.stuck_parse_heartbeat_s,
                                      report_s=settings.stuck_report_s)
        by_tenant: dict[Any, list[dict[str, Any]]] = {}
        for row in rows:
            by_tenant.setdefault(row["tenant_id"], []).append(row)
        firing = [_alert(tenant, files, settings) for tenant, files in by_tenant.items()]
        outcome = publish(conn, firing, KINDS)
    return {**outcome, "stuck": len(rows)}


def _alert(tenant: Any, files: list[dict[str, Any]], settings: MonitorSettings) -> AlertSpec:
    shown = [f"{f['name']} ({f['status']} for {age(f['age_s'])})"
             for f in files[:settings.examples]]
    more = f" and {len(files) - len(shown)} more" if len(files) > len(shown) else ""
    counts: dict[str, int] = {}
    for f in files:
        counts[f"{f['what']}:{f['status']}"] = counts.get(f"{f['what']}:{f['status']}", 0) + 1
    return AlertSpec(
        tenant_id=tenant, kind=KINDS[0], severity="warning", dedup_key="files:stuck",
        summary=f"{len(files)} file(s) stuck: {'; '.join(shown)}{more}",
        details={"count": len(files), "by_state": counts,
                 "files": [{"kind": f["what"], "id": str(f["id"]), "name": f["name"],
                            "status": f["status"], "age_s": round(f["age_s"])}
                           for f in files[:50]]})
