"""Alerts: one open alert per (tenant, dedup key), counted as it recurs.

Every stage raises alerts through here (and the monitor resolves them and records what it
posted to the webhook here), so the console's alert list means the same thing
whoever raised it: a recurring problem is one alert with an occurrence count and the latest
summary, not a flood of rows. The statements are in shared/adapters/db/alerts.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.db import alerts as alerts_db

if TYPE_CHECKING:
    import psycopg

SEVERITIES = ("info", "warning", "critical")


def raise_alert(conn: psycopg.Connection[Any], *, tenant_id: Any, kind: str, severity: str,
                dedup_key: str, summary: str, details: dict[str, Any]) -> None:
    """Open an alert, or count one more occurrence of the same open alert (latest summary)."""
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}")
    alerts_db.open_or_count_alert(conn, tenant_id=tenant_id, kind=kind, severity=severity,
                                  dedup_key=dedup_key, summary=summary, details=details,
                                  severities=SEVERITIES)


def resolve_alert(conn: psycopg.Connection[Any], *, tenant_id: Any, dedup_key: str) -> bool:
    """Close the open (or acknowledged) alert of this key: its condition has cleared. A later
    recurrence opens a new alert. Returns whether there was one to close."""
    return alerts_db.resolve_open_alert(conn, tenant_id=tenant_id, dedup_key=dedup_key) > 0


def mark_notified(conn: psycopg.Connection[Any], alert_id: int, state: str) -> None:
    """Record the state ("<severity>:<tier>") last posted to the webhook for this alert."""
    alerts_db.mark_alert_notified(conn, alert_id, state)
