"""Four-eyes approval of operator actions (issue 17; policy in shared.domain.approvals).

An operator action goes through `request_or_run`: when the tenant's policy says the action
over that many events needs a second person, the request (the action's own arguments) is
stored as an `approval_requests` row and nothing else changes; otherwise it runs at once, as
before. `approve` runs the stored action as the approver, who must be another user holding the
role the action needs; the action audits itself as it always does, and the approval is
audited with both names. The requester may withdraw (reject) their own request; anyone who
may do the action may reject it. A request nobody decides lapses at `expires_at`.

The CLI (`swaprep ops`) acts as the system with database credentials, a break-glass path that
is audited but not gated: whoever holds those credentials could bypass any gate anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import psycopg

from shared.adapters.db import approvals as approvals_db
from shared.domain.approvals import (
    APPROVAL_KINDS,
    AUDITED_AS,
    FourEyesPolicy,
    PolicyError,
    SameApprover,
    check_approver,
)
from shared.domain.identifiers import is_uuid
from shared.platform import clock
from shared.services.operations.base import (
    Actor,
    Conflict,
    FieldError,
    Forbidden,
    InvalidRequest,
    Sender,
    audit,
    fetch_or_404,
    require,
)

T = TypeVar("T")
_ACTION_WORDS = {"repair": "repair events", "bulk_repair": "repair events",
                 "cancel": "cancel events", "resubmit": "resubmit events",
                 "backload": "back-load open trades"}


@dataclass(frozen=True)
class PendingApproval:
    """The action was not done: it waits for a second user."""

    request: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"status": "pending_approval", "approval": shown(self.request)}


def shown(row: Mapping[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """A request as the API shows it: a pending one past its time is `expired`."""
    out = dict(row)
    out["id"] = str(out["id"])
    if out["status"] == "pending" and (now or clock.now()) >= out["expires_at"]:
        out["status"] = "expired"
    return out


def policy(conn: psycopg.Connection[Any]) -> FourEyesPolicy:
    try:
        return FourEyesPolicy.from_settings(approvals_db.policy(conn))
    except PolicyError:
        # a stored policy no longer valid (a kind renamed) must not let actions through
        # unchecked: the strictest one stands in until an admin saves a valid policy
        return FourEyesPolicy(dict.fromkeys(APPROVAL_KINDS, 1))


def set_policy(conn: psycopg.Connection[Any], settings: Mapping[str, Any], actor: Actor,
               *, tenant_id: Any) -> FourEyesPolicy:
    require(actor, "manage_approvals", "change the four-eyes policy")
    try:
        new = FourEyesPolicy.from_settings(settings)
    except PolicyError as exc:
        raise InvalidRequest(str(exc), [FieldError(exc.field, str(exc))]) from None
    before = approvals_db.policy(conn)
    approvals_db.set_policy(conn, new.as_settings())
    audit(conn, actor, tenant_id=tenant_id, action="approvals.policy", entity_type="tenant",
          entity_id=tenant_id, before=before, after=new.as_settings())
    return new


def request_or_run(conn: psycopg.Connection[Any], kind: str, request: Mapping[str, Any],
                   events: int, actor: Actor, run: Callable[[], T], *, tenant_id: Any,
                   now: datetime | None = None) -> T | PendingApproval:
    """`run()` now, or the request stored for a second user when the policy says so."""
    require(actor, APPROVAL_KINDS[kind], _ACTION_WORDS[kind])
    rules = policy(conn)
    if actor.kind != "user" or kind not in rules.thresholds:
        return run()
    at = now or clock.now()
    # what this user already did of the kind lately counts too: a split bulk action is held
    recent = approvals_db.recent_events(conn, actor_id=actor.id, actions=list(AUDITED_AS[kind]),
                                        since=rules.window_start(at)) if rules.window else 0
    if not rules.needs_approval(kind, events, recent):
        return run()
    row = approvals_db.insert_request(
        conn, kind=kind, request=dict(request), events=events, requested_by=actor.id,
        requested_by_name=actor.name, requested_at=at, expires_at=rules.expires_at(at))
    audit(conn, actor, tenant_id=tenant_id, action="approval.request",
          entity_type="approval_request", entity_id=row["id"], before=None,
          after={"kind": kind, "events": events, "recent_events": recent,
                 "request": dict(request),
                 "expires_at": row["expires_at"].isoformat()})
    return PendingApproval(row)


def list_approvals(conn: psycopg.Connection[Any], *, status: str | None = None,
                   limit: int = 100, now: datetime | None = None) -> list[dict[str, Any]]:
    at = now or clock.now()
    # "pending" and "expired" are told apart by the clock, not the row
    stored = "pending" if status in ("pending", "expired") else status
    rows = [shown(r, at) for r in approvals_db.list_requests(conn, status=stored, limit=limit)]
    return [r for r in rows if status is None or r["status"] == status]


def _pending(conn: psycopg.Connection[Any], request_id: Any, now: datetime) -> dict[str, Any]:
    row = fetch_or_404(conn, lambda c, key: approvals_db.get_request(c, key, lock=True),
                       request_id if is_uuid(str(request_id)) else None, "approval request")
    status = shown(row, now)["status"]
    if status != "pending":
        raise Conflict(f"approval request {request_id} is {status}: only a pending request "
                       "can be decided" + ("; ask for the action again" if status == "expired"
                                           else ""), reason=f"already_{status}")
    return row


def approve(conn: psycopg.Connection[Any], request_id: Any, actor: Actor, *, send: Sender,
            tenant_id: Any, now: datetime | None = None) -> dict[str, Any]:
    """Run the stored action as `actor` (another user), record the decision and its outcome."""
    at = now or clock.now()
    row = _pending(conn, request_id, at)
    try:
        check_approver(row["requested_by"], actor.id)
    except SameApprover as exc:
        raise Forbidden(str(exc), reason="same_user") from None
    require(actor, APPROVAL_KINDS[row["kind"]], _ACTION_WORDS[row["kind"]])
    outcome = _run(conn, row["kind"], row["request"], actor, send, tenant_id)
    decided = approvals_db.decide(conn, row["id"], status="approved", decided_by=actor.id,
                                  decided_by_name=actor.name, decided_at=at, note=None,
                                  outcome=outcome)
    audit(conn, actor, tenant_id=tenant_id, action="approval.approve",
          entity_type="approval_request", entity_id=row["id"],
          before={"status": "pending", "requested_by": row["requested_by_name"]},
          after={"status": "approved", "approved_by": actor.name, "kind": row["kind"],
                 "events": row["events"]})
    return shown(decided, at)


def reject(conn: psycopg.Connection[Any], request_id: Any, actor: Actor, *, note: str | None,
           tenant_id: Any, now: datetime | None = None) -> dict[str, Any]:
    """Refuse (or, by its requester, withdraw) a pending request; nothing of it is done."""
    at = now or clock.now()
    row = _pending(conn, request_id, at)
    if actor.id != row["requested_by"]:
        require(actor, APPROVAL_KINDS[row["kind"]], _ACTION_WORDS[row["kind"]])
    decided = approvals_db.decide(conn, row["id"], status="rejected", decided_by=actor.id,
                                  decided_by_name=actor.name, decided_at=at, note=note,
                                  outcome=None)
    audit(conn, actor, tenant_id=tenant_id, action="approval.reject",
          entity_type="approval_request", entity_id=row["id"],
          before={"status": "pending", "requested_by": row["requested_by_name"]},
          after={"status": "rejected", "by": actor.name, "note": note})
    return shown(decided, at)


def _run(conn: psycopg.Connection[Any], kind: str, request: Mapping[str, Any], actor: Actor,
         send: Sender, tenant_id: Any) -> dict[str, Any]:
    from shared.services.operations.backload import create_from_request
    from shared.services.operations.bulk_repair import UNSET, Change, bulk_repair
    from shared.services.operations.events import cancel, resubmit
    from shared.services.operations.repair import repair

    if kind == "backload":  # the job is created ready: the monitor's tick works it off
        return {"job": create_from_request(conn, actor, request, tenant_id=tenant_id)}
    if kind == "repair":
        return repair(conn, request["event_id"], request["changes"], actor,
                      send=send).as_dict()
    if kind == "bulk_repair":
        changes = [Change(c["field"], c.get("value"), c.get("current", UNSET))
                   for c in request["changes"]]
        items = bulk_repair(conn, request["event_ids"], changes, actor, send=send)
    elif kind == "cancel":
        items = cancel(conn, request["event_ids"], actor, request["reason"])
    else:
        items = resubmit(conn, request["event_ids"], actor, send=send)
    ok = sum(1 for o in items if o.ok)
    return {"items": [o.as_dict() for o in items], "ok": ok, "refused": len(items) - ok}
