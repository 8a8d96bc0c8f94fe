"""The monitor's statements (shared/services/monitoring, docs/MONITOR.md).

Reads across the pipeline's tables that turn its state into alerts: deadlines
(`trade_events`), expired leases (`queue_messages`), stuck files (`ingest_files`,
`report_files`), TR silence (`report_files`), reconciliation (`trade_events`, `report_items`,
`trades`), the anomaly counts (`trade_events`, `validation_issues`, `report_items`), and the
alerts due a webhook post. And the tables only the monitor writes: `monitor_checks` (the run
ledger and lease of each check, the anomaly window, the lost-trigger sweep's markers),
`reconciliation_breaks` and `swept_objects`.

Every function runs in the caller's transaction and scope (the checks read in a system
scope, reconciliation in each tenant's); `statement_timeout` bounds the check's transaction.
The alerts themselves are written by shared/adapters/db/alerts.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.adapters.db import deadlines
from shared.adapters.db.trade_events import ACTION_RANK_SQL

if TYPE_CHECKING:
    import psycopg

Rows = list[dict[str, Any]]


def bound_statements(conn: psycopg.Connection[Any], timeout: str) -> None:
    """`statement_timeout` (e.g. "10000ms") for the rest of this transaction."""
    conn.execute("SELECT set_config('statement_timeout', %s, true)", (timeout,))


def database_now(conn: psycopg.Connection[Any]) -> datetime:
    """The transaction's `now()`: the clock the checks' windows are read against."""
    row: Any = conn.execute("SELECT now() AS now").fetchone()
    now: datetime = row["now"]
    return now


# -- the run ledger (`monitor_checks`) ----------------------------------------------------------


def claim_check_run(conn: psycopg.Connection[Any], name: str, interval_s: int) -> bool:
    """Take this run of the check unless it ran within `interval_s` (the row is the lease)."""
    return conn.execute(
        "INSERT INTO monitor_checks AS c (name, last_run_at) VALUES (%s, now())"
        " ON CONFLICT (name) DO UPDATE SET last_run_at = now()"
        " WHERE c.last_run_at IS NULL"
        "    OR c.last_run_at <= now() - make_interval(secs => %s)"
        " RETURNING name", (name, interval_s)).fetchone() is not None


def record_check_run(conn: psycopg.Connection[Any], name: str, error: str | None,
                     duration_ms: int) -> None:
    """How the check's run went: its duration and error (None: it succeeded now)."""
    conn.execute(
        "UPDATE monitor_checks SET duration_ms = %s, last_error = %s,"
        " last_ok_at = CASE WHEN %s::text IS NULL THEN now() ELSE last_ok_at END"
        " WHERE name = %s", (duration_ms, error, error, name))


# -- deadlines ------------------------------------------------------------------------------

# The one definition of late / at risk (shared.adapters.db.deadlines), counted in trades
# (UTIs) as the dashboard and the trades list's `due` filter count them; `events` beside it.
_DUE = f"{deadlines.owing()} AND {deadlines.within('%(window)s')}"
_DEADLINES = f"""
SELECT d.tenant_id, t.slug, d.late, count(*) AS n, sum(d.events) AS events,
       min(d.earliest) AS earliest,
       (array_agg(d.uti ORDER BY d.earliest, d.uti))[1:%(examples)s] AS examples
FROM (
    SELECT e.tenant_id, e.uti, {deadlines.is_late()} AS late, count(*) AS events,
           min(e.deadline_at) AS earliest
    FROM trade_events e
    WHERE {_DUE}
    GROUP BY 1, 2, 3
) AS d
JOIN tenants t ON t.id = d.tenant_id
GROUP BY d.tenant_id, t.slug, d.late
"""

_DEADLINE_STATES = f"""
SELECT e.tenant_id, {deadlines.is_late()} AS late, e.state, count(*) AS n
FROM trade_events e
WHERE {_DUE}
GROUP BY 1, 2, 3
"""


