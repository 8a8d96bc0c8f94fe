"""Verification runs and correction clocks (migrations/0026_verification.sql), and what a run
reads: the TR's open trades, our books as we last reported them, the entities' statuses, and
the breaks and NACKs not yet clocked.

Every function runs in the caller's transaction, in a tenant's scope (RLS); `tenant_id` is
written explicitly because the policy's WITH CHECK requires it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import psycopg

from shared.adapters.db import tr_reports
from shared.adapters.db.reads.paging import Sort, SortKey, count_rows, select_page, sort_for
from shared.adapters.db.reads.where import Where

Rows = list[dict[str, Any]]

# -- what a run reads ------------------------------------------------------------------------


def regimes_to_consider(conn: psycopg.Connection[Any]) -> list[str]:
    """The tenant's regimes, those its entities hold a status under, and those a TR reports
    open trades for."""
    rows = conn.execute(
        "SELECT unnest(regimes) AS regime FROM tenants WHERE id = app.current_tenant()"
        " UNION SELECT jsonb_object_keys(statuses) FROM legal_entities"
        " UNION SELECT DISTINCT regime FROM tr_trade_states ORDER BY 1").fetchall()
    return [r["regime"] for r in rows]


def entity_statuses(conn: psycopg.Connection[Any], regime: str) -> Rows:
    """entity_id, status: the entities holding a status under `regime`."""
    return conn.execute(
        "SELECT entity_id, statuses ->> %s AS status FROM legal_entities"
        " WHERE statuses ? %s ORDER BY entity_id", (regime, regime)).fetchall()


def last_verified(conn: psycopg.Connection[Any], regime: str) -> datetime | None:
    row = conn.execute(
        "SELECT max(started_at) AS at FROM verifications WHERE regime = %s"
        " AND status = 'completed'", (regime,)).fetchone()
    return None if row is None else row["at"]


def tr_open(conn: psycopg.Connection[Any], regime: str) -> Rows:
    """The TR's open trades: uti, last_action, reported_values, reference_date."""
    return conn.execute(
        "SELECT uti, last_action, reported_values, reference_date FROM tr_trade_states"
        " WHERE regime = %s", (regime,)).fetchall()


def our_book(conn: psycopg.Connection[Any], regime: str, cutoff: datetime) -> Rows:
    """uti, action_type, payload of our latest event sent to `regime`'s TR by `cutoff` (the
    same choice of event as the end-of-day reconciliation's)."""
    return tr_reports.our_trades(conn, regime, cutoff, payload=True)


def unclocked_breaks(conn: psycopg.Connection[Any]) -> Rows:
    """Live breaks with the TR's reports that have no clock yet."""
    return conn.execute(
        "SELECT b.id, b.regime, b.uti, b.kind, b.first_seen_at FROM tr_breaks b"
        " WHERE b.status IN ('open', 'assigned') AND NOT EXISTS ("
        "  SELECT 1 FROM correction_clocks c WHERE c.tenant_id = b.tenant_id"
        "  AND c.source = 'break' AND c.source_id = b.id::text)"
        " ORDER BY b.id").fetchall()


def unclocked_nacks(conn: psycopg.Connection[Any]) -> Rows:
    """Items the TR rejected whose event is still rejected (not corrected and accepted
    since), with no clock yet: id, regime, uti, tr_code, tr_message, found_at."""
    return conn.execute(
        "SELECT i.id, f.regime, e.uti, i.tr_code, i.tr_message,"
        " coalesce(f.feedback_at, f.updated_at) AS found_at"
        " FROM report_items i JOIN report_files f ON f.id = i.report_file_id"
        " JOIN trade_events e ON e.id = i.event_id"
        " WHERE i.status = 'nacked' AND e.state = 'nacked' AND NOT EXISTS ("
        "  SELECT 1 FROM correction_clocks c WHERE c.tenant_id = i.tenant_id"
        "  AND c.source = 'nack' AND c.source_id = i.id::text)"
        " ORDER BY i.id").fetchall()


# -- the log ---------------------------------------------------------------------------------


