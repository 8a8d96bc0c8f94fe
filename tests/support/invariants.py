"""The pipeline's promises, checked on the database and the TR after a run (fault tests).

    wait_until_settled(db, tenant_id, expected_records=240, activations=stack.activations)
    assert_pipeline_invariants(db, tenant_id, expected_records=240, trsim=stack.trsim)

What must hold for a tenant once its work is done, whatever failed on the way
(docs/PIPELINE.md, ../shared/DESIGN.md "Delivery guarantees"):

- every ingested file is `parsed`, `rejected` (with its reason) or `duplicate`; its raw rows
  are exactly 1..row_count, each `event` (pointing at its event) or `parse_error` (with
  its errors): nothing lost between the file and the database;
- every event is in one terminal state (acked, nacked, invalid, cancelled, superseded,
  not_reportable); an invalid one has a rejecting validation issue and was never reported,
  a not reportable one owes no regime and was never reported either;
- every acked / nacked event is in exactly one report item per regime it reports to, and
  the item agrees with it; no report file is unfinished or has more than one accepted
  submission; nothing was dead-lettered;
- the TR received each record (UTI, action, event timestamp) at most once, and each report
  file the TR holds with the record count we wrote;
- each trade shows its events' state. A stage's commit notes the trades it moved and the
  refresh follows right after, so "settled" includes "no refresh still pending".

Every breach is collected and reported together, naming the file / row / event / record.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

TERMINAL_EVENTS = ("acked", "nacked", "invalid", "cancelled", "superseded", "not_reportable")
FINAL_ROWS = ("event", "parse_error")
FINAL_FILES = ("parsed", "rejected", "duplicate")
FINAL_REPORTS = ("acked", "partially_acked", "rejected", "failed")
SHOWN = 8  # examples per breach in a failure message


class InvariantError(AssertionError):
    pass


def _examples(items: list[Any]) -> str:
    shown = ", ".join(str(i) for i in items[:SHOWN])
    return shown + (f" ... ({len(items)} in all)" if len(items) > SHOWN else "")


def snapshot(db, tenant_id) -> dict[str, Any]:
    """Counts by state of the tenant's files, rows, events, report files and items."""
    def counts(conn, sql: str) -> dict[str, int]:
        return {r["k"]: r["n"] for r in conn.execute(sql)}

    with db.tenant(tenant_id) as conn:
        return {
            "files": counts(conn, "SELECT status AS k, count(*) AS n FROM ingest_files"
                                  " GROUP BY 1"),
            "raw_rows": counts(conn, "SELECT state AS k, count(*) AS n FROM raw_rows GROUP BY 1"),
            "events": counts(conn, "SELECT state AS k, count(*) AS n FROM trade_events"
                                   " GROUP BY 1"),
            "report_files": counts(conn, "SELECT status AS k, count(*) AS n FROM report_files"
                                         " GROUP BY 1"),
            "items": counts(conn, "SELECT status AS k, count(*) AS n FROM report_items"
                                  " GROUP BY 1"),
            # Trades whose state a stage noted but nobody has applied yet: the trades list
            # lags until it is (trade_state.refresh_pending, right after each commit).
            "trade_refreshes": conn.execute(
                "SELECT count(*) AS n FROM trade_refresh_pending").fetchone()["n"],
        }


def is_settled(snap: dict[str, Any], expected_records: int | None = None) -> bool:
    rows = snap["raw_rows"]
    return (bool(snap["files"]) and set(snap["files"]) <= set(FINAL_FILES)
            and set(rows) <= set(FINAL_ROWS)
            and (expected_records is None or sum(rows.values()) == expected_records)
            and set(snap["events"]) <= set(TERMINAL_EVENTS)
            and set(snap["report_files"]) <= set(FINAL_REPORTS)
            and not snap["items"].get("pending")
            and not snap["trade_refreshes"])


