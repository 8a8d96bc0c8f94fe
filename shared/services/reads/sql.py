"""Where the WHERE clauses went: the SQL composition of the read side is the adapter's
(`shared.adapters.db.reads.where`, issue #13); re-exported here for existing importers."""

from shared.adapters.db.reads.where import Where, prefix_params, prefix_sql

__all__ = ["Where", "prefix_params", "prefix_sql"]
