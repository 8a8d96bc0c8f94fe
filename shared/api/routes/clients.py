"""The client view of delegated reporting (docs/API.md#clients, docs/OBLIGATIONS.md): whom the
tenant reports for, what was reported for one client, and the client's daily file.

Every signed-in role of the tenant reads any of its clients; a client_viewer only the client
its user is bound to, read in a client transaction where the database hides every other
client's items (migration 0027). Another client's LEI is a 404 for a client_viewer, as an
unknown id is for everyone.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

from shared.api.principal import principal_for
from shared.api.reading import _no_parameters, parse_query
from shared.domain.roles import may, roles_that_may
from shared.platform.action import ActionContext
from shared.platform.web import HttpError, Router, WebRequest, response
from shared.services import bootstrap

router = Router()


@functools.cache
def models() -> SimpleNamespace:
    from datetime import date

    from pydantic import BaseModel, ConfigDict

    class DailyQuery(BaseModel):
        """GET /api/clients/{lei}/daily: the business day (UTC) of the file."""

        model_config = ConfigDict(extra="forbid")
        date: date

    return SimpleNamespace(DailyQuery=DailyQuery)


def _viewer(request: WebRequest, ctx: ActionContext) -> Any:
    from shared.services.clients import NotVisible, viewer_for

    principal = principal_for(request, ctx)
    if principal.kind != "user":
        raise HttpError(403, "Forbidden", "the client view needs a signed-in user; an API key"
                        " may only ingest events")
    if principal.role is not None and not may(principal.role, "read_client"):
        needed = " or ".join(reversed(roles_that_may("read_client")))
        raise HttpError(403, "Forbidden", f"the client view needs the {needed} role")
    try:
        return viewer_for(bootstrap.database(ctx.config), tenant_id=principal.tenant_id,
                          role=principal.role, subject=principal.subject)
    except NotVisible as exc:
        raise HttpError(403, "Forbidden", str(exc)) from None


def _client(viewer: Any, request: WebRequest) -> str:
    from shared.services.clients import NotVisible

    raw = unquote(request.path_params["lei"])
    try:
        return str(viewer.check(raw))
    except NotVisible as exc:
        raise HttpError(404, "Not found", str(exc)) from None
    except ValueError as exc:
        raise HttpError(422, "Invalid request", str(exc), extra={"errors": [
            {"field": "lei", "message": "not an LEI (20 characters, ISO 17442)"}]}) from None


def _run(ctx: ActionContext, viewer: Any, work: Any) -> Any:
    from shared.services.reads.paging import InvalidCursor

    try:
        return viewer.run(bootstrap.database(ctx.config), work)
    except InvalidCursor as exc:
        raise HttpError(400, "Invalid cursor", str(exc), extra={"errors": [
            {"parameter": "cursor", "message": str(exc)}]}) from None


@router.route("GET", "/api/clients")
def list_clients(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.clients import list_clients as service

    viewer = _viewer(request, ctx)
    parse_query(request, _no_parameters())
    return response(200, _run(ctx, viewer, lambda conn: service(conn, viewer)),
                    request_id=request.request_id)


@router.route("GET", "/api/clients/{lei}/reports")
def client_reports(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.clients import ClientReportsQuery
    from shared.services.clients import client_reports as service

    viewer = _viewer(request, ctx)
    lei = _client(viewer, request)
    query = parse_query(request, ClientReportsQuery)
    return response(200, _run(ctx, viewer, lambda conn: service(conn, lei, query)),
                    request_id=request.request_id)


@router.route("GET", "/api/clients/{lei}/daily")
def client_daily(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.clients import daily_csv, daily_file_name

    viewer = _viewer(request, ctx)
    lei = _client(viewer, request)
    day = parse_query(request, models().DailyQuery).date
    text = _run(ctx, viewer, lambda conn: daily_csv(conn, lei, day))
    return response(200, text, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{daily_file_name(lei, day)}"'},
        request_id=request.request_id)
