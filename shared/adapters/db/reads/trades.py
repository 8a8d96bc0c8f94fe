"""Reads `trades` (the current state per UTI) and one UTI's whole history: its
`trade_events`, their `validation_issues` and `report_items`, the report files'
`submissions` and `tr_feedback`, and the `audit_log` rows about the trade and its events."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db import deadlines
from shared.adapters.db.reads.paging import Sort, SortKey, select_page
from shared.adapters.db.reads.where import Where, contains_param, prefix_params, prefix_sql

# The sortable columns (`sort=` of GET /api/trades): each a keyset order ending in the UTI,
# unique per tenant. Nullable columns sort through a NOT NULL expression, so that the row
# comparison resuming a page never meets a NULL (which would drop rows). Each has an index
# (migrations 0008, 0012) walked forwards (desc) or backwards (asc).
_EPOCH = "'epoch'::timestamptz"
SORT_KEYS: dict[str, tuple[tuple[SortKey, ...], tuple[str, ...]]] = {
    "updated_at": ((SortKey("t.updated_at", datetime), SortKey("t.uti", str)),
                   ("updated_at", "uti")),
    "executed_at": ((SortKey(f"coalesce(t.executed_at, {_EPOCH})", datetime),
                     SortKey("t.uti", str)), ("executed_sort", "uti")),
    "uti": ((SortKey("t.uti", str),), ("uti",)),
    "trade_id": ((SortKey("coalesce(t.trade_id, '')", str), SortKey("t.uti", str)),
                 ("trade_id_sort", "uti")),
    "state": ((SortKey("t.state", str), SortKey("t.updated_at", datetime),
               SortKey("t.uti", str)), ("state", "updated_at", "uti")),
}
DEFAULT_SORT, DEFAULT_ORDER = "updated_at", "desc"


def sort_for(column: str, order: str) -> tuple[Sort, tuple[str, ...]]:
    """The keyset order of `sort=column&order=order` and the row keys its cursor records;
    the name (in the cursor) holds both, so a cursor of another order is refused."""
    keys, names = SORT_KEYS[column]
    return Sort(f"{column}.{order}", keys, ascending=order == "asc"), names


SORT, KEYS = sort_for(DEFAULT_SORT, DEFAULT_ORDER)

_COLUMNS = """t.uti, t.trade_id, t.asset_class, t.product, t.counterparty_1, t.counterparty_2,
    t.counterparty_2_name, t.lifecycle, t.state, t.last_event_id, t.last_action_type,
    t.regimes, t.executed_at, t.updated_at"""
# The sort expressions of nullable columns, for the cursor (dropped from the answer).
_SORT_COLUMNS = f"""coalesce(t.executed_at, {_EPOCH}) AS executed_sort,
    coalesce(t.trade_id, '') AS trade_id_sort"""
SORT_ONLY = ("executed_sort", "trade_id_sort")


class TradesWhere(Where):
    """A trades filter; `search`, the LIKE pattern of `q` that `trade_search`'s policy
    matches (migration 0012), is set in the transaction around each query that uses it."""

    search: str | None = None

    def copy(self) -> TradesWhere:
        other = TradesWhere()
        other.parts, other.params, other.search = list(self.parts), list(self.params), self.search
        return other


# A search matching up to this many trades reads them from the trigram index first, then
# their rows; past it the list walks its order and keeps the rows that match (a common term
# fills a page within its first rows, where gathering every match would read them all).
SPARSE_SEARCH = 2000


@contextmanager
def _searching(conn: psycopg.Connection[Any], pattern: str | None) -> Iterator[None]:
    if pattern is None:
        yield
        return
    conn.execute("SELECT set_config('app.search', lower(%s), true)", (pattern,))
    try:
        yield
    finally:  # trade_search's writers (triggers on trades) read every row again
        conn.execute("SELECT set_config('app.search', '', true)")


def search_hits(conn: psycopg.Connection[Any], q: str, cap: int) -> int:
    """How many of the tenant's trades `q` finds (through the trigram index), up to `cap` + 1."""
    with _searching(conn, contains_param(q)):
        row = conn.execute("SELECT count(*) AS n FROM (SELECT 1 FROM trade_search LIMIT %s)"
                           " AS s", (cap + 1,)).fetchone()
    return int(row["n"]) if row else 0


