"""The API's doors, operation by operation as the OpenAPI document lists them, through the real
authorizer and api actions on real PostgreSQL and the S3 API: no credential or a bad one is
401 everywhere but the public routes, a viewer never mutates, tenant A never sees tenant B,
SQL-injection strings and malformed or oversized bodies are 4xx, never 5xx.

The operations come from the spec (which the contract test ties to the router), so a new
route is covered here the moment it is in the document. `Api` is also the in-process gateway
test_schemathesis.py runs against (a WSGI app around the two actions).
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, urlencode

import jwt
import pytest

from shared.adapters.db import entities
from shared.api.openapi import SPEC_PATH
from shared.platform import tokens
from shared.services.identity import apikeys
from shared.services.monitoring.alerts import raise_alert
from swaprep.local.demo import demo_lei
from tests.functional.api.test_auth import CHEAP_PARAMS, SECRET, add_user
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import csv_file, csv_row
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant
SPEC = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
BETA_LEI = demo_lei(2)
BETA_CLIENT_LEI = "213800BETACLIENT0012"
INJECTIONS = ("' OR '1'='1", "1; DROP TABLE trade_events;--", "%' UNION SELECT id, uti FROM "
              "trade_events --", "\\'; SELECT pg_sleep(5);--", "x') OR tenant_id IS NOT NULL--")


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, ops in SPEC["paths"].items()
            for method, op in ops.items()]


def is_public(op: dict[str, Any]) -> bool:
    return op.get("security") == []


def op_ids(ops: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    return [f"{m} {p}" for m, p, _ in ops]


PROTECTED = [o for o in operations() if not is_public(o[2])]
MUTATING = [o for o in PROTECTED if "viewer" not in o[2].get("x-roles", [])
            and o[2].get("x-credential") == "user"]
WITH_BODY = [o for o in operations() if "requestBody" in o[2]]


# -- the in-process gateway ----------------------------------------------------------------------

class Wakeups:
    """Stands in for the invoke API the producers wake their consumers with (NCP REST)."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"] or 0))
                self.send_response(202)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"


class Api:
    """The authorizer, then the api action with its verdict, as the local gateway runs them
    (swaprep/local/gateway.py) minus the rate limits; `gateway=False` calls the api action
    directly, which then checks the credential itself (principal_for)."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.api, self.authorizer = load_main("api"), load_main("authorizer")

    def call(self, method: str, path: str, *, query: str = "", body: bytes = b"",
             headers: dict[str, str] | None = None, gateway: bool = True) -> dict[str, Any]:
        args: dict[str, Any] = {
            **self.params, "__ow_method": method.lower(), "__ow_path": path,
            "__ow_query": query, "__ow_body": base64.b64encode(body).decode(),
            "__ow_headers": {"x-request-id": uuid.uuid4().hex, "x-forwarded-for": "192.0.2.9",
                             **{k.lower(): v for k, v in (headers or {}).items()}}}
        if gateway and not apikeys.is_public(method, path):
            verdict = self.authorizer(args)
            if verdict.get("statusCode", 200) >= 400:
                return verdict
            args["__authorizer"] = verdict["context"]
        result = self.api(args)
        if result.get("isBase64Encoded"):
            result = {**result, "body": base64.b64decode(result["body"])}
        return result

    def json(self, method: str, path: str, payload: Any = None, *, token: str | None = None,
             key: str | None = None, query: str = "", gateway: bool = True
             ) -> tuple[int, Any, dict[str, str]]:
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        if key:
            headers["x-api-key"] = key
        data = b"" if payload is None else json.dumps(payload).encode()
        result = self.call(method, path, query=query, body=data, headers=headers,
                           gateway=gateway)
        text = result.get("body") or ""
        content_type = result.get("headers", {}).get("Content-Type", "")
        body = json.loads(text) if "json" in content_type and text else text
        return result["statusCode"], body, result.get("headers", {})

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        """A WSGI app (schemathesis drives it through werkzeug's test client)."""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items()
                   if k.startswith("HTTP_")}
        for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(name):
                headers[name.replace("_", "-").lower()] = environ[name]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        result = self.call(environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/",
                           query=environ.get("QUERY_STRING", ""), body=body, headers=headers)
        data = result.get("body") or b""
        data = data.encode("utf-8") if isinstance(data, str) else data
        status = result["statusCode"]
        answer_headers = dict(result.get("headers") or {})
        if answer_headers.pop("Content-Encoding", None) == "gzip":  # as an HTTP client would
            data = gzip.decompress(data)
        out = [(k, str(v)) for k, v in answer_headers.items()]
        start_response(f"{status} {'OK' if status < 400 else 'Error'}", out)
        return [] if status in (204, 304) else [data]


