"""Alerts of the tenant: a filtered page, and counts by status and severity."""

from __future__ import annotations

from typing import Any

import psycopg

from shared.adapters.db.reads import alerts as db
from shared.services.reads.filters import AlertsQuery
from shared.services.reads.listing import fetch_counted_page
from shared.services.reads.values import jsonable


def list_alerts(conn: psycopg.Connection[Any], query: AlertsQuery) -> dict[str, Any]:
    sort, keys = db.alerts_sort(query.sort, query.order)
    where = db.alerts_where(status=query.status, severity=query.severity, kind=query.kind)
    result = fetch_counted_page(
        query, sort, keys, lambda after, limit: db.alerts_page(conn, where, sort, after, limit),
        lambda cap: db.alerts_count(conn, where, cap))
    for item in result["items"]:
        for name in db.SORT_ONLY:
            item.pop(name, None)
    return result


def alert_counts(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """`{status: {severity: n}}` with every combination present (zeros included)."""
    counts = {s: {v: 0 for v in ("info", "warning", "critical")}
              for s in ("open", "acked", "resolved")}
    for row in db.alert_counts(conn):
        counts[row["status"]][row["severity"]] = row["n"]
    return jsonable(counts)
