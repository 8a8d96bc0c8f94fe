"""Activations (action runs) of the tenant, newest first. A web run's result shows only its
status code (an API key's secret, shown once, may be in the answer it gave): see the
adapter's select."""

from __future__ import annotations

from typing import Any

import psycopg

from shared.adapters.db.reads import activations as db
from shared.services.reads.filters import ActivationsQuery
from shared.services.reads.listing import fetch_counted_page


def list_activations(conn: psycopg.Connection[Any], query: ActivationsQuery) -> dict[str, Any]:
    where = db.activations_where(action=query.action, status=query.status,
                                 started_from=query.started_from,
                                 started_to=query.started_to)
    return fetch_counted_page(
        query, db.SORT, db.KEYS,
        lambda after, limit: db.activations_page(conn, where, after, limit),
        lambda cap: db.activations_count(conn, where, cap))
