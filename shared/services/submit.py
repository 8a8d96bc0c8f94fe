"""Submit: deliver one generated report file to its TR, exactly once as far as the TR can tell.

Consumer of the `submit` queue (`{report_file_id}`), run through `run_stage`, so the work
below happens in the message's tenant-scoped transaction together with its idempotency claim:

1. lock the report file (`FOR NO KEY UPDATE`: concurrent deliveries of the file wait here);
   a file already with the TR (it has a `tr_message_id`) or rejected is not sent again;
2. wait (re-queue with a delay) while an older file of the same tenant and regime has not
   reached the TR: the TR checks lifecycles across files, so a MODI must not overtake its NEWT;
3. POST it (shared/adapters/tr: timeouts, a few quick retries, a breaker shared by all
   containers through PostgreSQL);
4. on 202 record the TR message id on the file and the attempt row, and move the file to
   `submitted` and its events to `submitted` - all in the stage's transaction, before
   anything else moves. If the activation dies after the POST and before the commit, the
   redelivered message POSTs the same bytes with the same `X-Report-File-Id`, and the TR
   answers the same message id: still one submission.

Failures: a transient one (TR down, slow, 5xx, 429) raises, so the queue retries the message
with backoff and dead-letters it after its last receive; an open breaker re-queues the
message for when the breaker may let a probe through (no receive is used up, nothing sent);
a whole-file refusal (400) marks the file `rejected` with the TR's code, NACKs its items and
events with that code and raises an alert; 401 raises a critical alert and retries (an
operator must fix the key). Every attempt gets a `submissions` row, written in its own
transaction so that failed attempts stay on record when the stage's transaction rolls back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from shared.adapters.tr.base import (
    CircuitOpen,
    TrReceipt,
    TrRefused,
    TrSubmission,
    TrTransient,
    TrTransport,
    TrUnauthorized,
)
from shared.domain.identifiers import uuid_or_none
from shared.platform.config import ConfigError
from shared.platform.logging import get_logger, log_context
from shared.services.alerts import raise_alert
from shared.services.trade_state import refresh_trades

log = get_logger("swaprep.submit")

WITH_TR = ("submitted", "acked", "partially_acked")  # the TR has it: never sent again
NOT_YET_SENT = ("generated", "submitting")  # an older file in these states goes first
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
ORDER_WAIT_S = 5  # first re-check of an older file's progress; doubles up to MAX_DEFER_S
MAX_DEFER_S = 300
ORDER_ALERT_AFTER = 8  # deferrals behind an older file before somebody is told


class NotReady(RuntimeError):
    """The file is still being built: retry later."""


@dataclass(frozen=True)
class SubmitOutcome:
    report_file_id: str
    status: str  # submitted | already_submitted | rejected | deferred | missing | failed
    tr_message_id: str | None = None
    code: str | None = None
    reason: str | None = None
    defer_s: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _alert_now(db: Any, tenant_id: Any, **alert: Any) -> None:
    """An alert that must outlive the stage's transaction (which is about to roll back)."""
    try:
        with (db.tenant(tenant_id) if tenant_id else db.system()) as conn:
            raise_alert(conn, tenant_id=tenant_id, **alert)
    except Exception:  # never hide the original failure behind an alerting one
        log.exception("could not record alert", extra={"kind": alert.get("kind")})


# -- attempts: committed on their own, so a rolled-back stage keeps its history ---------------

def _start_attempt(db: Any, tenant_id: Any, report_file_id: str) -> int:
    with db.tenant(tenant_id) as conn:
        row = conn.execute(
            "INSERT INTO submissions (tenant_id, report_file_id, attempt)"
            " SELECT %(t)s, %(f)s, coalesce(max(attempt), 0) + 1 FROM submissions"
            " WHERE report_file_id = %(f)s RETURNING attempt",
            {"t": tenant_id, "f": report_file_id},
        ).fetchone()
    return int(row["attempt"])


_FINISH = (
    "UPDATE submissions SET finished_at = now(), http_status = %(status)s,"
    " tr_message_id = %(mid)s, outcome = %(outcome)s, error = %(error)s"
    " WHERE report_file_id = %(f)s AND attempt = %(n)s"
)


def _finish_attempt(conn: psycopg.Connection[Any], report_file_id: str, attempt: int, *,
                    outcome: str | None, status: int | None = None, mid: str | None = None,
                    error: str | None = None) -> None:
    conn.execute(_FINISH, {"f": report_file_id, "n": attempt, "outcome": outcome,
                           "status": status, "mid": mid,
                           "error": error[:2000] if error else None})


