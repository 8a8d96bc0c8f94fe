"""The local API Gateway: raw-http web action mapping, authorizers, request ids, the console."""

from __future__ import annotations

import base64
import json
import re

import pytest
import requests

from swaprep.local.gateway import Gateway

pytestmark = pytest.mark.functional


@pytest.fixture
def gateway(host, tmp_path):
    server = Gateway(
        host, frontend_dist=tmp_path / "dist", endpoints=lambda: {"api": "http://x", "s3": "y"}
    ).start()
    yield server
    server.stop()


def test_request_maps_to_raw_http_args(gateway):
    body = b"\x00\xff binary \xe2\x82\xac"
    answer = requests.put(
        f"{gateway.url}/api/trades/T-1?a=1&b=two%20words&a=3",
        data=body,
        headers={"X-Custom": "Value", "Content-Type": "application/octet-stream"},
        timeout=10,
    )
    assert answer.status_code == 200
    seen = answer.json()
    assert seen["method"] == "put"
    assert seen["path"] == "/api/trades/T-1"
    assert seen["query"] == "a=1&b=two%20words&a=3"
    assert base64.b64decode(seen["body_b64"]) == body
    headers = seen["headers"]
    assert headers["x-custom"] == "Value"
    assert headers["content-type"] == "application/octet-stream"
    assert all(name == name.lower() for name in headers)
    assert seen["authorizer"] is None


def test_status_and_headers_come_back(gateway):
    created = requests.post(f"{gateway.url}/api/things?status=201", json={"k": "v"}, timeout=10)
    assert created.status_code == 201
    assert created.headers["X-Echo"] == "yes"
    assert created.headers["Content-Type"] == "application/json"
    assert json.loads(created.json()["body"]) == {"k": "v"}

    text = requests.get(f"{gateway.url}/api/x?text=1&status=418", timeout=10)
    assert (text.status_code, text.text, text.headers["Content-Type"]) == (418, "plain",
                                                                           "text/plain")
    binary = requests.get(f"{gateway.url}/api/x?binary=1", timeout=10)
    assert binary.content == bytes(range(256))
    assert binary.headers["Content-Type"] == "application/octet-stream"


def test_request_id_is_passed_through_or_generated(gateway):
    given = requests.get(f"{gateway.url}/api/x", headers={"X-Request-Id": "req-42"}, timeout=10)
    assert given.headers["X-Request-Id"] == "req-42"
    assert given.json()["headers"]["x-request-id"] == "req-42"

    generated = requests.get(f"{gateway.url}/api/x", timeout=10)
    request_id = generated.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert generated.json()["headers"]["x-request-id"] == request_id

    junk = requests.get(f"{gateway.url}/api/x", headers={"X-Request-Id": "a b<c>"}, timeout=10)
    assert re.fullmatch(r"[0-9a-f]{32}", junk.headers["X-Request-Id"])


def test_failed_activation_is_a_502_problem(gateway, db):
    failed = requests.get(f"{gateway.url}/api/x?crash=1", timeout=10)
    assert failed.status_code == 502
    assert failed.headers["Content-Type"] == "application/problem+json"
    problem = failed.json()
    assert problem["status"] == 502 and problem["title"] == "Bad Gateway"
    assert problem["detail"] == "web action failed"
    assert problem["requestId"] == failed.headers["X-Request-Id"]
    assert len(problem["activationId"]) == 32


def test_authorizer_denies_or_passes_its_context(gateway):
    denied = requests.get(f"{gateway.url}/api/secure/report", timeout=10)
    assert denied.status_code == 401
    assert denied.json() == {"error": "unauthorized"}
    assert denied.headers["WWW-Authenticate"] == "Bearer"
    assert "X-Request-Id" in denied.headers

    allowed = requests.get(
        f"{gateway.url}/api/secure/report",
        headers={"Authorization": "Bearer good", "X-Request-Id": "r-1"},
        timeout=10,
    )
    assert allowed.status_code == 200
    assert allowed.headers["Content-Type"] == "application/json"  # object body sent as JSON
    assert allowed.json() == {"authorizer": {"user": "alice", "request_id": "r-1"}}


def test_oversized_body_and_unrouted_paths(gateway):
    too_big = requests.post(f"{gateway.url}/api/x", data=b"x" * 1_100_000, timeout=10)
    assert too_big.status_code == 413
    assert too_big.headers["Content-Type"] == "application/problem+json"
    # The raw body is sent base64 (4/3 larger): a 900 kB body exceeds the 1 MB parameters.
    encoded_too_big = requests.post(f"{gateway.url}/api/x", data=b"x" * 900_000, timeout=10)
    assert encoded_too_big.status_code == 413
    assert "Request larger than allowed" in encoded_too_big.json()["detail"]
    assert requests.post(f"{gateway.url}/elsewhere", timeout=10).status_code == 404


