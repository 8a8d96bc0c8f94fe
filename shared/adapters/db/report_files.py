"""Report files: `report_files`, their `report_items` and the `submissions` made of them
(migrations/0001_schema.sql), and the queries over the events a report file is built from.

Generate picks the events that still owe a regime a report and writes them as a file and
its items; submit locks a file, records each delivery attempt and the TR's receipt; feedback
records the TR's verdict on each item. The events a file carries move with it (reported,
submitted, acked, nacked) through their items, so those `trade_events` updates live here
too, as do the two lookups only the report stages make (a tenant's slug and regimes, an
unrenderable event's validation issue).

Every function runs in the caller's transaction (`conn`, tenant or system scope).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db.trade_events import ACTION_RANK_SQL

RENDER_RULE = "SR-SC-033"  # the catalogue's "report schema: the writer's concern"
# Event states that may still owe a regime its report: `valid`, or (an event reportable
# under several regimes) already on its way to the TR under another regime.
REPORTABLE_STATES = ("valid", "reported", "submitted", "acked", "nacked")

# -- generate: which events owe a report -------------------------------------------------------

# The conditions under which event `e` still owes regime %(regime)s a report. The first two
# lines repeat the partial index's predicate (0004_generate.sql) so the planner can use it.
_OWES = f"""
    e.state IN ({", ".join(f"'{s}'" for s in REPORTABLE_STATES)})
    AND cardinality(e.reported_regimes) < greatest(cardinality(e.regimes), 1)
    AND %(regime)s = ANY(CASE WHEN cardinality(e.regimes) = 0
                              THEN %(defaults)b::text[] ELSE e.regimes END)
    AND NOT %(regime)s = ANY(e.reported_regimes)
    AND NOT EXISTS (SELECT 1 FROM validation_issues v
                    WHERE v.event_id = e.id AND v.rule_id = '{RENDER_RULE}'
                      AND v.regime = %(regime)s AND v.status <> 'resolved')
"""

# The reports of the other side that the event's routing owes under %(regime)s (a client's,
# another entity's), in the routing's order. A GROUP report is left out when that entity's
# own FEP sent the same event (same UTI, action and event timestamp, that entity as
# counterparty 1) and it is on its way to the TR: its own event reports that side, and the TR
# gets it once. (Validation refuses the second NEWT of a UTI, SR-LC-015, so today the copy
# that came second is `invalid` and the first reports both sides.)
_ON_BEHALF = f"""
(SELECT coalesce(jsonb_agg(r ORDER BY n), '[]'::jsonb)
 FROM jsonb_array_elements(coalesce(e.routing->'reports', '[]'::jsonb)) WITH ORDINALITY AS x(r, n)
 WHERE r->>'regime' = %(regime)s AND r->>'capacity' <> 'self'
   AND NOT (r->>'capacity' = 'group' AND EXISTS (
       SELECT 1 FROM trade_events s
       WHERE s.tenant_id = e.tenant_id AND s.uti = e.uti AND s.id <> e.id
         AND s.action_type = e.action_type AND s.event_timestamp = e.event_timestamp
         AND s.state IN ({", ".join(f"'{s}'" for s in REPORTABLE_STATES)})
         AND upper(s.payload->'counterparty_1'->>'identifier')
             = upper(r->>'reporting_counterparty'))))::text
"""

_PICK = f"""
SELECT e.id, e.uti, e.action_type, e.event_timestamp, {ACTION_RANK_SQL} AS rank,
       e.created_at, e.deadline_at, e.file_id, e.payload::text AS payload,
       {_ON_BEHALF} AS on_behalf
