"""Feedback: a TR's ACK/NACK file landed in the feedback bucket -> final states on our records.

The TR writes `<tenant>/<tr_message_id>.json` (docs/PIPELINE.md "TR protocol"); `<tenant>` is
the tenant's slug (or its LEI). In the tenant's transaction:

1. ledger: `tr_feedback` is unique per (tenant, sha256). The same content again, under any
   name, is a recorded no-op (`deliveries` + 1, an audit row), never applied twice;
2. a file that is not JSON of the protocol's shape, or that names a report file / message we
   do not know, is kept in the bucket, recorded `rejected` with the reason, and alerted;
3. records are matched to `report_items` by `record_ref` (position as a fallback when the
   UTI agrees); a pending item becomes `acked` or `nacked` with the TR's codes, and its event
   `acked` / `nacked`. An item already final stays as it is, so feedback that arrives late,
   out of order or twice changes nothing final;
4. the report file becomes `acked` (every item ACK), `rejected` (every item NACK),
   or `partially_acked`; NACKs raise an alert naming the codes.

Nothing here raises for bad content (a retry cannot fix it); database errors do raise.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg

from shared.adapters.db import audit, report_files, tr_feedback
from shared.adapters.db.database import retry_transaction
from shared.domain.identifiers import uuid_or_none
from shared.domain.reconciliation import OBJECT_PREFIX
from shared.platform.logging import get_logger, log_context
from shared.platform.triggers import ObjectEvent
from shared.services.monitoring.alerts import raise_alert
from shared.services.pipeline import trade_state
from shared.services.pipeline.trade_state import refresh_trades

if TYPE_CHECKING:
    from shared.services.ports import Database, ObjectStore

log = get_logger("swaprep.feedback")

MAX_FEEDBACK_BYTES = 64 * 1024 * 1024
STATUSES = {"ACK": "acked", "NACK": "nacked"}


@dataclass(frozen=True)
class FeedbackOutcome:
    bucket: str
    key: str
    status: str  # applied | duplicate | rejected | ignored
    tenant: str | None = None
    report_file_id: str | None = None
    tr_message_id: str | None = None
    acked: int = 0
    nacked: int = 0
    unchanged: int = 0  # records whose item was already final
    unmatched: int = 0  # records that match no item of the file
    file_status: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, 0) or k == "status"}


class Unusable(ValueError):
    """The feedback file cannot be applied; the message says why."""


@dataclass
class _Record:
    position: int
    record_ref: str | None
    uti: str | None
    status: str  # ACK | NACK
    codes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def tr_code(self) -> str | None:
        return ",".join(c for c, _ in self.codes)[:500] or None

    @property
    def tr_message(self) -> str | None:
        return "; ".join(f"{c}: {m}" if m else c for c, m in self.codes)[:2000] or None


def parse_feedback(body: bytes) -> tuple[dict[str, Any], list[_Record]]:
    """The document and its records; `Unusable` with the reason if it is not the protocol's."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Unusable(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise Unusable("not a JSON object")
    if not isinstance(doc.get("tr_message_id"), str) or not doc["tr_message_id"]:
        raise Unusable("no tr_message_id")
    if not isinstance(doc.get("records"), list):
        raise Unusable("records is missing or not a list")
    records = []
    for index, raw in enumerate(doc["records"], start=1):
        if not isinstance(raw, dict):
            raise Unusable(f"record {index} is not an object")
        position, status = raw.get("position"), raw.get("status")
        if isinstance(position, bool) or not isinstance(position, int) or position < 1:
            raise Unusable(f"record {index}: position must be a positive integer")
        if status not in STATUSES:
            raise Unusable(f"record {index}: status {status!r} is not ACK or NACK")
        codes = []
        for code in raw.get("codes") or []:
            if isinstance(code, dict) and code.get("code"):
                codes.append((str(code["code"]), str(code.get("message") or "")))
            elif isinstance(code, str) and code:
                codes.append((code, ""))
        if status == "NACK" and not codes:
            codes.append(("TR-UNSPECIFIED", "NACK without a code"))
        ref, uti = raw.get("record_ref"), raw.get("uti")
        records.append(_Record(position, ref if isinstance(ref, str) else None,
                               uti if isinstance(uti, str) else None, status, codes))
    return doc, records


def _tenant_for(db: Database, key: str) -> tuple[Any, str] | None:
    from shared.services.pipeline.tenant_folders import tenant_for_folder

    return tenant_for_folder(db, key.split("/", 1)[0].strip() if "/" in key else "")


