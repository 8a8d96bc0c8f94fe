"""Activations (action runs) of the tenant, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from shared.services.queries.filters import ActivationsQuery
from shared.services.queries.listing import fetch_page
from shared.services.queries.paging import Sort, SortKey
from shared.services.queries.sql import Where

SORT = Sort("started", (SortKey("a.started_at", datetime), SortKey("a.id", str)))

# The logs stay out of lists (they can be large); `error` says why a run failed. A web run's
# result is the HTTP answer it gave one caller (an API key's secret, shown once, among them):
# only its status code is shown, to every role.
_SELECT = """SELECT a.id, a.action, a.trigger, a.started_at, a.ended_at, a.duration_ms,
    a.status, a.cold_start,
    CASE WHEN a.trigger LIKE 'api_gateway%%'
         THEN jsonb_build_object('statusCode', a.result -> 'statusCode')
         ELSE a.result END AS result,
    a.error FROM activations a"""


def list_activations(conn: psycopg.Connection[Any], query: ActivationsQuery) -> dict[str, Any]:
    w = Where("a.tenant_id = app.current_tenant()")
    w.maybe(query.action, "a.action = %s")
    w.any("a.status", query.status)
    w.maybe(query.started_from, "a.started_at >= %s")
    w.maybe(query.started_to, "a.started_at < %s")
    return fetch_page(conn, _SELECT, w, SORT, query, ("started_at", "id"))
