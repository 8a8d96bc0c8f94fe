"""Field-level differences between two versions of an event payload (pure)."""

from __future__ import annotations

from typing import Any

_ABSENT = object()


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    # Objects are walked into dotted paths and lists of objects (legs, other payments) by
    # index, as validation issues and repairs name fields: `legs[0].fixed_rate`. Lists of
    # scalars compare as a whole, so a reordered schedule is one changed field, not dozens.
    if isinstance(value, dict) and (value or not path):
        for key, inner in value.items():
            _flatten(inner, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for index, inner in enumerate(value):
            _flatten(inner, f"{path}[{index}]", out)
    else:
        out[path] = value


def payload_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, Any]]:
    """Changed fields, sorted by path: `{"field", "before", "after"}`; a field missing on one
    side has `None` there and `"added"` / `"removed"` set."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    _flatten(before or {}, "", old)
    _flatten(after, "", new)
    changes = []
    for field in sorted(old.keys() | new.keys()):
        a, b = old.get(field, _ABSENT), new.get(field, _ABSENT)
        if a == b:
            continue
        change: dict[str, Any] = {"field": field,
                                  "before": None if a is _ABSENT else a,
                                  "after": None if b is _ABSENT else b}
        if a is _ABSENT:
            change["added"] = True
        elif b is _ABSENT:
            change["removed"] = True
        changes.append(change)
    return changes
