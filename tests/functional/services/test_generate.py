"""Generate against real PostgreSQL (RLS, SKIP LOCKED, the queue table) and the S3 API."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from shared.adapters.objectstore import ObjectStore
from shared.adapters.queue import OutgoingMessage
from shared.adapters.queue.postgres import PostgresQueue
from shared.domain.enrichment import enrich
from shared.domain.model import TradeEvent
from shared.formats.readers import reader_for
from shared.formats.writers.base import writer_for
from shared.formats.writers.krx import parse_batch
from shared.platform import clock
from shared.platform.config import Config
from shared.services.pipeline.generate import (
    URGENT_GATHER_S,
    GenerateSettings,
    flush_all,
    generate_reports,
)
from swaprep.local.demo import (
    DEMO_FPML_TRADES,
    demo_fpml_messages,
    generate_fep_csv,
    write_fpml_batch,
)
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

OUTBOUND = "swaprep-outbound"
SMALL = GenerateSettings(batch_size=10, max_wait_s=60)


# -- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture
def store(s3_clean):
    object_store = ObjectStore.from_config(Config({
        "s3_endpoint_url": s3_clean, "s3_region": "kr-standard",
        "s3_access_key_id": "testing", "s3_secret_access_key": "testing",
    }))
    object_store.ensure_buckets([OUTBOUND])
    return object_store


@pytest.fixture
def queue(db):
    return PostgresQueue(db)


@pytest.fixture
def send(queue):
    """What StageContext.send does, without the wake-up: enqueue in the caller's transaction."""

    def send(conn, name, bodies, tenant_id):
        queue.send(name, [OutgoingMessage(b, tenant_id=tenant_id) for b in bodies], conn=conn)

    return send


def demo_events(rows: int, seed: int = 7) -> list[TradeEvent]:
    """Canonical events as the pipeline holds them: FEP CSV -> reader -> enrichment."""
    data, _ = generate_fep_csv(rows=rows, seed=seed)
    records = reader_for("csv").read(io.BytesIO(data), file_name="fep.csv")
    return [enrich(r.event).event for r in records if r.ok]


def insert(db, tenant, events, *, state="valid", age_s: float = 0, regimes=(),
           file_id=None) -> list[str]:
    ids = []
    with db.tenant(tenant) as conn:
        for event in events:
            row = conn.execute(
                "INSERT INTO trade_events (tenant_id, source, uti, action_type, event_timestamp,"
                " payload, payload_hash, state, regimes, created_at, file_id) VALUES (%s, 'file',"
                " %s, %s, %s, %s, %s, %s, %s, now() - make_interval(secs => %s), %s) RETURNING id",
                (tenant, event.uti, event.action_type.value, event.event_timestamp,
                 event.model_dump_json(), event.payload_hash(), state, list(regimes), age_s,
                 file_id),
            ).fetchone()
            ids.append(str(row["id"]))
    return ids


def a_file_with_a_row_to_process(db, tenant, *, status: str) -> str:
    """An FEP file (`status`: still being read, or read) with one raw row not processed yet."""
    with db.tenant(tenant) as conn:
        file_id = conn.execute(
            "INSERT INTO ingest_files (tenant_id, bucket, object_key, sha256, size_bytes, status)"
            " VALUES (%s, 'inbound', 'fep.csv', repeat('a', 64), 1, %s) RETURNING id",
            (tenant, status)).fetchone()["id"]
        conn.execute("INSERT INTO raw_rows (tenant_id, file_id, row_no, chunk_no, content)"
                     " VALUES (%s, %s, 9, 0, 'a row not processed yet')", (tenant, file_id))
    return file_id


def files_of(db, tenant):
    with db.tenant(tenant) as conn:
        return conn.execute("SELECT * FROM report_files ORDER BY created_at, id").fetchall()


def items_of(db, tenant, report_file_id):
    with db.tenant(tenant) as conn:
        return conn.execute(
            "SELECT i.*, e.uti, e.action_type, e.event_timestamp FROM report_items i"
            " JOIN trade_events e ON e.id = i.event_id WHERE i.report_file_id = %s"
            " ORDER BY i.position", (report_file_id,),
        ).fetchall()


