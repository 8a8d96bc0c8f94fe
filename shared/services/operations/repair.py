"""Repair: edit an invalid (or NACKed) event's fields and send the new version to validation.

The event is never edited in place: the repair is a new `trade_events` row (source `repair`,
version + 1, `supersedes` the old one) that takes the old one's file and row, is enriched and
keyed as `process` does it, and is validated like any other event; the old version becomes
`superseded` and keeps its payload and issues (resolved) as history. Preview runs the same
enrichment and rules on the edited event and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from shared.adapters.db import operations as ops_db
from shared.domain.identifiers import uuid_or_none
from shared.domain.model import TradeEvent
from shared.services.operations.base import (
    Actor,
    Conflict,
    FieldError,
    InvalidRepair,
    Sender,
    audit,
    fetch_or_404,
    require,
)
from shared.services.operations.events import held_elsewhere
from shared.services.operations.paths import Edit, apply_changes

if TYPE_CHECKING:
    import psycopg

    from shared.services.pipeline.process import Prepared, Tenant

VALIDATE_QUEUE = "validate"
REPAIRABLE = ("invalid", "nacked")  # a NACK for bad data is fixed by a repair too
READ_ONLY = ("source",)  # where the record came from is a fact, not an editable value


@dataclass
class RepairOutcome:
    event_id: str  # the version repaired (now superseded)
    new_event_id: str  # the new version, queued for validation
    version: int
    changed: dict[str, dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RepairPreview:
    """What validation would say of the edited event; nothing was written."""

    event_id: str
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)  # the edit itself is unusable
    issues: list[dict[str, Any]] = field(default_factory=list)  # rule issues, reject and warn

    @property
    def valid(self) -> bool:
        return not self.errors and not any(i["severity"] == "reject" for i in self.issues)

    def as_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "valid": self.valid, "changed": self.changed,
                "errors": [e.as_dict() for e in self.errors], "issues": self.issues}


def _repairable(conn: psycopg.Connection[Any], event_id: Any, *, lock: bool) -> dict[str, Any]:
    row = fetch_or_404(conn, partial(ops_db.repairable_event, lock=lock),
                       uuid_or_none(event_id), f"event {event_id}")
    if row["state"] not in REPAIRABLE:
        raise Conflict(f"event {event_id} is {row['state']}: only an invalid or NACKed event "
                       f"can be repaired{_hint(conn, row)}", reason="not_repairable")
    # a new version goes to every regime again: not where a TR holds the old one
    if row["state"] == "nacked" and (held := held_elsewhere(conn, row["id"])):
        raise Conflict(f"event {event_id} is nacked, but the {held} TR has it: send a "
                       "MODI there instead of repairing it", reason="held_by_other_tr")
    return row


def _hint(conn: psycopg.Connection[Any], row: dict[str, Any]) -> str:
    state = row["state"]
    if state == "superseded":
        newer = ops_db.newer_version_with_state(conn, row["id"])
        if newer:
            return (f"; it was replaced by version {newer['version']} ({newer['id']}, "
                    f"{newer['state']}): repair that one")
    if state == "received":
        return "; it is waiting for validation"
    if state in ("valid", "reported", "submitted", "acked"):
        return "; to change what the TR has, send a MODI (or an EROR/TERM to withdraw it)"
    return ""


def _edit(row: dict[str, Any], changes: Mapping[str, Any]) -> Edit:
    def fixed(path: str) -> bool:
        return str(path).strip().split(".")[0].split("[")[0] in READ_ONLY

    read_only = [FieldError(p, f"{p.split('.')[0]} records where the event came from; "
                               "it cannot be edited") for p in changes if fixed(p)]
    if not read_only:
        return apply_changes(row["payload"], changes)
    rest = {p: v for p, v in changes.items() if not fixed(p)}
    try:  # every error at once: the other fields may be wrong too
        if rest:
            apply_changes(row["payload"], rest)
    except InvalidRepair as exc:
        read_only += exc.errors
    raise InvalidRepair("the changes cannot be applied", read_only)


def _prepare(conn: psycopg.Connection[Any], row: dict[str, Any], event: TradeEvent,
             now: datetime | None) -> tuple[Tenant, Prepared]:
    """Enrichment and keying exactly as `process` does them."""
    from shared.services.pipeline.process import Prepared, prepare, tenant_settings

    tenant = tenant_settings(conn, row["tenant_id"])
    prepared = prepare(event, tenant, now=now)
    if not isinstance(prepared, Prepared):
        raise InvalidRepair("the edited event cannot be keyed", [
            FieldError(e.get("field"), e["message"], e.get("code")) for e in prepared])
    return tenant, prepared


def preview_repair(conn: psycopg.Connection[Any], event_id: Any, changes: Mapping[str, Any],
                   actor: Actor, *, now: datetime | None = None) -> RepairPreview:
    """The issues validation would find in the edited event (reading only: any role may)."""
    from shared.services.pipeline.validation import issues_for

    del actor  # reading: every role may preview; the actor is for symmetry with repair
    row = _repairable(conn, event_id, lock=False)
    preview = RepairPreview(str(row["id"]))
    try:
        edit = _edit(row, changes)
        preview.changed = edit.changed
        _, prepared = _prepare(conn, row, edit.event, now)
    except InvalidRepair as exc:
        preview.errors = exc.errors or [FieldError(None, str(exc))]
        return preview
    issues = issues_for(conn, row["tenant_id"], prepared.event, prepared.regimes,
                        instead_of=row["id"], now=now)
    preview.issues = [i.to_dict() for i in issues]
    return preview


def repair(conn: psycopg.Connection[Any], event_id: Any, changes: Mapping[str, Any],
           actor: Actor, *, send: Sender, now: datetime | None = None) -> RepairOutcome:
    """A new version of the event with `changes`, queued for validation (module docstring).

    `conn`: a transaction of the event's tenant (or a system one); the caller commits."""
    from shared.services.pipeline.process import insert_events, upsert_trades
    from shared.services.pipeline.trade_state import refresh_trades

    require(actor, "repair", "repair events")
    row = _repairable(conn, event_id, lock=True)
    edit = _edit(row, changes)
    tenant, prepared = _prepare(conn, row, edit.event, now)
    if prepared.payload_hash == row["payload_hash"] or not edit.changed:
        raise Conflict(f"the changes to event {event_id} change nothing: every field already "
                       "has that value", reason="unchanged")
    [(new_id, created)] = insert_events(conn, tenant, [(prepared, row["file_id"], row["row_no"])],
                                        source="repair")
    if not created:
        twin = ops_db.event_state(conn, new_id)
        raise Conflict(f"the repaired event would be identical to event {new_id} "
                       f"({twin or 'unknown'}), which already exists", reason="duplicate_version")
    old_id, version = row["id"], row["version"] + 1
    ops_db.link_new_version(conn, new_id, version=version, supersedes=old_id)
    ops_db.mark_event_superseded(conn, old_id)
    resolved = ops_db.resolve_event_issues(conn, old_id)
    # The input row (and any duplicate of it) shows the record's current version.
    rows = ops_db.move_raw_rows(conn, old_id, new_id)
    upsert_trades(conn, tenant, [(prepared.event, prepared.regimes)])
    if row["uti"] != prepared.event.uti:  # the old trade lost this event
        refresh_trades(conn, tenant.id, [row["uti"]])
    send.send(conn, VALIDATE_QUEUE, [{"event_ids": [str(new_id)], "key": f"repair:{new_id}"}],
              row["tenant_id"])
    audit(conn, actor, tenant_id=row["tenant_id"], action="event.repair",
          entity_type="trade_event", entity_id=old_id,
          before={"state": row["state"], "version": row["version"],
                  "fields": {p: c["before"] for p, c in edit.changed.items()}},
          after={"state": "superseded", "new_event_id": str(new_id), "version": version,
                 "new_state": "received",
                 "fields": {p: c["after"] for p, c in edit.changed.items()},
                 "resolved_issues": resolved, "raw_rows": rows})
    return RepairOutcome(str(old_id), str(new_id), version, edit.changed)
