"""Composition root: adapters built from an activation's config, once per warm container.

Each getter caches by the settings it reads, so a warm container reuses its connection pool
and S3 client across activations, and imports an adapter only when an action first needs it.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from shared.platform.config import Config

if TYPE_CHECKING:
    from shared.adapters.db import Database as DatabaseAdapter
    from shared.adapters.queue import Queue as QueueAdapter
    from shared.services.ports import Database, Invoker, ObjectStore, ProductIdentifiers, Webhook


def _database(config: Config) -> DatabaseAdapter:
    from shared.adapters.db import get_database

    # Named by action, so that pg_stat_activity (and NCP Cloud DB's session view) says which
    # function holds a connection, and the cost model can add up the server's CPU per action.
    action = os.environ.get("__OW_ACTION_NAME", "").rsplit("/", 1)[-1]
    return get_database(config.require("database_url"),
                        application_name=f"swaprep-{action}" if action else "swaprep")


def database(config: Config) -> Database:
    return _database(config)


def object_store(config: Config) -> ObjectStore:
    from shared.adapters.objectstore import ObjectStore as S3ObjectStore

    return S3ObjectStore.from_config(config)


def queue(config: Config) -> QueueAdapter:
    """The whole adapter: the stage runner hands it to the consumer loop (receive, ack...);
    it is also the services' `ports.Queue`."""
    from shared.adapters.queue import queue_from_config

    backend = config.get("queue_backend")
    # the PostgreSQL adapter needs the pool itself, not only the services' port
    return queue_from_config(config, _database(config) if backend == "postgres" else None)


def invoker(config: Config) -> Invoker:
    from shared.adapters.invoker import invoker_from_config

    return invoker_from_config(config)


def webhook(config: Config) -> Webhook | None:
    """The chat webhook, or None when `webhook_url` is not set (cheap: built per call)."""
    from shared.adapters.webhook import webhook_from_config

    return webhook_from_config(config)


def product_identifiers(config: Config) -> ProductIdentifiers | None:
    """The ANNA DSB's UPI service, or None when `dsb_url` is not set (cheap: built per call)."""
    from shared.adapters.dsb import dsb_from_config

    return dsb_from_config(config)


@functools.cache
def logical_buckets() -> tuple[str, ...]:
    return ("inbound", "outbound", "feedback")