def states(db, tenant) -> dict[str, int]:
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT state, count(*) AS n FROM trade_events GROUP BY state").fetchall()
    return {r["state"]: r["n"] for r in rows}


def generate(db, tenant, store, send, *, regime="krx", **kwargs):
    with db.tenant(tenant) as conn:
        return generate_reports(conn, tenant_id=tenant, regime=regime, store=store,
                                bucket=OUTBOUND, send=send, **kwargs)


def event(uti: str, action: str, at: datetime, base: TradeEvent) -> TradeEvent:
    return TradeEvent.model_validate(
        {**base.model_dump(), "uti": uti, "action_type": action, "event_timestamp": at})


# -- batching ------------------------------------------------------------------------------------


@pytest.mark.date_sensitive
def test_full_batches_are_written_at_once_and_the_remainder_waits(db, two_tenants, store, send,
                                                                  queue):
    alpha, _ = two_tenants
    insert(db, alpha, demo_events(25))
    outcome = generate(db, alpha, store, send, settings=SMALL)

    assert [f.record_count for f in outcome.files] == [10, 10]
    assert outcome.waiting == 5 and not outcome.invalid
    assert states(db, alpha) == {"reported": 20, "valid": 5}
    # Files of one transaction keep their order for submit (an older file goes first).
    assert [str(f["id"]) for f in files_of(db, alpha)] == [
        f.report_file_id for f in outcome.files]
    day = clock.now().strftime("%Y-%m-%d")
    for row in files_of(db, alpha):
        assert row["status"] == "generated" and row["regime"] == "krx"
        assert row["bucket"] == OUTBOUND and row["record_count"] == 10
        assert row["object_key"] == f"alpha-bank/krx/{day}/{row['id']}.csv"
        items = items_of(db, alpha, row["id"])
        assert [i["position"] for i in items] == list(range(1, 11))
        assert all(i["status"] == "pending" for i in items)
        assert [i["record_ref"] for i in items] == [
            f"{i['uti']}:{i['action_type']}:{i['position']}" for i in items]
        batch = parse_batch(store.get_bytes(OUTBOUND, row["object_key"]))
        assert batch.trailer_count == len(items) == row["record_count"]
        assert [r["UTI"] for r in batch.rows] == [i["uti"] for i in items]

    submits = queue.receive("submit", 10, 30)
    assert sorted(m.body["report_file_id"] for m in submits) == sorted(
        str(f["id"]) for f in files_of(db, alpha))
    assert all(m.body["key"] == m.body["report_file_id"] for m in submits)
    assert {m.tenant_id for m in submits} == {str(alpha)}
    with db.tenant(alpha) as conn:
        audit = conn.execute("SELECT action, entity_id, after FROM audit_log").fetchall()
    assert sorted(a["entity_id"] for a in audit) == sorted(str(f.report_file_id)
                                                           for f in outcome.files)
    assert {a["action"] for a in audit} == {"report_file.generated"}


@pytest.mark.date_sensitive
def test_a_batch_goes_out_when_its_oldest_event_has_waited_long_enough(db, two_tenants, store,
                                                                       send):
    alpha, _ = two_tenants
    events = demo_events(6)
    insert(db, alpha, events[:3])
    young = generate(db, alpha, store, send, settings=SMALL)
    assert young.files == [] and young.waiting == 3

    insert(db, alpha, events[3:], age_s=61)  # older than max_wait_s: the whole batch is due
    old = generate(db, alpha, store, send, settings=SMALL)
    assert [f.record_count for f in old.files] == [6]
    assert states(db, alpha) == {"reported": 6}


