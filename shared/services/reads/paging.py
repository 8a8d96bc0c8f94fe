"""Keyset pagination: a stable sort (sort key + unique tiebreak), an opaque cursor.

A page is `ORDER BY k1 DESC, k2 DESC LIMIT n + 1` after `(k1, k2) < (last k1, last k2)`: no
OFFSET, so page 1000 costs what page 1 costs, and rows inserted during a walk cannot shift it
(no duplicates, no gaps). The cursor is urlsafe base64 of a small JSON: the sort's name, the
last row's key values and a fingerprint of the filters, so a cursor replayed with other
filters or another sort is refused instead of silently walking the wrong set. The sorts and
their SQL (order, keyset condition) are the adapter's: `shared.adapters.db.reads.paging`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from shared.adapters.db.reads.paging import Sort, SortKey
from shared.services.reads.values import jsonable

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "InvalidCursor", "Sort", "SortKey", "decode_cursor",
           "encode_cursor", "fingerprint", "page"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
_MAX_CURSOR = 1000


class InvalidCursor(ValueError):
    """A cursor that was not made by us for this query: the API answers 400."""


def fingerprint(filters: Mapping[str, Any]) -> str:
    text = json.dumps(jsonable(dict(filters)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(sort: Sort, values: Sequence[Any], filters: Mapping[str, Any]) -> str:
    body = {"s": sort.name, "k": jsonable(list(values)), "f": fingerprint(filters)}
    raw = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read(kind: type, value: Any) -> Any:
    if kind is datetime:
        if not isinstance(value, str):
            raise TypeError
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise TypeError
        return parsed
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError
        return value
    if not isinstance(value, str):
        raise TypeError
    return value


def decode_cursor(cursor: str, sort: Sort, filters: Mapping[str, Any]) -> list[Any]:
    """The key values of a cursor, typed; InvalidCursor for anything we did not make."""
    if len(cursor) > _MAX_CURSOR:
        raise InvalidCursor(f"cursor: longer than {_MAX_CURSOR} characters")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("cursor: not a cursor of this API (pass next_cursor as given)") \
            from exc
    if not isinstance(body, dict) or not isinstance(body.get("k"), list):
        raise InvalidCursor("cursor: not a cursor of this API (pass next_cursor as given)")
    if body.get("s") != sort.name:
        raise InvalidCursor(f"cursor: made for another sort order, not {sort.name!r}")
    if body.get("f") != fingerprint(filters):
        raise InvalidCursor("cursor: made for other filters; start again without a cursor")
    values = body["k"]
    if len(values) != len(sort.keys):
        raise InvalidCursor("cursor: damaged (wrong number of key values)")
    try:
        return [_read(k.kind, v) for k, v in zip(sort.keys, values, strict=True)]
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidCursor("cursor: damaged (a key value has the wrong type)") from exc


def page(rows: list[dict[str, Any]], limit: int, sort: Sort, filters: Mapping[str, Any],
         key_names: Sequence[str]) -> dict[str, Any]:
    """`rows` fetched with LIMIT limit + 1: the page, and a cursor when there is more."""
    more = len(rows) > limit
    items = rows[:limit]
    next_cursor = None
    if more and items:
        last = items[-1]
        next_cursor = encode_cursor(sort, [last[name] for name in key_names], filters)
    return {"items": jsonable(items), "next_cursor": next_cursor}