# -- a seeded world: two tenants with data, users of each role, keys -----------------------------

class World:
    def __init__(self, db: Any, alpha: Any, beta: Any) -> None:
        self.db, self.alpha, self.beta = db, alpha, beta
        self.tokens: dict[str, str] = {}
        self.user_ids: dict[str, str] = {}

    def person(self, name: str, tenant_id: Any, slug: str, role: str) -> None:
        self.user_ids[name] = user_id = add_user(self.db, tenant_id, name, role)
        self.tokens[name] = tokens.mint(SECRET, subject=user_id, tenant_id=str(tenant_id),
                                        tenant_slug=slug, role=role)

    def first(self, tenant_id: Any, sql: str) -> Any:
        with self.db.tenant(tenant_id) as conn:
            row = conn.execute(sql).fetchone()
        return None if row is None else next(iter(row.values()))


@pytest.fixture
def world(db, tenant, pipeline, store) -> World:
    """alpha-bank and beta-securities, each with valid and invalid events, an alert and an
    API key; alpha's admin alice, operator otto and viewer victor; beta's admin bob."""
    store.ensure_buckets(["swaprep-outbound"])  # where exports go
    with db.system() as conn:
        beta = conn.execute("INSERT INTO tenants (slug, name, lei) VALUES ('beta-securities',"
                            " 'Beta', %s) RETURNING id", (BETA_LEI,)).fetchone()["id"]
    pipeline.upload("alpha-bank/alpha.csv", csv_file(
        *(csv_row(n) for n in range(1, 5)), csv_row(5, currency="KRX"), "broken,row"))
    pipeline.upload("beta-securities/beta.csv", csv_file(
        *(csv_row(n, trade_uti=f"{BETA_LEI}B{n:06d}") for n in range(1, 4)),
        csv_row(4, currency="KRX", trade_uti=f"{BETA_LEI}B000004")))
    pipeline.run()
    w = World(db, tenant, beta)
    w.person("alice", tenant, "alpha-bank", "admin")
    w.person("otto", tenant, "alpha-bank", "operator")
    w.person("victor", tenant, "alpha-bank", "viewer")
    w.person("bob", beta, "beta-securities", "admin")
    for tenant_id in (tenant, beta):
        with db.tenant(tenant_id) as conn:
            raise_alert(conn, tenant_id=tenant_id, kind="tr.nack", severity="warning",
                        dedup_key="x", summary="NACKs", details={})
            w.tokens[f"key:{tenant_id}"] = apikeys.create_key(conn, tenant_id, "fep")
    with db.tenant(beta) as conn:  # beta's entity and agreement: alpha must reach neither
        entities.upsert_entity(conn, {"entity_id": "BETA-HO", "name": "Beta HQ",
                                      "kind": "head_office", "country": "KR", "lei": BETA_LEI,
                                      "parent": None, "statuses": {"krx": "REPORTING"}})
        entities.insert_agreement(conn, {
            "client_lei": BETA_CLIENT_LEI, "client_name": "Beta Client", "regime": "emir",
            "capacity": "voluntary", "delegate": "BETA-HO", "valid_from": "2026-01-01",
            "valid_to": None, "client_status": None, "opted_out": False})
    w.tokens["fep"] = w.tokens[f"key:{tenant}"]
    return w


@pytest.fixture
def api(database_url, s3_clean, store) -> Api:
    wakeups = Wakeups()
    yield Api({"database_url": database_url, "jwt_signing_secret": SECRET,
               "s3_endpoint_url": s3_clean, "s3_region": "kr-standard",
               "s3_access_key_id": "testing", "s3_secret_access_key": "testing",
               "local_invoke_url": wakeups.url, "local_invoke_token": "t",
               "queue_backend": "postgres", "log_level": "WARNING", **CHEAP_PARAMS})
    wakeups.server.shutdown()


