"""A TR's end-of-day reports as the tr-reports stage keeps them (migrations/0023_tr_reports.sql):
the load ledger `tr_report_files`, the current report of each kind (`tr_report_heads`), the
TR's view (`tr_trade_states`, `tr_recon_statuses`, `tr_warnings`), our books as the TR should
know them, and `tr_breaks` with the operators' assignment and resolution.

Every function runs in the caller's transaction (`conn`, tenant scope: RLS keeps tenants
apart; `tenant_id` is written explicitly because the policy's WITH CHECK requires it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import psycopg

from shared.adapters.db.trade_events import ACTION_RANK_SQL

Rows = list[dict[str, Any]]

# -- the ledger -------------------------------------------------------------------------------


def record_delivery(conn: psycopg.Connection[Any], *, tenant_id: Any, bucket: str,
                    object_key: str, sha256: str) -> dict[str, Any]:
    """The ledger row of this content: new (inserted), or the existing one with one more
    delivery. Returns id, inserted, status, object_key (of the first delivery)."""
    row: dict[str, Any] | None = conn.execute(
        "INSERT INTO tr_report_files (tenant_id, bucket, object_key, sha256)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT (tenant_id, sha256) DO UPDATE"
        " SET deliveries = tr_report_files.deliveries + 1, last_seen_at = now()"
        " RETURNING id, (xmax = 0) AS inserted, status, object_key",
        (tenant_id, bucket, object_key, sha256)).fetchone()
    assert row is not None
    return row


def mark_file(conn: psycopg.Connection[Any], file_id: int, *, status: str,
              regime: str | None, kind: str | None, reference_date: date | None,
              records: int = 0, problems: Sequence[str] = (), error: str | None = None) -> None:
    conn.execute(
        "UPDATE tr_report_files SET status = %s, regime = %s, kind = %s, reference_date = %s,"
        " records = %s, problems = %s::jsonb, error = %s,"
        " loaded_at = CASE WHEN %s = 'loaded' THEN now() END WHERE id = %s",
        (status, regime, kind, reference_date, records, json.dumps(list(problems)), error,
         status, file_id))


def head(conn: psycopg.Connection[Any], regime: str, kind: str) -> dict[str, Any] | None:
    """The current report of `kind` for `regime` (locked: two loads of one regime queue)."""
    row: dict[str, Any] | None = conn.execute(
        "SELECT reference_date, report_file_id FROM tr_report_heads"
        " WHERE regime = %s AND kind = %s FOR UPDATE", (regime, kind)).fetchone()
    return row


def set_head(conn: psycopg.Connection[Any], tenant_id: Any, regime: str, kind: str,
             reference_date: date, file_id: int) -> None:
    conn.execute(
        "INSERT INTO tr_report_heads (tenant_id, regime, kind, reference_date, report_file_id)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (tenant_id, regime, kind) DO UPDATE"
        " SET reference_date = EXCLUDED.reference_date,"
        " report_file_id = EXCLUDED.report_file_id",
        (tenant_id, regime, kind, reference_date, file_id))


def lock_regime(conn: psycopg.Connection[Any], tenant_id: Any, regime: str) -> None:
    """One load (and break computation) per tenant and regime at a time."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('tr-reports:' || %s || ':' || %s))",
                 (str(tenant_id), regime))


# -- the TR's view: each kind replaced as a whole by its newer report --------------------------


def replace_states(conn: psycopg.Connection[Any], tenant_id: Any, regime: str,
                   reference_date: date, file_id: int, trades: Sequence[Any]) -> None:
    """`trades`: shared.domain.reconciliation.TrTrade, the open trades of the report."""
    conn.execute("DELETE FROM tr_trade_states WHERE regime = %s", (regime,))
    if not trades:
        return
    conn.execute(
        "INSERT INTO tr_trade_states (tenant_id, regime, uti, reference_date, report_file_id,"
        " last_action, level, reporting_counterparty, other_counterparty, received_at,"
        " valuation_amount, valuation_currency, valuation_timestamp, reconciliation_flag,"
        " reported_values)"
        " SELECT %(tenant)s, %(regime)s, v.uti, %(day)s, %(file)s, v.action, v.level, v.rc,"
        " v.oc, v.received, v.amount, v.ccy, v.valued, v.flag, v.vals::jsonb"
        " FROM unnest(%(uti)s::text[], %(action)s::text[], %(level)s::text[], %(rc)s::text[],"
        " %(oc)s::text[], %(received)s::timestamptz[], %(amount)s::numeric[], %(ccy)s::text[],"
        " %(valued)s::timestamptz[], %(flag)s::text[], %(vals)s::text[])"
        " AS v(uti, action, level, rc, oc, received, amount, ccy, valued, flag, vals)",
        {"tenant": tenant_id, "regime": regime, "day": reference_date, "file": file_id,
         "uti": [t.uti for t in trades], "action": [t.last_action for t in trades],
         "level": [t.level for t in trades],
         "rc": [t.reporting_counterparty for t in trades],
         "oc": [t.other_counterparty for t in trades],
         "received": [t.received_at for t in trades],
         "amount": [t.valuation_amount for t in trades],
         "ccy": [t.valuation_currency for t in trades],
         "valued": [t.valuation_timestamp for t in trades],
         "flag": [t.reconciliation_flag for t in trades],
         "vals": [json.dumps(dict(t.values)) for t in trades]})


