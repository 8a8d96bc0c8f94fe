"""User and API-key management through the real api action on real PostgreSQL: admin only,
always inside the caller's tenant, every change audited without secrets."""
# ruff: noqa: F811  (fixtures shared with test_auth are parameters of the same name)

from __future__ import annotations

import json

import pytest

from shared.platform import tokens
from shared.services.identity import apikeys
from tests.functional.api.test_auth import (  # noqa: F401  (fixtures: api, users)
    PASSWORD,
    SECRET,
    add_user,
    api,
    audit_rows,
    sign_in,
    users,
)

pytestmark = pytest.mark.functional


@pytest.fixture
def people(db, users, two_tenants) -> dict[str, dict]:
    """Bearer tokens of alpha's admin, operator and viewer and of beta's admin."""
    alpha, beta = two_tenants
    users["otto"] = add_user(db, alpha, "otto", "operator")

    def token(name: str, tenant, slug: str, role: str) -> str:
        return tokens.mint(SECRET, subject=users[name], tenant_id=str(tenant), tenant_slug=slug,
                           role=role)

    return {"alice": token("alice", alpha, "alpha-bank", "admin"),
            "otto": token("otto", alpha, "alpha-bank", "operator"),
            "victor": token("victor", alpha, "alpha-bank", "viewer"),
            "bob": token("bob", beta, "beta-securities", "admin"), "ids": users}


@pytest.fixture
def beta_key(db, two_tenants) -> str:
    with db.tenant(two_tenants[1]) as conn:
        return apikeys.create_key(conn, two_tenants[1], "beta-fep")


ROUTES = [("GET", "/api/admin/users", None),
          ("POST", "/api/admin/users", {"username": "eve", "password": "x" * 12, "role": "admin"}),
          ("PATCH", "/api/admin/users/{victor}", {"role": "admin"}),
          ("GET", "/api/admin/api-keys", None),
          ("POST", "/api/admin/api-keys", {"name": "fep"}),
          ("DELETE", "/api/admin/api-keys/{key}", None)]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_only_admins_get_in(api, db, people, beta_key, method, path, body):
    path = path.format(victor=people["ids"]["victor"], key=apikeys.verify(db, beta_key).subject)
    for who in ("otto", "victor"):
        status, problem, _ = api(method, path, body, token=people[who])
        assert status == 403, problem
        assert "needs the admin role" in problem["detail"]
    status, _, _ = api(method, path, body)
    assert status == 401
    with_key = api(method, path, body, __authorizer=apikeys.verify(db, beta_key).as_context())
    assert with_key[0] == 403 and "an API key" in with_key[1]["detail"]
    with db.system() as conn:  # nothing changed
        assert conn.execute("SELECT count(*) AS n FROM users WHERE username = 'eve'"
                            ).fetchone()["n"] == 0
        assert conn.execute("SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NOT NULL"
                            ).fetchone()["n"] == 0


def test_admin_lists_only_their_tenants_users(api, people):
    status, body, _ = api("GET", "/api/admin/users", token=people["alice"])
    assert status == 200
    assert [u["username"] for u in body["items"]] == ["alice", "dora", "otto", "victor"]
    assert {u["tenant"] for u in body["items"]} == {"alpha-bank"}
    assert "password_hash" not in json.dumps(body)
    status, body, _ = api("GET", "/api/admin/users", token=people["bob"])
    assert [u["username"] for u in body["items"]] == ["bob"]


def test_admin_creates_a_user_who_can_sign_in(api, db, people, two_tenants):
    new = {"username": "carol", "password": "a long enough pass", "role": "operator",
           "display_name": "Carol Kim"}
    status, user, headers = api("POST", "/api/admin/users", new, token=people["alice"])
    assert status == 201, user
    assert headers["Location"] == f"/api/admin/users/{user['id']}"
    assert (user["username"], user["role"], user["tenant"], user["disabled"]) == (
        "carol", "operator", "alpha-bank", False)
    session = sign_in(api, "carol", "a long enough pass")
    assert session["user"]["role"] == "operator"

    [row] = audit_rows(db, "user.created")
    assert (row["actor"], row["actor_id"], row["tenant_id"]) == (
        "alice", people["ids"]["alice"], two_tenants[0])
    assert row["before"] is None and row["after"] == {
        "username": "carol", "display_name": "Carol Kim", "role": "operator", "disabled": False}
    assert row["request_id"]
    assert "a long enough pass" not in json.dumps(row, default=str)

    status, problem, _ = api("POST", "/api/admin/users", {**new, "username": "bob"},
                             token=people["alice"])  # usernames are global
    assert status == 409 and "taken" in problem["detail"]


