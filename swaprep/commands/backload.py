"""`swaprep backload ...`: re-report every open trade under today's rules, as a job.

    swaprep backload --tenant demo-bank plan [--regime emir] [--asset-class INTR]
    swaprep backload --tenant demo-bank create --reason "EMIR Refit UPI" [--regime emir]
        [--batch-size 500] [--rate 200]
    swaprep backload --tenant demo-bank run JOB_ID      # resumes from its cursor when re-run
    swaprep backload --tenant demo-bank status | pause JOB_ID | resume JOB_ID | cancel JOB_ID

Audited as `cli:<os user>` (shared/services/operations/backload.py has the rules). `run`
prints its progress after every batch on stderr; killing it loses at most the batch in
flight, which the next `run` does again without reporting anything twice.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

import click

from swaprep.commands.ops import _run, _Session


class _Waker:
    """Starts the validate consumer after each batch when a local stack runs on this database;
    otherwise the monitor's sweep does (best effort, as `swaprep ops`)."""

    def __init__(self, url: str) -> None:
        self.invoker: Any = None
        try:
            from shared.platform.config import Config
            from shared.services import bootstrap
            from swaprep.local import settings

            endpoints = json.loads(settings.endpoints_file().read_text())
            config = endpoints.get("config") or {}
            if endpoints.get("database_url") == url and config.get("local_invoke_url"):
                self.invoker = bootstrap.invoker(Config(config))
        except Exception:  # no stack: the sweep starts the consumers
            self.invoker = None

    def invoke_async(self, name: str, body: dict[str, Any]) -> None:
        if self.invoker is not None:
            with contextlib.suppress(Exception):  # a lost wake-up only waits for the sweep
                self.invoker.invoke_async(name, body)


