"""PostgreSQL store: pooled connections with tenant-scoped transactions, and migrations."""

from shared.adapters.db.database import Database, TenantId, get_database

__all__ = ["Database", "TenantId", "get_database"]
