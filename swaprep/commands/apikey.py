"""`swaprep apikey create|list|revoke --tenant T`: an FEP's API keys for online ingestion.

The key is printed once, at creation; only its prefix and a hash are stored.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click

from shared.domain.identifiers import is_uuid
from shared.services.identity import apikeys
from swaprep.local.settings import resolve_database_url

_TENANT = click.option("--tenant", "tenant_slug", required=True,
                       help="Tenant slug, e.g. demo-bank.")
_DATABASE = click.option("--database-url", envvar="DATABASE_URL",
                         help="Defaults to the local stack's.")


@contextlib.contextmanager
def _tenant_db(tenant_slug: str, database_url: str | None) -> Iterator[tuple]:
    from shared.adapters.db import Database

    url = resolve_database_url(database_url)
    db = Database(url, max_size=1)
    try:
        with db.system() as conn:
            row = conn.execute("SELECT id FROM tenants WHERE slug = %s",
                               (tenant_slug,)).fetchone()
        if row is None:
            raise click.ClickException(f"no tenant '{tenant_slug}' in {url.rsplit('@', 1)[-1]}")
        yield db, row["id"]
    finally:
        db.close()


@click.group(name="apikey")
def command() -> None:
    """Create, list and revoke a tenant's API keys (X-API-Key for POST /api/ingest/events)."""


@command.command(name="create")
@_TENANT
@click.option("--name", required=True, help="What the key is for, e.g. the FEP's name.")
@click.option("--scope", "scopes", multiple=True, default=("ingest",), show_default=True,
              type=click.Choice(apikeys.SCOPES))
@_DATABASE
def create(tenant_slug: str, name: str, scopes: tuple[str, ...], database_url: str | None):
    """Create a key and print it (it cannot be shown again)."""
    with _tenant_db(tenant_slug, database_url) as (db, tenant_id), db.tenant(tenant_id) as conn:
        try:
            key = apikeys.create_key(conn, tenant_id, name, scopes)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(key)
    click.echo(f"stored as prefix {apikeys.key_prefix(key)} for {tenant_slug}; the key is not "
               "shown again", err=True)


@command.command(name="list")
@_TENANT
@_DATABASE
def list_(tenant_slug: str, database_url: str | None) -> None:
    """The tenant's keys: prefix, name, scopes, created, last used, revoked."""
    with _tenant_db(tenant_slug, database_url) as (db, tenant_id), db.tenant(tenant_id) as conn:
        keys = apikeys.list_keys(conn)
    if not keys:
        click.echo(f"no API keys for {tenant_slug}")
        return
    when = lambda v: v.strftime("%Y-%m-%d %H:%M") if v else "-"  # noqa: E731
    for key in keys:
        click.echo(f"{key['prefix']}  {key['name']:<24} {','.join(key['scopes']):<10}"
                   f" created {when(key['created_at'])}  last used {when(key['last_used_at'])}"
                   f"  {'REVOKED ' + when(key['revoked_at']) if key['revoked_at'] else 'active'}")


@command.command(name="revoke")
@_TENANT
@click.argument("key")
@_DATABASE
def revoke(tenant_slug: str, key: str, database_url: str | None) -> None:
    """Revoke KEY (its prefix, id, or the whole key) at once."""
    ref = apikeys.key_prefix(key) or key
    if not (len(ref) == apikeys.PREFIX_LENGTH or is_uuid(ref)):
        raise click.ClickException(f"{key!r} is not a key prefix, key id or key")
    with _tenant_db(tenant_slug, database_url) as (db, tenant_id), db.tenant(tenant_id) as conn:
        revoked = apikeys.revoke(conn, ref)
    if not revoked:
        raise click.ClickException(f"no active key {ref} for {tenant_slug}")
    click.echo(f"revoked {ref}")