FROM trade_events e
WHERE e.tenant_id = %(tenant)s AND {_OWES} AND NOT (e.id = ANY(%(skip)b::uuid[]))
ORDER BY e.event_timestamp, rank, e.created_at, e.row_no NULLS LAST, e.id
LIMIT %(limit)s
-- NO KEY: as exclusive among generators as FOR UPDATE, but the foreign-key checks of the
-- rows that point at these events (a trade's last event, set by the refresh of its state)
-- take KEY SHARE, which FOR UPDATE blocked for the whole of a generate run.
FOR NO KEY UPDATE OF e SKIP LOCKED
"""

# Earlier events of the picked UTIs that are still on their way: not yet validated, or owing
# this regime a report but not picked (locked by someone else, or beyond this batch).
_PENDING_BEFORE = f"""
SELECT e.uti, e.event_timestamp, {ACTION_RANK_SQL} AS rank
FROM trade_events e
WHERE e.tenant_id = %(tenant)s AND e.uti = ANY(%(utis)s) AND NOT (e.id = ANY(%(picked)b::uuid[]))
  AND (e.state = 'received' OR ({_OWES}))
"""

_PAIRS = f"""
SELECT DISTINCT e.tenant_id, r.regime
FROM trade_events e
JOIN tenants t ON t.id = e.tenant_id
CROSS JOIN LATERAL unnest(CASE WHEN cardinality(e.regimes) = 0 THEN t.regimes
                               ELSE e.regimes END) AS r(regime)
WHERE e.state IN ({", ".join(f"'{s}'" for s in REPORTABLE_STATES)})
  AND cardinality(e.reported_regimes) < greatest(cardinality(e.regimes), 1)
  AND NOT r.regime = ANY(e.reported_regimes)
  AND (%(tenant)s::uuid IS NULL OR e.tenant_id = %(tenant)s::uuid)
ORDER BY 1, 2
"""


def pending_report_pairs(conn: psycopg.Connection[Any],
                         tenant: str | None) -> list[tuple[uuid.UUID, str]]:
    """(tenant, regime) pairs with events that still owe a report; all visible tenants when
    `tenant` is None."""
    rows = conn.execute(_PAIRS, {"tenant": tenant}).fetchall()
    return [(row["tenant_id"], row["regime"]) for row in rows]


def lock_owed_events(conn: psycopg.Connection[Any], *, tenant: str, regime: str,
                     defaults: list[str], limit: int,
                     skip: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
    """Up to `limit` events owing `regime` a report, in lifecycle order, locked
    (SKIP LOCKED); `skip` are left out."""
    return conn.execute(_PICK, {"tenant": tenant, "regime": regime, "defaults": defaults,
                                "limit": limit, "skip": list(skip)}).fetchall()


def files_settled(conn: Any, tenant_id: Any, file_ids: Sequence[Any]) -> bool:
    """Whether each of these FEP files is wholly read and every one of its records has gone
    past validation (no raw row still `stored`, no event still `received`)."""
    row = conn.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM ingest_files f WHERE f.id = ANY(%(files)b::uuid[])"
        "   AND f.status IN ('received', 'parsing'))"
        " AND NOT EXISTS (SELECT 1 FROM raw_rows r WHERE r.file_id = ANY(%(files)b::uuid[])"
        "   AND r.state = 'stored')"
        " AND NOT EXISTS (SELECT 1 FROM trade_events e WHERE e.tenant_id = %(tenant)s"
        "   AND e.state = 'received' AND e.file_id = ANY(%(files)b::uuid[])) AS settled",
        {"tenant": str(tenant_id), "files": [str(f) for f in file_ids]},
    ).fetchone()
    return bool(row and row["settled"])


def pending_earlier_events(conn: psycopg.Connection[Any], *, tenant: str, regime: str,
                           defaults: list[str], utis: list[str],
                           picked: list[uuid.UUID]) -> list[dict[str, Any]]:
    """(uti, event_timestamp, rank) of the unpicked events of `utis` still on their way:
    not yet validated, or owing `regime` a report."""
    return conn.execute(_PENDING_BEFORE, {"tenant": tenant, "regime": regime,
                                          "defaults": defaults, "utis": utis,
                                          "picked": picked}).fetchall()


def insert_reject_issue(conn: psycopg.Connection[Any], *, tenant_id: str, event_id: uuid.UUID,
                        rule_id: str, message: str, message_ko: str, regime: str) -> None:
    """A `reject` validation issue of one event under one regime."""
    conn.execute(
        "INSERT INTO validation_issues (tenant_id, event_id, rule_id, severity, message,"
        " message_ko, regime) VALUES (%s, %s, %s, 'reject', %s, %s, %s)",
        (tenant_id, event_id, rule_id, message, message_ko, regime),
    )


def invalidate_valid_event(conn: psycopg.Connection[Any], event_id: uuid.UUID) -> None:
    """The event becomes `invalid` if it is `valid`; any other state stays."""
    conn.execute(
        "UPDATE trade_events SET state = 'invalid', updated_at = now()"
        " WHERE id = %s AND state = 'valid'", (event_id,),
    )


# -- generate: the file and its items ----------------------------------------------------------

def insert_report_file(conn: psycopg.Connection[Any], *, report_file_id: str, tenant_id: str,
                       regime: str, tr: str, bucket: str, object_key: str,
                       record_count: int) -> None:
    """A `generated` report file. clock_timestamp(), not now(): files written in one
    transaction keep their order, which submit follows."""
    conn.execute(
        "INSERT INTO report_files (id, tenant_id, regime, tr, bucket, object_key, record_count,"
        " status, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, 'generated',"
        " clock_timestamp())",
        (report_file_id, tenant_id, regime, tr, bucket, object_key, record_count),
    )


def insert_report_items(conn: psycopg.Connection[Any],
                        items: list[tuple[str, str, uuid.UUID, int, str, str | None]]) -> None:
    """The file's items: (tenant_id, report_file_id, event_id, position, record_ref,
    reporting_counterparty), in one statement; the reporting counterparty is None for the
    tenant's own side, a LEI for a report made on another's behalf."""
    if not items:
        return
    tenants, files, events, positions, refs, sides = (list(c) for c in zip(*items, strict=True))
    conn.execute(
        "INSERT INTO report_items (tenant_id, report_file_id, event_id, position, record_ref,"
        " reporting_counterparty)"
        " SELECT t, f, e, p, r, s FROM unnest(%b::uuid[], %b::uuid[], %b::uuid[], %b::int[],"
        " %b::text[], %b::text[]) WITH ORDINALITY AS x(t, f, e, p, r, s, n) ORDER BY n",
        ([str(t) for t in tenants], [str(f) for f in files], [str(e) for e in events],
         positions, refs, sides))


def mark_events_reported(conn: psycopg.Connection[Any], *, event_ids: list[uuid.UUID],
                         regime: str, defaults: list[str]) -> list[str]:
    """The events have been reported under `regime` (`valid` ones become `reported`; an
    event with no regimes of its own is pinned to `defaults`): the UTIs touched."""
    rows = conn.execute(
        "UPDATE trade_events SET"
        " state = CASE WHEN state = 'valid' THEN 'reported' ELSE state END,"
        " regimes = CASE WHEN cardinality(regimes) = 0 THEN %(defaults)b::text[] ELSE regimes END,"
        " reported_regimes = array_append(reported_regimes, %(regime)s), updated_at = now()"
        " WHERE id = ANY(%(ids)b::uuid[]) RETURNING uti",
        {"defaults": defaults, "regime": regime, "ids": event_ids},
    ).fetchall()
    return [row["uti"] for row in rows]


# -- submit ------------------------------------------------------------------------------------

# An older unsent file of the same tenant and TR that holds an event of a UTI this file also
# reports: it must reach the TR first (a NEWT's file before its MODI's). Files with no UTI in
# common go in any order, so one stuck file does not hold up the tenant's other reports.
_OLDER_FILE_FIRST = """
SELECT o.id, o.status FROM report_files o
WHERE o.tenant_id = %s AND o.regime = %s AND o.tr = %s AND o.created_at < %s
  AND o.status = ANY(%s)
  AND EXISTS (SELECT 1 FROM report_items mi
              JOIN trade_events me ON me.id = mi.event_id
              JOIN trade_events oe ON oe.tenant_id = me.tenant_id AND oe.uti = me.uti
              JOIN report_items oi ON oi.event_id = oe.id
              WHERE mi.report_file_id = %s AND oi.report_file_id = o.id)
