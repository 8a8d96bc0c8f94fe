"""Back-load jobs over HTTP (docs/API.md#back-loads): the dry run, creating a job (held for a
second user above the tenant's four-eyes threshold), their progress, pause, resume, cancel.

Thin: the rules and the audit live in `shared.services.operations.backload`. The API never
works a job off: the monitor's tick does, in bounded slices (shared.services.monitoring.
backloads), so a request returns at once and a job outlives any activation.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

from shared.api.bodies import parse_body
from shared.api.routes.operations import _answer, _in_tenant, caller
from shared.platform.action import ActionContext
from shared.platform.web import Router, WebRequest, response

router = Router()
ACTIONS = {"pause": "paused", "resume": "ready", "cancel": "cancelled"}


@functools.cache
def models() -> SimpleNamespace:
    from typing import Annotated

    from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

    from shared.services.operations.backload import MAX_BATCH

    Regime = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=20)]
    AssetClass = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2,
                                                  max_length=10)]

    class Filters(BaseModel):
        model_config = ConfigDict(extra="forbid")
        # only trades reported in one of these regimes (none: every open trade)
        regimes: Annotated[list[Regime], Field(max_length=20)] = []
        asset_class: AssetClass | None = None
        # the re-reports' event timestamp; default: now (the plan) or the creation
        as_of: AwareDatetime | None = None

    class BackloadPlan(Filters):
        sample: Annotated[int, Field(ge=1, le=50, strict=True)] = 20

    class BackloadCreate(Filters):
        reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                 max_length=1000)]
        batch_size: Annotated[int, Field(ge=1, le=MAX_BATCH, strict=True)] = 500
        rate_per_s: Annotated[float, Field(gt=0, le=100_000)] | None = None

    return SimpleNamespace(BackloadPlan=BackloadPlan, BackloadCreate=BackloadCreate)


@router.route("POST", "/api/backloads/plan")
def post_plan(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations.backload import plan

    who = caller(request, ctx, "manage_backloads", "planning a back-load")
    body = parse_body(request, models().BackloadPlan)
    result = _in_tenant(ctx, who, lambda conn, _: plan(
        conn, tenant_id=who.tenant_id, regimes=body.regimes, asset_class=body.asset_class,
        as_of=body.as_of, sample=body.sample))
    return response(200, result.as_dict(), headers={"Cache-Control": "no-store"},
                    request_id=request.request_id)


@router.route("POST", "/api/backloads")
def post_create(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations.backload import request as create

    who = caller(request, ctx, "manage_backloads", "creating a back-load")
    body = parse_body(request, models().BackloadCreate)
    outcome = _in_tenant(ctx, who, lambda conn, _: create(
        conn, who.actor, tenant_id=who.tenant_id, reason=body.reason, regimes=body.regimes,
        asset_class=body.asset_class, as_of=body.as_of, batch_size=body.batch_size,
        rate_per_s=body.rate_per_s))
    # 201 with the job (the monitor's next tick starts it), or 202 while it waits for approval
    if isinstance(outcome, dict):
        return response(201, outcome, request_id=request.request_id)
    return _answer(request, outcome)


@router.route("GET", "/api/backloads")
def list_jobs(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations.backload import jobs

    who = caller(request, ctx, None)
    items = _in_tenant(ctx, who, lambda conn, _: jobs(conn))
    return response(200, {"items": items}, headers={"Cache-Control": "no-store"},
                    request_id=request.request_id)


@router.route("GET", "/api/backloads/{job_id}")
def get_job(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations.backload import job

    who = caller(request, ctx, None)
    job_id = request.path_params["job_id"]
    found = _in_tenant(ctx, who, lambda conn, _: job(conn, job_id))
    return response(200, found, headers={"Cache-Control": "no-store"},
                    request_id=request.request_id)


def _set(request: WebRequest, ctx: ActionContext, action: str) -> dict:
    from shared.services.operations.backload import set_status

    who = caller(request, ctx, "manage_backloads", f"{action} a back-load")
    job_id = request.path_params["job_id"]
    changed = _in_tenant(ctx, who, lambda conn, _: set_status(
        conn, who.actor, job_id, ACTIONS[action], tenant_id=who.tenant_id))
    return response(200, changed, request_id=request.request_id)


@router.route("POST", "/api/backloads/{job_id}/pause")
def post_pause(request: WebRequest, ctx: ActionContext) -> dict:
    return _set(request, ctx, "pause")


@router.route("POST", "/api/backloads/{job_id}/resume")
def post_resume(request: WebRequest, ctx: ActionContext) -> dict:
    return _set(request, ctx, "resume")


@router.route("POST", "/api/backloads/{job_id}/cancel")
def post_cancel(request: WebRequest, ctx: ActionContext) -> dict:
    return _set(request, ctx, "cancel")