def _finish_attempt_now(db: Any, tenant_id: Any, report_file_id: str, attempt: int,
                        **fields: Any) -> None:
    with db.tenant(tenant_id) as conn:
        _finish_attempt(conn, report_file_id, attempt, **fields)


def _forget_attempt(db: Any, tenant_id: Any, report_file_id: str, attempt: int) -> None:
    with db.tenant(tenant_id) as conn:
        conn.execute("DELETE FROM submissions WHERE report_file_id = %s AND attempt = %s",
                     (report_file_id, attempt))


# -- the use case -----------------------------------------------------------------------------

def submit_report_file(
    conn: psycopg.Connection[Any],
    tenant_id: Any,
    report_file_id: Any,
    *,
    db: Any,
    store: Any,
    transport_for: Callable[[str], TrTransport],
    outbound_bucket: str,
    deferrals: int = 0,
    after_post: Callable[[TrReceipt], None] | None = None,
) -> SubmitOutcome:
    """Deliver one report file inside the stage's transaction `conn` (see module docstring).

    `after_post` runs after the TR's 202 and before the file is updated (tests put a crash
    there). Raises when the message should be retried by the queue.
    """
    file_id = uuid_or_none(report_file_id)
    if file_id is None:
        log.error("submit message without a valid report_file_id",
                  extra={"report_file_id": report_file_id})
        return SubmitOutcome(str(report_file_id), "missing", reason="not a report file id")
    with log_context(report_file_id=file_id):
        return _submit(conn, tenant_id, file_id, db=db, store=store,
                       transport_for=transport_for, outbound_bucket=outbound_bucket,
                       deferrals=deferrals, after_post=after_post)


