"""Plain JSON values out of database rows: ISO timestamps, strings for UUIDs, numbers for
Decimals (counts become ints, rates floats), so that the API serialises without surprises."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

# Values JSON takes as they are; checked by exact type first because a page of rows holds
# thousands of them and a call per value was a third of a list request's CPU.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict or isinstance(value, dict):
        return {k if type(k) is str else str(k): v if type(v) in _PLAIN else jsonable(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) in _PLAIN else jsonable(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def prefix_bounds(prefix: str) -> tuple[str, str | None]:
    """[lo, hi) of the strings starting with `prefix` in byte (text_pattern_ops) order.

    The next string after every extension of `prefix` is `prefix` with its last character
    incremented; UTF-8 byte order is code point order, so this holds for any text."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return prefix, None
    nxt = last + 1
    if 0xD800 <= nxt <= 0xDFFF:  # surrogates cannot be encoded: skip past them
        nxt = 0xE000
    return prefix, prefix[:-1] + chr(nxt)


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