def start_run(conn: psycopg.Connection[Any], tenant_id: Any, regime: str, *,
              entity_id: str | None, entity_status: str | None, trigger: str,
              run_by: str, started_at: datetime) -> dict[str, Any]:
    """`started_at`: the run's "now", which the schedule counts from."""
    row: dict[str, Any] | None = conn.execute(
        "INSERT INTO verifications (tenant_id, regime, entity_id, entity_status, trigger,"
        " run_by, started_at) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id, started_at",
        (tenant_id, regime, entity_id, entity_status, trigger, run_by,
         started_at)).fetchone()
    assert row is not None
    return row


def finish_run(conn: psycopg.Connection[Any], run_id: int, *, status: str,
               reference_date: date | None, open_at_tr: int, open_here: int,
               findings: Sequence[dict[str, Any]]) -> None:
    # finished: the start plus the time the comparison took (the start may be a given "now")
    conn.execute(
        "UPDATE verifications SET status = %s, reference_date = %s, open_at_tr = %s,"
        " open_here = %s, findings = %s, details = %s,"
        " finished_at = started_at + (clock_timestamp() - now()) WHERE id = %s",
        (status, reference_date, open_at_tr, open_here, len(findings),
         json.dumps(list(findings[:200])), run_id))


# -- clocks ----------------------------------------------------------------------------------

_CLOCK_COLUMNS = """c.id, c.regime, c.uti, c.source, c.source_id, c.kind, c.summary,
    c.discovered_at, c.due, c.business_days, c.prescribed, c.state, c.state_changed_at,
    c.resolved_at, c.resolved_by, c.resolution_note, c.notified_at, c.created_at"""


def insert_clock(conn: psycopg.Connection[Any], tenant_id: Any, *, regime: str, uti: str,
                 source: str, source_id: str, kind: str, summary: str,
                 discovered_at: datetime, due: datetime, business_days: int,
                 prescribed: bool, state: str) -> int | None:
    """The new clock's id; None when the same source item has one already."""
    row = conn.execute(
        "INSERT INTO correction_clocks (tenant_id, regime, uti, source, source_id, kind,"
        " summary, discovered_at, due, business_days, prescribed, state)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT DO NOTHING RETURNING id",
        (tenant_id, regime, uti, source, source_id, kind, summary[:1000], discovered_at, due,
         business_days, prescribed, state)).fetchone()
    return None if row is None else int(row["id"])


def has_open_clock(conn: psycopg.Connection[Any], regime: str, uti: str, kind: str) -> bool:
    """An unresolved clock of any source for this error."""
    return conn.execute(
        "SELECT 1 FROM correction_clocks WHERE regime = %s AND uti = %s AND kind = %s"
        " AND state <> 'resolved' LIMIT 1", (regime, uti, kind)).fetchone() is not None


def open_verification_clocks(conn: psycopg.Connection[Any], regime: str) -> Rows:
    """Unresolved clocks from earlier verifications of `regime`: id, uti, kind."""
    return conn.execute(
        "SELECT id, uti, kind FROM correction_clocks WHERE regime = %s AND source ="
        " 'verification' AND state <> 'resolved'", (regime,)).fetchall()


def gone_clocks(conn: psycopg.Connection[Any]) -> Rows:
    """Unresolved clocks whose error is gone: the break resolved or cleared, the rejected
    event corrected or accepted. id, source, why."""
    return conn.execute(
        "SELECT c.id, c.source, b.status AS why FROM correction_clocks c"
        " JOIN tr_breaks b ON c.source = 'break' AND b.id::text = c.source_id"
        " WHERE c.state <> 'resolved' AND b.status IN ('resolved', 'cleared')"
        " UNION ALL"
        " SELECT c.id, c.source, e.state FROM correction_clocks c"
        " JOIN report_items i ON c.source = 'nack' AND i.id::text = c.source_id"
        " JOIN trade_events e ON e.id = i.event_id"
        " WHERE c.state <> 'resolved' AND e.state <> 'nacked'").fetchall()


def live_clocks(conn: psycopg.Connection[Any]) -> Rows:
    """Every unresolved clock, locked (the run moves their states)."""
    return conn.execute(
        f"SELECT {_CLOCK_COLUMNS} FROM correction_clocks c WHERE c.state <> 'resolved'"
        " ORDER BY c.id FOR UPDATE").fetchall()


def set_state(conn: psycopg.Connection[Any], clock_id: int, state: str) -> None:
    conn.execute("UPDATE correction_clocks SET state = %s, state_changed_at = clock_timestamp()"
                 " WHERE id = %s", (state, clock_id))


