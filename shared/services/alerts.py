"""Alerts: one open alert per (tenant, dedup key), counted as it recurs.

Every stage raises alerts through here (and the monitor resolves them and records what it
posted to the webhook here), so the console's alert list means the same thing
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
        " summary = EXCLUDED.summary, details = EXCLUDED.details,"
        # Severity only goes up while the alert is open (the webhook posts an escalation).
        " severity = CASE WHEN array_position(%s::text[], EXCLUDED.severity)"
        "   > array_position(%s::text[], alerts.severity)"
        "   THEN EXCLUDED.severity ELSE alerts.severity END",
        (tenant_id, kind, severity, dedup_key, summary, json.dumps(details, default=str),
         list(SEVERITIES), list(SEVERITIES)),
    )


def resolve_alert(conn: psycopg.Connection[Any], *, tenant_id: Any, dedup_key: str) -> bool:
    """Close the open (or acknowledged) alert of this key: its condition has cleared. A later
    recurrence opens a new alert. Returns whether there was one to close."""
    return conn.execute(
        "UPDATE alerts SET status = 'resolved', resolved_at = now()"
        " WHERE coalesce(tenant_id::text, '') = coalesce(%s::text, '') AND dedup_key = %s"
        " AND status <> 'resolved'",
        (None if tenant_id is None else str(tenant_id), dedup_key),
    ).rowcount > 0


def mark_notified(conn: psycopg.Connection[Any], alert_id: int, state: str) -> None:
    """Record the state ("<severity>:<tier>") last posted to the webhook for this alert."""
    conn.execute("UPDATE alerts SET notified_at = now(), notified_state = %s WHERE id = %s",
                 (state, alert_id))
