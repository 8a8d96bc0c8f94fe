"""PostgreSQL adapter of the queue port (the default everywhere, production on Cloud DB).

Tables `queue_messages`, `dead_letters` (migrations/0001_schema.sql). A message row is visible
when `visible_at <= now()`; receiving one takes it with `FOR UPDATE SKIP LOCKED` (concurrent
consumers never block on, or get, the same row), pushes `visible_at` out by the visibility
timeout and rotates `receipt`, so only the latest receiver can ack or retry it. `send(conn=c)`
inserts through the caller's connection: the message commits, or rolls back, with the stage's
own writes. Everything else runs in `db.system()` transactions (consumers serve all tenants).

State of a row, as `metrics` counts it:
  visible    visible_at <= now()
  in flight  visible_at >  now() and receipt is set (leased)
  delayed    visible_at >  now() and receipt is NULL (send delay, or a retry's backoff)
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from shared.adapters.db import Database
from shared.adapters.queue.base import (
    DeadLetter,
    OutgoingMessage,
    Queue,
    QueueMetrics,
    ReceivedMessage,
    RetryOutcome,
    validate_queue_name,
    validate_visibility,
)
from shared.adapters.queue.exceptions import InvalidMessage, TenantScopeError
from shared.adapters.queue.policy import RetryPolicy

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 4000
# Exhausted messages moved to dead letters per receive: bounded so one receive stays short.
_EXPIRE_BATCH = 100

_INSERT = """
INSERT INTO queue_messages (queue, tenant_id, body, dedup_id, max_receives, visible_at)
VALUES (%(queue)s, %(tenant)s, %(body)s, %(dedup)s, %(max)s,
        clock_timestamp() + make_interval(secs => %(delay)s))
ON CONFLICT (queue, dedup_id) WHERE dedup_id IS NOT NULL DO NOTHING
RETURNING id
"""

# SQS behaviour: a message whose lease ran out after its last allowed receive is not handed out
# again but moved to dead letters by the next receive.
_EXPIRE = """
WITH dead AS (
    DELETE FROM queue_messages
    WHERE id IN (
        SELECT id FROM queue_messages
        WHERE queue = %(queue)s AND visible_at <= now() AND receive_count >= max_receives
        ORDER BY id LIMIT %(limit)s
        FOR UPDATE SKIP LOCKED)
    RETURNING *
)
INSERT INTO dead_letters
    (queue, message_id, tenant_id, body, dedup_id, receive_count, last_error, sent_at)
SELECT queue, id, tenant_id, body, dedup_id, receive_count,
       'lease expired without ack after ' || receive_count || ' receives'
           || coalesce('; last error: ' || last_error, ''),
       sent_at
