"""Back-loading: re-report every open trade under today's rules, as a controlled job.

`plan` is the dry run: how many open trades, and for a sample what the re-report would change
against each trade's latest event (the fields a new rule or enrichment now fills). `create`
records a job (who, why, which regimes, the as-of time); `run` works it off in batches: each
batch reads the next live trades after the job's cursor (one statement), builds each one's
MODI / UPDT (shared.domain.backload), stores them as events through the normal `prepare` and
`insert_events` (source `backload`), queues them for validation and moves the cursor, all in
one transaction. So a job killed anywhere resumes from the last committed batch, and the
events' idempotency key (the same trade and job give the same event) keeps even a batch run
twice from reporting anything twice. Throttled to `rate_per_s` trades a second, with
progress after every batch; `pause` / `cancel` stop it between batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg

from shared.adapters.db import backload as backload_db
from shared.domain import regimes as regime_registry
from shared.domain.backload import backload_event
from shared.domain.backload import progress as job_progress
from shared.domain.identifiers import is_uuid
from shared.domain.model import TradeEvent
from shared.platform import clock
from shared.platform.logging import get_logger, redact_text
from shared.services.operations.base import (
    Actor,
    Conflict,
    FieldError,
    InvalidRequest,
    QueueSender,
    audit,
    fetch_or_404,
    require,
)

log = get_logger("swaprep.backload")

MAX_BATCH = 5000
SAMPLE = 20


@dataclass
class BackloadPlan:
    total: int
    regimes: list[str]
    asset_class: str | None
    as_of: datetime
    sample: list[dict[str, Any]] = field(default_factory=list)  # {uti, changes | errors}

    def as_dict(self) -> dict[str, Any]:
        refused = sum(1 for s in self.sample if "errors" in s)
        # every open trade is re-reported as one MODI / UPDT; the sample tells how many of
        # those it read would be refused by today's rules (skipped by the job, kept in errors)
        return {"total": self.total, "regimes": self.regimes, "asset_class": self.asset_class,
                "as_of": self.as_of.isoformat(),
                "actions": {"MODI": self.total} if self.total else {},
                "sample_size": len(self.sample), "sample_refused": refused,
                "sample": self.sample}


def _regimes(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        try:
            key = regime_registry.resolve(name).key
        except regime_registry.UnknownRegime as exc:
            raise InvalidRequest(str(exc), [FieldError("regimes", str(exc))]) from None
        if key not in out:
            out.append(key)
    return out


def _built(row: dict[str, Any], tenant: Any, as_of: datetime, regimes: list[str]) -> Any:
    """(prepared event | errors, the latest event) for one open trade."""
    from shared.services.pipeline.process import prepare

    latest = TradeEvent.model_validate_json(row["payload"])
    event = backload_event(latest, as_of=as_of, regimes=regimes)
    return prepare(event, tenant, now=as_of, owned=True), latest


def plan(conn: psycopg.Connection[Any], *, tenant_id: Any, regimes: Sequence[str] = (),
         asset_class: str | None = None, as_of: datetime | None = None,
         sample: int = SAMPLE) -> BackloadPlan:
    """The dry run: nothing is written."""
    from shared.services.pipeline.process import Prepared, tenant_settings
    from shared.services.reads.diffs import payload_diff

    keys = _regimes(regimes)
    at = (as_of or clock.now()).replace(microsecond=0)
    result = BackloadPlan(backload_db.count_open_trades(conn, regimes=keys,
                                                        asset_class=asset_class),
                          keys, asset_class, at)
    tenant = tenant_settings(conn, tenant_id)
    for row in backload_db.open_trades_after(conn, cursor=None, limit=sample, regimes=keys,
                                             asset_class=asset_class):
        prepared, latest = _built(row, tenant, at, keys)
        if isinstance(prepared, Prepared):
            changes = payload_diff(latest.model_dump(mode="json", exclude_defaults=True),
                                   prepared.event.model_dump(mode="json", exclude_defaults=True))
            result.sample.append({"uti": row["uti"], "changes": changes})
        else:
            result.sample.append({"uti": row["uti"], "errors": prepared})
    return result


def _checked(reason: str, batch_size: int, rate_per_s: float | None) -> str:
    """The reason, stripped; every field refused at once, before anything is stored."""
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append(FieldError("reason", "say why the open trades are reported again: it is "
                                           "kept with the job and in the audit"))
    if not 1 <= batch_size <= MAX_BATCH:
        errors.append(FieldError("batch_size", f"from 1 to {MAX_BATCH}"))
    if rate_per_s is not None and rate_per_s <= 0:
        errors.append(FieldError("rate_per_s", "a positive number of trades a second"))
    if errors:
        raise InvalidRequest("the back-load cannot be created", errors)
    return reason


def create(conn: psycopg.Connection[Any], actor: Actor, *, tenant_id: Any, reason: str,
           regimes: Sequence[str] = (), asset_class: str | None = None,
           as_of: datetime | None = None, batch_size: int = 500,
           rate_per_s: float | None = None) -> dict[str, Any]:
    """A job ready to run over the open trades as they are now (`total`)."""
    require(actor, "manage_backloads", "back-load open trades")
    reason = _checked(reason, batch_size, rate_per_s)
    keys = _regimes(regimes)
    at = (as_of or clock.now()).replace(microsecond=0)
    total = backload_db.count_open_trades(conn, regimes=keys, asset_class=asset_class)
    job = backload_db.create_job(conn, reason=reason, regimes=keys, asset_class=asset_class,
                                 as_of=at, total=total, batch_size=batch_size,
                                 rate_per_s=rate_per_s, created_by=actor.name)
    audit(conn, actor, tenant_id=tenant_id, action="backload.create", entity_type="backload_job",
          entity_id=job["id"], before=None,
          after={"reason": reason, "regimes": keys, "asset_class": asset_class,
                 "as_of": at.isoformat(), "total": total})
    return job


def request(conn: psycopg.Connection[Any], actor: Actor, *, tenant_id: Any, reason: str,
            regimes: Sequence[str] = (), asset_class: str | None = None,
            as_of: datetime | None = None, batch_size: int = 500,
            rate_per_s: float | None = None) -> Any:
    """`create` now, or held for a second user when the open trades it would re-report reach
    the tenant's four-eyes threshold for `backload` (a PendingApproval)."""
    from shared.services.operations.approvals import request_or_run

    require(actor, "manage_backloads", "back-load open trades")
    keys = _regimes(regimes)
    stored = {"reason": _checked(reason, batch_size, rate_per_s), "regimes": keys,
              "asset_class": asset_class, "as_of": as_of.isoformat() if as_of else None,
              "batch_size": batch_size, "rate_per_s": rate_per_s}
    total = backload_db.count_open_trades(conn, regimes=keys, asset_class=asset_class)
    return request_or_run(conn, "backload", stored, total, actor, lambda: _shown(create(
        conn, actor, tenant_id=tenant_id, reason=reason, regimes=keys, asset_class=asset_class,
        as_of=as_of, batch_size=batch_size, rate_per_s=rate_per_s)), tenant_id=tenant_id)


