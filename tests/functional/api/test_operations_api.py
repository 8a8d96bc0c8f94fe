"""Operator actions through the real api action on real PostgreSQL (RLS, the queue table) and
the S3 API: roles, tenant isolation, bodies, audit and the wake-up after commit. Only NCP's
invoke API is stood in for (a loopback server recording the wake-ups)."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.adapters.queue import OutgoingMessage, RetryPolicy
from shared.adapters.queue.postgres import PostgresQueue
from shared.platform import tokens
from shared.services.identity import apikeys
from shared.services.monitoring.alerts import raise_alert
from tests.functional.api.test_auth import CHEAP_PARAMS, SECRET, add_user
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import csv_file, csv_row
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant
BOTH_LEGS_KRW = {"legs[0].notional.currency": "KRW", "legs[1].notional.currency": "KRW"}


class Wakeups:
    """Stands in for the invoke API (LocalHostInvoker's protocol): records each wake-up."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"] or 0))
                outer.calls.append((self.path.split("/")[2].split("?")[0], json.loads(body)))
                answer = b'{"activationId": "a1"}'
                self.send_response(202)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def wakeups():
    recorder = Wakeups()
    yield recorder
    recorder.server.shutdown()


@pytest.fixture
def beta(db):
    with db.system() as conn:
        return conn.execute("INSERT INTO tenants (slug, name) VALUES ('beta-securities', 'Beta')"
                            " RETURNING id").fetchone()["id"]


@pytest.fixture
def people(db, tenant, beta) -> dict[str, str]:
    """Bearer tokens: alpha's operator otto, viewer victor and admin alice; beta's operator bob."""
    def token(name: str, tenant_id, slug: str, role: str) -> str:
        user_id = add_user(db, tenant_id, name, role)
        return tokens.mint(SECRET, subject=user_id, tenant_id=str(tenant_id), tenant_slug=slug,
                           role=role)

    return {"otto": token("otto", tenant, "alpha-bank", "operator"),
            "victor": token("victor", tenant, "alpha-bank", "viewer"),
            "alice": token("alice", tenant, "alpha-bank", "admin"),
            "bob": token("bob", beta, "beta-securities", "operator")}


@pytest.fixture
def api(database_url, s3_clean, wakeups):
    """Call the api action as the gateway would; the body is JSON unless it is text."""
    main = load_main("api")

    def call(method: str, path: str, body=None, *, token: str | None = None, query: str = "",
             raw: bytes | None = None, **params) -> tuple[int, object, dict]:
        headers = {"content-type": "application/json", "x-request-id": uuid.uuid4().hex}
        if token:
            headers["authorization"] = f"Bearer {token}"
        data = raw if raw is not None else b"" if body is None else json.dumps(body).encode()
        result = main({"database_url": database_url, "jwt_signing_secret": SECRET,
                       "s3_endpoint_url": s3_clean, "s3_region": "kr-standard",
                       "s3_access_key_id": "testing", "s3_secret_access_key": "testing",
                       "local_invoke_url": wakeups.url, "local_invoke_token": "t",
                       "__ow_method": method.lower(), "__ow_path": path, "__ow_query": query,
                       "__ow_headers": headers, "__ow_body": base64.b64encode(data).decode(),
                       **CHEAP_PARAMS, **params})
        text = result["body"]
        if result.get("isBase64Encoded"):
            text = base64.b64decode(text).decode()
        is_json = "json" in result["headers"].get("Content-Type", "")
        return result["statusCode"], json.loads(text or "null") if is_json else text, \
            result["headers"]

    return call


@pytest.fixture
def invalid(pipeline, db, tenant) -> list[dict]:
    """Three invalid NEWTs of alpha (currency KRX on both legs) and their open issues."""
    pipeline.upload("alpha-bank/a.csv", csv_file(
        *(csv_row(n, currency="KRX") for n in (1, 2, 3))))
    pipeline.run()
    with db.tenant(tenant) as conn:
        return conn.execute("SELECT id, uti, state FROM trade_events ORDER BY row_no").fetchall()


def audit_rows(db, action: str) -> list[dict]:
    with db.system() as conn:
        return conn.execute("SELECT tenant_id, actor, actor_id, actor_type, entity_id, before,"
                            " after, request_id FROM audit_log WHERE action = %s ORDER BY id",
                            (action,)).fetchall()


def state_of(db, tenant_id, event_id) -> str:
    with db.tenant(tenant_id) as conn:
        return conn.execute("SELECT state FROM trade_events WHERE id = %s",
                            (event_id,)).fetchone()["state"]


def issue_ids(db, tenant_id) -> list[int]:
    with db.tenant(tenant_id) as conn:
        return [r["id"] for r in conn.execute("SELECT id FROM validation_issues ORDER BY id")]


def an_alert(db, tenant_id) -> int:
    with db.tenant(tenant_id) as conn:
        raise_alert(conn, tenant_id=tenant_id, kind="tr.nack", severity="warning",
                    dedup_key="x", summary="NACKs", details={})
        return conn.execute("SELECT id FROM alerts").fetchone()["id"]


def a_dead_letter(db, tenant_id, queue: str = "validate") -> str:
    """A dead letter of `tenant_id`, made by the queue port itself."""
    port = PostgresQueue(db, policy=RetryPolicy(max_receives=1))
    port.send(queue, [OutgoingMessage({"event_ids": []}, tenant_id=tenant_id)])
    for message in port.receive(queue, 10, 30):
        port.retry(message, "boom")
    [letter] = port.dead_letters(queue)
    return letter.id


def mutations(event_id: str, issue_id: int, alert_id: int, letter_id: str):
    return [("POST", f"/api/events/{event_id}/repair", {"changes": BOTH_LEGS_KRW}),
            ("POST", "/api/events/resubmit", {"event_ids": [event_id]}),
            ("POST", "/api/events/cancel", {"event_ids": [event_id], "reason": "dup"}),
            ("POST", f"/api/events/{event_id}/revalidate", None),
            ("POST", "/api/dead-letters/redrive", {"queue": "validate", "ids": [letter_id]}),
            ("POST", "/api/issues/assign", {"issue_ids": [issue_id], "assignee": "kim"}),
            ("POST", "/api/issues/resolve", {"issue_ids": [issue_id]}),
            ("POST", f"/api/alerts/{alert_id}/ack", None)]


def counts(db) -> dict[str, int]:
    with db.system() as conn:
        return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"]
                for t in ("trade_events", "audit_log WHERE action <> 'auth.failed'",
                          "queue_messages", "dead_letters", "validation_issues")} | {
            "states": conn.execute("SELECT string_agg(state, ',' ORDER BY id) AS s"
                                   " FROM trade_events").fetchone()["s"],
            "issues": conn.execute("SELECT string_agg(status, ',' ORDER BY id) AS s"
                                   " FROM validation_issues").fetchone()["s"],
            "alerts": conn.execute("SELECT string_agg(status, ',') AS s FROM alerts"
                                   ).fetchone()["s"]}


