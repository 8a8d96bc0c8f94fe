"""Trade events and what validation found in them: `trade_events` and `validation_issues`.

`trade_events` holds every canonical event once per idempotency key (tenant, UTI, action
type, event timestamp, payload hash), inserted by process (from raw rows), online ingest and
repair, judged by validation; `validation_issues` holds the open (and resolved) findings of
the rules for an event. Also the lifecycle order of a UTI's events (ACTION_RANK_SQL,
EVENT_ORDER_SQL), which every query that orders events by it shares (a tenant's reporting
settings come from `tenants.py`).

Plain SQL with no domain imports, so that the stages that do not parse trades carry nothing
more into their cold start. Every function runs in the caller's transaction and tenant scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# A UTI's events in the order the lifecycle sees them (the same order generate reports them
# in): event timestamp; at the same instant what opens a trade before what changes or ends it;
# then arrival, then position in the file.
ACTION_RANK_SQL = ("CASE e.action_type WHEN 'NEWT' THEN 0 WHEN 'POSC' THEN 0 WHEN 'TERM' THEN 2"
                   " WHEN 'EROR' THEN 3 ELSE 1 END")
EVENT_ORDER_SQL = "e.event_timestamp, rank, e.created_at, e.row_no NULLS LAST, e.id"


# -- the tenant's reporting settings ----------------------------------------------------------


# -- storing events -----------------------------------------------------------------------------

# One statement per batch: every event's columns as parallel arrays. A statement per event
# (executemany) ran the rollup's and the trades' statement triggers once per event: 4 rollup
# delta rows per event instead of a handful per chunk (the cost model, docs/BENCHMARKS.md).
# Arrays of arrays do not unnest row by row, so regimes and enrichment (codes and field paths)
# travel joined by U+001F. The payloads go in binary: a text array would escape every quote of
# every payload (psycopg's array dumper, a regular expression per element).
_INSERT_EVENTS = """
INSERT INTO trade_events (tenant_id, file_id, row_no, source, uti, prior_uti, trade_id,
    action_type, event_type, event_timestamp, asset_class, regimes, payload, payload_hash,
    deadline_at, enrichment, routing)
SELECT %(tenant)s, v.file, v.row_no, v.source, v.uti, v.prior_uti, v.trade_id, v.action,
    v.event_type, v.ts, v.asset_class,
    string_to_array(v.regimes, chr(31)), v.payload, v.hash, v.deadline,
    string_to_array(v.filled, chr(31)), v.routing
FROM unnest(%(file)b::uuid[], %(row_no)b::int[], %(source)b::text[], %(uti)b::text[],
            %(prior_uti)b::text[], %(trade_id)b::text[], %(action)b::text[],
            %(event_type)b::text[], %(ts)b::timestamptz[], %(asset_class)b::text[],
            %(regimes)b::text[], %(payload)b::jsonb[], %(hash)b::text[],
            %(deadline)b::timestamptz[], %(filled)b::text[], %(routing)b::jsonb[])
     WITH ORDINALITY AS v(file, row_no, source, uti, prior_uti, trade_id, action, event_type,
                          ts, asset_class, regimes, payload, hash, deadline, filled, routing,
                          n)
ORDER BY v.n
ON CONFLICT (tenant_id, uti, action_type, event_timestamp, payload_hash) DO NOTHING
RETURNING id, uti, action_type, event_timestamp, payload_hash
"""

# The ids of events already stored under the keys of a batch (a record sent again).
_FIND_EVENTS = """
SELECT v.n, e.id
FROM unnest(%(uti)b::text[], %(action)b::text[], %(ts)b::timestamptz[], %(hash)b::text[])
     WITH ORDINALITY AS v(uti, action, ts, hash, n)
JOIN trade_events e ON e.tenant_id = %(tenant)s AND e.uti = v.uti AND e.action_type = v.action
    AND e.event_timestamp = v.ts AND e.payload_hash = v.hash
