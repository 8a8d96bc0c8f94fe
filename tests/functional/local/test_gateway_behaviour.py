"""The HTTP behaviour every API route shares, through the real local gateway and function host:
ETag/304, gzip, CORS, rate limits, request ids (fixture actions web_behaviour and
tenant_authorizer: `Bearer <user>@<tenant>`; 5 requests per caller, 8 per tenant)."""

from __future__ import annotations

import gzip
import json

import pytest
import requests

from swaprep.local.gateway import Gateway
from swaprep.local.host import fetch_activations

pytestmark = pytest.mark.functional

CONSOLE = "https://console.example.com"
EVIL = "https://evil.example.com"


@pytest.fixture
def gateway(host, tmp_path):
    server = Gateway(host, frontend_dist=tmp_path / "dist", cors_origins=[CONSOLE]).start()
    yield server
    server.stop()


def _get(gateway, path, who=None, **headers):
    if who:
        headers["Authorization"] = f"Bearer {who}"
    return requests.get(f"{gateway.url}{path}", headers=headers, timeout=30)


def test_lists_are_gzipped_and_revalidate_to_304(gateway):
    full = _get(gateway, "/api/behaviour/items?n=300", "ann@t1", **{"Accept-Encoding": "gzip"})
    assert full.status_code == 200 and full.headers["Content-Encoding"] == "gzip"
    assert len(full.json()["items"]) == 300  # requests decoded the gzip body
    raw_length = int(full.headers["Content-Length"])
    assert raw_length < len(full.content) / 4
    assert {"Accept-Encoding", "Origin"} <= {
        v.strip() for v in full.headers["Vary"].split(",")}
    assert full.headers["Cache-Control"] == "private, no-cache"
    etag = full.headers["ETag"]

    unchanged = _get(gateway, "/api/behaviour/items?n=300", "ann@t1",
                     **{"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["ETag"] == etag and "X-Request-Id" in unchanged.headers
    assert "Content-Length" not in unchanged.headers

    identity = _get(gateway, "/api/behaviour/items?n=300", "ann@t1",
                    **{"Accept-Encoding": "identity", "If-None-Match": "W/" + etag})
    assert identity.status_code == 304  # either representation's tag revalidates
    plain = _get(gateway, "/api/behaviour/items?n=300", "ann@t1",
                 **{"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content
    assert plain.headers["ETag"] != etag and plain.json() == full.json()
    changed = _get(gateway, "/api/behaviour/items?n=2", "bob@t1", **{"If-None-Match": etag})
    assert changed.status_code == 200 and len(changed.json()["items"]) == 2


def test_cors_preflight_is_answered_without_the_authorizer_for_the_console_only(gateway, db):
    url = f"{gateway.url}/api/behaviour/items"
    preflight = requests.options(url, headers={
        "Origin": CONSOLE, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization, if-none-match"}, timeout=30)
    assert preflight.status_code == 204  # no credential, yet no 401: the authorizer never ran
    assert preflight.headers["Access-Control-Allow-Origin"] == CONSOLE
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "X-API-Key" in preflight.headers["Access-Control-Allow-Headers"]
    assert preflight.headers["Access-Control-Max-Age"] == "600"
    assert "X-Request-Id" in preflight.headers
    gateway.host.flush_records()
    assert fetch_activations(db, action="tenant_authorizer") == []

    refused = requests.options(url, headers={
        "Origin": EVIL, "Access-Control-Request-Method": "GET"}, timeout=30)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert EVIL in refused.json()["detail"]
    assert "Access-Control-Allow-Origin" not in refused.headers

    console = _get(gateway, "/api/behaviour/items", "cat@t3", Origin=CONSOLE)
    assert console.headers["Access-Control-Allow-Origin"] == CONSOLE
    assert "X-RateLimit-Remaining" in console.headers["Access-Control-Expose-Headers"]
    other = _get(gateway, "/api/behaviour/items", "cat@t3", Origin=EVIL)
    assert other.status_code == 200  # CORS is the browser's fence: no grant, same answer
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]
    denied = _get(gateway, "/api/behaviour/items", Origin=CONSOLE)
    assert denied.status_code == 401  # the console can read why
    assert denied.headers["Access-Control-Allow-Origin"] == CONSOLE


def test_rate_limits_per_caller_and_per_tenant(gateway):
    answers = [_get(gateway, "/api/behaviour/items", "dan@t4") for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["4", "3", "2", "1", "0"]
    assert answers[0].headers["X-RateLimit-Limit"] == "5"
    assert int(answers[0].headers["X-RateLimit-Reset"]) >= 1

    over = _get(gateway, "/api/behaviour/items", "dan@t4", **{"X-Request-Id": "rl-1"})
    assert over.status_code == 429
    assert over.headers["Content-Type"] == "application/problem+json"
    assert int(over.headers["Retry-After"]) >= 1
    assert over.headers["X-RateLimit-Remaining"] == "0"
    assert over.headers["X-Request-Id"] == "rl-1"
    problem = over.json()
    assert problem["status"] == 429 and problem["requestId"] == "rl-1"
    assert "user:dan is over its limit of 5 requests" in problem["detail"]

    # The tenant's 8 are shared: a second user of t4 gets the 3 left, then the tenant limit.
    other = [_get(gateway, "/api/behaviour/items", "eve@t4").status_code for _ in range(4)]
    assert other == [200, 200, 200, 429]
    tenant_over = _get(gateway, "/api/behaviour/items", "eve@t4")
    assert "tenant:t4 is over its limit of 8 requests" in tenant_over.json()["detail"]
    assert _get(gateway, "/api/behaviour/items", "gus@t5").status_code == 200  # other tenant


def test_public_routes_and_refused_credentials_count_per_client_address(gateway):
    opened = [_get(gateway, "/api/behaviour/open") for _ in range(3)]
    assert [a.status_code for a in opened] == [200] * 3
    assert opened[-1].headers["X-RateLimit-Remaining"] == "2"
    # Made-up credentials do not buy a fresh allowance: refusals count per address too.
    refused = [_get(gateway, "/api/behaviour/items", f"x{i}").status_code for i in range(3)]
    assert refused == [401, 401, 429]


def test_every_answer_carries_the_request_id_and_every_log_line_too(gateway, db):
    cases = [
        ("GET", "/api/behaviour/items", "fay@t6", 200),
        ("GET", "/api/behaviour/nothing", "fay@t6", 404),
        ("POST", "/api/behaviour/items", "fay@t6", 405),
        ("GET", "/api/behaviour/boom", "fay@t6", 500),
        ("GET", "/api/behaviour/items", None, 401),
    ]
    for index, (method, path, who, status) in enumerate(cases):
        headers = {"X-Request-Id": f"req-{index}"}
        if who:
            headers["Authorization"] = f"Bearer {who}"
        answer = requests.request(method, f"{gateway.url}{path}", headers=headers, timeout=30)
        assert answer.status_code == status, (path, answer.text)
        assert answer.headers["X-Request-Id"] == f"req-{index}"
        if status >= 400 and status != 401:
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert answer.json()["request_id"] == f"req-{index}"
        if status == 405:
            assert answer.headers["Allow"] == "GET"

    gateway.host.flush_records()
    rows = fetch_activations(db, action="web_behaviour", limit=50)
    # Activation log lines are "<time> stdout: <JSON line>", as `wsk activation logs` shows.
    lines = [json.loads(text) for row in rows for line in (row["logs"] or "").splitlines()
             for text in [line.partition(" stdout: ")[2]] if text.startswith("{")]
    assert len(lines) >= 3
    assert all(line.get("request_id") in {"req-0", "req-1", "req-2", "req-3"} for line in lines)
    assert any(line["msg"] == "listing items" and line["request_id"] == "req-0"
               for line in lines)
    assert any(line["msg"] == "request crashed" and line["request_id"] == "req-3"
               for line in lines)


@pytest.mark.parametrize(("table", "field", "problem"), [
    ("[gateway.credential_limit]\nrate_per_s = 0\n", "gateway.credential_limit.rate_per_s",
     "between"),
    ("[gateway.tenant_limit]\nburst = 5\n", "gateway.tenant_limit.burst", "needs rate_per_s"),
    ("[gateway.tenant_limit]\nquota_per_week = 5\n", "gateway.tenant_limit.quota_per_week",
     "unknown key"),
    ("[gateway.credential_limit]\nquota_per_day = 1.5\n",
     "gateway.credential_limit.quota_per_day", "integer"),
])
def test_limit_tables_are_validated(tmp_path, table, field, problem):
    from swaprep.local.manifest import ManifestError, load_action

    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "__main__.py").write_text("def main(args):\n    return {}\n")
    (folder / "action.toml").write_text(f'web = true\n[gateway]\nroutes = ["/api/*"]\n{table}')
    with pytest.raises(ManifestError, match=problem) as raised:
        load_action(folder)
    assert raised.value.field == field


def test_a_bad_cors_setting_stops_the_gateway_with_the_setting_named(host, tmp_path):
    with pytest.raises(ValueError, match="cors_origins: '\\*' is not an origin"):
        Gateway(host, frontend_dist=tmp_path / "dist", cors_origins="*")