def _submit(conn: psycopg.Connection[Any], tenant_id: Any, file_id: str, *, db: Any,
            store: Any, transport_for: Callable[[str], TrTransport], outbound_bucket: str,
            deferrals: int, after_post: Callable[[TrReceipt], None] | None) -> SubmitOutcome:
    from shared.adapters.objectstore import ObjectNotFound

    row = conn.execute(
        "SELECT rf.*, t.slug AS tenant_slug, t.lei AS tenant_lei FROM report_files rf"
        " JOIN tenants t ON t.id = rf.tenant_id WHERE rf.id = %s FOR NO KEY UPDATE OF rf",
        (file_id,),
    ).fetchone()
    if row is None:
        log.error("report file not found for this tenant")
        return SubmitOutcome(file_id, "missing", reason="no such report file")
    if row["tr_message_id"] and row["status"] in WITH_TR:
        log.info("report file already with the TR", extra={"tr_message_id": row["tr_message_id"]})
        return SubmitOutcome(file_id, "already_submitted", row["tr_message_id"])
    if row["status"] == "rejected":
        return SubmitOutcome(file_id, "rejected", code=row["reject_code"],
                             reason="rejected before")
    if row["status"] == "building":
        raise NotReady(f"report file {file_id} is still being built")

    older = conn.execute(_OLDER_FILE_FIRST, (row["tenant_id"], row["regime"], row["tr"],
                                              row["created_at"], list(NOT_YET_SENT), file_id),
                         ).fetchone()
    if older is not None:
        wait = min(ORDER_WAIT_S * 2 ** min(deferrals, 10), MAX_DEFER_S)
        if deferrals + 1 == ORDER_ALERT_AFTER:
            raise_alert(conn, tenant_id=row["tenant_id"], kind="tr.submit_waiting",
                        severity="warning", dedup_key=f"tr-submit-waiting:{file_id}",
                        summary=f"Report file {file_id} waits for the older file "
                                f"{older['id']} ({older['status']}) to reach the TR",
                        details={"report_file_id": file_id, "older": str(older["id"])})
        log.info("an older report file goes first", extra={"older": str(older["id"])})
        return SubmitOutcome(file_id, "deferred", reason=f"older file {older['id']} first",
                             defer_s=wait)

    bucket = row["bucket"] or outbound_bucket
    try:
        body = store.get_bytes(bucket, row["object_key"])
    except ObjectNotFound:
        reason = f"report file object s3://{bucket}/{row['object_key']} is missing"
        conn.execute("UPDATE report_files SET status = 'failed', reject_reason = %s,"
                     " updated_at = now() WHERE id = %s", (reason, file_id))
        raise_alert(conn, tenant_id=row["tenant_id"], kind="tr.report_file_missing",
                    severity="critical", dedup_key=f"tr-file-missing:{file_id}",
                    summary=reason, details={"report_file_id": file_id})
        return SubmitOutcome(file_id, "failed", reason=reason)
    try:
        transport = transport_for(row["regime"])
    except ConfigError as exc:  # no TR URL or key for the regime: retried, and said loudly
        _alert_now(db, None, kind="tr.not_configured", severity="critical",
                   dedup_key=f"tr-not-configured:{row['regime']}", summary=str(exc),
                   details={"regime": row["regime"], "report_file_id": file_id})
        raise

    submission = TrSubmission(
        regime=row["regime"], report_file_id=file_id, body=body,
        submitter_lei=row["tenant_lei"], submitter_tenant=row["tenant_slug"],
    )
    tenant = row["tenant_id"]
    attempt = _start_attempt(db, tenant, file_id)
    try:
        receipt = transport.submit(submission)
    except CircuitOpen as exc:
        _forget_attempt(db, tenant, file_id, attempt)  # nothing was sent
        return SubmitOutcome(file_id, "deferred", reason=str(exc),
                             defer_s=min(max(int(exc.retry_in_s) + 1, 1), MAX_DEFER_S))
    except TrRefused as exc:
        _finish_attempt(conn, file_id, attempt, outcome="failed", status=exc.http_status,
                        error=str(exc))
        _reject(conn, row, exc.code, exc.reason)
        return SubmitOutcome(file_id, "rejected", code=exc.code, reason=exc.reason)
    except TrUnauthorized as exc:
        _finish_attempt_now(db, tenant, file_id, attempt, outcome="retry",
                            status=exc.http_status, error=str(exc))
        _alert_now(db, None, kind="tr.unauthorized", severity="critical",
                   dedup_key=f"tr-unauthorized:{row['regime']}",
                   summary=f"The {row['regime']} TR refuses our credentials: check "
                           f"tr_api_key_{row['regime'].replace('-', '_')}",
                   details={"error": str(exc), "report_file_id": file_id})
        raise
    except TrTransient as exc:
        _finish_attempt_now(db, tenant, file_id, attempt, outcome="retry",
                            status=exc.http_status, error=str(exc))
        if exc.breaker_opened:
            _alert_now(db, None, kind="tr.circuit_open", severity="critical",
                       dedup_key=f"tr-circuit-open:{row['regime']}",
                       summary=f"The {row['regime']} TR is failing; submissions are paused "
                               "and resume by themselves when it answers again",
                       details={"error": str(exc)})
        raise
    except Exception as exc:
        _finish_attempt_now(db, tenant, file_id, attempt, outcome="retry",
                            error=f"{type(exc).__name__}: {exc}")
        raise

    if after_post is not None:
        after_post(receipt)
    _record_receipt(conn, row, attempt, receipt)
    return SubmitOutcome(file_id, "submitted", receipt.tr_message_id)


def _record_receipt(conn: psycopg.Connection[Any], row: dict[str, Any], attempt: int,
                    receipt: TrReceipt) -> None:
    file_id = str(row["id"])
    _finish_attempt(conn, file_id, attempt, outcome="accepted", status=receipt.http_status,
                    mid=receipt.tr_message_id)
    known = row["tr_message_id"]
    if known and known != receipt.tr_message_id:
        # The TR took the file twice under two ids: its idempotency failed. Keep the first.
        raise_alert(conn, tenant_id=row["tenant_id"], kind="tr.duplicate_submission",
                    severity="critical", dedup_key=f"tr-duplicate:{file_id}",
                    summary=f"The TR gave report file {file_id} a second message id "
                            f"{receipt.tr_message_id} (first {known})",
                    details={"first": known, "second": receipt.tr_message_id})
    conn.execute(
        "UPDATE report_files SET tr_message_id = coalesce(tr_message_id, %s),"
        " submitted_at = coalesce(submitted_at, now()), updated_at = now(),"
        " status = CASE WHEN status IN ('acked', 'partially_acked', 'rejected') THEN status"
        "          ELSE 'submitted' END WHERE id = %s",
        (receipt.tr_message_id, file_id),
    )
    touched = conn.execute(
        "UPDATE trade_events e SET state = 'submitted', updated_at = now()"
        " FROM report_items i WHERE i.report_file_id = %s AND e.id = i.event_id"
        " AND e.state = 'reported' RETURNING e.uti",
        (file_id,),
    ).fetchall()
    refresh_trades(conn, row["tenant_id"], sorted({r["uti"] for r in touched}))
    conn.execute(
        "INSERT INTO audit_log (tenant_id, actor, actor_type, action, entity_type, entity_id,"
        " after) VALUES (%s, 'submit', 'system', 'report_file.submitted', 'report_file', %s, %s)",
        (row["tenant_id"], file_id, json.dumps({
            "tr_message_id": receipt.tr_message_id, "attempt": attempt,
            "replayed": receipt.replayed, "records": receipt.records})),
    )
    log.info("report file submitted", extra={
        "tr_message_id": receipt.tr_message_id, "attempt": attempt,
        "replayed": receipt.replayed})


