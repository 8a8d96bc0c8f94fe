"""Who may call: `users`, `refresh_tokens` and `sign_in_failures` (0009_auth.sql) and `api_keys`
(issue #5); a tenant itself is read through `tenants.py`.

The services `shared.services.identity.auth` (sign-in, refresh, user management) and
`shared.services.identity.apikeys` (keys and the authorizer's check) decide; these functions
only read and write the rows, in the caller's transaction and scope: sign-in, refresh and the
key check run system-wide (the credential names no tenant until its row is found), user and key
management in the admin's tenant transaction (RLS). Hashes are made by the services: no secret
reaches this module in clear.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

USER_COLUMNS = ("u.id, u.tenant_id, u.username, u.display_name, u.role, u.disabled,"
                " u.created_at, u.last_login_at, u.client_lei, t.slug AS tenant")


# -- users --------------------------------------------------------------------------------------

def find_user_for_sign_in(conn: Any, username: str) -> dict[str, Any] | None:
    """The user with this exact username, with its tenant's slug and its password hash."""
    row: dict[str, Any] | None = conn.execute(
        f"SELECT {USER_COLUMNS}, u.password_hash FROM users u JOIN tenants t"
        " ON t.id = u.tenant_id WHERE u.username = %s", (username,)).fetchone()
    return row


def find_user(conn: Any, user_id: str) -> dict[str, Any] | None:
    """A user visible in this transaction (RLS: the tenant's own), without its hash."""
    row: dict[str, Any] | None = conn.execute(
        f"SELECT {USER_COLUMNS} FROM users u JOIN tenants t ON t.id ="
        " u.tenant_id WHERE u.id = %s", (user_id,)).fetchone()
    return row


def list_users(conn: Any) -> list[dict[str, Any]]:
    """The users visible in this transaction, by username, without their hashes."""
    rows: list[dict[str, Any]] = conn.execute(
        f"SELECT {USER_COLUMNS} FROM users u JOIN tenants t ON t.id ="
        " u.tenant_id ORDER BY u.username").fetchall()
    return rows


def insert_user(conn: Any, *, tenant_id: str, username: str, display_name: str | None,
                password_hash: str, role: str, client_lei: str | None = None) -> Any | None:
    """The new user's id; None when the username is taken (by any tenant). `client_lei`: the
    one client a client_viewer sees (migration 0027)."""
    row = conn.execute(
        "INSERT INTO users (tenant_id, username, display_name, password_hash, role, client_lei)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (username) DO NOTHING RETURNING id",
        (tenant_id, username, display_name, password_hash, role, client_lei)).fetchone()
    return row["id"] if row else None


def lock_user(conn: Any, user_id: str) -> None:
    """Hold the user's row until commit: two admins' changes to one user serialise."""
    conn.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE", (user_id,))


def count_other_active_admins(conn: Any, user_id: str) -> int:
    """Active admins of this transaction's tenant other than `user_id`."""
    n: int = conn.execute(
        "SELECT count(*) AS n FROM users WHERE role = 'admin' AND NOT disabled AND id <> %s",
        (user_id,)).fetchone()["n"]
    return n


def update_user(conn: Any, user_id: str, *, role: str, disabled: bool,
                display_name: str | None, password_hash: str | None) -> None:
    """Set role, disabled and display name; the password hash only when one is given."""
    conn.execute(
        "UPDATE users SET role = %s, disabled = %s, display_name = %s,"
        " password_hash = coalesce(%s, password_hash) WHERE id = %s",
        (role, disabled, display_name, password_hash, user_id))


def set_password_hash(conn: Any, user_id: Any, password_hash: str) -> None:
    conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id))


def touch_last_login(conn: Any, user_id: Any) -> None:
    conn.execute("UPDATE users SET last_login_at = now() WHERE id = %s", (user_id,))


# -- sign-in throttle ---------------------------------------------------------------------------

def sign_in_retry_after_s(conn: Any, username: str, *, window_s: int,
                          max_failures: int) -> int | None:
    """Seconds until the `max_failures`-th latest failure of `username` leaves the window
    (may be 0 or less at the edge); None when the window holds fewer failures."""
    row = conn.execute(
        "SELECT ceil(extract(epoch FROM at + make_interval(secs => %s) - now()))::int AS s"
        " FROM sign_in_failures WHERE username = %s AND at > now() - make_interval(secs => %s)"
        " ORDER BY at DESC OFFSET %s LIMIT 1",
        (window_s, username, window_s, max_failures - 1)).fetchone()
    return row["s"] if row else None


def add_sign_in_failure(conn: Any, username: str) -> None:
    conn.execute("INSERT INTO sign_in_failures (username) VALUES (%s)", (username,))


def prune_sign_in_failures(conn: Any, window_s: int) -> None:
    """Forget failures older than the window, every username's."""
    conn.execute("DELETE FROM sign_in_failures WHERE at < now() - make_interval("
                 "secs => %s)", (window_s,))


def clear_sign_in_failures(conn: Any, username: str) -> None:
    conn.execute("DELETE FROM sign_in_failures WHERE username = %s", (username,))


# -- refresh tokens -----------------------------------------------------------------------------

