"""Generate: valid events -> one batch report file per tenant and regime -> a `submit` message.

Per (tenant, regime) the stage takes the events that still owe that regime a report, locked
with `FOR UPDATE SKIP LOCKED` in event-timestamp order (a NEWT before its MODI), and writes
them as one file when the batch is full (`report_batch_size`), when its oldest event has
waited `report_max_wait_s` (or its reporting deadline is that close), or on the cron tick
(flush). For each file, in the tenant's transaction:

1. the object is written to the outbound bucket first, under a report file id chosen up
   front (`<tenant-slug>/<regime>/<yyyy-mm-dd>/<report_file_id><ext>`): if the commit then
   fails the object is an orphan that a retry overwrites or ignores, never a row that points
   at a missing object;
2. `report_files` (generated), `report_items` (position 1..N, `record_ref`
   `<uti>:<action>:<position>`, pending), the events `reported`, an audit row and one
   `submit` message `{"report_file_id", "key"}` commit together.

Delegated reporting: an event whose stored routing owes the regime reports of the other side
too (a client's, by law or agreement, or another of the tenant's entities: `Routing.on_behalf`)
gets one more record per such report in the same file, right after its own: the trade as that
side reports it (`as_reported_by`, the function `swaprep report --reporting-party` uses), with
the submitting entity and entity responsible routing decided. Its item names that side
(`report_items.reporting_counterparty`; NULL is the tenant's own), and its own position, so
the TR's word on each side lands on that side's item. The event's later events carry the
same routing, so the other side's report chain follows the trade's lifecycle.

An event the writer cannot render (or whose payload no longer loads) is moved to `invalid`
with an SR-SC-033 issue naming the writer's error instead of blocking the batch. An event
whose earlier event of the same UTI is still on its way (not yet validated, or due in this
regime but not in this batch) is held back, so the TR never sees a MODI before its NEWT.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

import psycopg

from shared.adapters.db import audit, report_files
from shared.adapters.db import tenants as tenants_db
from shared.adapters.db.report_files import RENDER_RULE
from shared.domain import regimes as regime_registry
from shared.domain.model import TradeEvent
from shared.domain.obligations.perspective import as_reported_by
from shared.formats.writers.base import ReportWriter
from shared.formats.writers.base import writer_for as default_writer_for
from shared.platform import clock
from shared.platform.logging import get_logger, log_context
from shared.services.pipeline.trade_state import refresh_trades

if TYPE_CHECKING:
    from shared.services.ports import Database, ObjectStore

log = get_logger("swaprep.generate")

SUBMIT_QUEUE = "submit"
GENERATE_QUEUE = "generate"
SPOOL_BYTES = 16 * 1024 * 1024  # larger report files go through a temp file, multipart

Sender = Callable[[psycopg.Connection[Any], str, list[dict[str, Any]], Any], None]
WriterFactory = Callable[[str], ReportWriter]


@dataclass(frozen=True)
class GenerateSettings:
    batch_size: int = 1000
    max_wait_s: float = 60.0
    files_per_run: int = 10  # per (tenant, regime) and run; more work is re-queued

    @classmethod
    def from_config(cls, config: Any) -> GenerateSettings:
        return cls(
            batch_size=config.integer("report_batch_size", cls.batch_size, minimum=1),
            max_wait_s=config.number("report_max_wait_s", cls.max_wait_s, minimum=0),
            files_per_run=config.integer("report_files_per_run", cls.files_per_run, minimum=1),
        )


@dataclass(frozen=True)
class GeneratedFile:
    report_file_id: str
    regime: str
    bucket: str
    object_key: str
    record_count: int


@dataclass
class GenerateOutcome:
    tenant_id: str
    regime: str
    files: list[GeneratedFile] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # event ids moved to invalid
    waiting: int = 0  # due later: batch not full, not old enough
    held_back: int = 0  # behind an earlier event of the same UTI
    more: bool = False  # stopped at files_per_run; a generate message continues
    # UTIs whose events were reported or found unrenderable: their trades' state is
    # refreshed once, at the end of the run, so that their locks are held from there to the
    # commit, not across every file the run still renders and uploads (the feedback of
    # earlier files waited on them).
    touched_utis: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {"tenant_id": self.tenant_id, "regime": self.regime,
                "files": [f.__dict__ for f in self.files], "invalid": len(self.invalid),
                "waiting": self.waiting, "held_back": self.held_back, "more": self.more}


@dataclass(frozen=True)
class _Candidate:
    id: uuid.UUID
    uti: str
    action_type: str
    event_timestamp: datetime
    rank: int
    created_at: datetime
    deadline_at: datetime | None
    file_id: uuid.UUID | None  # the FEP file it came in, if it came in one
    payload: str  # JSON text: pydantic reads it in one pass (model_validate_json)
    on_behalf: str = "[]"  # JSON: the routing's reports of the other side under this regime

    @property
    def order(self) -> tuple[datetime, int]:
        return (self.event_timestamp, self.rank)

    def sides(self) -> list[_Side]:
        """The reports this event makes in the regime: its own first, then the others'."""
        return [_Side(), *(_Side(r["reporting_counterparty"], r.get("submitting_entity"),
                                 r.get("entity_responsible"), r.get("capacity"))
                           for r in json.loads(self.on_behalf or "[]"))]


