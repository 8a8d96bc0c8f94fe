"""Alerts, activations and the audit log (docs/API.md#queries), every role reading its own
tenant's rows only.

Decisions: activations are platform rows; a tenant sees only those run for it (tenant_id is
the caller's: its web requests, a web run's result reduced to its status code). Tenant-less
runs (cron sweeps, the monitor, anything spanning tenants) are not shown to anyone through
this API, admins included: their results and logs can describe other tenants' work. The
platform team reads them with the CLI. The audit log is readable by every role, viewers
included: auditors have the viewer role, and the log holds no secrets (changes are recorded
before/after without passwords or keys).
"""

from __future__ import annotations

from typing import Any

from shared.api.reading import read_list
from shared.platform.action import ActionContext
from shared.platform.web import Router, WebRequest

router = Router()


@router.route("GET", "/api/alerts")
def list_alerts(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.alerts import list_alerts as service
    from shared.services.reads.filters import AlertsQuery

    return read_list(request, ctx, AlertsQuery, service)


@router.route("GET", "/api/activations")
def list_activations(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.activations import list_activations as service
    from shared.services.reads.filters import ActivationsQuery

    return read_list(request, ctx, ActivationsQuery, service)


@router.route("GET", "/api/audit")
def list_audit(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.audit import list_audit as service
    from shared.services.reads.filters import AuditQuery

    return read_list(request, ctx, AuditQuery, service)