def wait_until_settled(db, tenant_id, *, expected_records: int | None = None,
                       timeout_s: float = 120.0, poll_s: float = 0.5,
                       activations: Callable[..., list[dict[str, Any]]] | None = None,
                       ) -> dict[str, Any]:
    """Poll until every file, row, event and report file of the tenant is final; return the
    snapshot. On timeout fail with what is unfinished and the failed activations."""
    deadline, snap = time.monotonic() + timeout_s, {}
    while time.monotonic() < deadline:
        try:
            snap = snapshot(db, tenant_id)
        except Exception as exc:  # the database may be down on purpose: keep polling
            snap = {"error": f"{type(exc).__name__}: {exc}"}
        else:
            if is_settled(snap, expected_records):
                return snap
        time.sleep(poll_s)
    waiting = _queued(db, tenant_id)
    failed = []
    if activations is not None:
        failed = [f"{a['action']} {a['status']} ({a.get('trigger')}): "
                  f"{(a.get('error') or '')[:200]}"
                  for a in activations(limit=300) if a.get("status") not in ("success",
                                                                             "running")]
    raise InvariantError(
        f"tenant {tenant_id} did not settle in {timeout_s:.0f} s "
        f"(expected {expected_records} records): {snap}; queued for the tenant: "
        f"{_examples(waiting) or 'nothing'}; failed activations: "
        f"{_examples(failed) or 'none'}")


def _queued(db, tenant_id) -> list[str]:
    """The tenant's messages still in a queue, with when each is next visible: what a stall
    waits on (a delayed retry, a file waiting its turn)."""
    try:
        with db.system() as conn:
            return [f"{r['queue']} in {r['due_s']:.0f} s (received {r['receive_count']}x, "
                    f"{r['body']}, last error {(r['last_error'] or '-')[:120]})"
                    for r in conn.execute(
                        "SELECT queue, receive_count, body::text AS body, last_error,"
                        " extract(epoch FROM visible_at - now())::float AS due_s"
                        " FROM queue_messages WHERE tenant_id = %s ORDER BY visible_at",
                        (tenant_id,))]
    except Exception as exc:  # the database may be down on purpose
        return [f"(the queue could not be read: {type(exc).__name__})"]


