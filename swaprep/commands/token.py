"""`swaprep token --tenant T --role R`: a local dev bearer token for scripts and curl."""

from __future__ import annotations

import click
import psycopg

from shared.domain.roles import ROLES
from shared.platform import tokens
from swaprep.local import secrets
from swaprep.local.settings import resolve_database_url


@click.command(name="token")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug, e.g. demo-bank.")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--subject", default="local-script", show_default=True, help="Who the token is for.")
@click.option("--ttl", "ttl_s", default=3600, show_default=True, help="Lifetime in seconds.")
@click.option("--database-url", envvar="DATABASE_URL", help="Defaults to the local stack's.")
def command(tenant_slug: str, role: str, subject: str, ttl_s: int, database_url: str | None):
    """Print a signed token for TENANT with ROLE, valid for TTL seconds."""
    url = resolve_database_url(database_url)
    with psycopg.connect(url) as conn:
        conn.execute("SELECT set_config('app.system', 'on', false)")
        row = conn.execute("SELECT id FROM tenants WHERE slug = %s", (tenant_slug,)).fetchone()
    if row is None:
        raise click.ClickException(f"no tenant '{tenant_slug}' in {url.rsplit('@', 1)[-1]}")
    click.echo(tokens.mint(
        secrets.get("jwt_signing_secret"), subject=subject, tenant_id=str(row[0]),
        tenant_slug=tenant_slug, role=role, ttl_s=ttl_s,
    ))
