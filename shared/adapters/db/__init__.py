"""PostgreSQL store: pooled connections with tenant-scoped transactions, the statements of each
aggregate, and migrations.

The pool (psycopg, psycopg_pool) loads only when `Database` or `get_database` is first asked
for: a stage that imports a statement module at cold start (every stage raises alerts through
`alerts`) must not pay for the driver before it connects (PEP 562 module __getattr__)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.adapters.db.database import Database, TenantId, get_database

__all__ = ["Database", "TenantId", "get_database"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from shared.adapters.db import database

        return getattr(database, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
