"""The `alerts` table (migrations/0001_schema.sql): one open alert per (tenant, dedup key).

Every statement that writes an alert or reads one to change it lives here, so raising,
resolving, acknowledging and the webhook bookkeeping agree on what "open" means
(`status <> 'resolved'`, the partial unique index the upsert relies on). The caller's
connection carries the transaction and the tenant or system scope.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg


def open_or_count_alert(conn: psycopg.Connection[Any], *, tenant_id: Any, kind: str,
                        severity: str, dedup_key: str, summary: str, details: dict[str, Any],
                        severities: Sequence[str]) -> None:
    """Open an alert, or count one more occurrence of the open one of this key (latest summary
    and details; the severity only goes up, in the order of `severities`)."""
    conn.execute(
        "INSERT INTO alerts (tenant_id, kind, severity, dedup_key, summary, details)"
        " VALUES (%s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (coalesce(tenant_id::text, ''), dedup_key) WHERE status <> 'resolved'"
        " DO UPDATE SET occurrences = alerts.occurrences + 1, last_seen_at = now(),"
        " summary = EXCLUDED.summary, details = EXCLUDED.details,"
        # Severity only goes up while the alert is open (the webhook posts an escalation).
        " severity = CASE WHEN array_position(%b::text[], EXCLUDED.severity)"
        "   > array_position(%b::text[], alerts.severity)"
        "   THEN EXCLUDED.severity ELSE alerts.severity END",
        (tenant_id, kind, severity, dedup_key, summary, json.dumps(details, default=str),
         list(severities), list(severities)),
    )


def resolve_open_alert(conn: psycopg.Connection[Any], *, tenant_id: Any, dedup_key: str) -> int:
    """Close the open (or acknowledged) alert of this key; the number closed (0 or 1)."""
    return conn.execute(
        "UPDATE alerts SET status = 'resolved', resolved_at = now()"
        " WHERE coalesce(tenant_id::text, '') = coalesce(%s::text, '') AND dedup_key = %s"
        " AND status <> 'resolved'",
        (None if tenant_id is None else str(tenant_id), dedup_key),
    ).rowcount


def open_alert_keys(conn: psycopg.Connection[Any], kinds: Sequence[str]) -> list[dict[str, Any]]:
    """(tenant_id, dedup_key) of every alert of `kinds` not resolved yet."""
    return conn.execute("SELECT tenant_id, dedup_key FROM alerts"
                        " WHERE kind = ANY(%s) AND status <> 'resolved'", (list(kinds),)).fetchall()


def mark_alert_notified(conn: psycopg.Connection[Any], alert_id: int, state: str) -> None:
    """Record the state ("<severity>:<tier>") last posted to the webhook for this alert."""
    conn.execute("UPDATE alerts SET notified_at = now(), notified_state = %s WHERE id = %s",
                 (state, alert_id))


def lock_alert(conn: psycopg.Connection[Any], alert_id: int) -> dict[str, Any] | None:
    """The alert to acknowledge, locked until the transaction ends (None: not found or RLS)."""
    return conn.execute("SELECT id, tenant_id, kind, status, acked_by, acked_at"
                        " FROM alerts WHERE id = %s FOR UPDATE", (alert_id,)).fetchone()


def mark_alert_acked(conn: psycopg.Connection[Any], alert_id: Any, acked_by: str) -> datetime:
    """`acked` by `acked_by` now; returns when."""
    row: Any = conn.execute("UPDATE alerts SET status = 'acked', acked_by = %s,"
                            " acked_at = now() WHERE id = %s RETURNING acked_at",
                            (acked_by, alert_id)).fetchone()
    acked_at: datetime = row["acked_at"]
    return acked_at