def apply_feedback_object(event: ObjectEvent, *, db: Database,
                          store: ObjectStore) -> FeedbackOutcome:
    """Record and apply one feedback object (see module docstring)."""
    if not event.created:
        return FeedbackOutcome(event.bucket, event.key, "ignored", reason=event.event_name)
    if event.key.startswith(OBJECT_PREFIX):
        # the TR's end-of-day reports share the bucket: the tr-reports stage reads them
        return FeedbackOutcome(event.bucket, event.key, "ignored",
                               reason="a TR end-of-day report (the tr-reports stage's)")
    body = store.get_bytes(event.bucket, event.key)
    sha256 = hashlib.sha256(body).hexdigest()
    found = _tenant_for(db, event.key)
    if found is None:
        reason = "no tenant: feedback must be under '<tenant slug or LEI>/'"
        with db.system() as conn:
            raise_alert(conn, tenant_id=None, kind="tr.feedback_unknown_tenant",
                        severity="warning", dedup_key=f"tr-feedback-tenant:{event.key}",
                        summary=f"Feedback file {event.key} was not applied: {reason}",
                        details={"bucket": event.bucket, "key": event.key, "sha256": sha256})
        log.warning("feedback for unknown tenant", extra={"key": event.key})
        return FeedbackOutcome(event.bucket, event.key, "rejected", reason=reason)
    tenant_id, slug = found

    def apply() -> FeedbackOutcome:
        with log_context(tenant_id=str(tenant_id)), db.tenant(tenant_id) as conn:
            return _apply(conn, tenant_id, slug, event, body, sha256)

    # Applying feedback locks the items and events it moves, and the stages before it lock
    # some of them too: a deadlock victim is run again rather than left to the lost-trigger
    # sweep (an object trigger is not retried). The trades' state follows after the commit,
    # as in the stages (trade_state.deferred).
    with trade_state.deferred() as noted:
        outcome = retry_transaction(apply)
    try:
        if noted.any:
            trade_state.refresh_pending(db, tenant_id)
    except Exception:  # the notes stay for the next refresh (a stage's or the monitor's)
        log.warning("refreshing the trades' state failed; the next refresh will", exc_info=True)
    log.info("feedback", extra=outcome.as_dict())
    return outcome


def _apply(conn: psycopg.Connection[Any], tenant_id: Any, slug: str, event: ObjectEvent,
           body: bytes, sha256: str) -> FeedbackOutcome:
    ledger = tr_feedback.record_delivery(conn, tenant_id=tenant_id, bucket=event.bucket,
                                         object_key=event.key, sha256=sha256)
    if not ledger["inserted"]:
        audit.record(conn, tenant_id=tenant_id, actor="feedback", actor_type="system",
                     action="tr_feedback.duplicate", entity_type="tr_feedback",
                     entity_id=str(ledger["id"]),
                     after={"bucket": event.bucket, "key": event.key, "sha256": sha256,
                            "same_content_as": ledger["object_key"]})
        return FeedbackOutcome(event.bucket, event.key, "duplicate", slug,
                               str(ledger["report_file_id"] or "") or None,
                               reason=f"same content as {ledger['object_key']} "
                                      f"({ledger['status']})")
    feedback_id = ledger["id"]

    def refuse(reason: str, file_id: str | None = None,
               message_id: str | None = None) -> FeedbackOutcome:
        tr_feedback.mark_rejected(conn, feedback_id, error=reason[:2000],
                                  report_file_id=file_id, tr_message_id=message_id)
        raise_alert(conn, tenant_id=tenant_id, kind="tr.feedback_rejected", severity="warning",
                    dedup_key=f"tr-feedback-rejected:{event.key}",
                    summary=f"TR feedback file {event.key} could not be applied: {reason}",
                    details={"bucket": event.bucket, "key": event.key, "sha256": sha256,
                             "tr_message_id": message_id})
        log.warning("feedback file rejected", extra={"key": event.key, "reason": reason})
        return FeedbackOutcome(event.bucket, event.key, "rejected", slug, file_id, message_id,
                               reason=reason)

    if len(body) > MAX_FEEDBACK_BYTES:
        return refuse(f"larger than {MAX_FEEDBACK_BYTES} bytes")
    try:
        doc, records = parse_feedback(body)
    except Unusable as exc:
        return refuse(str(exc))
    message_id = doc["tr_message_id"]
    report_file = _report_file(conn, doc.get("report_file_id"), message_id)
    if report_file is None:
        return refuse(f"unknown message: no report file {doc.get('report_file_id')!r} "
                      f"or TR message {message_id!r} for this tenant", message_id=message_id)
    file_id = str(report_file["id"])
    if report_file["tr_message_id"] and report_file["tr_message_id"] != message_id:
        return refuse(f"report file {file_id} was submitted as {report_file['tr_message_id']}, "
                      f"not {message_id}", file_id, message_id)
    if doc.get("regime") and doc["regime"] != report_file["regime"]:
        return refuse(f"feedback of regime {doc['regime']!r} for a {report_file['regime']} "
                      "report file", file_id, message_id)
    return _apply_records(conn, tenant_id, slug, event, feedback_id, report_file, message_id,
                          records)


def _report_file(conn: psycopg.Connection[Any], report_file_id: Any,
                 message_id: str) -> dict[str, Any] | None:
    wanted = uuid_or_none(report_file_id)
    # The same lock submit takes: feedback and a (late) submit of one file never interleave.
    if wanted:
        row = report_files.lock_report_file(conn, wanted)
        if row is not None:
            return row
    return report_files.lock_report_file_by_message(conn, message_id)


