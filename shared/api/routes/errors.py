"""Errors a user must act on (docs/API.md#queries): validation issues by rule, NACKs by TR
code, dead letters by queue; and the rows behind one group."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import unquote

from shared.api.reading import read_list
from shared.platform.action import ActionContext
from shared.platform.web import HttpError, Router, WebRequest

router = Router()
KINDS = ("rule", "tr_code", "queue")


@functools.cache
def _errors_query() -> Any:
    from typing import Literal

    from pydantic import Field

    from shared.services.reads.filters import IssuesQuery, Many

    class ErrorsQuery(IssuesQuery):
        """Which kinds of groups (all by default); status / severity / regime narrow the
        validation-issue groups only (NACKs and dead letters have none of them)."""

        kind: Many[Literal["rule", "tr_code", "queue"]] = Field(default_factory=list)

    return ErrorsQuery


def _groups(conn: Any, query: Any) -> dict[str, Any]:
    from shared.services.reads import errors

    kinds = query.kind or KINDS
    items: list[dict[str, Any]] = []
    if "rule" in kinds:
        items += [{"kind": "rule", "key": g["rule_id"], **g}
                  for g in errors.issue_groups(conn, query)["items"]]
    if "tr_code" in kinds:
        items += [{"kind": "tr_code", "key": g["tr_code"], **g}
                  for g in errors.nack_groups(conn)["items"]]
    if "queue" in kinds:
        items += [{"kind": "queue", "key": g["queue"], **g}
                  for g in errors.dead_letter_groups(conn)["items"]]
    return {"items": items, "next_cursor": None}  # as many groups as rules, codes, queues


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