def deadline_groups(conn: psycopg.Connection[Any], *, window_s: int, examples: int) -> Rows:
    """Per tenant and late (or due within `window_s`): trades with an owing event (n), those
    events, the earliest deadline and up to `examples` UTIs."""
    return conn.execute(_DEADLINES, {"window": window_s, "examples": examples}).fetchall()


def deadline_states(conn: psycopg.Connection[Any], *, window_s: int) -> Rows:
    """The same events counted per tenant, late and state."""
    return conn.execute(_DEADLINE_STATES, {"window": window_s}).fetchall()


# -- expired leases, stuck files, TR silence --------------------------------------------------

_LEASES = """
SELECT queue, count(*) AS n, max(receive_count) AS max_receives,
       extract(epoch FROM now() - min(visible_at))::float8 AS oldest_s,
       (array_agg(id ORDER BY visible_at))[1:%(examples)s] AS examples
FROM queue_messages
WHERE receipt IS NOT NULL AND receive_count >= 1
  AND visible_at <= now() - make_interval(secs => %(grace)s)
GROUP BY queue
"""

_STUCK_FILES = """
SELECT tenant_id, 'ingest' AS what, id, object_key AS name, status,
       extract(epoch FROM now() - received_at)::float8 AS age_s
FROM ingest_files
WHERE (status = 'received' AND received_at < now() - make_interval(secs => %(received)s))
   OR (status = 'parsing'
       AND coalesce(parse_heartbeat, updated_at) < now() - make_interval(secs => %(heartbeat)s))
UNION ALL
SELECT tenant_id, 'report', id, regime || ' report file ' || id, status,
       extract(epoch FROM now() - updated_at)::float8
FROM report_files
WHERE status IN ('building', 'generated', 'submitting')
  AND updated_at < now() - make_interval(secs => %(report)s)
ORDER BY 1, 6 DESC
"""

_TR_SILENCE = """
SELECT tenant_id, regime, count(*) AS n, sum(record_count) AS records,
       extract(epoch FROM now() - min(submitted_at))::float8 AS oldest_s,
       (array_agg(tr_message_id ORDER BY submitted_at))[1:%(examples)s] AS examples
FROM report_files
WHERE status = 'submitted' AND feedback_at IS NULL
  AND submitted_at < now() - make_interval(secs => %(limit)s)
GROUP BY tenant_id, regime
"""


def expired_leases(conn: psycopg.Connection[Any], *, grace_s: int, examples: int) -> Rows:
    """Per queue: received messages whose lease ran out more than `grace_s` ago unacked."""
    return conn.execute(_LEASES, {"grace": grace_s, "examples": examples}).fetchall()


def stuck_files(conn: psycopg.Connection[Any], *, received_s: int, heartbeat_s: int,
                report_s: int) -> Rows:
    """Ingest files never read or whose reader went silent, report files that stopped moving;
    per tenant, oldest first."""
    return conn.execute(_STUCK_FILES, {"received": received_s, "heartbeat": heartbeat_s,
                                       "report": report_s}).fetchall()


def silent_report_files(conn: psycopg.Connection[Any], *, limit_s: int, examples: int) -> Rows:
    """Per tenant and regime: report files submitted over `limit_s` ago with no feedback."""
    return conn.execute(_TR_SILENCE, {"limit": limit_s, "examples": examples}).fetchall()


# -- reconciliation -------------------------------------------------------------------------

# The lifecycle order (trade_events.EVENT_ORDER_SQL), latest first.
_LATEST = (f"e.uti, e.event_timestamp DESC, {ACTION_RANK_SQL} DESC, e.created_at DESC,"
           " e.row_no DESC NULLS LAST, e.id DESC")

