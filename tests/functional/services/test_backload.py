"""Back-loading 10,000 open trades on real PostgreSQL: planned, killed mid-way, resumed, with
nothing reported twice (issue 17)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.adapters.queue.postgres import PostgresQueue
from shared.formats.readers import reader_for
from shared.services.operations import Actor
from shared.services.operations.backload import create, plan, run, set_status
from shared.services.operations.base import Conflict
from shared.services.pipeline.process import insert_events, prepare, tenant_settings, upsert_trades
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import csv_file, csv_row

pytestmark = pytest.mark.functional

tenant = pipeline_support.tenant
ROOT = Path(__file__).resolve().parents[3]
AS_OF = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
ADMIN = Actor(id="cli:test", name="cli:test", kind="system", role="admin")
TRADES = 10_000


class NoWake:
    def invoke_async(self, name, body) -> None:
        pass


def seed(db, tenant_id, count: int, *, terminated: int = 0) -> None:
    """`count` live trades of the tenant (their NEWTs, taken as accepted by the TR), and
    `terminated` more that ended."""
    text = csv_file(*(csv_row(n) for n in range(1, count + terminated + 1)))
    events = [r.event for r in reader_for("csv").read(io.BytesIO(text), file_name="seed.csv")]
    with db.tenant(tenant_id) as conn:
        settings = tenant_settings(conn, tenant_id)
        prepared = [prepare(e, settings, owned=True) for e in events]
        insert_events(conn, settings, [(p, None, n) for n, p in enumerate(prepared, 1)])
        upsert_trades(conn, settings, [(p.event, p.regimes) for p in prepared])
        conn.execute("UPDATE trades SET lifecycle = 'live'")
        if terminated:
            conn.execute("UPDATE trades SET lifecycle = 'terminated' WHERE uti IN (SELECT uti"
                         " FROM trades ORDER BY uti DESC LIMIT %s)", (terminated,))


def backload_events(db, tenant_id) -> list[dict]:
    with db.tenant(tenant_id) as conn:
        return conn.execute("SELECT uti, action_type, event_type, event_timestamp FROM"
                            " trade_events WHERE source = 'backload'").fetchall()


def test_the_dry_run_counts_open_trades_and_shows_what_changes(db, tenant):
    seed(db, tenant, 3, terminated=1)
    with db.tenant(tenant) as conn:
        result = plan(conn, tenant_id=tenant, as_of=AS_OF, sample=2)
    assert result.total == 3  # the terminated trade is not re-reported
    assert [s["uti"] for s in result.sample] == [pipeline_support.uti(1),
                                                  pipeline_support.uti(2)]
    changed = {c["field"]: (c["before"], c["after"]) for c in result.sample[0]["changes"]}
    assert changed["action_type"] == ("NEWT", "MODI")
    assert changed["event_type"] == ("TRAD", "UPDT")
    assert changed["event_timestamp"][1].startswith("2026-12-01T00:00:00")
    assert backload_events(db, tenant) == []  # nothing written


def test_a_job_is_validated_and_audited(db, tenant):
    seed(db, tenant, 2)
    from shared.services.operations import InvalidRequest

    with pytest.raises(InvalidRequest) as caught, db.tenant(tenant) as conn:
        create(conn, ADMIN, tenant_id=tenant, reason=" ", batch_size=0, regimes=["emir"])
    assert {e.field for e in caught.value.errors} == {"reason", "batch_size"}
    with db.tenant(tenant) as conn:
        job = create(conn, ADMIN, tenant_id=tenant, reason="UPI goes live", as_of=AS_OF)
        audit = conn.execute("SELECT actor, after FROM audit_log WHERE action ="
                             " 'backload.create'").fetchone()
    assert job["total"] == 2 and job["status"] == "ready"
    assert audit["actor"] == "cli:test" and audit["after"]["reason"] == "UPI goes live"


def test_ten_thousand_trades_killed_mid_way_resume_with_nothing_sent_twice(
        db, tenant, database_url):
    seed(db, tenant, TRADES)
    with db.tenant(tenant) as conn:
        job = create(conn, ADMIN, tenant_id=tenant, reason="Refit re-report", as_of=AS_OF,
                     batch_size=500)
    assert job["total"] == TRADES
    # the CLI works it off; killed (SIGKILL: no clean-up) once it has done a few batches
    cli = subprocess.Popen(
        [str(Path(sys.executable).with_name("swaprep")), "backload", "--database-url",
         database_url, "--tenant", "alpha-bank", "run", str(job["id"])],
        cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    seen = 0
    deadline = time.monotonic() + 120
    while seen < 3 and time.monotonic() < deadline:
        line = cli.stderr.readline()
        assert line, f"the run ended early: {cli.stdout.read()}"
        seen += "trades" in line
    cli.send_signal(signal.SIGKILL)
    cli.wait(timeout=30)

    with db.tenant(tenant) as conn:
        killed = conn.execute("SELECT done, cursor_uti, status FROM backload_jobs").fetchone()
    stored = backload_events(db, tenant)
    assert 1500 <= killed["done"] < TRADES
    assert len(stored) == killed["done"]  # the cursor moved with its batch, no further
    assert max(e["uti"] for e in stored) == killed["cursor_uti"]

    outcome = run(db, PostgresQueue(db), NoWake(), tenant_id=tenant, job_id=job["id"],
                  actor=ADMIN)
    assert outcome.job["status"] == "done" and outcome.job["done"] == TRADES
    stored = backload_events(db, tenant)
    assert len(stored) == TRADES == len({e["uti"] for e in stored})
    assert {(e["action_type"], e["event_type"], e["event_timestamp"]) for e in stored} == {
        ("MODI", "UPDT", AS_OF)}
    with db.tenant(tenant) as conn:
        queued = [i for row in conn.execute(
            "SELECT body->'event_ids' AS ids FROM queue_messages WHERE queue = 'validate'"
            " AND body->>'key' LIKE 'backload:%%'").fetchall() for i in row["ids"]]
    assert len(queued) == len(set(queued)) == TRADES  # each new event queued once

    # the same job again, and the same trades again from the start: nothing new
    with db.tenant(tenant) as conn:
        conn.execute("UPDATE backload_jobs SET status = 'ready', cursor_uti = NULL")
    again = run(db, PostgresQueue(db), NoWake(), tenant_id=tenant, job_id=job["id"],
                actor=ADMIN)
    assert again.inserted == 0 and len(backload_events(db, tenant)) == TRADES


def test_a_paused_job_stops_and_a_job_runs_in_one_place_at_a_time(db, tenant):
    seed(db, tenant, 30)
    with db.tenant(tenant) as conn:
        job = create(conn, ADMIN, tenant_id=tenant, reason="x", as_of=AS_OF, batch_size=10,
                     rate_per_s=1000)
    first = run(db, PostgresQueue(db), NoWake(), tenant_id=tenant, job_id=job["id"],
                actor=ADMIN, max_batches=1)
    assert (first.batches, first.job["done"], first.job["status"]) == (1, 10, "running")
    with db.tenant(tenant) as conn:
        set_status(conn, ADMIN, job["id"], "paused", tenant_id=tenant)
    stopped = run(db, PostgresQueue(db), NoWake(), tenant_id=tenant, job_id=job["id"],
                  actor=ADMIN)
    assert (stopped.batches, stopped.job["done"]) == (0, 10)
    with db.tenant(tenant) as conn:
        set_status(conn, ADMIN, job["id"], "ready", tenant_id=tenant)
        conn.execute("SELECT 1 FROM backload_jobs WHERE id = %s FOR UPDATE", (job["id"],))
        with pytest.raises(Conflict, match="another process"):  # held by this transaction
            run(db, PostgresQueue(db), NoWake(), tenant_id=tenant, job_id=job["id"],
                actor=ADMIN)
    done = run(db, PostgresQueue(db), NoWake(), tenant_id=tenant, job_id=job["id"],
               actor=ADMIN)
    assert (done.job["status"], done.job["done"]) == ("done", 30)
    with db.tenant(tenant) as conn, pytest.raises(Conflict):
        set_status(conn, ADMIN, job["id"], "paused", tenant_id=tenant)
