"""Errors a user must act on: validation issues by rule, NACKs by TR code, dead letters by
queue, unparsed rows by file, each with its severity, open count, oldest open item, nearest
deadline and a sample, what needs action first; and the paginated list behind one group."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import psycopg

from shared.adapters.db.reads import errors as db
from shared.domain import parties
from shared.services.reads.filters import ErrorItemsQuery, IssuesQuery
from shared.services.reads.listing import fetch_counted_page
from shared.services.reads.values import jsonable

Kind = Literal["rule", "tr_code", "queue", "parse"]
KINDS: tuple[Kind, ...] = ("rule", "tr_code", "queue", "parse")
_LAST = datetime.max.replace(tzinfo=UTC)


def _issue_groups(conn: psycopg.Connection[Any], query: IssuesQuery, *,
                  event_id: str | None = None) -> list[dict[str, Any]]:
    """Validation issues grouped by rule: counts by status, the oldest open issue, the
    nearest deadline of the open ones' events, and the newest issue as a sample."""
    rows = db.issue_groups(conn, status=query.status, severity=query.severity,
                           regime=query.regime, event_id=event_id)
    return [{
        "kind": "rule", "key": r["rule_id"], "rule_id": r["rule_id"],
        "severity": r["severity"], "count": r["count"], "open": r["open"] + r["assigned"],
        "by_status": {"open": r["open"], "assigned": r["assigned"], "resolved": r["resolved"]},
        "last_at": r["last_at"], "oldest_at": r["oldest_at"], "deadline_at": r["deadline_at"],
        "sample": {"message": r["message"], "field": r["field"], "value": r["value"],
                   "event_id": r["event_id"], "uti": r["uti"]},
    } for r in rows]


def _nack_groups(conn: psycopg.Connection[Any], *,
                 event_id: str | None = None) -> list[dict[str, Any]]:
    """NACKed report items grouped by the TR's code (None when the TR gave none): a TR's
    rejection, so severity `reject`; open while the event is still nacked."""
    return [{"kind": "tr_code", "key": r["tr_code"], "tr_code": r["tr_code"],
             "severity": "reject", "count": r["count"], "open": r["open"], "files": r["files"],
             "last_at": r["last_at"], "oldest_at": r["oldest_at"],
             "deadline_at": r["deadline_at"],
             "sample": {"message": r["tr_message"], "event_id": r["event_id"], "uti": r["uti"]}}
            for r in db.nack_groups(conn, event_id=event_id)]


def _dead_letter_groups(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """The tenant's dead letters not yet redriven, by queue: each is work that stopped, so
    severity `reject`, every one open."""
    return [{"kind": "queue", "key": r["queue"], "severity": "reject", "open": r["count"],
             "deadline_at": None, **r} for r in db.dead_letter_groups(conn)]


def _parse_error_groups(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Rows of ingested files that did not parse, by file (key: the file id): records that
    never became events, so severity `reject`; open until the file is sent again."""
    return [{"kind": "parse", "key": str(r["file_id"]), "file_id": r["file_id"],
             "object_key": r["object_key"], "severity": "reject", "count": r["count"],
             "open": r["count"], "oldest_at": r["oldest_at"], "deadline_at": None,
             "sample_error": r["sample_error"]} for r in db.parse_error_groups(conn)]


def issue_groups(conn: psycopg.Connection[Any], query: IssuesQuery) -> dict[str, Any]:
    return {"items": jsonable(_issue_groups(conn, query)), "next_cursor": None}


def nack_groups(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    return {"items": jsonable(_nack_groups(conn)), "next_cursor": None}


def dead_letter_groups(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    return {"items": jsonable(_dead_letter_groups(conn)), "next_cursor": None}


def _needs_action_first(group: dict[str, Any]) -> tuple[Any, ...]:
    """Groups with open items before those without; rejections (TR codes, rejecting rules,
    dead letters, parse errors) before warnings; then the nearest deadline, then the oldest
    open item; kind and key keep the order stable."""
    return (group["open"] == 0, group["severity"] != "reject",
            group.get("deadline_at") or _LAST, group.get("oldest_at") or _LAST,
            KINDS.index(group["kind"]), str(group["key"]))


def error_groups(conn: psycopg.Connection[Any], query: IssuesQuery, *,
                 kinds: Sequence[Kind] = (), event_id: str | None = None) -> dict[str, Any]:
    """Every group of the `kinds` asked for (all by default), what needs action first (see
    `_needs_action_first`). `event_id`: only the rule and TR code groups of that event (the
    console opens a repair from a trade on the event's own group). All groups at once (as
    many as rules, codes, queues and files with errors): `next_cursor` is always None."""
    wanted = kinds or KINDS
    groups: list[dict[str, Any]] = []
    if "rule" in wanted:
        groups += _issue_groups(conn, query, event_id=event_id)
    if "tr_code" in wanted:
        groups += _nack_groups(conn, event_id=event_id)
    if event_id is None and "queue" in wanted:
        groups += _dead_letter_groups(conn)
    if event_id is None and "parse" in wanted:
        groups += _parse_error_groups(conn)
    groups.sort(key=_needs_action_first)
    return {"items": jsonable(groups), "next_cursor": None}


def error_items(conn: psycopg.Connection[Any], query: ErrorItemsQuery) -> dict[str, Any]:
    """The rows behind one group (`kind` rule / tr_code / queue / parse, `key` its value),
    newest first (a file's unparsed rows in file order). A NACK carries `field` and `value`
    as an issue does when the TR's message names a value the event holds in exactly one
    field (see `named_field`)."""
    sort = db.PARSE_SORT if query.kind == "parse" else db.SORT
    where = db.error_items_where(kind=query.kind, key=query.key, status=query.status)
    result = fetch_counted_page(
        query, sort, db.KEYS,
        lambda after, limit: db.error_items_page(conn, query.kind, where, after, limit),
        lambda cap: db.error_items_count(conn, query.kind, where, cap))
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
    that `message` (the TR's) names: a counterparty's identifier, whose legs' payer and
    receiver only refer to it (shared.domain.parties); (None, None) when it names none, or a
    value sits in more than one field of its own: then no single correction is implied."""
    if not message or not isinstance(payload, dict):
        return None, None
    found: dict[str, str] = {}
    for token in dict.fromkeys(_LEI.findall(message)):
        paths = set(_paths_holding(payload, token, ""))
        if not paths:
            continue
        path = parties.holder(paths)
        if path is None:
            return None, None
        found[path] = token
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