_BREAKS = f"""
WITH ours AS (
    SELECT DISTINCT ON (e.uti) e.uti, e.id, e.action_type, e.state,
           coalesce(e.deadline_at, e.created_at + interval '1 day') AS due
    FROM trade_events e
    WHERE e.state IN ('valid', 'reported', 'submitted', 'acked', 'nacked')
    ORDER BY {_LATEST}
), theirs AS (
    SELECT DISTINCT ON (e.uti) e.uti, e.id, e.action_type
    FROM report_items i JOIN trade_events e ON e.id = i.event_id
    WHERE i.status = 'acked'
    ORDER BY {_LATEST}
)
SELECT o.uti, o.id AS our_event_id, o.action_type AS our_action, o.due,
       r.id AS tr_event_id, r.action_type AS tr_action,
       CASE WHEN r.id IS NULL THEN 'never_acked' WHEN o.state = 'nacked' THEN 'nacked'
            ELSE 'behind_tr' END AS kind
FROM ours o
JOIN trades t ON t.uti = o.uti AND t.lifecycle <> 'unreported'
LEFT JOIN theirs r ON r.uti = o.uti
WHERE o.due < now() AND (r.id IS NULL OR r.id <> o.id)
ORDER BY o.due, o.uti
"""

_UPSERT_BREAKS = """
INSERT INTO reconciliation_breaks (tenant_id, uti, kind, our_event_id, our_action, tr_event_id,
                                   tr_action, deadline_at)
SELECT %(tenant)s, * FROM unnest(%(uti)b::text[], %(kind)b::text[], %(ours)b::uuid[],
                                 %(our_action)b::text[], %(theirs)b::uuid[],
                                 %(tr_action)b::text[], %(due)b::timestamptz[])
ON CONFLICT (tenant_id, uti) WHERE resolved_at IS NULL DO UPDATE SET
    kind = EXCLUDED.kind, our_event_id = EXCLUDED.our_event_id,
    our_action = EXCLUDED.our_action, tr_event_id = EXCLUDED.tr_event_id,
    tr_action = EXCLUDED.tr_action, deadline_at = EXCLUDED.deadline_at, last_seen_at = now()
"""


def reconciliation_breaks(conn: psycopg.Connection[Any]) -> Rows:
    """The tenant's (RLS scope) trades whose latest event the TR has not acknowledged after
    its deadline: uti, our and the TR's event and action, due, kind; by due date."""
    return conn.execute(_BREAKS).fetchall()


def record_breaks(conn: psycopg.Connection[Any], tenant_id: Any, breaks: Rows) -> None:
    """Upsert the open break of each UTI in one statement, and resolve the open breaks of
    every other UTI (the views agree again)."""
    def column(name: str) -> list[Any]:
        return [b[name] for b in breaks]

    if breaks:
        conn.execute(_UPSERT_BREAKS, {
            "tenant": tenant_id, "uti": column("uti"), "kind": column("kind"),
            "ours": column("our_event_id"), "our_action": column("our_action"),
            "theirs": column("tr_event_id"), "tr_action": column("tr_action"),
            "due": column("due")})
    conn.execute("UPDATE reconciliation_breaks SET resolved_at = now()"
                 " WHERE resolved_at IS NULL AND NOT (uti = ANY(%b::text[]))",
                 (column("uti"),))


# -- anomalies ------------------------------------------------------------------------------

_VOLUME = """
SELECT e.tenant_id, w.start, count(*) AS n
FROM unnest(%(windows)b::timestamptz[]) AS w(start)
JOIN trade_events e ON e.created_at >= w.start AND e.created_at < w.start + interval '5 min'
GROUP BY 1, 2
"""

