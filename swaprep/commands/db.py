"""`swaprep db migrate|status`: versioned SQL migrations."""

from __future__ import annotations

import click

from shared.adapters.db import migrations
from swaprep.local.settings import resolve_database_url


@click.group(name="db")
def command() -> None:
    """Database schema management."""


@command.command()
@click.option("--database-url", envvar="DATABASE_URL", help="Defaults to the local stack's.")
def migrate(database_url: str | None) -> None:
    """Apply pending migrations (transactional, recorded, safe to re-run)."""
    url = resolve_database_url(database_url)
    applied = migrations.migrate(url)
    for m in applied:
        click.echo(f"applied {m.version:04d}_{m.name}")
    click.echo("schema is up to date" if not applied else f"{len(applied)} migration(s) applied")


@command.command()
@click.option("--database-url", envvar="DATABASE_URL", help="Defaults to the local stack's.")
def status(database_url: str | None) -> None:
    """List migrations and whether each is applied."""
    for m in migrations.status(resolve_database_url(database_url)):
        click.echo(f"{m['version']:04d}_{m['name']:<30} {'applied' if m['applied'] else 'PENDING'}")