def _apply_records(conn: psycopg.Connection[Any], tenant_id: Any, slug: str,
                   event: ObjectEvent, feedback_id: int, report_file: dict[str, Any],
                   message_id: str, records: list[_Record]) -> FeedbackOutcome:
    file_id = str(report_file["id"])
    items = report_files.report_items_of(conn, file_id)
    by_ref = {i["record_ref"]: i for i in items}
    by_position = {i["position"]: i for i in items}
    final: dict[int, str] = {}  # item id -> status set by this file
    updates: list[tuple[int, str, str | None, str | None, Any]] = []
    unchanged, unmatched = 0, []
    for record in records:
        item = by_ref.get(record.record_ref or "")
        if item is None:
            # A TR may rebuild references differently; the position still names the record
            # when the UTI agrees.
            candidate = by_position.get(record.position)
            if candidate is not None and record.uti and \
                    candidate["record_ref"].startswith(f"{record.uti}:"):
                item = candidate
        if item is None:
            unmatched.append(record.record_ref or f"position {record.position}")
            continue
        if item["status"] != "pending" or item["id"] in final:
            unchanged += 1  # already final: late, repeated or out-of-order feedback
            continue
        status = STATUSES[record.status]
        final[item["id"]] = status
        updates.append((item["id"], status, record.tr_code, record.tr_message, item["event_id"]))

    if updates:
        report_files.settle_pending_items(
            conn, [u[0] for u in updates], [u[1] for u in updates], [u[2] for u in updates],
            [u[3] for u in updates])
        # An event reported under several regimes has one state: a NACK from any TR wins
        # over another TR's ACK, since it needs somebody's attention. The same holds for the
        # two sides of one event in one file (its own and a client's): one row per event, as
        # an UPDATE applies only one of several rows joined to the same event.
        per_event: dict[Any, str] = {}
        for u in updates:
            per_event[u[4]] = "nacked" if "nacked" in (u[1], per_event.get(u[4])) else u[1]
        touched = report_files.settle_events(conn, list(per_event), list(per_event.values()))
        refresh_trades(conn, tenant_id, sorted(set(touched)))
    acked = sum(1 for u in updates if u[1] == "acked")
    nacked = len(updates) - acked
    file_status = _file_status(conn, report_file, message_id)

    error = None
    if unmatched:
        error = f"{len(unmatched)} record(s) match no report item: {', '.join(unmatched[:10])}"
        raise_alert(conn, tenant_id=tenant_id, kind="tr.feedback_unmatched", severity="warning",
                    dedup_key=f"tr-feedback-unmatched:{file_id}",
                    summary=f"TR feedback {event.key}: {error}",
                    details={"report_file_id": file_id, "unmatched": unmatched[:100],
                             "count": len(unmatched)})
    tr_feedback.mark_applied(conn, feedback_id, report_file_id=file_id,
                             tr_message_id=message_id, ack_count=acked, nack_count=nacked,
                             error=error)
    if nacked:
        codes = Counter(c.strip() for u in updates if u[1] == "nacked"
                        for c in (u[2] or "").split(",") if c.strip())
        raise_alert(conn, tenant_id=tenant_id, kind="tr.nack", severity="warning",
                    dedup_key=f"tr-nack:{file_id}",
                    summary=f"{nacked} record(s) of report file {file_id} NACKed by the "
                            f"{report_file['regime']} TR: "
                            + ", ".join(f"{c} x{n}" for c, n in codes.most_common(5)),
                    details={"report_file_id": file_id, "tr_message_id": message_id,
                             "codes": dict(codes), "feedback_key": event.key,
                             "count": nacked, "regime": report_file["regime"]})
    audit.record(conn, tenant_id=tenant_id, actor="feedback", actor_type="system",
                 action="tr_feedback.applied", entity_type="report_file", entity_id=file_id,
                 after={"key": event.key, "tr_message_id": message_id, "acked": acked,
                        "nacked": nacked, "unchanged": unchanged,
                        "unmatched": len(unmatched), "status": file_status})
    return FeedbackOutcome(event.bucket, event.key, "applied", slug, file_id, message_id,
                           acked, nacked, unchanged, len(unmatched), file_status)


def _file_status(conn: psycopg.Connection[Any], report_file: dict[str, Any],
                 message_id: str) -> str:
    """Recompute the file's status from its items; a whole-file refusal stays as it is."""
    counts = report_files.item_status_counts(conn, report_file["id"])
    status: str = report_file["status"]
    if not report_file["reject_code"] and (counts["acked"] or counts["nacked"]):
        if not counts["pending"] and not counts["nacked"]:
            status = "acked"
        elif not counts["pending"] and not counts["acked"]:
            status = "rejected"
        else:
            status = "partially_acked"
    # Feedback can overtake the submit that crashed after its POST: the TR's word is proof
    # the file is there, so its message id is recorded here too.
    report_files.record_file_feedback(conn, report_file["id"], status, message_id)
    return status
