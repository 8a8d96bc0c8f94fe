"""Sign-in, refresh and sign-out for the API's users, and their management by tenant admins.

- **Sign-in** checks an argon2 hash (argon2-cffi). An unknown user is checked against a dummy
  hash, so the answer and its time are the same as for a wrong password; a disabled user gets
  that answer too (the audit row tells them apart). Hashes made with older parameters are
  rehashed on success.
- **Tokens**: a short-lived HS256 access JWT (`tokens.mint`) plus an opaque refresh token,
  stored as sha256 in `refresh_tokens` (0009_auth.sql). Each refresh rotates it; presenting a
  rotated one again means it was copied, so its whole family is revoked. Logout revokes.
  Access tokens are not revocable: they live `access_ttl_s` (15 minutes) at most.
- **Throttle**: `max_failures` failed sign-ins for one username within `failure_window_s` ->
  429 with Retry-After. Kept in the database: actions are stateless. Throttled attempts are
  not counted, so the block lifts on schedule.
- **Audit**: every sign-in success (`auth.signed_in`) and failure (`auth.failed`, actor_type
  anonymous, with the attempted username and the reason, never the password).

Sign-in and refresh run in system transactions: a username or a refresh token names no tenant
until its row is found. User management runs in the admin's tenant transaction (RLS).
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.adapters.db import audit as audit_log
from shared.adapters.db import identity
from shared.domain.identifiers import is_uuid
from shared.domain.roles import ROLES
from shared.platform import tokens
from shared.services.operations.base import Actor, Conflict, InvalidRequest, NotFound, audit

if TYPE_CHECKING:
    import psycopg

    from shared.services.ports import Database

REFRESH_PREFIX = "srt_"
_REFRESH = re.compile(rf"^{REFRESH_PREFIX}[A-Za-z0-9_-]{{43}}$")
PASSWORD_MIN, PASSWORD_MAX = 12, 1024  # the upper bound keeps one hash from being a DoS lever
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,99}$")
INVALID_CREDENTIALS = "the username or password is not correct"


@dataclass(frozen=True)
class AuthSettings:
    signing_secret: str
    access_ttl_s: int = 900
    refresh_ttl_s: int = 12 * 3600  # a working day: the console refreshes silently meanwhile
    max_failures: int = 10
    failure_window_s: int = 900
    # argon2id cost; the defaults are RFC 9106's low-memory profile (argon2-cffi's own)
    hash_time_cost: int = 3
    hash_memory_kib: int = 65536
    hash_parallelism: int = 4

    @classmethod
    def from_config(cls, config: Any) -> AuthSettings:
        from shared.platform.config import ConfigError

        secret = config.get("jwt_signing_secret")
        if not secret:
            raise ConfigError("setting 'jwt_signing_secret' is missing: sign-in issues HS256"
                              " tokens signed with it")
        return cls(str(secret), access_ttl_s=config.integer("jwt_access_ttl_s", 900),
                   refresh_ttl_s=config.integer("jwt_refresh_ttl_s", 12 * 3600),
                   max_failures=config.integer("sign_in_max_failures", 10),
                   failure_window_s=config.integer("sign_in_failure_window_s", 900),
                   hash_time_cost=config.integer("password_hash_time_cost", 3),
                   hash_memory_kib=config.integer("password_hash_memory_kib", 65536),
                   hash_parallelism=config.integer("password_hash_parallelism", 4))

    @property
    def hasher(self) -> Any:
        return _hasher(self.hash_time_cost, self.hash_memory_kib, self.hash_parallelism)


class AuthError(Exception):
    """A refused sign-in, refresh or logout; the API answers `status` with `detail`."""

    def __init__(self, status: int, reason: str, detail: str, retry_after: int | None = None):
        super().__init__(detail)
        self.status, self.reason, self.detail = status, reason, detail
        self.retry_after = retry_after


@dataclass(frozen=True)
class Session:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    user: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"access_token": self.access_token, "token_type": "Bearer",
                "expires_in": self.expires_in, "refresh_token": self.refresh_token,
                "refresh_expires_in": self.refresh_expires_in, "user": self.user}


# -- passwords ----------------------------------------------------------------------------------

DEFAULT_COST = (3, 65536, 4)


@functools.cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


@functools.cache
def _dummy_hash(hasher: Any) -> str:
    """Verified against for unknown users: the same parameters, so the same cost."""
    return hasher.hash(secrets.token_urlsafe(16))


def password_hasher(config: Any) -> Any:
    """The argon2 hasher the config asks for (`password_hash_*`; RFC 9106 low-memory default)."""
    return _hasher(config.integer("password_hash_time_cost", DEFAULT_COST[0]),
                   config.integer("password_hash_memory_kib", DEFAULT_COST[1]),
                   config.integer("password_hash_parallelism", DEFAULT_COST[2]))


def hash_password(password: str, hasher: Any = None) -> str:
    return (hasher or _hasher(*DEFAULT_COST)).hash(password)


def _password_matches(hasher: Any, password_hash: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        verified = hasher.verify(password_hash or _dummy_hash(hasher), password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(verified and password_hash)


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why a new password is refused (the policy), or None."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long"
    if not password.strip():
        return "must not be blank"
    if username and username.lower() in password.lower():
        return "must not contain the username"
    return None


# -- sign-in ------------------------------------------------------------------------------------

def sign_in(db: Database, settings: AuthSettings, username: str, password: str, *,
            request_id: str | None = None, remote: str | None = None) -> Session:
    """A session for valid credentials; AuthError 401 (any refusal) or 429 (throttled)."""
    key = username.strip().lower()
    where = {"path": "/api/auth/token", "remote": remote}
    with db.system() as conn:
        retry_after = _retry_after(conn, key, settings)
        if retry_after is not None:
            _failed(conn, None, "throttled", {"username": username[:100], **where}, request_id)
        row = None if retry_after is not None else identity.find_user_for_sign_in(conn,
                                                                                  username)
    if retry_after is not None:
        raise AuthError(429, "throttled", f"too many failed sign-ins for this username; try "
                        f"again in {retry_after} s", retry_after=retry_after)
    matches = _password_matches(settings.hasher, row["password_hash"] if row else None,
                                password)
    if row is None or not matches or row["disabled"]:
        reason = ("unknown_user" if row is None else "bad_password" if not matches
                  else "user_disabled")
        with db.system() as conn:
            identity.add_sign_in_failure(conn, key)
            identity.prune_sign_in_failures(conn, settings.failure_window_s)
            _failed(conn, row["tenant_id"] if row else None, reason,
                    {"username": username[:100], **where}, request_id)
        raise AuthError(401, "invalid_credentials", INVALID_CREDENTIALS)
    with db.system() as conn:
        if settings.hasher.check_needs_rehash(row["password_hash"]):
            identity.set_password_hash(conn, row["id"],
                                       hash_password(password, settings.hasher))
        identity.touch_last_login(conn, row["id"])
        identity.clear_sign_in_failures(conn, key)
        audit_log.record(conn, tenant_id=row["tenant_id"], actor=row["username"],
                         actor_type="user", action="auth.signed_in", entity_type="user",
                         entity_id=row["id"], after={"remote": remote}, actor_id=row["id"],
                         request_id=request_id)
        return _session(conn, settings, row, family_id=uuid.uuid4(), parent_id=None)


def _retry_after(conn: psycopg.Connection[Any], key: str, settings: AuthSettings) -> int | None:
    """Seconds until `key` may try again, None when it may now. Blocked while the window
    holds `max_failures` failures: until the max_failures-th latest one leaves it."""
    seconds = identity.sign_in_retry_after_s(conn, key, window_s=settings.failure_window_s,
                                             max_failures=settings.max_failures)
    return max(1, seconds) if seconds is not None else None


# -- refresh tokens -----------------------------------------------------------------------------

def hash_refresh_token(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def _session(conn: psycopg.Connection[Any], settings: AuthSettings, user: dict[str, Any], *,
             family_id: Any, parent_id: Any) -> Session:
    """A new access token and a new refresh token (of `family_id`) for `user`."""
    refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
    identity.insert_refresh_token(conn, tenant_id=user["tenant_id"], user_id=user["id"],
                                  family_id=family_id, parent_id=parent_id,
                                  token_hash=hash_refresh_token(refresh),
                                  ttl_s=settings.refresh_ttl_s)
    access = tokens.mint(settings.signing_secret, subject=str(user["id"]),
                         tenant_id=str(user["tenant_id"]), tenant_slug=user["tenant"],
                         role=user["role"], ttl_s=settings.access_ttl_s)
    return Session(access, settings.access_ttl_s, refresh, settings.refresh_ttl_s,
                   public_user(user))


def refresh(db: Database, settings: AuthSettings, token: str, *, request_id: str | None = None,
            remote: str | None = None) -> Session:
    """A new session for a current refresh token, which is used up (rotated)."""
    where = {"path": "/api/auth/refresh", "remote": remote}
    if not _REFRESH.match(token.strip()):
        with db.system() as conn:
            _failed(conn, None, "malformed_refresh_token", where, request_id)
        raise AuthError(401, "invalid_refresh_token", "the refresh token is not of the form "
                        f"{REFRESH_PREFIX}<secret>")
    with db.system() as conn:  # refusals commit their revocations and audit rows
        outcome = _rotate(conn, settings, token.strip(), where, request_id)
    if isinstance(outcome, AuthError):
        raise outcome
    return outcome


def _rotate(conn: psycopg.Connection[Any], settings: AuthSettings, token: str,
            where: dict[str, Any], request_id: str | None) -> Session | AuthError:
    row = identity.lock_refresh_token(conn, hash_refresh_token(token))
    if row is None:
        _failed(conn, None, "unknown_refresh_token", where, request_id)
        return AuthError(401, "invalid_refresh_token", "the refresh token is not valid")
    tenant = row["tenant_id"]
    if row["revoked_at"] is not None:
        _failed(conn, tenant, "revoked_refresh_token", where, request_id)
        return AuthError(401, "revoked_refresh_token", "the refresh token has been revoked;"
                         " sign in again")
    if row["rotated_at"] is not None:
        revoked = _revoke_family(conn, row["family_id"], "reuse")
        _failed(conn, tenant, "refresh_token_reused",
                {**where, "family_id": str(row["family_id"]), "revoked": revoked}, request_id)
        return AuthError(401, "refresh_token_reused", "the refresh token was already used;"
                         " every session of this sign-in is revoked: sign in again")
    if row["expired"]:
        _failed(conn, tenant, "expired_refresh_token", where, request_id)
        return AuthError(401, "expired_refresh_token", "the refresh token has expired;"
                         " sign in again")
    if row["disabled"]:
        _revoke_family(conn, row["family_id"], "user_disabled")
        _failed(conn, tenant, "user_disabled", where, request_id)
        return AuthError(401, "invalid_refresh_token", "the refresh token is not valid")
    identity.mark_refresh_token_rotated(conn, row["token_id"])
    return _session(conn, settings, row, family_id=row["family_id"], parent_id=row["token_id"])


def _revoke_family(conn: psycopg.Connection[Any], family_id: Any, reason: str) -> int:
    return _revoke(conn, "family_id", family_id, reason)


def revoke_user_sessions(conn: psycopg.Connection[Any], user_id: Any, reason: str) -> int:
    """Revoke every refresh token of a user (disabled, password reset, sign out everywhere)."""
    return _revoke(conn, "user_id", user_id, reason)


def _revoke(conn: psycopg.Connection[Any], column: str, value: Any, reason: str) -> int:
    """Revoke the matching tokens (rotated ones too, so a replay reads as revoked); the number
    of live sessions that ended."""
    rows = identity.revoke_refresh_tokens(conn, column, value, reason)
    return sum(1 for row in rows if row["rotated_at"] is None)


def logout(db: Database, *, tenant_id: str, user_id: str, user_name: str,
           refresh_token: str | None = None, request_id: str | None = None) -> int:
    """Revoke the session of `refresh_token` (its whole family), or every session of the user
    without one; the number of refresh tokens revoked. Another user's token is not touched."""
    if not is_uuid(user_id):
        return 0  # a script's token (`swaprep token`) or an IdP's: no sessions here
    with db.tenant(tenant_id) as conn:
        if refresh_token:
            family_id = identity.find_refresh_family(
                conn, hash_refresh_token(refresh_token.strip()), user_id)
            revoked = _revoke_family(conn, family_id, "logout") if family_id is not None else 0
        else:
            revoked = revoke_user_sessions(conn, user_id, "logout")
        audit_log.record(conn, tenant_id=tenant_id, actor=user_name, actor_type="user",
                         action="auth.logged_out", entity_type="user", entity_id=user_id,
                         after={"revoked": revoked, "all_sessions": not refresh_token},
                         actor_id=user_id, request_id=request_id)
    return revoked


