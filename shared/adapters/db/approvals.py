"""The `approval_requests` table and the tenant's four-eyes policy (migration 0022).

Row-level security scopes every statement to the transaction's tenant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

_COLUMNS = ("id, kind, request, events, requested_by, requested_by_name, requested_at, "
            "expires_at, status, decided_by, decided_by_name, decided_at, note, outcome")


def policy(conn: Any) -> dict[str, Any]:
    """The current tenant's `four_eyes` settings ({} when none, or no tenant visible)."""
    row = conn.execute("SELECT four_eyes FROM tenants WHERE id = app.current_tenant()"
                       ).fetchone()
    return dict(row["four_eyes"]) if row else {}


def set_policy(conn: Any, settings: dict[str, Any]) -> dict[str, Any]:
    row = conn.execute("UPDATE tenants SET four_eyes = %s WHERE id = app.current_tenant()"
                       " RETURNING four_eyes", (Jsonb(settings),)).fetchone()
    return dict(row["four_eyes"]) if row else {}


def insert_request(conn: Any, *, kind: str, request: dict[str, Any], events: int,
                   requested_by: str, requested_by_name: str, requested_at: datetime,
                   expires_at: datetime) -> dict[str, Any]:
    row: dict[str, Any] = conn.execute(
        "INSERT INTO approval_requests (tenant_id, kind, request, events, requested_by,"
        " requested_by_name, requested_at, expires_at) VALUES (app.current_tenant(), %s, %s,"
        f" %s, %s, %s, %s, %s) RETURNING {_COLUMNS}",
        (kind, Jsonb(request), events, requested_by, requested_by_name, requested_at,
         expires_at)).fetchone()
    return row


def get_request(conn: Any, request_id: Any, *, lock: bool = False) -> dict[str, Any] | None:
    row: dict[str, Any] | None = conn.execute(
        f"SELECT {_COLUMNS} FROM approval_requests WHERE id = %s"
        + (" FOR UPDATE" if lock else ""), (str(request_id),)).fetchone()
    return row


def list_requests(conn: Any, *, status: str | None, limit: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = conn.execute(
        f"SELECT {_COLUMNS} FROM approval_requests"
        " WHERE (%(status)s::text IS NULL OR status = %(status)s)"
        " ORDER BY requested_at DESC, id LIMIT %(limit)s",
        {"status": status, "limit": limit}).fetchall()
    return rows


def decide(conn: Any, request_id: Any, *, status: str, decided_by: str | None,
           decided_by_name: str | None, decided_at: datetime, note: str | None,
           outcome: dict[str, Any] | None) -> dict[str, Any]:
    row: dict[str, Any] = conn.execute(
        "UPDATE approval_requests SET status = %s, decided_by = %s, decided_by_name = %s,"
        " decided_at = %s, note = %s, outcome = %s WHERE id = %s AND status = 'pending'"
        f" RETURNING {_COLUMNS}",
        (status, decided_by, decided_by_name, decided_at, note,
         Jsonb(outcome) if outcome is not None else None, str(request_id))).fetchone()
    return row


def recent_events(conn: Any, *, actor_id: str, actions: list[str], since: datetime) -> int:
    """How many events one user acted on (audit rows of `actions`) since `since`, for the
    four-eyes rolling sum: a back-load job's row counts its `total`. Rows written while
    approving another user's request are left out: those actions had their second pair of
    eyes already."""
    row = conn.execute(
        "SELECT coalesce(sum(CASE WHEN a.action = 'backload.create'"
        " THEN coalesce((a.after->>'total')::bigint, 0) ELSE 1 END), 0) AS n"
        " FROM audit_log a WHERE a.actor_type = 'user' AND a.actor_id = %(actor)s"
        " AND a.action = ANY(%(actions)s) AND a.at >= %(since)s"
        " AND NOT EXISTS (SELECT 1 FROM audit_log d WHERE d.action = 'approval.approve'"
        "   AND d.request_id = a.request_id AND d.actor_id = a.actor_id)",
        {"actor": actor_id, "actions": actions, "since": since}).fetchone()
    return int(row["n"])
