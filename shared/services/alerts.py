"""Alerts: one open alert per (tenant, dedup key), counted as it recurs.

Every stage raises alerts through here, so the console's alert list means the same thing
whoever raised it: a recurring problem is one alert with an occurrence count and the latest
summary, not a flood of rows.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

SEVERITIES = ("info", "warning", "critical")


def raise_alert(conn: psycopg.Connection[Any], *, tenant_id: Any, kind: str, severity: str,
                dedup_key: str, summary: str, details: dict[str, Any]) -> None:
    """Open an alert, or count one more occurrence of the same open alert (latest summary)."""
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}")
    conn.execute(
        "INSERT INTO alerts (tenant_id, kind, severity, dedup_key, summary, details)"
        " VALUES (%s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (coalesce(tenant_id::text, ''), dedup_key) WHERE status <> 'resolved'"
        " DO UPDATE SET occurrences = alerts.occurrences + 1, last_seen_at = now(),"
        " summary = EXCLUDED.summary, details = EXCLUDED.details",
        (tenant_id, kind, severity, dedup_key, summary, json.dumps(details, default=str)),
    )
