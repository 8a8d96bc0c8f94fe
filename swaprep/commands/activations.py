"""`swaprep activations`: the local stack's activation records, like `wsk activation list`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from swaprep.local.settings import resolve_database_url


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _duration(ms: int | None) -> str:
    if ms is None:
        return "-"
    return f"{ms}ms" if ms < 10_000 else f"{ms / 1000:.1f}s"


def _start(cold: bool | None) -> str:
    return "-" if cold is None else ("cold" if cold else "warm")


def format_table(rows: list[dict[str, Any]]) -> str:
    """Newest first: datetime, activation id, action, cold/warm, duration, status, trigger."""
    header = ("Datetime", "Activation ID", "Action", "Start", "Duration", "Status", "Trigger")
    table = [header] + [
        (
            _when(r["started_at"]), r["id"], r["action"], _start(r["cold_start"]),
            _duration(r["duration_ms"]), r["status"], r["trigger"] or "-",
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(str(cell).ljust(w) for cell, w in zip(row[:-1], widths, strict=True))
        + "  " + str(row[-1])
        for row in table
    )


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


@click.command(name="activations")
@click.argument("activation_id", required=False)
@click.option("--action", "-a", help="Only this action's activations.")
@click.option("--limit", "-n", default=30, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="Records as JSON (with result and logs).")
@click.option("--database-url", envvar="DATABASE_URL", help="Defaults to the local stack's.")
def command(
    activation_id: str | None, action: str | None, limit: int, as_json: bool,
    database_url: str | None,
) -> None:
    """List activations, newest first; with ACTIVATION_ID (or a prefix), show one in full."""
    from shared.adapters.db import Database
    from swaprep.local.host import fetch_activations

    db = Database(resolve_database_url(database_url), min_size=0, max_size=1)
    try:
        rows = fetch_activations(
            db, action=action, limit=1 if activation_id else limit, activation_id=activation_id
        )
    finally:
        db.close()
    if activation_id and not rows:
        raise click.ClickException(f"no activation {activation_id}")
    if as_json:
        payload = [_jsonable(r) for r in rows]
        click.echo(json.dumps(payload[0] if activation_id else payload, indent=2,
                              ensure_ascii=False))
        return
    if activation_id:
        row = rows[0]
        click.echo(format_table([row]))
        click.echo("\nresult:")
        click.echo(json.dumps(row["result"], indent=2, ensure_ascii=False))
        if row["error"]:
            click.echo(f"\nerror: {row['error']}")
        click.echo("\nlogs:")
        click.echo(row["logs"] or "(none)")
        return
    click.echo(format_table(rows) if rows else "no activations yet")
