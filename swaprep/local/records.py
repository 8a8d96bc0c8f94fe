"""Activation records written off the invocation path, in batches.

OpenWhisk (and so NCP) stores an activation record after the run, asynchronously: the
caller of a web action never waits for it. The host did wait, with two transactions per
activation (a `running` row, then its outcome), so every API request through the local
gateway paid four commits before its answer. The recorder keeps the latest state of each
activation in memory and a writer thread upserts what is pending in one transaction per
batch (`synchronous_commit` off: a record lost in a crash is worth less than the latency).

A record is still visible within `max_delay_s` of the state change, a `running` row never
lands after its outcome (one writer, the latest state wins), and `flush()` waits until what
was recorded before the call is in the table (the stack's `activations()` and the tests).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # host imports this module: the type only
    from swaprep.local.host import Activation

log = logging.getLogger("swaprep.local.records")

# The tenant by sub-select: a run for a tenant deleted meanwhile keeps its record, tenant-less.
UPSERT = (
    "INSERT INTO activations (id, action, tenant_id, trigger, started_at, ended_at, duration_ms,"
    " status, cold_start, result, error, logs) VALUES (%s, %s,"
    " (SELECT id FROM tenants WHERE id = %s::uuid), %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s)"
    " ON CONFLICT (id) DO UPDATE SET ended_at = EXCLUDED.ended_at,"
    " duration_ms = EXCLUDED.duration_ms, status = EXCLUDED.status,"
    " cold_start = EXCLUDED.cold_start, result = EXCLUDED.result, error = EXCLUDED.error,"
    " logs = EXCLUDED.logs"
)
WRITE_ATTEMPTS = 3


def _json_for_postgres(value: Any) -> str:
    # jsonb cannot hold U+0000; an action may still return it inside a string.
    return json.dumps(value, ensure_ascii=False).replace("\\u0000", "\\ufffd")


def _no_nul(text: str | None) -> str | None:
    return None if text is None else text.replace("\x00", "\ufffd")


def _row(activation: Activation) -> tuple[Any, ...]:
    return (
        activation.id,
        activation.action,
        activation.tenant_id,
        activation.trigger,
        activation.started_at,
        activation.ended_at,
        activation.duration_ms,
        activation.status,
        activation.cold_start,
        None if activation.result is None else _json_for_postgres(activation.result),
        _no_nul(activation.error),
        _no_nul("\n".join(activation.logs)) if activation.ended_at is not None else None,
    )


class ActivationRecorder:
    """Batches activation records into the `activations` table from one writer thread."""

    def __init__(self, db: Any, *, max_delay_s: float = 0.05, max_batch: int = 500) -> None:
        self.db = db
        self.max_delay_s = max_delay_s
        self.max_batch = max_batch
        self._cond = threading.Condition()
        # id -> (sequence number, the activation); the activation object is read when the
        # batch is written, so a later state change of the same activation is simply newer.
        self._pending: dict[str, tuple[int, Activation]] = {}
        self._recorded = 0  # sequence number of the last record handed in
        self._written = 0  # every record with a sequence number up to this one is done
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="activation-records",
                                        daemon=True)
        self._thread.start()

    def record(self, activation: Activation) -> None:
        """Note the activation's current state (call again when it changes)."""
        with self._cond:
            if self._closed:
                return
            self._recorded += 1
            self._pending[activation.id] = (self._recorded, activation)
            # Wake the writer for the first record of a batch (it then gathers for
            # max_delay_s) and when a batch is full.
            if len(self._pending) in (1, self.max_batch):
                self._cond.notify_all()

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until every record handed in before this call is written; False on timeout."""
        with self._cond:
            target = self._recorded
            self._cond.notify_all()  # do not wait out max_delay_s
            return self._cond.wait_for(lambda: self._written >= target, timeout=timeout_s)

    def close(self, timeout_s: float = 10.0) -> None:
        self.flush(timeout_s)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout_s)

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._closed)
                if self._closed and not self._pending:
                    return
                # Gather for a moment: a burst of activations costs one transaction.
                if len(self._pending) < self.max_batch and not self._closed:
                    self._cond.wait(self.max_delay_s)
                batch, self._pending = self._pending, {}
                upto = self._recorded
            self._write([activation for _, activation in batch.values()])
            with self._cond:
                self._written = max(self._written, upto)
                self._cond.notify_all()

    def _write(self, activations: list[Activation]) -> None:
        rows = [_row(a) for a in activations]
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self.db.system() as conn:
                    conn.execute("SET LOCAL synchronous_commit = off")
                    with conn.cursor() as cur:
                        cur.executemany(UPSERT, rows)
                return
            except Exception as exc:  # a record is worth less than the activation itself
                if attempt == WRITE_ATTEMPTS:
                    log.warning("could not record %d activation(s) (%s): %s", len(rows),
                                ", ".join(a.id for a in activations[:5]), exc)
                    return
                time.sleep(0.5 * attempt)
