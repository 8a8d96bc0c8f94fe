"""The client view (issue 17 item 2): the counterparties the tenant reports for and the report
items made on their behalf (`report_items.reporting_counterparty`, migration 0027).

Every function runs in the caller's transaction: a tenant's, or a client_viewer's
(`Database.client`), in which the restrictive policy `client_scope` leaves only that client's
items visible whatever is asked here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db.reads.paging import Sort, SortKey, select_page
from shared.adapters.db.reads.where import Where

# The tenant's clients (delegation agreements) and its other entities with an LEI of their
# own (GROUP reports), with what has been reported for each; an LEI reported for that is
# neither any more (an agreement since removed) is listed too, by its items.
_CLIENTS = """
WITH known AS (
    SELECT a.client_lei AS lei, min(a.client_name) AS name, 'client' AS kind,
           array_agg(DISTINCT a.regime ORDER BY a.regime) AS regimes,
           array_agg(DISTINCT a.capacity ORDER BY a.capacity) AS capacities
    FROM delegation_agreements a GROUP BY a.client_lei
    UNION ALL
    SELECT e.lei, min(e.name), 'group', '{}'::text[], '{group}'::text[]
    FROM legal_entities e
    WHERE e.lei IS NOT NULL
      AND e.lei IS DISTINCT FROM (SELECT t.lei FROM tenants t WHERE t.id = e.tenant_id)
    GROUP BY e.lei
), one AS (
    SELECT DISTINCT ON (lei) * FROM known ORDER BY lei, kind
), counts AS (
    SELECT i.reporting_counterparty AS lei, count(*) AS reports,
           count(*) FILTER (WHERE i.status = 'acked') AS acked,
           count(*) FILTER (WHERE i.status = 'nacked') AS nacked,
           count(*) FILTER (WHERE i.status = 'pending') AS pending,
           max(f.created_at) AS last_reported_at
    FROM report_items i JOIN report_files f ON f.id = i.report_file_id
    WHERE i.reporting_counterparty IS NOT NULL
    GROUP BY i.reporting_counterparty
)
SELECT coalesce(o.lei, c.lei) AS lei, o.name, coalesce(o.kind, 'former') AS kind,
       coalesce(o.regimes, '{}') AS regimes, coalesce(o.capacities, '{}') AS capacities,
       coalesce(c.reports, 0) AS reports, coalesce(c.acked, 0) AS acked,
       coalesce(c.nacked, 0) AS nacked, coalesce(c.pending, 0) AS pending,
       c.last_reported_at
FROM one o FULL JOIN counts c ON c.lei = o.lei
ORDER BY o.name NULLS LAST, 1
"""

# One report item made for a client, as the client view lists it.
_ITEMS = """
SELECT i.id, i.reporting_counterparty AS client_lei, e.uti, e.action_type, e.event_type,
       e.event_timestamp, f.regime, i.status, i.tr_code, i.tr_message, i.record_ref,
       i.position, f.id AS report_file_id, f.object_key, f.status AS file_status,
       f.created_at AS reported_at, f.submitted_at, f.feedback_at,
       e.payload->'counterparty_1'->>'identifier' AS counterparty_1,
       e.payload->'counterparty_2'->>'identifier' AS counterparty_2,
       e.payload->>'submitting_entity' AS record_submitting_entity
FROM report_items i
JOIN report_files f ON f.id = i.report_file_id
JOIN trade_events e ON e.id = i.event_id
"""

ITEMS_SORT = Sort("reported", (SortKey("f.created_at", datetime), SortKey("i.id", int)))


def list_clients(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    return conn.execute(_CLIENTS).fetchall()


def client_items(conn: psycopg.Connection[Any], client_lei: str, *, day_from: datetime | None,
                 day_to: datetime | None, regimes: list[str], statuses: list[str],
                 after: list[Any] | None, limit: int) -> list[dict[str, Any]]:
    """A page of the items reported for `client_lei`, newest file first; `day_from`/`day_to`
    bound the file's creation time (half-open)."""
    where = Where().add("i.reporting_counterparty = %s", client_lei)
    where.maybe(day_from, "f.created_at >= %s", day_from)
    where.maybe(day_to, "f.created_at < %s", day_to)
    where.any("f.regime", regimes)
    where.any("i.status", statuses)
    return select_page(conn, _ITEMS, where, ITEMS_SORT, after, limit)


def client_day_items(conn: psycopg.Connection[Any], client_lei: str, start: datetime,
                     end: datetime) -> list[dict[str, Any]]:
    """Every item reported for `client_lei` in files made in [start, end), oldest first:
    the rows of the client's daily file."""
    return conn.execute(
        f"{_ITEMS} WHERE i.reporting_counterparty = %s AND f.created_at >= %s"
        " AND f.created_at < %s ORDER BY f.created_at, f.id, i.position",
        (client_lei, start, end)).fetchall()