ORDER BY o.created_at LIMIT 1
"""


def lock_report_file_for_submit(conn: psycopg.Connection[Any],
                                file_id: str) -> dict[str, Any] | None:
    """The report file with its tenant's `tenant_slug` and `tenant_lei`, locked
    FOR NO KEY UPDATE (concurrent deliveries wait here); None if not visible."""
    return conn.execute(
        "SELECT rf.*, t.slug AS tenant_slug, t.lei AS tenant_lei FROM report_files rf"
        " JOIN tenants t ON t.id = rf.tenant_id WHERE rf.id = %s FOR NO KEY UPDATE OF rf",
        (file_id,),
    ).fetchone()


def older_file_first(conn: psycopg.Connection[Any], *, tenant_id: Any, regime: str, tr: str,
                     created_at: datetime, statuses: list[str],
                     file_id: str) -> dict[str, Any] | None:
    """(id, status) of the oldest earlier file of the tenant and TR, in one of `statuses`,
    sharing a UTI with `file_id`: it must reach the TR first."""
    return conn.execute(_OLDER_FILE_FIRST, (tenant_id, regime, tr, created_at, statuses,
                                            file_id)).fetchone()


def next_file_after(conn: psycopg.Connection[Any], file_id: str,
                    statuses: list[str]) -> Any | None:
    """The id of the next newer file of the same tenant and TR in one of `statuses`."""
    row = conn.execute(
        "SELECT n.id FROM report_files f JOIN report_files n ON n.tenant_id = f.tenant_id"
        " AND n.regime = f.regime AND n.tr = f.tr AND n.created_at > f.created_at"
        " WHERE f.id = %s AND n.status = ANY(%s) ORDER BY n.created_at LIMIT 1",
        (file_id, statuses),
    ).fetchone()
    return None if row is None else row["id"]


def mark_file_failed(conn: psycopg.Connection[Any], file_id: str, reason: str) -> None:
    conn.execute("UPDATE report_files SET status = 'failed', reject_reason = %s,"
                 " updated_at = now() WHERE id = %s", (reason, file_id))


def mark_file_submitted(conn: psycopg.Connection[Any], file_id: str,
                        tr_message_id: str) -> None:
    """The TR took the file: its first message id and submission time are kept, and a file
    already final (acked, partially_acked, rejected) keeps its status."""
    conn.execute(
        "UPDATE report_files SET tr_message_id = coalesce(tr_message_id, %s),"
        " submitted_at = coalesce(submitted_at, now()), updated_at = now(),"
        " status = CASE WHEN status IN ('acked', 'partially_acked', 'rejected') THEN status"
        "          ELSE 'submitted' END WHERE id = %s",
        (tr_message_id, file_id),
    )


def mark_file_events_submitted(conn: psycopg.Connection[Any], file_id: str) -> list[str]:
    """The file's `reported` events become `submitted`: the UTIs touched."""
    rows = conn.execute(
        "UPDATE trade_events e SET state = 'submitted', updated_at = now()"
        " FROM report_items i WHERE i.report_file_id = %s AND e.id = i.event_id"
        " AND e.state = 'reported' RETURNING e.uti",
        (file_id,),
    ).fetchall()
    return [row["uti"] for row in rows]


