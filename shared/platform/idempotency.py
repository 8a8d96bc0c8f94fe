"""Idempotency ledger: an effect is done once per (consumer, key), however often it is delivered.

Call `first_time` inside the transaction that does the effect. The ledger row and the effect
then commit together or not at all: a crash before the commit leaves neither (the redelivery
does the work), a crash after it leaves both (the redelivery finds the row and only acks).
Two deliveries racing each other serialise on the primary key: the second waits for the first
transaction and then gets False.

Keys: the message id covers redelivery of one message; where a producer may send the same
work twice (two uploads of one file), use a business key (tenant + sha256) instead.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

_CLAIM = """
INSERT INTO processed_messages (consumer, message_key, tenant_id)
SELECT %(consumer)s, coalesce(t.tenant::text || '/', '') || %(key)s, t.tenant
FROM (SELECT coalesce(%(tenant)s::uuid, app.current_tenant()) AS tenant) AS t
ON CONFLICT (consumer, message_key) DO NOTHING
RETURNING 1
"""


def first_time(
    conn: psycopg.Connection[Any],
    consumer: str,
    key: str,
    tenant_id: uuid.UUID | str | None = None,
) -> bool:
    """Record (consumer, key) as processed in `conn`'s transaction; True if it was not yet.

    `tenant_id` defaults to the tenant of a tenant-scoped transaction. The stored key is
    prefixed with the tenant, because the ledger's primary key has no tenant column and one
    tenant's key must never mark another tenant's work as done.
    """
    if not consumer or not key:
        raise ValueError("consumer and key must be non-empty")
    tenant = None if tenant_id is None else str(uuid.UUID(str(tenant_id)))
    row = conn.execute(_CLAIM, {"consumer": consumer, "key": key, "tenant": tenant}).fetchone()
    return row is not None
