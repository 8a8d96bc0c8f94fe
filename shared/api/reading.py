"""What every query route shares: who may read, the query string parsed into the services'
pydantic filters, and the error mapping (ValidationError -> 422 naming each parameter,
InvalidCursor -> 400, None -> 404)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from shared.api.principal import principal_for
from shared.platform.action import ActionContext
from shared.platform.web import HttpError, WebRequest, response
from shared.services import bootstrap

MAX_QUERY_CHARS = 4096  # far above any real filter set; a longer query string is refused
_MAX_NAME = 64  # of a parameter name quoted back in an error
_MAX_MESSAGE = 300


def reader(request: WebRequest, ctx: ActionContext) -> str:
    """The caller's tenant: every signed-in role may read; API keys only ingest (403)."""
    principal = principal_for(request, ctx)
    if principal.kind != "user":
        raise HttpError(403, "Forbidden", "reading needs a signed-in user; an API key may only"
                        " ingest events")
    refuse_client_viewer(principal.role)
    return principal.tenant_id


def refuse_client_viewer(role: str | None) -> None:
    """A role below `read` (a client_viewer) reads only its client's reports, not the
    tenant's: 403 on every other read route."""
    from shared.domain.roles import may

    if role is not None and not may(role, "read"):
        raise HttpError(403, "Forbidden", f"the {role} role reads only its client's reports"
                        " (/api/clients/{lei}/reports)")


def _is_list(field: Any) -> bool:
    from typing import get_origin

    return get_origin(field.annotation) is list


def parse_query(request: WebRequest, model: Any, *, fixed: Mapping[str, Any] | None = None,
                exclude: Iterable[str] = ()) -> Any:
    """The query string as `model`: repeated parameters and comma lists for list filters, one
    value for the others; `fixed` (path parameters) is not settable from the query string.
    Unknown or repeated parameters: 400 naming them; invalid values: 422 naming each."""
    from pydantic import ValidationError

    if len(request.query_string) > MAX_QUERY_CHARS:
        raise HttpError(414, "URI too long", f"the query string has {len(request.query_string)}"
                        f" characters; at most {MAX_QUERY_CHARS}")
    fields = {n: f for n, f in model.model_fields.items()
              if n not in (fixed or {}) and n not in set(exclude)}
    raw = request.query
    unknown = sorted(n for n in raw if n not in fields)
    if unknown:
        names = ", ".join(repr(n[:_MAX_NAME]) for n in unknown[:10])
        raise HttpError(400, "Unknown query parameter", f"unknown query parameter(s) {names};"
                        f" this route takes: {', '.join(sorted(fields)) or 'none'}",
                        extra={"errors": [{"parameter": n[:_MAX_NAME],
                                           "message": "unknown parameter"}
                                          for n in unknown[:10]]})
    data: dict[str, Any] = {}
    for name, values in raw.items():
        if _is_list(fields[name]):
            data[name] = [part.strip() for v in values for part in v.split(",") if part.strip()]
        elif len(values) > 1:
            raise HttpError(400, "Repeated query parameter", f"{name}: given {len(values)} times;"
                            " it takes one value", extra={"errors": [
                                {"parameter": name, "message": "given more than once"}]})
        else:
            data[name] = values[0]
    data.update(fixed or {})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [_parameter_error(e) for e in exc.errors(include_input=False,
                                                           include_url=False)]
        raise HttpError(422, "Invalid query parameters", "; ".join(
            f"{e['parameter'] or 'query'}: {e['message']}" for e in errors),
            extra={"errors": errors}) from None


def _parameter_error(error: Mapping[str, Any]) -> dict[str, Any]:
    loc: tuple[int | str, ...] = error.get("loc") or ()
    message = str(error["msg"]).removeprefix("Value error, ")
    if len(loc) > 1 and isinstance(loc[1], int):
        message = f"value {loc[1] + 1}: {message}"  # an item of a list filter
    return {"parameter": str(loc[0]) if loc else None, "message": message[:_MAX_MESSAGE]}


def in_tenant(ctx: ActionContext, tenant_id: str, work: Callable[[Any], Any]) -> Any:
    """`work(conn)` in the tenant's transaction (RLS); a cursor we did not make is a 400."""
    from shared.services.reads.paging import InvalidCursor

    try:
        with bootstrap.database(ctx.config).tenant(tenant_id) as conn:
            return work(conn)
    except InvalidCursor as exc:
        raise HttpError(400, "Invalid cursor", str(exc), extra={"errors": [
            {"parameter": "cursor", "message": str(exc)}]}) from None


def read_list(request: WebRequest, ctx: ActionContext, model: Any,
              service: Callable[[Any, Any], Any], **options: Any) -> dict[str, Any]:
    """A list route: the caller, the filters, the service in the tenant's transaction."""
    tenant_id = reader(request, ctx)
    query = parse_query(request, model, **options)
    return response(200, in_tenant(ctx, tenant_id, lambda conn: service(conn, query)),
                    request_id=request.request_id)


def read_one(request: WebRequest, ctx: ActionContext, what: str, param: str,
             service: Callable[[Any, str], Any]) -> dict[str, Any]:
    """A detail route: the path parameter (URL-decoded) looked up; None is a 404, for an
    unknown id as for another tenant's (a 403 would confirm it exists)."""
    tenant_id = reader(request, ctx)
    parse_query(request, _no_parameters())
    key = unquote(request.path_params[param])
    found = in_tenant(ctx, tenant_id, lambda conn: service(conn, key))
    if found is None:
        shown = key if len(key) <= 100 and key.isprintable() else f"{key[:100]!r}..."
        raise HttpError(404, "Not found", f"no {what} {shown} in this tenant")
    return response(200, found, request_id=request.request_id)


@functools.cache
def _no_parameters() -> Any:
    from pydantic import BaseModel, ConfigDict

    class NoParameters(BaseModel):
        model_config = ConfigDict(extra="forbid")

    return NoParameters
