"""SQS-compatible adapter of the queue port (boto3): SQS-compatible clouds, LocalStack, moto.

Each port queue `<name>` is the SQS standard queue `<prefix><name>` with a dead-letter queue
`<prefix><name>-dlq` wired by a RedrivePolicy (maxReceiveCount = RetryPolicy.max_receives); both
are created on first use. Bodies are JSON envelopes `{"tenant_id": ..., "body": {...}}`; a body
that is not one (another producer, a hand-sent test message) is delivered as
`{"raw": "<text>"}` or as the JSON object it is, with no tenant, so a bad message still reaches
the consumer, fails there and ends in dead letters rather than vanishing.

Where SQS differs from the PostgreSQL adapter, and what this adapter does about it:
- No dedup on standard queues (MessageDeduplicationId is FIFO-only): `dedup_id` is ignored;
  consumers are idempotent (`shared.platform.idempotency`), which covers duplicates anyway.
- No transactions: `send(conn=...)` sends at once, before the caller commits. A consumer can
  therefore see a message whose rows are not committed yet (its retry finds them later), or
  whose transaction rolled back (it fails until dead-lettered, where operators see it).
- Stale receipts: SQS (and moto) may accept a receipt from an earlier receive. The adapter
  refuses to ack or retry once the lease it received with has run out, measured from *before*
  the receive call, so a refused ack only costs a redelivery that an idempotent handler acks.
- `retry` on the last allowed receive moves the message to the DLQ itself, with the error as
  message attributes; a message SQS moves by RedrivePolicy (its lease ran out) carries none.
- `dead_letters` and `redrive` read the DLQ by receiving from it (messages are hidden for a few
  seconds while that runs); StartMessageMoveTask is not used since emulators lack it.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from shared.adapters.queue.base import (
    DLQ_SUFFIX,
    MAX_BODY_BYTES,
    DeadLetter,
    OutgoingMessage,
    Queue,
    QueueMetrics,
    ReceivedMessage,
    RetryOutcome,
    tenant_text,
    validate_queue_name,
    validate_visibility,
)
from shared.adapters.queue.exceptions import InvalidMessage, SendError
from shared.adapters.queue.policy import RetryPolicy
from shared.platform import clock

log = logging.getLogger(__name__)

SQS_BATCH = 10  # entries per SendMessageBatch / DeleteMessageBatch / ReceiveMessage
RETENTION_S = 14 * 24 * 3600  # the SQS maximum: dead letters must not expire quietly
SCAN_VISIBILITY_S = 20  # how long dead_letters/redrive hide the DLQ messages they look at
MAX_ERROR_CHARS = 4000
_SYSTEM_ATTRIBUTES = ["ApproximateReceiveCount", "SentTimestamp"]
# Message attributes this adapter puts on messages it dead-letters itself.
A_ERROR, A_MESSAGE_ID, A_RECEIVES, A_SENT, A_DEAD = (
    "swaprep-error",
    "swaprep-message-id",
    "swaprep-receive-count",
    "swaprep-sent-at",
    "swaprep-dead-at",
)


def _now() -> float:
    return time.time()


def _from_ms(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(int(value) / 1000, UTC)


def encode(message: OutgoingMessage) -> str:
    return json.dumps(
        {"tenant_id": message.tenant_id, "body": dict(message.body)},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def decode(raw: str) -> tuple[dict[str, Any], str | None]:
    """(body, tenant_id) of an SQS body; tolerant, see the module docstring."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {"raw": raw}, None
    if isinstance(parsed, dict) and set(parsed) == {"tenant_id", "body"}:
        body = parsed["body"]
        try:
            tenant = tenant_text(parsed["tenant_id"])
        except InvalidMessage:
            return parsed, None
        if isinstance(body, dict):
            return body, tenant
    return (parsed, None) if isinstance(parsed, dict) else ({"raw": raw}, None)


