"""Tokens of an external identity provider, checked against its JWKS served by a real HTTP
server on 127.0.0.1: RS256/ES256 pass; expired, bad signature, alg none, HS256 signed with the
public key, wrong issuer or audience, unknown kid (after one refetch) and unknown tenants are
refused; keys are cached per warm container and rotation is picked up."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from shared.platform import tokens
from shared.platform.config import Config, ConfigError
from shared.services.identity import apikeys
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

ISSUER, AUDIENCE = "https://idp.example.test/", "swaprep-console"
OUR_SECRET = "our-own-signing-secret-0123456789abcdef"


class JwksServer:
    """Serves whatever `keys` holds at /jwks.json and counts the fetches."""

    def __init__(self) -> None:
        self.keys: list[dict] = []
        self.fetches = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                body = json.dumps({"keys": owner.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Key:
    def __init__(self, kind: str, kid: str) -> None:
        self.kid, self.alg = kid, "RS256" if kind == "rsa" else "ES256"
        self.private = (rsa.generate_private_key(public_exponent=65537, key_size=2048)
                        if kind == "rsa" else ec.generate_private_key(ec.SECP256R1()))
        to_jwk = RSAAlgorithm.to_jwk if kind == "rsa" else ECAlgorithm.to_jwk
        self.jwk = {**to_jwk(self.private.public_key(), as_dict=True), "kid": kid,
                    "alg": self.alg, "use": "sig"}

    def sign(self, **overrides) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "idp|42", "iat": now, "exp": now + 300,
                  "tenant": "alpha-bank", "role": "operator", **overrides}
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.private, algorithm=self.alg, headers={"kid": self.kid})

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def unsigned(header: dict, claims: dict, signature: bytes = b"") -> str:
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = part(json.dumps(header).encode()) + "." + part(json.dumps(claims).encode())
    return head + "." + part(signature)


@pytest.fixture
def idp():
    server = JwksServer()
    keys = {"rsa": Key("rsa", "rsa-1"), "ec": Key("ec", "ec-1")}
    server.keys = [keys["rsa"].jwk, keys["ec"].jwk]
    yield server, keys
    server.stop()


def config(server: JwksServer, **extra) -> Config:
    return Config({"jwt_jwks_url": server.url, "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE,
                   "jwt_jwks_refetch_cooldown_s": "0", **extra}, env={})


@pytest.fixture
def check(db, two_tenants):
    """The authorizer's check of a bearer token: a Principal or an AuthFailure."""
    def run(verifier, token: str):
        return apikeys.authenticate(db, {"Authorization": f"Bearer {token}"},
                                    verify_token=verifier)
    return run


def test_rs256_and_es256_tokens_of_the_idp_pass(idp, check, two_tenants):
    server, keys = idp
    verifier = tokens.verifier_from_config(config(server))
    for key in keys.values():
        principal = check(verifier, key.sign())
        assert isinstance(principal, apikeys.Principal), principal
        assert (principal.kind, principal.subject, principal.role) == ("user", "idp|42",
                                                                       "operator")
        assert (principal.tenant_id, principal.name) == (str(two_tenants[0]), "alpha-bank")
    by_id = check(verifier, keys["rsa"].sign(tenant=str(two_tenants[1])))
    assert (by_id.tenant_id, by_id.name) == (str(two_tenants[1]), "beta-securities")
    groups = check(verifier, keys["ec"].sign(role=["viewer", "admin", "staff"]))
    assert groups.role == "admin"  # the strongest of the listed roles
    assert server.fetches == 1  # the key set is kept between checks (a warm container)
    # ... and across activations: the verifier is cached per settings
    again = tokens.verifier_from_config(config(server))
    assert isinstance(check(again, keys["rsa"].sign()), apikeys.Principal)
    assert server.fetches == 1


@pytest.mark.parametrize(("forge", "reason"), [
    (lambda k, o: k["rsa"].sign(exp=int(time.time()) - 120), "expired_token"),
    (lambda k, o: o.sign(), "bad_signature"),  # another private key under the same kid
    (lambda k, o: k["rsa"].sign(iss="https://evil.example/"), "wrong_issuer"),
    (lambda k, o: k["ec"].sign(aud="another-api"), "wrong_audience"),
    (lambda k, o: k["rsa"].sign(tenant="no-such-bank"), "unknown_tenant"),
    (lambda k, o: k["rsa"].sign(role="root"), "bad_claims"),
    (lambda k, o: k["rsa"].sign(tenant=None), "bad_claims"),
    (lambda k, o: k["rsa"].sign(sub=None), "missing_claim"),
    (lambda k, o: unsigned({"alg": "none", "typ": "JWT", "kid": "rsa-1"},
                           {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "tenant": "alpha-bank",
                            "role": "admin", "iat": int(time.time()),
                            "exp": int(time.time()) + 60}), "bad_algorithm"),
])
def test_bad_tokens_are_refused(idp, check, forge, reason):
    server, keys = idp
    other = Key("rsa", "rsa-1")
    failure = check(tokens.verifier_from_config(config(server)), forge(keys, other))
    assert isinstance(failure, apikeys.AuthFailure), failure
    assert failure.reason == reason, failure


