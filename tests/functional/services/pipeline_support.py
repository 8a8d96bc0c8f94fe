"""Helpers for the pipeline-front tests (ingest -> process -> validate) on real PostgreSQL,
the S3 API and the PostgreSQL queue. Import the fixtures into a test module to use them."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.adapters.objectstore import ObjectStore
from shared.adapters.queue.postgres import PostgresQueue
from shared.platform.action import ActionContext
from shared.platform.config import Config
from shared.platform.triggers import object_events, object_storage_event
from shared.services.pipeline.ingest_ledger import ingest_object
from shared.services.pipeline.ingest_reading import drain_ingest_queue
from shared.services.pipeline.process import handle_process
from shared.services.pipeline.stage import run_stage
from shared.services.pipeline.validation import handle_validate
from swaprep.local.demo import demo_lei

BUCKET = "swaprep-inbound"
TENANT_LEI = demo_lei(1)
HEADER = ("trade_id,uti,action_type,event_type,execution_timestamp,event_timestamp,"
          "effective_date,expiration_date,asset_class,product,counterparty_1_lei,"
          "counterparty_2_lei,counterparty_2_name,direction,notional_1,notional_currency_1,"
          "fixed_rate,floating_index,floating_tenor,cleared,upi")


# When the fixture rows below are judged: the afternoon of their trade day in Seoul (Friday
# 2026-11-20, 17:00 KST), well inside KRX's T+1 deadline. The stages read "now" from the pinned
# clock, so whether a row is late never depends on the day the tests run.
# (The fixture `reporting_clock` in tests/conftest.py pins it; `pipeline` asks for it.)
REPORTING_NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def uti(n: int) -> str:
    return f"{TENANT_LEI}T{n:06d}"


def csv_row(n: int, action: str = "NEWT", *, event_ts: str = "2026-11-20T02:00:00Z",
            executed: str = "2026-11-20T01:00:00Z", notional: str = "10000000000",
            currency: str = "KRW", counterparty: str | None = None, expiry: str = "2031-11-24",
            trade_uti: str | None = None, upi: str = "") -> str:
    """One line of a CSV in the default profile: an IRS of the tenant (counterparty 1)."""
    return ",".join([
        f"T{n}", uti(n) if trade_uti is None else trade_uti, action,
        "ETRM" if action == "TERM" else "TRAD", executed, event_ts, "2026-11-24", expiry, "IR",
        "InterestRate:IRSwap:FixedFloat", TENANT_LEI, counterparty or demo_lei(100),
        "한국데모증권", "PAY_FIXED", notional, currency, "3.1", "KRW-CD-KSDA-BLOOMBERG", "3M",
        "N", upi,
    ])


def csv_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


class RecordingInvoker:
    """Stands in for the NCP invoke API, which cannot be reached from here."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def invoke_async(self, action: str, params: dict) -> str:
        self.calls.append((action, params))
        return "activation-1"


@pytest.fixture
def store(s3_clean) -> ObjectStore:
    config = Config({"s3_endpoint_url": s3_clean, "s3_region": "kr-standard",
                     "s3_access_key_id": "testing", "s3_secret_access_key": "testing"})
    object_store = ObjectStore.from_config(config)
    object_store.ensure_buckets([BUCKET])
    return object_store


@pytest.fixture
def tenant(db) -> uuid.UUID:
    with db.system() as conn:
        return conn.execute(
            "INSERT INTO tenants (slug, name, lei) VALUES ('alpha-bank', 'Alpha', %s) RETURNING id",
            (TENANT_LEI,)).fetchone()["id"]


class Pipeline:
    """Drives the stages as the actions do, one queue at a time, so tests choose the order."""

    def __init__(self, db, store, database_url: str) -> None:
        self.db, self.store = db, store
        self.queue = PostgresQueue(db)
        self.invoker = RecordingInvoker()
        self.config = {"database_url": database_url}

    def upload(self, key: str, content: bytes, metadata: dict[str, str] | None = None,
               read: bool = True):
        self.store.put_bytes(BUCKET, key, content, metadata=metadata)
        info = self.store.head(BUCKET, key)
        [event] = object_events(object_storage_event(BUCKET, key, size=info.size,
                                                     etag=info.etag))
        outcome = ingest_object(event, db=self.db, store=self.store, queue=self.queue,
                                invoker=self.invoker)
        if read:
            self.read()
        return outcome

    def read(self, **kwargs: Any) -> dict[str, Any]:
        return drain_ingest_queue(db=self.db, store=self.store, queue=self.queue,
                                  invoker=self.invoker, **kwargs)

    def context(self, name: str) -> ActionContext:
        return ActionContext(name, uuid.uuid4().hex, None, Config(self.config), False)

    def process(self, batch_size: int = 10) -> dict[str, Any]:
        return run_stage("process", {"queue": "process", "batch_size": batch_size},
                         self.context("process"), handle_process)

    def validate(self, batch_size: int = 10) -> dict[str, Any]:
        return run_stage("validate", {"queue": "validate", "batch_size": batch_size},
                         self.context("validate"), handle_validate)

    def run(self) -> None:
        """Process and validate until nothing is left, waits included (made due at once)."""
        for _ in range(20):
            self.process()
            self.validate()
            if not self.expedite("validate") and not self.depth("process"):
                return
        raise AssertionError("the pipeline did not settle")

    def expedite(self, queue: str) -> int:
        """Make delayed messages (events waiting their turn) visible now."""
        with self.db.system() as conn:
            return conn.execute("UPDATE queue_messages SET visible_at = now()"
                                " WHERE queue = %s AND visible_at > now()", (queue,)).rowcount

    def depth(self, queue: str) -> int:
        with self.db.system() as conn:
            return conn.execute("SELECT count(*) AS n FROM queue_messages WHERE queue = %s",
                                (queue,)).fetchone()["n"]

    def bodies(self, queue: str) -> list[dict[str, Any]]:
        with self.db.system() as conn:
            return [r["body"] for r in conn.execute(
                "SELECT body FROM queue_messages WHERE queue = %s ORDER BY id", (queue,))]


@pytest.fixture
def pipeline(db, store, database_url, reporting_clock) -> Pipeline:
    return Pipeline(db, store, database_url)


def row_states(db, tenant_id) -> Counter:
    with db.tenant(tenant_id) as conn:
        return Counter({r["state"]: r["n"] for r in conn.execute(
            "SELECT state, count(*) AS n FROM raw_rows GROUP BY state")})


def event_states(db, tenant_id) -> Counter:
    with db.tenant(tenant_id) as conn:
        return Counter({r["state"]: r["n"] for r in conn.execute(
            "SELECT state, count(*) AS n FROM trade_events GROUP BY state")})


def issues_by_uti(db, tenant_id) -> dict[str, set[str]]:
    with db.tenant(tenant_id) as conn:
        rows = conn.execute(
            "SELECT e.uti, e.action_type, i.rule_id FROM validation_issues i"
            " JOIN trade_events e ON e.id = i.event_id WHERE i.severity = 'reject'").fetchall()
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(f"{row['uti']}:{row['action_type']}", set()).add(row["rule_id"])
    return found
