"""API key format, hashing and the credential checks that need no database."""

from __future__ import annotations

import functools
import re
import time
import uuid

import jwt
import pytest

from shared.platform import tokens
from shared.services.identity import apikeys

SECRET = "unit-test-signing-secret-0123456789abcdef"
TENANT = str(uuid.uuid4())
verify = functools.partial(tokens.verify, SECRET)


def test_generated_keys_have_the_documented_shape_and_are_unique():
    keys = {apikeys.generate_key() for _ in range(200)}
    assert len(keys) == 200
    for key, prefix in keys:
        assert re.fullmatch(r"srk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}", key)
        assert apikeys.key_prefix(key) == prefix == key[4:12]


@pytest.mark.parametrize("text", [
    "", "srk_", "srk_abcdefgh", "srk_ABCDEFGH_" + "a" * 43, "srk_abcdefgh_" + "a" * 42,
    "srk_abcdefgh_" + "a" * 44, "sk_abcdefgh_" + "a" * 43, "srk_abcdefgh_" + "a" * 42 + "!",
])
def test_malformed_keys_have_no_prefix(text):
    assert apikeys.key_prefix(text) is None


def test_hash_is_sha256_of_the_whole_key_and_never_the_key():
    key, prefix = apikeys.generate_key()
    stored = apikeys.hash_key(key)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", stored)
    # the secret is everything after srk_<prefix>_ (token_urlsafe may itself hold "_")
    secret = key.removeprefix(f"{apikeys.KEY_PREFIX}{prefix}_")
    assert len(secret) >= 40 and key not in stored and secret not in stored
    other = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert apikeys.hash_key(other) != stored


def test_scopes_must_be_known():
    assert apikeys.check_scopes(["ingest", "ingest"]) == ["ingest"]
    with pytest.raises(ValueError, match="unknown: admin"):
        apikeys.check_scopes(["ingest", "admin"])
    with pytest.raises(ValueError, match="non-empty"):
        apikeys.check_scopes([])


def test_public_routes_match_method_and_path_only():
    assert apikeys.is_public("GET", "/api/health")
    assert apikeys.is_public("HEAD", "/api/health")
    assert apikeys.is_public("POST", "/api/auth/token")
    assert not apikeys.is_public("POST", "/api/health")
    assert not apikeys.is_public("GET", "/api/health/extra")
    assert not apikeys.is_public("POST", "/api/ingest/events")


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, (None, None)),
    ({"Authorization": "Bearer abc.def"}, ("abc.def", None)),
    ({"authorization": "bearer  abc "}, ("abc", None)),
    ({"Authorization": "Basic dXNlcjpwdw=="}, ("", None)),
    ({"X-API-Key": " srk_x "}, (None, "srk_x")),
])
def test_credentials_are_read_from_either_header(headers, expected):
    assert apikeys.credentials(headers) == expected


def test_authenticate_without_a_database_refuses_missing_mixed_and_foreign_schemes():
    missing = apikeys.authenticate(None, {}, verify_token=verify)
    assert missing.reason == "missing_credentials"
    assert missing.challenge() == 'Bearer realm="swaprep", ApiKey realm="swaprep"'
    both = apikeys.authenticate(None, {"Authorization": "Bearer x", "X-API-Key": "srk_x"},
                                verify_token=verify)
    assert both.reason == "ambiguous_credentials"
    basic = apikeys.authenticate(None, {"Authorization": "Basic abc"}, verify_token=verify)
    assert basic.reason == "unsupported_scheme"
    no_secret = apikeys.authenticate(None, {"Authorization": "Bearer x"}, verify_token=None)
    assert no_secret.reason == "tokens_not_configured"


def test_a_malformed_key_is_refused_before_any_lookup():
    refused = apikeys.check_key(None, "srk_short")  # no database: it must not be touched
    assert refused.reason == "malformed_key" and refused.scheme == "ApiKey"
    assert refused.challenge().startswith("ApiKey ")


def _token(**overrides):
    # Built at collection time, which may be many minutes before the test runs in the full
    # suite: valid for a day, so only the claim under test makes it fail.
    now = int(time.time())
    claims = {"iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "sub": "alice", "iat": now,
              "nbf": now, "exp": now + 86400, "tenant_id": TENANT, "tenant": "alpha-bank",
              "role": "operator", **overrides}
    return jwt.encode(claims, SECRET, algorithm="HS256")


def test_a_valid_token_becomes_a_user_principal():
    token = tokens.mint(SECRET, subject="alice", tenant_id=TENANT, tenant_slug="alpha-bank",
                        role="operator")
    principal = apikeys.check_token(token, verify)
    assert principal == apikeys.Principal("user", "alice", TENANT, role="operator",
                                          name="alpha-bank")
    assert apikeys.Principal.from_context(principal.as_context()) == principal


@pytest.mark.parametrize(("token", "reason"), [
    (_token(exp=int(time.time()) - 10), "expired_token"),
    (jwt.encode({"sub": "x"}, "another-secret-another-secret-0123", algorithm="HS256"),
     "bad_signature"),
    (jwt.encode({"iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "sub": "mallory",
                 "iat": 1, "exp": 4102444800, "tenant_id": TENANT, "role": "admin"},
                None, algorithm="none"), "bad_algorithm"),
    (_token(iss="someone-else"), "wrong_issuer"),
    (_token(aud="another-api"), "wrong_audience"),
    (_token(role="root"), "bad_claims"),
    (_token(tenant_id="not-a-uuid"), "bad_claims"),
    ("not.a.jwt", "invalid_token"),
])
def test_bad_tokens_are_refused_with_their_reason(token, reason):
    failure = apikeys.check_token(token, verify)
    assert isinstance(failure, apikeys.AuthFailure) and failure.reason == reason
    assert failure.challenge().startswith('Bearer realm="swaprep", error="invalid_token"')


def test_principal_context_round_trip_for_keys_and_anonymous():
    key = apikeys.Principal("api_key", str(uuid.uuid4()), TENANT, scopes=("ingest",),
                            name="fep-1", prefix="abcd1234")
    context = key.as_context()
    assert context["scopes"] == ["ingest"] and "key_hash" not in context
    assert apikeys.Principal.from_context(context) == key
    assert key.actor == "api_key:abcd1234"
    assert apikeys.Principal.from_context({"kind": "anonymous"}) is None
    assert apikeys.Principal.from_context({}) is None