# -- audit --------------------------------------------------------------------------------------

def _failed(conn: psycopg.Connection[Any], tenant_id: Any, reason: str, details: dict[str, Any],
            request_id: str | None) -> None:
    """An `auth.failed` row: no actor is known, only what was attempted."""
    audit_log.record(conn, tenant_id=tenant_id, actor="anonymous", actor_type="anonymous",
                     action="auth.failed", entity_type="user", entity_id=None,
                     after={"reason": reason, "method": "POST", **details},
                     request_id=request_id)


# -- users (tenant admins) ----------------------------------------------------------------------

def public_user(row: dict[str, Any]) -> dict[str, Any]:
    """A user as the API shows it: never the hash."""
    return {"id": str(row["id"]), "tenant_id": str(row["tenant_id"]),
            "username": row["username"],
            "display_name": row["display_name"], "role": row["role"],
            "disabled": row["disabled"], "tenant": row["tenant"],
            "created_at": row["created_at"], "last_login_at": row["last_login_at"],
            "client_lei": row.get("client_lei")}


def get_user(conn: psycopg.Connection[Any], user_id: str) -> dict[str, Any] | None:
    """A user visible in this transaction (RLS: the tenant's own), or None."""
    if not is_uuid(user_id):
        return None
    row = identity.find_user(conn, user_id)
    return public_user(row) if row else None


