"""Fixtures for the queue port: the same contract run against every adapter."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from shared.adapters.queue import PostgresQueue, Queue, RetryPolicy, SqsQueue


def fast(max_receives: int = 5) -> RetryPolicy:
    """Zero backoff (jitter pinned to 0): a retried message is visible again at once."""
    return RetryPolicy(max_receives=max_receives, random=lambda: 0.0)


@dataclass
class Backend:
    name: str
    make: Callable[..., Queue]  # make(policy=None, **adapter options)
    tenant: str  # a tenant id messages may carry (exists in the database for postgres)


def sqs_client(endpoint: str) -> Any:
    return boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1")


@pytest.fixture(params=["postgres", "sqs"])
def backend(request) -> Backend:
    if request.param == "postgres":
        db = request.getfixturevalue("db")
        tenant, _ = request.getfixturevalue("two_tenants")
        return Backend(
            "postgres",
            lambda policy=None, **kw: PostgresQueue(db, policy=policy, **kw),
            str(tenant),
        )
    client = sqs_client(request.getfixturevalue("s3_clean"))
    prefix = f"t{uuid.uuid4().hex[:8]}-"  # isolates queues even without the reset
    return Backend(
        "sqs",
        lambda policy=None, **kw: SqsQueue(client, prefix=prefix, policy=policy, **kw),
        str(uuid.uuid4()),
    )
