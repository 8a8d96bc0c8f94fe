"""`POST /api/ingest/events` through the real api action, on real PostgreSQL and its queue."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from shared.adapters.queue.postgres import PostgresQueue
from shared.services.identity import apikeys
from shared.services.pipeline import online_ingest
from swaprep.local.demo import demo_lei
from tests.functional.services.pipeline_support import (
    TENANT_LEI,
    Pipeline,
    RecordingInvoker,
    event_states,
    tenant,  # noqa: F401  (fixture)
    uti,
)
from tests.support.actions import load_main

pytestmark = pytest.mark.functional


def event(n: int, action: str = "NEWT", **overrides) -> dict:
    """A canonical event of the tenant, as the JSON Lines reader takes it."""
    return {
        "uti": uti(n), "trade_id": f"T{n}", "action_type": action, "event_type": "TRAD",
        "execution_timestamp": "2026-11-20T01:00:00Z", "event_timestamp": "2026-11-20T02:00:00Z",
        "effective_date": "2026-11-24", "expiration_date": "2031-11-24",
        "counterparty_1": {"identifier": TENANT_LEI},
        "counterparty_2": {"identifier": demo_lei(100), "name": "한국데모증권"},
        "product": {"asset_class": "INTR", "product_name": "InterestRate:IRSwap:FixedFloat"},
        "legs": [{"notional": {"amount": 10000000000, "currency": "KRW"}, "fixed_rate": 0.031}],
        **overrides,
    }


@pytest.fixture
def alpha(db, tenant) -> tuple[uuid.UUID, str]:  # noqa: F811
    with db.tenant(tenant) as conn:
        return tenant, apikeys.create_key(conn, tenant, "alpha-fep")


@pytest.fixture
def beta(db) -> tuple[uuid.UUID, str]:
    with db.system() as conn:
        tenant_id = conn.execute(
            "INSERT INTO tenants (slug, name, lei) VALUES ('beta-sec', 'Beta', %s) RETURNING id",
            (demo_lei(2),)).fetchone()["id"]
    with db.tenant(tenant_id) as conn:
        return tenant_id, apikeys.create_key(conn, tenant_id, "beta-fep")


@pytest.fixture
def post(database_url, db):
    main = load_main("api")

    def call(body, *, key: str | None = None, context: dict | None = None,
             content_type: str = "application/json", request_id: str | None = None,
             query: str = "") -> tuple[int, dict, dict]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"content-type": content_type, "x-request-id": request_id or uuid.uuid4().hex}
        args = {"database_url": database_url, "__ow_method": "post",
                "__ow_path": "/api/ingest/events", "__ow_query": query, "__ow_headers": headers,
                "__ow_body": base64.b64encode(data).decode()}
        if key is not None:  # as the gateway passes the authorizer's verdict
            principal = apikeys.verify(db, key)
            assert principal is not None
            args["__authorizer"] = principal.as_context()
        if context is not None:
            args["__authorizer"] = context
        result = main(args)
        return result["statusCode"], json.loads(result["body"] or "null"), result["headers"]

    return call


def _count(db, tenant_id, sql: str, *params) -> int:
    with db.tenant(tenant_id) as conn:
        return conn.execute(sql, params).fetchone()["n"]


def test_a_batch_is_stored_like_a_file_and_goes_through_the_pipeline(db, database_url, alpha,
                                                                      post):
    tenant_id, key = alpha
    bad_action = event(3, action="SEND")
    no_identifier = event(4, counterparty_2={"name": "no identifier"})
    status, answer, headers = post({"events": [event(1), event(2), bad_action, no_identifier]},
                                   key=key, request_id="req-batch-1")
    assert status == 202, answer
    assert headers["Content-Type"] == "application/json"
    assert answer["request_id"] == "req-batch-1" and answer["replayed"] is False
    assert [(a["index"], a["uti"], a["duplicate"]) for a in answer["accepted"]] == [
        (0, uti(1), False), (1, uti(2), False)]
    assert [r["index"] for r in answer["rejected"]] == [2, 3]
    [unknown_action] = answer["rejected"][0]["errors"]
    assert unknown_action["code"] == "PARSE-JSONL-009" and unknown_action["field"] == "action_type"
    assert "SEND" in unknown_action["message"]
    assert answer["rejected"][1]["errors"][0]["field"] == "counterparty_2.identifier"

    ids = [a["event_id"] for a in answer["accepted"]]
    with db.tenant(tenant_id) as conn:
        file = conn.execute("SELECT * FROM ingest_files WHERE id = %s",
                            (answer["file_id"],)).fetchone()
        events = conn.execute("SELECT id, source, file_id, row_no, state FROM trade_events"
                              " ORDER BY row_no").fetchall()
        rows = conn.execute("SELECT row_no, state, event_id, errors, content FROM raw_rows"
                            " WHERE file_id = %s ORDER BY row_no", (file["id"],)).fetchall()
        audit = conn.execute("SELECT actor, actor_type, entity_id, after, request_id FROM"
                             " audit_log WHERE action = 'ingest.api_batch'").fetchall()
    assert (file["bucket"], file["object_key"], file["source"], file["format"], file["status"],
            file["row_count"]) == ("api", "api/req-batch-1", "alpha-fep", "jsonl", "parsed", 4)
    assert [str(e["id"]) for e in events] == ids
    assert {(e["source"], str(e["file_id"])) for e in events} == {("api", answer["file_id"])}
    assert [(r["row_no"], r["state"]) for r in rows] == [
        (1, "event"), (2, "event"), (3, "parse_error"), (4, "parse_error")]
    assert rows[2]["errors"][0]["code"] == "PARSE-JSONL-009"  # the bad input is kept
    assert json.loads(rows[2]["content"])["action_type"] == "SEND"
    assert len(audit) == 1 and audit[0]["actor_type"] == "api_key"
    assert audit[0]["after"]["accepted"] == 2 and audit[0]["request_id"] == "req-batch-1"

    pipeline = Pipeline(db, None, database_url)
    assert pipeline.bodies("process") == [{"event_ids": ids, "key": f"api:{file['id']}:0"}]
    pipeline.run()
    assert event_states(db, tenant_id)["received"] == 0
    assert sum(event_states(db, tenant_id).values()) == 2


def test_a_retried_request_is_a_no_op_answering_the_same_ids(db, database_url, alpha, post):
    tenant_id, key = alpha
    body = {"events": [event(1), event(2, action="BOGUS")]}
    first_status, first, _ = post(body, key=key, request_id="first")
    again_status, again, _ = post(body, key=key, request_id="retry")
    assert first_status == again_status == 202
    assert again["replayed"] is True
    assert {k: v for k, v in again.items() if k != "replayed"} == {
        k: v for k, v in first.items() if k != "replayed"}
    assert _count(db, tenant_id, "SELECT count(*) AS n FROM ingest_files") == 1
    assert _count(db, tenant_id, "SELECT count(*) AS n FROM raw_rows") == 2
    assert len(Pipeline(db, None, database_url).bodies("process")) == 1
    assert _count(db, tenant_id, "SELECT count(*) AS n FROM audit_log"
                  " WHERE action = 'ingest.api_batch'") == 2

    # The same event in another body is no second event: it points at the first one.
    status, other, _ = post({"events": [event(1), event(5)]}, key=key)
    assert status == 202 and other["replayed"] is False
    assert other["accepted"][0] == {**first["accepted"][0], "duplicate": True}
    assert other["accepted"][1]["duplicate"] is False
    assert _count(db, tenant_id, "SELECT count(*) AS n FROM trade_events") == 2


def test_nothing_accepted_is_422_with_every_error_and_the_rows_kept(db, alpha, post):
    tenant_id, key = alpha
    no_timestamps = event(7)
    del no_timestamps["event_timestamp"], no_timestamps["execution_timestamp"]
    status, problem, headers = post(
        {"events": [{"uti": uti(6)}, no_timestamps, "not an object"]}, key=key)
    assert status == 422
    assert headers["Content-Type"] == "application/problem+json"
    assert problem["title"] == "No event accepted" and problem["accepted"] == []
    codes = [[e["code"] for e in r["errors"]] for r in problem["rejected"]]
    assert codes == [["PARSE-JSONL-010"], ["PROC-001"], ["PARSE-JSONL-005"]]
    assert _count(db, tenant_id, "SELECT count(*) AS n FROM raw_rows"
                  " WHERE state = 'parse_error'") == 3
    assert _count(db, tenant_id, "SELECT count(*) AS n FROM trade_events") == 0


def test_a_single_event_object_is_a_batch_of_one(alpha, post):
    status, answer, _ = post(event(1), key=alpha[1])
    assert status == 202 and [a["index"] for a in answer["accepted"]] == [0]


@pytest.mark.parametrize(("body", "content_type", "status", "needle"), [
    (b'{"events": [', "application/json", 400, "Expecting value"),
    (b"[]", "application/json", 400, "got JSON list"),
    (b'{"events": []}', "application/json", 400, "empty"),
    (b'{"events": {}}', "application/json", 400, "nothing else beside it"),
    (b'{"uti": NaN}', "application/json", 400, "NaN"),
    (b"\xff\xfe", "application/json", 400, "not UTF-8"),
    (json.dumps({"events": [{}] * 501}).encode(), "application/json", 413, "at most 500"),
    (b" " * 700_001, "application/json", 413, "limit is 700000"),
    (b"uti=1", "application/x-www-form-urlencoded", 415, "expected application/json"),
    # Text PostgreSQL cannot store, found by schemathesis as a 500: named, refused whole.
    (b'{"events": [{"uti": "A\\u0000B"}]}', "application/json", 400,
     "events[0].uti: NUL characters"),
    (b'{"events": [{"counterparty_2": {"name": "\\ud800"}}]}', "application/json", 400,
     "events[0].counterparty_2.name: invalid Unicode"),
])
def test_requests_refused_as_a_whole_store_nothing(db, alpha, post, body, content_type,
                                                   status, needle):
    got, problem, headers = post(body, key=alpha[1], content_type=content_type)
    assert got == status, problem
    assert headers["Content-Type"] == "application/problem+json"
    assert needle in problem["detail"]
    assert _count(db, alpha[0], "SELECT count(*) AS n FROM ingest_files") == 0


def test_an_unknown_profile_is_400_and_a_flat_profile_reads_flat_records(alpha, post):
    status, problem, _ = post(event(1), key=alpha[1], query="profile=nope")
    assert status == 400 and "no profile 'nope'" in problem["detail"]
    flat = {"trade_id": "T9", "uti": uti(9), "action_type": "NEWT",
            "execution_timestamp": "2026-11-20T01:00:00Z", "counterparty_1_lei": TENANT_LEI,
            "counterparty_2_lei": demo_lei(100), "notional_1": "1000000",
            "notional_currency_1": "KRW"}
    status, answer, _ = post(flat, key=alpha[1], query="profile=default")
    assert status == 202, answer
    assert answer["accepted"][0]["uti"] == uti(9)


def test_credentials_are_checked_even_without_the_gateway(db, alpha, post):
    tenant_id, key = alpha
    status, problem, headers = post(event(1))  # no authorizer context, no credential
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    assert "X-API-Key" in problem["detail"]
    status, _, _ = post(event(1), context={"kind": "anonymous"})
    assert status == 401

    main = load_main("api")
    result = main({"database_url": db.url, "__ow_method": "post",
                   "__ow_path": "/api/ingest/events", "__ow_body": json.dumps(event(1)),
                   "__ow_headers": {"content-type": "application/json", "x-api-key": key}})
    assert result["statusCode"] == 202, result["body"]

    with db.tenant(tenant_id) as conn:
        apikeys.revoke(conn, apikeys.key_prefix(key))
    result = main({"database_url": db.url, "__ow_method": "post",
                   "__ow_path": "/api/ingest/events", "__ow_body": json.dumps(event(2)),
                   "__ow_headers": {"content-type": "application/json", "x-api-key": key}})
    assert result["statusCode"] == 401 and "revoked" in json.loads(result["body"])["detail"]
    with db.system() as conn:
        reasons = [r["after"]["reason"] for r in conn.execute(
            "SELECT after FROM audit_log WHERE action = 'auth.failed' ORDER BY id")]
    assert reasons == ["missing_credentials", "missing_credentials", "revoked_key"]


def test_a_user_token_cannot_ingest(alpha, post):
    user = {"kind": "user", "subject": "alice", "tenant_id": str(alpha[0]), "role": "admin"}
    status, problem, _ = post(event(1), context=user)
    assert status == 403 and "'ingest' scope" in problem["detail"]


def test_another_tenants_key_never_sees_or_affects_the_first(db, alpha, beta, post):
    body = {"events": [event(1), event(2)]}
    status, first, _ = post(body, key=alpha[1])
    assert status == 202
    status, other, _ = post(body, key=beta[1])  # the same bytes under another tenant
    assert status == 202 and other["replayed"] is False
    assert other["file_id"] != first["file_id"]
    assert {a["event_id"] for a in other["accepted"]}.isdisjoint(
        a["event_id"] for a in first["accepted"])
    for (tenant_id, _), answer in ((alpha, first), (beta, other)):
        with db.tenant(tenant_id) as conn:
            seen = {str(r["id"]) for r in conn.execute("SELECT id FROM trade_events")}
            files = [str(r["id"]) for r in conn.execute("SELECT id FROM ingest_files")]
        assert seen == {a["event_id"] for a in answer["accepted"]}
        assert files == [answer["file_id"]]


def test_wakes_the_process_consumer_only_for_new_events(db, alpha):
    principal = apikeys.verify(db, alpha[1])
    invoker = RecordingInvoker()
    body = json.dumps(event(1)).encode()
    answer = online_ingest.ingest_events(db, principal, body, request_id="w1",
                                         queue=PostgresQueue(db), invoker=invoker)
    assert answer.status == 202 and invoker.calls == [("process", {"queue": "process"})]
    online_ingest.ingest_events(db, principal, body, request_id="w2", queue=PostgresQueue(db),
                                invoker=invoker)
    assert len(invoker.calls) == 1  # a replay stores nothing new


def test_a_body_already_ingested_as_a_file_is_409(db, alpha, post):
    import hashlib

    body = json.dumps(event(1)).encode()
    with db.tenant(alpha[0]) as conn:
        conn.execute("INSERT INTO ingest_files (tenant_id, bucket, object_key, sha256,"
                     " size_bytes) VALUES (%s, 'swaprep-inbound', 'alpha-bank/e.jsonl', %s, %s)",
                     (alpha[0], hashlib.sha256(body).hexdigest(), len(body)))
    status, problem, _ = post(body, key=alpha[1])
    assert status == 409 and "swaprep-inbound/alpha-bank/e.jsonl" in problem["detail"]
    assert _count(db, alpha[0], "SELECT count(*) AS n FROM raw_rows") == 0
