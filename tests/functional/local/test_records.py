"""Activation records written off the invocation path (swaprep/local/records.py)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from swaprep.local.host import Activation, fetch_activations
from swaprep.local.records import ActivationRecorder

pytestmark = pytest.mark.functional


def _run() -> Activation:
    return Activation(id=uuid.uuid4().hex, action="records_test", trigger="test",
                      started_at=datetime.now(UTC))


def _end(run: Activation, status: str = "success", **result: Any) -> None:
    run.ended_at = run.started_at + timedelta(milliseconds=12)
    run.duration_ms, run.status, run.result = 12, status, result
    run.logs = ["2026-11-22T00:00:00Z stdout: done\x00"]


def _rows(db, run_id: str) -> list[dict[str, Any]]:
    return fetch_activations(db, activation_id=run_id, limit=5)


def test_a_running_row_then_its_outcome_and_never_the_reverse(db):
    recorder = ActivationRecorder(db, max_delay_s=5.0)  # only flush() writes promptly
    try:
        run = _run()
        recorder.record(run)
        assert recorder.flush()
        assert _rows(db, run.id)[0]["status"] == "running"

        # The start of a second run and its end land in one batch: the outcome wins.
        quick = _run()
        recorder.record(quick)
        _end(quick, answer=42, text="a\x00b")
        recorder.record(quick)
        _end(run, "application_error", error="bad input")
        run.error = "bad input"
        recorder.record(run)
        assert recorder.flush()
        [quick_row] = _rows(db, quick.id)
        assert (quick_row["status"], quick_row["result"]["answer"]) == ("success", 42)
        assert quick_row["result"]["text"] == "a\ufffdb"  # jsonb holds no NUL
        assert quick_row["logs"].endswith("done\ufffd")
        [run_row] = _rows(db, run.id)
        assert (run_row["status"], run_row["error"], run_row["duration_ms"]) == (
            "application_error", "bad input", 12)
    finally:
        recorder.close()


def test_records_are_written_without_a_flush_within_the_delay(db):
    recorder = ActivationRecorder(db, max_delay_s=0.02)
    try:
        runs = [_run() for _ in range(50)]
        for run in runs:
            _end(run)
            recorder.record(run)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if all(_rows(db, r.id) for r in runs):
                break
            time.sleep(0.05)
        assert all(_rows(db, r.id)[0]["status"] == "success" for r in runs)
    finally:
        recorder.close()


def test_close_writes_what_is_pending_and_later_records_are_ignored(db):
    recorder = ActivationRecorder(db, max_delay_s=5.0)
    run = _run()
    _end(run)
    recorder.record(run)
    recorder.close()
    assert _rows(db, run.id)[0]["status"] == "success"
    late = _run()
    recorder.record(late)  # after close: dropped, not an error
    assert _rows(db, late.id) == []


def test_a_run_for_a_tenant_is_recorded_as_theirs_unless_the_tenant_is_gone(db):
    with db.system() as conn:
        tenant = conn.execute("INSERT INTO tenants (slug, name, lei, regimes) VALUES"
                              " (%s, 'Records', %s, '{krx}') RETURNING id",
                              (f"rec-{uuid.uuid4().hex[:8]}", "5493001KJTIIGC8Y1R12")
                              ).fetchone()["id"]
    recorder = ActivationRecorder(db, max_delay_s=5.0)
    try:
        theirs, orphan = _run(), _run()
        theirs.tenant_id, orphan.tenant_id = str(tenant), str(uuid.uuid4())
        for run in (theirs, orphan):
            _end(run)
            recorder.record(run)
        assert recorder.flush()
        with db.system() as conn:
            owners = {r["id"]: r["tenant_id"] for r in conn.execute(
                "SELECT id, tenant_id FROM activations WHERE id = ANY(%s)",
                ([theirs.id, orphan.id],))}
        assert owners == {theirs.id: tenant, orphan.id: None}
    finally:
        recorder.close()
