"""The difference between what should exist and what does, as an ordered list of changes.

Creates and updates run in dependency order (`desired.KINDS`), removals in the reverse, except
that a kind in `REMOVE_BEFORE` is removed just before the changes of the kind it names when
there are any: a route taken out of the API before the stage is deployed again, so the stage's
new snapshot no longer serves it. The rendering names changed fields and shows old and new
values, except for secret fields, which show only that they changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from swaprep.deploy.desired import KINDS, Resource

CREATE, UPDATE, DELETE = "create", "update", "delete"
REMOVE_BEFORE = {"gateway_route": "gateway_stage"}
_SYMBOL = {CREATE: "+", UPDATE: "~", DELETE: "-"}


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any
    secret: bool


@dataclass(frozen=True)
class Change:
    verb: str
    resource: Resource  # the desired one; for a removal, the one that exists
    fields: tuple[FieldChange, ...] = ()

    def describe(self) -> str:
        head = f"{_SYMBOL[self.verb]} {self.resource.kind} {self.resource.name}"
        if self.verb != UPDATE:
            return f"{head} ({self.verb})"
        lines = [head]
        for change in self.fields:
            if change.secret:
                lines.append(f"    {change.path}: (secret) changed")
            else:
                lines.append(f"    {change.path}: {_show(change.old)} -> {_show(change.new)}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]

    @property
    def pending(self) -> bool:
        return bool(self.changes)

    def count(self, verb: str) -> int:
        return sum(1 for c in self.changes if c.verb == verb)

    def render(self) -> str:
        summary = (f"Plan: {self.count(CREATE)} to create, {self.count(UPDATE)} to change, "
                   f"{self.count(DELETE)} to remove.")
        if not self.pending:
            return "No changes: what is deployed matches the manifests and the environment."
        return "\n".join([*(c.describe() for c in self.changes), "", summary])


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def flatten(spec: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted paths; lists and scalars are leaves."""
    flat: dict[str, Any] = {}
    for key, value in spec.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def field_changes(desired: Resource, actual: Resource) -> tuple[FieldChange, ...]:
    want, have = flatten(desired.spec), flatten(actual.spec)
    changes = []
    for path in sorted(set(want) | set(have)):
        if want.get(path) != have.get(path):
            secret = path in desired.secret_fields or path in actual.secret_fields
            changes.append(FieldChange(path, have.get(path), want.get(path), secret))
    return tuple(changes)


def diff(desired: Iterable[Resource], actual: Iterable[Resource]) -> Plan:
    """Changes that make `actual` (what exists and is ours) equal `desired`."""
    want = {r.key: r for r in desired}
    have = {r.key: r for r in actual}
    order = {kind: i for i, kind in enumerate(KINDS)}
    forward: list[Change] = []
    for key, resource in sorted(want.items(), key=lambda kv: (order[kv[1].kind], kv[0])):
        if key not in have:
            forward.append(Change(CREATE, resource))
        else:
            fields = field_changes(resource, have[key])
            if fields:
                forward.append(Change(UPDATE, resource, fields))
    removals = [Change(DELETE, resource) for key, resource in
                sorted(have.items(), key=lambda kv: (-order[kv[1].kind], kv[0]))
                if key not in want]
    changing = {c.resource.kind for c in forward}
    early = [c for c in removals if REMOVE_BEFORE.get(c.resource.kind) in changing]
    for removal in early:
        before = order[REMOVE_BEFORE[removal.resource.kind]]
        at = next(i for i, c in enumerate(forward) if order[c.resource.kind] >= before)
        forward.insert(at, removal)
    return Plan(tuple(forward + [c for c in removals if c not in early]))