"""

_COLUMNS = ("file", "row", "source", "uti", "prior_uti", "trade_id", "action", "event_type",
            "ts", "asset_class", "regimes", "payload", "hash", "deadline", "filled", "routing")


_SEPARATOR = chr(31)


def unit_separated(values: Sequence[str] | None) -> str:
    """A list of codes as one text for an `unnest` column (arrays of arrays do not unnest row
    by row), split back by `string_to_array(column, chr(31))`."""
    if any(_SEPARATOR in v for v in values or ()):
        raise ValueError(f"a regime or field path holds U+001F: {values!r}")
    return _SEPARATOR.join(values or ())


def insert_trade_events(conn: Any, params: Sequence[dict[str, Any]]) -> list[tuple[Any, bool]]:
    """Insert events once per idempotency key: `(event id, True if new)` per params dict, in
    order; an event already stored (before, or earlier in the same batch) answers its
    existing id. Two statements however many events.

    Each dict: tenant, file, row, source, uti, prior_uti, trade_id, action, event_type, ts,
    asset_class, regimes, payload (JSON text), hash, deadline, filled, routing (JSON text of
    the routing decision, or None); one tenant per batch."""
    if not params:
        return []
    tenants = {str(p["tenant"]) for p in params}
    if len(tenants) != 1:
        raise ValueError(f"insert_trade_events: one tenant per batch, got {len(tenants)}")
    arrays: dict[str, Any] = {name: [p[name] for p in params] for name in _COLUMNS}
    arrays["row_no"] = arrays.pop("row")
    arrays["regimes"] = [unit_separated(r) for r in arrays["regimes"]]
    arrays["filled"] = [unit_separated(f) for f in arrays["filled"]]
    arrays["tenant"] = tenants.pop()
    key = ("uti", "action", "ts", "hash")
    new = {(r["uti"], r["action_type"], r["event_timestamp"], r["payload_hash"]): r["id"]
           for r in conn.execute(_INSERT_EVENTS, arrays).fetchall()}
    results: list[tuple[Any, bool]] = []
    taken: set[Any] = set()
    missing: list[int] = []
    for n, p in enumerate(params):
        event_id = new.get(tuple(p[k] for k in key))
        if event_id is not None and event_id not in taken:
            taken.add(event_id)  # the first of equal records in a batch is the new one
            results.append((event_id, True))
        else:
            results.append((None, False))
            missing.append(n)
    if missing:
        found = {r["n"] - 1: r["id"] for r in conn.execute(_FIND_EVENTS, {
            "tenant": arrays["tenant"], **{k: [params[n][k] for n in missing] for k in key}})}
        for position, n in enumerate(missing):
            assert position in found, "conflict without a conflicting event"
            results[n] = (found[position], False)
    return results


def lock_received_events(conn: Any, event_ids: Sequence[str]) -> list[dict[str, Any]]:
    """id, payload, regimes, deadline_at and `routed` (a routing decision is stored) of those
    events still `received`, locked, by id."""
    return conn.execute(
        "SELECT id, payload, regimes, deadline_at, routing IS NOT NULL AS routed"
        " FROM trade_events"
        " WHERE id = ANY(%b::uuid[]) AND state = 'received' ORDER BY id FOR NO KEY UPDATE",
        ([str(i) for i in event_ids],),
    ).fetchall()


def set_event_regimes(conn: Any, event_id: Any, regimes: Sequence[str], deadline: Any,
                      routing: str | None = None) -> None:
    """The event's regimes, reporting deadline and routing decision (JSON text)."""
    conn.execute("UPDATE trade_events SET regimes = %s, deadline_at = %s,"
                 " routing = coalesce(%s::jsonb, routing), updated_at = now() WHERE id = %s",
                 (list(regimes), deadline, routing, event_id))


# -- validation ---------------------------------------------------------------------------------

_EVENTS = f"""
SELECT e.id, e.uti, e.trade_id, e.state, e.payload::text AS payload, e.regimes,
       e.routing IS NOT NULL AS routed, e.file_id,
       e.row_no, e.created_at, e.event_timestamp, {ACTION_RANK_SQL} AS rank,
       coalesce(f.received_at, e.created_at) AS arrived_at
FROM trade_events e LEFT JOIN ingest_files f ON f.id = e.file_id
WHERE e.id = ANY(%(ids)b::uuid[])
ORDER BY {EVENT_ORDER_SQL}
"""