@pytest.mark.date_sensitive
def test_the_last_batch_of_a_file_goes_out_once_the_whole_file_is_through_validation(
        db, two_tenants, store, send):
    """Not a minute later: nothing more of the file can join it."""
    alpha, _ = two_tenants
    file_id = a_file_with_a_row_to_process(db, alpha, status="parsing")
    events = demo_events(4)
    insert(db, alpha, events[:3], file_id=file_id)
    [late] = insert(db, alpha, events[3:], file_id=file_id, state="received")

    def young_batch_waits() -> bool:
        outcome = generate(db, alpha, store, send, settings=SMALL)
        return outcome.files == [] and outcome.waiting == 3

    assert young_batch_waits()  # the file is still being read
    with db.tenant(alpha) as conn:
        conn.execute("UPDATE ingest_files SET status = 'parsed' WHERE id = %s", (file_id,))
    assert young_batch_waits()  # a row of it is still to be processed
    with db.tenant(alpha) as conn:
        conn.execute("UPDATE raw_rows SET state = 'event' WHERE file_id = %s", (file_id,))
    assert young_batch_waits()  # an event of it is still to be validated
    with db.tenant(alpha) as conn:
        conn.execute("UPDATE trade_events SET state = 'invalid' WHERE id = %s", (late,))
    outcome = generate(db, alpha, store, send, settings=SMALL)
    assert [f.record_count for f in outcome.files] == [3]
    assert states(db, alpha) == {"reported": 3, "invalid": 1}


@pytest.mark.date_sensitive
def test_a_near_reporting_deadline_makes_a_batch_due(db, two_tenants, store, send):
    alpha, _ = two_tenants
    [event_id] = insert(db, alpha, demo_events(1))
    assert generate(db, alpha, store, send, settings=SMALL).files == []
    with db.tenant(alpha) as conn:
        conn.execute("UPDATE trade_events SET deadline_at = now() + interval '30 seconds'"
                     " WHERE id = %s", (event_id,))
    assert len(generate(db, alpha, store, send, settings=SMALL).files) == 1


@pytest.mark.date_sensitive
def test_an_urgent_batch_from_a_file_still_being_processed_gathers_a_few_seconds(
        db, two_tenants, store, send):
    """Records near their deadline go at once when nothing more of their file can come; while
    the file's next chunks are still on their way (each nudges generate), the batch gathers
    up to URGENT_GATHER_S, so that a stream of chunks makes full files, not one per chunk."""
    alpha, _ = two_tenants
    file_id = a_file_with_a_row_to_process(db, alpha, status="parsed")
    ids = insert(db, alpha, demo_events(3), file_id=file_id)
    with db.tenant(alpha) as conn:
        conn.execute("UPDATE trade_events SET deadline_at = now() + interval '30 seconds'"
                     " WHERE id = ANY(%s::uuid[])", (ids,))
    assert generate(db, alpha, store, send, settings=SMALL).waiting == 3
    with db.tenant(alpha) as conn:
        conn.execute("UPDATE trade_events SET created_at = now() - make_interval(secs => %s)"
                     " WHERE id = ANY(%s::uuid[])", (URGENT_GATHER_S + 1, ids))
    assert [f.record_count for f in generate(db, alpha, store, send, settings=SMALL).files] == [3]


@pytest.mark.date_sensitive
def test_the_cron_flush_sends_every_tenants_partial_batch_and_keeps_tenants_apart(
        db, two_tenants, store, send, queue):
    alpha, beta = two_tenants
    alpha_ids = insert(db, alpha, demo_events(4, seed=1))
    beta_ids = insert(db, beta, demo_events(3, seed=2))
    result = flush_all(db=db, store=store, bucket=OUTBOUND, send=send, settings=SMALL)
    assert result["pairs"] == 2 and result["files"] == 2 and result["errors"] == []

    for tenant, slug, ids in ((alpha, "alpha-bank", alpha_ids),
                              (beta, "beta-securities", beta_ids)):
        [row] = files_of(db, tenant)  # RLS: each tenant sees its own file only
        assert row["tenant_id"] == tenant and row["object_key"].startswith(f"{slug}/krx/")
        assert sorted(str(i["event_id"]) for i in items_of(db, tenant, row["id"])) == sorted(ids)
    assert {m.tenant_id for m in queue.receive("submit", 10, 30)} == {str(alpha), str(beta)}
    # Nothing left to flush: a second tick finds nothing.
    assert flush_all(db=db, store=store, bucket=OUTBOUND, send=send)["pairs"] == 0


