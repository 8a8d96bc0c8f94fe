"""`swaprep ops ...`: operator actions from the command line (shared/services/operations).

The actor is `cli:<os user>`, a system actor with the admin role; every action is audited
under that name. Without `--tenant` the commands work in a system scope (any tenant's events
by id); with `--tenant SLUG` only that tenant's rows are visible (row-level security), as
for an operator signed in to the console.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click

from swaprep.local.settings import resolve_database_url


@dataclass
class _Session:
    database_url: str | None
    tenant_slug: str | None
    as_json: bool

    @property
    def url(self) -> str:  # resolved when used: `ops repair --help` needs no stack
        return resolve_database_url(self.database_url)

    def actor(self):
        from shared.services.operations import Actor

        user = getpass.getuser()
        return Actor(id=f"cli:{user}", name=f"cli:{user}", kind="system", role="admin")

    @contextmanager
    def database(self):
        from shared.adapters.db import Database

        db = Database(self.url, max_size=2, application_name="swaprep-ops")
        try:
            yield db
        finally:
            db.close()

    def tenant_id(self, db) -> str | None:
        if self.tenant_slug is None:
            return None
        with db.system() as conn:
            row = conn.execute("SELECT id FROM tenants WHERE slug = %s",
                               (self.tenant_slug,)).fetchone()
        if row is None:
            raise click.ClickException(f"no tenant '{self.tenant_slug}'")
        return str(row["id"])

    @contextmanager
    def transaction(self) -> Iterator[tuple[Any, Any]]:
        """(db, conn): a tenant transaction with --tenant, else a system one; commits on exit."""
        with self.database() as db:
            tenant = self.tenant_id(db)
            with (db.tenant(tenant) if tenant else db.system()) as conn:
                yield db, conn


def _parse_set(values: Sequence[str]) -> dict[str, Any]:
    """`path=value` pairs. A value is text (the model converts it: dates, amounts, codes);
    empty or `null` clears the field; `{...}` / `[...]` is JSON (a whole object or list)."""
    changes: dict[str, Any] = {}
    for text in values:
        path, sep, value = text.partition("=")
        if not sep or not path.strip():
            raise click.BadParameter(f"{text!r} is not field=value", param_hint="--set")
        value = value.strip()
        if value in ("", "null"):
            changes[path.strip()] = None
        elif value[:1] in "{[":
            try:
                changes[path.strip()] = json.loads(value)
            except ValueError as exc:
                raise click.BadParameter(f"{path}: not JSON ({exc})", param_hint="--set") from exc
        else:
            changes[path.strip()] = value
    return changes


def _fail(exc: Exception) -> click.ClickException:
    from shared.services.operations import InvalidRequest

    lines = [f"{type(exc).__name__}: {exc}" if not isinstance(exc, InvalidRequest)
             else f"{type(exc).__name__}: {str(exc).split(': ', 1)[0]}"]
    lines += [f"  {e}" for e in getattr(exc, "errors", [])]
    return click.ClickException("\n".join(lines))


def _run(action: Callable[[], Any]) -> Any:
    from shared.services.operations import OperationError

    try:
        return action()
    except OperationError as exc:
        raise _fail(exc) from None


def _items(session: _Session, outcomes: list[Any]) -> None:
    """One line per id; exit status 1 when any was refused."""
    if session.as_json:
        click.echo(json.dumps([o.as_dict() for o in outcomes], indent=2, default=str))
    else:
        for o in outcomes:
            click.echo(f"{o.id}  {o.outcome}" + (f"  {o.message}" if o.message else ""))
    if not all(o.ok for o in outcomes):
        raise SystemExit(1)


def _wake(sender: Any, url: str) -> None:
    """Start the consumers of what was queued, when a local stack with this database runs
    (best effort: otherwise the monitor's sweep starts them)."""
    from swaprep.local import settings

    if not sender.sent:
        return
    queued = ", ".join(f"{n} {q}" for q, n in sorted(sender.sent.items()))
    try:
        endpoints = json.loads(settings.endpoints_file().read_text())
        config = endpoints.get("config") or {}
        if endpoints.get("database_url") != url or not config.get("local_invoke_url"):
            raise LookupError("no local stack on this database")
        from shared.platform.config import Config
        from shared.services import bootstrap

        sender.wake(bootstrap.invoker(Config(config)))
        click.echo(f"queued: {queued} message(s); consumers woken", err=True)
    except Exception:  # no stack, or it is down: the sweep picks the messages up
        click.echo(f"queued: {queued} message(s); the next sweep starts the consumers",
                   err=True)


@click.group(name="ops")
@click.option("--database-url", envvar="DATABASE_URL", help="Defaults to the local stack's.")
@click.option("--tenant", "tenant_slug", help="Act within this tenant only (row-level security).")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_context
def command(ctx: click.Context, database_url: str | None, tenant_slug: str | None,
            as_json: bool) -> None:
    """Operator actions: repair, resubmit, cancel, re-validate, redrive, triage. Audited."""
    ctx.obj = _Session(database_url, tenant_slug, as_json)


pass_session = click.make_pass_decorator(_Session)


@command.command()
@click.argument("event_id")
@click.option("--set", "sets", multiple=True, required=True, metavar="FIELD=VALUE",
              help="A field by its canonical path (e.g. legs[0].notional.currency=KRW); "
                   "empty clears it. Repeatable.")
@click.option("--preview", is_flag=True, help="Only show what validation would say; write nothing.")
@pass_session
def repair(session: _Session, event_id: str, sets: tuple[str, ...], preview: bool) -> None:
    """Repair an invalid or NACKed EVENT_ID: a new version, validated again."""
    from shared.adapters.queue.postgres import PostgresQueue
    from shared.services.operations import QueueSender, preview_repair
    from shared.services.operations import repair as do_repair

    changes = _parse_set(sets)
    with session.transaction() as (db, conn):
        sender = QueueSender(PostgresQueue(db))
        if preview:
            result = _run(lambda: preview_repair(conn, event_id, changes, session.actor()))
        else:
            result = _run(lambda: do_repair(conn, event_id, changes, session.actor(),
                                            send=sender))
    if session.as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, default=str))
    elif preview:
        _print_preview(result)
    else:
        click.echo(f"repaired {result.event_id} -> {result.new_event_id} (version "
                   f"{result.version}), queued for validation")
        for path, change in result.changed.items():
            click.echo(f"  {path}: {change['before']!r} -> {change['after']!r}")
    if not preview:
        _wake(sender, session.url)
    elif not result.valid:
        raise SystemExit(1)