def _reject(conn: psycopg.Connection[Any], row: dict[str, Any], code: str, reason: str) -> None:
    """The TR refused the whole file: every record in it ends NACKed with the file's code."""
    file_id = str(row["id"])
    conn.execute(
        "UPDATE report_files SET status = 'rejected', reject_code = %s, reject_reason = %s,"
        " updated_at = now() WHERE id = %s", (code, reason[:2000], file_id))
    items = conn.execute(
        "UPDATE report_items SET status = 'nacked', tr_code = %s, tr_message = %s"
        " WHERE report_file_id = %s AND status = 'pending'",
        (code, f"{code}: {reason}"[:2000], file_id),
    ).rowcount
    touched = conn.execute(
        "UPDATE trade_events e SET state = 'nacked', updated_at = now()"
        " FROM report_items i WHERE i.report_file_id = %s AND e.id = i.event_id"
        " AND e.state IN ('reported', 'submitted') RETURNING e.uti",
        (file_id,),
    ).fetchall()
    refresh_trades(conn, row["tenant_id"], sorted({r["uti"] for r in touched}))
    raise_alert(conn, tenant_id=row["tenant_id"], kind="tr.file_rejected", severity="critical",
                dedup_key=f"tr-file-rejected:{file_id}",
                summary=f"The {row['regime']} TR refused report file {file_id} ({items} "
                        f"record(s)): {code} {reason}",
                details={"report_file_id": file_id, "code": code, "reason": reason,
                         "records": items})
    log.warning("report file rejected by the TR", extra={"code": code, "reason": reason})


# -- the stage --------------------------------------------------------------------------------

def _hand_on(conn: psycopg.Connection[Any], stage: Any, message: Any, file_id: str) -> None:
    """The file is out of the way: wake the next file of its tenant and TR now. Files behind
    it wait with growing delays (up to MAX_DEFER_S), each on its own timer; after a crash or a
    TR outage, a chain of them would otherwise drain one long delay at a time. A duplicate
    message is harmless: the next file is locked and checked before anything is sent."""
    following = conn.execute(
        "SELECT n.id FROM report_files f JOIN report_files n ON n.tenant_id = f.tenant_id"
        " AND n.regime = f.regime AND n.tr = f.tr AND n.created_at > f.created_at"
        " WHERE f.id = %s AND n.status = ANY(%s) ORDER BY n.created_at LIMIT 1",
        (file_id, list(NOT_YET_SENT)),
    ).fetchone()
    if following is not None:
        stage.send(conn, message.queue, [{"report_file_id": str(following["id"]),
                                          "key": f"after:{file_id}"}], message.tenant_id)


def handle(conn: psycopg.Connection[Any], message: Any, stage: Any) -> None:
    """`run_stage` handler for the `submit` queue."""
    from shared.adapters.tr import transport_from_config
    from shared.services import wiring

    config = stage.config
    deferrals = int(message.body.get("deferrals") or 0)
    outcome = submit_report_file(
        conn, message.tenant_id, message.body.get("report_file_id"),
        db=stage.db, store=wiring.object_store(config),
        transport_for=lambda regime: transport_from_config(
            config, regime, stage.db, remaining_s=stage.action.remaining_s),
        outbound_bucket=config.bucket("outbound"), deferrals=deferrals,
    )
    if outcome.status in ("submitted", "already_submitted", "rejected", "failed"):
        _hand_on(conn, stage, message, outcome.report_file_id)
    if outcome.status == "deferred":
        # A new message with a delay, committed with the claim of this one: the wait uses
        # up none of the message's receives, so it can last as long as the TR is down.
        body = {"report_file_id": outcome.report_file_id, "deferrals": deferrals + 1}
        stage.send(conn, message.queue, [body], message.tenant_id,
                   delay_s=int(outcome.defer_s or 1))
    log.info("submit", extra=outcome.as_dict())
