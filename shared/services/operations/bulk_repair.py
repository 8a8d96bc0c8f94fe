"""Bulk repair: one correction applied to many events, each exactly as the single repair does
it (a new version, re-validation, one `event.repair` audit row per event), or previewed.

Typical use: the 16 events a TR NACKed because they share one wrong counterparty LEI. The
changes are checked once, up front (an unknown or read-only field refuses the whole request:
it would be refused for every event); then each event is judged on its own (`each`), so one
event in the wrong state does not stop the others. A change may name the value the field
must have now (`current`): an event whose value differs is refused, not overwritten, so
"set X from A to B" over a whole error group never touches an event that did not have A.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    InvalidRequest,
    ItemOutcome,
    OperationError,
    Sender,
    each,
    fetch_or_404,
    require,
)
from shared.services.operations.paths import PathError, get_path, parse_path
from shared.services.operations.repair import READ_ONLY, preview_repair, repair

if TYPE_CHECKING:
    import psycopg

MAX_EVENTS = 500  # per call: one transaction of bounded length (each repair re-keys an event)
UNSET: Any = object()  # no `current` given: the event's value is not checked


@dataclass(frozen=True)
class Change:
    field: str  # a canonical path, as the single repair takes it
    value: Any  # the new value (None clears it)
    current: Any = UNSET  # the value the field must have now


def checked_changes(changes: Sequence[Change]) -> dict[str, Any]:
    """`changes` as the single repair's mapping; InvalidRequest naming every bad one
    (`changes[i].field`): none, an unknown or read-only field, a field named twice."""
    if not changes:
        raise InvalidRequest("no changes given", [FieldError(
            "changes", "name at least one field and its new value")])
    errors: list[FieldError] = []
    seen: set[str] = set()
    for n, change in enumerate(changes):
        where, path = f"changes[{n}].field", change.field.strip()
        if path.split(".")[0].split("[")[0] in READ_ONLY:
            errors.append(FieldError(where, f"{path} records where the event came from; it "
                                            "cannot be edited"))
            continue
        try:
            parse_path(path)
        except PathError as exc:
            errors.append(FieldError(where, f"{path}: {exc}"))
            continue
        if path in seen:
            errors.append(FieldError(where, f"{path} is named twice: give one value"))
        seen.add(path)
    if errors:
        raise InvalidRequest("the changes cannot be applied to any event", errors)
    return {c.field.strip(): c.value for c in changes}


def _same(now: Any, expected: Any) -> bool:
    # an issue carries its value as text: "1000000" names the number 1000000 too
    return now == expected or (now is not None and expected is not None
                               and str(now) == str(expected))


def _check_current(conn: psycopg.Connection[Any], event_id: str, changes: Sequence[Change],
                   *, lock: bool) -> None:
    guarded = [c for c in changes if c.current is not UNSET]
    if not guarded:
        return
    row = fetch_or_404(conn, partial(ops_db.repairable_event, lock=lock),
                       uuid_or_none(event_id), f"event {event_id}")
    data = TradeEvent.model_validate(dict(row["payload"])).model_dump(mode="json")
    for change in guarded:
        now = get_path(data, parse_path(change.field))
        if not _same(now, change.current):
            raise Conflict(f"event {event_id} has {change.field} = {now!r}, not "
                           f"{change.current!r}: it was left as it is", reason="value_differs")


def bulk_repair(conn: psycopg.Connection[Any], event_ids: Iterable[Any],
                changes: Sequence[Change], actor: Actor, *, send: Sender,
                now: datetime | None = None) -> list[ItemOutcome]:
    """Repair every event of `event_ids` with `changes`; one outcome per distinct id:
    `repaired` (details: the new version's id and number, what changed) or why not."""
    require(actor, "repair", "repair events")
    mapping = checked_changes(changes)

    def one(event_id: str) -> ItemOutcome:
        _check_current(conn, event_id, changes, lock=True)
        done = repair(conn, event_id, mapping, actor, send=send, now=now)
        return ItemOutcome(event_id, "repaired", f"version {done.version} queued for "
                           "validation", {"new_event_id": done.new_event_id,
                                          "version": done.version, "changed": done.changed})

    return each(conn, event_ids, one)


@dataclass
class BulkPreviewItem:
    id: str
    outcome: str  # would_pass | would_fail | not_found | conflict
    message: str = ""
    preview: dict[str, Any] | None = None  # the single preview's answer for this event

    @property
    def ok(self) -> bool:
        return self.outcome in ("would_pass", "would_fail")

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "outcome": self.outcome, "ok": self.ok,
                "message": self.message, "preview": self.preview}


@dataclass
class BulkPreview:
    items: list[BulkPreviewItem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        count = {o: sum(1 for i in self.items if i.outcome == o)
                 for o in ("would_pass", "would_fail")}
        return {"items": [i.as_dict() for i in self.items], **count,
                "refused": sum(1 for i in self.items if not i.ok)}


def preview_bulk_repair(conn: psycopg.Connection[Any], event_ids: Iterable[Any],
                        changes: Sequence[Change], actor: Actor, *,
                        now: datetime | None = None) -> BulkPreview:
    """What validation would say of each event with `changes`; nothing is written (reading
    only: every role may preview, as the single preview)."""
    mapping = checked_changes(changes)
    out = BulkPreview()
    for event_id in dict.fromkeys(str(i) for i in event_ids):
        try:
            _check_current(conn, event_id, changes, lock=False)
            single = preview_repair(conn, event_id, mapping, actor, now=now)
        except OperationError as exc:
            out.items.append(BulkPreviewItem(event_id, exc.code, str(exc)))
            continue
        reject = [i for i in single.issues if i["severity"] == "reject"]
        message = "" if single.valid else "; ".join(
            [str(e) for e in single.errors] + [f"{i['rule_id']}: {i['message_en']}"
                                               for i in reject])
        out.items.append(BulkPreviewItem(event_id, "would_pass" if single.valid
                                         else "would_fail", message, single.as_dict()))
    return out
