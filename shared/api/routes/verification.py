"""Verification and the correction clocks (docs/API.md#corrections): the verification log,
the clocks, resolving one with a note, the draft regulator notice, and a verification run
now (the verify permission, audited).

Thin: the rules live in `shared.services.operations.verification`, the reads in
`shared.services.reads.verification`."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

from shared.api.bodies import parse_body
from shared.api.reading import in_tenant, parse_query, read_list, reader
from shared.api.routes.operations import _in_tenant, caller
from shared.platform.action import ActionContext
from shared.platform.web import Router, WebRequest, response

router = Router()


@functools.cache
def models() -> SimpleNamespace:
    from typing import Annotated

    from pydantic import BaseModel, ConfigDict, StringConstraints

    from shared.services.reads.filters import Regime

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class ResolveCorrection(Strict):
        # how it was corrected: resubmitted and ACKed, an EROR sent, the notice filed
        note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=1000)]

    class RunVerification(Strict):
        regime: Regime | None = None  # None: every regime the tenant has

    class NoticeSent(Strict):
        regime: Regime
        # how and when it was sent: the regulator's filing number, the e-mail's date
        reference: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                    max_length=200)]

    return SimpleNamespace(ResolveCorrection=ResolveCorrection,
                           RunVerification=RunVerification, NoticeSent=NoticeSent)


@router.route("GET", "/api/verifications")
def list_verifications(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.filters import VerificationsQuery
    from shared.services.reads.verification import list_verifications as service

    return read_list(request, ctx, VerificationsQuery, service)


@router.route("GET", "/api/corrections")
def list_corrections(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.filters import CorrectionsQuery
    from shared.services.reads.verification import list_corrections as service

    return read_list(request, ctx, CorrectionsQuery, service)


@router.route("GET", "/api/corrections/notice")
def get_notice(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.operations.verification import notice
    from shared.services.reads.filters import NoticeQuery

    tenant_id = reader(request, ctx)
    query = parse_query(request, NoticeQuery)
    draft = in_tenant(ctx, tenant_id, lambda conn: notice(conn, tenant_id, query.regime))
    return response(200, draft, request_id=request.request_id)


@router.route("POST", "/api/corrections/{clock_id}/resolve")
def post_resolve(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.operations.verification import resolve_correction
    from shared.services.reads.values import jsonable

    who = caller(request, ctx, "verify", "resolving correction clocks")
    body = parse_body(request, models().ResolveCorrection)
    clock_id = request.path_params["clock_id"]
    shown = _in_tenant(ctx, who, lambda conn, _: resolve_correction(
        conn, clock_id, body.note, who.actor))
    return response(200, jsonable(shown), request_id=request.request_id)


@router.route("POST", "/api/corrections/notice/sent")
def post_notice_sent(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.operations.verification import record_notice_sent

    who = caller(request, ctx, "verify", "recording regulator notices")
    body = parse_body(request, models().NoticeSent)
    result = _in_tenant(ctx, who, lambda conn, _: record_notice_sent(
        conn, who.tenant_id, body.regime, body.reference, who.actor))
    return response(200, result, request_id=request.request_id)


@router.route("POST", "/api/verifications/run")
def post_run(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.operations.verification import run_now
    from shared.services.reads.values import jsonable

    who = caller(request, ctx, "verify", "running verifications")
    body = parse_body(request, models().RunVerification, optional=True)
    result = _in_tenant(ctx, who, lambda conn, _: run_now(conn, who.tenant_id, body.regime,
                                                           who.actor))
    return response(200, jsonable(result), request_id=request.request_id)
