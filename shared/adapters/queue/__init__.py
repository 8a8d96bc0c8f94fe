"""Queue port with SQS semantics, and its adapters (PostgreSQL, SQS-compatible).

Importing this package is cheap: the adapters (psycopg, boto3) load on first use of their
names, so an action that only builds messages pays no boto3 import on a cold start.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from shared.adapters.queue.base import (
    DeadLetter,
    OutgoingMessage,
    Queue,
    QueueMetrics,
    ReceivedMessage,
    RetryOutcome,
)
from shared.adapters.queue.exceptions import (
    InvalidMessage,
    InvalidQueueName,
    QueueError,
    SendError,
    TenantScopeError,
)
from shared.adapters.queue.policy import RetryPolicy

if TYPE_CHECKING:
    from shared.adapters.queue.factory import queue_from_config
    from shared.adapters.queue.postgres import PostgresQueue
    from shared.adapters.queue.sqs import SqsQueue

_LAZY = {
    "PostgresQueue": "shared.adapters.queue.postgres",
    "SqsQueue": "shared.adapters.queue.sqs",
    "queue_from_config": "shared.adapters.queue.factory",
}

__all__ = [
    "DeadLetter",
    "InvalidMessage",
    "InvalidQueueName",
    "OutgoingMessage",
    "PostgresQueue",
    "Queue",
    "QueueError",
    "QueueMetrics",
    "ReceivedMessage",
    "RetryOutcome",
    "RetryPolicy",
    "SendError",
    "SqsQueue",
    "TenantScopeError",
    "queue_from_config",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value
