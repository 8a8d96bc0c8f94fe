"""Reconciliation with the TR's end-of-day reports (docs/API.md#reconciliation): the breaks
list and the screen's figures, one trade's TR view, and the breaks' workflow (assign, resolve
with a note; the reconcile permission, audited).

Thin: the rules and the audit live in `shared.services.operations.breaks`, the reads in
`shared.services.reads.reconciliation`."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

from shared.api.bodies import parse_body
from shared.api.reading import _no_parameters, in_tenant, parse_query, read_list, read_one, reader
from shared.api.routes.operations import _in_tenant, caller
from shared.platform.action import ActionContext
from shared.platform.web import Router, WebRequest, response

router = Router()


@functools.cache
def models() -> SimpleNamespace:
    from typing import Annotated

    from pydantic import BaseModel, ConfigDict, StringConstraints

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class AssignBreak(Strict):
        assignee: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                   max_length=200)]

    class ResolveBreak(Strict):
        # how it was resolved: the other side corrected its report, an EROR sent, agreed
        note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=1000)]

    return SimpleNamespace(AssignBreak=AssignBreak, ResolveBreak=ResolveBreak)


@router.route("GET", "/api/reconciliation/breaks")
def list_breaks(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.filters import BreaksQuery
    from shared.services.reads.reconciliation import list_breaks as service

    return read_list(request, ctx, BreaksQuery, service)


@router.route("GET", "/api/reconciliation/summary")
def get_summary(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.reconciliation import summary

    tenant_id = reader(request, ctx)
    parse_query(request, _no_parameters())
    return response(200, in_tenant(ctx, tenant_id, summary), request_id=request.request_id)


@router.route("GET", "/api/trades/{uti}/tr-view")
def trade_tr_view(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.reconciliation import tr_view

    return read_one(request, ctx, "trade with UTI", "uti", tr_view)


def _act(request: WebRequest, ctx: ActionContext, action: str, words: str,
         model: str) -> dict[str, Any]:
    from shared.services.operations import breaks
    from shared.services.reads.reconciliation import break_detail

    who = caller(request, ctx, "reconcile", words)
    body = parse_body(request, getattr(models(), model))
    break_id = request.path_params["break_id"]

    def work(conn: Any, _: Any) -> Any:
        if action == "assign":
            breaks.assign_break(conn, break_id, body.assignee, who.actor)
        else:
            breaks.resolve_break(conn, break_id, body.note, who.actor)
        return break_detail(conn, int(break_id))

    return response(200, _in_tenant(ctx, who, work), request_id=request.request_id)


@router.route("POST", "/api/reconciliation/breaks/{break_id}/assign")
def post_assign(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    return _act(request, ctx, "assign", "assigning reconciliation breaks", "AssignBreak")


@router.route("POST", "/api/reconciliation/breaks/{break_id}/resolve")
def post_resolve(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    return _act(request, ctx, "resolve", "resolving reconciliation breaks", "ResolveBreak")