def replace_statuses(conn: psycopg.Connection[Any], tenant_id: Any, regime: str,
                     reference_date: date, file_id: int, statuses: Sequence[Any]) -> None:
    """`statuses`: shared.domain.reconciliation.ReconStatus."""
    conn.execute("DELETE FROM tr_recon_statuses WHERE regime = %s", (regime,))
    if not statuses:
        return
    conn.execute(
        "INSERT INTO tr_recon_statuses (tenant_id, regime, uti, reference_date, report_file_id,"
        " two_sided, paired, matched, differences, other_counterparty, revived,"
        " further_modified)"
        " SELECT %(tenant)s, %(regime)s, v.uti, %(day)s, %(file)s, v.two, v.paired, v.matched,"
        " v.diffs::jsonb, v.oc, v.revived, v.modified"
        " FROM unnest(%(uti)s::text[], %(two)s::bool[], %(paired)s::bool[],"
        " %(matched)s::bool[], %(diffs)s::text[], %(oc)s::text[], %(revived)s::bool[],"
        " %(modified)s::bool[]) AS v(uti, two, paired, matched, diffs, oc, revived, modified)",
        {"tenant": tenant_id, "regime": regime, "day": reference_date, "file": file_id,
         "uti": [s.uti for s in statuses], "two": [s.two_sided for s in statuses],
         "paired": [s.paired for s in statuses], "matched": [s.matched for s in statuses],
         "diffs": [json.dumps([d.as_dict() for d in s.differences]) for s in statuses],
         "oc": [s.other_counterparty for s in statuses],
         "revived": [s.revived for s in statuses],
         "modified": [s.further_modified for s in statuses]})


def replace_warnings(conn: psycopg.Connection[Any], tenant_id: Any, regime: str,
                     reference_date: date, file_id: int, warnings: Sequence[Any]) -> None:
    """`warnings`: shared.domain.reconciliation.TrWarning."""
    conn.execute("DELETE FROM tr_warnings WHERE regime = %s", (regime,))
    if not warnings:
        return
    conn.execute(
        "INSERT INTO tr_warnings (tenant_id, regime, uti, kind, reference_date, report_file_id,"
        " other_counterparty, valuation_amount, valuation_currency, valuation_timestamp)"
        " SELECT %(tenant)s, %(regime)s, v.uti, v.kind, %(day)s, %(file)s, v.oc, v.amount,"
        " v.ccy, v.valued FROM unnest(%(uti)s::text[], %(kind)s::text[], %(oc)s::text[],"
        " %(amount)s::numeric[], %(ccy)s::text[], %(valued)s::timestamptz[])"
        " AS v(uti, kind, oc, amount, ccy, valued)",
        {"tenant": tenant_id, "regime": regime, "day": reference_date, "file": file_id,
         "uti": [w.uti for w in warnings], "kind": [w.kind.value for w in warnings],
         "oc": [w.other_counterparty for w in warnings],
         "amount": [w.valuation_amount for w in warnings],
         "ccy": [w.valuation_currency for w in warnings],
         "valued": [w.valuation_timestamp for w in warnings]})


def tr_open_trades(conn: psycopg.Connection[Any], regime: str) -> Rows:
    """The open trades of the current trade state report: uti, last_action."""
    return conn.execute("SELECT uti, last_action FROM tr_trade_states WHERE regime = %s",
                        (regime,)).fetchall()


def recon_statuses(conn: psycopg.Connection[Any], regime: str) -> Rows:
    return conn.execute(
        "SELECT uti, two_sided, paired, matched, differences, other_counterparty, revived,"
        " further_modified FROM tr_recon_statuses WHERE regime = %s", (regime,)).fetchall()


# -- our books, as the TR should know them -----------------------------------------------------

# Per UTI, the latest (lifecycle order) of our events that went to this regime's TR in a file
# that reached it (or that it refused as a whole) by the cut-off: what our books told the TR.
_OURS = """
SELECT DISTINCT ON (e.uti) e.uti, e.action_type{payload}
FROM report_files f
JOIN report_items i ON i.report_file_id = f.id
JOIN trade_events e ON e.id = i.event_id
WHERE f.regime = %(regime)s
  AND f.status IN ('submitted', 'acked', 'partially_acked', 'rejected')
  AND coalesce(f.submitted_at, f.feedback_at, f.updated_at) <= %(cutoff)s
ORDER BY e.uti, e.event_timestamp DESC, {rank} DESC, e.created_at DESC,
         e.row_no DESC NULLS LAST, e.id DESC
"""
_OURS_BARE = _OURS.format(payload="", rank=ACTION_RANK_SQL)
_OURS_WITH_PAYLOAD = _OURS.format(payload=", e.payload", rank=ACTION_RANK_SQL)


