"""The queue port: SQS semantics over any backend.

Stages hand work on by sending small JSON messages that name the work (claim check: ids, not
data; action parameters are capped at 1 MB). A consumer receives a batch under a visibility
timeout (a lease), acks what it finished, and retries what failed; a message that keeps failing
moves to dead letters after `RetryPolicy.max_receives` receives, from where an operator can
redrive it. Delivery is at-least-once: handlers must be idempotent
(`shared.platform.idempotency.first_time`).

Semantics every adapter keeps (tests/functional/adapters/queue/test_contract.py):
- `receive` hands a message to one receiver at a time; un-acked, it comes back after the
  visibility timeout with `receive_count` + 1.
- `ack` needs the receipt of the latest receive: a receipt from an earlier receive (whose lease
  expired and was taken over) deletes nothing. The SQS adapter is stricter and refuses any ack
  after the lease it was received with has run out (SQS cannot tell stale receipts apart).
- a message received `max_receives` times is dead-lettered when it fails again (`retry`) or
  when its lease runs out again (next `receive`), never handed out once more.
"""

from __future__ import annotations

import enum
import json
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.adapters.queue.exceptions import InvalidMessage, InvalidQueueName
from shared.adapters.queue.policy import RetryPolicy

# Claim check: a message names its work. 256 KiB is the classic SQS limit, so a message that
# one backend takes is taken by all; anything near it is data that belongs in the store.
MAX_BODY_BYTES = 256 * 1024
# SQS DelaySeconds cannot exceed 15 minutes; the port keeps that limit for every backend.
MAX_DELAY_S = 900
# The SQS adapter appends "-dlq" and a prefix; SQS names are at most 80 characters.
_QUEUE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$")
DLQ_SUFFIX = "-dlq"


def validate_queue_name(name: str) -> str:
    if not isinstance(name, str) or not _QUEUE_NAME.match(name) or name.endswith(DLQ_SUFFIX):
        raise InvalidQueueName(
            f"invalid queue name {name!r}: use 1-60 of [A-Za-z0-9_-], not ending in {DLQ_SUFFIX!r}"
        )
    return name


# SQS caps a lease at 12 hours; the port keeps that limit for every backend.
MAX_VISIBILITY_S = 12 * 3600


def validate_visibility(seconds: float) -> float:
    if not 0 <= seconds <= MAX_VISIBILITY_S:
        raise ValueError(f"visibility timeout must be 0..{MAX_VISIBILITY_S} s, got {seconds}")
    return float(seconds)


