"""The statements operator actions run (shared/services/operations): repair, resubmit, cancel
and re-validate change `trade_events` (and the `validation_issues` and `raw_rows` that follow
an event), triage assigns and resolves `validation_issues`.

They are here rather than with the stages that own those tables because they are the
operator's moves, judged one entity at a time: each reads the row it acts on `FOR UPDATE`, so
two operators (or an operator and a stage) never both act on the state they read. The caller's
connection carries the transaction (a savepoint per item of a bulk action) and the tenant
scope, where RLS makes another tenant's rows not found. Acknowledging an alert is in
shared/adapters/db/alerts.py, the audit row in shared/adapters/db/audit.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

# -- events ---------------------------------------------------------------------------------

_LOCK_EVENT = ("SELECT id, tenant_id, uti, state, regimes, reported_regimes FROM trade_events"
               " WHERE id = %s FOR UPDATE")

# Per regime, the event's item in the newest file: a regime whose latest verdict is NACK is
# what a resubmission sends again (an earlier NACK since re-sent and pending is not).
_LATEST_ITEMS = """
SELECT DISTINCT ON (f.regime) f.regime, i.status, i.tr_code, i.tr_message, f.id AS file_id
FROM report_items i JOIN report_files f ON f.id = i.report_file_id
WHERE i.event_id = %s
ORDER BY f.regime, f.created_at DESC, i.id DESC
"""

_REPAIRABLE_EVENT = ("SELECT id, tenant_id, state, uti, action_type, payload, payload_hash,"
                     " version, file_id, row_no FROM trade_events WHERE id = %s")


def lock_event(conn: psycopg.Connection[Any], event_id: Any) -> dict[str, Any] | None:
    """The event a bulk action judges (state, regimes), locked; None: not found."""
    return conn.execute(_LOCK_EVENT, (event_id,)).fetchone()


def latest_report_items(conn: psycopg.Connection[Any], event_id: Any) -> list[dict[str, Any]]:
    """Per regime, the event's item in that regime's newest report file (its TR's latest
    verdict: status, tr_code, tr_message, file_id)."""
    return conn.execute(_LATEST_ITEMS, (event_id,)).fetchall()


def newer_version(conn: psycopg.Connection[Any], event_id: Any) -> dict[str, Any] | None:
    """The event that superseded `event_id` (id, version), if any."""
    return conn.execute("SELECT id, version FROM trade_events WHERE supersedes = %s",
                        (event_id,)).fetchone()


def newer_version_with_state(conn: psycopg.Connection[Any],
                             event_id: Any) -> dict[str, Any] | None:
    """The event that superseded `event_id` (id, version, state), if any."""
    return conn.execute("SELECT id, version, state FROM trade_events WHERE supersedes = %s",
                        (event_id,)).fetchone()


def mark_event_resubmitted(conn: psycopg.Connection[Any], event_id: Any,
                           reported_regimes: list[str]) -> None:
    """Back to `valid` with only `reported_regimes` left as reported (generate sends it again
    to the others)."""
    conn.execute("UPDATE trade_events SET state = 'valid', reported_regimes = %s,"
                 " updated_at = now() WHERE id = %s", (reported_regimes, event_id))


def mark_event_cancelled(conn: psycopg.Connection[Any], event_id: Any) -> None:
    conn.execute("UPDATE trade_events SET state = 'cancelled', waiting_for = NULL,"
                 " updated_at = now() WHERE id = %s", (event_id,))


def mark_event_received(conn: psycopg.Connection[Any], event_id: Any) -> None:
    """Back to `received`, for validation to judge it again."""
    conn.execute("UPDATE trade_events SET state = 'received', waiting_for = NULL,"
                 " updated_at = now() WHERE id = %s", (event_id,))


def resolve_event_issues(conn: psycopg.Connection[Any], event_id: Any) -> int:
    """Resolve every unresolved issue of the event; how many."""
    return conn.execute(
        "UPDATE validation_issues SET status = 'resolved', resolved_at = now()"
        " WHERE event_id = %s AND status <> 'resolved'", (event_id,)).rowcount


# -- repair ---------------------------------------------------------------------------------


def repairable_event(conn: psycopg.Connection[Any], event_id: Any, *,
                     lock: bool) -> dict[str, Any] | None:
    """The event with its payload, file and row (locked when `lock`); None: not found."""
    return conn.execute(_REPAIRABLE_EVENT + (" FOR UPDATE" if lock else ""),
                        (event_id,)).fetchone()


def event_state(conn: psycopg.Connection[Any], event_id: Any) -> str | None:
    row = conn.execute("SELECT state FROM trade_events WHERE id = %s", (event_id,)).fetchone()
    return row["state"] if row else None


def link_new_version(conn: psycopg.Connection[Any], new_id: Any, *, version: int,
                     supersedes: Any) -> None:
    """The repaired event as version `version` of the one it `supersedes`."""
    conn.execute("UPDATE trade_events SET version = %s, supersedes = %s WHERE id = %s",
                 (version, supersedes, new_id))


def mark_event_superseded(conn: psycopg.Connection[Any], event_id: Any) -> None:
    conn.execute("UPDATE trade_events SET state = 'superseded', waiting_for = NULL,"
                 " updated_at = now() WHERE id = %s", (event_id,))


def move_raw_rows(conn: psycopg.Connection[Any], old_id: Any, new_id: Any) -> int:
    """Input rows (and their duplicates) of `old_id` now show `new_id`; how many."""
    return conn.execute("UPDATE raw_rows SET event_id = %s WHERE event_id = %s",
                        (new_id, old_id)).rowcount


# -- triage ---------------------------------------------------------------------------------


def select_issues(conn: psycopg.Connection[Any], *, status: str | None, event_id: Any,
                  rule_id: str | None, limit: int) -> list[dict[str, Any]]:
    """Issues with their event and input row, newest first: `status` None is every status,
    'open' takes in 'assigned'; None for `event_id` / `rule_id` is any."""
    return conn.execute(
        "SELECT i.id, i.event_id, i.rule_id, i.severity, i.field, i.value, i.regime,"
        " i.message, i.status, i.assignee, i.created_at, e.uti, e.action_type,"
        " e.state AS event_state, f.object_key, e.row_no"
        " FROM validation_issues i JOIN trade_events e ON e.id = i.event_id"
        " LEFT JOIN ingest_files f ON f.id = e.file_id"
        " WHERE (%(status)s::text IS NULL OR i.status = %(status)s"
        "        OR (%(status)s = 'open' AND i.status = 'assigned'))"
        "   AND (%(event)s::uuid IS NULL OR i.event_id = %(event)s::uuid)"
        "   AND (%(rule)s::text IS NULL OR i.rule_id = %(rule)s)"
        " ORDER BY i.id DESC LIMIT %(limit)s",
        {"status": status, "event": str(event_id) if event_id else None, "rule": rule_id,
         "limit": limit}).fetchall()


def lock_issue(conn: psycopg.Connection[Any], issue_id: int) -> dict[str, Any] | None:
    """The issue to assign or resolve, locked; None: not found."""
    return conn.execute("SELECT id, tenant_id, event_id, rule_id, status, assignee"
                        " FROM validation_issues WHERE id = %s FOR UPDATE",
                        (issue_id,)).fetchone()


def assign_issue(conn: psycopg.Connection[Any], issue_id: Any, assignee: str) -> None:
    conn.execute("UPDATE validation_issues SET status = 'assigned', assignee = %s"
                 " WHERE id = %s", (assignee, issue_id))


def resolve_issue(conn: psycopg.Connection[Any], issue_id: Any) -> None:
    conn.execute("UPDATE validation_issues SET status = 'resolved', resolved_at = now()"
                 " WHERE id = %s", (issue_id,))
