"""The authorizer action on real PostgreSQL: API keys, bearer tokens, public routes, audit."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import jwt
import pytest

from shared.platform import tokens
from shared.services.identity import apikeys
from swaprep.local.manifest import load_action
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

ROOT = Path(__file__).resolve().parents[3]
SECRET = "functional-test-signing-secret-0123456789"


@pytest.fixture
def authorize(database_url):
    main = load_main("authorizer")

    def call(headers: dict | None = None, *, method: str = "post",
             path: str = "/api/ingest/events", **params) -> dict:
        return main({"database_url": database_url, "jwt_signing_secret": SECRET,
                     "__ow_method": method, "__ow_path": path, "__ow_query": "", "__ow_body": "",
                     "__ow_headers": {"x-request-id": "req-1", "x-forwarded-for": "198.51.100.4",
                                      **(headers or {})}, **params})

    return call


@pytest.fixture
def keys(db, two_tenants) -> dict[str, str]:
    alpha, beta = two_tenants
    with db.tenant(alpha) as conn:
        active = apikeys.create_key(conn, alpha, "alpha-fep")
        revoked = apikeys.create_key(conn, alpha, "old-fep")
        assert apikeys.revoke(conn, apikeys.key_prefix(revoked))
    with db.tenant(beta) as conn:
        other = apikeys.create_key(conn, beta, "beta-fep")
    return {"active": active, "revoked": revoked, "other": other}


def failures(db) -> list[dict]:
    with db.system() as conn:
        return conn.execute("SELECT tenant_id, actor, actor_type, entity_id, after, request_id"
                            " FROM audit_log WHERE action = 'auth.failed' ORDER BY id").fetchall()


def _refused(result: dict, challenge: str) -> dict:
    assert result["statusCode"] == 401, result
    assert result["headers"]["Content-Type"] == "application/problem+json"
    assert result["headers"]["WWW-Authenticate"].startswith(challenge)
    problem = json.loads(result["body"])
    assert problem["status"] == 401 and problem["request_id"] == "req-1"
    return problem


def test_an_active_key_is_allowed_with_its_principal(db, two_tenants, keys, authorize):
    result = authorize({"x-api-key": keys["active"]})
    assert result["statusCode"] == 200
    context = result["context"]
    assert context["kind"] == "api_key" and context["tenant_id"] == str(two_tenants[0])
    assert context["scopes"] == ["ingest"] and context["name"] == "alpha-fep"
    assert context["prefix"] == apikeys.key_prefix(keys["active"])
    assert keys["active"] not in json.dumps(context)
    with db.system() as conn:
        [first] = conn.execute("SELECT last_used_at FROM api_keys WHERE id = %s",
                               (context["subject"],)).fetchall()
    assert first["last_used_at"] is not None
    authorize({"x-api-key": keys["active"]})  # within the minute: no second write
    with db.system() as conn:
        [again] = conn.execute("SELECT last_used_at FROM api_keys WHERE id = %s",
                               (context["subject"],)).fetchall()
        conn.execute("UPDATE api_keys SET last_used_at = now() - interval '2 minutes'"
                     " WHERE id = %s", (context["subject"],))
    assert again["last_used_at"] == first["last_used_at"]
    authorize({"x-api-key": keys["active"]})
    with db.system() as conn:
        [later] = conn.execute("SELECT last_used_at FROM api_keys WHERE id = %s",
                               (context["subject"],)).fetchall()
    assert later["last_used_at"] > first["last_used_at"]
    assert failures(db) == []


def test_ncp_payload_parameters_are_read_too(keys, authorize):
    # NCP forwards the headers registered as the authorizer's payload, possibly as parameters.
    result = authorize(**{"X-API-Key": keys["other"]})
    assert result["statusCode"] == 200 and result["context"]["name"] == "beta-fep"


def test_no_credential_is_refused_and_audited_without_a_tenant(db, authorize):
    problem = _refused(authorize(), 'Bearer realm="swaprep", ApiKey')
    assert "X-API-Key" in problem["detail"]
    [row] = failures(db)
    assert row["tenant_id"] is None and (row["actor"], row["actor_type"]) == ("anonymous",
                                                                              "anonymous")
    assert row["after"]["reason"] == "missing_credentials" and row["request_id"] == "req-1"
    assert row["after"]["path"] == "/api/ingest/events"
    assert row["after"]["remote"] == "198.51.100.4"


def test_bad_and_revoked_keys_are_refused_without_storing_the_secret(db, two_tenants, keys,
                                                                     authorize):
    alpha = two_tenants[0]
    wrong_secret = keys["active"][:-4] + ("AAAA" if not keys["active"].endswith("AAAA")
                                          else "BBBB")
    unknown = "srk_zzzzzzzz_" + "A" * 43
    for presented in (wrong_secret, unknown, "srk_not-a-key", keys["revoked"]):
        _refused(authorize({"x-api-key": presented}), "ApiKey")
    rows = failures(db)
    assert [r["after"]["reason"] for r in rows] == ["unknown_key", "unknown_key",
                                                    "malformed_key", "revoked_key"]
    assert [r["tenant_id"] for r in rows] == [alpha, None, None, alpha]
    assert rows[0]["entity_id"] == apikeys.key_prefix(keys["active"])
    stored = json.dumps([r["after"] for r in rows], default=str)
    for presented in (wrong_secret, unknown, keys["revoked"]):
        assert presented.split("_", 2)[2] not in stored


def _claims(**overrides) -> dict:
    now = int(time.time())
    return {"iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "sub": "alice", "iat": now,
            "nbf": now, "exp": now + 86400, "tenant_id": str(uuid.uuid4()), "role": "viewer",
            **overrides}


@pytest.mark.parametrize(("token", "reason"), [
    (jwt.encode(_claims(iat=1, nbf=1, exp=2), SECRET, algorithm="HS256"), "expired_token"),
    (jwt.encode(_claims(), "not-the-signing-secret-not-the-signing", algorithm="HS256"),
     "bad_signature"),
    (jwt.encode(_claims(role="admin"), None, algorithm="none"), "bad_algorithm"),
    (jwt.encode(_claims(iss="elsewhere"), SECRET, algorithm="HS256"), "wrong_issuer"),
    (jwt.encode(_claims(aud="other-api"), SECRET, algorithm="HS256"), "wrong_audience"),
])
def test_bad_tokens_are_refused_and_audited(db, authorize, token, reason):
    problem = _refused(authorize({"authorization": f"Bearer {token}"}),
                       'Bearer realm="swaprep", error="invalid_token"')
    [row] = failures(db)
    assert row["after"]["reason"] == reason and row["tenant_id"] is None
    assert token not in json.dumps(row["after"]) and problem["detail"]


def test_a_valid_token_is_allowed_as_a_user(db, two_tenants, authorize):
    token = tokens.mint(SECRET, subject="alice", tenant_id=str(two_tenants[0]),
                        tenant_slug="alpha-bank", role="operator")
    result = authorize({"authorization": f"Bearer {token}"}, method="get", path="/api/trades")
    assert result["statusCode"] == 200
    assert result["context"] == {"kind": "user", "subject": "alice",
                                 "tenant_id": str(two_tenants[0]), "role": "operator",
                                 "tenant": "alpha-bank"}


def test_public_routes_pass_without_a_credential(db, authorize):
    for method, path in (("get", "/api/health"), ("head", "/api/health"),
                         ("post", "/api/auth/token"), ("get", "/api/openapi.json")):
        result = authorize(method=method, path=path)
        assert result == {"statusCode": 200, "context": {"kind": "anonymous"}}
    _refused(authorize(method="post", path="/api/health"), "Bearer")
    assert len(failures(db)) == 1


def test_the_api_manifest_lists_the_same_public_routes():
    api = load_action(ROOT / "functions" / "api")
    assert api.gateway.authorizer == "authorizer"
    assert [f"{m} {p}" for m, p in api.gateway.public] == list(apikeys.PUBLIC_ROUTES)


def test_the_sample_event_is_a_real_request(db, two_tenants, authorize, database_url):
    sample = json.loads((ROOT / "events" / "authorizer.api-key.json").read_text())
    key = sample["__ow_headers"]["x-api-key"]
    main = load_main("authorizer")
    params = {"database_url": database_url, "jwt_signing_secret": SECRET}
    assert main({**params, **sample})["statusCode"] == 401  # no such key yet
    with db.tenant(two_tenants[0]) as conn:
        conn.execute("INSERT INTO api_keys (tenant_id, name, prefix, key_hash) VALUES"
                     " (%s, 'sample', %s, %s)",
                     (two_tenants[0], apikeys.key_prefix(key), apikeys.hash_key(key)))
    allowed = main({**params, **sample})
    assert allowed["statusCode"] == 200 and allowed["context"]["name"] == "sample"


def test_a_broken_database_fails_the_activation_instead_of_allowing(keys, authorize):
    from shared.adapters.db import get_database

    broken = "postgresql://x:y@127.0.0.1:1/none?connect_timeout=1"
    try:
        result = authorize({"x-api-key": keys["active"]}, database_url=broken)
    finally:
        # The warm container's pool would retry in the background for the rest of the
        # session, and its warnings land in whatever a later test captures as its output.
        get_database(broken).close()
    assert "error" in result and "context" not in result


def test_cli_creates_lists_and_revokes_keys(db, two_tenants, database_url, authorize):
    from click.testing import CliRunner

    from swaprep.cli import main as cli

    runner = CliRunner()
    base = ["--tenant", "alpha-bank", "--database-url", database_url]
    created = runner.invoke(cli, ["apikey", "create", "--name", "fep-cli", *base])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[0]
    prefix = apikeys.key_prefix(key)
    assert prefix and authorize({"x-api-key": key})["statusCode"] == 200

    listed = runner.invoke(cli, ["apikey", "list", *base])
    assert listed.exit_code == 0 and prefix in listed.output and "fep-cli" in listed.output
    assert key.split("_", 2)[2] not in listed.output and "sha256" not in listed.output
    other = runner.invoke(cli, ["apikey", "list", "--tenant", "beta-securities",
                                "--database-url", database_url])
    assert prefix not in other.output  # another tenant's keys are not listed

    assert runner.invoke(cli, ["apikey", "revoke", prefix, *base]).exit_code == 0
    assert authorize({"x-api-key": key})["statusCode"] == 401
    again = runner.invoke(cli, ["apikey", "revoke", prefix, *base])
    assert again.exit_code != 0 and "no active key" in again.output
    ghost = runner.invoke(cli, ["apikey", "create", "--name", "x", "--tenant", "ghost",
                                "--database-url", database_url])
    assert ghost.exit_code != 0 and "no tenant 'ghost'" in ghost.output
    with db.tenant(two_tenants[0]) as conn:
        actions = [r["action"] for r in conn.execute(
            "SELECT action FROM audit_log WHERE action LIKE 'api_key.%' ORDER BY id")]
    assert actions == ["api_key.created", "api_key.revoked"]


def test_the_demo_key_is_the_same_on_every_seed(db, two_tenants, authorize):
    import psycopg

    tenant = two_tenants[0]
    with psycopg.connect(db.url) as conn:  # as swaprep/local/demo.py connects
        conn.execute("SELECT set_config('app.system', 'on', false)")
        first = apikeys.seed_demo_api_key(conn, tenant, seed_secret="persisted-demo-secret")
        second = apikeys.seed_demo_api_key(conn, tenant, seed_secret="persisted-demo-secret")
    assert first == second and apikeys.key_prefix(first)
    context = authorize({"x-api-key": first})["context"]
    assert (context["name"], context["tenant_id"]) == ("demo-fep", str(tenant))
    with db.tenant(tenant) as conn:
        assert len(apikeys.list_keys(conn)) == 1
