"""`swaprep clients daily --tenant T --date D [--out DIR]`: each client's daily file.

One CSV per counterparty the tenant reports for (docs/OBLIGATIONS.md "The client's daily
file"): what was reported for it in the report files made that UTC day, the same file
`GET /api/clients/{lei}/daily` answers with.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click


@click.group(name="clients")
def command() -> None:
    """The counterparties the tenant reports for (delegated reporting)."""


@command.command(name="daily")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug, e.g. demo-bank.")
@click.option("--date", "day", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The business day (UTC), YYYY-MM-DD.")
@click.option("--out", "out_dir", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Directory the files are written to (made if missing).")
@click.option("--database-url", envvar=["SWAPREP_DATABASE_URL", "DATABASE_URL"],
              help="Defaults to the local stack's.")
def daily(tenant_slug: str, day: datetime, out_dir: Path, database_url: str | None) -> None:
    """Write client-<LEI>-<date>.csv for every client of the tenant."""
    from shared.adapters.db import Database
    from shared.adapters.db import tenants as tenants_db
    from shared.services.clients import daily_files
    from swaprep.local.settings import resolve_database_url

    url = resolve_database_url(database_url)
    db = Database(url, max_size=1)
    try:
        with db.system() as conn:
            tenant = tenants_db.by_slug(conn, tenant_slug)
        if tenant is None:
            raise click.ClickException(f"no tenant '{tenant_slug}' in {url.rsplit('@', 1)[-1]}")
        files = daily_files(db, str(tenant["id"]), date(day.year, day.month, day.day))
    finally:
        db.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out_dir / name).write_text(text, encoding="utf-8")
        rows = max(text.count("\n") - 1, 0)
        click.echo(f"{out_dir / name}: {rows} report(s)")
    if not files:
        click.echo(f"{tenant_slug} reports for no client", err=True)