def create_from_request(conn: psycopg.Connection[Any], actor: Actor, stored: Any, *,
                        tenant_id: Any) -> dict[str, Any]:
    """The job an approved request asked for, created as the approver; its total is the open
    trades as they are at approval, its as-of the one asked for or the approval time."""
    as_of = datetime.fromisoformat(stored["as_of"]) if stored.get("as_of") else None
    job = _shown(create(conn, actor, tenant_id=tenant_id, reason=stored["reason"],
                         regimes=stored.get("regimes") or (),
                         asset_class=stored.get("asset_class"), as_of=as_of,
                         batch_size=stored.get("batch_size") or 500,
                         rate_per_s=stored.get("rate_per_s")))
    # kept as the approval's outcome (JSON)
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in job.items()}


@dataclass
class RunOutcome:
    job: dict[str, Any]
    batches: int = 0
    inserted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"job": _shown(self.job), "batches": self.batches, "inserted": self.inserted}


def _shown(job: dict[str, Any]) -> dict[str, Any]:
    out = dict(job)
    out["id"] = str(out["id"])
    out["rate_per_s"] = float(out["rate_per_s"]) if out.get("rate_per_s") is not None else None
    out["progress"] = job_progress(total=job["total"], done=job["done"],
                                   skipped=job["skipped"], started_at=job.get("started_at"),
                                   updated_at=job.get("updated_at"), status=job["status"])
    return out


