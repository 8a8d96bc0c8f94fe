"""The tenant's audit log, newest first (or by action or actor)."""

from __future__ import annotations

from typing import Any

import psycopg

from shared.adapters.db.reads import audit_log as db
from shared.services.reads.filters import AuditQuery
from shared.services.reads.listing import fetch_counted_page


def list_audit(conn: psycopg.Connection[Any], query: AuditQuery) -> dict[str, Any]:
    sort, keys = db.audit_sort(query.sort, query.order)
    where = db.audit_where(actor=query.actor, action=query.action,
                           entity_type=query.entity_type, entity_id=query.entity_id,
                           at_from=query.at_from, at_to=query.at_to)
    return fetch_counted_page(
        query, sort, keys, lambda after, limit: db.audit_page(conn, where, sort, after, limit),
        lambda cap: db.audit_count(conn, where, cap))
