"""Batch consumer: drain a queue through a per-message handler, reporting partial failures.

A consumer action is invoked with a queue name (there is no queue trigger on NCP), pulls
batches itself and stops when the queue is empty or the activation's deadline is near. Each
message is handled on its own: success acks it, an exception retries it with backoff (or
dead-letters it once it has used up its receives), so one bad message never holds back the
rest. The result follows Powertools' partial-batch report (`batchItemFailures`), but a run in
which every message failed does not raise: the failures are already recorded in the queue.

Handlers must be idempotent (delivery is at-least-once): do the effect and
`shared.platform.idempotency.first_time` in one transaction.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from shared.adapters.queue.base import Queue, ReceivedMessage, RetryOutcome

log = logging.getLogger(__name__)

Handler = Callable[[ReceivedMessage], Any]
MAX_ERROR_CHARS = 2000


def describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


# When the handler failed because the database went away, the queue (in PostgreSQL) is gone
# too: scheduling the retry then fails, and the message would wait out its whole lease (the
# ingest queue's is 330 s); so would a lease ingest could not give up (STALE_OWNER_S). A
# restarted server is usually back within these pauses.
QUEUE_PATIENCE_S = (0.5, 1.0, 2.0, 4.0)


def patiently(call: Callable[[], Any], time_left: Callable[[], float] = lambda: math.inf) -> Any:
    """`call()` (a short write to the database or the queue), tried again after each pause of
    QUEUE_PATIENCE_S while time is left; the last failure is raised."""
    for pause_s in QUEUE_PATIENCE_S:
        try:
            return call()
        except Exception:
            if time_left() < pause_s:
                raise
            log.warning("a database or queue call failed; trying again in %.1f s", pause_s,
                        exc_info=True)
            time.sleep(pause_s)
    return call()


def consume(
    queue: Queue,
    queue_name: str,
    handler: Handler,
    *,
    batch_size: int = 10,
    visibility_timeout_s: float = 60,
    deadline_epoch_s: float | None = None,
    safety_margin_s: float = 5,
    clock: Callable[[], float] = time.time,
) -> dict[str, Any]:
    """Handle messages of `queue_name` until it is empty or `deadline_epoch_s - safety_margin_s`
    is reached. Returns counts and `batchItemFailures`: the messages whose last attempt in this
    run failed, `[{"itemIdentifier": id, "error": "..."}]`.

    Messages received but not started when the deadline nears are released (visible again at
    once) rather than left to their lease. Errors of the queue itself (database or SQS down)
    propagate after the finished messages are acked: nothing is lost, leases bring the rest back.
    """
    report: dict[str, Any] = {
        "queue": queue_name,
        "received": 0,
        "succeeded": 0,
        "failed": 0,
        "dead_lettered": 0,
        "released": 0,
        "batchItemFailures": [],
    }
    failures: dict[str, dict[str, str]] = {}

    def time_left() -> float:
        if deadline_epoch_s is None:
            return math.inf
        return deadline_epoch_s - safety_margin_s - clock()

    while time_left() > 0:
        batch = queue.receive(queue_name, batch_size, visibility_timeout_s)
        if not batch:
            break
        report["received"] += len(batch)
        done: list[ReceivedMessage] = []
        try:
            for position, message in enumerate(batch):
                if time_left() <= 0:
                    rest = batch[position:]
                    report["released"] += queue.release(rest)
                    log.info(
                        "queue %s: deadline near, released %d message(s)",
                        queue_name,
                        len(rest),
                        extra={"queue": queue_name},
                    )
                    break
                fields = {
                    "queue": queue_name,
                    "message_id": message.id,
                    "tenant_id": message.tenant_id,
                    "receive_count": message.receive_count,
                }
                try:
                    handler(message)
                except Exception as exc:  # a handler failure is data, not a crash of the run
                    error = describe(exc)
                    outcome = patiently(functools.partial(queue.retry, message, error),
                                        time_left)
                    report["failed"] += 1
                    failures[message.id] = {"itemIdentifier": message.id, "error": error}
                    if outcome is RetryOutcome.DEAD_LETTERED:
                        report["dead_lettered"] += 1
                        log.error(
                            "message %s dead-lettered: %s",
                            message.id,
                            error,
                            exc_info=True,
                            extra=fields,
                        )
                    else:
                        log.warning(
                            "message %s failed (%s): %s",
                            message.id,
                            outcome,
                            error,
                            exc_info=True,
                            extra=fields,
                        )
                else:
                    report["succeeded"] += 1
                    failures.pop(message.id, None)
                    done.append(message)
        finally:
            if done:
                acked = queue.ack(done)
                if acked < len(done):
                    # Lease ran out before the ack: the message comes back and the idempotent
                    # handler acks it then. Raise visibility_timeout_s if this recurs.
                    log.warning(
                        "queue %s: %d of %d finished message(s) not acked (lease expired)",
                        queue_name,
                        len(done) - acked,
                        len(done),
                        extra={"queue": queue_name},
                    )

    report["batchItemFailures"] = list(failures.values())
    log.info(
        "queue %s: received %d, succeeded %d, failed %d, dead-lettered %d, released %d",
        queue_name,
        report["received"],
        report["succeeded"],
        report["failed"],
        report["dead_lettered"],
        report["released"],
        extra={"queue": queue_name},
    )
    return report