def test_a_tenant_transaction_cannot_report_another_tenants_events(db, two_tenants, store,
                                                                   send):
    alpha, beta = two_tenants
    insert(db, beta, demo_events(3))
    with db.tenant(alpha) as conn:
        outcome = generate_reports(conn, tenant_id=alpha, regime="krx", store=store,
                                   bucket=OUTBOUND, send=send, flush=True)
    assert outcome.files == [] and states(db, beta) == {"valid": 3}
    with db.tenant(alpha) as conn, pytest.raises(LookupError):
        generate_reports(conn, tenant_id=beta, regime="krx", store=store, bucket=OUTBOUND,
                         send=send, flush=True)  # RLS hides beta's tenant row from alpha


# -- ordering ------------------------------------------------------------------------------------


def test_events_of_one_uti_go_in_event_timestamp_order_newt_first(db, two_tenants, store, send):
    alpha, _ = two_tenants
    base = demo_events(1)[0]
    t = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    # Inserted (received) out of order; a MODI with the very same timestamp as its NEWT too.
    insert(db, alpha, [event("UTI-B", "TERM", t + timedelta(hours=2), base),
                       event("UTI-B", "MODI", t + timedelta(hours=1), base),
                       event("UTI-B", "MODI", t, base),
                       event("UTI-A", "MODI", t + timedelta(minutes=5), base),
                       event("UTI-B", "NEWT", t, base),
                       event("UTI-A", "NEWT", t + timedelta(minutes=1), base)])
    [generated] = generate(db, alpha, store, send, flush=True).files
    order = [(i["uti"], i["action_type"]) for i in items_of(db, alpha, generated.report_file_id)]
    assert order == [("UTI-B", "NEWT"), ("UTI-B", "MODI"), ("UTI-A", "NEWT"), ("UTI-A", "MODI"),
                     ("UTI-B", "MODI"), ("UTI-B", "TERM")]


def test_a_modi_waits_for_its_newt_still_being_validated(db, two_tenants, store, send):
    alpha, _ = two_tenants
    base = demo_events(1)[0]
    t = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    [newt] = insert(db, alpha, [event("UTI-C", "NEWT", t, base)], state="received")
    insert(db, alpha, [event("UTI-C", "MODI", t + timedelta(hours=1), base),
                       event("UTI-D", "NEWT", t, base)])
    first = generate(db, alpha, store, send, flush=True)
    assert first.held_back == 1
    [only_d] = first.files
    assert [i["uti"] for i in items_of(db, alpha, only_d.report_file_id)] == ["UTI-D"]

    with db.tenant(alpha) as conn:
        conn.execute("UPDATE trade_events SET state = 'valid' WHERE id = %s", (newt,))
    [second] = generate(db, alpha, store, send, flush=True).files
    assert [(i["uti"], i["action_type"]) for i in items_of(db, alpha, second.report_file_id)] \
        == [("UTI-C", "NEWT"), ("UTI-C", "MODI")]


# -- exactly once ----------------------------------------------------------------------------------


def test_two_concurrent_runs_never_put_an_event_in_two_files(db, two_tenants, store, send):
    alpha, _ = two_tenants
    ids = insert(db, alpha, demo_events(300, seed=11))
    settings = GenerateSettings(batch_size=20, files_per_run=100)
    start, errors, outcomes = threading.Barrier(2), [], []

    def run() -> None:
        try:
            start.wait()
            outcomes.append(generate(db, alpha, store, send, settings=settings, flush=True))
        except Exception as exc:  # surfaced below: a thread's assert would be lost
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert all(o.files for o in outcomes)  # both really ran at once, on different events
    # Events held back behind the other run's locked NEWT go out on the next tick.
    generate(db, alpha, store, send, settings=settings, flush=True)

    with db.tenant(alpha) as conn:
        placed = conn.execute(
            "SELECT i.event_id, count(*) AS n FROM report_items i JOIN report_files f"
            " ON f.id = i.report_file_id WHERE f.regime = 'krx' GROUP BY i.event_id"
        ).fetchall()
        counts = conn.execute(
            "SELECT f.record_count, count(i.id) AS items FROM report_files f"
            " JOIN report_items i ON i.report_file_id = f.id GROUP BY f.id").fetchall()
    assert sorted(str(r["event_id"]) for r in placed) == sorted(ids)
    assert {r["n"] for r in placed} == {1}
    assert all(r["record_count"] == r["items"] for r in counts)
    assert states(db, alpha) == {"reported": len(ids)}


