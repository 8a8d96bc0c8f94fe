"""Reads of the TR's end-of-day reports (migrations/0023_tr_reports.sql): the breaks list
(keyset pages, filters), the reconciliation screen's figures, and one trade's TR view.
Every statement runs in the caller's tenant scope (RLS)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from shared.adapters.db.reads.paging import Sort, SortKey, count_rows, select_page, sort_for
from shared.adapters.db.reads.where import Where

Rows = list[dict[str, Any]]

# newest first; breaks of a tenant number in the thousands at most (one per trade and kind)
SORT_KEYS: dict[str, tuple[SortKey, ...]] = {"id": (SortKey("b.id", int),)}
KEY_NAMES = {"id": ("id",)}

_FROM = "tr_breaks b"
_COLUMNS = """b.id, b.regime, b.uti, b.kind, b.differences, b.our_action, b.tr_action,
    b.first_reference_date, b.last_reference_date, b.status, b.assignee, b.resolution_note,
    b.resolved_by, b.resolved_at, b.cleared_at, b.first_seen_at, b.last_seen_at,
    EXISTS (SELECT 1 FROM trades t WHERE t.tenant_id = b.tenant_id AND t.uti = b.uti)
        AS trade_known"""
_SELECT = f"SELECT {_COLUMNS} FROM {_FROM}"


def breaks_sort(order: str) -> tuple[Sort, tuple[str, ...]]:
    return sort_for(SORT_KEYS, "id", order), KEY_NAMES["id"]


def breaks_where(*, status: Sequence[str] = (), kind: Sequence[str] = (),
                 regime: Sequence[str] = (), uti: str | None = None) -> Where:
    w = Where("b.tenant_id = app.current_tenant()")
    w.any("b.status", status)
    w.any("b.kind", kind)
    w.any("b.regime", regime)
    w.maybe(uti, "b.uti = %s")
    return w


def breaks_page(conn: psycopg.Connection[Any], where: Where, sort: Sort,
                after: Sequence[Any] | None, limit: int) -> Rows:
    return select_page(conn, _SELECT, where.copy(), sort, after, limit)


def breaks_count(conn: psycopg.Connection[Any], where: Where, cap: int) -> int:
    return count_rows(conn, _FROM, where, cap)


def break_by_id(conn: psycopg.Connection[Any], break_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = conn.execute(f"{_SELECT} WHERE b.id = %s",
                                              (break_id,)).fetchone()
    return row


def break_counts(conn: psycopg.Connection[Any]) -> Rows:
    """{regime, status, kind, n}: only the combinations present."""
    return conn.execute("SELECT regime, status, kind, count(*) AS n FROM tr_breaks"
                        " GROUP BY 1, 2, 3").fetchall()


def report_heads(conn: psycopg.Connection[Any]) -> Rows:
    """The current report of each regime and kind: its date, when loaded, its records."""
    return conn.execute(
        "SELECT h.regime, h.kind, h.reference_date, f.loaded_at, f.records, f.object_key"
        " FROM tr_report_heads h JOIN tr_report_files f ON f.id = h.report_file_id"
        " ORDER BY h.regime, h.kind").fetchall()


def status_counts(conn: psycopg.Connection[Any]) -> Rows:
    """Per regime: open trades at the TR, and the reconciliation statuses by outcome."""
    return conn.execute(
        "SELECT regime,"
        " count(*) FILTER (WHERE NOT two_sided) AS not_applicable,"
        " count(*) FILTER (WHERE two_sided AND NOT paired) AS unpaired,"
        " count(*) FILTER (WHERE paired AND matched) AS matched,"
        " count(*) FILTER (WHERE paired AND NOT matched) AS unmatched"
        " FROM tr_recon_statuses GROUP BY regime").fetchall()


def open_counts(conn: psycopg.Connection[Any]) -> Rows:
    return conn.execute("SELECT regime, count(*) AS n FROM tr_trade_states"
                        " GROUP BY regime").fetchall()


def warning_counts(conn: psycopg.Connection[Any]) -> Rows:
    return conn.execute("SELECT regime, kind, count(*) AS n FROM tr_warnings"
                        " GROUP BY 1, 2").fetchall()


# -- one trade ---------------------------------------------------------------------------------


def trade_known(conn: psycopg.Connection[Any], uti: str) -> bool:
    return conn.execute("SELECT EXISTS (SELECT 1 FROM trades WHERE uti = %s) AS known",
                        (uti,)).fetchone()["known"]  # type: ignore[index]


def trade_states(conn: psycopg.Connection[Any], uti: str) -> Rows:
    return conn.execute(
        "SELECT regime, reference_date, last_action, level, reporting_counterparty,"
        " other_counterparty, received_at, valuation_amount, valuation_currency,"
        " valuation_timestamp, reconciliation_flag, reported_values"
        " FROM tr_trade_states WHERE uti = %s ORDER BY regime", (uti,)).fetchall()


def trade_statuses(conn: psycopg.Connection[Any], uti: str) -> Rows:
    return conn.execute(
        "SELECT regime, reference_date, two_sided, paired, matched, differences,"
        " other_counterparty, revived, further_modified"
        " FROM tr_recon_statuses WHERE uti = %s ORDER BY regime", (uti,)).fetchall()


def trade_warnings(conn: psycopg.Connection[Any], uti: str) -> Rows:
    return conn.execute(
        "SELECT regime, kind, reference_date, valuation_amount, valuation_currency,"
        " valuation_timestamp FROM tr_warnings WHERE uti = %s ORDER BY regime, kind",
        (uti,)).fetchall()


def trade_breaks(conn: psycopg.Connection[Any], uti: str) -> Rows:
    """The trade's breaks, live ones first, newest first."""
    return conn.execute(
        f"{_SELECT} WHERE b.uti = %s ORDER BY (b.status IN ('open', 'assigned')) DESC,"
        " b.id DESC LIMIT 50", (uti,)).fetchall()
