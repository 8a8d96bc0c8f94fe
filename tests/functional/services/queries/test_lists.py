"""Files, reports, errors, alerts, activations and audit: filters narrow, pages walk, text is
only ever a value, and tenant B sees none of tenant A's rows through any filter or id."""

from __future__ import annotations

import json

import pytest

from shared.services.reads import activations, alerts, audit, errors, files, reports
from shared.services.reads.filters import (
    ActivationsQuery,
    AlertsQuery,
    AuditQuery,
    ErrorItemsQuery,
    FilesQuery,
    IssuesQuery,
    ReportsQuery,
)
from shared.services.reads.paging import InvalidCursor
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import csv_file, csv_row
from tests.functional.services.queries import seed
from tests.functional.services.queries.seed import at

pytestmark = pytest.mark.functional

pipeline, store = pipeline_support.pipeline, pipeline_support.store
INJECTION = "' OR '1'='1' --"


def walk(call, query) -> list:
    items, cursor = [], None
    while True:
        result = call(query.model_copy(update={"cursor": cursor}))
        items += result["items"]
        cursor = result["next_cursor"]
        if cursor is None:
            return items


def test_files_show_row_and_event_counts_by_state(pipeline, db, two_tenants):
    a, b = two_tenants
    with db.system() as conn:
        conn.execute("UPDATE tenants SET lei = %s WHERE id = %s", (pipeline_support.TENANT_LEI, a))
    pipeline.upload("alpha-bank/one.csv", csv_file(
        csv_row(1), csv_row(2, currency="KRX"),
        csv_row(3).replace("2026-11-24", "2026-13-45", 1),  # parse error
        csv_row(1),  # the same event again: points at the first
    ))
    pipeline.upload("alpha-bank/two.csv", csv_file(csv_row(5)))
    pipeline.run()
    with db.tenant(a) as conn:
        page = files.list_files(conn, FilesQuery())
        one = next(f for f in page["items"] if f["object_key"].endswith("one.csv"))
        assert [f["object_key"] for f in page["items"]] == ["alpha-bank/two.csv",
                                                            "alpha-bank/one.csv"]
        assert one["status"] == "parsed"
        assert one["rows_by_state"] == {"event": 3, "parse_error": 1}
        # the re-sent row is the first one's event, not a second: counted apart (#14)
        assert one["events_by_state"] == {"valid": 1, "invalid": 1}
        assert (one["duplicates"], one["parse_errors"]) == (1, 1)
        assert files.file_detail(conn, one["id"]) == one
        assert [f["object_key"] for f in files.list_files(
            conn, FilesQuery(name="alpha-bank/tw"))["items"]] == ["alpha-bank/two.csv"]
        assert files.list_files(conn, FilesQuery(status="rejected"))["items"] == []
        assert files.list_files(conn, FilesQuery(name=INJECTION))["items"] == []
        assert len(walk(lambda q: files.list_files(conn, q), FilesQuery(limit=1))) == 2
    with db.tenant(b) as conn:
        assert files.list_files(conn, FilesQuery())["items"] == []
        assert files.file_detail(conn, one["id"]) is None
        assert files.file_detail(conn, "not-a-uuid") is None