def our_trades(conn: psycopg.Connection[Any], regime: str, cutoff: datetime, *,
               payload: bool = False) -> Rows:
    """uti and action_type (and the event's `payload`, when asked: verification compares its
    fields) of our latest event sent to `regime`'s TR by `cutoff`."""
    return conn.execute(_OURS_WITH_PAYLOAD if payload else _OURS_BARE,
                        {"regime": regime, "cutoff": cutoff}).fetchall()


def now(conn: psycopg.Connection[Any]) -> datetime:
    """The database's clock: report files' times are written with it."""
    row = conn.execute("SELECT now() AS now").fetchone()
    assert row is not None
    moment: datetime = row["now"]
    return moment


# -- breaks ----------------------------------------------------------------------------------


def live_breaks(conn: psycopg.Connection[Any], regime: str) -> Rows:
    """Open and assigned breaks of `regime` (locked: the stage updates them)."""
    return conn.execute(
        "SELECT id, uti, kind, signature, status FROM tr_breaks"
        " WHERE regime = %s AND status IN ('open', 'assigned') FOR UPDATE", (regime,)).fetchall()


def resolved_signatures(conn: psycopg.Connection[Any], regime: str) -> set[str]:
    """Signatures of the breaks operators resolved: the same break found again stays so."""
    return {r["signature"] for r in conn.execute(
        "SELECT DISTINCT signature FROM tr_breaks WHERE regime = %s AND status = 'resolved'",
        (regime,))}


def insert_break(conn: psycopg.Connection[Any], tenant_id: Any, regime: str, found: Any,
                 reference_date: date) -> int:
    """`found`: shared.domain.reconciliation.Break; returns the new id."""
    row = conn.execute(
        "INSERT INTO tr_breaks (tenant_id, regime, uti, kind, signature, differences,"
        " our_action, tr_action, first_reference_date, last_reference_date)"
        " VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s) RETURNING id",
        (tenant_id, regime, found.uti, found.kind.value, found.signature,
         json.dumps([d.as_dict() for d in found.differences]), found.our_action,
         found.tr_action, reference_date, reference_date)).fetchone()
    assert row is not None
    return int(row["id"])


def refresh_break(conn: psycopg.Connection[Any], break_id: int, found: Any,
                  reference_date: date) -> None:
    """A live break seen again: its latest details (an assignment stands)."""
    conn.execute(
        "UPDATE tr_breaks SET signature = %s, differences = %s::jsonb, our_action = %s,"
        " tr_action = %s, last_reference_date = greatest(last_reference_date, %s),"
        " last_seen_at = now() WHERE id = %s",
        (found.signature, json.dumps([d.as_dict() for d in found.differences]),
         found.our_action, found.tr_action, reference_date, break_id))


def clear_breaks(conn: psycopg.Connection[Any], break_ids: Sequence[int]) -> None:
    """Breaks a later report no longer shows."""
    if break_ids:
        conn.execute("UPDATE tr_breaks SET status = 'cleared', cleared_at = now()"
                     " WHERE id = ANY(%s)", (list(break_ids),))


def lock_break(conn: psycopg.Connection[Any], break_id: int) -> dict[str, Any] | None:
    """A break to assign or resolve, locked; None: not found (or another tenant's)."""
    row: dict[str, Any] | None = conn.execute(
        "SELECT id, tenant_id, regime, uti, kind, status, assignee, resolution_note"
        " FROM tr_breaks"
        " WHERE id = %s FOR UPDATE", (break_id,)).fetchone()
    return row


def assign_break(conn: psycopg.Connection[Any], break_id: int, assignee: str) -> None:
    conn.execute("UPDATE tr_breaks SET status = 'assigned', assignee = %s WHERE id = %s",
                 (assignee, break_id))


def resolve_break(conn: psycopg.Connection[Any], break_id: int, note: str,
                  resolved_by: str) -> datetime:
    row = conn.execute(
        "UPDATE tr_breaks SET status = 'resolved', resolution_note = %s, resolved_by = %s,"
        " resolved_at = now() WHERE id = %s RETURNING resolved_at",
        (note, resolved_by, break_id)).fetchone()
    assert row is not None
    moment: datetime = row["resolved_at"]
    return moment


def live_break_counts(conn: psycopg.Connection[Any], regime: str) -> dict[str, int]:
    return {r["kind"]: r["n"] for r in conn.execute(
        "SELECT kind, count(*) AS n FROM tr_breaks WHERE regime = %s"
        " AND status IN ('open', 'assigned') GROUP BY kind", (regime,))}