@dataclass(frozen=True)
class _Side:
    """One report of an event: the tenant's own side (`reporting_counterparty` None), or the
    other side's as routing decided it (who reports, sends and answers for it)."""

    reporting_counterparty: str | None = None
    submitting_entity: str | None = None
    entity_responsible: str | None = None
    capacity: str | None = None

    def event(self, event: TradeEvent) -> TradeEvent:
        if self.reporting_counterparty is None:
            return event
        return as_reported_by(event, self.reporting_counterparty,
                              submitting_entity=self.submitting_entity,
                              entity_responsible=self.entity_responsible)


_Written = tuple[_Candidate, _Side]  # one record of a file: an event as one side reports it


# -- selection -------------------------------------------------------------------------------


def pending_pairs(conn: psycopg.Connection[Any],
                  tenant_id: uuid.UUID | str | None = None) -> list[tuple[uuid.UUID, str]]:
    """(tenant, regime) pairs with events that still owe a report: across all tenants in a
    system transaction, the current tenant's in a tenant transaction."""
    return report_files.pending_report_pairs(conn, str(tenant_id) if tenant_id else None)


def _tenant(conn: psycopg.Connection[Any], tenant_id: str) -> tuple[str, list[str]]:
    row = tenants_db.by_id(conn, tenant_id)
    if row is None:
        raise LookupError(f"tenant {tenant_id} does not exist (or is not visible here)")
    return row["slug"], list(row["regimes"] or regime_registry.DEFAULT_TENANT_REGIMES)


def _pick(conn: psycopg.Connection[Any], params: dict[str, Any], limit: int,
          skip: Sequence[uuid.UUID]) -> list[_Candidate]:
    rows = report_files.lock_owed_events(conn, **params, limit=limit, skip=skip)
    return [_Candidate(**row) for row in rows]


def _hold_back(conn: psycopg.Connection[Any], params: dict[str, Any],
               picked: list[_Candidate]) -> tuple[list[_Candidate], list[_Candidate]]:
    """(ready, held): held are the picked events behind an unpicked earlier one of their UTI."""
    rows = report_files.pending_earlier_events(
        conn, **params, utis=sorted({c.uti for c in picked}), picked=[c.id for c in picked])
    first_pending: dict[str, tuple[datetime, int]] = {}
    for row in rows:
        key = (row["event_timestamp"], row["rank"])
        if row["uti"] not in first_pending or key < first_pending[row["uti"]]:
            first_pending[row["uti"]] = key
    ready: list[_Candidate] = []
    held: list[_Candidate] = []
    for candidate in picked:
        blocker = first_pending.get(candidate.uti)
        (held if blocker is not None and candidate.order >= blocker else ready).append(candidate)
    return ready, held


# A batch due only because a reporting deadline is near (or past) still gathers this long
# while the FEP files its records came in are being processed: their next chunks come within
# seconds and nudge generate again, and the file's end makes the batch due anyway. Making a
# file of each chunk's records split a 1,000-record batch into three (the 100k bench: 253
# files of 368 records instead of 115 of 809 once process judged its own events, and each
# file costs a submit, a feedback and a refresh of its trades). Records from the API do not
# wait: nothing else is coming to nudge generate for them.
URGENT_GATHER_S = 5.0


