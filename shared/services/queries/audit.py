"""The tenant's audit log, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from shared.services.queries.filters import AuditQuery
from shared.services.queries.listing import fetch_page
from shared.services.queries.paging import Sort, SortKey
from shared.services.queries.sql import Where

SORT = Sort("at", (SortKey("a.at", datetime), SortKey("a.id", int)))

_SELECT = """SELECT a.id, a.at, a.actor, a.actor_id, a.actor_type, a.action, a.entity_type,
    a.entity_id, a.before, a.after, a.request_id FROM audit_log a"""


def list_audit(conn: psycopg.Connection[Any], query: AuditQuery) -> dict[str, Any]:
    w = Where("a.tenant_id = app.current_tenant()")
    w.maybe(query.actor, "a.actor = %s")
    w.prefix("a.action", query.action)
    w.maybe(query.entity_type, "a.entity_type = %s")
    w.maybe(query.entity_id, "a.entity_id = %s")
    w.maybe(query.at_from, "a.at >= %s")
    w.maybe(query.at_to, "a.at < %s")
    return fetch_page(conn, _SELECT, w, SORT, query, ("at", "id"))
