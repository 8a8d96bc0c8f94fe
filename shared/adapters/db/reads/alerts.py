"""Reads `alerts` (raised by the monitor): a filtered page, and counts by status and
severity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db.reads.paging import Sort, SortKey, select_page
from shared.adapters.db.reads.where import Where

SORT = Sort("last_seen", (SortKey("a.last_seen_at", datetime), SortKey("a.id", int)))
KEYS = ("last_seen_at", "id")

_SELECT = """SELECT a.id, a.kind, a.severity, a.summary, a.details, a.status, a.occurrences,
    a.first_seen_at, a.last_seen_at, a.acked_by, a.acked_at, a.resolved_at FROM alerts a"""


def alerts_page(conn: psycopg.Connection[Any], *, after: Sequence[Any] | None, limit: int,
                status: Sequence[str] = (), severity: Sequence[str] = (),
                kind: str | None = None) -> list[dict[str, Any]]:
    w = Where("a.tenant_id = app.current_tenant()")
    w.any("a.status", status)
    w.any("a.severity", severity)
    w.maybe(kind, "a.kind = %s")
    return select_page(conn, _SELECT, w, SORT, after, limit)


def alert_counts(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Rows `{status, severity, n}`, only the combinations present."""
    return conn.execute("SELECT status, severity, count(*) AS n FROM alerts"
                        " WHERE tenant_id = app.current_tenant() GROUP BY 1, 2").fetchall()