# Judged records per tenant and window; rejected ones by rule, by TR code, by source file.
_JUDGED = """
SELECT e.tenant_id, (e.validated_at >= %(window)s) AS current, count(*) AS n,
       count(*) FILTER (WHERE e.state IN ('invalid', 'nacked')) AS rejected
FROM trade_events e
WHERE e.validated_at >= %(since)s AND e.validated_at < %(window)s + interval '5 min'
GROUP BY 1, 2
"""
_BY_RULE = """
SELECT e.tenant_id, (e.validated_at >= %(window)s) AS current, i.rule_id AS subject,
       count(DISTINCT e.id) AS rejected
FROM trade_events e JOIN validation_issues i ON i.event_id = e.id AND i.severity = 'reject'
WHERE e.validated_at >= %(since)s AND e.validated_at < %(window)s + interval '5 min'
GROUP BY 1, 2, 3
"""
_BY_FILE = """
SELECT e.tenant_id, e.file_id, f.object_key, count(*) AS n,
       count(*) FILTER (WHERE e.state IN ('invalid', 'nacked')) AS rejected
FROM trade_events e JOIN ingest_files f ON f.id = e.file_id
WHERE e.validated_at >= %(window)s AND e.validated_at < %(window)s + interval '5 min'
GROUP BY 1, 2, 3
"""
_FEEDBACK = """
SELECT i.tenant_id, (f.feedback_at >= %(window)s) AS current, count(*) AS n,
       count(*) FILTER (WHERE i.status = 'nacked') AS rejected
FROM report_items i JOIN report_files f ON f.id = i.report_file_id
WHERE f.feedback_at >= %(since)s AND f.feedback_at < %(window)s + interval '5 min'
  AND i.status <> 'pending'
GROUP BY 1, 2
"""
_BY_CODE = """
SELECT i.tenant_id, (f.feedback_at >= %(window)s) AS current, code AS subject,
       count(*) AS rejected
FROM report_items i JOIN report_files f ON f.id = i.report_file_id
CROSS JOIN LATERAL unnest(string_to_array(i.tr_code, ',')) AS code
WHERE f.feedback_at >= %(since)s AND f.feedback_at < %(window)s + interval '5 min'
  AND i.status = 'nacked'
GROUP BY 1, 2, 3
"""


def lock_anomaly_window(conn: psycopg.Connection[Any]) -> datetime | None:
    """The last window the anomaly check judged (None: never), locked until commit so that
    two monitors do not judge the same window."""
    row = conn.execute("SELECT last_window FROM monitor_checks WHERE name = 'anomalies'"
                       " FOR UPDATE").fetchone()
    return row["last_window"] if row else None


def save_anomaly_window(conn: psycopg.Connection[Any], window: datetime) -> None:
    conn.execute(
        "INSERT INTO monitor_checks (name, last_window) VALUES ('anomalies', %s)"
        " ON CONFLICT (name) DO UPDATE SET last_window = EXCLUDED.last_window", (window,))


def event_volumes(conn: psycopg.Connection[Any], windows: Sequence[datetime]) -> Rows:
    """Events received per tenant in each 5-minute window starting at `windows` (tenant_id,
    start, n; a window without events has no row)."""
    return conn.execute(_VOLUME, {"windows": list(windows)}).fetchall()


def _window(window: datetime, since: datetime) -> dict[str, Any]:
    return {"window": window, "since": since}


def judged_events(conn: psycopg.Connection[Any], *, window: datetime, since: datetime) -> Rows:
    """Per tenant, in the window (`current`) and from `since` until it: events validated
    (n) and how many of them are invalid or NACKed (rejected)."""
    return conn.execute(_JUDGED, _window(window, since)).fetchall()


def rejections_by_rule(conn: psycopg.Connection[Any], *, window: datetime,
                       since: datetime) -> Rows:
    """Per tenant, current or not, and rule (subject): events the rule rejected."""
    return conn.execute(_BY_RULE, _window(window, since)).fetchall()


def rejections_by_file(conn: psycopg.Connection[Any], *, window: datetime) -> Rows:
    """Per tenant and source file (file_id, object_key), in the window: judged and rejected."""
    return conn.execute(_BY_FILE, {"window": window}).fetchall()


def tr_verdicts(conn: psycopg.Connection[Any], *, window: datetime, since: datetime) -> Rows:
    """Per tenant, current or not: report items the TR judged (n) and NACKed (rejected)."""
    return conn.execute(_FEEDBACK, _window(window, since)).fetchall()