@pytest.fixture
def ops(db, two_tenants):
    """Report files, issues, NACKs, dead letters, alerts, activations and audit rows of A."""
    a, b = two_tenants
    e = [seed.event(db, a, f"UTI{n}", ts=at(n)) for n in range(6)]
    rf1 = seed.report_file(db, a, e[:3], statuses=["acked", "nacked", "nacked"],
                           codes=[None, "TR-LC-001", "TR-LC-001"], status="partially_acked",
                           tr_message_id="TR-AAA-1", created=at(1))
    rf2 = seed.report_file(db, a, e[3:5], statuses=["nacked", "pending"],
                           codes=["TR-ID-003", None], status="submitted",
                           tr_message_id="TR-BBB-2", created=at(2), regime="emir")
    for n, (rule, status) in enumerate([("SR-A", "open"), ("SR-A", "resolved"),
                                        ("SR-A", "assigned"), ("SR-B", "open")]):
        seed.issue(db, a, e[n], rule, status=status, created=at(n))
    with db.tenant(a) as conn:
        for n, queue in enumerate(["process", "process", "submit"]):
            conn.execute("INSERT INTO dead_letters (queue, message_id, tenant_id, body,"
                         " receive_count, last_error, sent_at) VALUES (%s, %s, %s, %s, 5, %s,"
                         " now())", (queue, n, a, json.dumps({"n": n}), f"boom {n}"))
        for n, (status, severity) in enumerate([("open", "critical"), ("open", "warning"),
                                                ("acked", "warning"), ("resolved", "info")]):
            conn.execute("INSERT INTO alerts (tenant_id, kind, severity, dedup_key, summary,"
                         " status, last_seen_at) VALUES (%s, %s, %s, %s, 's', %s, %s)",
                         (a, f"kind{n % 2}", severity, f"k{n}", status, at(n)))
        for n, (action, status) in enumerate([("ingest", "success"), ("submit", "timeout"),
                                              ("submit", "success")]):
            conn.execute("INSERT INTO activations (id, action, tenant_id, started_at, status)"
                         " VALUES (%s, %s, %s, %s, %s)", (f"act{n}", action, a, at(n), status))
    for n, action in enumerate(["report_file.submitted", "report_file.acked", "alert.ack"]):
        seed.audit(db, a, action=action, entity_type=action.split(".")[0],
                   entity_id=str(rf1 if n < 2 else 7), actor="alice" if n else "bob",
                   at=at(n))
    with db.tenant(b) as conn:  # B's own rows, to be sure they do not leak the other way
        conn.execute("INSERT INTO alerts (tenant_id, kind, severity, dedup_key, summary)"
                     " VALUES (%s, 'kind0', 'critical', 'b', 'b')", (b,))
    return {"a": a, "b": b, "events": e, "rf1": rf1, "rf2": rf2}


def test_reports_with_item_counts_and_submissions(db, ops):
    with db.tenant(ops["a"]) as conn:
        page = reports.list_reports(conn, ReportsQuery())
        assert [r["tr_message_id"] for r in page["items"]] == ["TR-BBB-2", "TR-AAA-1"]
        first = page["items"][1]
        assert first["items_by_status"] == {"pending": 0, "acked": 1, "nacked": 2}
        assert [(s["attempt"], s["outcome"]) for s in first["submissions"]] == [(1, "accepted")]
        assert reports.report_detail(conn, str(ops["rf1"])) == first
        for params, expected in [({"status": "submitted"}, ["TR-BBB-2"]),
                                 ({"regime": "krx"}, ["TR-AAA-1"]),
                                 ({"tr_message_id": "TR-AA"}, ["TR-AAA-1"]),
                                 ({"created_from": at(1.5)}, ["TR-BBB-2"]),
                                 ({"created_to": at(1.5)}, ["TR-AAA-1"]),
                                 ({"tr_message_id": INJECTION}, [])]:
            result = reports.list_reports(conn, ReportsQuery(**params))
            assert [r["tr_message_id"] for r in result["items"]] == expected, params
        assert len(walk(lambda q: reports.list_reports(conn, q), ReportsQuery(limit=1))) == 2


def test_errors_grouped_with_counts_and_samples_and_their_items(db, ops):
    with db.tenant(ops["a"]) as conn:
        rules = errors.issue_groups(conn, IssuesQuery())["items"]
        assert [(g["rule_id"], g["count"], g["by_status"]) for g in rules] == [
            ("SR-A", 3, {"open": 1, "assigned": 1, "resolved": 1}),
            ("SR-B", 1, {"open": 1, "assigned": 0, "resolved": 0})]
        assert rules[0]["sample"]["uti"] == "UTI2"  # the newest issue of the rule
        open_only = errors.issue_groups(conn, IssuesQuery(status="open"))["items"]
        assert [(g["rule_id"], g["count"]) for g in open_only] == [("SR-A", 1), ("SR-B", 1)]
        nacks = errors.nack_groups(conn)["items"]
        assert [(g["tr_code"], g["count"], g["files"]) for g in nacks] == [
            ("TR-LC-001", 2, 1), ("TR-ID-003", 1, 1)]
        dead = errors.dead_letter_groups(conn)["items"]
        assert [(g["queue"], g["count"], g["sample_error"]) for g in dead] == [
            ("process", 2, "boom 1"), ("submit", 1, "boom 2")]
        items = walk(lambda q: errors.error_items(conn, q),
                     ErrorItemsQuery(kind="rule", key="SR-A", limit=2))
        assert [i["uti"] for i in items] == ["UTI2", "UTI1", "UTI0"]
        assert [i["uti"] for i in errors.error_items(conn, ErrorItemsQuery(
            kind="rule", key="SR-A", status="resolved"))["items"]] == ["UTI1"]
        assert [i["uti"] for i in errors.error_items(conn, ErrorItemsQuery(
            kind="tr_code", key="TR-LC-001"))["items"]] == ["UTI2", "UTI1"]
        assert [i["last_error"] for i in errors.error_items(conn, ErrorItemsQuery(
            kind="queue", key="process"))["items"]] == ["boom 1", "boom 0"]
        for kind in ("rule", "tr_code", "queue"):
            assert errors.error_items(conn, ErrorItemsQuery(kind=kind, key=INJECTION)) == {
                "items": [], "next_cursor": None, "total": 0, "total_capped": False}