def mark_file_rejected(conn: psycopg.Connection[Any], file_id: str, code: str,
                       reason: str) -> None:
    conn.execute(
        "UPDATE report_files SET status = 'rejected', reject_code = %s, reject_reason = %s,"
        " updated_at = now() WHERE id = %s", (code, reason, file_id))


def nack_pending_items(conn: psycopg.Connection[Any], file_id: str, code: str,
                       message: str) -> int:
    """The file's pending items become `nacked` with `code`: how many."""
    return conn.execute(
        "UPDATE report_items SET status = 'nacked', tr_code = %s, tr_message = %s"
        " WHERE report_file_id = %s AND status = 'pending'",
        (code, message, file_id),
    ).rowcount


def mark_file_events_nacked(conn: psycopg.Connection[Any], file_id: str) -> list[str]:
    """The file's `reported` or `submitted` events become `nacked`: the UTIs touched."""
    rows = conn.execute(
        "UPDATE trade_events e SET state = 'nacked', updated_at = now()"
        " FROM report_items i WHERE i.report_file_id = %s AND e.id = i.event_id"
        " AND e.state IN ('reported', 'submitted') RETURNING e.uti",
        (file_id,),
    ).fetchall()
    return [row["uti"] for row in rows]


# -- submissions: one row per delivery attempt -------------------------------------------------

def start_submission(conn: psycopg.Connection[Any], tenant_id: Any, report_file_id: str) -> int:
    """A new attempt row for the file: its attempt number (1, 2, ...)."""
    row = conn.execute(
        "INSERT INTO submissions (tenant_id, report_file_id, attempt)"
        " SELECT %(t)s, %(f)s, coalesce(max(attempt), 0) + 1 FROM submissions"
        " WHERE report_file_id = %(f)s RETURNING attempt",
        {"t": tenant_id, "f": report_file_id},
    ).fetchone()
    assert row is not None  # INSERT ... SELECT of an aggregate: always one row
    return int(row["attempt"])


