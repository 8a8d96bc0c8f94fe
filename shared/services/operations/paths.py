"""Editing a canonical event by field paths, the way validation issues name fields.

`counterparty_2.identifier`, `legs[0].notional.currency`, `expiration_date`: a path of
`TradeEvent` field names (shared/domain/model.py), list items by index. Pure: no I/O.
A path is checked against the model before anything is set, so a typo is an error naming it,
never a silently ignored key; the edited event must then load as a `TradeEvent`, and every
value it refuses is reported under its own path.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from shared.domain.model import TradeEvent
from shared.domain.parties import carry_party_changes
from shared.services.operations.base import FieldError

_SEGMENT = re.compile(r"^([a-z_][a-z0-9_]*)((?:\[\d+\])*)$")
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class _Step:
    name: str
    indexes: tuple[int, ...]


class PathError(ValueError):
    pass


def path_text(loc: tuple[Any, ...]) -> str:
    """('legs', 0, 'notional', 'currency') -> 'legs[0].notional.currency'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _unwrap(annotation: Any) -> tuple[str, Any]:
    """('model', cls) | ('list', item annotation) | ('mapping', None) | ('value', None)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else ("value", None)
    if origin is list:
        return "list", get_args(annotation)[0]
    if origin is dict:
        return "mapping", None
    if hasattr(annotation, "__metadata__"):  # Annotated[...]
        return _unwrap(get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    return "value", None


def parse_path(path: str) -> list[_Step]:
    """The steps of `path`, checked against TradeEvent: PathError names what is wrong."""
    if not isinstance(path, str) or not path.strip():
        raise PathError("an empty field name")
    steps: list[_Step] = []
    model: type[BaseModel] | None = TradeEvent
    free = False  # inside a mapping (extensions): any key goes
    where = "TradeEvent"
    for segment in path.strip().split("."):
        match = _SEGMENT.match(segment)
        if match is None and not free:
            raise PathError(f"{segment!r} is not a field name (expected e.g. "
                            "counterparty_2.identifier or legs[0].notional.currency)")
        name = match[1] if match else segment
        indexes = tuple(int(i) for i in _INDEX.findall(match[2])) if match else ()
        steps.append(_Step(name, indexes))
        if free:
            continue
        if model is None:
            raise PathError(f"{where} is a value, it has no field {name!r}")
        info = model.model_fields.get(name)
        if info is None:
            close = difflib.get_close_matches(name, list(model.model_fields), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise PathError(f"unknown field {name!r} of {model.__name__}{hint}")
        kind, inner = _unwrap(info.annotation)
        for _ in indexes:
            if kind != "list":
                raise PathError(f"{name} is not a list: it takes no [index]")
            kind, inner = _unwrap(inner)
        where = segment
        model = inner if kind == "model" else None
        free = kind == "mapping"
    return steps


def get_path(data: Any, steps: list[_Step]) -> Any:
    """The value at `steps` in a dumped event, None where anything on the way is missing."""
    for step in steps:
        data = data.get(step.name) if isinstance(data, dict) else None
        for index in step.indexes:
            data = data[index] if isinstance(data, list) and index < len(data) else None
    return data


def _set_path(data: dict[str, Any], steps: list[_Step], value: Any) -> None:
    """Set in place, creating the objects (and the next list item) on the way."""
    node: Any = data
    for n, step in enumerate(steps):
        last = n == len(steps) - 1
        keys: list[Any] = [step.name, *step.indexes]
        for k, key in enumerate(keys):
            final = last and k == len(keys) - 1
            if isinstance(key, int):
                if key > len(node):
                    raise PathError(f"index [{key}] is past the end: the event has "
                                    f"{len(node)} item(s) there (add [{len(node)}] first)")
                if key == len(node):
                    node.append(None)
            if final:
                node[key] = value
                return
            following = keys[k + 1] if k + 1 < len(keys) else None
            child = node[key] if isinstance(node, list) else node.get(key)
            if child is None:
                child = [] if isinstance(following, int) else {}
                node[key] = child
            node = child


@dataclass(frozen=True)
class Edit:
    event: TradeEvent
    changed: dict[str, dict[str, Any]]  # path -> {"before", "after"} as JSON values


def apply_changes(payload: Mapping[str, Any], changes: Mapping[str, Any]) -> Edit:
    """`payload` (a stored event) with `changes` applied: the new event and, per changed path,
    its value before and after (as the model normalises it: `krw` is stored as `KRW`).

    Raises InvalidRepair listing every unknown path and every value the model refuses."""
    from shared.services.operations.base import InvalidRepair

    if not changes:
        raise InvalidRepair("no changes given: name at least one field and its new value")
    old = TradeEvent.model_validate(dict(payload)).model_dump(mode="json")
    data = TradeEvent.model_validate(dict(payload)).model_dump(mode="json")
    errors: list[FieldError] = []
    parsed: dict[str, list[_Step]] = {}
    for path, value in changes.items():
        try:
            steps = parse_path(path)
            _set_path(data, steps, value)
        except PathError as exc:
            errors.append(FieldError(str(path), str(exc)))
            continue
        parsed[path.strip()] = steps
    if errors:
        raise InvalidRepair("the changes name fields the event does not have", errors)
    # a counterparty's new identifier is also the one its legs' payer / receiver name
    for carried in carry_party_changes(old, data):
        parsed.setdefault(carried, parse_path(carried))
    try:
        event = TradeEvent.model_validate(data)
    except ValidationError as exc:
        raise InvalidRepair("the edited event is not valid", [
            FieldError(path_text(tuple(e["loc"])) or None,
                       f"{e['msg']} (got {_shown(e.get('input'))})")
            for e in exc.errors()]) from None
    new = event.model_dump(mode="json")
    changed = {}
    for path, steps in parsed.items():
        before, after = get_path(old, steps), get_path(new, steps)
        if before != after:
            changed[path] = {"before": before, "after": after}
    return Edit(event, changed)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"