def trades_where(*, state: Sequence[str] = (), regime: Sequence[str] = (),
                 asset_class: Sequence[str] = (), action_type: Sequence[str] = (),
                 executed_from: datetime | None = None, executed_to: datetime | None = None,
                 updated_from: datetime | None = None, updated_to: datetime | None = None,
                 uti: str | None = None, trade_id: str | None = None, q: str | None = None,
                 counterparty: str | None = None, due: deadlines.Due | None = None,
                 at_risk_window_s: int = 0, sparse_search: bool = True) -> TradesWhere:
    """`uti`, `trade_id` are prefixes; `q` a substring (case-insensitive) of the UTI, trade
    id, either LEI or the other side's name; `counterparty` a prefix of either side's LEI or
    of the other side's name (case-insensitive); `due` late or at risk (within
    `at_risk_window_s`) by the one definition in shared.adapters.db.deadlines; `sparse_search`
    (see SPARSE_SEARCH) how `q` is read."""
    w = TradesWhere("t.tenant_id = app.current_tenant()")
    w.any("t.state", state)
    w.maybe(list(regime), "t.regimes && %b::text[]")
    w.any("t.asset_class", asset_class)
    w.any("t.last_action_type", action_type)
    w.maybe(executed_from, "t.executed_at >= %s")
    w.maybe(executed_to, "t.executed_at < %s")
    w.maybe(updated_from, "t.updated_at >= %s")
    w.maybe(updated_to, "t.updated_at < %s")
    w.prefix("t.uti", uti)
    w.prefix("t.trade_id", trade_id)
    if q:
        # trade_search (migration 0012) has the rows of the tenant's trades matching `q`
        w.search = contains_param(q)
        w.add("t.uti IN (SELECT s.uti FROM trade_search s)" if sparse_search else
              # per row, in the list's order: a key lookup (OFFSET 0 keeps it a subplan)
              "(SELECT true FROM trade_search s WHERE s.tenant_id = t.tenant_id"
              " AND s.uti = t.uti OFFSET 0)")
    if counterparty:
        # Either side's LEI, or the other side's name (case-insensitive): a BitmapOr of
        # three prefix indexes.
        name = counterparty.lower()
        w.add(f"{prefix_sql('t.counterparty_1')} OR {prefix_sql('t.counterparty_2')}"
              f" OR {prefix_sql('t.counterparty_2_name_key')}",
              *prefix_params(counterparty), *prefix_params(counterparty),
              *prefix_params(name))
    if due == "late":
        w.add(f"EXISTS (SELECT 1 FROM trade_events e WHERE e.tenant_id = t.tenant_id"
              f" AND e.uti = t.uti AND {deadlines.due('late')})")
    elif due == "at_risk":
        w.add(f"EXISTS (SELECT 1 FROM trade_events e WHERE e.tenant_id = t.tenant_id"
              f" AND e.uti = t.uti AND {deadlines.due('at_risk', '%s')})", at_risk_window_s)
    return w


def trades_page(conn: psycopg.Connection[Any], where: TradesWhere, sort: Sort,
                after: Sequence[Any] | None, limit: int) -> list[dict[str, Any]]:
    """Rows of `where` in `sort` order after the keyset position `after`; each row also
    holds the SORT_ONLY keys (for the cursor)."""
    with _searching(conn, where.search):
        return select_page(conn, f"SELECT {_COLUMNS}, {_SORT_COLUMNS} FROM trades t",
                           where.copy(), sort, after, limit)


def trades_count(conn: psycopg.Connection[Any], where: TradesWhere, cap: int) -> int:
    """How many rows `where` selects, counted up to `cap` + 1 (so that a caller can say
    "cap+" without counting a million rows on every page)."""
    with _searching(conn, where.search):
        row = conn.execute(f"SELECT count(*) AS n FROM (SELECT 1 FROM trades t WHERE"
                           f" {where.sql} LIMIT %s) AS s", [*where.params, cap + 1],
                           prepare=False).fetchone()
    return int(row["n"]) if row else 0


def trade_row(conn: psycopg.Connection[Any], uti: str) -> dict[str, Any] | None:
    return conn.execute(f"SELECT {_COLUMNS} FROM trades t"
                        " WHERE t.tenant_id = app.current_tenant() AND t.uti = %s",
                        (uti,)).fetchone()


