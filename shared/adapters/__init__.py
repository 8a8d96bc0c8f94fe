"""Adapters: the edge of the system (database, object store, queue, TR transport, clock)."""
