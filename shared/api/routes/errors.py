"""Errors a user must act on (docs/API.md#queries): validation issues by rule, NACKs by TR
code, dead letters by queue, unparsed rows by file, what needs action first; and the rows
behind one group."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import unquote

from shared.api.reading import read_list
from shared.platform.action import ActionContext
from shared.platform.web import HttpError, Router, WebRequest

router = Router()
KINDS = ("rule", "tr_code", "queue", "parse")  # filters.ErrorKind (imported when a route runs)


@functools.cache
def _errors_query() -> Any:
    import uuid

    from pydantic import Field

    from shared.services.reads.filters import ErrorKind, IssuesQuery, Many

    class ErrorsQuery(IssuesQuery):
        """Which kinds of groups (all by default); status / severity / regime narrow the
        validation-issue groups only (NACKs, dead letters and parse errors have none of
        them); `event`: only the rule and TR code groups of that event."""

        kind: Many[ErrorKind] = Field(default_factory=list)
        event: uuid.UUID | None = None

    return ErrorsQuery


def _groups(conn: Any, query: Any) -> dict[str, Any]:
    from shared.services.reads import errors

    return errors.error_groups(conn, query, kinds=query.kind,
                               event_id=str(query.event) if query.event else None)


@router.route("GET", "/api/errors")
def error_groups(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    return read_list(request, ctx, _errors_query(), _groups)


@router.route("GET", "/api/errors/{kind}/{key}")
def error_items(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.errors import error_items as service
    from shared.services.reads.filters import ErrorItemsQuery

    kind = unquote(request.path_params["kind"])
    if kind not in KINDS:
        raise HttpError(404, "Not found", f"no error kind {kind[:64]!r}; one of"
                        f" {', '.join(KINDS)}")
    fixed = {"kind": kind, "key": unquote(request.path_params["key"])}
    return read_list(request, ctx, ErrorItemsQuery, service, fixed=fixed)
