"""Errors of the queue port: a small named hierarchy, so callers can catch what they can fix."""

from __future__ import annotations

from typing import Any


class QueueError(RuntimeError):
    """Base class of every error the queue port raises on purpose."""


class InvalidQueueName(QueueError, ValueError):
    """A queue name that one of the backends could not hold (SQS: [A-Za-z0-9_-], 80 chars)."""


class InvalidMessage(QueueError, ValueError):
    """A message the port refuses: not a JSON object, too big (claim check!), bad delay,
    or a received message handed to an adapter that did not produce it."""


class TenantScopeError(QueueError):
    """`send(..., conn=c)` with a message whose tenant differs from the tenant of the
    caller's transaction; row-level security would refuse the row anyway, this says why."""


class SendError(QueueError):
    """The backend refused some messages of a batch. `sent_ids` lists those that were taken
    (they will be delivered), `failed` the backend's reasons for the others."""

    def __init__(self, message: str, *, sent_ids: list[str], failed: list[dict[str, Any]]):
        super().__init__(message)
        self.sent_ids = sent_ids
        self.failed = failed
