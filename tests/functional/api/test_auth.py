"""Sign-in, refresh, logout and /me through the real api action on real PostgreSQL, and once
through the local gateway with the real authorizer."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from pathlib import Path

import pytest
import requests
from argon2 import PasswordHasher

from shared.platform import tokens
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

SECRET = "auth-test-signing-secret-0123456789abcdef"
PASSWORD = "correct horse battery staple"
# Cheap argon2 parameters (the defaults cost ~0.5 s a hash on a busy CI machine), configured
# for the action as a deployment would; tests of hashing itself pass the defaults.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
CHEAP_PARAMS = {"password_hash_time_cost": 1, "password_hash_memory_kib": 1024,
                "password_hash_parallelism": 1}
DEFAULT_PARAMS = {"password_hash_time_cost": 3, "password_hash_memory_kib": 65536,
                  "password_hash_parallelism": 4}


def add_user(db, tenant_id, username: str, role: str, *, password: str = PASSWORD,
             hasher: PasswordHasher = CHEAP, disabled: bool = False) -> str:
    with db.system() as conn:
        return str(conn.execute(
            "INSERT INTO users (tenant_id, username, display_name, password_hash, role, disabled)"
            " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (tenant_id, username, username.title(), hasher.hash(password), role,
             disabled)).fetchone()["id"])


@pytest.fixture
def users(db, two_tenants) -> dict[str, str]:
    alpha, beta = two_tenants
    return {"alice": add_user(db, alpha, "alice", "admin"),
            "victor": add_user(db, alpha, "victor", "viewer"),
            "dora": add_user(db, alpha, "dora", "operator", disabled=True),
            "bob": add_user(db, beta, "bob", "admin")}


@pytest.fixture
def api(database_url):
    """Call the api action as the gateway would (no authorizer verdict: the action then runs
    the same credential check itself)."""
    main = load_main("api")

    def call(method: str, path: str, body=None, *, token: str | None = None,
             raw: bytes | None = None, **params) -> tuple[int, dict, dict]:
        headers = {"content-type": "application/json", "x-request-id": uuid.uuid4().hex,
                   "x-forwarded-for": "198.51.100.7"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        data = raw if raw is not None else b"" if body is None else json.dumps(body).encode()
        result = main({"database_url": database_url, "jwt_signing_secret": SECRET,
                       "__ow_method": method.lower(), "__ow_path": path, "__ow_query": "",
                       "__ow_headers": headers, "__ow_body": base64.b64encode(data).decode(),
                       **CHEAP_PARAMS, **params})
        return (result["statusCode"], json.loads(result["body"] or "null"),
                result["headers"])

    return call


def sign_in(api, username: str = "alice", password: str = PASSWORD, **params) -> dict:
    status, body, _ = api("POST", "/api/auth/token", {"username": username,
                                                      "password": password}, **params)
    assert status == 200, body
    return body


def audit_rows(db, action: str) -> list[dict]:
    with db.system() as conn:
        return conn.execute("SELECT tenant_id, actor, actor_id, actor_type, entity_id, before,"
                            " after, request_id FROM audit_log WHERE action = %s ORDER BY id",
                            (action,)).fetchall()


# -- sign-in ------------------------------------------------------------------------------------

def test_sign_in_issues_a_short_lived_token_and_a_stored_hashed_refresh_token(
        api, db, users, two_tenants):
    status, body, headers = api("POST", "/api/auth/token",
                                {"username": "alice", "password": PASSWORD})
    assert status == 200, body
    assert headers["Cache-Control"] == "no-store"
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["user"]["username"] == "alice" and body["user"]["role"] == "admin"
    assert body["user"]["tenant"] == "alpha-bank" and "password_hash" not in body["user"]

    claims = tokens.verify(SECRET, body["access_token"])
    assert claims["sub"] == users["alice"] and claims["tenant_id"] == str(two_tenants[0])
    assert (claims["tenant"], claims["role"]) == ("alpha-bank", "admin")
    assert (claims["iss"], claims["aud"]) == ("swaprep", "swaprep-api")
    assert claims["exp"] - claims["iat"] == 900 and len(claims["jti"]) == 32

    refresh = body["refresh_token"]
    assert refresh.startswith("srt_")
    with db.system() as conn:
        [row] = conn.execute("SELECT token_hash, user_id, tenant_id,"
                             " expires_at - created_at AS ttl FROM refresh_tokens").fetchall()
        last_login = conn.execute("SELECT last_login_at FROM users WHERE username = 'alice'"
                                  ).fetchone()["last_login_at"]
    assert row["token_hash"] == "sha256:" + hashlib.sha256(refresh.encode()).hexdigest()
    assert str(row["user_id"]) == users["alice"] and row["ttl"].total_seconds() == 12 * 3600
    assert last_login is not None

    status, me, _ = api("GET", "/api/auth/me", token=body["access_token"])
    assert status == 200, me
    assert (me["username"], me["role"], me["tenant"]) == ("alice", "admin", "alpha-bank")
    assert me["subject"] == users["alice"] and me["kind"] == "user"

    [success] = audit_rows(db, "auth.signed_in")
    assert (success["actor"], success["actor_id"], success["actor_type"]) == (
        "alice", users["alice"], "user")
    assert success["tenant_id"] == two_tenants[0]
    assert success["after"] == {"remote": "198.51.100.7"} and success["request_id"]


def test_access_token_lifetime_is_configurable(api, users):
    body = sign_in(api, jwt_access_ttl_s="60")
    claims = tokens.verify(SECRET, body["access_token"])
    assert body["expires_in"] == 60 and claims["exp"] - claims["iat"] == 60


def test_unknown_user_wrong_password_and_disabled_user_get_the_same_answer(api, db, users,
                                                                           two_tenants):
    answers = []
    for username, password in (("alice", "wrong password!"), ("nobody", PASSWORD),
                               ("dora", PASSWORD)):
        status, body, headers = api("POST", "/api/auth/token",
                                    {"username": username, "password": password})
        assert status == 401
        assert headers["Content-Type"] == "application/problem+json"
        assert headers["WWW-Authenticate"] == 'Bearer realm="swaprep"'
        answers.append({k: v for k, v in body.items() if k != "request_id"})
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["detail"] == "the username or password is not correct"

    rows = audit_rows(db, "auth.failed")
    assert [(r["after"]["reason"], r["after"]["username"]) for r in rows] == [
        ("bad_password", "alice"), ("unknown_user", "nobody"), ("user_disabled", "dora")]
    assert all(r["actor_type"] == "anonymous" and r["actor"] == "anonymous" for r in rows)
    # The tenant of a known username, so its admins see attempts on their users.
    assert [r["tenant_id"] for r in rows] == [two_tenants[0], None, two_tenants[0]]
    with db.system() as conn:
        everything = json.dumps(conn.execute("SELECT * FROM audit_log").fetchall(), default=str)
    assert PASSWORD not in everything and "wrong password!" not in everything


def test_unknown_user_costs_a_hash_check_like_a_wrong_password(api, db, two_tenants,
                                                               monkeypatch):
    """No timing oracle: an unknown username costs one argon2 verification with the same
    parameters as a wrong password (checked by what is verified, not by the clock, which a
    shared CI machine makes noisy; bench/ is where time is measured)."""
    from argon2 import PasswordHasher as Hasher

    add_user(db, two_tenants[0], "real-user", "viewer", hasher=PasswordHasher())
    verified: list[tuple[str, int, int]] = []
    real_verify = Hasher.verify

    def counting_verify(self, hash_, password):
        from argon2 import extract_parameters

        params = extract_parameters(hash_)
        verified.append((hash_, params.time_cost, params.memory_cost))
        return real_verify(self, hash_, password)

    monkeypatch.setattr(Hasher, "verify", counting_verify)

    def attempt(username: str) -> tuple[str, int, int]:
        verified.clear()
        status, _, _ = api("POST", "/api/auth/token", {"username": username,
                                                       "password": "not the password"},
                           **DEFAULT_PARAMS)
        assert status == 401 and len(verified) == 1, verified
        return verified[0]

    wrong, unknown = attempt("real-user"), attempt("ghost")
    assert unknown[1:] == wrong[1:]  # the same argon2 cost
    assert unknown[0] != wrong[0]  # against the dummy hash, not some user's


def test_outdated_hash_is_upgraded_on_sign_in(api, db, users):
    with db.system() as conn:
        old = conn.execute("SELECT password_hash FROM users WHERE username = 'alice'"
                           ).fetchone()["password_hash"]
    assert PasswordHasher().check_needs_rehash(old)
    sign_in(api, **DEFAULT_PARAMS)
    with db.system() as conn:
        new = conn.execute("SELECT password_hash FROM users WHERE username = 'alice'"
                           ).fetchone()["password_hash"]
    assert new != old and not PasswordHasher().check_needs_rehash(new)
    assert PasswordHasher().verify(new, PASSWORD)
    sign_in(api, **DEFAULT_PARAMS)  # and it still signs in


def test_repeated_failures_are_throttled_per_username(api, db, users):
    limits = {"sign_in_max_failures": "3", "sign_in_failure_window_s": "900"}
    for _ in range(3):
        status, _, _ = api("POST", "/api/auth/token",
                           {"username": "alice", "password": "guess guess guess"}, **limits)
        assert status == 401
    status, body, headers = api("POST", "/api/auth/token",
                                {"username": "ALICE", "password": PASSWORD}, **limits)
    assert status == 429, body  # even the right password, and whatever the case
    assert 890 <= int(headers["Retry-After"]) <= 900
    assert body["reason"] == "throttled" and "try again in" in body["detail"]
    assert sign_in(api, "victor", **limits)["user"]["username"] == "victor"  # others unaffected
    throttled = [r for r in audit_rows(db, "auth.failed") if r["after"]["reason"] == "throttled"]
    assert len(throttled) == 1

    with db.system() as conn:  # the window passes
        conn.execute("UPDATE sign_in_failures SET at = at - interval '16 minutes'")
    sign_in(api, **limits)
    with db.system() as conn:
        assert conn.execute("SELECT count(*) AS n FROM sign_in_failures"
                            " WHERE username = 'alice'").fetchone()["n"] == 0


def test_the_default_throttle_is_ten_failures(api, db, users):
    with db.system() as conn:  # nine recent failures recorded by earlier attempts
        conn.execute("INSERT INTO sign_in_failures (username, at) SELECT 'alice', now()"
                     " - make_interval(mins => g) FROM generate_series(1, 9) g")
    sign_in(api)  # nine: still allowed (and a success clears them)
    with db.system() as conn:
        conn.execute("INSERT INTO sign_in_failures (username, at) SELECT 'alice', now()"
                     " - make_interval(mins => g) FROM generate_series(1, 10) g")
    status, _, headers = api("POST", "/api/auth/token",
                             {"username": "alice", "password": PASSWORD})
    assert status == 429 and 1 <= int(headers["Retry-After"]) <= 300  # oldest leaves at 5 min


@pytest.mark.parametrize(("body", "field"), [
    ({"username": "alice"}, "password"),
    ({"password": PASSWORD}, "username"),
    ({"username": "alice", "password": PASSWORD, "admin": True}, "admin"),
    ({"username": "a" * 101, "password": PASSWORD}, "username"),
    ({"username": "alice", "password": ""}, "password"),
    (["alice", PASSWORD], None),
])
def test_malformed_sign_in_bodies_are_422_naming_the_field(api, users, body, field):
    status, problem, _ = api("POST", "/api/auth/token", body)
    assert status == 422, problem
    assert problem["title"] == "Invalid request body"
    assert [e["field"] for e in problem["errors"]] == [field]
    assert PASSWORD not in json.dumps(problem)


def test_non_json_sign_in_is_400(api, users):
    status, problem, _ = api("POST", "/api/auth/token", raw=b"username=alice&password=x")
    assert status == 400 and problem["title"] == "Malformed JSON body"


# -- refresh and logout -------------------------------------------------------------------------

def refresh(api, token: str) -> tuple[int, dict]:
    status, body, _ = api("POST", "/api/auth/refresh", {"refresh_token": token})
    return status, body


def test_refresh_rotates_and_reuse_revokes_the_whole_family(api, db, users):
    first = sign_in(api)
    other_session = sign_in(api)
    status, second = refresh(api, first["refresh_token"])
    assert status == 200, second
    assert second["refresh_token"] != first["refresh_token"]
    assert tokens.verify(SECRET, second["access_token"])["sub"] == users["alice"]
    assert second["user"]["username"] == "alice"

    status, problem = refresh(api, first["refresh_token"])  # replayed: a stolen copy
    assert status == 401 and problem["reason"] == "refresh_token_reused"
    status, problem = refresh(api, second["refresh_token"])  # the family is gone
    assert status == 401 and problem["reason"] == "revoked_refresh_token"
    assert refresh(api, other_session["refresh_token"])[0] == 200  # another sign-in is not

    reasons = [r["after"]["reason"] for r in audit_rows(db, "auth.failed")]
    assert reasons == ["refresh_token_reused", "revoked_refresh_token"]
    with db.system() as conn:
        rows = conn.execute("SELECT revoked_reason, count(*) AS n FROM refresh_tokens"
                            " GROUP BY 1 ORDER BY 1").fetchall()
    assert [(r["revoked_reason"], r["n"]) for r in rows] == [("reuse", 2), (None, 2)]


def test_refresh_picks_up_role_changes_and_refuses_disabled_users(api, db, users):
    session = sign_in(api, "victor")
    with db.system() as conn:
        conn.execute("UPDATE users SET role = 'operator' WHERE username = 'victor'")
    status, renewed = refresh(api, session["refresh_token"])
    assert status == 200 and tokens.verify(SECRET, renewed["access_token"])["role"] == "operator"
    with db.system() as conn:
        conn.execute("UPDATE users SET disabled = true WHERE username = 'victor'")
    status, problem = refresh(api, renewed["refresh_token"])
    assert status == 401 and problem["detail"] == "the refresh token is not valid"
    # the access token still runs its course, but the console asking who it is gets sign-in
    status, problem, _ = api("GET", "/api/auth/me", token=renewed["access_token"])
    assert status == 401 and problem["detail"] == "this sign-in's user is disabled", problem


@pytest.mark.parametrize(("token", "reason"), [
    ("not-a-token", "invalid_refresh_token"),
    ("srt_" + "A" * 43, "invalid_refresh_token"),
])
def test_unknown_refresh_tokens_are_refused(api, users, token, reason):
    status, problem = refresh(api, token)
    assert status == 401 and problem["reason"] == reason


def test_expired_refresh_token_is_refused(api, db, users):
    session = sign_in(api)
    with db.system() as conn:
        conn.execute("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'")
    status, problem = refresh(api, session["refresh_token"])
    assert status == 401 and problem["reason"] == "expired_refresh_token"


def test_logout_revokes_one_session_or_all(api, db, users):
    one, two, three = sign_in(api), sign_in(api), sign_in(api)
    bobs = sign_in(api, "bob")
    status, body, _ = api("POST", "/api/auth/logout", {"refresh_token": one["refresh_token"]},
                          token=one["access_token"])
    assert (status, body) == (200, {"revoked": 1})
    assert refresh(api, one["refresh_token"])[0] == 401
    assert refresh(api, two["refresh_token"])[0] == 200

    # Someone else's refresh token is not touched by my logout.
    status, body, _ = api("POST", "/api/auth/logout", {"refresh_token": bobs["refresh_token"]},
                          token=three["access_token"])
    assert (status, body) == (200, {"revoked": 0})
    assert refresh(api, bobs["refresh_token"])[0] == 200

    status, body, _ = api("POST", "/api/auth/logout", token=three["access_token"])  # no body
    assert (status, body) == (200, {"revoked": 2})  # two's successor and three
    assert refresh(api, three["refresh_token"])[0] == 401
    logouts = audit_rows(db, "auth.logged_out")
    assert [r["after"] for r in logouts] == [
        {"revoked": 1, "all_sessions": False}, {"revoked": 0, "all_sessions": False},
        {"revoked": 2, "all_sessions": True}]
    assert all(r["actor"] == "alice" and r["actor_id"] == users["alice"] for r in logouts)


def test_logout_and_me_need_a_credential(api, db, users):
    for path, method in (("/api/auth/logout", "POST"), ("/api/auth/me", "GET")):
        status, problem, headers = api(method, path)
        assert status == 401 and "Bearer" in headers["WWW-Authenticate"], problem
    expired = tokens.mint(SECRET, subject=users["alice"], tenant_id=str(uuid.uuid4()),
                          tenant_slug="x", role="admin", now=time.time() - 7200)
    status, problem, _ = api("GET", "/api/auth/me", token=expired)
    assert status == 401 and problem["detail"] == "the token has expired"


def test_sign_in_without_a_signing_secret_fails_loudly(api, users):
    status, problem, _ = api("POST", "/api/auth/token",
                             {"username": "alice", "password": PASSWORD}, jwt_signing_secret="")
    assert status == 500 and "request id" in problem["detail"]


# -- through the gateway and the real authorizer ------------------------------------------------

def test_sign_in_me_refresh_logout_through_the_gateway(db, database_url, users, tmp_path):
    from swaprep.local.gateway import Gateway
    from swaprep.local.host import Host
    from swaprep.local.manifest import load_actions

    functions = Path(__file__).resolve().parents[3] / "functions"
    actions = {name: manifest for name, manifest in load_actions(functions).items()
               if name in ("api", "authorizer")}
    params = {"database_url": database_url, "jwt_signing_secret": SECRET, **CHEAP_PARAMS}
    with Host(actions, package_params=params, db=db) as host:
        server = Gateway(host, frontend_dist=tmp_path / "dist").start()
        try:
            base = f"{server.url}/api/auth"
            signed = requests.post(f"{base}/token", json={"username": "alice",
                                                          "password": PASSWORD}, timeout=60)
            assert signed.status_code == 200, signed.text
            session = signed.json()
            bearer = {"Authorization": f"Bearer {session['access_token']}"}

            me = requests.get(f"{base}/me", headers=bearer, timeout=30)
            assert me.status_code == 200, me.text
            assert (me.json()["username"], me.json()["tenant"]) == ("alice", "alpha-bank")
            assert requests.get(f"{base}/me", timeout=30).status_code == 401

            renewed = requests.post(f"{base}/refresh", json={
                "refresh_token": session["refresh_token"]}, timeout=30)  # public: no bearer
            assert renewed.status_code == 200, renewed.text
            fresh = renewed.json()

            out = requests.post(f"{base}/logout", json={"refresh_token": fresh["refresh_token"]},
                                headers={"Authorization": f"Bearer {fresh['access_token']}"},
                                timeout=30)
            assert (out.status_code, out.json()) == (200, {"revoked": 1})
            again = requests.post(f"{base}/refresh", json={
                "refresh_token": fresh["refresh_token"]}, timeout=30)
            assert again.status_code == 401
            assert again.json()["reason"] == "revoked_refresh_token"
        finally:
            server.stop()
    failures = [r["after"] for r in audit_rows(db, "auth.failed")]
    assert [f["reason"] for f in failures] == ["missing_credentials", "revoked_refresh_token"]