ID_PARAMS = ("event_id", "uti", "file_id", "alert_id", "user_id", "key_id", "report_id",
             "entity_id", "agreement_id", "clock_id", "job_id")


def beta_ids(world: World) -> dict[str, str]:
    """A real id of beta's for each path parameter: what alpha must never reach."""
    b = world.beta
    return {
        "event_id": str(world.first(b, "SELECT id FROM trade_events ORDER BY row_no")),
        "uti": world.first(b, "SELECT uti FROM trade_events ORDER BY row_no"),
        "file_id": str(world.first(b, "SELECT id FROM ingest_files")),
        "alert_id": str(world.first(b, "SELECT id FROM alerts")),
        "user_id": world.user_ids["bob"],
        "key_id": str(world.first(b, "SELECT id FROM api_keys")),
        "report_id": str(uuid.uuid4()),  # beta has no report yet: an unknown id is 404 too
        "kind": "rule",
        "key": world.first(b, "SELECT rule_id FROM validation_issues") or "none",
        "rule_id": "SR-EC-023",  # the rule catalogue is code, the same for every tenant
        # a request of beta's waiting for approval (four-eyes)
        "approval_id": str(world.first(b, (
            "INSERT INTO approval_requests (tenant_id, kind, request, events, requested_by,"
            " requested_by_name, requested_at, expires_at) VALUES (app.current_tenant(),"
            " 'cancel', '{\"event_ids\": [], \"reason\": \"x\"}', 1, 'bob', 'bob',"
            " now(), now() + interval '1 day') RETURNING id"))),
        "entity_id": world.first(b, "SELECT entity_id FROM legal_entities"),
        "agreement_id": str(world.first(b, "SELECT id FROM delegation_agreements")),
        "lei": BETA_CLIENT_LEI,  # beta's client: alpha reports nothing for it
        # a break of beta's with its TR's reports (migration 0023)
        "break_id": str(world.first(b, (
            "INSERT INTO tr_breaks (tenant_id, regime, uti, kind, signature,"
            " first_reference_date, last_reference_date) VALUES (app.current_tenant(), 'emir',"
            " 'BETA-' || gen_random_uuid(), 'missing_at_tr', 'x', '2026-11-22', '2026-11-22')"
            " RETURNING id"))),
        # a correction clock of beta's (migration 0026)
        "clock_id": str(world.first(b, (
            "INSERT INTO correction_clocks (tenant_id, regime, uti, source, source_id, kind,"
            " discovered_at, due, business_days, prescribed) VALUES (app.current_tenant(),"
            " 'cftc-part45', 'BETA-' || gen_random_uuid(), 'nack', '1', 'nack', now(),"
            " now() + interval"
            " '9 days', 7, true) RETURNING id"))),
        # a back-load job of beta's (migration 0024): alpha may neither see nor pause it
        "job_id": str(world.first(b, (
            "INSERT INTO backload_jobs (tenant_id, reason, as_of, total, batch_size,"
            " created_by) VALUES (app.current_tenant(), 'refit', now(), 0, 500, 'bob')"
            " RETURNING id"))),
    }


def fill(path: str, values: dict[str, str]) -> str:
    for name in [p[1:-1] for p in path.split("/") if p.startswith("{")]:
        assert name in values, f"{path}: give beta_ids() a value for {{{name}}}"
        path = path.replace("{" + name + "}", quote(values[name], safe=""))
    return path