def test_a_second_run_finds_nothing_new(db, two_tenants, store, send, queue):
    alpha, _ = two_tenants
    insert(db, alpha, demo_events(5))
    assert len(generate(db, alpha, store, send, flush=True).files) == 1
    again = generate(db, alpha, store, send, flush=True)
    assert again.files == [] and again.waiting == 0
    assert len(files_of(db, alpha)) == 1 and len(queue.receive("submit", 10, 30)) == 1


def test_a_redelivered_generate_message_does_nothing_new(database_url, db, two_tenants, s3_clean,
                                                         store, queue):
    """Through the real action: a message that comes back after its work committed (a crash
    before the ack, or a redrive: same message id) is acked without a second file."""
    main = load_main("generate")
    alpha, _ = two_tenants
    args = {"queue": "generate", "database_url": database_url, "s3_endpoint_url": s3_clean,
            "s3_access_key_id": "testing", "s3_secret_access_key": "testing",
            "bucket_outbound": OUTBOUND, "report_max_wait_s": 0}
    insert(db, alpha, demo_events(5))
    [message_id] = queue.send("generate", [OutgoingMessage(
        {"tenant_id": str(alpha), "regime": "krx"}, tenant_id=alpha)])
    first = main(dict(args))
    assert first["succeeded"] == 1 and len(files_of(db, alpha)) == 1

    insert(db, alpha, demo_events(3, seed=99))  # new work that only a new message may take
    with db.system() as conn:
        conn.execute("INSERT INTO queue_messages (id, queue, tenant_id, body) VALUES"
                     " (%s, 'generate', %s, %s)",
                     (int(message_id), alpha, json.dumps({"tenant_id": str(alpha),
                                                          "regime": "krx"})))
    again = main(dict(args))
    assert again["succeeded"] == 1 and again["failed"] == 0
    assert len(files_of(db, alpha)) == 1
    assert len(queue.receive("submit", 10, 30)) == 1

    queue.send("generate", [OutgoingMessage({"tenant_id": str(alpha)}, tenant_id=alpha)])
    assert main(dict(args))["succeeded"] == 1
    assert [f["record_count"] for f in files_of(db, alpha)] == [5, 3]


# -- content and regimes ---------------------------------------------------------------------------


def test_every_regime_gets_its_own_file_that_parses_back(db, two_tenants, store, send):
    alpha, _ = two_tenants
    regimes = ("krx", "emir", "cftc-part45")
    ids = insert(db, alpha, demo_events(8), regimes=regimes)
    result = flush_all(db=db, store=store, bucket=OUTBOUND, send=send)
    assert result["files"] == 3 and result["errors"] == []

    for row in files_of(db, alpha):
        items = items_of(db, alpha, row["id"])
        assert sorted(str(i["event_id"]) for i in items) == sorted(ids)
        body = store.get_bytes(OUTBOUND, row["object_key"])
        if row["regime"] == "krx":
            assert parse_batch(body).trailer_count == len(items)
        elif row["regime"] == "cftc-part45":
            document = json.loads(body)
            assert document["recordCount"] == len(document["reports"]) == len(items)
        else:
            root = etree.fromstring(body, etree.XMLParser(resolve_entities=False))
            ns = {"a": root.nsmap[None]}
            assert root.findtext(".//a:RptHdr/a:NbRcrds", namespaces=ns) == str(len(items))
            assert len(root.findall(".//a:TradData/a:Rpt", namespaces=ns)) == len(items)
        assert row["record_count"] == len(items)
        assert row["object_key"].endswith(writer_for(row["regime"]).extension)
    with db.tenant(alpha) as conn:
        reported = conn.execute("SELECT DISTINCT state, reported_regimes FROM trade_events"
                                ).fetchall()
    assert [(r["state"], sorted(r["reported_regimes"])) for r in reported] == [
        ("reported", sorted(regimes))]
    assert flush_all(db=db, store=store, bucket=OUTBOUND, send=send)["pairs"] == 0