def _chunks(entries: list[dict[str, Any]],
            max_bytes: int = MAX_BODY_BYTES) -> Iterator[list[dict[str, Any]]]:
    """SendMessageBatch takes 10 entries and (classic limit) 256 KiB in all."""
    chunk: list[dict[str, Any]] = []
    size = 0
    for entry in entries:
        entry_size = len(entry["MessageBody"].encode())
        if chunk and (len(chunk) == SQS_BATCH or size + entry_size > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append(entry)
        size += entry_size
    if chunk:
        yield chunk


class SqsQueue(Queue):
    backend = "sqs"

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "",
        policy: RetryPolicy | None = None,
        policies: dict[str, RetryPolicy] | None = None,
        known_queues: Sequence[str] = (),
        wait_time_s: int = 0,
    ) -> None:
        super().__init__(policy=policy, policies=policies, known_queues=known_queues)
        self.client = client
        self.prefix = prefix
        # 0 = short polling. Real SQS short polls sample a subset of its servers and may answer
        # empty while messages exist; set 1-20 there so a consumer does not stop early.
        self.wait_time_s = wait_time_s
        self._urls: dict[str, tuple[str, str]] = {}

    @classmethod
    def connect(
        cls,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        **kwargs: Any,
    ) -> SqsQueue:
        from botocore.config import Config as BotoConfig

        client = boto3.client(
            "sqs",
            endpoint_url=endpoint_url,
            # Not AWS_DEFAULT_REGION: on this project that is Object Storage's "kr-standard",
            # which SQS implementations reject.
            region_name=region or "us-east-1",
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=BotoConfig(
                connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}
            ),
        )
        return cls(client, **kwargs)

    # -- queue URLs --------------------------------------------------------------------------

    def _physical(self, queue: str) -> str:
        return f"{self.prefix}{validate_queue_name(queue)}"

    def _url_or_none(self, name: str) -> str | None:
        try:
            url: str = self.client.get_queue_url(QueueName=name)["QueueUrl"]
        except self.client.exceptions.QueueDoesNotExist:
            return None
        return url

    def _urls_for(self, queue: str) -> tuple[str, str]:
        """(queue URL, DLQ URL), creating both when missing; cached for warm activations."""
        cached = self._urls.get(queue)
        if cached:
            return cached
        name = self._physical(queue)
        retention = {"MessageRetentionPeriod": str(RETENTION_S)}
        dlq_url = (
            self._url_or_none(name + DLQ_SUFFIX)
            or self.client.create_queue(QueueName=name + DLQ_SUFFIX, Attributes=retention)[
                "QueueUrl"
            ]
        )
        url = self._url_or_none(name)
        if url is None:
            arn = self.client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
            redrive = {
                "deadLetterTargetArn": arn,
                "maxReceiveCount": str(self.policy_for(queue).max_receives),
            }
            url = self.client.create_queue(
                QueueName=name, Attributes={**retention, "RedrivePolicy": json.dumps(redrive)}
            )["QueueUrl"]
        self._urls[queue] = (url, dlq_url)
        return url, dlq_url

    # -- producing ---------------------------------------------------------------------------

    def send(
        self, queue: str, messages: Sequence[OutgoingMessage], *, conn: Any = None
    ) -> list[str]:
        if not messages:
            return []
        url, _ = self._urls_for(queue)
        if conn is not None:
            log.debug("queue %s: SQS send is not part of the caller's transaction", queue)
        entries = [
            {"Id": str(i), "MessageBody": encode(m), "DelaySeconds": m.delay_s}
            for i, m in enumerate(messages)
        ]
        ids: dict[int, str] = {}
        failed: list[dict[str, Any]] = []
        for chunk in _chunks(entries):
            response = self.client.send_message_batch(QueueUrl=url, Entries=chunk)
            for ok in response.get("Successful", []):
                ids[int(ok["Id"])] = ok["MessageId"]
            failed.extend(response.get("Failed", []))
        sent = [ids[i] for i in sorted(ids)]
        if failed:
            raise SendError(
                f"queue {queue}: {len(failed)} of {len(entries)} messages refused: "
                + "; ".join(f"{f.get('Code')}: {f.get('Message')}" for f in failed[:3]),
                sent_ids=sent,
                failed=failed,
            )
        return sent

    # -- consuming ---------------------------------------------------------------------------

    def _receive_raw(
        self, url: str, max_messages: int, visibility_s: int, **extra: Any
    ) -> list[dict[str, Any]]:
        response = self.client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=max_messages,
            VisibilityTimeout=visibility_s,
            WaitTimeSeconds=self.wait_time_s,
            MessageSystemAttributeNames=_SYSTEM_ATTRIBUTES,
            **extra,
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def receive(
        self, queue: str, max_messages: int, visibility_timeout_s: float
    ) -> list[ReceivedMessage]:
        url, _ = self._urls_for(queue)
        visibility = math.ceil(validate_visibility(visibility_timeout_s))
        received: list[ReceivedMessage] = []
        while len(received) < max_messages:
            # Taken before the call: the server's lease starts later, so ours never outlives it.
            lease_end = datetime.fromtimestamp(_now() + visibility, UTC)
            batch = self._receive_raw(url, min(SQS_BATCH, max_messages - len(received)), visibility)
            for raw in batch:
                body, tenant = decode(raw["Body"])
                attributes = raw.get("Attributes", {})
                received.append(
                    ReceivedMessage(
                        id=raw["MessageId"],
                        receipt=raw["ReceiptHandle"],
                        queue=queue,
                        body=body,
                        tenant_id=tenant,
                        receive_count=int(attributes.get("ApproximateReceiveCount", 1)),
                        sent_at=_from_ms(attributes.get("SentTimestamp")) or clock.now(),
                        lease_expires_at=lease_end,
                    )
                )
            if len(batch) < min(SQS_BATCH, max_messages):
                break
        return received

    @staticmethod
    def _leased(message: ReceivedMessage) -> bool:
        expires = message.lease_expires_at
        return expires is not None and expires.timestamp() > _now()

    def _batch_by_queue(
        self, messages: Sequence[ReceivedMessage]
    ) -> Iterator[tuple[str, list[ReceivedMessage]]]:
        by_queue: dict[str, list[ReceivedMessage]] = {}
        for message in messages:
            if self._leased(message):
                by_queue.setdefault(message.queue, []).append(message)
            else:
                log.warning(
                    "queue %s: message %s lease expired, receipt may be stale: skipped",
                    message.queue,
                    message.id,
                )
        for queue, listed in by_queue.items():
            url, _ = self._urls_for(queue)
            for start in range(0, len(listed), SQS_BATCH):
                yield url, listed[start : start + SQS_BATCH]

    def ack(self, messages: Sequence[ReceivedMessage]) -> int:
        deleted = 0
        for url, chunk in self._batch_by_queue(messages):
            response = self.client.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m.receipt} for i, m in enumerate(chunk)],
            )
            deleted += len(response.get("Successful", []))
        return deleted

    def release(self, messages: Sequence[ReceivedMessage]) -> int:
        released = 0
        for url, chunk in self._batch_by_queue(messages):
            response = self.client.change_message_visibility_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m.receipt, "VisibilityTimeout": 0}
                    for i, m in enumerate(chunk)
                ],
            )
            released += len(response.get("Successful", []))
        return released

    def retry(self, message: ReceivedMessage, error: str) -> RetryOutcome:
        if not self._leased(message):
            return RetryOutcome.STALE
        url, dlq_url = self._urls_for(message.queue)
        policy = self.policy_for(message.queue)
        try:
            if policy.exhausted(message.receive_count):
                self._dead_letter(message, dlq_url, error)
                # Sent to the DLQ first: a failure in between duplicates, never loses.
                self.client.delete_message(QueueUrl=url, ReceiptHandle=message.receipt)
                return RetryOutcome.DEAD_LETTERED
            self.client.change_message_visibility(
                QueueUrl=url,
                ReceiptHandle=message.receipt,
                VisibilityTimeout=math.ceil(policy.backoff(message.receive_count)),
            )
            return RetryOutcome.RETRIED
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in (
                "ReceiptHandleIsInvalid",
                "InvalidParameterValue",
                "MessageNotInflight",
                "AWS.SimpleQueueService.MessageNotInflight",
            ):
                return RetryOutcome.STALE
            raise

    def _dead_letter(self, message: ReceivedMessage, dlq_url: str, error: str) -> None:
        def text(value: str) -> dict[str, str]:
            return {"DataType": "String", "StringValue": value}

        self.client.send_message(
            QueueUrl=dlq_url,
            MessageBody=encode(OutgoingMessage(body=message.body, tenant_id=message.tenant_id)),
            MessageAttributes={
                A_ERROR: text(error[:MAX_ERROR_CHARS] or "(no error text)"),
                A_MESSAGE_ID: text(message.id),
                A_RECEIVES: {"DataType": "Number", "StringValue": str(message.receive_count)},
                A_SENT: {
                    "DataType": "Number",
                    "StringValue": str(int(message.sent_at.timestamp() * 1000)),
                },
                A_DEAD: {"DataType": "Number", "StringValue": str(int(_now() * 1000))},
            },
        )

    # -- operations --------------------------------------------------------------------------

    def _scan_dlq(self, dlq_url: str, limit: int) -> list[dict[str, Any]]:
        """Receive up to `limit` distinct DLQ messages, hiding each for SCAN_VISIBILITY_S so the
        next receive returns new ones; the caller must `_unhide` what it does not delete."""
        seen: dict[str, dict[str, Any]] = {}
        while len(seen) < limit:
            batch = self._receive_raw(
                dlq_url,
                min(SQS_BATCH, limit - len(seen)),
                SCAN_VISIBILITY_S,
                MessageAttributeNames=["All"],
            )
            fresh = [m for m in batch if m["MessageId"] not in seen]
            if not fresh:
                break
            seen.update((m["MessageId"], m) for m in fresh)
        return list(seen.values())

    def _unhide(self, dlq_url: str, raws: list[dict[str, Any]]) -> None:
        for start in range(0, len(raws), SQS_BATCH):
            self.client.change_message_visibility_batch(
                QueueUrl=dlq_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for i, m in enumerate(raws[start : start + SQS_BATCH])
                ],
            )

    def _dead_letter_of(self, queue: str, raw: dict[str, Any]) -> DeadLetter:
        attributes = {k: v.get("StringValue") for k, v in raw.get("MessageAttributes", {}).items()}
        body, tenant = decode(raw["Body"])
        sent_ms = attributes.get(A_SENT) or raw.get("Attributes", {}).get("SentTimestamp")
        ours = A_ERROR in attributes
        max_receives = self.policy_for(queue).max_receives
        return DeadLetter(
            id=raw["MessageId"],
            queue=queue,
            message_id=attributes.get(A_MESSAGE_ID) or raw["MessageId"],
            body=body,
            tenant_id=tenant,
            # SQS moves a message when a receive finds it at maxReceiveCount; its counter keeps
            # running in the DLQ (our own scans count), so report the limit it hit.
            receive_count=int(attributes.get(A_RECEIVES) or max_receives),
            error=attributes.get(A_ERROR)
            if ours
            else (
                f"lease expired without ack after {max_receives} receives"
                " (moved by the SQS redrive policy, which keeps no error text)"
            ),
            sent_at=_from_ms(sent_ms),
            dead_at=_from_ms(attributes.get(A_DEAD)),
        )

    def dead_letters(self, queue: str, limit: int = 100) -> list[DeadLetter]:
        _, dlq_url = self._urls_for(queue)
        raws = self._scan_dlq(dlq_url, limit)
        try:
            letters = [self._dead_letter_of(queue, raw) for raw in raws]
        finally:
            self._unhide(dlq_url, raws)
        return sorted(letters, key=lambda d: d.dead_at or datetime.min.replace(tzinfo=UTC))

    def redrive(self, queue: str, ids: Sequence[str] | None = None, limit: int = 1000, *,
                conn: Any = None) -> int:  # SQS is outside the database: `conn` cannot bind it
        url, dlq_url = self._urls_for(queue)
        wanted = None if ids is None else set(ids)
        raws = self._scan_dlq(dlq_url, limit)
        chosen = [m for m in raws if wanted is None or m["MessageId"] in wanted]
        others = [m for m in raws if not (wanted is None or m["MessageId"] in wanted)]
        moved = 0
        try:
            for start in range(0, len(chosen), SQS_BATCH):
                chunk = chosen[start : start + SQS_BATCH]
                # A fresh message gets a receive count of 0; the body is the original envelope.
                sent = self.client.send_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "MessageBody": m["Body"]} for i, m in enumerate(chunk)],
                ).get("Successful", [])
                done = [chunk[int(s["Id"])] for s in sent]
                if done:
                    # Deleted only once re-sent: a failure in between duplicates, never loses.
                    self.client.delete_message_batch(
                        QueueUrl=dlq_url,
                        Entries=[
                            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                            for i, m in enumerate(done)
                        ],
                    )
                moved += len(done)
                others.extend(m for m in chunk if m not in done)
        finally:
            self._unhide(dlq_url, others)
        return moved

    def metrics(self, queue: str) -> QueueMetrics:
        url, dlq_url = self._urls_for(queue)
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        main = self.client.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        dlq = self.client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=names)["Attributes"]
        return QueueMetrics(
            queue=queue,
            visible=int(main.get(names[0], 0)),
            in_flight=int(main.get(names[1], 0)),
            delayed=int(main.get(names[2], 0)),
            dead_letters=sum(int(dlq.get(n, 0)) for n in names),
            # ApproximateAgeOfOldestMessage is a CloudWatch metric, not a queue attribute, and
            # reading it needs CloudWatch, which emulators and SQS-compatible clouds lack.
            oldest_age_s=None,
        )

    def queues(self) -> list[str]:
        names: set[str] = set(self.known_queues)
        kwargs = {"QueueNamePrefix": self.prefix} if self.prefix else {}
        for page in self.client.get_paginator("list_queues").paginate(**kwargs):
            for url in page.get("QueueUrls", []):
                name = url.rstrip("/").rsplit("/", 1)[-1]
                if name.startswith(self.prefix) and not name.endswith(DLQ_SUFFIX):
                    names.add(name[len(self.prefix) :])
        return sorted(names)
