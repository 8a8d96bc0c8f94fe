"""Reads `audit_log` (written by `shared.adapters.db.audit.record` only): the tenant's audit
trail, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db.reads.paging import Sort, SortKey, select_page
from shared.adapters.db.reads.where import Where

SORT = Sort("at", (SortKey("a.at", datetime), SortKey("a.id", int)))
KEYS = ("at", "id")

_SELECT = """SELECT a.id, a.at, a.actor, a.actor_id, a.actor_type, a.action, a.entity_type,
    a.entity_id, a.before, a.after, a.request_id FROM audit_log a"""


def audit_page(conn: psycopg.Connection[Any], *, after: Sequence[Any] | None, limit: int,
               actor: str | None = None, action: str | None = None,
               entity_type: str | None = None, entity_id: str | None = None,
               at_from: datetime | None = None,
               at_to: datetime | None = None) -> list[dict[str, Any]]:
    """`action` is a prefix ("report_file." matches its actions)."""
    w = Where("a.tenant_id = app.current_tenant()")
    w.maybe(actor, "a.actor = %s")
    w.prefix("a.action", action)
    w.maybe(entity_type, "a.entity_type = %s")
    w.maybe(entity_id, "a.entity_id = %s")
    w.maybe(at_from, "a.at >= %s")
    w.maybe(at_to, "a.at < %s")
    return select_page(conn, _SELECT, w, SORT, after, limit)
