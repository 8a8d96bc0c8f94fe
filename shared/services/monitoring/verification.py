"""Verification and correction clocks, every tenant (shared.services.operations.verification):
a verification where one is due, clocks for new errors, clock states and their alerts. Each
tenant in its own transaction, so one tenant's failure leaves the others' work done."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.db import tenants as tenants_db
from shared.platform.logging import get_logger, redact_text
from shared.services.monitoring.common import bound
from shared.services.monitoring.settings import MonitorSettings
from shared.services.operations.verification import verify_tenant

if TYPE_CHECKING:
    from shared.services.ports import Database

log = get_logger("swaprep.monitor")


def check_verification(db: Database, settings: MonitorSettings, **_: Any) -> dict[str, Any]:
    with db.system() as conn:
        tenants = [row["id"] for row in tenants_db.every(conn)]
    runs = opened = 0
    failed: list[str] = []
    for tenant_id in tenants:
        try:
            with db.tenant(tenant_id) as conn:
                bound(conn, settings.check_timeout_s)
                result = verify_tenant(conn, tenant_id)
        except Exception as exc:
            log.exception("verification failed", extra={"tenant_id": str(tenant_id)})
            failed.append(redact_text(f"{tenant_id}: {type(exc).__name__}: {exc}")[:300])
            continue
        runs += len(result["runs"])
        opened += result["clocks_opened"]
    if failed:
        raise RuntimeError(f"verification failed for {len(failed)} tenant(s): "
                           + "; ".join(failed[:3]))
    return {"tenants": len(tenants), "runs": runs, "clocks_opened": opened}
