"""Operator actions over HTTP (docs/API.md#operator-actions): repair (and its preview),
resubmit, cancel, re-validate, redrive dead letters, triage issues, acknowledge alerts.

Thin: the rules, the role check again and the audit rows live in
`shared.services.operations`; here the caller becomes an `Actor`, bodies are validated, the
call runs in the caller's tenant transaction (RLS: another tenant's ids are 404, never 403),
and the consumers of what was queued are woken after the commit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from shared.api.bodies import parse_body
from shared.api.principal import principal_for
from shared.api.reading import refuse_client_viewer
from shared.domain.roles import may, roles_that_may
from shared.platform.action import ActionContext
from shared.platform.web import HttpError, Router, WebRequest, response
from shared.services import bootstrap

router = Router()
MAX_IDS = 1000  # per bulk call: one transaction, one answer of bounded size
MAX_REPAIR_IDS = 500  # a repair re-keys and enqueues each event: a shorter transaction


@dataclass(frozen=True)
class Caller:
    actor: Any  # shared.services.operations.Actor
    tenant_id: str
    tenant_slug: str


def caller(request: WebRequest, ctx: ActionContext, permission: str | None,
           action: str | None = None) -> Caller:
    """The signed-in user as an audit `Actor`. `permission` (a key of
    `shared.domain.roles.PERMISSIONS`, `action` its words, e.g. "repairing events") needs the
    role the table names; None is reading, for every role. API keys only ingest: 403."""
    from shared.adapters.db import tenants
    from shared.services.identity import auth
    from shared.services.operations import Actor

    principal = principal_for(request, ctx)
    what = action or "this route"
    if principal.kind != "user":
        raise HttpError(403, "Forbidden", f"{what} needs a signed-in user; an API key may only"
                        " ingest events")
    if permission is None:
        refuse_client_viewer(principal.role)
    if permission and not may(principal.role, permission):
        needed = " or ".join(reversed(roles_that_may(permission)))  # weakest first
        raise HttpError(403, "Forbidden", f"{what} needs the {needed} role; the "
                        f"caller has role {principal.role}")
    with bootstrap.database(ctx.config).tenant(principal.tenant_id) as conn:
        user = auth.get_user(conn, principal.subject)
        # the slug from the database: an identity provider's token may name the tenant by id
        tenant = tenants.by_id(conn, principal.tenant_id)
        tenant_slug = tenant["slug"] if tenant else None
    if tenant_slug is None:
        raise HttpError(403, "Forbidden", f"tenant {principal.tenant_id} does not exist")
    # An identity provider's user has no users row: its subject names it in the audit.
    actor = Actor(id=principal.subject, name=user["username"] if user else principal.subject,
                  kind="user", role=principal.role or "viewer", request_id=request.request_id)
    return Caller(actor, principal.tenant_id, tenant_slug)


def operation_error(exc: Any) -> HttpError:
    """An `OperationError` as problem+json with its status, code and every field error."""
    titles = {403: "Forbidden", 404: "Not found", 409: "Conflict", 422: "Invalid request"}
    extra: dict[str, Any] = {"code": exc.code}
    if getattr(exc, "reason", None):
        extra["reason"] = exc.reason
    if getattr(exc, "errors", None):
        extra["errors"] = [e.as_dict() for e in exc.errors]
    if getattr(exc, "reason", None):
        extra["reason"] = exc.reason
    return HttpError(exc.status, titles.get(exc.status, "Refused"), str(exc), extra=extra)


@functools.cache
def models() -> SimpleNamespace:
    from typing import Annotated

    from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

    Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    Ids = Annotated[list[Id], Field(min_length=1, max_length=MAX_IDS)]
    IssueIds = Annotated[list[StrictInt | Id], Field(min_length=1, max_length=MAX_IDS)]
    Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=1000)]

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class Repair(Strict):
        # canonical path -> new value (None clears it), as `swaprep ops repair --set`
        changes: Annotated[dict[Annotated[str, StringConstraints(min_length=1, max_length=200)],
                                Any], Field(min_length=1, max_length=200)]

    class Events(Strict):
        event_ids: Ids

    class RepairChange(Strict):
        field: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                max_length=200)]
        value: Any  # the new value; null clears the field
        # optional: the value the field must have now; an event whose value differs is refused
        current: Any = None

    class BulkRepair(Strict):
        event_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_REPAIR_IDS)]
        changes: Annotated[list[RepairChange], Field(min_length=1, max_length=200)]
        preview: bool = False  # true: what validation would say of each; nothing is written

    class Cancel(Events):
        reason: Text

    class Redrive(Strict):
        queue: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]
        ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_IDS)] | None = None

    class Assign(Strict):
        issue_ids: IssueIds
        assignee: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                   max_length=200)]

    class Resolve(Strict):
        issue_ids: IssueIds
        note: Text | None = None

    return SimpleNamespace(Repair=Repair, BulkRepair=BulkRepair, RepairChange=RepairChange,
                           Events=Events, Cancel=Cancel, Redrive=Redrive,
                           Assign=Assign, Resolve=Resolve)


def _in_tenant(ctx: ActionContext, who: Caller, work: Callable[[Any, Any], Any]) -> Any:
    """`work(conn, sender)` in the caller's tenant transaction; consumers woken after the
    commit (a lost wake-up only waits for the monitor's sweep)."""
    from shared.services.operations import OperationError, QueueSender

    sender = QueueSender(bootstrap.queue(ctx.config))
    try:
        with bootstrap.database(ctx.config).tenant(who.tenant_id) as conn:
            result = work(conn, sender)
    except OperationError as exc:
        raise operation_error(exc) from None
    if sender.sent:
        sender.wake(bootstrap.invoker(ctx.config))
    return result


def _gated(ctx: ActionContext, who: Caller, kind: str, stored: dict[str, Any], events: int,
           work: Callable[[Any, Any], Any]) -> Any:
    """`work` now, or a `PendingApproval` when the tenant's four-eyes policy holds it for a
    second user (shared.services.operations.approvals)."""
    from shared.services.operations.approvals import request_or_run

    return _in_tenant(ctx, who, lambda conn, send: request_or_run(
        conn, kind, stored, events, who.actor, lambda: work(conn, send),
        tenant_id=who.tenant_id))


def _answer(request: WebRequest, outcome: Any,
            shape: Callable[[Any], dict[str, Any]] | None = None) -> dict:
    """200 with the action's outcome, or 202 with the approval request it waits in."""
    from shared.services.operations.approvals import PendingApproval

    if isinstance(outcome, PendingApproval):
        return response(202, outcome.as_dict(), request_id=request.request_id)
    if shape is not None:
        return response(200, shape(outcome), request_id=request.request_id)
    return _items(request, outcome)


def _items(request: WebRequest, outcomes: list[Any]) -> dict:
    ok = sum(1 for o in outcomes if o.ok)
    return response(200, {"items": [o.as_dict() for o in outcomes], "ok": ok,
                          "refused": len(outcomes) - ok}, request_id=request.request_id)


# -- repair -------------------------------------------------------------------------------------

def _preview(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations import preview_repair

    who = caller(request, ctx, None)  # reading only: every role may preview
    body = parse_body(request, models().Repair)
    event_id = request.path_params["event_id"]
    preview = _in_tenant(ctx, who, lambda conn, _: preview_repair(conn, event_id, body.changes,
                                                                  who.actor))
    return response(200, preview.as_dict(), headers={"Cache-Control": "no-store"},
                    request_id=request.request_id)


@router.route("POST", "/api/events/{event_id}/repair")
def post_repair(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations import repair

    if (request.query_value("preview") or "").lower() in ("true", "1", "yes"):
        return _preview(request, ctx)
    who = caller(request, ctx, "repair", "repairing events")
    body = parse_body(request, models().Repair)
    event_id = request.path_params["event_id"]
    outcome = _gated(ctx, who, "repair", {"event_id": event_id, "changes": body.changes}, 1,
                     lambda conn, send: repair(conn, event_id, body.changes, who.actor,
                                               send=send))
    return _answer(request, outcome, lambda done: done.as_dict())


@router.route("POST", "/api/events/{event_id}/repair/preview")
def post_repair_preview(request: WebRequest, ctx: ActionContext) -> dict:
    return _preview(request, ctx)


@router.route("POST", "/api/events/repair/bulk")
def post_bulk_repair(request: WebRequest, ctx: ActionContext) -> dict:
    """One correction for many events (services/operations/bulk_repair.py); `preview: true`
    writes nothing and, like the single preview, is open to every role."""
    from shared.services.operations import Change, bulk_repair, preview_bulk_repair
    from shared.services.operations.bulk_repair import UNSET

    raw = request.json()
    previewing = isinstance(raw, dict) and raw.get("preview") is True
    # the role first: a viewer's apply is 403 whatever the body holds
    who = caller(request, ctx, None if previewing else "repair", "repairing events")
    body = parse_body(request, models().BulkRepair)
    changes = [Change(c.field, c.value, c.current if "current" in c.model_fields_set else UNSET)
               for c in body.changes]
    if previewing:
        preview = _in_tenant(ctx, who, lambda conn, _: preview_bulk_repair(
            conn, body.event_ids, changes, who.actor))
        return response(200, preview.as_dict(), headers={"Cache-Control": "no-store"},
                        request_id=request.request_id)
    stored = {"event_ids": body.event_ids,
              "changes": [c.model_dump(include={"field", "value"} | (
                  {"current"} if "current" in c.model_fields_set else set()))
                  for c in body.changes]}
    return _answer(request, _gated(ctx, who, "bulk_repair", stored, len(set(body.event_ids)),
                                   lambda conn, send: bulk_repair(conn, body.event_ids, changes,
                                                                  who.actor, send=send)))


# -- bulk event actions -------------------------------------------------------------------------

@router.route("POST", "/api/events/resubmit")
def post_resubmit(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations import resubmit

    who = caller(request, ctx, "resubmit", "resubmitting events")
    body = parse_body(request, models().Events)
    return _answer(request, _gated(ctx, who, "resubmit", {"event_ids": body.event_ids},
                                   len(set(body.event_ids)), lambda conn, send: resubmit(
                                       conn, body.event_ids, who.actor, send=send)))


@router.route("POST", "/api/events/cancel")
def post_cancel(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations import cancel

    who = caller(request, ctx, "cancel", "cancelling events")
    body = parse_body(request, models().Cancel)
    return _answer(request, _gated(ctx, who, "cancel",
                                   {"event_ids": body.event_ids, "reason": body.reason},
                                   len(set(body.event_ids)), lambda conn, _: cancel(
                                       conn, body.event_ids, who.actor, body.reason)))


@router.route("POST", "/api/events/{event_id}/revalidate")
def post_revalidate(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations import Conflict, NotFound, revalidate

    who = caller(request, ctx, "revalidate", "re-validating events")
    event_id = request.path_params["event_id"]
    [outcome] = _in_tenant(ctx, who, lambda conn, send: revalidate(conn, [event_id], who.actor,
                                                                   send=send))
    if not outcome.ok:  # one id: its refusal is the answer's status
        error = NotFound if outcome.outcome == NotFound.code else Conflict
        raise operation_error(error(outcome.message))
    return response(200, outcome.as_dict(), request_id=request.request_id)


# -- dead letters, issues, alerts ---------------------------------------------------------------

@router.route("POST", "/api/dead-letters/redrive")
def post_redrive(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations import OperationError, redrive
    from shared.services.pipeline import CONSUMERS

    who = caller(request, ctx, "redrive", "redriving dead letters")
    body = parse_body(request, models().Redrive)
    try:  # the service reads the port system-wide and keeps the caller's tenant's letters
        outcome = redrive(bootstrap.database(ctx.config), bootstrap.queue(ctx.config), body.queue,
                          body.ids, who.actor, tenant_id=who.tenant_id)
    except OperationError as exc:
        raise operation_error(exc) from None
    if outcome.redriven and body.queue in CONSUMERS:
        bootstrap.invoker(ctx.config).invoke_async(CONSUMERS[body.queue], {"queue": body.queue})
    return response(200, outcome.as_dict(), request_id=request.request_id)


@router.route("POST", "/api/issues/assign")
def post_assign(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations import assign_issues

    who = caller(request, ctx, "triage", "assigning issues")
    body = parse_body(request, models().Assign)
    return _items(request, _in_tenant(ctx, who, lambda conn, _: assign_issues(
        conn, body.issue_ids, body.assignee, who.actor)))


@router.route("POST", "/api/issues/resolve")
def post_resolve(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations import resolve_issues

    who = caller(request, ctx, "triage", "resolving issues")
    body = parse_body(request, models().Resolve)
    return _items(request, _in_tenant(ctx, who, lambda conn, _: resolve_issues(
        conn, body.issue_ids, who.actor, note=body.note)))


@router.route("POST", "/api/alerts/{alert_id}/ack")
def post_ack(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations import ack_alert

    who = caller(request, ctx, "acknowledge", "acknowledging alerts")
    alert_id = request.path_params["alert_id"]
    outcome = _in_tenant(ctx, who, lambda conn, _: ack_alert(conn, alert_id, who.actor))
    return response(200, outcome.as_dict(), request_id=request.request_id)