def required_query(op: dict[str, Any]) -> str:
    """Valid values for an operation's required query parameters (stats need a period)."""
    params = {}
    for param in op.get("parameters", []):
        if "$ref" in param:
            param = SPEC["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        if param.get("in") == "query" and param.get("required"):
            name = param["name"]
            params[name] = {"date_from": "2026-11-01", "date_to": "2026-11-30",
                            "date": "2026-11-20"}.get(
                name, param["schema"].get("enum", ["x"])[0])
    return urlencode(params)


# -- 401 -----------------------------------------------------------------------------------------

def bad_credentials(world: World) -> dict[str, dict[str, str]]:
    """Each refused credential, made from a real user's claims."""
    now = int(time.time())
    claims = {"iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "sub": world.user_ids["alice"],
              "iat": now, "nbf": now, "exp": now + 600, "jti": uuid.uuid4().hex,
              "tenant_id": str(world.alpha), "tenant": "alpha-bank", "role": "admin"}

    def bearer(token: str) -> dict[str, str]:
        return {"authorization": f"Bearer {token}"}

    from cryptography.hazmat.primitives.asymmetric import rsa

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "none": {},
        "expired": bearer(jwt.encode({**claims, "iat": now - 7200, "nbf": now - 7200,
                                      "exp": now - 3600}, SECRET, algorithm="HS256")),
        "bad signature": bearer(jwt.encode(claims, SECRET + "x", algorithm="HS256")),
        "alg none": bearer(jwt.encode(claims, None, algorithm="none")),
        "wrong issuer": bearer(jwt.encode({**claims, "iss": "evil"}, SECRET, algorithm="HS256")),
        "wrong audience": bearer(jwt.encode({**claims, "aud": "other-api"}, SECRET,
                                            algorithm="HS256")),
        "foreign RS256": bearer(jwt.encode(claims, rsa_key, algorithm="RS256",
                                           headers={"kid": "k1"})),
        "garbage": bearer("not.a.token"),
        "unknown API key": {"x-api-key": "srk_zzzzzzzz_" + "A" * 43},
        "both": {**bearer(world.tokens["alice"]), "x-api-key": world.tokens["fep"]},
    }


@pytest.mark.parametrize("gateway", [True, False], ids=["gateway", "direct"])
def test_every_protected_operation_refuses_a_missing_or_bad_credential(api, world, gateway):
    ids = beta_ids(world)
    refusals = []
    for method, path, op in PROTECTED:
        target = fill(path, ids)
        for name, headers in bad_credentials(world).items():
            result = api.call(method, target, query=required_query(op), body=b"{}",
                              headers={"content-type": "application/json", **headers},
                              gateway=gateway)
            problem = json.loads(result["body"])
            if (result["statusCode"] != 401 or problem.get("status") != 401
                    or "WWW-Authenticate" not in result["headers"]):
                refusals.append(f"{method} {path} with {name}: {result['statusCode']}")
    assert refusals == []


def test_only_health_token_refresh_and_the_spec_are_public(api):
    public = sorted(f"{m} {p}" for m, p, op in operations() if is_public(op))
    assert public == sorted(apikeys.PUBLIC_ROUTES)
    status, body, _ = api.json("GET", "/api/health")
    assert status in (200, 503) and "components" in body
    status, body, headers = api.json("GET", "/api/openapi.json")
    assert status == 200 and body["openapi"] == "3.1.0" and headers["ETag"]
    status, body, _ = api.json("POST", "/api/auth/token", {"username": "nobody",
                                                           "password": "wrong password"})
    assert (status, body["reason"]) == (401, "invalid_credentials")


# -- 403 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["victor", "fep"], ids=["viewer", "api-key"])
def test_a_viewer_or_an_api_key_cannot_mutate(api, world, who):
    """Every operation whose x-roles leaves the viewer out: 403 before the body is read."""
    assert len(MUTATING) >= 10  # the operator actions, files and administration
    ids = {k: str(v) for k, v in beta_ids(world).items()}
    with world.db.system() as conn:
        audit_before = conn.execute("SELECT count(*) AS n FROM audit_log WHERE action NOT LIKE"
                                    " 'auth.%%'").fetchone()["n"]
    wrong = []
    for method, path, _op in MUTATING:
        credential = {"key": world.tokens["fep"]} if who == "fep" else \
            {"token": world.tokens["victor"]}
        status, body, _ = api.json(method, fill(path, ids), {}, **credential)
        if status != 403 or body.get("status") != 403:
            wrong.append(f"{method} {path}: {status}")
    assert wrong == []
    with world.db.system() as conn:  # nothing was done, so nothing was audited
        assert conn.execute("SELECT count(*) AS n FROM audit_log WHERE action NOT LIKE"
                            " 'auth.%%'").fetchone()["n"] == audit_before