def check_pipeline(db, tenant_id, *, expected_records: int | None = None,
                   trsim: Any = None, submitter_lei: str | None = None) -> list[str]:
    """Every invariant breach of the tenant, as readable sentences (empty: all hold)."""
    problems: list[str] = []
    with db.tenant(tenant_id) as conn:
        tenant = conn.execute("SELECT lei, regimes FROM tenants WHERE id = %s",
                              (tenant_id,)).fetchone()
        files = conn.execute(
            "SELECT id, object_key, status, reject_reason, row_count FROM ingest_files"
        ).fetchall()
        ranges = {r["file_id"]: r for r in conn.execute(
            "SELECT file_id, count(*) AS n, count(DISTINCT row_no) AS distinct_n,"
            " min(row_no) AS lo, max(row_no) AS hi FROM raw_rows GROUP BY file_id")}
        bad_rows = conn.execute(
            "SELECT f.object_key, r.row_no, r.state, r.event_id, r.errors, r.error"
            " FROM raw_rows r JOIN ingest_files f ON f.id = r.file_id"
            " WHERE r.state NOT IN ('event', 'parse_error')"
            " OR (r.state = 'event' AND r.event_id IS NULL)"
            " OR (r.state = 'parse_error' AND r.errors IS NULL AND r.error IS NULL)"
            " ORDER BY 1, 2").fetchall()
        total_rows = conn.execute("SELECT count(*) AS n FROM raw_rows").fetchone()["n"]
        events = conn.execute(
            "SELECT e.id, e.uti, e.action_type, e.event_timestamp, e.state, e.regimes,"
            " e.reported_regimes, EXISTS (SELECT 1 FROM validation_issues v"
            "   WHERE v.event_id = e.id AND v.severity = 'reject') AS has_issue"
            " FROM trade_events e").fetchall()
        items = conn.execute(
            "SELECT i.event_id, i.status, i.report_file_id, f.regime,"
            " i.reporting_counterparty FROM report_items i"
            " JOIN report_files f ON f.id = i.report_file_id").fetchall()
        reports = conn.execute(
            "SELECT f.id, f.status, f.tr_message_id, f.record_count, f.regime,"
            " (SELECT count(*) FROM submissions s WHERE s.report_file_id = f.id"
            "   AND s.outcome = 'accepted') AS accepted,"
            " (SELECT count(DISTINCT s.tr_message_id) FROM submissions s"
            "   WHERE s.report_file_id = f.id AND s.outcome = 'accepted') AS accepted_ids,"
            " (SELECT count(*) FROM report_items i WHERE i.report_file_id = f.id) AS items"
            " FROM report_files f").fetchall()
        # What the trades list shows: a trade is invalid while any of its events is, else it
        # has its latest event's state (trade_state.refresh_trades), kept by every stage.
        stale_trades = conn.execute(
            "SELECT t.uti, t.state, e.state AS latest FROM trades t"
            " JOIN trade_events e ON e.id = t.last_event_id"
            " WHERE t.state IS DISTINCT FROM CASE WHEN EXISTS (SELECT 1 FROM trade_events x"
            "   WHERE x.tenant_id = t.tenant_id AND x.uti = t.uti AND x.state = 'invalid')"
            "   THEN 'invalid' ELSE e.state END ORDER BY t.uti").fetchall()
    with db.system() as conn:
        dead = conn.execute("SELECT queue, body, last_error FROM dead_letters"
                            " WHERE tenant_id = %s AND redriven_at IS NULL",
                            (tenant_id,)).fetchall()

    # Files and rows: nothing lost between the object and raw_rows.
    for f in files:
        where = f"file {f['object_key']}"
        if f["status"] not in FINAL_FILES:
            problems.append(f"{where} is still {f['status']}")
        if f["status"] == "rejected" and not f["reject_reason"]:
            problems.append(f"{where} is rejected without a reason")
        got = ranges.get(f["id"])
        expected = f["row_count"] or 0
        if f["status"] == "parsed" and got is None and expected:
            problems.append(f"{where}: row_count {expected} but no raw rows")
        if got is not None and not (got["n"] == got["distinct_n"] == expected == got["hi"]
                                    and got["lo"] == 1):
            problems.append(f"{where}: raw rows {got['lo']}..{got['hi']} ({got['n']} rows, "
                            f"{got['distinct_n']} distinct) but row_count {expected}: "
                            "expected exactly 1..row_count")
    if bad_rows:
        problems.append("raw rows not in a final state (event with its event, or parse_error "
                        "with its errors): " + _examples(
                            [f"{r['object_key']} row {r['row_no']} {r['state']}"
                             for r in bad_rows]))
    if expected_records is not None and total_rows != expected_records:
        problems.append(f"{total_rows} raw rows stored, expected {expected_records}")

    # Events: one terminal state each; invalid ones have their reason and were not reported.
    by_event: dict[Any, list[dict[str, Any]]] = {}
    for item in items:
        by_event.setdefault(item["event_id"], []).append(item)
    default_regimes = list(tenant["regimes"] or ["krx"])
    unfinished, unexplained, misplaced = [], [], []
    for e in events:
        name = f"{e['uti']} {e['action_type']} {e['event_timestamp']:%Y-%m-%dT%H:%M:%S}"
        mine = by_event.get(e["id"], [])
        if e["state"] not in TERMINAL_EVENTS:
            unfinished.append(f"{name} ({e['state']})")
            continue
        if e["state"] == "invalid":
            if not e["has_issue"]:
                unexplained.append(name)
            if mine:
                misplaced.append(f"{name}: invalid but in {len(mine)} report item(s)")
        if e["state"] == "not_reportable" and (mine or e["regimes"]):
            misplaced.append(f"{name}: not reportable but owes {e['regimes']} and is in "
                             f"{len(mine)} report item(s)")
        if e["state"] not in ("acked", "nacked"):
            continue
        # the event's own report: one per regime; a client's side (delegated reporting) is
        # an item of its own next to it
        regimes = Counter(i["regime"] for i in mine if i["reporting_counterparty"] is None)
        wanted = set(e["regimes"] or default_regimes)
        if set(regimes) != wanted or any(n != 1 for n in regimes.values()):
            misplaced.append(f"{name} ({e['state']}): report items per regime "
                             f"{dict(regimes)}, expected one in each of {sorted(wanted)}")
        statuses = {i["status"] for i in mine}
        if "pending" in statuses or (e["state"] == "acked" and statuses != {"acked"}) or (
                e["state"] == "nacked" and "nacked" not in statuses):
            misplaced.append(f"{name} is {e['state']} but its items are {sorted(statuses)}")
    if unfinished:
        problems.append("events not in a terminal state: " + _examples(unfinished))
    if stale_trades:
        problems.append("trades whose state is not their events' (the trades list would show "
                        "it): " + _examples([f"{t['uti']} {t['state']} (latest event "
                                             f"{t['latest']})" for t in stale_trades]))
    if unexplained:
        problems.append("invalid events without a rejecting issue: " + _examples(unexplained))
    if misplaced:
        problems.append("events and report items disagree: " + _examples(misplaced))
    orphans = [i for i in items if i["event_id"] not in {e["id"] for e in events}]
    if orphans:
        problems.append(f"{len(orphans)} report items without their event")

    # Report files: final, submitted at most once, the same message id throughout.
    for r in reports:
        where = f"report file {r['id']} ({r['regime']})"
        if r["status"] not in FINAL_REPORTS:
            problems.append(f"{where} is still {r['status']}")
        if r["accepted"] > 1 or r["accepted_ids"] > 1:
            problems.append(f"{where} has {r['accepted']} accepted submissions with "
                            f"{r['accepted_ids']} message id(s): expected at most one")
        if r["record_count"] != r["items"]:
            problems.append(f"{where}: record_count {r['record_count']} but {r['items']} items")
        if r["status"] in ("acked", "partially_acked") and not r["tr_message_id"]:
            problems.append(f"{where} is {r['status']} without a TR message id")
    if dead:
        problems.append("dead-lettered messages: " + _examples(
            [f"{d['queue']} {d['body']} ({(d['last_error'] or '')[:120]})" for d in dead]))

    if trsim is not None:
        problems += _check_tr(trsim, submitter_lei or tenant["lei"], reports)
    return problems


