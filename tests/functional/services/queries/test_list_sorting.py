"""Files, reports, alerts and audit: every sort walks all rows in its order without duplicates
or gaps (ties in every column); every list answers its total on every page, capped; a cursor
of one order is refused for another; an unknown sort is refused naming the parameter."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from shared.services.reads import activations, alerts, audit, errors, files, listing, reports
from shared.services.reads.filters import (
    ActivationsQuery,
    AlertsQuery,
    AuditQuery,
    ErrorItemsQuery,
    FilesQuery,
    Query,
    ReportsQuery,
)
from shared.services.reads.paging import InvalidCursor
from tests.functional.services.queries import seed
from tests.functional.services.queries.seed import at

pytestmark = pytest.mark.functional

N = 23  # rows per list: pages of 4 leave a short last page


@pytest.fixture
def lists(db, two_tenants):
    """N rows of each list for tenant A, with ties in every sortable column, and one of B's."""
    a, b = two_tenants
    file_status = ["received", "parsed", "rejected"]
    report_status = ["acked", "submitted", "failed", "rejected"]
    severities = ["info", "warning", "critical"]
    for tenant, count in ((a, N), (b, 1)):
        with db.tenant(tenant) as conn:
            for n in range(count):
                conn.execute(
                    "INSERT INTO ingest_files (tenant_id, bucket, object_key, sha256,"
                    " size_bytes, status, received_at) VALUES (%s, 'in', %s, %s, 1, %s, %s)",
                    (tenant, f"bank/f{n % 7:02d}.csv",
                     hashlib.sha256(f"{tenant}{n}".encode()).hexdigest(),
                     file_status[n % 3], at(n % 5)))
                conn.execute(
                    "INSERT INTO report_files (tenant_id, regime, tr, record_count, status,"
                    " created_at) VALUES (%s, %s, 'sim', %s, %s, %s)",
                    (tenant, ["krx", "emir"][n % 2], n % 4, report_status[n % 4], at(n % 6)))
                conn.execute(
                    "INSERT INTO alerts (tenant_id, kind, severity, dedup_key, summary,"
                    " last_seen_at) VALUES (%s, %s, %s, %s, 's', %s)",
                    (tenant, f"kind{n % 4}", severities[n % 3], f"k{n}", at(n % 5)))
                conn.execute(
                    "INSERT INTO activations (id, action, tenant_id, started_at, status)"
                    " VALUES (%s, 'ingest', %s, %s, 'success')", (f"{tenant}-{n}", tenant,
                                                                   at(n % 5)))
                conn.execute(
                    "INSERT INTO dead_letters (queue, message_id, tenant_id, body,"
                    " receive_count, last_error, sent_at) VALUES ('process', %s, %s, %s, 5,"
                    " 'boom', now())", (n, tenant, json.dumps({"n": n})))
        for n in range(count):
            seed.audit(db, tenant, action=["alert.ack", "trade.repair", "key.create"][n % 3],
                       entity_type="x", entity_id=str(n), actor=["bob", "alice"][n % 2],
                       at=at(n % 4))
    return a


RANK = {"info": 1, "warning": 2, "critical": 3}
# per list: the service, its query, and what each sort orders by in Python (id last)
LISTS: dict[str, tuple[Callable[..., dict[str, Any]], type[Query], dict[str, Callable]]] = {
    "files": (files.list_files, FilesQuery, {
        "received_at": lambda r: (r["received_at"], r["id"]),
        "object_key": lambda r: (r["object_key"], r["id"]),
        "status": lambda r: (r["status"], r["received_at"], r["id"])}),
    "reports": (reports.list_reports, ReportsQuery, {
        "created_at": lambda r: (r["created_at"], r["id"]),
        "regime": lambda r: (r["regime"], r["created_at"], r["id"]),
        "status": lambda r: (r["status"], r["created_at"], r["id"]),
        "record_count": lambda r: (r["record_count"], r["created_at"], r["id"])}),
    "alerts": (alerts.list_alerts, AlertsQuery, {
        "last_seen_at": lambda r: (r["last_seen_at"], r["id"]),
        "severity": lambda r: (RANK[r["severity"]], r["last_seen_at"], r["id"]),
        "kind": lambda r: (r["kind"], r["last_seen_at"], r["id"])}),
    "audit": (audit.list_audit, AuditQuery, {
        "at": lambda r: (r["at"], r["id"]),
        "action": lambda r: (r["action"], r["at"], r["id"]),
        "actor": lambda r: (r["actor"], r["at"], r["id"])}),
}
SORTS = [(name, column) for name, (_, _, keys) in LISTS.items() for column in keys]


