"""Reads of the TR's end-of-day reports: the breaks list, the reconciliation screen's figures
and one trade's TR view (pairing, matching, the fields the other side reports differently,
the TR's warnings, the trade's breaks). docs/API.md "Reconciliation"."""

from __future__ import annotations

from typing import Any

import psycopg

from shared.adapters.db.reads import reconciliation as db
from shared.domain.reconciliation import FIELDS, ReconStatus
from shared.services.reads.filters import BreaksQuery
from shared.services.reads.listing import fetch_counted_page
from shared.services.reads.values import jsonable

BREAK_STATUSES = ("open", "assigned", "resolved", "cleared")
BREAK_KINDS = ("at_tr_only", "open_at_tr", "missing_at_tr", "field_mismatch")
REPORT_KINDS = ("trade_state", "reconciliation", "warnings")
WARNING_KINDS = ("no_valuation", "outdated_valuation")
FIELD_NAMES = {f.key: f.name for f in FIELDS}


def list_breaks(conn: psycopg.Connection[Any], query: BreaksQuery) -> dict[str, Any]:
    sort, keys = db.breaks_sort(query.order)
    where = db.breaks_where(status=query.status, kind=query.kind, regime=query.regime,
                            uti=query.uti)
    result = fetch_counted_page(
        query, sort, keys, lambda after, limit: db.breaks_page(conn, where, sort, after, limit),
        lambda cap: db.breaks_count(conn, where, cap))
    result["items"] = [shown_break(row) for row in result["items"]]
    return jsonable(result)


def shown_break(row: dict[str, Any]) -> dict[str, Any]:
    """A break as the API answers it: each differing field with its name."""
    return {**row, "differences": [{**d, "name": FIELD_NAMES.get(d["field"], d["field"])}
                                   for d in row["differences"]]}


def break_detail(conn: psycopg.Connection[Any], break_id: int) -> dict[str, Any] | None:
    row = db.break_by_id(conn, break_id)
    return None if row is None else jsonable(shown_break(row))


def summary(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """Per regime with reports: the current report of each kind, open trades at the TR, the
    reconciliation outcomes, the warnings; and the breaks by status and kind."""
    regimes: dict[str, dict[str, Any]] = {}

    def regime(name: str) -> dict[str, Any]:
        return regimes.setdefault(name, {
            "regime": name, "reports": dict.fromkeys(REPORT_KINDS), "open_at_tr": 0,
            "reconciliation": {"not_applicable": 0, "unpaired": 0, "matched": 0,
                               "unmatched": 0},
            "warnings": dict.fromkeys(WARNING_KINDS, 0),
            "breaks": {s: dict.fromkeys(BREAK_KINDS, 0) for s in BREAK_STATUSES}})

    for row in db.report_heads(conn):
        regime(row["regime"])["reports"][row["kind"]] = {
            "reference_date": row["reference_date"], "loaded_at": row["loaded_at"],
            "records": row["records"], "object_key": row["object_key"]}
    for row in db.open_counts(conn):
        regime(row["regime"])["open_at_tr"] = row["n"]
    for row in db.status_counts(conn):
        regime(row["regime"])["reconciliation"] = {
            k: row[k] for k in ("not_applicable", "unpaired", "matched", "unmatched")}
    for row in db.warning_counts(conn):
        regime(row["regime"])["warnings"][row["kind"]] = row["n"]
    totals = {s: dict.fromkeys(BREAK_KINDS, 0) for s in BREAK_STATUSES}
    for row in db.break_counts(conn):
        regime(row["regime"])["breaks"][row["status"]][row["kind"]] = row["n"]
        totals[row["status"]][row["kind"]] += row["n"]
    return jsonable({"regimes": [regimes[k] for k in sorted(regimes)], "breaks": totals})


def tr_view(conn: psycopg.Connection[Any], uti: str) -> dict[str, Any] | None:
    """What the TRs' latest reports say of one trade, per regime; None when neither we nor a
    TR know the UTI (API: 404)."""
    if not uti or len(uti) > 100:
        return None
    states = {r["regime"]: r for r in db.trade_states(conn, uti)}
    statuses = {r["regime"]: r for r in db.trade_statuses(conn, uti)}
    warnings: dict[str, list[dict[str, Any]]] = {}
    for row in db.trade_warnings(conn, uti):
        warnings.setdefault(row.pop("regime"), []).append(row)
    breaks: dict[str, list[dict[str, Any]]] = {}
    for row in db.trade_breaks(conn, uti):
        breaks.setdefault(row["regime"], []).append(shown_break(row))
    known = db.trade_known(conn, uti)
    names = sorted(set(states) | set(statuses) | set(warnings) | set(breaks))
    if not known and not names:
        return None
    return jsonable({"uti": uti, "trade_known": known, "regimes": [{
        "regime": name,
        "state": _state(states.get(name)),
        "reconciliation": _reconciliation(statuses.get(name)),
        "warnings": warnings.get(name, []),
        "breaks": breaks.get(name, []),
    } for name in names]})


def _state(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    shown = {k: v for k, v in row.items() if k != "regime"}
    shown["open"] = True  # the trade state report lists open trades only
    return shown


def _reconciliation(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    status = ReconStatus("", row["two_sided"], row["paired"],
                         row["matched"])
    return {"reference_date": row["reference_date"], "pairing": status.pairing,
            "matching": status.matching, "flag": status.flag,
            "other_counterparty": row["other_counterparty"], "revived": row["revived"],
            "further_modified": row["further_modified"],
            "differences": [{**d, "name": FIELD_NAMES.get(d["field"], d["field"])}
                            for d in row["differences"]]}
