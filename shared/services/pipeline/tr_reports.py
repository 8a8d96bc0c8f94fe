"""tr-reports: a TR's end-of-day report landed in the feedback bucket -> the TR's view of our
trades, and the breaks between it and our books.

Keys: `tr-reports/<tenant slug or LEI>/<regime>/<yyyy-mm-dd>/<file>.xml` (docs/TR-SIMULATOR.md);
the regime comes from the key (EMIR and UK EMIR TRs send the same messages), the kind from the
document (auth.107 trade state, auth.091 reconciliation, auth.106 warnings). Under
cftc-part45 the file is the SDR's open swaps report (`<file>.json`,
shared.formats.tr_reports.open_swaps; its field names: the setting `cftc_open_swaps_fields`),
loaded as the regime's trade state: it lists open swaps only, so the breaks are presence
ones (open at the SDR, missing at the SDR), never pairing or matching. In the tenant's
transaction:

1. ledger `tr_report_files`, unique per (tenant, sha256): the same content again under any key
   is a recorded no-op (`deliveries` + 1, an audit row);
2. a file that cannot be read (not one of the three messages, a count that lies, no reference
   date, a regime we do not read) is recorded `rejected` with the reason, left in the bucket,
   and alerted (`tr.report_rejected`); records that cannot be read (no UTI, listed twice) are
   listed in the ledger's `problems` and alerted (`tr.report_problems`), the rest loads;
3. the report replaces the tenant's rows of its kind and regime (`tr_trade_states`,
   `tr_recon_statuses`, `tr_warnings`) unless a report of a later day was loaded first
   (then it is `stale` and replaces nothing);
4. after a trade state or reconciliation report, the breaks are computed again
   (`shared.domain.reconciliation.breaks`) and kept in `tr_breaks`: new ones open (an alert
   `tr.reconciliation_breaks` per regime says how many of each kind), ones seen again keep
   their assignment, ones no longer seen are `cleared`, and one an operator resolved stays
   resolved while it is the same break (signature). The alert resolves when none is open.

Our books, for the breaks: per UTI the latest of our events that went to this regime's TR in
a file that reached it (or that it refused as a whole) before the cut-off, the earlier of the
load and the end of the trade state report's reference date (UTC): what the TR's report of
that day can know of. An event sent later is no break yet.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import psycopg

from shared.adapters.db import audit
from shared.adapters.db import tr_reports as db_reports
from shared.adapters.db.database import retry_transaction
from shared.domain.reconciliation import (
    OBJECT_PREFIX,
    OPEN_SWAPS_REGIMES,
    REGIMES,
    Break,
    BreakKind,
    FieldDifference,
    OurTrade,
    ReconStatus,
    TrTrade,
    breaks,
)
from shared.formats.tr_reports import (
    OpenSwapsFields,
    ReconReport,
    StateReport,
    TrReport,
    TrReportError,
    WarningsReport,
    is_open_swaps_report,
    read_open_swaps,
    read_report,
)
from shared.platform.logging import get_logger, log_context
from shared.platform.triggers import ObjectEvent
from shared.services.monitoring.alerts import raise_alert, resolve_alert
from shared.services.pipeline.tenant_folders import tenant_for_folder

if TYPE_CHECKING:
    from shared.services.ports import Database, ObjectStore

log = get_logger("swaprep.tr_reports")

MAX_REPORT_BYTES = 128 * 1024 * 1024
BREAKS_ALERT = "tr.reconciliation_breaks"
# kinds where the TR's record of open trades is wrong: what a regulator fines
SERIOUS = frozenset({BreakKind.AT_TR_ONLY, BreakKind.OPEN_AT_TR, BreakKind.MISSING_AT_TR})


@dataclass(frozen=True)
class TrReportOutcome:
    bucket: str
    key: str
    status: str  # loaded | stale | duplicate | rejected | ignored
    tenant: str | None = None
    regime: str | None = None
    kind: str | None = None
    reference_date: str | None = None
    records: int = 0
    problems: int = 0
    new_breaks: int = 0
    open_breaks: int = 0
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, 0) or k == "status"}


def breaks_dedup_key(regime: str) -> str:
    return f"tr-breaks:{regime}"


def load_tr_report_object(event: ObjectEvent, *, db: Database, store: ObjectStore,
                          open_swaps_fields: OpenSwapsFields | None = None) -> TrReportOutcome:
    """Record and load one TR report object (see the module docstring).
    `open_swaps_fields`: the CFTC SDR's names for the open swaps report's fields (our
    defaults when None)."""
    if not event.created:
        return TrReportOutcome(event.bucket, event.key, "ignored", reason=event.event_name)
    if not event.key.startswith(OBJECT_PREFIX):
        return TrReportOutcome(event.bucket, event.key, "ignored",
                               reason="not a TR end-of-day report (the feedback stage's)")
    parts = event.key[len(OBJECT_PREFIX):].split("/")
    found = tenant_for_folder(db, parts[0] if len(parts) > 1 else "")
    if found is None:
        reason = ("no tenant: a TR report must be under "
                  f"'{OBJECT_PREFIX}<tenant slug or LEI>/<regime>/<yyyy-mm-dd>/'")
        with db.system() as conn:
            raise_alert(conn, tenant_id=None, kind="tr.report_unknown_tenant",
                        severity="warning", dedup_key=f"tr-report-tenant:{event.key}",
                        summary=f"TR report {event.key} was not loaded: {reason}",
                        details={"bucket": event.bucket, "key": event.key})
        log.warning("TR report for unknown tenant", extra={"key": event.key})
        return TrReportOutcome(event.bucket, event.key, "rejected", reason=reason)
    tenant_id, slug = found
    body = store.get_bytes(event.bucket, event.key)
    sha256 = hashlib.sha256(body).hexdigest()

    def apply() -> TrReportOutcome:
        with log_context(tenant_id=str(tenant_id)), db.tenant(tenant_id) as conn:
            return _load(conn, tenant_id, slug, event, parts, body, sha256,
                         open_swaps_fields or OpenSwapsFields())

    outcome = retry_transaction(apply)
    log.info("tr report", extra=outcome.as_dict())
    return outcome


def _key_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _load(conn: psycopg.Connection[Any], tenant_id: Any, slug: str, event: ObjectEvent,
          parts: list[str], body: bytes, sha256: str,
          open_swaps_fields: OpenSwapsFields) -> TrReportOutcome:
    ledger = db_reports.record_delivery(conn, tenant_id=tenant_id, bucket=event.bucket,
                                        object_key=event.key, sha256=sha256)
    if not ledger["inserted"]:
        audit.record(conn, tenant_id=tenant_id, actor="tr-reports", actor_type="system",
                     action="tr_report.duplicate", entity_type="tr_report_file",
                     entity_id=ledger["id"],
                     after={"key": event.key, "sha256": sha256,
                            "same_content_as": ledger["object_key"]})
        return TrReportOutcome(event.bucket, event.key, "duplicate", slug,
                               reason=f"same content as {ledger['object_key']} "
                                      f"({ledger['status']})")
    file_id = int(ledger["id"])
    regime = parts[1] if len(parts) >= 4 else None

    def refuse(reason: str, kind: str | None = None,
               day: date | None = None) -> TrReportOutcome:
        db_reports.mark_file(conn, file_id, status="rejected", regime=regime, kind=kind,
                             reference_date=day, error=reason[:2000])
        raise_alert(conn, tenant_id=tenant_id, kind="tr.report_rejected", severity="warning",
                    dedup_key=f"tr-report-rejected:{event.key}",
                    summary=f"TR report {event.key} could not be loaded: {reason}",
                    details={"bucket": event.bucket, "key": event.key, "sha256": sha256})
        log.warning("TR report rejected", extra={"key": event.key, "reason": reason})
        return TrReportOutcome(event.bucket, event.key, "rejected", slug, regime, kind,
                               reason=reason)

    if regime not in REGIMES:
        regime = None
        return refuse(f"the key names no regime whose TR reports are read ({', '.join(REGIMES)})"
                      f": expected {OBJECT_PREFIX}<tenant>/<regime>/<yyyy-mm-dd>/<file>")
    if len(body) > MAX_REPORT_BYTES:
        return refuse(f"larger than {MAX_REPORT_BYTES} bytes")
    try:
        if regime in OPEN_SWAPS_REGIMES:
            report: TrReport = read_open_swaps(body, open_swaps_fields)
        elif is_open_swaps_report(body):
            raise TrReportError(f"an open swaps report (CFTC) under {regime}, whose TR sends "
                                "auth.107, auth.091 and auth.106")
        else:
            report = read_report(body)
    except TrReportError as exc:
        return refuse(str(exc))
    day = report.reference_date or _key_date(parts[2])
    if day is None:
        return refuse("no reference date: neither the report nor the key names one",
                      report.kind)
    db_reports.lock_regime(conn, tenant_id, regime)
    current = db_reports.head(conn, regime, report.kind)
    records = _records(report)
    if current is not None and current["reference_date"] > day:
        db_reports.mark_file(conn, file_id, status="stale", regime=regime, kind=report.kind,
                             reference_date=day, records=records, problems=report.problems)
        audit.record(conn, tenant_id=tenant_id, actor="tr-reports", actor_type="system",
                     action="tr_report.stale", entity_type="tr_report_file", entity_id=file_id,
                     after={"key": event.key, "reference_date": day.isoformat(),
                            "current": current["reference_date"].isoformat()})
        return TrReportOutcome(event.bucket, event.key, "stale", slug, regime, report.kind,
                               day.isoformat(), records, len(report.problems),
                               reason=f"the {report.kind} report of "
                                      f"{current['reference_date']} is already loaded")
    _replace(conn, tenant_id, regime, day, file_id, report)
    db_reports.set_head(conn, tenant_id, regime, report.kind, day, file_id)
    db_reports.mark_file(conn, file_id, status="loaded", regime=regime, kind=report.kind,
                         reference_date=day, records=records, problems=report.problems)
    if report.problems:
        raise_alert(conn, tenant_id=tenant_id, kind="tr.report_problems", severity="warning",
                    dedup_key=f"tr-report-problems:{file_id}",
                    summary=f"TR report {event.key}: {len(report.problems)} record(s) could "
                            f"not be read: {'; '.join(report.problems[:3])}",
                    details={"key": event.key, "problems": list(report.problems[:100])})
    new, live = 0, 0
    if not isinstance(report, WarningsReport):
        new, live = reconcile_regime(conn, tenant_id, regime)
    audit.record(conn, tenant_id=tenant_id, actor="tr-reports", actor_type="system",
                 action="tr_report.loaded", entity_type="tr_report_file", entity_id=file_id,
                 after={"key": event.key, "regime": regime, "kind": report.kind,
                        "reference_date": day.isoformat(), "records": records,
                        "problems": len(report.problems), "new_breaks": new,
                        "open_breaks": live})
    return TrReportOutcome(event.bucket, event.key, "loaded", slug, regime, report.kind,
                           day.isoformat(), records, len(report.problems), new, live)


def _records(report: TrReport) -> int:
    if isinstance(report, StateReport):
        return len(report.trades)
    if isinstance(report, ReconReport):
        return len(report.statuses)
    return len(report.warnings)


def _replace(conn: psycopg.Connection[Any], tenant_id: Any, regime: str, day: date,
             file_id: int, report: TrReport) -> None:
    if isinstance(report, StateReport):
        db_reports.replace_states(conn, tenant_id, regime, day, file_id, report.trades)
    elif isinstance(report, ReconReport):
        db_reports.replace_statuses(conn, tenant_id, regime, day, file_id, report.statuses)
    else:
        db_reports.replace_warnings(conn, tenant_id, regime, day, file_id, report.warnings)


def _status(row: dict[str, Any]) -> ReconStatus:
    differences = row["differences"]
    if isinstance(differences, str):
        differences = json.loads(differences)
    return ReconStatus(
        row["uti"], row["two_sided"], row["paired"], row["matched"],
        tuple(FieldDifference(d["field"], d.get("ours"), d.get("theirs")) for d in differences),
        row["other_counterparty"], row["revived"], row["further_modified"])


def reconcile_regime(conn: psycopg.Connection[Any], tenant_id: Any,
                     regime: str) -> tuple[int, int]:
    """Compute the tenant's breaks under `regime` again from the current reports and our
    books, and keep them (module docstring, step 4). Returns (new, open) breaks."""
    state_head = db_reports.head(conn, regime, "trade_state")
    recon_head = db_reports.head(conn, regime, "reconciliation")
    heads = [h["reference_date"] for h in (state_head, recon_head) if h is not None]
    if not heads:
        return 0, 0
    reference = max(heads)
    cutoff = db_reports.now(conn)
    tr_open: dict[str, TrTrade] | None = None
    if state_head is not None:
        end_of_day = datetime.combine(state_head["reference_date"] + timedelta(days=1), time(),
                                      tzinfo=UTC)
        cutoff = min(cutoff, end_of_day)
        tr_open = {r["uti"]: TrTrade(r["uti"], r["last_action"])
                   for r in db_reports.tr_open_trades(conn, regime)}
    statuses = {r["uti"]: _status(r) for r in db_reports.recon_statuses(conn, regime)}
    ours = [OurTrade.after(r["uti"], r["action_type"])
            for r in db_reports.our_trades(conn, regime, cutoff)]
    found = breaks(ours, tr_open, statuses)
    live = {(r["uti"], r["kind"]): r for r in db_reports.live_breaks(conn, regime)}
    resolved = db_reports.resolved_signatures(conn, regime)
    new: list[Break] = []
    for item in found:
        row = live.pop((item.uti, item.kind.value), None)
        if row is not None:
            db_reports.refresh_break(conn, row["id"], item, reference)
        elif item.signature not in resolved:
            db_reports.insert_break(conn, tenant_id, regime, item, reference)
            new.append(item)
    db_reports.clear_breaks(conn, [r["id"] for r in live.values()])
    counts = db_reports.live_break_counts(conn, regime)
    total = sum(counts.values())
    if new:
        by_kind = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
        raise_alert(
            conn, tenant_id=tenant_id, kind=BREAKS_ALERT,
            severity="critical" if any(b.kind in SERIOUS for b in new) else "warning",
            dedup_key=breaks_dedup_key(regime),
            summary=f"{len(new)} new break(s) with the {regime} TR's report of {reference}; "
                    f"{total} open ({by_kind}): "
                    + ", ".join(f"{b.uti} ({b.kind.value})" for b in new[:5]),
            details={"regime": regime, "reference_date": reference.isoformat(),
                     "by_kind": counts, "new": [{"uti": b.uti, "kind": b.kind.value}
                                                for b in new[:20]]})
    elif not total:
        resolve_alert(conn, tenant_id=tenant_id, dedup_key=breaks_dedup_key(regime))
    return len(new), total