def run(db: Any, queue: Any, invoker: Any, *, tenant_id: Any, job_id: Any, actor: Actor,
        max_batches: int | None = None, sleep: Callable[[float], None] = time.sleep,
        progress: Callable[[dict[str, Any]], None] | None = None) -> RunOutcome:
    """Work the job off batch by batch (each its own transaction) until it is done, paused,
    cancelled or `max_batches` ran. Another runner holding the job: Conflict."""
    require(actor, "manage_backloads", "back-load open trades")
    from shared.services.pipeline.process import Prepared, insert_events, tenant_settings
    from shared.services.pipeline.validation import VALIDATE_QUEUE

    if not is_uuid(str(job_id)):
        raise InvalidRequest(f"{job_id!r} is not a job id")
    outcome: RunOutcome | None = None
    while max_batches is None or (outcome.batches if outcome else 0) < max_batches:
        started = time.monotonic()
        sender = QueueSender(queue)
        with db.tenant(tenant_id) as conn:
            job = backload_db.get_job(conn, job_id, lock=True)
            if job is None:  # not there, or held by another runner (SKIP LOCKED)
                fetch_or_404(conn, lambda c, key: backload_db.get_job(c, key), job_id,
                             "back-load job")
                raise Conflict(f"back-load {job_id} is being run by another process: wait for "
                               "it, or pause it there", reason="running_elsewhere")
            outcome = outcome or RunOutcome(job)
            if job["status"] in ("done", "cancelled", "paused"):  # resume = set it ready first
                outcome.job = job
                break
            rows = backload_db.open_trades_after(
                conn, cursor=job["cursor_uti"], limit=job["batch_size"],
                regimes=list(job["regimes"]), asset_class=job["asset_class"])
            if not rows:
                outcome.job = backload_db.advance(conn, job_id, cursor=None, done=0, skipped=0,
                                                  status="done", finished=True)
                audit(conn, actor, tenant_id=tenant_id, action="backload.done",
                      entity_type="backload_job", entity_id=job_id, before=None,
                      after={"done": outcome.job["done"], "skipped": outcome.job["skipped"]})
                break
            tenant = tenant_settings(conn, tenant_id)
            items, skipped = [], 0
            for row in rows:
                prepared, _ = _built(row, tenant, job["as_of"], list(job["regimes"]))
                if isinstance(prepared, Prepared):
                    items.append((prepared, row["file_id"], row["row_no"]))
                else:
                    skipped += 1
            stored = insert_events(conn, tenant, items, source="backload")
            new_ids = [str(event_id) for event_id, new in stored if new]
            if new_ids:
                sender.send(conn, VALIDATE_QUEUE, [{
                    "event_ids": new_ids,
                    "key": f"backload:{job_id}:{rows[-1]['uti']}"}], tenant_id)
            outcome.job = backload_db.advance(
                conn, job_id, cursor=rows[-1]["uti"], done=len(items), skipped=skipped,
                status="running", finished=False)
            outcome.batches += 1
            outcome.inserted += len(new_ids)
        sender.wake(invoker)
        if progress is not None:
            progress(_shown(outcome.job))
        rate = outcome.job["rate_per_s"]
        if rate:
            pause = len(rows) / float(rate) - (time.monotonic() - started)
            if pause > 0:
                sleep(pause)
    assert outcome is not None
    return outcome


def set_status(conn: psycopg.Connection[Any], actor: Actor, job_id: Any, status: str, *,
               tenant_id: Any) -> dict[str, Any]:
    """Pause, resume (ready) or cancel a job between batches."""
    require(actor, "manage_backloads", "control a back-load")
    allowed = {"paused": ("ready", "running"), "ready": ("paused",),
               "cancelled": ("ready", "running", "paused")}
    job = fetch_or_404(conn, lambda c, key: backload_db.get_job(c, key),
                       job_id if is_uuid(str(job_id)) else None, "back-load job")
    if job["status"] not in allowed[status]:
        raise Conflict(f"back-load {job_id} is {job['status']}: it cannot become {status}",
                       reason=f"is_{job['status']}")
    changed = backload_db.set_status(conn, job_id, status)
    assert changed is not None
    audit(conn, actor, tenant_id=tenant_id, action=f"backload.{status}",
          entity_type="backload_job", entity_id=job_id, before={"status": job["status"]},
          after={"status": status})
    return _shown(changed)


def jobs(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    return [_shown(j) for j in backload_db.list_jobs(conn)]


RUNNER = Actor(id="monitor", name="monitor", kind="system", role="admin")


def run_due(db: Any, queue: Any, invoker: Any, *, batches_per_job: int,
            seconds_left: Callable[[], float] = lambda: float("inf"),
            sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """The deployed runner (the monitor's tick): every tenant's oldest ready or running job
    advances by at most `batches_per_job` batches, each its own transaction and throttled to
    the job's rate, while `seconds_left()` is positive (a throttle's pause never outlasts it:
    the activation must end in time). A job another runner holds is left to it; a job that
    fails keeps the error and is retried next tick from its cursor."""
    with db.system() as conn:
        due = backload_db.runnable_jobs(conn)

    def pause(seconds: float) -> None:
        sleep(max(0.0, min(seconds, seconds_left())))

    advanced: dict[str, Any] = {}
    for row in due:
        key = str(row["id"])
        batches = inserted = 0
        job_now: dict[str, Any] | None = None
        try:
            while batches < batches_per_job and seconds_left() > 0:
                outcome = run(db, queue, invoker, tenant_id=row["tenant_id"], job_id=row["id"],
                              actor=RUNNER, max_batches=1, sleep=pause)
                batches, inserted = batches + outcome.batches, inserted + outcome.inserted
                job_now = outcome.job
                if outcome.batches == 0 or job_now["status"] not in ("ready", "running"):
                    break
        except Conflict:
            advanced[key] = {"skipped": "running elsewhere"}
            continue
        except Exception as exc:  # kept on the job for the console; the next tick retries
            message = redact_text(f"{type(exc).__name__}: {exc}")[:2000]
            log.exception("back-load slice failed", extra={"job": key})
            with db.tenant(row["tenant_id"]) as conn:
                backload_db.record_error(conn, row["id"], message)
            advanced[key] = {"error": message}
            continue
        if job_now is not None:
            advanced[key] = {"batches": batches, "inserted": inserted,
                             "status": job_now["status"], "done": job_now["done"]}
    return {"jobs": advanced}


def job(conn: psycopg.Connection[Any], job_id: Any) -> dict[str, Any]:
    return _shown(fetch_or_404(conn, lambda c, key: backload_db.get_job(c, key),
                               job_id if is_uuid(str(job_id)) else None, "back-load job"))