def _hs256_with_public_key(key: Key, **claims) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "tenant": "alpha-bank", "role": "admin",
            "iat": now, "exp": now + 60, **claims}
    head = unsigned({"alg": "HS256", "typ": "JWT", "kid": key.kid}, body).rsplit(".", 1)[0]
    mac = hmac.new(key.public_pem(), head.encode(), hashlib.sha256).digest()
    return head + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def test_hs256_signed_with_the_public_key_is_refused(idp, check):
    server, keys = idp
    forged = _hs256_with_public_key(keys["rsa"])
    only_idp = check(tokens.verifier_from_config(config(server)), forged)
    assert only_idp.reason == "bad_algorithm"
    assert server.fetches == 0  # refused before any key lookup
    # With our own HS256 secret configured too, HS256 goes to that check, which fails.
    both = tokens.verifier_from_config(config(server, jwt_signing_secret=OUR_SECRET))
    assert check(both, forged).reason == "bad_signature"
    ours = tokens.mint(OUR_SECRET, subject="script", tenant_id=str(uuid.uuid4()),
                       tenant_slug="alpha-bank", role="viewer")
    assert check(both, ours).role == "viewer"  # our own tokens still pass


def test_unknown_kid_refetches_once_then_is_refused(idp, check):
    server, keys = idp
    verifier = tokens.verifier_from_config(config(server))
    assert isinstance(check(verifier, keys["rsa"].sign()), apikeys.Principal)
    stranger = Key("rsa", "rsa-unknown")
    failure = check(verifier, stranger.sign())
    assert failure.reason == "unknown_key" and server.fetches == 2  # one refetch, no more


def test_key_rotation_is_picked_up_and_the_old_key_dropped(idp, check):
    server, keys = idp
    verifier = tokens.verifier_from_config(config(server))
    old_token = keys["rsa"].sign()
    assert isinstance(check(verifier, old_token), apikeys.Principal)
    new = Key("rsa", "rsa-2")
    server.keys = [new.jwk, keys["ec"].jwk]  # rotated: rsa-1 removed, rsa-2 added
    assert isinstance(check(verifier, new.sign()), apikeys.Principal)
    assert server.fetches == 2
    assert isinstance(check(verifier, new.sign()), apikeys.Principal)  # cached now
    assert server.fetches == 2
    assert check(verifier, old_token).reason == "unknown_key"  # the old key is gone
    assert server.fetches == 3


def test_refetches_are_rate_limited(idp, check):
    server, keys = idp
    verifier = tokens.verifier_from_config(config(server, jwt_jwks_refetch_cooldown_s="60"))
    assert isinstance(check(verifier, keys["rsa"].sign()), apikeys.Principal)
    for n in range(3):  # random kids cannot make us hammer the IdP
        assert check(verifier, Key("ec", f"junk-{n}").sign()).reason == "unknown_key"
    assert server.fetches == 1


def test_unreachable_jwks_is_a_clear_refusal(idp, check):
    server, keys = idp
    server.stop()
    failure = check(tokens.verifier_from_config(config(server)), keys["rsa"].sign())
    assert failure.reason == "jwks_unavailable"
    assert "identity provider's keys cannot be fetched" in failure.detail


def test_jwks_without_issuer_or_audience_is_a_config_error(idp):
    server, _ = idp
    with pytest.raises(ConfigError, match="jwt_issuer and jwt_audience must be set"):
        tokens.verifier_from_config(Config({"jwt_jwks_url": server.url}, env={}))


def test_idp_token_through_the_api_action(idp, database_url, db, two_tenants):
    server, keys = idp
    main = load_main("api")

    def me(token: str) -> tuple[int, dict]:
        result = main({"database_url": database_url, "jwt_jwks_url": server.url,
                       "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE,
                       "jwt_role_claim": "groups", "jwt_tenant_claim": "org",
                       "__ow_method": "get", "__ow_path": "/api/auth/me",
                       "__ow_headers": {"authorization": f"Bearer {token}"}})
        return result["statusCode"], json.loads(result["body"])

    status, body = me(keys["ec"].sign(org="beta-securities", groups=["viewer"]))
    assert status == 200, body
    assert (body["tenant_id"], body["tenant"], body["role"]) == (
        str(two_tenants[1]), "beta-securities", "viewer")
    assert body["username"] is None  # not one of our users: no row
    status, body = me(keys["ec"].sign(org="beta-securities", groups=["viewer"],
                                      exp=int(time.time()) - 100))
    assert status == 401 and body["detail"] == "the token has expired"
    with db.system() as conn:
        [row] = conn.execute("SELECT after FROM audit_log WHERE action = 'auth.failed'"
                             ).fetchall()
    assert row["after"]["reason"] == "expired_token"
