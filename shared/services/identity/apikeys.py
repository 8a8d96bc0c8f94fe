"""Per-FEP API keys and the credential check behind the authorizer (issue #5).

A key looks like `srk_<prefix>_<secret>`: `prefix` (8 lower-case letters and digits) names the
row and may be shown to people; `secret` is 256 random bits (43 url-safe characters) and is
never stored. The table keeps the prefix and `sha256:<hex>` of the whole key. A fast hash is
the right one here: a password hashing function (argon2) makes guessing a *low-entropy*
password slow, but nobody can guess 256 random bits anyway, and argon2 would cost ~50 ms of
CPU and 64 MiB on every single API call (the authorizer checks the key on each request).

`authenticate` is what the authorizer action runs for every protected request: a bearer JWT
(`Authorization: Bearer ...`, users and scripts) or an API key (`X-API-Key: srk_...`, FEPs)
becomes a `Principal`; anything else is an `AuthFailure`, which `record_failure` writes to
audit_log (no secret material: at most the key's public prefix). Token verification is passed
in (`verify_token`, from `tokens.verifier_from_config`): HS256 for our own tokens and, when
configured, an identity provider's RS256/ES256 tokens checked against its JWKS, whose tenant
claim (a slug or id) must name a tenant that exists here.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import string
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.domain.identifiers import is_uuid
from shared.domain.roles import ROLES

if TYPE_CHECKING:
    import psycopg

    from shared.services.ports import Database

KEY_PREFIX = "srk_"
SCOPES = ("ingest",)  # what a key may do; users get roles through tokens instead
PREFIX_ALPHABET = string.ascii_lowercase + string.digits
PREFIX_LENGTH = 8
SECRET_BYTES = 32  # 256 bits -> 43 url-safe characters
LAST_USED_EVERY_S = 60  # refresh last_used_at at most this often: no write per request
_KEY = re.compile(rf"^{KEY_PREFIX}([a-z0-9]{{{PREFIX_LENGTH}}})_([A-Za-z0-9_-]{{43}})$")
# Compared against when no row matches, so an unknown prefix costs the same work.
_DUMMY_HASH = "sha256:" + "0" * 64

# Requests the gateway lets through without a credential ("METHOD /path"; HEAD counts as GET).
# The api action's action.toml `[gateway] public` lists the same routes (a test checks it): the
# gateway skips the authorizer for them, as NCP API Gateway does per resource and method.
PUBLIC_ROUTES = ("GET /api/health", "POST /api/auth/token", "POST /api/auth/refresh",
                 "GET /api/openapi.json")


# -- keys --------------------------------------------------------------------------------------

def hash_key(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def generate_key() -> tuple[str, str]:
    """A new key and its prefix (pure: no storage)."""
    prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    return f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}", prefix


def key_prefix(presented: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    match = _KEY.match(presented.strip())
    return match[1] if match else None


def check_scopes(scopes: Sequence[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValueError(f"scopes must be a non-empty subset of {', '.join(SCOPES)}"
                         + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    return sorted(set(scopes))


def _insert_key(conn: psycopg.Connection[Any], tenant_id: uuid.UUID | str, name: str,
                scopes: Sequence[str], created_by: uuid.UUID | str | None, key: str,
                prefix: str) -> bool:
    from shared.adapters.db import identity

    return identity.insert_api_key(conn, tenant_id=tenant_id, name=name, prefix=prefix,
                                   key_hash=hash_key(key), scopes=scopes,
                                   created_by=created_by)


def create_key(conn: psycopg.Connection[Any], tenant_id: uuid.UUID | str, name: str,
               scopes: Sequence[str] = ("ingest",), created_by: uuid.UUID | str | None = None,
               request_id: str | None = None) -> str:
    """Store a new key for the tenant and return it in plain text: the only time it is seen."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise ValueError("a key name must be 1 to 100 characters")
    scopes = check_scopes(scopes)
    for _ in range(5):  # 36^8 prefixes: a clash is rare, but the column is unique
        key, prefix = generate_key()
        if _insert_key(conn, tenant_id, name, scopes, created_by, key, prefix):
            _audit(conn, tenant_id, created_by, "api_key.created", prefix,
                   {"name": name, "scopes": scopes, "prefix": prefix}, request_id=request_id)
            return key
    raise RuntimeError("could not find a free key prefix")


