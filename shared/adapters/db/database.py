"""Pooled PostgreSQL access where every transaction declares whose data it touches.

Row-level security (migrations/0001_schema.sql) filters every tenant-owned table on the
transaction-local settings `app.tenant_id` and `app.system`. `Database.tenant()` sets the
first, `Database.system()` the second; a plain connection sets neither and sees no rows.
The settings are `SET LOCAL`-scoped (set_config(..., true)), so they end with the
transaction and can never leak to the next user of a pooled connection.
"""

from __future__ import annotations

import atexit
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
import psycopg.errors
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from shared.platform.cost import Statements

TenantId = uuid.UUID | str


class CountingCursor(psycopg.Cursor[DictRow]):
    """The pool's cursor class: psycopg's own, counting what it sends (shared.platform.cost),
    so that each activation's record says how many round trips it made."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> CountingCursor:
        Statements.add()
        return super().execute(query, params, **kwargs)

    def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        def counted() -> Iterator[Any]:  # the server runs one statement per parameter set
            for params in params_seq:
                Statements.add()
                yield params

        super().executemany(query, counted(), **kwargs)

    def copy(self, statement: Any, params: Any = None, **kwargs: Any) -> Any:
        Statements.add()
        return super().copy(statement, params, **kwargs)


def _tenant_text(tenant_id: TenantId) -> str:
    # Validates the id here so that a malformed one fails loudly instead of matching nothing.
    return str(tenant_id if isinstance(tenant_id, uuid.UUID) else uuid.UUID(str(tenant_id)))


class Database:
    """A connection pool plus tenant/system transaction scopes.

    Sized for serverless: an NCP container runs one activation at a time, so a warm
    container needs one or two connections, kept open between activations.
    """

    def __init__(
        self,
        url: str,
        *,
        min_size: int = 0,
        max_size: int = 4,
        application_name: str = "swaprep",
        timeout_s: float = 10.0,
        connect_timeout_s: int = 5,
    ) -> None:
        self.url = url
        # Bounded waits: an unreachable database must fail an activation in seconds, well
        # inside NCP's timeout, not hang it on psycopg_pool's 30 s default.
        self.pool = ConnectionPool(
            url,
            # rows are dicts (row_factory below); the class says so to the type checker
            connection_class=psycopg.Connection[DictRow],
            min_size=min_size,
            max_size=max_size,
            timeout=timeout_s,
            kwargs={"row_factory": dict_row, "application_name": application_name,
                    "connect_timeout": connect_timeout_s, "cursor_factory": CountingCursor},
            check=ConnectionPool.check_connection,  # a DB restart must not poison the pool
            open=True,
            name=application_name,
        )

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def _transaction(self, settings: dict[str, str]) -> Iterator[psycopg.Connection[Any]]:
        with self.pool.connection() as conn, conn.transaction():
            for name, value in settings.items():
                conn.execute("SELECT set_config(%s, %s, true)", (name, value))
            yield conn

    @contextmanager
    def tenant(self, tenant_id: TenantId) -> Iterator[psycopg.Connection[Any]]:
        """A transaction that can see and write only `tenant_id`'s rows."""
        with self._transaction({"app.tenant_id": _tenant_text(tenant_id)}) as conn:
            yield conn

    @contextmanager
    def client(self, tenant_id: TenantId, client_lei: str) -> Iterator[psycopg.Connection[Any]]:
        """A tenant transaction that sees, of the report items, only those made for one client
        (`app.client_lei`; the restrictive policy of migration 0027): a client_viewer's."""
        lei = client_lei.strip().upper()
        if not lei:
            raise ValueError("a client transaction needs the client's LEI")
        with self._transaction({"app.tenant_id": _tenant_text(tenant_id),
                                "app.client_lei": lei}) as conn:
            yield conn

    @contextmanager
    def system(self) -> Iterator[psycopg.Connection[Any]]:
        """A transaction across all tenants, for platform work (queue, monitor, sign-in)."""
        with self._transaction({"app.system": "on"}) as conn:
            yield conn

    @contextmanager
    def unscoped(self) -> Iterator[psycopg.Connection[Any]]:
        """A transaction with no tenant: RLS hides every tenant-owned row."""
        with self._transaction({}) as conn:
            yield conn

    def ping(self) -> dict[str, Any]:
        """Database facts for the health check; raises if the server cannot be reached."""
        with self.pool.connection(timeout=5) as conn:
            row = conn.execute(
                "SELECT current_setting('server_version') AS version,"
                " (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user)"
                " AS bypasses_rls"
            ).fetchone()
        assert row is not None
        return {"version": row["version"], "rls_enforced": not row["bypasses_rls"]}


# PostgreSQL aborted the transaction whole (a deadlock victim, a serialization failure), so
# running it again from the start is safe and usually succeeds.
RETRYABLE = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)
T = TypeVar("T")


def retry_transaction(work: Callable[[], T], *, attempts: int = 4, pause_s: float = 0.1,
                      sleep: Callable[[float], None] = time.sleep) -> T:
    """`work()` (which opens and commits its own transaction), run again with a growing,
    jittered pause when PostgreSQL aborted it as RETRYABLE; other errors pass through."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except RETRYABLE:
            if attempt == attempts:
                raise
            sleep(pause_s * attempt * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")


_databases: dict[str, Database] = {}
_lock = threading.Lock()


def get_database(url: str, **kwargs: Any) -> Database:
    """The process-wide Database for `url`: warm activations reuse its pooled connections."""
    with _lock:
        db = _databases.get(url)
        if db is None or db.pool.closed:
            db = _databases[url] = Database(url, **kwargs)
        return db


@atexit.register
def close_all() -> None:
    with _lock:
        for db in _databases.values():
            db.close()
        _databases.clear()