@click.group(name="backload")
@click.option("--database-url", envvar="DATABASE_URL", help="Defaults to the local stack's.")
@click.option("--tenant", "tenant_slug", required=True, help="The tenant whose trades.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_context
def command(ctx: click.Context, database_url: str | None, tenant_slug: str,
            as_json: bool) -> None:
    """Re-report every open trade (MODI / UPDT) as a controlled, resumable job."""
    ctx.obj = _Session(database_url, tenant_slug, as_json)


pass_session = click.make_pass_decorator(_Session)


def _as_of(value: str | None) -> datetime | None:
    if not value:
        return None
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        raise click.BadParameter("give a zone (e.g. 2026-12-07T00:00:00Z)", param_hint="--as-of")
    return stamp


def _echo(session: _Session, data: Any, text: str) -> None:
    click.echo(json.dumps(data, indent=2, default=str) if session.as_json else text)


@command.command()
@click.option("--regime", "regimes", multiple=True, help="Only trades reported in it; repeatable.")
@click.option("--asset-class", default=None, help="Only this asset class, e.g. INTR.")
@click.option("--as-of", default=None, help="The re-reports' event timestamp (default: now).")
@click.option("--sample", default=5, show_default=True, help="Trades whose changes are shown.")
@pass_session
def plan(session: _Session, regimes: tuple[str, ...], asset_class: str | None,
         as_of: str | None, sample: int) -> None:
    """The dry run: how many open trades, and what re-reporting changes in a sample."""
    from shared.services.operations.backload import plan as do_plan

    with session.transaction() as (db, conn):
        tenant = session.tenant_id(db)
        result = _run(lambda: do_plan(conn, tenant_id=tenant, regimes=regimes,
                                      asset_class=asset_class, as_of=_as_of(as_of),
                                      sample=sample))
    lines = [f"{result.total} open trade(s) would be reported again as MODI/UPDT as of "
             f"{result.as_of:%Y-%m-%d %H:%M:%S}Z" + (f" under {', '.join(result.regimes)}"
                                                     if result.regimes else "")]
    for item in result.sample:
        lines.append(f"  {item['uti']}")
        for change in item.get("changes", []):
            lines.append(f"    {change['field']}: {change['before']!r} -> {change['after']!r}")
        for error in item.get("errors", []):
            lines.append(f"    cannot be reported: {error.get('message')}")
    _echo(session, result.as_dict(), "\n".join(lines))


@command.command()
@click.option("--reason", required=True, help="Why: kept with the job and in the audit.")
@click.option("--regime", "regimes", multiple=True, help="Only trades reported in it; repeatable.")
@click.option("--asset-class", default=None)
@click.option("--as-of", default=None, help="The re-reports' event timestamp (default: now).")
@click.option("--batch-size", default=500, show_default=True)
@click.option("--rate", "rate_per_s", type=float, default=None,
              help="At most this many trades a second (default: as fast as the database).")
@pass_session
def create(session: _Session, reason: str, regimes: tuple[str, ...], asset_class: str | None,
           as_of: str | None, batch_size: int, rate_per_s: float | None) -> None:
    """Record a job over the open trades as they are now; `run` works it off."""
    from shared.services.operations.backload import create as do_create

    with session.transaction() as (db, conn):
        tenant = session.tenant_id(db)
        job = _run(lambda: do_create(conn, session.actor(), tenant_id=tenant, reason=reason,
                                     regimes=regimes, asset_class=asset_class,
                                     as_of=_as_of(as_of), batch_size=batch_size,
                                     rate_per_s=rate_per_s))
    _echo(session, job, f"{job['id']}  {job['total']} open trade(s), ready")


@command.command(name="run")
@click.argument("job_id")
@click.option("--max-batches", type=int, default=None, help="Stop after this many batches.")
@pass_session
def run_job(session: _Session, job_id: str, max_batches: int | None) -> None:
    """Work a job off from its cursor (re-run to resume after a stop or a kill)."""
    from shared.adapters.queue.postgres import PostgresQueue
    from shared.services.operations.backload import run as do_run

    def progress(job: dict[str, Any]) -> None:
        click.echo(f"{job['done'] + job['skipped']}/{job['total']} trades"
                   f" ({job['skipped']} could not be reported), at {job['cursor_uti']}",
                   err=True)

    with session.database() as db:
        tenant = session.tenant_id(db)
        outcome = _run(lambda: do_run(db, PostgresQueue(db), _Waker(session.url),
                                      tenant_id=tenant, job_id=job_id, actor=session.actor(),
                                      max_batches=max_batches, progress=progress))
    job = outcome.job
    _echo(session, outcome.as_dict(),
          f"{job_id}  {job['status']}: {job['done']} reported, {job['skipped']} skipped of "
          f"{job['total']} ({outcome.inserted} new event(s) this run)")


@command.command()
@pass_session
def status(session: _Session) -> None:
    """The tenant's jobs, newest first."""
    from shared.services.operations.backload import jobs

    with session.transaction() as (_, conn):
        found = jobs(conn)
    _echo(session, found, "\n".join(
        f"{j['id']}  {j['status']:9} {j['done'] + j['skipped']}/{j['total']}  {j['reason']}"
        for j in found) or "no back-load jobs")


def _control(session: _Session, job_id: str, status: str) -> None:
    from shared.services.operations.backload import set_status

    with session.transaction() as (db, conn):
        tenant = session.tenant_id(db)
        job = _run(lambda: set_status(conn, session.actor(), job_id, status, tenant_id=tenant))
    _echo(session, job, f"{job_id}  {job['status']}")


@command.command()
@click.argument("job_id")
@pass_session
def pause(session: _Session, job_id: str) -> None:
    """Stop a job after its current batch."""
    _control(session, job_id, "paused")


@command.command()
@click.argument("job_id")
@pass_session
def resume(session: _Session, job_id: str) -> None:
    """Make a paused job ready; `run` it again."""
    _control(session, job_id, "ready")


@command.command()
@click.argument("job_id")
@pass_session
def cancel(session: _Session, job_id: str) -> None:
    """Stop a job for good (what it reported stays reported)."""
    _control(session, job_id, "cancelled")
