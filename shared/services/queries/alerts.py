"""Alerts of the tenant: a filtered page, and counts by status and severity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from shared.services.queries.filters import AlertsQuery
from shared.services.queries.listing import fetch_page
from shared.services.queries.paging import Sort, SortKey
from shared.services.queries.sql import Where
from shared.services.queries.values import jsonable

SORT = Sort("last_seen", (SortKey("a.last_seen_at", datetime), SortKey("a.id", int)))

_SELECT = """SELECT a.id, a.kind, a.severity, a.summary, a.details, a.status, a.occurrences,
    a.first_seen_at, a.last_seen_at, a.acked_by, a.acked_at, a.resolved_at FROM alerts a"""


def list_alerts(conn: psycopg.Connection[Any], query: AlertsQuery) -> dict[str, Any]:
    w = Where("a.tenant_id = app.current_tenant()")
    w.any("a.status", query.status)
    w.any("a.severity", query.severity)
    w.maybe(query.kind, "a.kind = %s")
    return fetch_page(conn, _SELECT, w, SORT, query, ("last_seen_at", "id"))


def alert_counts(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """`{status: {severity: n}}` with every combination present (zeros included)."""
    counts = {s: {v: 0 for v in ("info", "warning", "critical")}
              for s in ("open", "acked", "resolved")}
    for row in conn.execute("SELECT status, severity, count(*) AS n FROM alerts"
                            " WHERE tenant_id = app.current_tenant() GROUP BY 1, 2"):
        counts[row["status"]][row["severity"]] = row["n"]
    return jsonable(counts)
