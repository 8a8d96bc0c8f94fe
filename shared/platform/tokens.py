"""Bearer tokens (JWT) for the API, checked by the authorizer.

Our own tokens (users after sign-in, `swaprep token` for scripts) are HS256 with a secret
from config (`jwt_signing_secret`); issuer and audience are fixed so a token minted for
another system is refused. Tokens of an external identity provider are checked against its
JWKS (`jwt_jwks_url`, RS256/ES256 only, configured issuer and audience); tenant and role come
from configured claims, and `apikeys.check_token` then checks that the tenant exists."""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.domain.roles import ROLES, strongest

ISSUER = "swaprep"
AUDIENCE = "swaprep-api"


def mint(
    secret: str, *, subject: str, tenant_id: str, tenant_slug: str, role: str,
    ttl_s: int = 3600, now: float | None = None,
) -> str:
    import jwt

    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": subject, "iat": issued, "nbf": issued,
        "exp": issued + ttl_s, "jti": uuid.uuid4().hex,
        "tenant_id": tenant_id, "tenant": tenant_slug, "role": role,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def verify(secret: str, token: str) -> dict[str, Any]:
    """The token's claims; raises jwt.InvalidTokenError (expired, bad signature, alg none, ...)."""
    import jwt

    return jwt.decode(
        token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
        options={"require": ["exp", "iat", "sub", "aud", "iss"]},
    )


EXTERNAL_ALGORITHMS = ("RS256", "ES256")  # asymmetric only: the IdP keeps the private key


@functools.cache
def _errors() -> dict[str, type[Exception]]:
    import jwt

    class UnknownSigningKeyError(jwt.InvalidTokenError):
        """No key of the identity provider's JWKS has the token's `kid`, even after a refetch."""

    class KeysUnavailableError(jwt.InvalidTokenError):
        """The identity provider's JWKS could not be fetched or read."""

    class BadClaimsError(jwt.InvalidTokenError):
        """Signed and current, but without a usable tenant or role claim."""

    return {"unknown_key": UnknownSigningKeyError, "keys_unavailable": KeysUnavailableError,
            "bad_claims": BadClaimsError}


@dataclass(frozen=True)
class JwksSettings:
    url: str
    issuer: str
    audience: str
    tenant_claim: str = "tenant"  # a tenant's slug or id
    role_claim: str = "role"  # a role name, or a list of them (the strongest one counts)
    cache_s: float = 300  # how long a warm container keeps the key set
    refetch_cooldown_s: float = 5  # an unknown kid refetches at most this often (no DoS lever)
    timeout_s: float = 5
    leeway_s: int = 30  # clock skew between the IdP and us

    @classmethod
    def from_config(cls, config: Any) -> JwksSettings:
        from shared.platform.config import ConfigError

        missing = [n for n in ("jwt_issuer", "jwt_audience") if not config.get(n)]
        if missing:
            raise ConfigError(f"jwt_jwks_url is set, so {' and '.join(missing)} must be set too:"
                              " tokens of an identity provider are checked against both")
        return cls(
            url=str(config.get("jwt_jwks_url")), issuer=str(config.get("jwt_issuer")),
            audience=str(config.get("jwt_audience")),
            tenant_claim=str(config.get("jwt_tenant_claim", "tenant")),
            role_claim=str(config.get("jwt_role_claim", "role")),
            cache_s=config.number("jwt_jwks_cache_s", 300, minimum=0),
            refetch_cooldown_s=config.number("jwt_jwks_refetch_cooldown_s", 5, minimum=0),
        )


class JwksVerifier:
    """Checks an identity provider's tokens against its published keys.

    pyjwt's PyJWKClient keeps the key set for `cache_s` (per warm container: the verifier is
    cached by `jwks_verifier`); a token whose `kid` is not in it makes one refetch (key
    rotation), at most once per `refetch_cooldown_s`. The header's `alg` is checked before any
    fetch, so `none`, HS256 (the public-key-as-HMAC-secret confusion) and the like are refused
    without touching the network; the key's own algorithm must also match the header's."""

    def __init__(self, settings: JwksSettings) -> None:
        import jwt

        self.settings = settings
        self._client = jwt.PyJWKClient(
            settings.url, cache_jwk_set=True, lifespan=settings.cache_s,
            timeout=settings.timeout_s, cooldown_duration=settings.refetch_cooldown_s)

    def __call__(self, token: str) -> dict[str, Any]:
        import jwt

        errors = _errors()
        header = jwt.get_unverified_header(token)  # DecodeError for garbage
        if header.get("alg") not in EXTERNAL_ALGORITHMS:
            raise jwt.InvalidAlgorithmError(f"alg {header.get('alg')!r} is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise errors["unknown_key"]("the token names no key (kid)")
        try:
            key = self._client.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as exc:
            raise errors["keys_unavailable"](str(exc)) from exc
        except (jwt.PyJWKClientError, jwt.PyJWKSetError) as exc:
            if "Unable to find a signing key" in str(exc):
                raise errors["unknown_key"](f"no key {kid!r} in the JWKS") from exc
            raise errors["keys_unavailable"](str(exc)) from exc
        claims = jwt.decode(
            token, key, algorithms=list(EXTERNAL_ALGORITHMS), audience=self.settings.audience,
            issuer=self.settings.issuer, leeway=self.settings.leeway_s,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]})
        return self.map_claims(claims)

    def map_claims(self, claims: Mapping[str, Any]) -> dict[str, Any]:
        """The IdP's claims in our shape; `tenant_ref` (slug or id) is resolved by the caller,
        which can reach the database."""
        tenant = claims.get(self.settings.tenant_claim)
        role = strongest_role(claims.get(self.settings.role_claim))
        if not isinstance(tenant, str) or not tenant or role is None:
            raise _errors()["bad_claims"](
                f"claims {self.settings.tenant_claim!r} (tenant) and "
                f"{self.settings.role_claim!r} (one of {', '.join(ROLES)}) are required")
        return {"sub": str(claims["sub"]), "iss": claims["iss"], "exp": claims["exp"],
                "iat": claims["iat"], "jti": claims.get("jti"), "role": role,
                "tenant_ref": tenant, "external": True}


def strongest_role(value: Any) -> str | None:
    """A role claim as one of ROLES: a name, or a list of names (groups) -> the strongest."""
    return strongest([value] if isinstance(value, str) else value if isinstance(value, list)
                     else [])


_verifiers: dict[JwksSettings, JwksVerifier] = {}
_lock = threading.Lock()


def jwks_verifier(settings: JwksSettings) -> JwksVerifier:
    """The process-wide verifier for these settings: a warm container keeps its keys."""
    with _lock:
        verifier = _verifiers.get(settings)
        if verifier is None:
            verifier = _verifiers[settings] = JwksVerifier(settings)
        return verifier


def verifier_from_config(config: Any) -> Callable[[str], dict[str, Any]] | None:
    """How the authorizer checks bearer tokens, or None when no way is configured (tokens are
    then refused): HS256 with `jwt_signing_secret` for our own tokens, and, with `jwt_jwks_url`,
    RS256/ES256 tokens of an identity provider. The header's `alg` picks the path; each path
    accepts only its own algorithms, so a token cannot switch from one to the other."""
    secret = config.get("jwt_signing_secret")
    own = functools.partial(verify, secret) if secret else None
    if not config.get("jwt_jwks_url"):
        return own
    external = jwks_verifier(JwksSettings.from_config(config))

    def either(token: str) -> dict[str, Any]:
        import jwt

        if own is not None and jwt.get_unverified_header(token).get("alg") == "HS256":
            return own(token)
        return external(token)

    return either