def _print_preview(result: Any) -> None:
    for path, change in result.changed.items():
        click.echo(f"  {path}: {change['before']!r} -> {change['after']!r}")
    for error in result.errors:
        click.echo(f"error  {error}")
    for issue in result.issues:
        where = f" [{issue['field']}]" if issue["field"] else ""
        click.echo(f"{issue['severity']:<6} {issue['rule_id']}{where}: {issue['message_en']}")
    click.echo("would be valid" if result.valid else "would still be invalid")


@command.command()
@click.argument("event_ids", nargs=-1, required=True)
@pass_session
def resubmit(session: _Session, event_ids: tuple[str, ...]) -> None:
    """Send NACKed events again in the next report file of the regimes that NACKed them."""
    from shared.adapters.queue.postgres import PostgresQueue
    from shared.services.operations import QueueSender
    from shared.services.operations import resubmit as do_resubmit

    with session.transaction() as (db, conn):
        sender = QueueSender(PostgresQueue(db))
        outcomes = _run(lambda: do_resubmit(conn, event_ids, session.actor(),
                                            send=sender))
    _wake(sender, session.url)
    _items(session, outcomes)


@command.command()
@click.argument("event_ids", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why: kept in the audit log.")
@pass_session
def cancel(session: _Session, event_ids: tuple[str, ...], reason: str) -> None:
    """Cancel events the TR has not got (received, invalid, valid, nacked)."""
    from shared.services.operations import cancel as do_cancel

    with session.transaction() as (_, conn):
        outcomes = _run(lambda: do_cancel(conn, event_ids, session.actor(), reason))
    _items(session, outcomes)


@command.command()
@click.argument("event_ids", nargs=-1, required=True)
@pass_session
def revalidate(session: _Session, event_ids: tuple[str, ...]) -> None:
    """Validate invalid events again as they are (e.g. after their NEWT was repaired)."""
    from shared.adapters.queue.postgres import PostgresQueue
    from shared.services.operations import QueueSender
    from shared.services.operations import revalidate as do_revalidate

    with session.transaction() as (db, conn):
        sender = QueueSender(PostgresQueue(db))
        outcomes = _run(lambda: do_revalidate(conn, event_ids, session.actor(),
                                              send=sender))
    _wake(sender, session.url)
    _items(session, outcomes)


@command.command()
@click.option("--queue", "queue_name", required=True, help="e.g. process, validate, submit.")
@click.option("--id", "ids", multiple=True, help="A dead letter id; repeatable. Default: all.")
@pass_session
def redrive(session: _Session, queue_name: str, ids: tuple[str, ...]) -> None:
    """Put dead letters back into their queue (with --tenant: that tenant's only)."""
    from shared.adapters.queue.postgres import PostgresQueue
    from shared.services.operations import redrive as do_redrive

    with session.database() as db:
        tenant = session.tenant_id(db)
        outcome = _run(lambda: do_redrive(db, PostgresQueue(db), queue_name,
                                          list(ids) or None, session.actor(),
                                          tenant_id=tenant))
    if not outcome.items:
        click.echo(f"no dead letters in {queue_name}")
        return
    click.echo(f"{outcome.redriven} dead letter(s) redriven into {queue_name}"
               + (" (more remain: run again)" if outcome.more else ""), err=True)
    _items(session, outcome.items)


@command.command()
@click.option("--status", type=click.Choice(["open", "assigned", "resolved", "all"]),
              default="open", show_default=True, help="open includes assigned.")
@click.option("--event", "event_id", help="Only this event's issues.")
@click.option("--rule", "rule_id", help="Only this rule's, e.g. SR-ID-004.")
@click.option("--limit", default=100, show_default=True)
@pass_session
def issues(session: _Session, status: str, event_id: str | None, rule_id: str | None,
           limit: int) -> None:
    """List validation issues, newest first, with their event and input row."""
    from shared.services.operations import list_issues

    with session.transaction() as (_, conn):
        rows = _run(lambda: list_issues(
            conn, status=None if status == "all" else status, event_id=event_id,
            rule_id=rule_id, limit=limit))
    if session.as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    for r in rows:
        where = f" [{r['field']}]" if r["field"] else ""
        row = f"{r['object_key']}:{r['row_no']}" if r["object_key"] else "api"
        who = f" -> {r['assignee']}" if r["assignee"] else ""
        click.echo(f"{r['id']:>6} {r['status']:<8}{who} {r['rule_id']}{where} "
                   f"{r['uti']}:{r['action_type']} ({r['event_state']}, {row}) "
                   f"event {r['event_id']}: {r['message']}")
    if not rows:
        click.echo("no issues")


@command.command()
@click.argument("issue_ids", nargs=-1, required=True)
@click.option("--to", "assignee", required=True, help="Who will look at them.")
@pass_session
def assign(session: _Session, issue_ids: tuple[str, ...], assignee: str) -> None:
    """Assign validation issues to someone."""
    from shared.services.operations import assign_issues

    with session.transaction() as (_, conn):
        outcomes = _run(lambda: assign_issues(conn, issue_ids, assignee,
                                              session.actor()))
    _items(session, outcomes)


@command.command()
@click.argument("issue_ids", nargs=-1, required=True)
@click.option("--note", help="Why it is resolved (kept in the audit log).")
@pass_session
def resolve(session: _Session, issue_ids: tuple[str, ...], note: str | None) -> None:
    """Mark validation issues resolved (the event's state does not change)."""
    from shared.services.operations import resolve_issues

    with session.transaction() as (_, conn):
        outcomes = _run(lambda: resolve_issues(conn, issue_ids, session.actor(),
                                               note=note))
    _items(session, outcomes)


@command.command(name="ack-alert")
@click.argument("alert_id")
@pass_session
def ack_alert(session: _Session, alert_id: str) -> None:
    """Acknowledge an alert (someone is on it)."""
    from shared.services.operations import ack_alert as do_ack

    with session.transaction() as (_, conn):
        outcome = _run(lambda: do_ack(conn, alert_id, session.actor()))
    _items(session, [outcome])