def seed_demo_api_key(conn: psycopg.Connection[Any], tenant_id: uuid.UUID | str, *,
                      seed_secret: str | None = None, name: str = "demo-fep") -> str:
    """The demo FEP's ingest key. With `seed_secret` (a persisted local secret) the key is
    derived from it, so every restart of the local stack prints the same working key; without
    one, a fresh key is made each time."""
    if seed_secret is None:
        return create_key(conn, tenant_id, name, ("ingest",))
    material = hmac.new(seed_secret.encode(), f"api-key:{tenant_id}:{name}".encode(),
                        hashlib.sha256).digest()
    prefix = "".join(PREFIX_ALPHABET[b % len(PREFIX_ALPHABET)] for b in material[:PREFIX_LENGTH])
    secret = hashlib.sha256(material).digest()
    import base64

    key = f"{KEY_PREFIX}{prefix}_{base64.urlsafe_b64encode(secret).rstrip(b'=').decode()}"
    _insert_key(conn, tenant_id, name, ("ingest",), None, key, prefix)  # kept if it exists
    return key


def list_keys(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """The keys visible in this transaction (a tenant's under RLS), never their hashes."""
    from shared.adapters.db import identity

    return identity.list_api_keys(conn)


def revoke(conn: psycopg.Connection[Any], prefix_or_id: str,
           revoked_by: uuid.UUID | str | None = None, request_id: str | None = None) -> bool:
    """Revoke a key by prefix or id; False if no such active key is visible."""
    from shared.adapters.db import identity

    column = "id" if is_uuid(prefix_or_id) else "prefix"
    row = identity.revoke_api_key(conn, column, prefix_or_id)
    if row is None:
        return False
    _audit(conn, row["tenant_id"], revoked_by, "api_key.revoked", row["prefix"],
           {"revoked_at": row["revoked_at"].isoformat()}, before={"revoked_at": None},
           request_id=request_id)
    return True


def _audit(conn: psycopg.Connection[Any], tenant_id: Any, user_id: Any, action: str, prefix: str,
           after: dict[str, Any], *, before: dict[str, Any] | None = None,
           request_id: str | None = None) -> None:
    from shared.adapters.db import audit

    audit.record(conn, tenant_id=tenant_id, actor=str(user_id) if user_id else "cli",
                 actor_type="user" if user_id else "system", action=action,
                 entity_type="api_key", entity_id=prefix, before=before, after=after,
                 request_id=request_id)


# -- principals --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Principal:
    """Who is calling: passed from the authorizer to the api action as its `context`."""

    kind: str  # "user" | "api_key"
    subject: str  # user: the token's subject; api_key: the key's id
    tenant_id: str
    role: str | None = None  # users
    scopes: tuple[str, ...] = ()  # API keys
    name: str | None = None  # API key name (the FEP), or the tenant slug for users
    prefix: str | None = None

    def as_context(self) -> dict[str, Any]:
        context: dict[str, Any] = {"kind": self.kind, "subject": self.subject,
                                   "tenant_id": self.tenant_id}
        if self.kind == "user":
            context.update(role=self.role, tenant=self.name)
        else:
            context.update(scopes=list(self.scopes), name=self.name, prefix=self.prefix)
        return context

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> Principal | None:
        """The principal an authorizer passed on; None for anything else (public routes)."""
        kind, subject, tenant = (context.get(k) for k in ("kind", "subject", "tenant_id"))
        if kind not in ("user", "api_key") or not subject or not tenant:
            return None
        return cls(kind, str(subject), str(tenant), role=context.get("role"),
                   scopes=tuple(context.get("scopes") or ()),
                   name=context.get("name") or context.get("tenant"),
                   prefix=context.get("prefix"))

    @property
    def actor(self) -> str:
        """How audit_log names this caller (never secret)."""
        return f"api_key:{self.prefix}" if self.kind == "api_key" else self.subject


@dataclass(frozen=True)
class AuthFailure:
    reason: str  # stable, for audit and tests: missing_credentials, expired_token, ...
    detail: str  # what the caller is told
    scheme: str = "Bearer"  # the challenge to answer with
    tenant_id: str | None = None  # when the credential names a known tenant
    key_prefix: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def challenge(self) -> str:
        if self.reason == "missing_credentials":
            return 'Bearer realm="swaprep", ApiKey realm="swaprep"'
        if self.scheme == "ApiKey":
            return 'ApiKey realm="swaprep", error="invalid_key"'
        return f'Bearer realm="swaprep", error="invalid_token", error_description="{self.detail}"'


def verify(db: Database, presented: str) -> Principal | None:
    """The principal of an active key, or None (malformed, unknown, revoked, wrong secret)."""
    result = check_key(db, presented)
    return result if isinstance(result, Principal) else None


def check_key(db: Database, presented: str) -> Principal | AuthFailure:
    prefix = key_prefix(presented)
    if prefix is None:
        return AuthFailure("malformed_key", "the API key is not of the form srk_<prefix>_<secret>",
                           "ApiKey")
    from shared.adapters.db import identity

    with db.system() as conn:  # the key says which tenant; nothing else does yet
        row = identity.find_api_key_for_check(conn, prefix)
        matches = hmac.compare_digest(hash_key(presented.strip()),
                                      row["key_hash"] if row else _DUMMY_HASH)
        if row is None or not matches:
            return AuthFailure("unknown_key", "the API key is not valid", "ApiKey",
                               tenant_id=str(row["tenant_id"]) if row else None,
                               key_prefix=prefix)
        if row["revoked_at"] is not None:
            return AuthFailure("revoked_key", "the API key has been revoked", "ApiKey",
                               tenant_id=str(row["tenant_id"]), key_prefix=prefix)
        identity.touch_api_key_last_used(conn, row["id"], LAST_USED_EVERY_S)
    return Principal("api_key", str(row["id"]), str(row["tenant_id"]),
                     scopes=tuple(row["scopes"]), name=row["name"], prefix=prefix)


# -- the authorizer's check --------------------------------------------------------------------

def is_public(method: str, path: str, routes: Sequence[str] = PUBLIC_ROUTES) -> bool:
    method = "GET" if method.upper() == "HEAD" else method.upper()
    return any(route.split(" ", 1) == [method, path.rstrip("/") or "/"] for route in routes)


_TOKEN_ERRORS = {  # pyjwt exception class name -> (reason, what the caller is told)
    "ExpiredSignatureError": ("expired_token", "the token has expired"),
    "ImmatureSignatureError": ("token_not_yet_valid", "the token is not valid yet"),
    "InvalidSignatureError": ("bad_signature", "the token signature does not verify"),
    "InvalidAlgorithmError": ("bad_algorithm", "the token's signing algorithm is not accepted"),
    "InvalidAudienceError": ("wrong_audience", "the token was issued for another audience"),
    "InvalidIssuerError": ("wrong_issuer", "the token was issued by another issuer"),
    "MissingRequiredClaimError": ("missing_claim", "the token lacks a required claim"),
    "UnknownSigningKeyError": ("unknown_key", "the token's signing key (kid) is not published"
                               " by the identity provider"),
    "KeysUnavailableError": ("jwks_unavailable", "the identity provider's keys cannot be"
                             " fetched; try again shortly"),
    "BadClaimsError": ("bad_claims", "the token names no valid tenant and role"),
}


def check_token(token: str, verify_token: Callable[[str], dict[str, Any]],
                resolve_tenant: Callable[[str], tuple[str, str] | None] | None = None
                ) -> Principal | AuthFailure:
    """A bearer token's principal. An identity provider's token names its tenant by slug or id
    (`tenant_ref`): `resolve_tenant` turns that into (id, slug), None when there is no such
    tenant (refused)."""
    import jwt

    try:
        claims = verify_token(token)
    except jwt.InvalidTokenError as exc:
        reason, detail = _TOKEN_ERRORS.get(type(exc).__name__,
                                           ("invalid_token", "the token cannot be read"))
        return AuthFailure(reason, detail, extra={"error": type(exc).__name__})
    if claims.get("external"):
        found = resolve_tenant(str(claims.get("tenant_ref"))) if resolve_tenant else None
        if found is None:
            return AuthFailure("unknown_tenant", "the token's tenant is not known here",
                               extra={"tenant_ref": str(claims.get("tenant_ref"))[:100]})
        claims = {**claims, "tenant_id": found[0], "tenant": found[1]}
    tenant, role = claims.get("tenant_id"), claims.get("role")
    if not tenant or role not in ROLES or not is_uuid(tenant):
        return AuthFailure("bad_claims", "the token names no valid tenant and role")
    return Principal("user", str(claims["sub"]), str(tenant), role=role,
                     name=claims.get("tenant"))


_TENANT_CACHE_S = 60  # tenants are rarely added and never renamed: spare a query per request
_tenants: dict[tuple[str, str], tuple[float, tuple[str, str]]] = {}


def tenant_by_ref(db: Database, ref: str) -> tuple[str, str] | None:
    """(id, slug) of the tenant with this slug or id; found ones are cached briefly."""
    import time

    from shared.adapters.db import tenants

    key = (str(getattr(db, "url", id(db))), ref)
    cached = _tenants.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    with db.system() as conn:
        row = tenants.by_id(conn, ref) if is_uuid(ref) else tenants.by_slug(conn, ref)
    if row is None:
        return None
    found = (str(row["id"]), row["slug"])
    _tenants[key] = (time.monotonic() + _TENANT_CACHE_S, found)
    return found


def credentials(headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(bearer token, API key) from request headers (names in any case)."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    authorization = lowered.get("authorization", "").strip()
    scheme, _, token = authorization.partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
    if authorization and bearer is None:
        bearer = ""  # present but not a bearer token: refused below, not ignored
    return bearer, lowered.get("x-api-key", "").strip() or None


def authenticate(db: Database, headers: Mapping[str, str], *,
                 verify_token: Callable[[str], dict[str, Any]] | None) -> Principal | AuthFailure:
    """The caller of a protected route, from a bearer token or an API key."""
    bearer, api_key = credentials(headers)
    if bearer is not None and api_key is not None:
        return AuthFailure("ambiguous_credentials",
                           "send either Authorization: Bearer or X-API-Key, not both")
    if api_key is not None:
        return check_key(db, api_key)
    if bearer == "":
        return AuthFailure("unsupported_scheme",
                           "the Authorization header must be 'Bearer <token>'")
    if bearer is not None:
        if verify_token is None:
            return AuthFailure("tokens_not_configured", "bearer tokens are not accepted here")
        return check_token(bearer, verify_token, functools.partial(tenant_by_ref, db))
    return AuthFailure("missing_credentials",
                       "this endpoint needs Authorization: Bearer <token> or X-API-Key")


def record_failure(db: Database, failure: AuthFailure, *, method: str, path: str,
                   request_id: str | None, remote: str | None) -> None:
    """One audit_log row per refused request; the tenant only when the credential named one."""
    after = {"reason": failure.reason, "method": method, "path": path, "remote": remote,
             "scheme": failure.scheme, **failure.extra}
    if failure.key_prefix:
        after["key_prefix"] = failure.key_prefix
    from shared.adapters.db import audit

    with db.system() as conn:
        audit.record(conn, tenant_id=failure.tenant_id, actor="anonymous",
                     actor_type="anonymous", action="auth.failed",
                     entity_type="api_key" if failure.key_prefix else None,
                     entity_id=failure.key_prefix, after=after, request_id=request_id)
