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

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg

from shared.adapters.db import audit, report_files
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
from shared.services.monitoring.alerts import raise_alert
from shared.services.pipeline.trade_state import refresh_trades

if TYPE_CHECKING:
    from shared.adapters.queue import ReceivedMessage
    from shared.services.pipeline.stage import StageContext
    from shared.services.ports import Database, ObjectStore

log = get_logger("swaprep.submit")

WITH_TR = ("submitted", "acked", "partially_acked")  # the TR has it: never sent again
# An older unsent file (in these states) of the same tenant and TR that holds an event of a
# UTI this file also reports goes first (a NEWT's file before its MODI's). Files with no UTI
# in common go in any order, so one stuck file does not hold up the tenant's other reports.
NOT_YET_SENT = ("generated", "submitting")
# A file waiting for an older one is woken when that one is out of the way (`_hand_on`: the
# earliest unsent newer file of the tenant and TR goes next), so its own timer is only a
# safety net. It began at 5 s: with a 1M-record file, 500 files waited in line, each re-checked
# every few seconds (a query over both files' trades), and submit spent itself on re-checks
# (60 items a second at the end of the run, docs/BENCHMARKS.md, session 9).
ORDER_WAIT_S = 60  # first re-check of an older file's progress; doubles up to MAX_DEFER_S
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


def _alert_now(db: Database, tenant_id: Any, **alert: Any) -> None:
    """An alert that must outlive the stage's transaction (which is about to roll back)."""
    try:
        with (db.tenant(tenant_id) if tenant_id else db.system()) as conn:
            raise_alert(conn, tenant_id=tenant_id, **alert)
    except Exception:  # never hide the original failure behind an alerting one
        log.exception("could not record alert", extra={"kind": alert.get("kind")})


# -- attempts: committed on their own, so a rolled-back stage keeps its history ---------------

def _start_attempt(db: Database, tenant_id: Any, report_file_id: str) -> int:
    with db.tenant(tenant_id) as conn:
        return report_files.start_submission(conn, tenant_id, report_file_id)


def _finish_attempt(conn: psycopg.Connection[Any], report_file_id: str, attempt: int, *,
                    outcome: str | None, status: int | None = None, mid: str | None = None,
                    error: str | None = None) -> None:
    report_files.finish_submission(conn, report_file_id, attempt, outcome=outcome,
                                   status=status, mid=mid,
                                   error=error[:2000] if error else None)


def _finish_attempt_now(db: Database, tenant_id: Any, report_file_id: str, attempt: int,
                        **fields: Any) -> None:
    with db.tenant(tenant_id) as conn:
        _finish_attempt(conn, report_file_id, attempt, **fields)


def _forget_attempt(db: Database, tenant_id: Any, report_file_id: str, attempt: int) -> None:
    with db.tenant(tenant_id) as conn:
        report_files.delete_submission(conn, report_file_id, attempt)


# -- the use case -----------------------------------------------------------------------------

def submit_report_file(
    conn: psycopg.Connection[Any],
    tenant_id: Any,
    report_file_id: Any,
    *,
    db: Database,
    store: ObjectStore,
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


def _submit(conn: psycopg.Connection[Any], tenant_id: Any, file_id: str, *, db: Database,
            store: ObjectStore, transport_for: Callable[[str], TrTransport], outbound_bucket: str,
            deferrals: int, after_post: Callable[[TrReceipt], None] | None) -> SubmitOutcome:
    from shared.adapters.objectstore import ObjectNotFound

    row = report_files.lock_report_file_for_submit(conn, file_id)
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

    older = report_files.older_file_first(
        conn, tenant_id=row["tenant_id"], regime=row["regime"], tr=row["tr"],
        created_at=row["created_at"], statuses=list(NOT_YET_SENT), file_id=file_id)
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
        report_files.mark_file_failed(conn, file_id, reason)
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
    report_files.mark_file_submitted(conn, file_id, receipt.tr_message_id)
    touched = report_files.mark_file_events_submitted(conn, file_id)
    refresh_trades(conn, row["tenant_id"], sorted(set(touched)))
    audit.record(conn, tenant_id=row["tenant_id"], actor="submit", actor_type="system",
                 action="report_file.submitted", entity_type="report_file", entity_id=file_id,
                 after={"tr_message_id": receipt.tr_message_id, "attempt": attempt,
                        "replayed": receipt.replayed, "records": receipt.records})
    log.info("report file submitted", extra={
        "tr_message_id": receipt.tr_message_id, "attempt": attempt,
        "replayed": receipt.replayed})


def _reject(conn: psycopg.Connection[Any], row: dict[str, Any], code: str, reason: str) -> None:
    """The TR refused the whole file: every record in it ends NACKed with the file's code."""
    file_id = str(row["id"])
    report_files.mark_file_rejected(conn, file_id, code, reason[:2000])
    items = report_files.nack_pending_items(conn, file_id, code, f"{code}: {reason}"[:2000])
    touched = report_files.mark_file_events_nacked(conn, file_id)
    refresh_trades(conn, row["tenant_id"], sorted(set(touched)))
    raise_alert(conn, tenant_id=row["tenant_id"], kind="tr.file_rejected", severity="critical",
                dedup_key=f"tr-file-rejected:{file_id}",
                summary=f"The {row['regime']} TR refused report file {file_id} ({items} "
                        f"record(s)): {code} {reason}",
                details={"report_file_id": file_id, "code": code, "reason": reason,
                         "records": items})
    log.warning("report file rejected by the TR", extra={"code": code, "reason": reason})


# -- the stage --------------------------------------------------------------------------------

def _hand_on(conn: psycopg.Connection[Any], stage: StageContext, queue: str, tenant_id: str,
             file_id: str) -> None:
    """The file is out of the way: wake the next file of its tenant and TR now. Files behind
    it wait with growing delays (up to MAX_DEFER_S), each on its own timer; after a crash or a
    TR outage, a chain of them would otherwise drain one long delay at a time. A duplicate
    message is harmless: the next file is locked and checked before anything is sent."""
    following = report_files.next_file_after(conn, file_id, list(NOT_YET_SENT))
    if following is not None:
        stage.send(conn, queue, [{"report_file_id": str(following),
                                  "key": f"after:{file_id}"}], tenant_id)


def handle(conn: psycopg.Connection[Any], message: ReceivedMessage, stage: StageContext) -> None:
    """`run_stage` handler for the `submit` queue."""
    from shared.adapters.tr import transport_from_config
    from shared.services import bootstrap

    assert message.tenant_id is not None  # run_stage refuses messages without a tenant
    config = stage.config
    deferrals = int(message.body.get("deferrals") or 0)
    outcome = submit_report_file(
        conn, message.tenant_id, message.body.get("report_file_id"),
        db=stage.db, store=bootstrap.object_store(config),
        transport_for=lambda regime: transport_from_config(
            config, regime, stage.db, remaining_s=stage.action.remaining_s),
        outbound_bucket=config.bucket("outbound"), deferrals=deferrals,
    )
    if outcome.status in ("submitted", "already_submitted", "rejected", "failed"):
        _hand_on(conn, stage, message.queue, message.tenant_id, outcome.report_file_id)
    if outcome.status == "deferred":
        # A new message with a delay, committed with the claim of this one: the wait uses
        # up none of the message's receives, so it can last as long as the TR is down.
        body = {"report_file_id": outcome.report_file_id, "deferrals": deferrals + 1}
        stage.send(conn, message.queue, [body], message.tenant_id,
                   delay_s=int(outcome.defer_s or 1))
    log.info("submit", extra=outcome.as_dict())