def tenant_text(tenant_id: uuid.UUID | str | None) -> str | None:
    """Canonical text of a tenant id; a malformed one fails here, not as a silent mismatch."""
    if tenant_id is None:
        return None
    try:
        return str(tenant_id if isinstance(tenant_id, uuid.UUID) else uuid.UUID(str(tenant_id)))
    except ValueError as exc:
        raise InvalidMessage(f"tenant_id {tenant_id!r} is not a UUID") from exc


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to send. `dedup_id`: a second message with the same id in the same queue, while
    the first is still there, is dropped (PostgreSQL; SQS standard queues cannot, see sqs.py)."""

    body: Mapping[str, Any]
    tenant_id: uuid.UUID | str | None = None
    delay_s: int = 0
    dedup_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.body, Mapping):
            raise InvalidMessage("a message body must be a JSON object (a dict)")
        try:
            size = len(self.encoded_body().encode())
        except (TypeError, ValueError) as exc:
            raise InvalidMessage(f"message body is not JSON-serialisable: {exc}") from exc
        if size > MAX_BODY_BYTES:
            raise InvalidMessage(
                f"message body is {size} bytes (limit {MAX_BODY_BYTES}): send ids of stored data,"
                " not the data (claim check)"
            )
        if not isinstance(self.delay_s, int) or not 0 <= self.delay_s <= MAX_DELAY_S:
            raise InvalidMessage(f"delay_s must be an integer in 0..{MAX_DELAY_S}")
        if self.dedup_id is not None and not (0 < len(self.dedup_id) <= 128):
            raise InvalidMessage("dedup_id must be 1-128 characters")
        object.__setattr__(self, "tenant_id", tenant_text(self.tenant_id))

    def encoded_body(self) -> str:
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class ReceivedMessage:
    """One delivery of a message. `receipt` identifies this delivery (ack/retry need it);
    `receive_count` counts deliveries including this one."""

    id: str
    receipt: str
    queue: str
    body: dict[str, Any]
    tenant_id: str | None
    receive_count: int
    sent_at: datetime
    # When this delivery's lease ends, as far as the adapter can tell (None: unknown).
    lease_expires_at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DeadLetter:
    """A message that used up its receives. `id` names the dead letter (for `redrive(ids=...)`),
    `message_id` the message it was."""

    id: str
    queue: str
    message_id: str
    body: dict[str, Any]
    tenant_id: str | None
    receive_count: int
    error: str | None
    sent_at: datetime | None
    dead_at: datetime | None


@dataclass(frozen=True)
class QueueMetrics:
    queue: str
    visible: int  # ready to be received now
    in_flight: int  # received, lease running
    delayed: int  # waiting for a send delay or a retry backoff (PostgreSQL) to pass
    dead_letters: int  # dead-lettered and not yet redriven
    oldest_age_s: float | None  # age of the oldest message still queued; None: not known


class RetryOutcome(enum.StrEnum):
    RETRIED = "retried"  # visible again after a backoff
    DEAD_LETTERED = "dead_lettered"  # used up its receives, moved to dead letters
    STALE = "stale"  # the receipt is no longer current: someone else owns the message now


class Queue(ABC):
    """The port. Adapters: `PostgresQueue` (default) and `SqsQueue` (SQS, LocalStack, moto)."""

    backend: str = "abstract"

    def __init__(
        self,
        *,
        policy: RetryPolicy | None = None,
        policies: Mapping[str, RetryPolicy] | None = None,
        known_queues: Sequence[str] = (),
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.policies = dict(policies or {})
        self.known_queues = tuple(validate_queue_name(q) for q in known_queues)

    def policy_for(self, queue: str) -> RetryPolicy:
        return self.policies.get(queue, self.policy)

    @abstractmethod
    def send(
        self, queue: str, messages: Sequence[OutgoingMessage], *, conn: Any = None
    ) -> list[str]:
        """Enqueue `messages`; returns their ids in order (a dedup no-op returns the id of the
        message already queued). With `conn` (PostgreSQL), inside the caller's transaction."""

    @abstractmethod
    def receive(
        self, queue: str, max_messages: int, visibility_timeout_s: float
    ) -> list[ReceivedMessage]:
        """Lease up to `max_messages` visible messages for `visibility_timeout_s` seconds."""

    @abstractmethod
    def ack(self, messages: Sequence[ReceivedMessage]) -> int:
        """Delete finished messages; returns how many were deleted (stale receipts delete none)."""

    @abstractmethod
    def retry(self, message: ReceivedMessage, error: str) -> RetryOutcome:
        """A delivery failed: visible again after backoff(receive_count), or dead-lettered with
        `error` once receive_count >= max_receives."""

    @abstractmethod
    def release(self, messages: Sequence[ReceivedMessage]) -> int:
        """Give back messages that were received but not attempted (e.g. the activation is about
        to time out): visible again at once, no error recorded."""

    @abstractmethod
    def dead_letters(self, queue: str, limit: int = 100) -> list[DeadLetter]:
        """Dead letters of `queue` not yet redriven, oldest first."""

    @abstractmethod
    def redrive(self, queue: str, ids: Sequence[str] | None = None, *,
                conn: Any = None) -> int:
        """Put dead letters (all, or those with these `DeadLetter.id`s) back into `queue` with a
        fresh receive count; returns how many. `conn`: the caller's system-scope transaction to
        redrive in, so its audit rows commit with the redrive (PostgreSQL; a backend outside
        the database ignores it and acts at once)."""

    @abstractmethod
    def metrics(self, queue: str) -> QueueMetrics: ...

    @abstractmethod
    def queues(self) -> list[str]:
        """Names of the queues this backend knows: configured ones plus any holding messages."""
