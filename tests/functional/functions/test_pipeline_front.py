"""The front of the pipeline through the real actions' `main(args)`: a bucket event starts
`ingest`, then the `process` and `validate` consumers drain their queues, as the local stack's
dispatcher (or NCP's wake-ups and the monitor sweep) would invoke them."""

import pytest

from shared.adapters.db import get_database
from shared.adapters.objectstore import ObjectStore
from shared.adapters.queue import OutgoingMessage
from shared.adapters.queue.postgres import PostgresQueue
from shared.platform.config import Config
from shared.platform.triggers import object_storage_event
from swaprep.local.demo import generate_fep_csv
from tests.functional.services.pipeline_support import (
    TENANT_LEI,
    csv_file,
    csv_row,
    event_states,
    issues_by_uti,
    row_states,
    uti,
)
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

BUCKETS = {"bucket_inbound": "front-inbound", "bucket_outbound": "front-outbound",
           "bucket_feedback": "front-feedback"}


@pytest.fixture
def params(database_url, s3_clean):
    values = {"database_url": database_url, "s3_endpoint_url": s3_clean,
              "s3_region": "kr-standard", "s3_access_key_id": "testing",
              "s3_secret_access_key": "testing", "s3_addressing_style": "path", **BUCKETS}
    ObjectStore.from_config(Config(values)).ensure_buckets(BUCKETS.values())
    yield values
    get_database(database_url).close()  # the actions' pool, before the database is dropped


@pytest.fixture
def tenant(db):
    with db.system() as conn:
        return conn.execute("INSERT INTO tenants (slug, name, lei) VALUES ('demo-bank', 'Demo',"
                            " %s) RETURNING id", (TENANT_LEI,)).fetchone()["id"]


def _upload(params, key, content, shape="ncp"):
    store = ObjectStore.from_config(Config(params))
    store.put_bytes(BUCKETS["bucket_inbound"], key, content, content_type="text/csv")
    info = store.head(BUCKETS["bucket_inbound"], key)
    event = object_storage_event(BUCKETS["bucket_inbound"], key, size=info.size,
                                 etag=info.etag, shape=shape)
    return load_main("ingest")({**params, **event})


def _consume(params, action):
    return load_main(action)({**params, "queue": action, "batch_size": 10,
                              "visibility_timeout_s": 120})


def test_a_fep_file_goes_from_the_bucket_to_valid_and_invalid_events(params, db, tenant):
    content, _ = generate_fep_csv(120)
    bad = csv_file(csv_row(1), csv_row(2).replace("2026-11-24", "2026-13-45", 1),
                   csv_row(3, currency="KRX"))
    result = _upload(params, "demo-bank/2026-11-20/fep-demo.csv", content)
    assert "error" not in result, result
    [file] = result["files"]
    assert file["status"] == "received"
    assert result["read"]["files"] == [{"file_id": file["file_id"], "status": "parsed",
                                        "chunks": 1, "rows": 120}]
    small = _upload(params, "demo-bank/2026-11-20/거래 정정+추가.csv", bad, shape="aws")
    assert small["files"][0]["status"] == "received"
    again = _upload(params, "demo-bank/copy.csv", bad)
    assert again["files"][0]["status"] == "duplicate" and again["read"]["files"] == []

    processed = _consume(params, "process")  # stores the events and judges them
    assert (processed["received"], processed["succeeded"], processed["failed"]) == (2, 2, 0)
    validated = _consume(params, "validate")  # only events that waited, if any
    assert validated["failed"] == 0
    for _ in range(10):  # events that waited for an earlier one of their trade
        with db.system() as conn:
            if not conn.execute("UPDATE queue_messages SET visible_at = now()"
                                " WHERE queue = 'validate'").rowcount:
                break
        _consume(params, "validate")

    rows = row_states(db, tenant)
    assert rows["parse_error"] == 1 and sum(rows.values()) == 123
    events = event_states(db, tenant)
    assert set(events) == {"valid", "invalid"}
    assert issues_by_uti(db, tenant)[f"{uti(3)}:NEWT"] == {"SR-EC-023"}
    with db.system() as conn:
        nudges = conn.execute("SELECT body FROM queue_messages WHERE queue = 'generate'"
                              ).fetchall()
        left = conn.execute("SELECT queue, count(*) AS n FROM queue_messages"
                            " WHERE queue <> 'generate' GROUP BY queue").fetchall()
    assert nudges and {n["body"]["regime"] for n in nudges} == {"krx"}
    assert {n["body"]["tenant_id"] for n in nudges} == {str(tenant)}
    assert left == []  # nothing lost on the way, nothing left behind


def test_a_redelivered_message_to_the_real_actions_changes_nothing(params, db, tenant):
    _upload(params, "demo-bank/x.csv", csv_file(csv_row(1), csv_row(2)))
    queue = PostgresQueue(db)
    with db.system() as conn:
        [process_body] = [r["body"] for r in conn.execute(
            "SELECT body FROM queue_messages WHERE queue = 'process'")]
    queue.send("process", [OutgoingMessage(process_body, tenant_id=tenant)])
    assert _consume(params, "process")["succeeded"] == 2
    assert event_states(db, tenant) == {"valid": 2}  # judged by process, once
    with db.tenant(tenant) as conn:
        ids = [str(r["id"]) for r in conn.execute("SELECT id FROM trade_events")]
    # a validate message naming them (an operator's, redelivered) finds them judged already
    validate_body = {"event_ids": ids, "key": "again"}
    queue.send("validate", [OutgoingMessage(validate_body, tenant_id=tenant)] * 2)
    assert _consume(params, "validate")["succeeded"] == 2
    assert event_states(db, tenant) == {"valid": 2}
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) AS n FROM processed_messages").fetchone()["n"] == 2
    with db.system() as conn:
        assert conn.execute("SELECT count(*) AS n FROM queue_messages WHERE queue = 'generate'"
                            ).fetchone()["n"] == 1


def test_the_ingest_action_as_its_queues_consumer_finishes_a_handed_over_file(
        params, db, tenant):
    from shared.services.pipeline import ingest_ledger, ingest_reading

    store = ObjectStore.from_config(Config(params))
    content = csv_file(*[csv_row(n) for n in range(1, 8)])
    store.put_bytes(BUCKETS["bucket_inbound"], "demo-bank/big.csv", content)
    info = store.head(BUCKETS["bucket_inbound"], "demo-bank/big.csv")
    from shared.platform.triggers import object_events

    [event] = object_events(object_storage_event(BUCKETS["bucket_inbound"], "demo-bank/big.csv",
                                                 size=info.size, etag=info.etag))
    queue = PostgresQueue(db)
    recorded = ingest_ledger.ingest_object(event, db=db, store=store, queue=queue)
    [message] = queue.receive("ingest", 1, 30)
    outcome = ingest_reading.parse_file(tenant, recorded.file_id, db=db, store=store,
                                        queue=queue, chunk_records=3, deadline_epoch_s=1.0,
                                        clock=lambda: 100.0)
    assert outcome.status == "handed_over" and queue.ack([message]) == 1
    result = load_main("ingest")({**params, "queue": "ingest"})
    assert result["files"] == [] and result["read"]["files"][0]["status"] == "parsed"
    assert row_states(db, tenant) == {"stored": 7}
