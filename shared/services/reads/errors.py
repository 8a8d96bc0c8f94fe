"""Errors a user must act on: validation issues by rule, NACKs by TR code, dead letters by
queue, each with counts and a sample; and the paginated list behind one group."""

from __future__ import annotations

from typing import Any

import psycopg

from shared.adapters.db.reads import errors as db
from shared.services.reads.filters import ErrorItemsQuery, IssuesQuery
from shared.services.reads.listing import fetch_page
from shared.services.reads.values import jsonable


def issue_groups(conn: psycopg.Connection[Any], query: IssuesQuery) -> dict[str, Any]:
    """Validation issues grouped by rule: counts by status and the newest one as a sample.
    All groups at once (there are as many as rules): `next_cursor` is always None."""
    rows = db.issue_groups(conn, status=query.status, severity=query.severity,
                           regime=query.regime)
    groups = [{
        "rule_id": r["rule_id"], "severity": r["severity"], "count": r["count"],
        "by_status": {"open": r["open"], "assigned": r["assigned"], "resolved": r["resolved"]},
        "last_at": r["last_at"],
        "sample": {"message": r["message"], "field": r["field"], "value": r["value"],
                   "event_id": r["event_id"], "uti": r["uti"]},
    } for r in rows]
    return {"items": jsonable(groups), "next_cursor": None}


def nack_groups(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """NACKed report items grouped by the TR's code (None when the TR gave none)."""
    rows = db.nack_groups(conn)
    groups = [{"tr_code": r["tr_code"], "count": r["count"], "files": r["files"],
               "sample": {"message": r["tr_message"], "event_id": r["event_id"],
                          "uti": r["uti"]}} for r in rows]
    return {"items": jsonable(groups), "next_cursor": None}


def dead_letter_groups(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """The tenant's dead letters not yet redriven, by queue."""
    return {"items": jsonable(db.dead_letter_groups(conn)), "next_cursor": None}


def error_items(conn: psycopg.Connection[Any], query: ErrorItemsQuery) -> dict[str, Any]:
    """The rows behind one group (`kind` rule / tr_code / queue, `key` its value), newest
    first."""
    return fetch_page(query, db.SORT, db.KEYS, lambda after, limit: db.error_items_page(
        conn, kind=query.kind, key=query.key, after=after, limit=limit, status=query.status))