@pytest.mark.parametrize(("change", "field"), [
    ({"password": "short"}, "password"),
    ({"password": "carol-is-my-password"}, "password"),  # contains the username
    ({"role": "root"}, "role"),
    ({"username": "x"}, "username"),
    ({"username": "bad name!"}, "username"),
    ({"display_name": ""}, "display_name"),
    ({"extra": 1}, "extra"),
])
def test_new_users_are_validated(api, db, people, change, field):
    body = {"username": "carol", "password": "a long enough pass", "role": "viewer", **change}
    status, problem, _ = api("POST", "/api/admin/users", body, token=people["alice"])
    assert status == 422, problem
    assert field in [e["field"] for e in problem["errors"]]
    assert "a long enough pass" not in json.dumps(problem)
    with db.system() as conn:
        assert conn.execute("SELECT count(*) AS n FROM users WHERE username = 'carol'"
                            ).fetchone()["n"] == 0


def test_admin_changes_role_name_and_disables_with_audit(api, db, people):
    victor = people["ids"]["victor"]
    session = sign_in(api, "victor")
    status, user, _ = api("PATCH", f"/api/admin/users/{victor}",
                          {"role": "operator", "display_name": "Victor L."},
                          token=people["alice"])
    assert status == 200, user
    assert (user["role"], user["display_name"]) == ("operator", "Victor L.")
    status, user, _ = api("PATCH", f"/api/admin/users/{victor}", {"disabled": True},
                          token=people["alice"])
    assert status == 200 and user["disabled"] is True
    status, _, _ = api("POST", "/api/auth/refresh", {"refresh_token": session["refresh_token"]})
    assert status == 401  # disabling ended the sessions
    status, _, _ = api("POST", "/api/auth/token", {"username": "victor", "password": PASSWORD})
    assert status == 401

    first, second = audit_rows(db, "user.updated")
    assert first["before"] == {"username": "victor", "display_name": "Victor",
                               "role": "viewer", "disabled": False}
    assert first["after"] == {"username": "victor", "display_name": "Victor L.",
                              "role": "operator", "disabled": False,
                              "password_changed": False, "sessions_revoked": 0}
    assert (second["before"]["disabled"], second["after"]["disabled"]) == (False, True)
    assert second["after"]["sessions_revoked"] == 1


def test_password_reset_ends_sessions_and_is_never_audited(api, db, people):
    victor = people["ids"]["victor"]
    session = sign_in(api, "victor")
    status, _, _ = api("PATCH", f"/api/admin/users/{victor}",
                       {"password": "brand new secret 42"}, token=people["alice"])
    assert status == 200
    assert api("POST", "/api/auth/refresh", {"refresh_token": session["refresh_token"]})[0] == 401
    assert api("POST", "/api/auth/token", {"username": "victor", "password": PASSWORD})[0] == 401
    sign_in(api, "victor", "brand new secret 42")
    [row] = audit_rows(db, "user.updated")
    assert row["after"]["password_changed"] is True and row["after"]["sessions_revoked"] == 1
    with db.system() as conn:
        everything = json.dumps(conn.execute("SELECT * FROM audit_log").fetchall(), default=str)
    assert "brand new secret 42" not in everything and "$argon2" not in everything


def test_the_last_active_admin_stays(api, db, people):
    alice = people["ids"]["alice"]
    for change in ({"role": "viewer"}, {"disabled": True}):
        status, problem, _ = api("PATCH", f"/api/admin/users/{alice}", change,
                                 token=people["alice"])
        assert status == 409 and "last active admin" in problem["detail"]
    api("PATCH", f"/api/admin/users/{people['ids']['otto']}", {"role": "admin"},
        token=people["alice"])
    status, user, _ = api("PATCH", f"/api/admin/users/{alice}", {"role": "viewer"},
                          token=people["alice"])
    assert status == 200 and user["role"] == "viewer"