def _due(picked: list[_Candidate], *, full: bool, flush: bool, now: datetime,
         max_wait: timedelta, streaming: Callable[[], bool]) -> bool:
    """Whether the batch goes out now. `streaming()`: its records' FEP files are still being
    processed (asked only for an urgent batch that is young)."""
    if flush or full:
        return True
    oldest = min(c.created_at for c in picked)
    if oldest <= now - max_wait:
        return True
    deadlines = [c.deadline_at for c in picked if c.deadline_at is not None]
    if not deadlines or min(deadlines) > now + max_wait:
        return False
    return oldest <= now - timedelta(seconds=URGENT_GATHER_S) or not streaming()


def _files_through(conn: psycopg.Connection[Any], tenant: str,
                   picked: list[_Candidate]) -> bool:
    """A batch of records from FEP files wholly read and validated cannot grow from them:
    waiting out max_wait would only hold each file's last report back (by up to a minute
    after the rest of the file was acknowledged). Records from the API keep batching."""
    files = {c.file_id for c in picked}
    return None not in files and report_files.files_settled(conn, tenant, sorted(map(str, files)))


# -- rendering -------------------------------------------------------------------------------


def _render_problem(writer: ReportWriter | None, writer_error: str | None,
                    candidate: _Candidate,
                    stamp: datetime) -> tuple[list[TradeEvent] | None, str | None]:
    """The candidate's event as each of its sides reports it, or why it cannot be rendered."""
    if writer is None:
        return None, writer_error
    try:
        event = TradeEvent.model_validate_json(candidate.payload)
    except Exception as exc:  # a payload that no longer loads is a data problem of this event
        return None, f"the stored event does not load: {_describe(exc)}"
    events = []
    for side in candidate.sides():
        try:
            turned = side.event(event)
            writer.write_one(turned, reporting_timestamp=stamp)
        except Exception as exc:
            whose = (f" (as {side.reporting_counterparty} reports it, {side.capacity})"
                     if side.reporting_counterparty else "")
            return None, _describe(exc) + whose
        events.append(turned)
    return events, None


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 1000 else text[:999] + "…"


def _write(writer: ReportWriter, events: list[TradeEvent], stamp: datetime,
           out: IO[bytes]) -> int:
    count = writer.write_batch(events, out, reporting_timestamp=stamp)  # type: ignore[arg-type]
    if count != len(events):
        raise RuntimeError(f"{writer.regime} writer wrote {count} of {len(events)} records")
    return count


def _render(writer: ReportWriter | None, writer_error: str | None,
            candidates: list[_Candidate], stamp: datetime,
            out: IO[bytes]) -> tuple[list[_Written], list[tuple[_Candidate, str]]]:
    """Write the renderable candidates to `out`, each as each of its sides reports it:
    ([(candidate, side)] written in order, [(unrenderable, why)]). An event one of whose
    sides cannot be written is left out whole (its issue names the side).

    Optimistic: one batch write; only when it raises is each event tried on its own to find
    the ones at fault, and the batch written again without them.
    """
    if writer is not None:
        try:
            written: list[_Written] = []
            events: list[TradeEvent] = []
            for candidate in candidates:
                event = TradeEvent.model_validate_json(candidate.payload)
                for side in candidate.sides():
                    written.append((candidate, side))
                    events.append(side.event(event))
            _write(writer, events, stamp, out)
            return written, []
        except Exception as exc:
            log.warning("batch render failed; checking events one by one",
                        extra={"error": _describe(exc)})
    good: list[tuple[_Candidate, list[TradeEvent]]] = []
    bad: list[tuple[_Candidate, str]] = []
    for candidate in candidates:
        rendered, problem = _render_problem(writer, writer_error, candidate, stamp)
        if rendered is None:
            bad.append((candidate, problem or "unknown writer error"))
        else:
            good.append((candidate, rendered))
    out.seek(0)
    out.truncate()
    if good:
        assert writer is not None
        _write(writer, [e for _, rendered in good for e in rendered], stamp, out)
    return [(c, side) for c, _ in good for side in c.sides()], bad


# -- recording -------------------------------------------------------------------------------


def _audit(conn: psycopg.Connection[Any], tenant_id: str, action: str, entity_type: str,
           entity_id: str, after: dict[str, Any]) -> None:
    audit.record(conn, tenant_id=tenant_id, actor="generate", actor_type="system",
                 action=action, entity_type=entity_type, entity_id=entity_id, after=after)


