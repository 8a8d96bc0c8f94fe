"""`swaprep invoke <action> --event events/<file>.json [--param k=v ...]`: run an action once.

The action runs exactly as the local stack runs it (a container process, NCP's parameter
merge and limits), with the package parameters of the running stack (from
`.swaprep/endpoints.json`) or, without one, only the environment. The result is printed as
JSON on stdout; the logs and a summary go to stderr; an error result exits with status 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from swaprep.local import settings


def parse_param(text: str) -> tuple[str, Any]:
    """`k=v`, the value read as JSON when it is JSON (numbers, true, objects), else a string."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise click.BadParameter(f"{text!r} is not key=value", param_hint="--param")
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value


def _stack_config() -> dict[str, Any] | None:
    path = settings.endpoints_file()
    if not path.exists():
        return None
    endpoints = json.loads(path.read_text())
    return dict(endpoints.get("config") or {"database_url": endpoints.get("database_url")})


@click.command(name="invoke")
@click.argument("action")
@click.option("--event", "-e", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON file with the invocation parameters (see events/).")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="An invocation parameter; overrides the event's. Repeatable.")
@click.option("--functions", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of actions (default: the repo's functions/).")
def command(action: str, event: Path | None, params: tuple[str, ...], functions: Path | None):
    """Run ACTION once and print its result."""
    from swaprep.local.host import REPO_ROOT, Host, HostError
    from swaprep.local.manifest import ManifestError, load_actions

    invocation: dict[str, Any] = {}
    if event:
        try:
            invocation = json.loads(event.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise click.BadParameter(f"{event}: not JSON ({exc})", param_hint="--event") from exc
        if not isinstance(invocation, dict):
            raise click.BadParameter(f"{event}: must hold a JSON object", param_hint="--event")
    invocation.update(parse_param(p) for p in params)
    try:
        actions = load_actions(functions or REPO_ROOT / "functions")
    except ManifestError as exc:
        raise click.ClickException(str(exc)) from exc
    if action not in actions:
        raise click.ClickException(
            f"no action {action!r} (have: {', '.join(sorted(actions)) or 'none'})"
        )
    config = _stack_config()
    if config is None:
        click.echo("no running stack: package parameters come from the environment only",
                   err=True)
    db = _database(config.get("database_url") if config else None)
    host = Host({action: actions[action]}, package_params=config or {}, db=db,
                containers_per_action=1).start()
    try:
        activation = host.run(action, invocation, trigger="cli")
    except HostError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        host.stop()
        if db is not None:
            db.close()
    for line in activation.logs:
        click.echo(line, err=True)
    click.echo(
        f"{activation.status} in {activation.duration_ms}ms "
        f"({'cold' if activation.cold_start else 'warm'}), activation {activation.id}",
        err=True,
    )
    click.echo(json.dumps(activation.result, indent=2, ensure_ascii=False))
    if not activation.success:
        sys.exit(1)


def _database(url: str | None) -> Any:
    """The stack's database to record the activation in, if it can be reached."""
    if not url:
        return None
    import psycopg

    from shared.adapters.db import Database

    try:
        with psycopg.connect(url, connect_timeout=2):
            pass
    except psycopg.Error:
        click.echo("the stack's database is not reachable: the activation is not recorded",
                   err=True)
        return None
    return Database(url, min_size=0, max_size=1)