_EVENTS = """
SELECT e.id, e.version, e.source, e.action_type, e.event_type, e.event_timestamp, e.state,
       e.asset_class, e.regimes, e.reported_regimes, e.file_id, e.row_no, e.prior_uti,
       e.trade_id, e.supersedes, e.deadline_at, e.waiting_for, e.enrichment, e.validated_at,
       e.created_at, e.updated_at, e.payload, e.routing, count(*) OVER () AS total
FROM trade_events e
WHERE e.tenant_id = app.current_tenant() AND e.uti = %s
ORDER BY e.event_timestamp DESC, e.created_at DESC, e.row_no DESC NULLS FIRST, e.id DESC
LIMIT %s
"""

_ISSUES = """
SELECT i.id, i.event_id, i.rule_id, i.severity, i.field, i.value, i.message, i.message_ko,
       i.regime, i.status, i.assignee, i.created_at, i.resolved_at
FROM validation_issues i
WHERE i.tenant_id = app.current_tenant() AND i.event_id = ANY(%s)
ORDER BY i.event_id, i.id
"""

_ITEMS = """
SELECT ri.id, ri.event_id, ri.report_file_id, ri.position, ri.record_ref, ri.status,
       ri.tr_code, ri.tr_message, rf.regime, rf.tr, rf.status AS file_status,
       rf.tr_message_id, rf.created_at AS file_created_at, rf.submitted_at
FROM report_items ri JOIN report_files rf ON rf.id = ri.report_file_id
WHERE ri.tenant_id = app.current_tenant() AND ri.event_id = ANY(%s)
ORDER BY rf.created_at, ri.id
"""

_SUBMISSIONS = """
SELECT s.id, s.report_file_id, s.attempt, s.started_at, s.finished_at, s.http_status,
       s.tr_message_id, s.outcome, s.error
FROM submissions s
WHERE s.tenant_id = app.current_tenant() AND s.report_file_id = ANY(%s)
ORDER BY s.report_file_id, s.attempt
"""

_FEEDBACK = """
SELECT f.id, f.report_file_id, f.object_key, f.status, f.tr_message_id, f.ack_count,
       f.nack_count, f.error, f.deliveries, f.received_at, f.last_seen_at
FROM tr_feedback f
WHERE f.tenant_id = app.current_tenant() AND f.report_file_id = ANY(%s)
ORDER BY f.received_at, f.id
"""

_AUDIT = """
SELECT a.id, a.at, a.actor, a.actor_type, a.action, a.entity_type, a.entity_id, a.before,
       a.after, a.request_id
FROM audit_log a
WHERE a.tenant_id = app.current_tenant()
  AND ((a.entity_type = 'trade_event' AND a.entity_id = ANY(%s))
       OR (a.entity_type = 'trade' AND a.entity_id = %s))
ORDER BY a.at, a.id
"""


def trade_events(conn: psycopg.Connection[Any], uti: str, limit: int) -> list[dict[str, Any]]:
    """The UTI's newest `limit` events in lifecycle order, each with `total`: how many
    events the UTI has in all (numbering stays right when the oldest are cut off)."""
    rows = conn.execute(_EVENTS, (uti, limit)).fetchall()
    rows.reverse()
    return rows


def event_issues(conn: psycopg.Connection[Any],
                 event_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    return conn.execute(_ISSUES, (event_ids,)).fetchall()


def event_report_items(conn: psycopg.Connection[Any],
                       event_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """The events' report items with their report file's regime, TR and status."""
    return conn.execute(_ITEMS, (event_ids,)).fetchall()


def file_submissions(conn: psycopg.Connection[Any],
                     report_file_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    return conn.execute(_SUBMISSIONS, (report_file_ids,)).fetchall()


def file_feedback(conn: psycopg.Connection[Any],
                  report_file_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    return conn.execute(_FEEDBACK, (report_file_ids,)).fetchall()


def trade_audit(conn: psycopg.Connection[Any], event_ids: list[str],
                uti: str) -> list[dict[str, Any]]:
    """Audit rows about the events `event_ids` (as text) or the trade `uti`, oldest first."""
    return conn.execute(_AUDIT, (event_ids, uti)).fetchall()