def nacks_by_code(conn: psycopg.Connection[Any], *, window: datetime, since: datetime) -> Rows:
    """Per tenant, current or not, and TR error code (subject): NACKed items."""
    return conn.execute(_BY_CODE, _window(window, since)).fetchall()


# -- the lost-trigger sweep -------------------------------------------------------------------

_LEDGERS = {
    "inbound": "SELECT object_key FROM ingest_files WHERE bucket = %(b)s"
               " AND object_key = ANY(%(k)s)",
    # the feedback bucket holds the TR's feedback files and its end-of-day reports
    "feedback": "SELECT object_key FROM tr_feedback WHERE bucket = %(b)s"
                " AND object_key = ANY(%(k)s) UNION SELECT object_key FROM tr_report_files"
                " WHERE bucket = %(b)s AND object_key = ANY(%(k)s)",
}


def ledger_keys(conn: psycopg.Connection[Any], logical: str, bucket: str,
                keys: list[str]) -> set[str]:
    """Which of `keys` the ledger of the `logical` bucket (inbound: ingest_files, feedback:
    tr_feedback and tr_report_files) knows."""
    return {r["object_key"] for r in conn.execute(_LEDGERS[logical], {"b": bucket, "k": keys})}


def swept_objects(conn: psycopg.Connection[Any], bucket: str,
                  keys: list[str]) -> set[tuple[str, str]]:
    """(key, etag) of the objects among `keys` the sweep handed on already."""
    return {(r["object_key"], r["etag"]) for r in conn.execute(
        "SELECT object_key, etag FROM swept_objects WHERE bucket = %s"
        " AND object_key = ANY(%s)", (bucket, keys))}


def record_swept_object(conn: psycopg.Connection[Any], bucket: str, key: str,
                        etag: str | None, outcome: str) -> None:
    conn.execute("INSERT INTO swept_objects (bucket, object_key, etag, outcome)"
                 " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                 (bucket, key, etag, outcome))


def sweep_marker(conn: psycopg.Connection[Any], bucket: str) -> str | None:
    """Where the sweep of `bucket` resumes (None or "": from the first key)."""
    row = conn.execute("SELECT cursor ->> %s AS marker FROM monitor_checks"
                       " WHERE name = 'lost_triggers'", (bucket,)).fetchone()
    return (row or {}).get("marker")


def save_sweep_marker(conn: psycopg.Connection[Any], bucket: str, marker: str) -> None:
    conn.execute(
        "INSERT INTO monitor_checks (name, cursor) VALUES ('lost_triggers',"
        " jsonb_build_object(%s::text, %s::text)) ON CONFLICT (name) DO UPDATE"
        " SET cursor = monitor_checks.cursor || EXCLUDED.cursor", (bucket, marker))


# -- notifications --------------------------------------------------------------------------

_DUE = """
SELECT a.id, a.tenant_id, t.slug, a.kind, a.severity, a.summary, a.occurrences,
       a.first_seen_at, a.last_seen_at, a.notified_state
FROM alerts a LEFT JOIN tenants t ON t.id = a.tenant_id
WHERE a.status = 'open' AND a.notified_state IS DISTINCT FROM a.severity || ':' || CASE
    WHEN a.occurrences >= 1000 THEN 1000 WHEN a.occurrences >= 100 THEN 100
    WHEN a.occurrences >= 10 THEN 10 ELSE 1 END  -- state_of(), so posted states are skipped
ORDER BY array_position(%b::text[], a.severity) DESC, a.first_seen_at, a.id
LIMIT 500
"""


def alerts_due_notification(conn: psycopg.Connection[Any], severities: Sequence[str]) -> Rows:
    """Open alerts whose state (severity and occurrence tier, notify.state_of) was not posted
    yet: most severe first (in the order of `severities`), then oldest; at most 500."""
    return conn.execute(_DUE, (list(severities),)).fetchall()