def test_an_event_reported_under_one_regime_still_owes_the_other(db, two_tenants, store, send):
    alpha, _ = two_tenants
    [event_id] = insert(db, alpha, demo_events(1), regimes=("krx", "emir"))
    generate(db, alpha, store, send, regime="krx", flush=True)
    with db.tenant(alpha) as conn:  # submit and feedback move the state on meanwhile
        conn.execute("UPDATE trade_events SET state = 'acked' WHERE id = %s", (event_id,))
    [emir] = generate(db, alpha, store, send, regime="emir", flush=True).files
    assert emir.regime == "emir" and emir.record_count == 1
    assert states(db, alpha) == {"acked": 1}  # not moved back to reported


def test_events_without_regimes_follow_the_tenants(db, two_tenants, store, send):
    alpha, _ = two_tenants
    with db.system() as conn:
        conn.execute("UPDATE tenants SET regimes = '{emir}' WHERE id = %s", (alpha,))
    insert(db, alpha, demo_events(2))
    result = flush_all(db=db, store=store, bucket=OUTBOUND, send=send)
    assert [o["regime"] for o in result["outcomes"]] == ["emir"]
    with db.tenant(alpha) as conn:
        pinned = conn.execute("SELECT DISTINCT regimes FROM trade_events").fetchall()
    assert [r["regimes"] for r in pinned] == [["emir"]]


def test_an_event_the_writer_cannot_render_becomes_invalid_and_the_rest_goes_out(
        db, two_tenants, store, send):
    alpha, _ = two_tenants
    events = demo_events(5)
    bad_uti = events[1].uti
    ids = insert(db, alpha, events)
    [broken] = insert(db, alpha, demo_events(1, seed=3))
    with db.tenant(alpha) as conn:  # a payload that no longer loads as a TradeEvent
        conn.execute("UPDATE trade_events SET payload = payload || '{\"action_type\": \"XXXX\"}'"
                     " WHERE id = %s", (broken,))

    class Fussy:
        """The KRX writer, refusing one UTI as a real writer refuses what it cannot encode."""

        def __init__(self, regime):
            self.inner = writer_for(regime)
            self.regime, self.extension = self.inner.regime, self.inner.extension
            self.media_type = self.inner.media_type

        def check(self, event):
            if event.uti == bad_uti:
                raise ValueError(f"column CP2_NAME of {event.uti} cannot be encoded")

        def write_one(self, event, *, reporting_timestamp):
            self.check(event)
            return self.inner.write_one(event, reporting_timestamp=reporting_timestamp)

        def write_batch(self, events, out, *, reporting_timestamp):
            events = list(events)
            for e in events:
                self.check(e)
            return self.inner.write_batch(events, out, reporting_timestamp=reporting_timestamp)

    with db.tenant(alpha) as conn:  # the trades list's row, as process made it
        conn.execute("INSERT INTO trades (tenant_id, uti, state) VALUES (%s, %s, 'valid')",
                     (alpha, bad_uti))
    outcome = generate(db, alpha, store, send, flush=True, writer_for=Fussy)
    [generated] = outcome.files
    refused = [i for i, e in zip(ids, events, strict=True) if e.uti == bad_uti]
    rendered = len(events) - len(refused)
    assert generated.record_count == rendered and len(outcome.invalid) == len(refused) + 1
    assert parse_batch(store.get_bytes(OUTBOUND, generated.object_key)).trailer_count == rendered
    with db.tenant(alpha) as conn:
        issues = conn.execute(
            "SELECT e.id, e.uti, e.state, v.rule_id, v.severity, v.regime, v.message"
            " FROM validation_issues v JOIN trade_events e ON e.id = v.event_id ORDER BY e.uti"
        ).fetchall()
        audit = conn.execute("SELECT entity_id FROM audit_log"
                             " WHERE action = 'trade_event.unrenderable'").fetchall()
    assert {str(i["id"]) for i in issues} == {*refused, broken}
    assert all(i["state"] == "invalid" and i["rule_id"] == "SR-SC-033" and i["regime"] == "krx"
               and i["severity"] == "reject" for i in issues)
    messages = " ".join(i["message"] for i in issues)
    assert "cannot be encoded" in messages and "does not load" in messages
    assert {a["entity_id"] for a in audit} == {*refused, broken}
    with db.tenant(alpha) as conn:  # the trades list shows the refused trade waiting for repair
        trade = conn.execute("SELECT state FROM trades WHERE uti = %s", (bad_uti,)).fetchone()
    assert trade is not None and trade["state"] == "invalid"
    # The invalid events wait for repair; they do not come back on the next tick.
    assert generate(db, alpha, store, send, flush=True, writer_for=Fussy).files == []


