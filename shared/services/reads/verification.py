"""Reads of the verification log and the correction clocks (docs/API.md "Corrections")."""

from __future__ import annotations

from typing import Any

import psycopg

from shared.adapters.db import tr_reports as db_reports
from shared.adapters.db import verification as db
from shared.services.operations.verification import shown_clock
from shared.services.reads.filters import CorrectionsQuery, VerificationsQuery
from shared.services.reads.listing import fetch_counted_page
from shared.services.reads.values import jsonable


def list_verifications(conn: psycopg.Connection[Any],
                       query: VerificationsQuery) -> dict[str, Any]:
    where = db.runs_where(regime=query.regime)
    result = fetch_counted_page(
        query, db.id_sort(query.order), db.KEY_NAMES,
        lambda after, limit: db.runs_page(conn, where, db.id_sort(query.order), after, limit),
        lambda cap: db.runs_count(conn, where, cap))
    return jsonable(result)


def list_corrections(conn: psycopg.Connection[Any], query: CorrectionsQuery) -> dict[str, Any]:
    where = db.clocks_where(state=query.state, regime=query.regime, uti=query.uti)
    result = fetch_counted_page(
        query, db.id_sort(query.order), db.KEY_NAMES,
        lambda after, limit: db.clocks_page(conn, where, db.id_sort(query.order), after, limit),
        lambda cap: db.clocks_count(conn, where, cap))
    now = db_reports.now(conn)
    result["items"] = [shown_clock(row, now) for row in result["items"]]
    return jsonable(result)
