"""Errors a user must act on: validation issues by rule, NACKs by TR code, dead letters by
queue, each with counts and a sample; and the paginated list behind one group."""

from __future__ import annotations

import re
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
    first. A NACK carries `field` and `value` as an issue does when the TR's message names a
    value the event holds in exactly one field (see `named_field`)."""
    result = fetch_page(query, db.SORT, db.KEYS, lambda after, limit: db.error_items_page(
        conn, kind=query.kind, key=query.key, after=after, limit=limit, status=query.status))
    if query.kind == "tr_code":
        for item in result["items"]:
            item["field"], item["value"] = named_field(item.get("tr_message"),
                                                       item.pop("event_payload", None))
    return result


# An LEI (ISO 17442): the identifier TR-ID-002/003 messages name ("CP2_ID <lei> is not in the
# LEI register"); the TR names it by its own column (CP2_ID, counterparty2, ...), so the
# event's field is found by the value instead.
_LEI = re.compile(r"\b[A-Z0-9]{18}[0-9]{2}\b")


def named_field(message: str | None, payload: Any) -> tuple[str | None, str | None]:
    """(canonical path, value) of the one field of `payload` (a stored event) holding an LEI
    that `message` (the TR's) names; (None, None) when it names none, or the values sit in
    more than one field: then no single correction is implied."""
    if not message or not isinstance(payload, dict):
        return None, None
    found: dict[str, str] = {}
    for token in dict.fromkeys(_LEI.findall(message)):
        found.update((path, token) for path in _paths_holding(payload, token, ""))
    if len(found) != 1:
        return None, None
    [(path, value)] = found.items()
    return path, value


def _paths_holding(node: Any, value: str, path: str) -> list[str]:
    if isinstance(node, dict):
        return [p for k, v in node.items()
                for p in _paths_holding(v, value, f"{path}.{k}" if path else str(k))]
    if isinstance(node, list):
        return [p for n, v in enumerate(node) for p in _paths_holding(v, value, f"{path}[{n}]")]
    return [path] if node == value else []
