"""The errors screen and the alert list: assign and resolve validation issues, ack alerts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shared.adapters.db import alerts as alerts_db
from shared.adapters.db import operations as ops_db
from shared.domain.identifiers import bigserial_id, uuid_or_none
from shared.services.operations.base import (
    Actor,
    Conflict,
    InvalidRequest,
    ItemOutcome,
    NotFound,
    audit,
    each,
    fetch_or_404,
    require,
)

if TYPE_CHECKING:
    import psycopg

ISSUE_STATUSES = ("open", "assigned", "resolved")




def list_issues(conn: psycopg.Connection[Any], *, status: str | None = "open",
                event_id: Any = None, rule_id: str | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
    """Issues with their event and input row, newest first (open and assigned by default:
    `status=None` is every status)."""
    if event_id is not None and uuid_or_none(event_id) is None:
        raise NotFound(f"event {event_id} not found")
    if status is not None and status not in ISSUE_STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(ISSUE_STATUSES)}, "
                             f"got {status!r}")
    return ops_db.select_issues(conn, status=status, event_id=event_id, rule_id=rule_id,
                                limit=limit)


def assign_issues(conn: psycopg.Connection[Any], issue_ids: Iterable[Any], assignee: str,
                  actor: Actor) -> list[ItemOutcome]:
    """Issues to someone (`assigned`); a resolved issue stays resolved."""
    require(actor, "triage", "assign issues")
    assignee = (assignee or "").strip()
    if not assignee:
        raise InvalidRequest("an assignee is required (who will look at the issues)")

    def one(issue_id: str) -> ItemOutcome:
        row = fetch_or_404(conn, ops_db.lock_issue, bigserial_id(issue_id), f"issue {issue_id}")
        if row["status"] == "resolved":
            raise Conflict(f"issue {issue_id} ({row['rule_id']}) is resolved already",
                           reason="already_resolved")
        ops_db.assign_issue(conn, row["id"], assignee)
        audit(conn, actor, tenant_id=row["tenant_id"], action="issue.assign",
              entity_type="validation_issue", entity_id=row["id"],
              before={"status": row["status"], "assignee": row["assignee"]},
              after={"status": "assigned", "assignee": assignee})
        return ItemOutcome(issue_id, "assigned", f"to {assignee}")

    return each(conn, issue_ids, one)


def resolve_issues(conn: psycopg.Connection[Any], issue_ids: Iterable[Any], actor: Actor, *,
                   note: str | None = None) -> list[ItemOutcome]:
    """Mark issues resolved (triage: e.g. a warning accepted as is). The event's state does
    not change: an invalid event becomes valid only through repair and validation."""
    require(actor, "triage", "resolve issues")

    def one(issue_id: str) -> ItemOutcome:
        row = fetch_or_404(conn, ops_db.lock_issue, bigserial_id(issue_id), f"issue {issue_id}")
        if row["status"] == "resolved":
            raise Conflict(f"issue {issue_id} ({row['rule_id']}) is resolved already",
                           reason="already_resolved")
        ops_db.resolve_issue(conn, row["id"])
        audit(conn, actor, tenant_id=row["tenant_id"], action="issue.resolve",
              entity_type="validation_issue", entity_id=row["id"],
              before={"status": row["status"], "assignee": row["assignee"]},
              after={"status": "resolved", **({"note": note} if note else {})})
        return ItemOutcome(issue_id, "resolved")

    return each(conn, issue_ids, one)


def ack_alert(conn: psycopg.Connection[Any], alert_id: Any, actor: Actor) -> ItemOutcome:
    """Someone is on it: `acked`, by whom and when. It stays until its cause clears."""
    require(actor, "acknowledge", "acknowledge alerts")
    row = fetch_or_404(conn, alerts_db.lock_alert, bigserial_id(alert_id), f"alert {alert_id}")
    if row["status"] == "acked":
        raise Conflict(f"alert {alert_id} ({row['kind']}) was acknowledged already by "
                       f"{row['acked_by']} at {row['acked_at']:%Y-%m-%d %H:%M:%S %Z}",
                       reason="alert_acked")
    if row["status"] == "resolved":
        raise Conflict(f"alert {alert_id} ({row['kind']}) is resolved: nothing to acknowledge",
                       reason="alert_resolved")
    acked_at = alerts_db.mark_alert_acked(conn, row["id"], actor.name)
    audit(conn, actor, tenant_id=row["tenant_id"], action="alert.ack", entity_type="alert",
          entity_id=row["id"], before={"status": row["status"]},
          after={"status": "acked", "acked_by": actor.name, "acked_at": acked_at})
    return ItemOutcome(str(alert_id), "acked", f"by {actor.name}")