def list_users(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    return [public_user(row) for row in identity.list_users(conn)]


def create_user(conn: psycopg.Connection[Any], actor: Actor, *, tenant_id: str, username: str,
                password: str, role: str, display_name: str | None = None, hasher: Any = None,
                client_lei: str | None = None) -> dict[str, Any]:
    client_lei = client_lei.strip().upper() if client_lei else None
    _check_new_user(username, password, role, client_lei)
    user_id = identity.insert_user(conn, tenant_id=tenant_id, username=username,
                                   display_name=display_name,
                                   password_hash=hash_password(password, hasher), role=role,
                                   client_lei=client_lei)
    if user_id is None:
        raise Conflict(f"username '{username}' is taken; choose another", reason="username_taken")
    user = get_user(conn, str(user_id))
    assert user is not None
    audit(conn, actor, tenant_id=tenant_id, action="user.created", entity_type="user",
          entity_id=user_id, before=None, after=_audited(user))
    return user


def _check_new_user(username: str, password: str, role: str,
                    client_lei: str | None = None) -> None:
    from shared.domain.identifiers import lei_shaped
    from shared.services.operations.base import FieldError

    errors = []
    if not USERNAME.match(username):
        errors.append(FieldError("username", "must be 3 to 100 letters, digits or . _ @ -,"
                                 " starting with a letter or digit"))
    if (problem := password_problem(password, username)) is not None:
        errors.append(FieldError("password", problem))
    if role not in ROLES:
        errors.append(FieldError("role", f"must be one of {', '.join(ROLES)}"))
    # a client_viewer is bound to one client, and only a client_viewer is
    if role == "client_viewer" and not (client_lei and lei_shaped(client_lei)):
        errors.append(FieldError("client_lei", "a client_viewer needs the LEI of the client it"
                                 " sees (20 characters, ISO 17442)"))
    elif role != "client_viewer" and client_lei:
        errors.append(FieldError("client_lei", "only a client_viewer is bound to a client"))
    if errors:
        raise InvalidRequest("the user cannot be created", errors)


UPDATABLE = ("role", "disabled", "display_name", "password")


def update_user(conn: psycopg.Connection[Any], actor: Actor, user_id: str,
                changes: Mapping[str, Any], hasher: Any = None) -> dict[str, Any]:
    """Change a user of the admin's tenant (`changes`: some of UPDATABLE; a display_name of
    None clears it). A new password or disabling ends the user's sessions. The tenant keeps at
    least one active admin."""
    from shared.services.operations.base import FieldError

    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown or not changes:
        raise InvalidRequest("the user cannot be changed", [FieldError(
            None, f"give some of {', '.join(UPDATABLE)}"
            + (f"; unknown: {', '.join(unknown)}" if unknown else ""))])
    if is_uuid(user_id):
        identity.lock_user(conn, user_id)
    before = get_user(conn, user_id)
    if before is None:
        raise NotFound(f"no user {user_id} in this tenant")
    after = {**before, **{k: v for k, v in changes.items() if k != "password"}}
    password = changes.get("password")
    errors = []
    if after["role"] not in ROLES:
        errors.append(FieldError("role", f"must be one of {', '.join(ROLES)}"))
    elif "client_viewer" in (before["role"], after["role"]) and after["role"] != before["role"]:
        errors.append(FieldError("role", "a client_viewer stays one (it is bound to its client):"
                                 " create a new user instead"))
    if not isinstance(after["disabled"], bool):
        errors.append(FieldError("disabled", "must be true or false"))
    if password is not None and (problem := password_problem(password, before["username"])):
        errors.append(FieldError("password", problem))
    if errors:
        raise InvalidRequest("the user cannot be changed", errors)
    loses_admin = before["role"] == "admin" and not before["disabled"] and (
        after["role"] != "admin" or after["disabled"])
    if loses_admin and not identity.count_other_active_admins(conn, user_id):
        raise Conflict(f"{before['username']} is the tenant's last active admin: make"
                       " another user admin first", reason="last_admin")
    identity.update_user(conn, user_id, role=after["role"], disabled=after["disabled"],
                         display_name=after["display_name"],
                         password_hash=hash_password(password, hasher)
                         if password is not None else None)
    ended = 0
    if after["disabled"] and not before["disabled"]:
        ended = revoke_user_sessions(conn, user_id, "user_disabled")
    elif password is not None:
        ended = revoke_user_sessions(conn, user_id, "user_changed")
    updated = get_user(conn, user_id)
    assert updated is not None
    audit(conn, actor, tenant_id=before["tenant_id"], action="user.updated",
          entity_type="user", entity_id=user_id, before=_audited(before),
          after={**_audited(updated), "password_changed": password is not None,
                 "sessions_revoked": ended})
    return updated


def _audited(user: dict[str, Any]) -> dict[str, Any]:
    return {k: user[k] for k in ("username", "display_name", "role", "disabled")}
