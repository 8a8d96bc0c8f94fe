"""The tenant's audit log, newest first."""

from __future__ import annotations

from typing import Any

import psycopg

from shared.adapters.db.reads import audit_log as db
from shared.services.reads.filters import AuditQuery
from shared.services.reads.listing import fetch_page


def list_audit(conn: psycopg.Connection[Any], query: AuditQuery) -> dict[str, Any]:
    return fetch_page(query, db.SORT, db.KEYS, lambda after, limit: db.audit_page(
        conn, after=after, limit=limit, actor=query.actor, action=query.action,
        entity_type=query.entity_type, entity_id=query.entity_id, at_from=query.at_from,
        at_to=query.at_to))