def walk(db, tenant, call, query) -> list[Any]:
    """Every page's rows; each page says the whole selection's total."""
    seen, cursor = [], None
    while True:
        with db.tenant(tenant) as conn:
            result = call(conn, query.model_copy(update={"cursor": cursor}))
        assert len(result["items"]) <= query.limit
        assert (result["total"], result["total_capped"]) == (N, False)
        seen += result["items"]
        cursor = result["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize(("name", "column"), SORTS)
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_every_sort_walks_all_rows_in_order_without_duplicates_or_gaps(db, lists, name,
                                                                         column, order):
    call, query_type, keys = LISTS[name]
    with db.tenant(lists) as conn:
        everything = call(conn, query_type(limit=500))["items"]
    assert len(everything) == N
    expected = [r["id"] for r in sorted(everything, key=keys[column], reverse=order == "desc")]
    rows = walk(db, lists, call, query_type(limit=4, sort=column, order=order))
    assert [r["id"] for r in rows] == expected
    assert "severity_rank" not in rows[0]  # the sort's helper stays out of the answer


def test_the_default_order_is_newest_first(db, lists):
    with db.tenant(lists) as conn:
        received = [f["received_at"] for f in files.list_files(conn, FilesQuery())["items"]]
        at_ = [e["at"] for e in audit.list_audit(conn, AuditQuery())["items"]]
    assert received == sorted(received, reverse=True)
    assert at_ == sorted(at_, reverse=True)


@pytest.mark.parametrize("name", list(LISTS))
def test_a_cursor_of_one_order_is_refused_for_another(db, lists, name):
    call, query_type, keys = LISTS[name]
    column = list(keys)[1]
    with db.tenant(lists) as conn:
        first = call(conn, query_type(limit=5, sort=column, order="asc"))
        with pytest.raises(InvalidCursor):
            call(conn, query_type(limit=5, sort=column, order="desc",
                                  cursor=first["next_cursor"]))
        with pytest.raises(InvalidCursor):
            call(conn, query_type(limit=5, cursor=first["next_cursor"]))


@pytest.mark.parametrize("query_type", [FilesQuery, ReportsQuery, AlertsQuery, AuditQuery])
def test_an_unknown_sort_or_order_is_refused_naming_the_parameter(query_type):
    with pytest.raises(ValueError, match="sort"):
        query_type(sort="id; DROP TABLE audit_log")
    with pytest.raises(ValueError, match="order"):
        query_type(order="sideways")


# every list: (service, first page's query, a filter leaving fewer rows and their number)
TOTALS = [
    (files.list_files, FilesQuery(limit=5), {"status": ["parsed"]}, 8),
    (reports.list_reports, ReportsQuery(limit=5), {"regime": ["emir"]}, 11),
    (alerts.list_alerts, AlertsQuery(limit=5), {"severity": ["critical"]}, 7),
    (audit.list_audit, AuditQuery(limit=5), {"actor": "alice"}, 11),
    (activations.list_activations, ActivationsQuery(limit=5), {"status": ["timeout"]}, 0),
    (errors.error_items, ErrorItemsQuery(limit=5, kind="queue", key="process"), {}, N),
]


@pytest.mark.parametrize(("call", "query", "narrower", "narrowed"), TOTALS)
def test_every_list_says_its_total_on_every_page(db, lists, call, query, narrower, narrowed):
    with db.tenant(lists) as conn:
        first = call(conn, query)
        second = call(conn, query.model_copy(update={"cursor": first["next_cursor"]}))
        few = call(conn, query.model_copy(update={**narrower, "limit": 500}))
    assert (first["total"], first["total_capped"], len(first["items"])) == (N, False, 5)
    assert (second["total"], second["total_capped"]) == (N, False)
    # a first page that is the whole selection is its own total
    assert (few["total"], few["total_capped"], len(few["items"])) == (narrowed, False, narrowed)


@pytest.mark.parametrize(("call", "query", "narrower", "narrowed"), TOTALS)
def test_past_the_cap_the_total_says_at_least(db, lists, monkeypatch, call, query, narrower,
                                              narrowed):
    monkeypatch.setattr(listing, "TOTAL_CAP", 10)
    with db.tenant(lists) as conn:
        capped = call(conn, query)
        later = call(conn, query.model_copy(update={"cursor": capped["next_cursor"]}))
    assert (capped["total"], capped["total_capped"]) == (10, True)
    assert (later["total"], later["total_capped"]) == (10, True)