def _invalidate(conn: psycopg.Connection[Any], tenant_id: str, regime: str,
                bad: list[tuple[_Candidate, str]]) -> list[str]:
    for candidate, problem in bad:
        report_files.insert_reject_issue(
            conn, tenant_id=tenant_id, event_id=candidate.id, rule_id=RENDER_RULE,
            message=f"the {regime} report cannot be written for this event: {problem}",
            message_ko=f"{regime} 보고서를 작성할 수 없습니다: {problem}", regime=regime)
        # Only a `valid` event becomes invalid; one already reported under another regime
        # keeps its state and is excluded from this regime by its open issue.
        report_files.invalidate_valid_event(conn, candidate.id)
        _audit(conn, tenant_id, "trade_event.unrenderable", "trade_event", str(candidate.id),
               {"regime": regime, "rule_id": RENDER_RULE, "error": problem})
        log.warning("event cannot be rendered", extra={"event_id": str(candidate.id),
                                                       "regime": regime, "error": problem})
    return [str(c.id) for c, _ in bad]


def object_key_for(slug: str, regime: str, day: datetime, report_file_id: str,
                   extension: str) -> str:
    return f"{slug}/{regime}/{day:%Y-%m-%d}/{report_file_id}{extension}"


def _tr_name(regime: str) -> str:
    known = regime_registry.REGISTRY.get(regime)
    return known.tr_name if known else regime


def record_ref(uti: str, action_type: str, position: int) -> str:
    return f"{uti}:{action_type}:{position}"


def _record_file(conn: psycopg.Connection[Any], *, tenant_id: str, regime: str,
                 report_file_id: str, bucket: str, key: str, written: list[_Written],
                 defaults: list[str]) -> list[str]:
    """The file, its items and its events `reported`: the UTIs of those events."""
    # Stamped with the statement's clock, not the transaction's: files written in one
    # transaction keep their order, which submit follows (an older file of the same TR goes
    # first: a NEWT before its MODI).
    report_files.insert_report_file(
        conn, report_file_id=report_file_id, tenant_id=tenant_id, regime=regime,
        tr=_tr_name(regime), bucket=bucket, object_key=key, record_count=len(written))
    # The position makes each record's reference unique in its file, the two sides of one
    # event included; the TR rebuilds it from the record (uti, action, position).
    report_files.insert_report_items(
        conn, [(tenant_id, report_file_id, c.id, n, record_ref(c.uti, c.action_type, n),
                side.reporting_counterparty)
               for n, (c, side) in enumerate(written, start=1)])
    # An event with no regimes of its own is pinned to the tenant's as they are now, so that
    # what it still owes (regimes minus reported_regimes) stays well-defined.
    touched = report_files.mark_events_reported(
        conn, event_ids=list(dict.fromkeys(c.id for c, _ in written)), regime=regime,
        defaults=defaults)
    _audit(conn, tenant_id, "report_file.generated", "report_file", report_file_id,
           {"regime": regime, "record_count": len(written), "bucket": bucket,
            "object_key": key})
    return touched


# -- the stage -------------------------------------------------------------------------------


def generate_reports(
    conn: psycopg.Connection[Any],
    *,
    tenant_id: uuid.UUID | str,
    regime: str,
    store: ObjectStore,
    bucket: str,
    send: Sender,
    settings: GenerateSettings = GenerateSettings(),
    flush: bool = False,
    now: datetime | None = None,
    writer_for: WriterFactory = default_writer_for,
) -> GenerateOutcome:
    """Write the due report files of one tenant and regime in `conn` (a transaction of that
    tenant); the caller commits. Nothing due: nothing written, locks released at commit."""
    tenant = str(tenant_id)
    outcome = GenerateOutcome(tenant, regime)
    slug, defaults = _tenant(conn, tenant)
    try:
        writer: ReportWriter | None = writer_for(regime)
        writer_error = None
    except Exception as exc:  # e.g. an unknown regime: its events get an issue saying so
        writer, writer_error = None, f"no report writer: {_describe(exc)}"
    params = {"tenant": tenant, "regime": regime, "defaults": defaults}
    skip: list[uuid.UUID] = []
    with log_context(tenant_id=tenant, regime=regime):
        while True:
            picked = _pick(conn, params, settings.batch_size, skip)
            if not picked:
                break
            full = len(picked) >= settings.batch_size
            current = now or clock.now()

            def streaming(batch: list[_Candidate] = picked) -> bool:
                return (None not in {c.file_id for c in batch}
                        and not _files_through(conn, tenant, batch))

            if not (_due(picked, full=full, flush=flush, now=current,
                         max_wait=timedelta(seconds=settings.max_wait_s), streaming=streaming)
                    or _files_through(conn, tenant, picked)):
                outcome.waiting += len(picked)
                break
            ready, held = _hold_back(conn, params, picked)
            outcome.held_back += len(held)
            skip += [c.id for c in held]
            if ready:
                if len(outcome.files) >= settings.files_per_run:
                    outcome.more = True
                    break
                generated = _generate_file(conn, outcome, writer, writer_error, ready,
                                           slug=slug, bucket=bucket, store=store, send=send,
                                           defaults=defaults, stamp=current)
                if generated:
                    outcome.files.append(generated)
            if not full:
                break  # everything owed was in this batch
        if outcome.more:
            send(conn, GENERATE_QUEUE,
                 [{"tenant_id": tenant, "regime": regime, "flush": flush}], tenant)
        refresh_trades(conn, tenant, sorted(outcome.touched_utis))
    if outcome.files or outcome.invalid:
        log.info("report files generated", extra={
            "report_file_ids": [f.report_file_id for f in outcome.files],
            "records": sum(f.record_count for f in outcome.files),
            "invalid": len(outcome.invalid), "held_back": outcome.held_back})
    return outcome


