"""A WHERE clause built from validated filters: fixed SQL text, every value a parameter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Pattern operators of text_pattern_ops: usable with parameters, so even a generic prepared
# plan keeps the index range (LIKE $1 cannot be turned into one).
_PREFIX = "{col} ~>=~ %s AND {col} ~<~ %s"


class Where:
    def __init__(self, *always: str) -> None:
        self.parts: list[str] = list(always)
        self.params: list[Any] = []

    def copy(self) -> Where:
        """An independent copy: one filter set for a page and its count."""
        other = Where()
        other.parts, other.params = list(self.parts), list(self.params)
        return other

    def add(self, condition: str, *params: Any) -> Where:
        self.parts.append(condition)
        self.params.extend(params)
        return self

    def maybe(self, value: Any, condition: str, *params: Any) -> Where:
        """Add `condition` when the filter was given (params default to the value)."""
        if value is None or value == [] or value == ():
            return self
        return self.add(condition, *(params or (value,)))

    def any(self, column: str, values: Sequence[Any]) -> Where:
        """`column` is one of `values`; a single value as `=`: PostgreSQL 15 cannot read an
        index in order for `= ANY(...)`, so `state = ANY('{acked}')` would sort or walk."""
        if not values:
            return self
        if len(values) == 1:
            return self.add(f"{column} = %s", values[0])
        return self.add(f"{column} = ANY(%s)", list(values))

    def prefix(self, column: str, prefix: str | None) -> Where:
        if prefix:
            self.add(prefix_sql(column), *prefix_params(prefix))
        return self

    @property
    def sql(self) -> str:
        return " AND ".join(f"({p})" for p in self.parts) or "TRUE"


def prefix_sql(column: str) -> str:
    """Starts-with on an index with text_pattern_ops; the LIKE re-checks the bound exactly
    (LIKE is not leakproof: under RLS it is only ever a filter, never the index condition)."""
    return f"({_PREFIX.format(col=column)} AND {column} LIKE %s ESCAPE '\\')"


def prefix_params(prefix: str) -> list[Any]:
    lo, hi = prefix_bounds(prefix)
    # No upper bound only for a prefix ending in U+10FFFF: compare with itself (always true).
    return [lo, hi if hi is not None else "\U0010ffff" * 2, like_escape(prefix) + "%"]


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


def contains_param(text: str) -> str:
    """The LIKE pattern of "contains `text`": its own % and _ escaped, as characters."""
    return "%" + like_escape(text) + "%"


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
