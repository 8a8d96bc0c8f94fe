"""Ingest ledger against real PostgreSQL, the S3 API and the PostgreSQL queue."""

import pytest

from shared.adapters.objectstore import ObjectStore
from shared.adapters.queue.postgres import PostgresQueue
from shared.platform.config import Config
from shared.platform.triggers import object_events, object_storage_event
from shared.services.pipeline.ingest_ledger import ingest_object

pytestmark = pytest.mark.functional

BUCKET = "swaprep-inbound"
CSV = b"trade_id,uti\nT1,UTI1\n"


class RecordingInvoker:
    """Stands in for the NCP invoke API, which cannot be reached from here."""

    def __init__(self):
        self.calls = []

    def invoke_async(self, action, params):
        self.calls.append((action, params))
        return "activation-1"


@pytest.fixture
def store(s3_clean):
    config = Config({"s3_endpoint_url": s3_clean, "s3_region": "kr-standard",
                     "s3_access_key_id": "testing", "s3_secret_access_key": "testing"})
    object_store = ObjectStore.from_config(config)
    object_store.ensure_buckets([BUCKET])
    return object_store


@pytest.fixture
def tenant(db):
    with db.system() as conn:
        return conn.execute(
            "INSERT INTO tenants (slug, name) VALUES ('alpha-bank', 'Alpha') RETURNING id"
        ).fetchone()["id"]


@pytest.fixture
def ingest(db, store):
    queue, invoker = PostgresQueue(db), RecordingInvoker()

    def run(key, content=CSV, shape="ncp", metadata=None):
        store.put_bytes(BUCKET, key, content, metadata=metadata)
        info = store.head(BUCKET, key)
        payload = object_storage_event(BUCKET, key, size=info.size, etag=info.etag, shape=shape)
        [event] = object_events(payload)
        return ingest_object(event, db=db, store=store, queue=queue, invoker=invoker)

    run.queue, run.invoker = queue, invoker
    return run


def test_a_new_file_is_recorded_once_and_queued_for_reading(ingest, db, tenant):
    outcome = ingest("alpha-bank/2026-11-22/fep.csv")
    assert outcome.status == "received" and outcome.tenant == "alpha-bank"
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT * FROM ingest_files").fetchone()
    assert row["status"] == "received" and row["size_bytes"] == len(CSV)
    assert row["format"] == "csv" and len(row["sha256"]) == 64
    assert row["line_index"] == [[0, 0]]
    # the ledger row and the message to read the file commit together (the ingest action
    # then drains its own queue: no wake-up needed)
    [message] = ingest.queue.receive("ingest", 10, 30)
    assert message.body == {"file_id": outcome.file_id, "key": f"{outcome.file_id}:read"}
    assert message.tenant_id == str(tenant)
    assert ingest.invoker.calls == []


def test_the_same_content_under_another_name_is_a_recorded_no_op(ingest, db, tenant):
    first = ingest("alpha-bank/a.csv")
    again = ingest("alpha-bank/copy of a.csv")
    assert again.status == "duplicate" and again.file_id == first.file_id
    assert "alpha-bank/a.csv" in again.reason
    assert len(ingest.queue.receive("ingest", 10, 30)) == 1
    with db.tenant(tenant) as conn:
        audit = conn.execute("SELECT action, entity_id FROM audit_log").fetchall()
    assert audit == [{"action": "ingest.duplicate_file", "entity_id": first.file_id}]


def test_an_empty_file_is_kept_and_marked_rejected_with_its_reason(ingest, db, tenant):
    outcome = ingest("alpha-bank/empty.csv", content=b"")
    assert outcome.status == "rejected" and "0 bytes" in outcome.reason
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT status, reject_reason FROM ingest_files").fetchone()
    assert row == {"status": "rejected", "reject_reason": "empty file (0 bytes)"}
    assert ingest.queue.receive("ingest", 10, 30) == []


def test_an_unknown_format_is_rejected_not_dropped(ingest, db, tenant):
    outcome = ingest("alpha-bank/report.pdf", content=b"%PDF-1.7")
    assert outcome.status == "rejected" and "unknown file format" in outcome.reason


def test_a_file_for_an_unknown_tenant_raises_an_alert(ingest, db, tenant):
    outcome = ingest("nobody-bank/x.csv")
    assert outcome.status == "rejected" and "nobody-bank" in outcome.reason
    with db.system() as conn:
        alert = conn.execute("SELECT kind, summary FROM alerts").fetchone()
    assert alert["kind"] == "ingest.unknown_tenant" and "nobody-bank/x.csv" in alert["summary"]


def test_hangul_key_with_spaces_from_an_aws_shaped_event(ingest, tenant):
    outcome = ingest("alpha-bank/2026-11-22 거래내역+정정.csv", shape="aws")
    assert outcome.status == "received" and outcome.key.endswith("거래내역+정정.csv")


def test_tenant_from_object_metadata_wins_over_the_key_prefix(ingest, tenant):
    outcome = ingest("uploads/console-upload.csv", metadata={"tenant": "alpha-bank"})
    assert outcome.status == "received" and outcome.tenant == "alpha-bank"
