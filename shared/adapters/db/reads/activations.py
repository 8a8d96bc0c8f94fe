"""Reads `activations` (action runs, written by the action wrapper): the tenant's runs,
newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db.reads.paging import Sort, SortKey, count_rows, select_page
from shared.adapters.db.reads.where import Where

SORT = Sort("started", (SortKey("a.started_at", datetime), SortKey("a.id", str)))
KEYS = ("started_at", "id")  # the sort keys' names in the rows

# The logs stay out of lists (they can be large); `error` says why a run failed. A web run's
# result is the HTTP answer it gave one caller (an API key's secret, shown once, among them):
# only its status code is shown, to every role.
_SELECT = """SELECT a.id, a.action, a.trigger, a.started_at, a.ended_at, a.duration_ms,
    a.status, a.cold_start,
    CASE WHEN a.trigger LIKE 'api_gateway%%'
         THEN jsonb_build_object('statusCode', a.result -> 'statusCode')
         ELSE a.result END AS result,
    a.error FROM activations a"""


def activations_where(*, action: str | None = None, status: Sequence[str] = (),
                      started_from: datetime | None = None,
                      started_to: datetime | None = None) -> Where:
    w = Where("a.tenant_id = app.current_tenant()")
    w.maybe(action, "a.action = %s")
    w.any("a.status", status)
    w.maybe(started_from, "a.started_at >= %s")
    w.maybe(started_to, "a.started_at < %s")
    return w


def activations_page(conn: psycopg.Connection[Any], where: Where,
                     after: Sequence[Any] | None, limit: int) -> list[dict[str, Any]]:
    return select_page(conn, _SELECT, where.copy(), SORT, after, limit)


def activations_count(conn: psycopg.Connection[Any], where: Where, cap: int) -> int:
    return count_rows(conn, "activations a", where, cap)
