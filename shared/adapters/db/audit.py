"""The audit trail: the one function that writes `audit_log` (migrations/0001_schema.sql).

Every change a user, an API key or a stage makes is recorded in the caller's transaction, so
the record commits or rolls back with the change it describes. `before` and `after` are JSON
(dates and UUIDs as text, Korean as it is).
"""

from __future__ import annotations

import json
from typing import Any

ACTOR_TYPES = ("user", "api_key", "system", "anonymous")  # the CHECK in 0001_schema.sql


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, default=str, ensure_ascii=False)


def record(conn: Any, *, tenant_id: Any, actor: str, actor_type: str, action: str,
           entity_type: str | None, entity_id: Any, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None, actor_id: Any = None,
           request_id: str | None = None) -> None:
    """One audit row for one entity. `actor` is the user's name, the API key's name or the
    stage (`ingest`, `submit`, ...); `actor_type` one of ACTOR_TYPES."""
    if actor_type not in ACTOR_TYPES:
        raise ValueError(f"actor_type {actor_type!r}: expected one of {', '.join(ACTOR_TYPES)}")
    conn.execute(
        "INSERT INTO audit_log (tenant_id, actor, actor_id, actor_type, action, entity_type,"
        " entity_id, before, after, request_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (None if tenant_id is None else str(tenant_id), actor,
         None if actor_id is None else str(actor_id), actor_type, action, entity_type,
         None if entity_id is None else str(entity_id), _json(before), _json(after),
         request_id))
