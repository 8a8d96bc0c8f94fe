"""Short-lived bearer tokens (JWT) for the API: minted for users and scripts, checked by the
authorizer. HS256 with a secret from config (`jwt_signing_secret`); issuer and audience are
fixed so a token minted for another system is refused."""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Callable
from typing import Any

ISSUER = "swaprep"
AUDIENCE = "swaprep-api"
ROLES = ("admin", "operator", "viewer")


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


def verifier_from_config(config: Any) -> Callable[[str], dict[str, Any]] | None:
    """How the authorizer checks bearer tokens: HS256 with `jwt_signing_secret` (None when no
    secret is configured: tokens are then refused).

    The seam for an external identity provider: with `jwt_jwks_url` set, this is where a
    verifier built on `jwt.PyJWKClient(url)` (RS256/ES256, keys cached per warm container)
    would be returned instead; until that is built, such a setting fails loudly."""
    if config.get("jwt_jwks_url"):
        raise NotImplementedError("jwt_jwks_url is set, but JWKS verification is not built yet")
    secret = config.get("jwt_signing_secret")
    return functools.partial(verify, secret) if secret else None
