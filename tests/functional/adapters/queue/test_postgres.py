"""What only the PostgreSQL adapter promises: transactional enqueue, tenant RLS, SKIP LOCKED
draining, dedup ids, and effectively-once effects across a real consumer crash."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from shared.adapters.queue import OutgoingMessage, PostgresQueue, TenantScopeError
from shared.adapters.queue.consumer import consume
from tests.functional.adapters.queue.crashing_consumer import apply_effect

pytestmark = pytest.mark.functional

ROOT = Path(__file__).resolve().parents[4]


def test_concurrent_receivers_never_get_the_same_message(db):
    q = PostgresQueue(db)
    q.send("process", [OutgoingMessage({"n": i}) for i in range(200)])
    workers = 4
    start = threading.Barrier(workers)
    taken: list[list[str]] = [[] for _ in range(workers)]

    def drain(slot: int) -> None:
        start.wait()
        while batch := q.receive("process", 7, 60):
            taken[slot].extend(m.id for m in batch)

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    every = [i for ids in taken for i in ids]
    assert len(every) == 200 and len(set(every)) == 200
    assert sum(1 for ids in taken if ids) >= 2  # they really did drain side by side


def test_a_message_sent_in_a_stage_transaction_commits_or_rolls_back_with_it(db, two_tenants):
    tenant, _ = two_tenants
    q = PostgresQueue(db)

    with pytest.raises(RuntimeError), db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO trades (tenant_id, uti, state) VALUES (%s, 'UTI-ROLLBACK', 'valid')",
            (tenant,),
        )
        q.send("validate", [OutgoingMessage({"uti": "UTI-ROLLBACK"}, tenant)], conn=conn)
        raise RuntimeError("stage failed after enqueueing")
    assert q.receive("validate", 10, 30) == []  # no message about a trade that does not exist

    with db.tenant(tenant) as conn:
        q.send("validate", [OutgoingMessage({"uti": "UTI-OK"}, tenant)], conn=conn)
        assert q.receive("validate", 10, 30) == []  # not before the stage commits
    [message] = q.receive("validate", 10, 30)
    assert (message.body, message.tenant_id) == ({"uti": "UTI-OK"}, str(tenant))


def test_tenants_cannot_enqueue_see_or_drop_each_others_messages(db, database_url, two_tenants):
    tenant_a, tenant_b = two_tenants
    q = PostgresQueue(db)
    q.send(
        "process",
        [OutgoingMessage({"uti": "A1"}, tenant_a), OutgoingMessage({"uti": "B1"}, tenant_b)],
    )

    with pytest.raises(TenantScopeError), db.tenant(tenant_a) as conn:
        q.send("process", [OutgoingMessage({"uti": "B-forged"}, tenant_b)], conn=conn)
    with pytest.raises(TenantScopeError), db.unscoped() as conn:
        q.send("process", [OutgoingMessage({"uti": "nobody"}, None)], conn=conn)
    # Hand-written SQL gets no further: row-level security refuses the row itself.
    with pytest.raises(psycopg.errors.InsufficientPrivilege), db.tenant(tenant_a) as conn:
        conn.execute(
            "INSERT INTO queue_messages (queue, tenant_id, body) VALUES ('process', %s, '{}')",
            (tenant_b,),
        )
    with db.tenant(tenant_a) as conn:
        seen = conn.execute("SELECT body->>'uti' AS uti FROM queue_messages").fetchall()
        dropped = conn.execute("DELETE FROM queue_messages").rowcount
    assert [r["uti"] for r in seen] == ["A1"]
    assert dropped == 1

    assert [(m.body["uti"], m.tenant_id) for m in q.receive("process", 10, 30)] == [
        ("B1", str(tenant_b))
    ]


def test_a_duplicate_dedup_id_is_a_no_op_within_a_tenant_only(db, two_tenants):
    tenant_a, tenant_b = two_tenants
    q = PostgresQueue(db)
    first = q.send("ingest", [OutgoingMessage({"file": "f1"}, tenant_a, dedup_id="sha-1")])
    again = q.send(
        "ingest",
        [
            OutgoingMessage({"file": "f1"}, tenant_a, dedup_id="sha-1"),
            OutgoingMessage({"file": "f1"}, tenant_a, dedup_id="sha-1"),
        ],
    )
    other = q.send("ingest", [OutgoingMessage({"file": "f1"}, tenant_b, dedup_id="sha-1")])

    assert again == first * 2
    assert other != first
    received = q.receive("ingest", 10, 30)
    assert sorted(m.tenant_id for m in received) == sorted([str(tenant_a), str(tenant_b)])


def test_a_consumer_crash_between_effect_and_ack_does_not_repeat_the_effect(
    db, database_url, two_tenants
):
    tenant, _ = two_tenants
    with db.system() as conn:
        conn.execute(
            "CREATE TABLE effects (id bigserial PRIMARY KEY, message_id text NOT NULL,"
            " trade text NOT NULL)"
        )
    q = PostgresQueue(db)
    [message_id] = q.send("submit", [OutgoingMessage({"trade": "UTI-CRASH"}, tenant)])

    crashed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.functional.adapters.queue.crashing_consumer",
            database_url,
            "submit",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert crashed.returncode == 1, crashed.stderr
    assert crashed.stdout == message_id

    def effects() -> list[tuple[str, str]]:
        with db.system() as conn:
            rows = conn.execute("SELECT message_id, trade FROM effects").fetchall()
        return [(r["message_id"], r["trade"]) for r in rows]

    assert effects() == [(message_id, "UTI-CRASH")]
    metrics = q.metrics("submit")
    assert metrics.visible + metrics.in_flight == 1  # never acked: still queued

    time.sleep(1.1)  # the dead consumer's lease runs out
    redelivered = []
    report = consume(
        q, "submit", lambda m: (redelivered.append(m), apply_effect(db, m)), visibility_timeout_s=30
    )

    assert [(m.id, m.receive_count) for m in redelivered] == [(message_id, 2)]
    assert (report["succeeded"], report["failed"]) == (1, 0)
    assert effects() == [(message_id, "UTI-CRASH")]  # done once, not twice
    metrics = q.metrics("submit")
    assert (metrics.visible, metrics.in_flight, metrics.delayed) == (0, 0, 0)