def test_a_viewer_and_an_api_key_may_not_mutate(api, db, tenant, people, invalid):
    routes = mutations(str(invalid[0]["id"]), issue_ids(db, tenant)[0], an_alert(db, tenant),
                       a_dead_letter(db, tenant))
    with db.tenant(tenant) as conn:
        secret = apikeys.create_key(conn, tenant, "fep")
    key = apikeys.verify(db, secret).as_context()
    before = counts(db)
    for method, path, body in routes:
        status, problem, headers = api(method, path, body, token=people["victor"])
        assert status == 403, (path, problem)
        assert headers["Content-Type"] == "application/problem+json"
        assert "needs the operator or admin role; the caller has role viewer" in \
            problem["detail"]
        status, problem, _ = api(method, path, body, __authorizer=key)
        assert status == 403 and "API key" in problem["detail"], (path, problem)
        assert api(method, path, body)[0] == 401
    assert counts(db) == before


def test_another_tenant_finds_nothing_of_alpha_through_any_route(api, db, tenant, people,
                                                                 invalid):
    event_id, issue_id = str(invalid[0]["id"]), issue_ids(db, tenant)[0]
    alert_id, letter_id = an_alert(db, tenant), a_dead_letter(db, tenant)
    before = counts(db)
    single = {"repair", "revalidate", "ack"}
    for method, path, body in mutations(event_id, issue_id, alert_id, letter_id):
        status, answer, _ = api(method, path, body, token=people["bob"])
        if path.rsplit("/", 1)[-1] in single:
            assert status == 404, (path, answer)
            assert "not found" in answer["detail"] and answer["code"] == "not_found"
        else:  # bulk: one outcome per id, each not found
            assert status == 200, (path, answer)
            assert [i["outcome"] for i in answer["items"]] == ["not_found"], (path, answer)
            assert answer.get("refused", 1) == 1
    status, answer, _ = api("POST", f"/api/events/{event_id}/repair/preview",
                            {"changes": BOTH_LEGS_KRW}, token=people["bob"])
    assert status == 404
    assert counts(db) == before


