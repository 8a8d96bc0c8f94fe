"""Reads `audit_log` (written by `shared.adapters.db.audit.record` only): the tenant's audit
trail, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db.reads.paging import Sort, SortKey, count_rows, select_page, sort_for
from shared.adapters.db.reads.where import Where

# The sortable columns (`sort=` of GET /api/audit): each a keyset order ending in the id, ties
# newest first within the column's value; an index per order (migration 0015).
_AT, _ID = SortKey("a.at", datetime), SortKey("a.id", int)
SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "at": (_AT, _ID),
    "action": (SortKey("a.action", str), _AT, _ID),
    "actor": (SortKey("a.actor", str), _AT, _ID),
}


def audit_sort(column: str, order: str) -> tuple[Sort, tuple[str, ...]]:
    """The keyset order of `sort=column&order=order` and the row keys its cursor records."""
    names = ("at", "id") if column == "at" else (column, "at", "id")
    return sort_for(SORT_KEYS, column, order), names


_FROM = "audit_log a"
_SELECT = f"""SELECT a.id, a.at, a.actor, a.actor_id, a.actor_type, a.action, a.entity_type,
    a.entity_id, a.before, a.after, a.request_id FROM {_FROM}"""


def audit_where(*, actor: str | None = None, action: str | None = None,
                entity_type: str | None = None, entity_id: str | None = None,
                at_from: datetime | None = None, at_to: datetime | None = None) -> Where:
    """`action` is a prefix ("report_file." matches its actions)."""
    w = Where("a.tenant_id = app.current_tenant()")
    w.maybe(actor, "a.actor = %s")
    w.prefix("a.action", action)
    w.maybe(entity_type, "a.entity_type = %s")
    w.maybe(entity_id, "a.entity_id = %s")
    w.maybe(at_from, "a.at >= %s")
    w.maybe(at_to, "a.at < %s")
    return w


def audit_page(conn: psycopg.Connection[Any], where: Where, sort: Sort,
               after: Sequence[Any] | None, limit: int) -> list[dict[str, Any]]:
    return select_page(conn, _SELECT, where.copy(), sort, after, limit)


def audit_count(conn: psycopg.Connection[Any], where: Where, cap: int) -> int:
    return count_rows(conn, _FROM, where, cap)