_FINISH = (
    "UPDATE submissions SET finished_at = now(), http_status = %(status)s,"
    " tr_message_id = %(mid)s, outcome = %(outcome)s, error = %(error)s"
    " WHERE report_file_id = %(f)s AND attempt = %(n)s"
)


def finish_submission(conn: psycopg.Connection[Any], report_file_id: str, attempt: int, *,
                      outcome: str | None, status: int | None, mid: str | None,
                      error: str | None) -> None:
    conn.execute(_FINISH, {"f": report_file_id, "n": attempt, "outcome": outcome,
                           "status": status, "mid": mid, "error": error})


def delete_submission(conn: psycopg.Connection[Any], report_file_id: str, attempt: int) -> None:
    conn.execute("DELETE FROM submissions WHERE report_file_id = %s AND attempt = %s",
                 (report_file_id, attempt))


# -- feedback ----------------------------------------------------------------------------------

def lock_report_file(conn: psycopg.Connection[Any], file_id: Any) -> dict[str, Any] | None:
    """The report file, locked FOR NO KEY UPDATE (the lock submit takes)."""
    return conn.execute("SELECT * FROM report_files WHERE id = %s FOR NO KEY UPDATE",
                        (file_id,)).fetchone()


def lock_report_file_by_message(conn: psycopg.Connection[Any],
                                tr_message_id: str) -> dict[str, Any] | None:
    """The report file the TR knows as `tr_message_id`, locked FOR NO KEY UPDATE."""
    return conn.execute("SELECT * FROM report_files WHERE tr_message_id = %s"
                        " FOR NO KEY UPDATE", (tr_message_id,)).fetchone()


def report_items_of(conn: psycopg.Connection[Any], file_id: str) -> list[dict[str, Any]]:
    """(id, position, record_ref, event_id, status, reporting_counterparty) of each item of
    the file."""
    return conn.execute(
        "SELECT id, position, record_ref, event_id, status, reporting_counterparty"
        " FROM report_items"
        " WHERE report_file_id = %s", (file_id,),
    ).fetchall()


def settle_pending_items(conn: psycopg.Connection[Any], ids: list[int], statuses: list[str],
                         codes: list[str | None], messages: list[str | None]) -> None:
    """Item i of `ids` gets statuses[i], codes[i], messages[i], if it is still pending."""
    conn.execute(
        "UPDATE report_items i SET status = v.status, tr_code = v.code, tr_message = v.msg"
        " FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::text[])"
        " AS v(id, status, code, msg) WHERE i.id = v.id AND i.status = 'pending'",
        (ids, statuses, codes, messages),
    )


def settle_events(conn: psycopg.Connection[Any], event_ids: list[Any],
                  states: list[str]) -> list[str]:
    """Event i of `event_ids` gets states[i] if it is `reported` or `submitted`, or is
    `acked` and gets `nacked` (a NACK from any TR wins): the UTIs touched."""
    rows = conn.execute(
        "UPDATE trade_events e SET state = v.state, updated_at = now()"
        " FROM unnest(%b::uuid[], %b::text[]) AS v(id, state)"
        " WHERE e.id = v.id AND (e.state IN ('reported', 'submitted')"
        "   OR (e.state = 'acked' AND v.state = 'nacked')) RETURNING e.uti",
        (event_ids, states),
    ).fetchall()
    return [row["uti"] for row in rows]


def item_status_counts(conn: psycopg.Connection[Any], file_id: Any) -> dict[str, Any]:
    """`pending`, `acked` and `nacked`: how many of the file's items are in each."""
    row: dict[str, Any] | None = conn.execute(
        "SELECT count(*) FILTER (WHERE status = 'pending') AS pending,"
        " count(*) FILTER (WHERE status = 'acked') AS acked,"
        " count(*) FILTER (WHERE status = 'nacked') AS nacked"
        " FROM report_items WHERE report_file_id = %s", (file_id,),
    ).fetchone()
    assert row is not None  # an aggregate: always one row
    return row


def record_file_feedback(conn: psycopg.Connection[Any], file_id: Any, status: str,
                         tr_message_id: str) -> None:
    """The file's status after feedback; its message id and submission time are filled in
    if the submit that sent it never recorded them."""
    conn.execute(
        "UPDATE report_files SET status = %s, tr_message_id = coalesce(tr_message_id, %s),"
        " submitted_at = coalesce(submitted_at, now()), feedback_at = now(),"
        " updated_at = now() WHERE id = %s",
        (status, tr_message_id, file_id),
    )