def test_repair_through_the_api_is_previewed_then_applied_audited_and_woken(
        api, db, tenant, people, invalid, wakeups, pipeline):
    event_id = str(invalid[0]["id"])
    before = counts(db)
    status, preview, _ = api("POST", f"/api/events/{event_id}/repair", {"changes": BOTH_LEGS_KRW},
                             token=people["victor"], query="preview=true")
    assert status == 200, preview  # any role may preview
    assert preview["valid"] is True and preview["errors"] == []
    assert set(preview["changed"]) == set(BOTH_LEGS_KRW)
    status, still, _ = api("POST", f"/api/events/{event_id}/repair/preview",
                           {"changes": {"legs[0].notional.currency": "KRW"}},
                           token=people["victor"])
    assert status == 200 and still["valid"] is False
    assert {i["rule_id"] for i in still["issues"] if i["severity"] == "reject"}
    assert counts(db) == before and not wakeups.calls  # a preview writes nothing
    # the console's repair form is typed from the spec's RepairPreview: the answer must fit it
    for answer in (preview, still):
        assert _fits(answer, "RepairPreview") == [], answer

    status, outcome, _ = api("POST", f"/api/events/{event_id}/repair", {"changes": BOTH_LEGS_KRW},
                             token=people["otto"])
    assert status == 200, outcome
    assert outcome["event_id"] == event_id and outcome["version"] == 2
    assert state_of(db, tenant, event_id) == "superseded"
    assert state_of(db, tenant, outcome["new_event_id"]) == "received"
    assert wakeups.calls == [("validate", {"queue": "validate"})]
    [row] = audit_rows(db, "event.repair")
    assert (row["actor"], row["actor_type"], row["tenant_id"]) == ("otto", "user", tenant)
    assert row["request_id"] and row["after"]["new_event_id"] == outcome["new_event_id"]
    pipeline.run()
    assert state_of(db, tenant, outcome["new_event_id"]) == "valid"

    status, problem, _ = api("POST", f"/api/events/{event_id}/repair", {"changes": BOTH_LEGS_KRW},
                             token=people["otto"])
    assert status == 409 and "superseded" in problem["detail"]
    assert problem["reason"] == "not_repairable"  # the console says it in Korean by this
    assert "repair that one" in problem["detail"]
    assert problem["reason"] == "not_repairable"  # the console translates it by this code
    status, problem, _ = api("POST", f"/api/events/{invalid[1]['id']}/repair",
                             {"changes": {"legs[0].notional.curency": "KRW"}},
                             token=people["otto"])
    assert status == 422 and problem["errors"][0]["field"] == "legs[0].notional.curency"


def test_bulk_actions_answer_per_id_and_wake_their_consumers(api, db, tenant, people, invalid,
                                                             wakeups):
    ids = [str(e["id"]) for e in invalid]
    missing = str(uuid.uuid4())
    status, answer, _ = api("POST", "/api/events/cancel",
                            {"event_ids": [ids[0], missing, "not-a-uuid"], "reason": "sent twice"},
                            token=people["otto"])
    assert status == 200, answer
    assert [(i["id"], i["outcome"]) for i in answer["items"]] == [
        (ids[0], "cancelled"), (missing, "not_found"), ("not-a-uuid", "not_found")]
    assert (answer["ok"], answer["refused"]) == (1, 2)
    assert audit_rows(db, "event.cancel")[0]["after"]["reason"] == "sent twice"

    status, answer, _ = api("POST", "/api/events/resubmit", {"event_ids": [ids[1]]},
                            token=people["alice"])
    assert answer["items"][0]["outcome"] == "conflict"
    assert "only a NACKed event can be resubmitted: repair it instead" in \
        answer["items"][0]["message"]

    status, answer, _ = api("POST", f"/api/events/{ids[1]}/revalidate", token=people["otto"])
    assert status == 200 and answer["outcome"] == "queued"
    assert state_of(db, tenant, ids[1]) == "received"
    assert wakeups.calls == [("validate", {"queue": "validate"})]
    status, problem, _ = api("POST", f"/api/events/{ids[0]}/revalidate", token=people["otto"])
    assert status == 409 and "is cancelled" in problem["detail"]


