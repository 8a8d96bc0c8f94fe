"""Composition root: adapters built from an activation's config, once per warm container.

Each getter caches by the settings it reads, so a warm container reuses its connection pool
and S3 client across activations, and imports an adapter only when an action first needs it.
"""

from __future__ import annotations

import functools

from shared.platform.config import Config


def database(config: Config):
    from shared.adapters.db import get_database

    return get_database(config.require("database_url"))


def object_store(config: Config):
    from shared.adapters.objectstore import ObjectStore

    return ObjectStore.from_config(config)


def queue(config: Config):
    from shared.adapters.queue import queue_from_config

    backend = config.get("queue_backend")
    return queue_from_config(config, database(config) if backend == "postgres" else None)


def invoker(config: Config):
    from shared.adapters.invoker import invoker_from_config

    return invoker_from_config(config)


@functools.cache
def logical_buckets() -> tuple[str, ...]:
    return ("inbound", "outbound", "feedback")