def test_alerts_activations_and_audit(db, ops):
    with db.tenant(ops["a"]) as conn:
        def alert_ids(**p):
            return [x["dedup_key"] if "dedup_key" in x else x["id"]
                    for x in alerts.list_alerts(conn, AlertsQuery(**p))["items"]]
        assert len(alert_ids()) == 4
        assert [x["severity"] for x in alerts.list_alerts(
            conn, AlertsQuery(status="open"))["items"]] == ["warning", "critical"]
        assert len(alert_ids(severity="warning")) == 2 and len(alert_ids(kind="kind1")) == 2
        assert alert_ids(kind=INJECTION) == []
        assert alerts.alert_counts(conn) == {
            "open": {"info": 0, "warning": 1, "critical": 1},
            "acked": {"info": 0, "warning": 1, "critical": 0},
            "resolved": {"info": 1, "warning": 0, "critical": 0}}

        def act(**p):
            return [x["id"] for x in activations.list_activations(
                conn, ActivationsQuery(**p))["items"]]
        assert act() == ["act2", "act1", "act0"]
        assert act(action="submit") == ["act2", "act1"]
        assert act(status="timeout") == ["act1"]
        assert act(started_from=at(1), started_to=at(2)) == ["act1"]
        assert act(action=INJECTION) == []

        def acts(**p):
            return [x["action"] for x in audit.list_audit(conn, AuditQuery(**p))["items"]]
        assert acts() == ["alert.ack", "report_file.acked", "report_file.submitted"]
        assert acts(actor="bob") == ["report_file.submitted"]
        assert acts(action="report_file.") == ["report_file.acked", "report_file.submitted"]
        assert acts(entity_type="report_file", entity_id=str(ops["rf1"])) == [
            "report_file.acked", "report_file.submitted"]
        assert acts(at_from=at(1)) == ["alert.ack", "report_file.acked"]
        for field in ("actor", "action", "entity_type", "entity_id"):
            assert acts(**{field: INJECTION}) == []
        with pytest.raises(InvalidCursor):
            audit.list_audit(conn, AuditQuery(cursor="garbage"))


def test_tenant_b_sees_none_of_it(db, ops):
    with db.tenant(ops["b"]) as conn:
        assert reports.list_reports(conn, ReportsQuery())["items"] == []
        assert reports.report_detail(conn, str(ops["rf1"])) is None
        assert errors.issue_groups(conn, IssuesQuery())["items"] == []
        assert errors.nack_groups(conn)["items"] == []
        assert errors.dead_letter_groups(conn)["items"] == []
        for kind, key in (("rule", "SR-A"), ("tr_code", "TR-LC-001"), ("queue", "process")):
            assert errors.error_items(conn, ErrorItemsQuery(kind=kind, key=key))["items"] == []
        assert [x["summary"] for x in alerts.list_alerts(conn, AlertsQuery())["items"]] == ["b"]
        assert activations.list_activations(conn, ActivationsQuery())["items"] == []
        assert audit.list_audit(conn, AuditQuery())["items"] == []
        assert audit.list_audit(conn, AuditQuery(entity_id=str(ops["rf1"])))["items"] == []
    # a cursor of A's walk replayed by B walks B's rows only
    with db.tenant(ops["a"]) as conn:
        cursor = audit.list_audit(conn, AuditQuery(limit=1))["next_cursor"]
    with db.tenant(ops["b"]) as conn:
        assert audit.list_audit(conn, AuditQuery(limit=1, cursor=cursor))["items"] == []