FROM dead
"""

_RECEIVE = """
WITH picked AS (
    SELECT id FROM queue_messages
    WHERE queue = %(queue)s AND visible_at <= now() AND receive_count < max_receives
    ORDER BY visible_at, id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE queue_messages m
SET receipt = gen_random_uuid(),
    receive_count = m.receive_count + 1,
    visible_at = now() + make_interval(secs => %(vt)s),
    first_received_at = coalesce(m.first_received_at, now())
FROM picked
WHERE m.id = picked.id
RETURNING m.id, m.receipt, m.queue, m.body, m.tenant_id, m.receive_count, m.sent_at, m.visible_at
"""

_DEAD_LETTER_ONE = """
WITH dead AS (
    DELETE FROM queue_messages WHERE id = %(id)s RETURNING *
)
INSERT INTO dead_letters
    (queue, message_id, tenant_id, body, dedup_id, receive_count, last_error, sent_at)
SELECT queue, id, tenant_id, body, dedup_id, receive_count, %(error)s, sent_at FROM dead
"""

_REDRIVE = """
WITH moved AS (
    UPDATE dead_letters SET redriven_at = now()
    WHERE queue = %(queue)s AND redriven_at IS NULL
      AND (%(ids)b::bigint[] IS NULL OR id = ANY(%(ids)b::bigint[]))
    RETURNING message_id, queue, tenant_id, body, dedup_id
), requeued AS (
    -- The message keeps its id, so logs and idempotency keys still match. A conflict means
    -- an equal message (same dedup_id) is already queued: that one carries the work.
    INSERT INTO queue_messages (id, queue, tenant_id, body, dedup_id, max_receives)
    SELECT message_id, queue, tenant_id, body, dedup_id, %(max)s FROM moved
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT (SELECT count(*) FROM moved) AS redriven, (SELECT count(*) FROM requeued) AS requeued
"""

_METRICS = """
SELECT count(*) FILTER (WHERE visible_at <= now()) AS visible,
       count(*) FILTER (WHERE visible_at > now() AND receipt IS NOT NULL) AS in_flight,
       count(*) FILTER (WHERE visible_at > now() AND receipt IS NULL) AS delayed,
       extract(epoch FROM now() - min(sent_at))::float8 AS oldest_age_s,
       (SELECT count(*) FROM dead_letters
        WHERE queue = %(queue)s AND redriven_at IS NULL) AS dead_letters
FROM queue_messages WHERE queue = %(queue)s
"""


def _message_id(message: ReceivedMessage) -> int:
    try:
        return int(message.id)
    except ValueError as exc:
        raise InvalidMessage(f"message {message.id!r} was not received from PostgreSQL") from exc


def _receipt(message: ReceivedMessage) -> uuid.UUID:
    try:
        return uuid.UUID(message.receipt)
    except ValueError as exc:
        raise InvalidMessage(f"receipt {message.receipt!r} was not issued by PostgreSQL") from exc


def _stored_dedup(message: OutgoingMessage) -> str | None:
    # The unique index is (queue, dedup_id) with no tenant: namespacing by tenant keeps one
    # tenant's dedup id from silently swallowing another tenant's message.
    if message.dedup_id is None:
        return None
    return f"{message.tenant_id or '-'}/{message.dedup_id}"


class PostgresQueue(Queue):
    backend = "postgres"

    def __init__(
        self,
        db: Database,
        *,
        policy: RetryPolicy | None = None,
        policies: dict[str, RetryPolicy] | None = None,
        known_queues: Sequence[str] = (),
    ) -> None:
        super().__init__(policy=policy, policies=policies, known_queues=known_queues)
        self.db = db

    # -- producing ---------------------------------------------------------------------------

    def send(
        self,
        queue: str,
        messages: Sequence[OutgoingMessage],
        *,
        conn: psycopg.Connection[Any] | None = None,
    ) -> list[str]:
        validate_queue_name(queue)
        if not messages:
            return []
        if conn is None:
            with self.db.system() as own:
                return self._insert(own, queue, messages)
        self._check_scope(conn, messages)
        return self._insert(conn, queue, messages)

    @staticmethod
    def _check_scope(conn: psycopg.Connection[Any], messages: Sequence[OutgoingMessage]) -> None:
        """Refuse, with a reason, what RLS would refuse with a bare policy violation, before it
        aborts the caller's transaction."""
        with conn.cursor(row_factory=dict_row) as cur:
            scope = cur.execute(
                "SELECT app.is_system() AS system, app.current_tenant()::text AS tenant"
            ).fetchone()
        assert scope is not None
        if scope["system"]:
            return
        for message in messages:
            if scope["tenant"] is None or message.tenant_id != scope["tenant"]:
                raise TenantScopeError(
                    f"message for tenant {message.tenant_id} cannot be sent in a transaction of "
                    f"tenant {scope['tenant']}: set the message's tenant_id to the transaction's"
                )

    def _insert(
        self, conn: psycopg.Connection[Any], queue: str, messages: Sequence[OutgoingMessage]
    ) -> list[str]:
        max_receives = self.policy_for(queue).max_receives
        ids: list[str] = []
        with conn.cursor(row_factory=dict_row) as cur:
            for message in messages:
                params = {
                    "queue": queue,
                    "tenant": message.tenant_id,
                    "body": Jsonb(dict(message.body)),
                    "dedup": _stored_dedup(message),
                    "max": max_receives,
                    "delay": float(message.delay_s),
                }
                row = cur.execute(_INSERT, params).fetchone()
                if row is None:  # a duplicate dedup_id: no-op, report the queued message's id
                    row = cur.execute(
                        "SELECT id FROM queue_messages WHERE queue = %(queue)s"
                        " AND dedup_id = %(dedup)s",
                        params,
                    ).fetchone()
                    if row is None:
                        # The twin was acked between our insert and select: enqueue after all.
                        row = cur.execute(_INSERT, params).fetchone()
                    assert row is not None
                ids.append(str(row["id"]))
        return ids

    # -- consuming ---------------------------------------------------------------------------

    def receive(
        self, queue: str, max_messages: int, visibility_timeout_s: float
    ) -> list[ReceivedMessage]:
        validate_queue_name(queue)
        if max_messages < 1:
            return []
        with self.db.system() as conn:
            expired = conn.execute(_EXPIRE, {"queue": queue, "limit": _EXPIRE_BATCH}).rowcount
            rows = conn.execute(
                _RECEIVE,
                {
                    "queue": queue,
                    "limit": max_messages,
                    "vt": validate_visibility(visibility_timeout_s),
                },
            ).fetchall()
        if expired:
            log.warning(
                "queue %s: %d message(s) dead-lettered after their last lease expired",
                queue,
                expired,
            )
        rows.sort(key=lambda r: r["id"])
        return [
            ReceivedMessage(
                id=str(r["id"]),
                receipt=str(r["receipt"]),
                queue=r["queue"],
                body=r["body"],
                tenant_id=None if r["tenant_id"] is None else str(r["tenant_id"]),
                receive_count=r["receive_count"],
                sent_at=r["sent_at"],
                lease_expires_at=r["visible_at"],
            )
            for r in rows
        ]

    def _by_receipt(self, messages: Sequence[ReceivedMessage]) -> dict[str, list[Any]]:
        return {
            "ids": [_message_id(m) for m in messages],
            "receipts": [_receipt(m) for m in messages],
        }

    def ack(self, messages: Sequence[ReceivedMessage]) -> int:
        if not messages:
            return 0
        with self.db.system() as conn:
            return conn.execute(
                "DELETE FROM queue_messages m"
                " USING unnest(%(ids)b::bigint[], %(receipts)b::uuid[]) AS a(id, receipt)"
                " WHERE m.id = a.id AND m.receipt = a.receipt",
                self._by_receipt(messages),
            ).rowcount

    def retry(self, message: ReceivedMessage, error: str) -> RetryOutcome:
        error = error[:MAX_ERROR_CHARS]
        with self.db.system() as conn:
            row = conn.execute(
                "SELECT id, queue, receive_count, max_receives FROM queue_messages"
                " WHERE id = %s AND receipt = %s FOR UPDATE",
                (_message_id(message), _receipt(message)),
            ).fetchone()
            if row is None:
                return RetryOutcome.STALE
            if row["receive_count"] >= row["max_receives"]:
                conn.execute(_DEAD_LETTER_ONE, {"id": row["id"], "error": error})
                return RetryOutcome.DEAD_LETTERED
            delay = self.policy_for(row["queue"]).backoff(row["receive_count"])
            # Clearing the receipt ends the lease: the failed delivery can no longer ack.
            conn.execute(
                "UPDATE queue_messages SET visible_at = now() + make_interval(secs => %s),"
                " receipt = NULL, last_error = %s WHERE id = %s",
                (delay, error, row["id"]),
            )
            return RetryOutcome.RETRIED

    def release(self, messages: Sequence[ReceivedMessage]) -> int:
        if not messages:
            return 0
        with self.db.system() as conn:
            # The delivery was never attempted, so it does not count towards max_receives.
            return conn.execute(
                "UPDATE queue_messages m SET visible_at = now(), receipt = NULL,"
                " receive_count = greatest(m.receive_count - 1, 0)"
                " FROM unnest(%(ids)b::bigint[], %(receipts)b::uuid[]) AS a(id, receipt)"
                " WHERE m.id = a.id AND m.receipt = a.receipt",
                self._by_receipt(messages),
            ).rowcount

    # -- operations --------------------------------------------------------------------------

    def dead_letters(self, queue: str, limit: int = 100) -> list[DeadLetter]:
        validate_queue_name(queue)
        with self.db.system() as conn:
            rows = conn.execute(
                "SELECT * FROM dead_letters WHERE queue = %s AND redriven_at IS NULL"
                " ORDER BY dead_at, id LIMIT %s",
                (queue, limit),
            ).fetchall()
        return [
            DeadLetter(
                id=str(r["id"]),
                queue=r["queue"],
                message_id=str(r["message_id"]),
                body=r["body"],
                tenant_id=None if r["tenant_id"] is None else str(r["tenant_id"]),
                receive_count=r["receive_count"],
                error=r["last_error"],
                sent_at=r["sent_at"],
                dead_at=r["dead_at"],
            )
            for r in rows
        ]

    def redrive(self, queue: str, ids: Sequence[str] | None = None, *,
                conn: psycopg.Connection[Any] | None = None) -> int:
        validate_queue_name(queue)
        try:
            wanted = None if ids is None else [int(i) for i in ids]
        except ValueError as exc:
            raise InvalidMessage(f"dead letter ids must be integers, got {ids!r}") from exc
        params = {"queue": queue, "ids": wanted, "max": self.policy_for(queue).max_receives}
        if conn is None:
            with self.db.system() as own:
                row = own.execute(_REDRIVE, params).fetchone()
        else:
            with conn.cursor(row_factory=dict_row) as cur:
                row = cur.execute(_REDRIVE, params).fetchone()
        assert row is not None
        if row["requeued"] < row["redriven"]:
            log.info(
                "queue %s: %d redriven message(s) already queued under their dedup id",
                queue,
                row["redriven"] - row["requeued"],
            )
        return int(row["redriven"])

    def metrics(self, queue: str) -> QueueMetrics:
        validate_queue_name(queue)
        with self.db.system() as conn:
            row = conn.execute(_METRICS, {"queue": queue}).fetchone()
        assert row is not None
        return QueueMetrics(
            queue=queue,
            visible=row["visible"],
            in_flight=row["in_flight"],
            delayed=row["delayed"],
            dead_letters=row["dead_letters"],
            oldest_age_s=None if row["oldest_age_s"] is None else max(row["oldest_age_s"], 0.0),
        )

    def queues(self) -> list[str]:
        with self.db.system() as conn:
            rows = conn.execute(
                "SELECT DISTINCT queue FROM queue_messages"
                " UNION SELECT DISTINCT queue FROM dead_letters"
            ).fetchall()
        return sorted({r["queue"] for r in rows} | set(self.known_queues))
