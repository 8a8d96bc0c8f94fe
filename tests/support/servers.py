"""Real servers for tests: PostgreSQL (embedded) and the S3 API (moto, loopback only)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import psycopg
from psycopg import sql

from shared.adapters.db import migrations
from swaprep.local.postgres import EmbeddedPostgres, free_port

APP_ROLE = "swaprep_test"
APP_PASSWORD = "test-only-password"
TEMPLATE_DB = "swaprep_template"


class PostgresForTests:
    """One server per test session; each test gets a fresh database cloned from a migrated
    template, so tests are isolated and cheap (a template copy takes milliseconds)."""

    def __init__(self, base_dir, env: dict[str, str] | None = None) -> None:
        self.server = EmbeddedPostgres(base_dir / "pgdata", env=env or {}).start()
        self.admin_url = self.server.url()
        self.server.ensure_database(TEMPLATE_DB, APP_ROLE, APP_PASSWORD)
        migrations.migrate(self.server.url(TEMPLATE_DB, APP_ROLE, APP_PASSWORD))

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {}").format(
                    sql.Identifier(name), sql.Identifier(TEMPLATE_DB), sql.Identifier(APP_ROLE)
                )
            )
        return self.server.url(name, APP_ROLE, APP_PASSWORD)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def stop(self) -> None:
        self.server.stop()


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """moto in server mode, bound to 127.0.0.1 (its default is 0.0.0.0)."""
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