def _generate_file(conn: psycopg.Connection[Any], outcome: GenerateOutcome,
                   writer: ReportWriter | None, writer_error: str | None,
                   ready: list[_Candidate], *, slug: str, bucket: str, store: ObjectStore,
                   send: Sender, defaults: list[str], stamp: datetime) -> GeneratedFile | None:
    tenant, regime = outcome.tenant_id, outcome.regime
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as out:
        written, bad = _render(writer, writer_error, ready, stamp, out)
        outcome.invalid += _invalidate(conn, tenant, regime, bad)
        outcome.touched_utis.update(candidate.uti for candidate, _ in bad)
        if not written:
            return None
        assert writer is not None
        report_file_id = str(uuid.uuid4())
        key = object_key_for(slug, regime, stamp, report_file_id, writer.extension)
        out.seek(0)
        # The object first: a failed commit leaves an orphan object, never a row without one.
        store.upload_fileobj(out, bucket, key, content_type=writer.media_type,
                             metadata={"tenant": slug, "regime": regime,
                                       "report-file-id": report_file_id,
                                       "record-count": str(len(written))})
    outcome.touched_utis.update(_record_file(
        conn, tenant_id=tenant, regime=regime, report_file_id=report_file_id, bucket=bucket,
        key=key, written=written, defaults=defaults))
    send(conn, SUBMIT_QUEUE, [{"report_file_id": report_file_id, "key": report_file_id}], tenant)
    return GeneratedFile(report_file_id, regime, bucket, key, len(written))


def generate_for_tenant(conn: psycopg.Connection[Any], *, tenant_id: uuid.UUID | str,
                        regimes: Iterable[str] | None = None,
                        **kwargs: Any) -> list[GenerateOutcome]:
    """`generate_reports` for the given regimes, or every regime the tenant owes reports in."""
    if regimes is None:
        regimes = sorted({regime for _, regime in pending_pairs(conn, tenant_id)})
    return [generate_reports(conn, tenant_id=tenant_id, regime=r, **kwargs) for r in regimes]


def flush_all(*, db: Database, store: ObjectStore, bucket: str, send: Sender,
              settings: GenerateSettings = GenerateSettings(), now: datetime | None = None,
              writer_for: WriterFactory = default_writer_for) -> dict[str, Any]:
    """The cron tick: every (tenant, regime) that owes reports gets its files now.

    A system transaction only finds the pairs; each pair is done in its own tenant
    transaction, so one tenant's failure (its error is reported) does not hold up the rest.
    """
    with db.system() as conn:
        pairs = pending_pairs(conn)
    outcomes, errors = [], []
    for tenant_id, regime in pairs:
        try:
            with db.tenant(tenant_id) as conn:
                outcomes.append(generate_reports(
                    conn, tenant_id=tenant_id, regime=regime, store=store, bucket=bucket,
                    send=send, settings=settings, flush=True, now=now, writer_for=writer_for,
                ))
        except Exception as exc:
            log.exception("flush failed", extra={"tenant_id": str(tenant_id), "regime": regime})
            errors.append({"tenant_id": str(tenant_id), "regime": regime,
                           "error": _describe(exc)})
    return {"pairs": len(pairs), "files": sum(len(o.files) for o in outcomes),
            "outcomes": [o.as_dict() for o in outcomes if o.files or o.invalid or o.held_back],
            "errors": errors}