def test_console_placeholder_without_a_build(gateway):
    page = requests.get(f"{gateway.url}/", timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "not built yet" in page.text and "http://x" in page.text
    assert requests.get(f"{gateway.url}/app.js", timeout=10).status_code == 404


def test_console_is_served_from_the_build(gateway, tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>console</title>")
    (dist / "assets" / "app-1a2b.js").write_text("console.log('hi')")
    (tmp_path / "secret.txt").write_text("outside the build")

    index = requests.get(f"{gateway.url}/", timeout=10)
    assert index.status_code == 200 and "<title>console</title>" in index.text
    assert index.headers["Cache-Control"] == "no-cache"
    script = requests.get(f"{gateway.url}/assets/app-1a2b.js", timeout=10)
    assert script.status_code == 200 and script.text == "console.log('hi')"
    assert "javascript" in script.headers["Content-Type"]
    head = requests.head(f"{gateway.url}/index.html", timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert requests.get(f"{gateway.url}/%2e%2e/secret.txt", timeout=10).status_code == 404
    assert requests.get(f"{gateway.url}/missing.css", timeout=10).status_code == 404


# -- public routes and the real authorizer ---------------------------------------------------

def _write_action(root, name: str, toml: str, code: str) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "action.toml").write_text(toml)
    (folder / "__main__.py").write_text(code)


def test_public_routes_skip_the_authorizer(tmp_path, db):
    from swaprep.local.host import Host
    from swaprep.local.manifest import load_actions

    root = tmp_path / "functions"
    _write_action(root, "deny", "timeout_s = 10\n",
                  "def main(args):\n    return {'statusCode': 401, 'body': 'denied'}\n")
    _write_action(
        root, "site",
        'web = true\ntimeout_s = 10\n[gateway]\nroutes = ["/api/*"]\nauthorizer = "deny"\n'
        'public = ["GET /api/open", "POST /api/docs/*"]\n',
        "def main(args):\n    return {'statusCode': 200,"
        " 'body': {'authorizer': args.get('__authorizer')}}\n")
    with Host(load_actions(root), package_params={"database_url": db.url}, db=db) as host:
        server = Gateway(host, frontend_dist=tmp_path / "dist").start()
        try:
            opened = requests.get(f"{server.url}/api/open", timeout=10)
            assert opened.status_code == 200 and opened.json() == {"authorizer": None}
            assert requests.head(f"{server.url}/api/open", timeout=10).status_code == 200
            assert requests.post(f"{server.url}/api/docs/a/b", timeout=10).status_code == 200
            for method, path in (("post", "/api/open"), ("get", "/api/docs/a"),
                                 ("get", "/api/open/more"), ("get", "/api/closed")):
                denied = requests.request(method, f"{server.url}{path}", timeout=10)
                assert (denied.status_code, denied.text) == (401, "denied"), (method, path)
        finally:
            server.stop()


@pytest.mark.parametrize(("public", "problem"), [
    ('"/api/health"', "upper-case method"),
    ('"get /api/health"', "upper-case method"),
    ('"GET /other/x"', "not under any of the routes"),
    ('"GET /api/*/x"', "upper-case method"),
])
def test_public_entries_are_validated(tmp_path, public, problem):
    from swaprep.local.manifest import ManifestError, load_action

    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "__main__.py").write_text("def main(args):\n    return {}\n")
    (folder / "action.toml").write_text(
        f'web = true\n[gateway]\nroutes = ["/api/*"]\nauthorizer = "a"\npublic = [{public}]\n')
    with pytest.raises(ManifestError, match=problem) as raised:
        load_action(folder)
    assert raised.value.field == "gateway.public"


def test_online_ingestion_through_the_gateway_and_the_real_authorizer(db, database_url,
                                                                      tmp_path):
    from pathlib import Path

    from shared.services.identity import apikeys
    from swaprep.local.demo import demo_lei
    from swaprep.local.host import Host
    from swaprep.local.manifest import load_actions

    functions = Path(__file__).resolve().parents[3] / "functions"
    actions = {name: manifest for name, manifest in load_actions(functions).items()
               if name in ("api", "authorizer")}
    with db.system() as conn:
        tenant_id = conn.execute("INSERT INTO tenants (slug, name, lei) VALUES ('gw-bank', 'GW',"
                                 " %s) RETURNING id", (demo_lei(1),)).fetchone()["id"]
    with db.tenant(tenant_id) as conn:
        key = apikeys.create_key(conn, tenant_id, "gw-fep")
    event = {"uti": f"{demo_lei(1)}GW0001", "trade_id": "GW1", "action_type": "NEWT",
             "execution_timestamp": "2026-11-20T01:00:00Z",
             "counterparty_1": {"identifier": demo_lei(1)},
             "counterparty_2": {"identifier": demo_lei(100)}}
    params = {"database_url": database_url, "jwt_signing_secret": "gw-test-secret-0123456789"}
    with Host(actions, package_params=params, db=db) as host:
        server = Gateway(host, frontend_dist=tmp_path / "dist").start()
        try:
            url = f"{server.url}/api/ingest/events"
            refused = requests.post(url, json=event, timeout=30)
            assert refused.status_code == 401
            assert refused.headers["Content-Type"] == "application/problem+json"
            assert "ApiKey" in refused.headers["WWW-Authenticate"]

            accepted = requests.post(url, json={"events": [event, {"uti": "x"}]},
                                     headers={"X-API-Key": key, "X-Request-Id": "gw-1"},
                                     timeout=30)
            assert accepted.status_code == 202, accepted.text
            answer = accepted.json()
            assert answer["request_id"] == "gw-1" and len(answer["accepted"]) == 1
            assert answer["rejected"][0]["index"] == 1

            # Public: answered without a credential (degraded here: no S3 is configured).
            health = requests.get(f"{server.url}/api/health", timeout=30)
            assert health.status_code in (200, 503) and "components" in health.json()
        finally:
            server.stop()
    with db.tenant(tenant_id) as conn:
        [row] = conn.execute("SELECT id, source FROM trade_events").fetchall()
    assert str(row["id"]) == answer["accepted"][0]["event_id"] and row["source"] == "api"
