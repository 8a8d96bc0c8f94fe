"""The reconciliation screen's workflow on the breaks with the TR's reports: assign one to
someone, resolve it with a note (what was done: the other side corrected its report, we sent
an EROR, the difference is agreed). Both audited like the other operator actions; a cleared
break (a later report no longer shows it) and a resolved one take neither.

A resolved break stays resolved while later reports show the same break (its signature); a
different one for the trade opens anew (shared.services.pipeline.tr_reports)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.db import tr_reports as db
from shared.domain.identifiers import bigserial_id
from shared.services.operations.base import (
    Actor,
    Conflict,
    InvalidRequest,
    audit,
    fetch_or_404,
    require,
)

if TYPE_CHECKING:
    import psycopg

MAX_NOTE = 1000




def _open_break(conn: psycopg.Connection[Any], break_id: Any) -> dict[str, Any]:
    row = fetch_or_404(conn, db.lock_break, bigserial_id(break_id), f"break {break_id}")
    if row["status"] == "resolved":
        raise Conflict(f"break {break_id} ({row['kind']} of {row['uti']}) is resolved already",
                       reason="already_resolved")
    if row["status"] == "cleared":
        raise Conflict(f"break {break_id} ({row['kind']} of {row['uti']}) was cleared: a "
                       "later report of the TR no longer shows it", reason="break_cleared")
    return row


def assign_break(conn: psycopg.Connection[Any], break_id: Any, assignee: str,
                 actor: Actor) -> None:
    """The break to someone (`assigned`); it stays live until resolved or cleared."""
    require(actor, "reconcile", "assign reconciliation breaks")
    assignee = (assignee or "").strip()
    if not assignee or len(assignee) > 200:
        raise InvalidRequest("an assignee of 1 to 200 characters is required (who looks into "
                             "the break)")
    row = _open_break(conn, break_id)
    db.assign_break(conn, row["id"], assignee)
    audit(conn, actor, tenant_id=row["tenant_id"], action="tr_break.assign",
          entity_type="tr_break", entity_id=row["id"],
          before={"status": row["status"], "assignee": row["assignee"]},
          after={"status": "assigned", "assignee": assignee, "uti": row["uti"],
                 "kind": row["kind"], "regime": row["regime"]})


def resolve_break(conn: psycopg.Connection[Any], break_id: Any, note: str,
                  actor: Actor) -> None:
    """Resolved, with a note saying how."""
    require(actor, "reconcile", "resolve reconciliation breaks")
    note = (note or "").strip()
    if not note or len(note) > MAX_NOTE:
        raise InvalidRequest(f"a note of 1 to {MAX_NOTE} characters is required: how the break "
                             "was resolved")
    row = _open_break(conn, break_id)
    resolved_at = db.resolve_break(conn, row["id"], note, actor.name)
    audit(conn, actor, tenant_id=row["tenant_id"], action="tr_break.resolve",
          entity_type="tr_break", entity_id=row["id"],
          before={"status": row["status"], "assignee": row["assignee"]},
          after={"status": "resolved", "note": note, "resolved_by": actor.name,
                 "resolved_at": resolved_at, "uti": row["uti"], "kind": row["kind"],
                 "regime": row["regime"]})