# LATERAL: one index lookup per UTI / trade id, whatever the planner's estimates (see
# trades.refresh's _TRADE_EVENTS).
_SEQUENCES = f"""
SELECT e.id, e.uti, e.state, e.action_type, e.event_type, e.level, e.execution_timestamp,
       e.event_timestamp, e.rank
FROM unnest(%(utis)b::text[]) AS u(uti)
CROSS JOIN LATERAL (
    SELECT e.id, e.uti, e.state, e.action_type, e.event_type, e.payload->>'level' AS level,
           e.payload->>'execution_timestamp' AS execution_timestamp, e.event_timestamp,
           e.created_at, e.row_no, {ACTION_RANK_SQL} AS rank
    FROM trade_events e
    WHERE e.tenant_id = %(tenant)s AND e.uti = u.uti AND e.state <> 'superseded'
) AS e
ORDER BY e.uti, e.event_timestamp, e.rank, e.created_at, e.row_no NULLS LAST, e.id
"""


def events_to_judge(conn: Any, event_ids: Sequence[Any]) -> list[dict[str, Any]]:
    """The events with what judging them needs (payload as JSON text, regimes, `routed`: a
    routing decision is stored, so no regimes means none is owed; position, `rank`, and
    `arrived_at`: their file's arrival, else their own), in lifecycle order."""
    return conn.execute(_EVENTS, {"ids": [str(i) for i in event_ids]}).fetchall()


def uti_sequences(conn: Any, tenant_id: str, utis: Sequence[str]) -> list[dict[str, Any]]:
    """Every event of these UTIs but the superseded, in lifecycle order per UTI, with what the
    lifecycle machine reads (action and event type, level, execution timestamp as text)."""
    return conn.execute(_SEQUENCES, {"tenant": tenant_id, "utis": utis}).fetchall()


def delete_open_issues(conn: Any, event_ids: Sequence[Any]) -> None:
    """Drop the events' open issues (they are about to be judged again)."""
    conn.execute("DELETE FROM validation_issues WHERE event_id = ANY(%b::uuid[])"
                 " AND status = 'open'", ([str(i) for i in event_ids],))


def insert_issues(conn: Any, issue_rows: Sequence[dict[str, Any]]) -> None:
    """One validation_issues row per dict of tenant, event, rule, severity, field, message,
    message_ko, regime and value: one statement (COPY cannot load a table under row-level
    security)."""
    if not issue_rows:
        return
    columns = ("tenant", "event", "rule", "severity", "field", "message", "message_ko",
               "regime", "value")
    conn.execute(
        "INSERT INTO validation_issues (tenant_id, event_id, rule_id, severity, field, message,"
        " message_ko, regime, value) SELECT t, e, r, s, f, m, k, g, v FROM unnest(%b::uuid[],"
        " %b::uuid[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[],"
        " %b::text[]) WITH ORDINALITY AS x(t, e, r, s, f, m, k, g, v, n)"
        " ORDER BY n",  # ids in the order found: the order the console lists them in
        [[str(r[c]) if c in ("tenant", "event") else r[c] for r in issue_rows]
         for c in columns])


def record_judgements(conn: Any, updates: Sequence[dict[str, Any]]) -> None:
    """Each `received` event's new state and what it waits for (dicts of id, state, waiting);
    `validated_at` is set unless it stays `received`. Set-based, keyed on the primary key
    (see ingest_files.record_row_outcomes)."""
    conn.execute(
        "UPDATE trade_events e SET state = v.state, waiting_for = v.waiting,"
        " validated_at = CASE WHEN v.state = 'received' THEN e.validated_at ELSE now() END,"
        " updated_at = now()"
        " FROM unnest(%b::uuid[], %b::text[], %b::text[]) AS v(id, state, waiting)"
        " WHERE e.id = v.id AND e.state = 'received'",
        ([u["id"] for u in updates], [u["state"] for u in updates],
         [u["waiting"] for u in updates]))


def open_issues(conn: Any, event_id: Any) -> list[dict[str, Any]]:
    """The event's open issues, rule by rule."""
    return conn.execute(
        "SELECT rule_id, severity, field, regime, message, message_ko, value"
        " FROM validation_issues WHERE event_id = %s AND status = 'open' ORDER BY id",
        (str(event_id),)).fetchall()


def latest_payload(conn: Any, uti: str) -> dict[str, Any] | None:
    """The payload of the trade's latest event (by event timestamp) in the tenant, or None."""
    row = conn.execute("SELECT payload FROM trade_events WHERE uti = %s"
                       " ORDER BY event_timestamp DESC, created_at DESC LIMIT 1", (uti,)).fetchone()
    return row["payload"] if row else None
