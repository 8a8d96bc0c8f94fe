"""Reads `alerts` (raised by the monitor): a filtered page, and counts by status and
severity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db.reads.paging import Sort, SortKey, count_rows, select_page, sort_for
from shared.adapters.db.reads.where import Where

# The sortable columns (`sort=` of GET /api/alerts): each a keyset order ending in the id,
# ties by when last seen. Severity sorts by rank (critical highest), not by its name. Alerts
# are deduplicated (one row per open condition, `occurrences` counting repeats): a tenant has
# few, so only the default order has an index (migration 0008).
_SEEN, _ID = SortKey("a.last_seen_at", datetime), SortKey("a.id", int)
SEVERITY_RANK = "(CASE a.severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END)"
SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "last_seen_at": (_SEEN, _ID),
    "severity": (SortKey(SEVERITY_RANK, int), _SEEN, _ID),
    "kind": (SortKey("a.kind", str), _SEEN, _ID),
}
KEY_NAMES = {"last_seen_at": ("last_seen_at", "id"),
             "severity": ("severity_rank", "last_seen_at", "id"),
             "kind": ("kind", "last_seen_at", "id")}
SORT_ONLY = ("severity_rank",)  # in the rows for the cursor, not in the answer


def alerts_sort(column: str, order: str) -> tuple[Sort, tuple[str, ...]]:
    """The keyset order of `sort=column&order=order` and the row keys its cursor records."""
    return sort_for(SORT_KEYS, column, order), KEY_NAMES[column]


_FROM = "alerts a"
_SELECT = f"""SELECT a.id, a.kind, a.severity, a.summary, a.details, a.status, a.occurrences,
    a.first_seen_at, a.last_seen_at, a.acked_by, a.acked_at, a.resolved_at,
    {SEVERITY_RANK} AS severity_rank FROM {_FROM}"""


def alerts_where(*, status: Sequence[str] = (), severity: Sequence[str] = (),
                 kind: str | None = None) -> Where:
    w = Where("a.tenant_id = app.current_tenant()")
    w.any("a.status", status)
    w.any("a.severity", severity)
    w.maybe(kind, "a.kind = %s")
    return w


def alerts_page(conn: psycopg.Connection[Any], where: Where, sort: Sort,
                after: Sequence[Any] | None, limit: int) -> list[dict[str, Any]]:
    return select_page(conn, _SELECT, where.copy(), sort, after, limit)


def alerts_count(conn: psycopg.Connection[Any], where: Where, cap: int) -> int:
    return count_rows(conn, _FROM, where, cap)


def alert_counts(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Rows `{status, severity, n}`, only the combinations present."""
    return conn.execute("SELECT status, severity, count(*) AS n FROM alerts"
                        " WHERE tenant_id = app.current_tenant() GROUP BY 1, 2").fetchall()