@pytest.mark.parametrize(("body", "status"), [
    ({}, 422), ({"role": None}, 422), ({"disabled": "yes"}, 422), ({"username": "x"}, 422),
    ({"password": "short"}, 422)])
def test_bad_user_changes(api, people, body, status):
    answer = api("PATCH", f"/api/admin/users/{people['ids']['victor']}", body,
                 token=people["alice"])
    assert answer[0] == status, answer[1]


def test_tenant_a_admin_cannot_see_or_change_tenant_b_users(api, db, people):
    bob = people["ids"]["bob"]
    for path in (f"/api/admin/users/{bob}", "/api/admin/users/not-a-uuid"):
        status, problem, _ = api("PATCH", path, {"disabled": True}, token=people["alice"])
        assert status == 404 and "in this tenant" in problem["detail"], problem
    with db.system() as conn:
        assert conn.execute("SELECT disabled FROM users WHERE id = %s", (bob,)
                            ).fetchone()["disabled"] is False
    assert audit_rows(db, "user.updated") == []


def test_api_keys_are_shown_once_listed_without_secrets_and_revoked(api, db, people,
                                                                    beta_key, two_tenants):
    status, created, headers = api("POST", "/api/admin/api-keys", {"name": "fep-seoul"},
                                   token=people["alice"])
    assert status == 201, created
    assert headers["Cache-Control"] == "no-store"
    key = created["key"]
    assert apikeys.key_prefix(key) == created["prefix"] and created["scopes"] == ["ingest"]
    assert created["created_by"] == people["ids"]["alice"]
    principal = apikeys.verify(db, key)
    assert principal is not None and principal.tenant_id == str(two_tenants[0])

    status, listed, _ = api("GET", "/api/admin/api-keys", token=people["alice"])
    assert [k["name"] for k in listed["items"]] == ["fep-seoul"]  # not beta's
    assert key not in json.dumps(listed) and "key_hash" not in json.dumps(listed)
    assert "key" not in listed["items"][0]

    status, revoked, _ = api("DELETE", f"/api/admin/api-keys/{created['id']}",
                             token=people["alice"])
    assert status == 200 and revoked["revoked_at"] is not None
    assert apikeys.verify(db, key) is None
    status, problem, _ = api("DELETE", f"/api/admin/api-keys/{created['id']}",
                             token=people["alice"])
    assert status == 409 and "already revoked" in problem["detail"]

    made, gone = audit_rows(db, "api_key.created")[-1], audit_rows(db, "api_key.revoked")[-1]
    assert made["after"] == {"name": "fep-seoul", "scopes": ["ingest"],
                             "prefix": created["prefix"]}
    assert gone["before"] == {"revoked_at": None} and gone["after"]["revoked_at"]
    assert made["request_id"] and gone["request_id"]
    assert key not in json.dumps(audit_rows(db, "api_key.created"), default=str)


def test_tenant_a_admin_cannot_see_or_revoke_tenant_b_keys(api, db, people, beta_key):
    beta_id = apikeys.verify(db, beta_key).subject
    status, listed, _ = api("GET", "/api/admin/api-keys", token=people["alice"])
    assert listed["items"] == []
    for key_id in (beta_id, "srk-not-an-id"):
        status, problem, _ = api("DELETE", f"/api/admin/api-keys/{key_id}",
                                 token=people["alice"])
        assert status == 404, problem
    assert apikeys.verify(db, beta_key) is not None
    status, listed, _ = api("GET", "/api/admin/api-keys", token=people["bob"])
    assert [k["id"] for k in listed["items"]] == [beta_id]


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "x" * 101}, {"name": "f", "scopes": []},
                                  {"name": "f", "scopes": ["admin"]}, {}])
def test_bad_key_requests(api, people, body):
    status, problem, _ = api("POST", "/api/admin/api-keys", body, token=people["alice"])
    assert status == 422 and problem["errors"], problem
