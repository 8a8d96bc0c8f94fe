"""Four-eyes approvals (docs/API.md#approvals): the requests waiting for a second user, their
approval or rejection, and the tenant's policy.

Thin: the rules (another user, the action's own role, expiry) and the audit live in
`shared.services.operations.approvals`; here the caller becomes an `Actor` and the call runs in
the caller's tenant transaction (RLS: another tenant's request is 404).
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

from shared.api.bodies import parse_body
from shared.api.routes.operations import _in_tenant, caller
from shared.platform.action import ActionContext
from shared.platform.web import HttpError, Router, WebRequest, response

router = Router()
STATUSES = ("pending", "approved", "rejected", "expired")


@functools.cache
def models() -> SimpleNamespace:
    from typing import Annotated

    from pydantic import BaseModel, ConfigDict, Field, StringConstraints

    from shared.domain.approvals import APPROVAL_KINDS
    from shared.domain.approvals import MAX_EVENTS_PER_REQUEST as MOST

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class Reject(Strict):
        note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=1000)] | None = None

    class FourEyesThresholds(Strict):
        # per action, the number of events at which it waits for a second user; absent: never.
        # At most what one request of the kind can carry, or it could never hold anything.
        repair: Annotated[int, Field(ge=1, le=MOST["repair"], strict=True)] | None = None
        bulk_repair: Annotated[int, Field(ge=1, le=MOST["bulk_repair"], strict=True)] | None = (
            None)
        cancel: Annotated[int, Field(ge=1, le=MOST["cancel"], strict=True)] | None = None
        resubmit: Annotated[int, Field(ge=1, le=MOST["resubmit"], strict=True)] | None = None
        # a back-load counts the open trades it re-reports
        backload: Annotated[int, Field(ge=1, le=MOST["backload"], strict=True)] | None = None

    assert set(FourEyesThresholds.model_fields) == set(APPROVAL_KINDS)

    class FourEyesPolicy(Strict):
        thresholds: FourEyesThresholds
        validity_hours: Annotated[float, Field(ge=1, le=720)] = 72
        # one user's events of a kind within this many hours count towards the threshold
        # (a bulk action split into small requests is still held); 0: each request alone
        window_hours: Annotated[float, Field(ge=0, le=720)] = 24

    return SimpleNamespace(Reject=Reject, FourEyesPolicy=FourEyesPolicy,
                           FourEyesThresholds=FourEyesThresholds)


@router.route("GET", "/api/approvals")
def list_approvals(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations.approvals import list_approvals as service

    who = caller(request, ctx, None)
    status = request.query_value("status")
    if status is not None and status not in STATUSES:
        raise HttpError(422, "Invalid request", f"status must be one of {', '.join(STATUSES)}",
                        extra={"errors": [{"parameter": "status",
                                           "message": f"one of {', '.join(STATUSES)}"}]})
    items = _in_tenant(ctx, who, lambda conn, _: service(conn, status=status))
    return response(200, {"items": items}, headers={"Cache-Control": "no-store"},
                    request_id=request.request_id)


@router.route("POST", "/api/approvals/{approval_id}/approve")
def post_approve(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations.approvals import approve

    # the action's own role is checked by the service against the stored request's kind
    who = caller(request, ctx, "repair", "approving actions")
    approval_id = request.path_params["approval_id"]
    decided = _in_tenant(ctx, who, lambda conn, send: approve(
        conn, approval_id, who.actor, send=send, tenant_id=who.tenant_id))
    return response(200, decided, request_id=request.request_id)


@router.route("POST", "/api/approvals/{approval_id}/reject")
def post_reject(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations.approvals import reject

    who = caller(request, ctx, "repair", "rejecting actions")
    body = parse_body(request, models().Reject) if request.body else models().Reject()
    approval_id = request.path_params["approval_id"]
    decided = _in_tenant(ctx, who, lambda conn, _: reject(
        conn, approval_id, who.actor, note=body.note, tenant_id=who.tenant_id))
    return response(200, decided, request_id=request.request_id)


@router.route("GET", "/api/approvals/policy")
def get_policy(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations.approvals import policy

    who = caller(request, ctx, None)
    current = _in_tenant(ctx, who, lambda conn, _: policy(conn))
    return response(200, current.as_settings(), headers={"Cache-Control": "no-store"},
                    request_id=request.request_id)


@router.route("PUT", "/api/approvals/policy")
def put_policy(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations.approvals import set_policy

    who = caller(request, ctx, "manage_approvals", "changing the four-eyes policy")
    body = parse_body(request, models().FourEyesPolicy)
    settings: dict[str, Any] = {
        "thresholds": body.thresholds.model_dump(exclude_none=True),
        "validity_hours": body.validity_hours, "window_hours": body.window_hours}
    saved = _in_tenant(ctx, who, lambda conn, _: set_policy(conn, settings, who.actor,
                                                            tenant_id=who.tenant_id))
    return response(200, saved.as_settings(), request_id=request.request_id)