def test_issues_alerts_and_dead_letters(api, db, tenant, people, invalid, wakeups):
    first, second = issue_ids(db, tenant)[:2]
    status, answer, _ = api("POST", "/api/issues/assign",
                            {"issue_ids": [first, str(second)], "assignee": "kim"},
                            token=people["otto"])
    assert [i["outcome"] for i in answer["items"]] == ["assigned", "assigned"]
    status, answer, _ = api("POST", "/api/issues/resolve",
                            {"issue_ids": [first, "99999999999999999999999"],
                             "note": "accepted"}, token=people["otto"])
    assert status == 200 and [i["outcome"] for i in answer["items"]] == ["resolved",
                                                                         "not_found"]
    assert audit_rows(db, "issue.resolve")[0]["after"]["note"] == "accepted"
    status, answer, _ = api("POST", "/api/issues/resolve", {"issue_ids": [first]},
                            token=people["otto"])
    assert [(i["outcome"], i["details"]) for i in answer["items"]] == [
        ("conflict", {"reason": "already_resolved"})]

    alert_id = an_alert(db, tenant)
    status, answer, _ = api("POST", f"/api/alerts/{alert_id}/ack", token=people["otto"])
    assert status == 200 and answer["outcome"] == "acked"
    status, problem, _ = api("POST", f"/api/alerts/{alert_id}/ack", token=people["alice"])
    assert status == 409 and "acknowledged already by otto" in problem["detail"]
    assert problem["reason"] == "alert_acked"
    assert api("POST", "/api/alerts/nope/ack", token=people["otto"])[0] == 404

    letter = a_dead_letter(db, tenant)
    status, answer, _ = api("POST", "/api/dead-letters/redrive", {"queue": "validate"},
                            token=people["otto"])
    assert status == 200, answer
    assert answer["redriven"] == 1 and answer["items"][0]["id"] == letter
    assert ("validate", {"queue": "validate"}) in wakeups.calls
    assert audit_rows(db, "dead_letter.redrive")[0]["actor"] == "otto"


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/events/resubmit", {"event_ids": []}, "event_ids"),
    ("/api/events/resubmit", {"event_ids": ["x"] * 1001}, "event_ids"),
    ("/api/events/resubmit", {"ids": ["x"]}, "ids"),
    ("/api/events/cancel", {"event_ids": ["x"]}, "reason"),
    ("/api/events/cancel", {"event_ids": ["x"], "reason": "  "}, "reason"),
    ("/api/events/{id}/repair", {"changes": {}}, "changes"),
    ("/api/events/{id}/repair", {"changes": "legs"}, "changes"),
    ("/api/dead-letters/redrive", {"queue": "Robert'); DROP TABLE x"}, "queue"),
    ("/api/issues/assign", {"issue_ids": [1]}, "assignee"),
])
def test_bodies_are_validated_naming_each_field(api, db, people, tenant, path, body, field):
    path = path.format(id=uuid.uuid4())
    status, problem, _ = api("POST", path, body, token=people["otto"])
    assert status == 422, problem
    assert field in [e["field"].split(".")[0] for e in problem["errors"]]
    assert problem["detail"].startswith(field) or f"{field}:" in problem["detail"]


def test_malformed_or_missing_bodies_are_4xx(api, people, tenant):
    status, problem, _ = api("POST", "/api/events/resubmit", raw=b'{"event_ids": [',
                             token=people["otto"])
    assert status == 400 and problem["title"] == "Malformed JSON body"
    status, problem, _ = api("POST", "/api/events/resubmit", token=people["otto"])
    assert status == 422 and problem["errors"][0]["field"] is None  # no body at all


def _fits(answer: dict, schema_name: str) -> list[str]:
    """Where `answer` breaks the spec's components/schemas/`schema_name` (empty: it fits)."""
    import json

    from jsonschema import Draft202012Validator

    from shared.api.openapi import SPEC_PATH

    doc = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    schema = {"components": doc["components"], "$ref": f"#/components/schemas/{schema_name}"}
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in Draft202012Validator(schema).iter_errors(answer)]