def test_an_operator_cannot_administer_and_a_user_cannot_ingest(api, world):
    admin_only = [(m, p) for m, p, op in PROTECTED if op.get("x-roles") == ["admin"]]
    assert admin_only
    for method, path in admin_only:
        status, _, _ = api.json(method, fill(path, beta_ids(world)), {},
                                token=world.tokens["otto"])
        assert status == 403, f"{method} {path}"
    status, _, _ = api.json("POST", "/api/ingest/events", {"events": [{"uti": "X"}]},
                            token=world.tokens["alice"])
    assert status == 403


# -- tenant isolation ----------------------------------------------------------------------------

def beta_markers(world: World) -> set[str]:
    """Strings only beta's data contains: its tenant id, UTIs, event, file and user ids."""
    b = world.beta
    with world.db.tenant(b) as conn:
        rows = conn.execute("SELECT id::text AS v FROM trade_events UNION SELECT uti FROM "
                            "trade_events UNION SELECT id::text FROM ingest_files UNION "
                            "SELECT id::text FROM users UNION SELECT id::text FROM api_keys"
                            " UNION SELECT id::text FROM delegation_agreements UNION "
                            "SELECT entity_id FROM legal_entities").fetchall()
    return {str(b), BETA_LEI, BETA_CLIENT_LEI, *(r["v"] for r in rows)}


# Bodies that pass validation, so that a beta id in the path reaches the lookup.
VALID_BODIES = {
    "/api/events/{event_id}/repair": {"changes": {"legs[0].notional.currency": "KRW"}},
    "/api/events/{event_id}/repair/preview": {"changes": {"legs[0].notional.currency": "KRW"}},
    "/api/admin/users/{user_id}": {"display_name": "Mallory"},
    "/api/corrections/{clock_id}/resolve": {"note": "corrected"},
    "/api/corrections/notice/sent": {"regime": "emir", "reference": "filed"},
}


def test_tenant_a_never_sees_tenant_b_by_id_list_or_export(api, world, store):
    """Every GET as alpha's admin (lists unfiltered, details by beta's ids) and every
    operation by beta's ids: no beta marker in any answer, 404 for every beta id."""
    markers = beta_markers(world)
    ids = beta_ids(world)
    leaks, not_404 = [], []
    for method, path, op in PROTECTED:
        if op.get("x-credential") == "api_key":
            continue
        payload = VALID_BODIES.get(path, {}) if method != "GET" else None
        status, body, _ = api.json(method, fill(path, ids), payload,
                                   token=world.tokens["alice"], query=required_query(op))
        text = body if isinstance(body, str) else json.dumps(body)
        for asked in ids.values():  # the id alpha asked for, echoed in the 404, is no leak
            text = text.replace(str(asked), "")
        leaks += [f"{method} {path}: {m}" for m in markers if m in text]
        # an id names one row: beta's is 404; a group key (a rule id) is not beta's to own.
        # PUT names a code in the caller's own tenant (an entity id): it never reaches beta's,
        # which test_entities_api.py shows; here its empty body is refused first.
        if any("{" + name + "}" in path for name in ID_PARAMS) and status != (
                422 if method == "PUT" else 404):
            not_404.append(f"{method} {path}: {status}")
    assert leaks == []
    assert not_404 == []
    # and an export of everything alpha may see holds nothing of beta's
    status, bundle, _ = api.json("POST", "/api/exports", {"kind": "trades"},
                                 token=world.tokens["alice"])
    assert status == 201, bundle
    import io
    import zipfile

    data = store.client.get_object(Bucket=bundle["bucket"], Key=bundle["key"])["Body"].read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    assert bundle["rows"] >= 4 and not [m for m in markers if m in text]


# -- SQL injection, malformed and oversized input ------------------------------------------------