def _check_tr(trsim: Any, submitter: str | None, reports: list[dict[str, Any]]) -> list[str]:
    """The TR's own ledger: each record at most once, each of our files as we wrote it."""
    problems: list[str] = []
    received = [r for r in trsim.received_records() if r["submitter"] == submitter]
    # a record is one side's report of one event: both sides of a UTI are two records
    seen = Counter((r["regime"], r["uti"], r["action"], r["event_ts"],
                    r.get("reporting_counterparty")) for r in received)
    twice = [f"{k[1]} {k[2]} {k[3]} ({k[0]}) x{n}" for k, n in seen.items() if n > 1]
    if twice:
        problems.append("the TR received records more than once: " + _examples(twice))
    at_tr = Counter(r["report_file_id"] for r in received)
    messages = {(r["report_file_id"], r["tr_message_id"]) for r in received}
    per_file = Counter(f for f, _ in messages)
    for r in reports:
        fid = str(r["id"])
        if per_file.get(fid, 0) > 1:
            problems.append(f"report file {fid} reached the TR as {per_file[fid]} messages")
        if r["tr_message_id"] and at_tr.get(fid, 0) != r["record_count"]:
            problems.append(f"report file {fid}: the TR holds {at_tr.get(fid, 0)} records, "
                            f"we wrote {r['record_count']}")
        if r["tr_message_id"] and (fid, r["tr_message_id"]) not in messages:
            problems.append(f"report file {fid}: message {r['tr_message_id']} unknown to the TR")
    return problems


def assert_pipeline_invariants(db, tenant_id, *, expected_records: int | None = None,
                               trsim: Any = None, submitter_lei: str | None = None,
                               ) -> dict[str, Any]:
    """Fail with every breach at once; return the tenant's snapshot when all hold."""
    problems = check_pipeline(db, tenant_id, expected_records=expected_records, trsim=trsim,
                              submitter_lei=submitter_lei)
    if problems:
        raise InvariantError(f"pipeline invariants broken for tenant {tenant_id}:\n- "
                             + "\n- ".join(problems))
    return snapshot(db, tenant_id)
