"""`swaprep up`: the whole system on this machine (see swaprep.local.stack.LocalStack)."""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Any

import click


def _activation_line(activation: Any) -> str:
    start = "cold" if activation.cold_start else "warm"
    colour = "green" if activation.success else "red"
    return (
        f"{activation.ended_at.astimezone():%H:%M:%S}  "
        f"{click.style(activation.status, fg=colour):<28} {activation.action:<14} "
        f"{activation.duration_ms:>6}ms {start}  {activation.trigger or '-'}  {activation.id}"
        + (f"\n          {activation.error}" if activation.error else "")
    )


@click.command(name="up")
@click.option("--demo", is_flag=True, help="Seed a demo tenant, users and a sample FEP file.")
@click.option("--functions", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of actions (default: the repo's functions/).")
@click.option("--api-port", type=int, envvar="SWAPREP_API_PORT", help="Default 8780.")
@click.option("--s3-port", type=int, envvar="SWAPREP_S3_PORT", help="Default 8782.")
@click.option("--invoke-port", type=int, envvar="SWAPREP_INVOKE_PORT", help="Default 8781.")
@click.option("--pg-port", type=int, envvar="SWAPREP_PG_PORT", help="Default 8783.")
@click.option("--containers", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Containers per action (concurrent activations of one action).")
@click.option("--quiet", "-q", is_flag=True, help="No line per finished activation.")
@click.option("--actions-from", type=click.Choice(["checkout", "deployed"]),
              envvar="SWAPREP_ACTIONS_FROM", default=None,
              help="Run functions/ as checked out (default), or the zips that `swaprep deploy "
                   "apply --env local` put into the stack's NCP control plane.")
def command(
    demo: bool, functions: Path | None, api_port: int | None, s3_port: int | None,
    invoke_port: int | None, pg_port: int | None, containers: int, quiet: bool,
    actions_from: str | None,
) -> None:
    """Run PostgreSQL, the S3 API, the function host, triggers and API Gateway locally."""
    from swaprep.local.manifest import ManifestError
    from swaprep.local.postgres import PostgresNotFound
    from swaprep.local.stack import LocalStack, StackError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s",
                        datefmt="%H:%M:%S")
    ports = {name: port for name, port in (
        ("api", api_port), ("s3", s3_port), ("invoke", invoke_port), ("postgres", pg_port)
    ) if port is not None}
    stack = LocalStack(functions_root=functions, ports=ports, containers_per_action=containers,
                       source=actions_from)

    def stop_requested(signum: int, _frame: Any) -> None:
        stack.request_stop()

    previous = {sig: signal.signal(sig, stop_requested) for sig in (signal.SIGINT,
                                                                   signal.SIGTERM)}
    try:
        click.echo("starting the local stack ...")
        try:
            stack.start()
        except (ManifestError, PostgresNotFound, StackError) as exc:
            raise click.ClickException(str(exc)) from exc
        shown = stack.public_endpoints()
        width = max(len(k) for k in shown)
        click.echo(click.style("swaprep local stack is up", bold=True))
        for name, value in shown.items():
            click.echo(f"  {name:<{width}}  {value}")
        click.echo(f"  {'actions':<{width}}  {', '.join(sorted(stack.actions))}")
        click.echo(f"  {'state':<{width}}  {stack.state_dir}")
        if demo:
            _seed_demo(stack)
        if not quiet:
            stack.on_activation(lambda a: click.echo(_activation_line(a)))
        click.echo("Ctrl-C to stop.")
        while not stack.wait(1.0):
            pass
    finally:
        click.echo("stopping ...")
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        click.echo("stopped.")


def _seed_demo(stack: Any) -> None:
    try:
        summary = stack.seed_demo()
    except Exception as exc:  # the stack stays useful without demo data
        click.echo(click.style(f"demo data not seeded: {exc}", fg="yellow"))
        return
    if summary is None:
        click.echo("demo data: swaprep.local.demo is not there yet; skipped")
        return
    click.echo(f"demo data: tenant {summary.get('tenant')}, "
               f"uploaded {summary.get('uploaded') or 'nothing new'}")
    if summary.get("global_tenant"):
        click.echo(f"  and tenant {summary['global_tenant']}")
    for username in summary.get("users", []):
        password = stack.secret(f"password_{username}", 12)
        click.echo(f"  sign in as {username} / {password}")
    if summary.get("api_key"):
        click.echo(f"  FEP API key (POST /api/ingest/events, X-API-Key): {summary['api_key']}")
    if summary.get("tr_end_of_day"):
        click.echo(f"  TR end-of-day reports: {summary['tr_end_of_day']}")
