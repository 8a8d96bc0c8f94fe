"""Keyset pages in SQL: a stable descending (or ascending) order over a sort key plus a unique
tiebreak, the row comparison that resumes after a position, and `LIMIT n + 1`.

No OFFSET, so page 1000 costs what page 1 costs, and rows inserted during a walk cannot shift
it. The opaque cursor carrying a position is the query services' business
(`shared.services.reads.paging`): they decode it into the typed key values passed here as
`after`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from shared.adapters.db.reads.where import Where


@dataclass(frozen=True)
class SortKey:
    column: str  # SQL expression, from code only (never from the request)
    kind: type  # datetime, str, int or uuid.UUID: how the cursor's value is read back


@dataclass(frozen=True)
class Sort:
    """A descending keyset order; the last key must be unique within the result."""

    name: str
    keys: tuple[SortKey, ...]
    ascending: bool = False

    @property
    def order_by(self) -> str:
        direction = "ASC" if self.ascending else "DESC"
        return ", ".join(f"{k.column} {direction}" for k in self.keys)

    def after(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """The WHERE condition for rows after `values` (a row comparison: one index range)."""
        columns = ", ".join(k.column for k in self.keys)
        marks = ", ".join("%s" for _ in self.keys)
        op = ">" if self.ascending else "<"
        return f"({columns}) {op} ({marks})", list(values)


def select_page(conn: psycopg.Connection[Any], select: str, where: Where, sort: Sort,
                after: Sequence[Any] | None, limit: int) -> list[dict[str, Any]]:
    """`select` is `SELECT ... FROM ...` (fixed text); rows after the keyset position `after`
    (None: from the start) in `sort` order, at most `limit` of them (a page + 1, so that the
    caller sees whether more follow)."""
    if after is not None:
        condition, params = sort.after(after)
        where.add(condition, *params)
    # prepare=False: planned for these values each time (~0.3 ms). A generic plan (psycopg
    # prepares a statement on its 5th run) cannot see how selective a prefix or a date range
    # is and picked a 5x slower walk for the counterparty search on 1M trades.
    return conn.execute(f"{select} WHERE {where.sql} ORDER BY {sort.order_by} LIMIT %s",
                        [*where.params, limit], prepare=False).fetchall()


def count_rows(conn: psycopg.Connection[Any], source: str, where: Where, cap: int) -> int:
    """How many rows of `source` (`table alias [JOIN ...]`, fixed text) `where` selects,
    counted up to `cap` + 1, so that a caller can say "cap+" without counting a million
    rows on every page."""
    row = conn.execute(f"SELECT count(*) AS n FROM (SELECT 1 FROM {source} WHERE {where.sql}"
                       " LIMIT %s) AS s", [*where.params, cap + 1], prepare=False).fetchone()
    return int(row["n"]) if row else 0


def sort_for(keys: dict[str, tuple[SortKey, ...]], column: str, order: str) -> Sort:
    """The keyset order of `sort=column&order=order` from a list's table of sortable columns
    (validated before: an unknown column is a KeyError). The name (in the cursor) holds both,
    so a cursor of another order is refused."""
    return Sort(f"{column}.{order}", keys[column], ascending=order == "asc")