def insert_refresh_token(conn: Any, *, tenant_id: Any, user_id: Any, family_id: Any,
                         parent_id: Any, token_hash: str, ttl_s: int) -> None:
    conn.execute(
        "INSERT INTO refresh_tokens (tenant_id, user_id, family_id, parent_id, token_hash,"
        " expires_at) VALUES (%s, %s, %s, %s, %s, now() + make_interval(secs => %s))",
        (tenant_id, user_id, family_id, parent_id, token_hash, ttl_s))


def lock_refresh_token(conn: Any, token_hash: str) -> dict[str, Any] | None:
    """The refresh token (locked until commit) with its state and its user's columns."""
    row: dict[str, Any] | None = conn.execute(
        f"SELECT r.id AS token_id, r.family_id, r.rotated_at, r.revoked_at,"
        f" r.expires_at <= now() AS expired, {USER_COLUMNS} FROM refresh_tokens r"
        " JOIN users u ON u.id = r.user_id JOIN tenants t ON t.id = r.tenant_id"
        " WHERE r.token_hash = %s FOR UPDATE OF r", (token_hash,)).fetchone()
    return row


def mark_refresh_token_rotated(conn: Any, token_id: Any) -> None:
    conn.execute("UPDATE refresh_tokens SET rotated_at = now() WHERE id = %s", (token_id,))


def find_refresh_family(conn: Any, token_hash: str, user_id: str) -> Any | None:
    """The family of this user's refresh token, None for an unknown or another's token."""
    row = conn.execute("SELECT family_id FROM refresh_tokens WHERE token_hash = %s"
                       " AND user_id = %s", (token_hash, user_id)).fetchone()
    return row["family_id"] if row else None


def revoke_refresh_tokens(conn: Any, column: str, value: Any,
                          reason: str) -> list[dict[str, Any]]:
    """Revoke the unrevoked tokens whose `column` (family_id or user_id) is `value`; their
    `rotated_at`, one row each."""
    assert column in ("family_id", "user_id")
    rows: list[dict[str, Any]] = conn.execute(
        f"UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = %s WHERE {column} = %s"
        " AND revoked_at IS NULL RETURNING rotated_at", (reason, value)).fetchall()
    return rows


# -- API keys -----------------------------------------------------------------------------------

def _dict_cursor(conn: Any) -> Any:
    from psycopg.rows import dict_row

    return conn.cursor(row_factory=dict_row)  # also on plain psycopg connections (demo seed)


def insert_api_key(conn: Any, *, tenant_id: uuid.UUID | str, name: str, prefix: str,
                   key_hash: str, scopes: Sequence[str],
                   created_by: uuid.UUID | str | None) -> bool:
    """False when the prefix is taken (the row is kept as it is)."""
    with _dict_cursor(conn) as cur:
        row = cur.execute(
            "INSERT INTO api_keys (tenant_id, name, prefix, key_hash, scopes, created_by)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (prefix) DO NOTHING RETURNING id",
            (str(tenant_id), name, prefix, key_hash, list(scopes),
             str(created_by) if created_by else None),
        ).fetchone()
    return row is not None


def list_api_keys(conn: Any) -> list[dict[str, Any]]:
    """The keys visible in this transaction, oldest first, never their hashes."""
    with _dict_cursor(conn) as cur:
        rows: list[dict[str, Any]] = cur.execute(
            "SELECT id, tenant_id, name, prefix, scopes, created_by, created_at, last_used_at,"
            " revoked_at FROM api_keys ORDER BY created_at, prefix").fetchall()
    return rows


def find_api_key(conn: Any, column: str, value: str) -> dict[str, Any] | None:
    """A key visible in this transaction (RLS) by id or prefix; never its hash."""
    assert column in ("id", "prefix")
    row: dict[str, Any] | None = conn.execute(
        "SELECT id, name, prefix, scopes, created_by, created_at, last_used_at, revoked_at"
        f" FROM api_keys WHERE {column} = %s", (value,)).fetchone()
    return row


def revoke_api_key(conn: Any, column: str, value: str) -> dict[str, Any] | None:
    """Revoke the active key whose `column` (id or prefix) is `value`: its tenant_id, prefix
    and revoked_at; None when no such active key is visible."""
    assert column in ("id", "prefix")
    with _dict_cursor(conn) as cur:
        row: dict[str, Any] | None = cur.execute(
            f"UPDATE api_keys SET revoked_at = now() WHERE {column} = %s AND revoked_at IS NULL"
            " RETURNING tenant_id, prefix, revoked_at", (value,)).fetchone()
    return row


def find_api_key_for_check(conn: Any, prefix: str) -> dict[str, Any] | None:
    """The key with this prefix, with its hash and state, for the authorizer (system-wide)."""
    row: dict[str, Any] | None = conn.execute(
        "SELECT id, tenant_id, name, key_hash, scopes, revoked_at FROM api_keys"
        " WHERE prefix = %s", (prefix,)).fetchone()
    return row


def touch_api_key_last_used(conn: Any, key_id: Any, every_s: int) -> None:
    """Set last_used_at to now unless it was set within `every_s`: no write per request."""
    conn.execute(
        "UPDATE api_keys SET last_used_at = now() WHERE id = %s AND (last_used_at IS NULL"
        " OR last_used_at < now() - make_interval(secs => %s))",
        (key_id, every_s))