def lock_clock(conn: psycopg.Connection[Any], clock_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = conn.execute(
        f"SELECT c.tenant_id, {_CLOCK_COLUMNS} FROM correction_clocks c WHERE c.id = %s"
        " FOR UPDATE", (clock_id,)).fetchone()
    return row


def resolve_clock(conn: psycopg.Connection[Any], clock_id: int, by: str,
                  note: str) -> datetime:
    row = conn.execute(
        "UPDATE correction_clocks SET state = 'resolved', resolved_at = clock_timestamp(),"
        " resolved_by = %s, resolution_note = %s, state_changed_at = clock_timestamp()"
        " WHERE id = %s RETURNING resolved_at", (by, note, clock_id)).fetchone()
    assert row is not None
    moment: datetime = row["resolved_at"]
    return moment


def mark_notified(conn: psycopg.Connection[Any], regime: str) -> tuple[list[int], datetime]:
    """The regime's unresolved clocks not yet notified are now: their ids and the moment."""
    rows = conn.execute(
        "UPDATE correction_clocks SET notified_at = clock_timestamp()"
        " WHERE regime = %s AND state <> 'resolved' AND notified_at IS NULL"
        " RETURNING id, notified_at", (regime,)).fetchall()
    moment = rows[0]["notified_at"] if rows else conn.execute(
        "SELECT clock_timestamp() AS now").fetchone()["now"]  # type: ignore[index]
    return sorted(r["id"] for r in rows), moment


def clock_by_id(conn: psycopg.Connection[Any], clock_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = conn.execute(
        f"SELECT {_CLOCK_COLUMNS} FROM correction_clocks c WHERE c.id = %s",
        (clock_id,)).fetchone()
    return row


def open_clocks(conn: psycopg.Connection[Any], regime: str) -> Rows:
    """The regime's unresolved clocks, oldest first (the notice's facts)."""
    return conn.execute(
        f"SELECT {_CLOCK_COLUMNS} FROM correction_clocks c WHERE c.regime = %s"
        " AND c.state <> 'resolved' ORDER BY c.discovered_at, c.id", (regime,)).fetchall()


# -- the lists (keyset pages, newest first) --------------------------------------------------

_ID_SORT: dict[str, tuple[SortKey, ...]] = {"id": (SortKey("x.id", int),)}
KEY_NAMES = ("id",)


def id_sort(order: str) -> Sort:
    return sort_for(_ID_SORT, "id", order)


_RUNS_FROM = "verifications x"
_RUNS = ("SELECT x.id, x.regime, x.entity_id, x.entity_status, x.status, x.reference_date,"
         " x.started_at, x.finished_at, x.open_at_tr, x.open_here, x.findings, x.details,"
         " x.trigger, x.run_by, x.error FROM verifications x")


def runs_where(regime: Sequence[str] = ()) -> Where:
    w = Where("x.tenant_id = app.current_tenant()")
    w.any("x.regime", regime)
    return w


def runs_page(conn: psycopg.Connection[Any], where: Where, sort: Sort,
              after: Sequence[Any] | None, limit: int) -> Rows:
    return select_page(conn, _RUNS, where.copy(), sort, after, limit)


def runs_count(conn: psycopg.Connection[Any], where: Where, cap: int) -> int:
    return count_rows(conn, _RUNS_FROM, where, cap)


_CLOCKS_FROM = "correction_clocks x"
_CLOCKS = ("SELECT " + _CLOCK_COLUMNS.replace("c.", "x.") + " FROM correction_clocks x")


def clocks_where(state: Sequence[str] = (), regime: Sequence[str] = (),
                 uti: str | None = None) -> Where:
    w = Where("x.tenant_id = app.current_tenant()")
    w.any("x.state", state)
    w.any("x.regime", regime)
    w.maybe(uti, "x.uti = %s")
    return w


def clocks_page(conn: psycopg.Connection[Any], where: Where, sort: Sort,
                after: Sequence[Any] | None, limit: int) -> Rows:
    return select_page(conn, _CLOCKS, where.copy(), sort, after, limit)


def clocks_count(conn: psycopg.Connection[Any], where: Where, cap: int) -> int:
    return count_rows(conn, _CLOCKS_FROM, where, cap)