def test_an_event_for_a_regime_without_a_writer_is_invalid_not_stuck(db, two_tenants, store,
                                                                    send):
    alpha, _ = two_tenants
    insert(db, alpha, demo_events(2), regimes=("csa",))  # Canada: no regime of ours, no writer
    result = flush_all(db=db, store=store, bucket=OUTBOUND, send=send)
    assert result["files"] == 0 and result["errors"] == []
    assert states(db, alpha) == {"invalid": 2}
    with db.tenant(alpha) as conn:
        messages = [r["message"] for r in conn.execute("SELECT message FROM validation_issues")]
    assert len(messages) == 2 and all("no report writer" in m for m in messages)
    assert flush_all(db=db, store=store, bucket=OUTBOUND, send=send)["pairs"] == 0


def test_a_failed_upload_leaves_no_rows_and_the_retry_succeeds(db, two_tenants, store, send,
                                                               queue):
    alpha, _ = two_tenants
    insert(db, alpha, demo_events(3))

    class Down:
        def upload_fileobj(self, *args, **kwargs):
            raise ConnectionError("object storage unreachable")

    with pytest.raises(ConnectionError):
        generate(db, alpha, Down(), send, flush=True)
    assert files_of(db, alpha) == [] and states(db, alpha) == {"valid": 3}
    assert queue.receive("submit", 10, 30) == []
    assert len(generate(db, alpha, store, send, flush=True).files) == 1


def test_files_per_run_bounds_a_run_and_queues_the_rest(db, two_tenants, store, send, queue):
    alpha, _ = two_tenants
    insert(db, alpha, demo_events(35))
    outcome = generate(db, alpha, store, send, flush=True,
                       settings=GenerateSettings(batch_size=10, files_per_run=2))
    assert len(outcome.files) == 2 and outcome.more
    [nudge] = queue.receive("generate", 10, 30)
    assert nudge.body == {"tenant_id": str(alpha), "regime": "krx", "flush": True}


def test_the_fpml_demo_trades_are_reportable_under_every_regime(db, two_tenants, store, send):
    alpha, _ = two_tenants
    messages = demo_fpml_messages(DEMO_FPML_TRADES)
    assert messages == demo_fpml_messages(DEMO_FPML_TRADES)  # a restart uploads nothing new
    data = write_fpml_batch(messages)
    records = list(reader_for("fpml").read(io.BytesIO(data), file_name="demo.xml"))
    assert len(records) == len(messages) and all(r.ok for r in records), [
        r.errors for r in records if not r.ok]
    meant = [r for r, (_, intent) in zip(records, messages, strict=True)
             if intent.outcome == "ack"]  # the rest name an LEI with broken check digits
    assert {r.event.product.product_name for r in meant} == {
        "InterestRate:IRSwap:FixedFloat", "ForeignExchange:Spot-Forward", "ForeignExchange:NDF",
        "ForeignExchange:Swap"}
    insert(db, alpha, [enrich(r.event).event for r in meant],
           regimes=("krx", "emir", "cftc-part45"))
    result = flush_all(db=db, store=store, bucket=OUTBOUND, send=send)
    assert result["files"] == 3 and result["errors"] == []
    assert {f["record_count"] for f in files_of(db, alpha)} == {len(meant)}
