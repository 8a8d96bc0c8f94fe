"""Plain JSON values out of database rows: ISO timestamps, strings for UUIDs, numbers for
Decimals (counts become ints, rates floats), so that the API serialises without surprises."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

# The text-pattern helpers of the prefix filters live with the SQL they serve; re-exported.
from shared.adapters.db.reads.where import like_escape, prefix_bounds

__all__ = ["jsonable", "like_escape", "prefix_bounds"]

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