def string_query_parameters(op: dict[str, Any]) -> list[str]:
    names = []
    for param in op.get("parameters", []):
        if "$ref" in param:
            param = SPEC["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        schema = param.get("schema", {})
        if param.get("in") == "query" and schema.get("type") in ("string", "array") \
                and "format" not in schema:
            names.append(param["name"])
    return names


def test_sql_injection_strings_get_a_4xx_or_nothing(api, world):
    """In every path and string query parameter of every operation, as alpha's admin (the
    strongest role: nothing is refused before the value is used)."""
    with world.db.system() as conn:
        before = conn.execute("SELECT count(*) AS n FROM trade_events").fetchone()["n"]
    bad = []
    for method, path, op in operations():
        if op.get("x-credential") == "api_key":
            continue
        names = [p[1:-1] for p in path.split("/") if p.startswith("{")]
        for text in INJECTIONS:
            cases = [(fill(path, dict.fromkeys(names, text)), required_query(op))] if names \
                else []
            base = fill(path, beta_ids(world))
            cases += [(base, "&".join(filter(None, [required_query(op),
                                                    urlencode({name: text})])))
                      for name in string_query_parameters(op)]
            for target, query in cases:
                status, body, _ = api.json(method, target, {} if method != "GET" else None,
                                           token=world.tokens["alice"], query=query)
                ok_empty = status == 200 and isinstance(body, dict) and body.get("items") == []
                if not (400 <= status < 500 or ok_empty):
                    bad.append(f"{method} {target}?{query}: {status}")
    assert bad == []
    with world.db.system() as conn:
        assert conn.execute("SELECT count(*) AS n FROM trade_events").fetchone()["n"] == before


@pytest.mark.parametrize("method,path,op", WITH_BODY, ids=op_ids(WITH_BODY))
def test_malformed_json_is_400_and_an_oversized_body_413(api, world, method, path, op):
    ids = beta_ids(world)
    credential = ({"x-api-key": world.tokens["fep"]} if op.get("x-credential") == "api_key"
                  else {} if is_public(op) else
                  {"authorization": f"Bearer {world.tokens['alice']}"})
    headers = {"content-type": "application/json", **credential}
    target = fill(path, ids)
    malformed = api.call(method, target, body=b'{"events": [', headers=headers)
    assert malformed["statusCode"] == 400, malformed["body"]
    assert "JSON" in json.loads(malformed["body"])["title"] + json.loads(
        malformed["body"]).get("detail", "")
    huge = api.call(method, target, body=b'{"x": "' + b"a" * 1_100_000 + b'"}', headers=headers)
    assert huge["statusCode"] == 413, huge["body"][:300]
    wrong_type = api.call(method, target, body=b"a=1", headers={
        **headers, "content-type": "application/x-www-form-urlencoded"})
    assert wrong_type["statusCode"] == 415, wrong_type["body"]


# -- the client_viewer ---------------------------------------------------------------------------

def test_a_client_viewer_reaches_only_the_client_view_and_only_its_client(api, world):
    """A client_viewer (bound to one client LEI) gets 403 from every operation whose x-roles
    leaves it out, and a 404 for any client but its own."""
    from shared.domain.roles import roles_that_may

    with world.db.tenant(world.alpha) as conn:
        user_id = str(conn.execute(
            "INSERT INTO users (tenant_id, username, password_hash, role, client_lei) VALUES"
            " (app.current_tenant(), 'cleo', 'x', 'client_viewer', %s) RETURNING id",
            (BETA_CLIENT_LEI,)).fetchone()["id"])
    token = tokens.mint(SECRET, subject=user_id, tenant_id=str(world.alpha),
                        tenant_slug="alpha-bank", role="client_viewer")
    ids = {**beta_ids(world), "lei": BETA_CLIENT_LEI}
    wrong, reached = [], []
    for method, path, op in PROTECTED:
        if op.get("x-credential") == "api_key":
            continue
        status, _, _ = api.json(method, fill(path, ids), {} if method != "GET" else None,
                                token=token, query=required_query(op))
        if "client_viewer" in op.get("x-roles", []):
            reached.append(path)
            if status != 200:
                wrong.append(f"{method} {path}: {status} for its own client / itself")
        elif status != 403:
            wrong.append(f"{method} {path}: {status}")
    assert wrong == []
    assert {"/api/clients", "/api/clients/{lei}/reports", "/api/clients/{lei}/daily",
            "/api/auth/me", "/api/auth/logout"} == set(reached)
    assert roles_that_may("read_client")[-1] == "client_viewer"
    status, _, _ = api.json("GET", "/api/clients/213800ZYXWVUTSRQPO98/reports", token=token)
    assert status == 404
