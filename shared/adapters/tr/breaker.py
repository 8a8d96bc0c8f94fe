"""A circuit breaker per TR whose state lives in PostgreSQL (`tr_circuit_breakers`).

Every submit activation may run in a different container, so in-memory state would never
see "consecutive" failures; the table makes them shared and lets the breaker outlive any one
activation.

    closed     requests pass; each TR failure counts, a TR answer resets the count;
               `failure_threshold` consecutive failures -> open
    open       fail fast (`CircuitOpen`, nothing sent) until `cooldown_s` has passed, then the
               next caller takes the probe -> half_open
    half_open  one probe at a time (a lease of `probe_timeout_s`, so a probe that died with
               its activation does not wedge the breaker); probe answered -> closed,
               probe failed -> open again

Times come from the database clock, the one clock every container shares. The closed path
(the common one) is a single unlocked read; only transitions take the row lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.adapters.tr.base import (
    CircuitOpen,
    TrError,
    TrReceipt,
    TrSubmission,
    TrTransient,
    TrTransport,
)
from shared.platform.logging import get_logger

log = get_logger("swaprep.tr.breaker")


@dataclass(frozen=True)
class BreakerPolicy:
    failure_threshold: int = 5
    cooldown_s: float = 60.0
    probe_timeout_s: float = 120.0

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.cooldown_s < 0 or self.probe_timeout_s <= 0:
            raise ValueError("need failure_threshold >= 1, cooldown_s >= 0, probe_timeout_s > 0")


_ENSURE = "INSERT INTO tr_circuit_breakers (name) VALUES (%s) ON CONFLICT (name) DO NOTHING"
_LOCK = ("SELECT state, consecutive_failures, open_until, probe_until,"
         " extract(epoch FROM open_until - now())::float8 AS open_left_s,"
         " extract(epoch FROM probe_until - now())::float8 AS probe_left_s"
         " FROM tr_circuit_breakers WHERE name = %s FOR UPDATE")


class CircuitBreaker:
    def __init__(self, db: Any, name: str, policy: BreakerPolicy | None = None) -> None:
        self.db = db
        self.name = name
        self.policy = policy or BreakerPolicy()

    def acquire(self) -> None:
        """Return if a request may go out now; raise `CircuitOpen` if not."""
        with self.db.system() as conn:
            row = conn.execute("SELECT state FROM tr_circuit_breakers WHERE name = %s",
                               (self.name,)).fetchone()
            if row is None or row["state"] == "closed":
                return
            row = conn.execute(_LOCK, (self.name,)).fetchone()
            if row["state"] == "closed":
                return
            if row["state"] == "open" and (row["open_left_s"] or 0) > 0:
                raise CircuitOpen(self.name, row["open_left_s"])
            if row["state"] == "half_open" and (row["probe_left_s"] or 0) > 0:
                raise CircuitOpen(self.name, row["probe_left_s"])
            # Cooldown over (or the last probe's lease ran out): this caller is the probe.
            conn.execute(
                "UPDATE tr_circuit_breakers SET state = 'half_open', updated_at = now(),"
                " probe_until = now() + make_interval(secs => %s) WHERE name = %s",
                (self.policy.probe_timeout_s, self.name),
            )
            log.info("circuit breaker half-open: probing the TR", extra={"breaker": self.name})

    def record_success(self) -> None:
        """The TR answered (whatever its verdict on the file): it is up."""
        with self.db.system() as conn:
            closed = conn.execute(
                "UPDATE tr_circuit_breakers SET state = 'closed', consecutive_failures = 0,"
                " opened_at = NULL, open_until = NULL, probe_until = NULL, updated_at = now()"
                " WHERE name = %s AND (state <> 'closed' OR consecutive_failures <> 0)"
                " RETURNING 1", (self.name,),
            ).fetchone()
        if closed:
            log.info("circuit breaker closed", extra={"breaker": self.name})

    def record_failure(self, error: str) -> bool:
        """Count a failed call; True when this failure opened the breaker."""
        with self.db.system() as conn:
            conn.execute(_ENSURE, (self.name,))
            row = conn.execute(_LOCK, (self.name,)).fetchone()
            failures = row["consecutive_failures"] + 1
            opens: bool = row["state"] == "half_open" or (
                row["state"] == "closed" and failures >= self.policy.failure_threshold)
            conn.execute(
                "UPDATE tr_circuit_breakers SET consecutive_failures = %(n)s,"
                " last_error = %(error)s, updated_at = now(),"
                " state = CASE WHEN %(opens)s THEN 'open' ELSE state END,"
                " opened_at = CASE WHEN %(opens)s THEN now() ELSE opened_at END,"
                " open_until = CASE WHEN %(opens)s"
                "   THEN now() + make_interval(secs => %(cooldown)s) ELSE open_until END,"
                " probe_until = CASE WHEN %(opens)s THEN NULL ELSE probe_until END"
                " WHERE name = %(name)s",
                {"n": failures, "error": error[:2000], "opens": opens,
                 "cooldown": self.policy.cooldown_s, "name": self.name},
            )
        if opens:
            log.warning("circuit breaker opened", extra={
                "breaker": self.name, "failures": failures, "error": error})
        return opens

    def status(self) -> dict[str, Any]:
        with self.db.system() as conn:
            row = conn.execute("SELECT * FROM tr_circuit_breakers WHERE name = %s",
                               (self.name,)).fetchone()
        return dict(row) if row else {"name": self.name, "state": "closed",
                                      "consecutive_failures": 0}


class GuardedTransport:
    """A transport behind a breaker: only failures to reach the TR count against it."""

    def __init__(self, inner: TrTransport, breaker: CircuitBreaker) -> None:
        self.inner = inner
        self.breaker = breaker

    def submit(self, submission: TrSubmission) -> TrReceipt:
        self.breaker.acquire()
        try:
            receipt = self.inner.submit(submission)
        except TrTransient as exc:
            exc.breaker_opened = self.breaker.record_failure(str(exc))
            raise
        except TrError:
            self.breaker.record_success()  # a refusal or 401 is an answer: the TR is up
            raise
        self.breaker.record_success()
        return receipt
