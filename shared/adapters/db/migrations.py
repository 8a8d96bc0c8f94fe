"""Versioned SQL migrations: `NNNN_name.sql` files applied in order, once each.

Each migration runs in its own transaction together with its `schema_migrations` record, so
a failure leaves nothing half-applied; a transaction-level advisory lock serialises concurrent
migrators (two actions cold-starting together, or `swaprep db migrate` run twice). An applied
migration whose file has since changed is an error, not a silent skip.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import psycopg

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 0x5EA9_0001  # any constant shared by all migrators of this schema


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(RuntimeError):
    pass


def available() -> list[Migration]:
    folder = resources.files("shared.adapters.db") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def _ensure_ledger(conn: psycopg.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())"
    )


def applied(conn: psycopg.Connection) -> dict[int, str]:
    _ensure_ledger(conn)
    return {v: c for v, c in conn.execute("SELECT version, checksum FROM schema_migrations")}


def migrate(url: str) -> list[Migration]:
    """Apply every pending migration; returns the ones applied now (empty when up to date)."""
    done: list[Migration] = []
    with psycopg.connect(url, autocommit=True) as conn:
        for migration in available():
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
                ledger = applied(conn)
                if migration.version in ledger:
                    if ledger[migration.version] != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.version:04d}_{migration.name} was changed "
                            "after it was applied; add a new migration instead"
                        )
                    continue
                conn.execute(migration.sql)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
                done.append(migration)
    return done


def status(url: str) -> list[dict[str, Any]]:
    with psycopg.connect(url) as conn:
        ledger = applied(conn)
    return [
        {"version": m.version, "name": m.name, "applied": m.version in ledger}
        for m in available()
    ]
