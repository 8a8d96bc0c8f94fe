"""The query routes through the real api action on real PostgreSQL: files and trades made by
the real pipeline (ingest, process, validate over the S3 API), report files, alerts,
activations, audit rows and dead letters inserted in each tenant's own RLS scope.

Every route answers for its tenant; tenant B sees none of A's data through any route, id or
filter; injection strings and malformed parameters are 4xx or empty, never 5xx; keyset paging
walks everything once; ETag/304 on lists and details."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest

from shared.platform import clock, tokens
from shared.services.identity import apikeys
from shared.services.monitoring.alerts import raise_alert
from shared.services.monitoring.runner import compact_rollup
from swaprep.local.demo import demo_lei
from tests.functional.api.test_auth import CHEAP_PARAMS, SECRET, add_user
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import csv_file, csv_row
from tests.functional.services.queries import seed
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant


@pytest.fixture
def beta(db):
    with db.system() as conn:
        return conn.execute("INSERT INTO tenants (slug, name) VALUES ('beta-securities', 'Beta')"
                            " RETURNING id").fetchone()["id"]


@pytest.fixture
def people(db, tenant, beta) -> dict[str, str]:
    """Bearer tokens: alpha's viewer victor, operator otto, admin alice; beta's viewer bob."""
    def token(name: str, tenant_id, slug: str, role: str) -> str:
        return tokens.mint(SECRET, subject=add_user(db, tenant_id, name, role),
                           tenant_id=str(tenant_id), tenant_slug=slug, role=role)

    return {"victor": token("victor", tenant, "alpha-bank", "viewer"),
            "otto": token("otto", tenant, "alpha-bank", "operator"),
            "alice": token("alice", tenant, "alpha-bank", "admin"),
            "bob": token("bob", beta, "beta-securities", "viewer")}


@pytest.fixture
def api(database_url):
    """GET through the api action as the gateway passes it: (status, JSON body, headers)."""
    main = load_main("api")

    def call(path: str, query: str | dict = "", *, token: str | None = None,
             headers: dict | None = None, **params) -> tuple[int, object, dict]:
        sent = {"x-request-id": uuid.uuid4().hex, **(headers or {})}
        if token:
            sent["authorization"] = f"Bearer {token}"
        result = main({"database_url": database_url, "jwt_signing_secret": SECRET,
                       "__ow_method": "get", "__ow_path": path,
                       "__ow_query": query if isinstance(query, str) else urlencode(query,
                                                                                     doseq=True),
                       "__ow_headers": sent, "__ow_body": "", **CHEAP_PARAMS, **params})
        text = result["body"]
        if result.get("isBase64Encoded"):
            text = base64.b64decode(text).decode()
        return result["statusCode"], json.loads(text) if text else None, result["headers"]

    return call


def _activation(conn, tenant_id, action: str, started: datetime) -> str:
    activation_id = uuid.uuid4().hex
    conn.execute("INSERT INTO activations (id, action, tenant_id, trigger, started_at, status)"
                 " VALUES (%s, %s, %s, 'test', %s, 'success')",
                 (activation_id, action, tenant_id, started))
    return activation_id


def _dead_letter(conn, tenant_id, queue: str) -> int:
    return conn.execute(
        "INSERT INTO dead_letters (queue, message_id, tenant_id, body, receive_count, last_error,"
        " sent_at) VALUES (%s, 1, %s, '{}', 5, 'boom', now()) RETURNING id",
        (queue, tenant_id)).fetchone()["id"]


@pytest.fixture
def world(pipeline, db, tenant, beta, people) -> dict:
    """Alpha: a file of 6 rows through the pipeline (4 valid, 2 invalid: currency KRX), a
    report file of two of its events (one ACK, one NACK E042), an alert, activations, audit
    rows and a dead letter. Beta: the same kinds of rows of its own, and a tenant-less
    activation. Returns alpha's ids, and beta's for the other direction."""
    pipeline.upload("alpha-bank/a.csv", csv_file(
        *(csv_row(n) for n in (1, 2, 3, 4)),
        *(csv_row(n, currency="KRX") for n in (5, 6))))
    pipeline.run()
    with db.tenant(tenant) as conn:
        events = conn.execute("SELECT id, uti, state FROM trade_events ORDER BY row_no"
                              ).fetchall()
        file_id = str(conn.execute("SELECT id FROM ingest_files").fetchone()["id"])
    valid = [e for e in events if e["state"] == "valid"]
    report_id = seed.report_file(db, tenant, [valid[0]["id"], valid[1]["id"]],
                                 statuses=["acked", "nacked"], codes=[None, "E042"],
                                 tr_message_id="MSG-ALPHA-1")
    seed.audit(db, tenant, action="event.repaired", entity_type="trade",
               entity_id=valid[0]["uti"], actor="otto")
    started = clock.now() - timedelta(minutes=5)
    with db.tenant(tenant) as conn:
        raise_alert(conn, tenant_id=tenant, kind="tr.nack", severity="warning",
                    dedup_key="alpha", summary="Alpha NACKs", details={})
        alpha_activation = _activation(conn, tenant, "validate", started)
        _dead_letter(conn, tenant, "validate")

    beta_event = seed.event(db, beta, "BETAUTI0001", state="invalid", trade_id="BT-1")
    seed.trade(db, beta, "BETAUTI0001", state="invalid", trade_id="BT-1", cp2=seed.lei(7),
               cp2_name="Beta Counterparty")
    seed.issue(db, beta, beta_event, "BETA_ONLY_RULE")
    beta_report = seed.report_file(db, beta, [beta_event], statuses=["nacked"],
                                   codes=["B999"], tr_message_id="MSG-BETA-1")
    seed.audit(db, beta, action="event.cancelled", entity_type="trade",
               entity_id="BETAUTI0001", actor="bob")
    with db.tenant(beta) as conn:
        raise_alert(conn, tenant_id=beta, kind="tr.silence", severity="critical",
                    dedup_key="beta", summary="Beta silence", details={})
        beta_activation = _activation(conn, beta, "submit", started)
        _dead_letter(conn, beta, "submit")
        beta_file = str(conn.execute(
            "INSERT INTO ingest_files (tenant_id, bucket, object_key, sha256, size_bytes,"
            " source, status) VALUES (%s, 'swaprep-inbound', 'beta-securities/b.csv', %s, 10,"
            " 'beta-fep', 'rejected') RETURNING id", (beta, "b" * 64)).fetchone()["id"])
    with db.system() as conn:
        platform_activation = _activation(conn, None, "monitor", started)
    return {"events": events, "utis": [e["uti"] for e in events], "file_id": file_id,
            "report_id": str(report_id), "valid": valid, "activation": alpha_activation,
            "beta": {"uti": "BETAUTI0001", "file_id": beta_file, "report_id": str(beta_report),
                     "activation": beta_activation, "event_id": str(beta_event)},
            "platform_activation": platform_activation}


STATS = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
# Volumes count events by the day received (the database's clock): days around today.
RECEIVED = {"date_from": (date.today() - timedelta(days=2)).isoformat(),
            "date_to": (date.today() + timedelta(days=2)).isoformat()}
LISTS = [("/api/files", ""), ("/api/trades", ""), ("/api/errors", ""), ("/api/reports", ""),
         ("/api/alerts", ""), ("/api/activations", ""), ("/api/audit", ""),
         ("/api/stats/volumes", urlencode(STATS)), ("/api/stats/acceptance", urlencode(STATS)),
         ("/api/stats/rejections", urlencode(STATS)), ("/api/stats/late", urlencode(STATS)),
         ("/api/stats/counterparties", urlencode(STATS)), ("/api/stats", "")]


def details(world: dict) -> list[str]:
    return [f"/api/files/{world['file_id']}", f"/api/trades/{world['utis'][0]}",
            f"/api/reports/{world['report_id']}", "/api/errors/rule/" + quote("SR-EC-023"),
            "/api/errors/tr_code/E042", "/api/errors/queue/validate"]


# -- who may read -------------------------------------------------------------------------------

def test_every_role_reads_every_route_and_api_keys_and_strangers_do_not(api, db, world,
                                                                          people, tenant):
    with db.tenant(tenant) as conn:
        key = apikeys.create_key(conn, tenant, "alpha-fep")
    key_context = apikeys.verify(db, key).as_context()
    for path, query in LISTS + [(p, "") for p in details(world)]:
        for who in ("victor", "otto", "alice"):
            status, body, _ = api(path, query, token=people[who])
            assert status == 200, (path, who, body)
        status, body, headers = api(path, query)
        assert status == 401 and headers["Content-Type"] == "application/problem+json", path
        status, body, _ = api(path, query, __authorizer=key_context)
        assert status == 403 and "API key" in body["detail"], path


def _spec_schema(path: str) -> dict:
    """The 200 answer's schema of the operation `path` is routed to, with the components."""
    from shared.api.openapi import SPEC_PATH

    doc = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    for template, item in doc["paths"].items():
        pattern = "^" + re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(template)) + "$"
        if "get" in item and re.match(pattern, path):
            content = item["get"]["responses"]["200"]["content"]
            schema = next(iter(content.values()))["schema"]
            return {"$schema": "https://json-schema.org/draft/2020-12/schema",
                    "components": doc["components"], **schema}
    raise AssertionError(f"no operation for {path}")


def test_every_answer_with_data_matches_its_schema_in_the_spec(api, world, people):
    """Each list and detail, with rows of every kind in it, is what openapi.json says (the
    console's types are generated from it): schemathesis seldom reaches a detail that exists."""
    from jsonschema import Draft202012Validator, FormatChecker

    for path, query in LISTS + [(p, "") for p in details(world)]:
        status, body, _ = api(path, query, token=people["alice"])
        assert status == 200, (path, body)
        items = body.get("items") if isinstance(body, dict) else None
        assert items is None or items, f"{path}: no rows, nothing checked"
        validator = Draft202012Validator(_spec_schema(path), format_checker=FormatChecker())
        problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                    for e in validator.iter_errors(body)]
        assert not problems, f"{path}: " + "; ".join(problems[:10])


# -- what each route answers --------------------------------------------------------------------

def test_files_list_and_detail_count_rows_and_events_by_state(api, world, people):
    status, page, _ = api("/api/files", token=people["victor"])
    assert status == 200 and page["next_cursor"] is None
    [listed] = page["items"]
    assert (listed["id"], listed["object_key"], listed["status"]) == (
        world["file_id"], "alpha-bank/a.csv", "parsed")
    assert sum(listed["rows_by_state"].values()) == 6
    assert listed["events_by_state"] == {"valid": 4, "invalid": 2}
    status, detail, _ = api(f"/api/files/{world['file_id']}", token=people["victor"])
    assert status == 200 and detail == listed
    status, page, _ = api("/api/files", "status=rejected", token=people["victor"])
    assert page["items"] == []


def test_trades_filters_and_detail(api, world, people):
    victor = people["victor"]
    status, page, _ = api("/api/trades", token=victor)
    assert status == 200 and sorted(t["uti"] for t in page["items"]) == sorted(world["utis"])
    invalid = sorted(e["uti"] for e in world["events"] if e["state"] == "invalid")
    for query in ("state=invalid", "state=invalid&state=cancelled", "state=invalid,cancelled",
                  {"state": "invalid", "asset_class": "INTR", "q": invalid[0][:10]}):
        status, page, _ = api("/api/trades", query, token=victor)
        assert status == 200, page
        assert sorted(t["uti"] for t in page["items"]) == invalid, query
    status, page, _ = api("/api/trades", {"uti": world["utis"][2]}, token=victor)
    assert [t["uti"] for t in page["items"]] == [world["utis"][2]]
    status, page, _ = api("/api/trades", {"counterparty": "한국데모"}, token=victor)
    assert len(page["items"]) == 6  # the other side's name, a prefix
    status, page, _ = api("/api/trades", {"executed_from": "2026-11-21T00:00:00Z"}, token=victor)
    assert page["items"] == []

    uti = world["valid"][0]["uti"]
    status, detail, _ = api(f"/api/trades/{uti}", token=victor)
    assert status == 200
    assert detail["trade"]["uti"] == uti and len(detail["events"]) == 1
    [item] = detail["events"][0]["report_items"]
    assert (item["status"], item["tr_message_id"]) == ("acked", "MSG-ALPHA-1")
    assert [s["tr_message_id"] for s in detail["submissions"]] == ["MSG-ALPHA-1"]
    assert [a["action"] for a in detail["audit"]] == ["event.repaired"]
    status, detail, _ = api(f"/api/trades/{invalid[0]}", token=victor)
    assert {i["rule_id"] for i in detail["events"][0]["issues"]} >= {"SR-EC-023"}


def test_a_uti_in_the_path_is_url_decoded(api, db, tenant, people):
    odd = "UTI/WITH SPACE+%"
    seed.trade(db, tenant, odd)
    status, detail, _ = api("/api/trades/" + quote(odd, safe=""), token=people["victor"])
    assert status == 200 and detail["trade"]["uti"] == odd
    status, problem, _ = api("/api/trades/" + quote("UTI/OTHER", safe=""), token=people["victor"])
    assert status == 404 and "UTI/OTHER" in problem["detail"]


def test_errors_groups_and_the_rows_behind_one(api, db, tenant, world, people):
    victor = people["victor"]
    status, page, _ = api("/api/errors", token=victor)
    assert status == 200 and page["next_cursor"] is None
    groups = {(g["kind"], g["key"]): g for g in page["items"]}
    with db.tenant(tenant) as conn:
        raised = conn.execute("SELECT count(*) AS n FROM validation_issues"
                              " WHERE rule_id = 'SR-EC-023'").fetchone()["n"]
    assert raised >= 2 and groups[("rule", "SR-EC-023")]["count"] == raised
    assert groups[("tr_code", "E042")]["count"] == 1
    assert groups[("queue", "validate")]["count"] == 1
    assert {k for k, _ in groups} == {"rule", "tr_code", "queue"}
    status, page, _ = api("/api/errors", "kind=tr_code,queue", token=victor)
    assert {g["kind"] for g in page["items"]} == {"tr_code", "queue"}
    status, page, _ = api("/api/errors", "kind=rule&status=resolved", token=victor)
    assert page["items"] == []

    status, page, _ = api("/api/errors/rule/SR-EC-023", "limit=1", token=victor)
    assert status == 200 and len(page["items"]) == 1 and page["next_cursor"]
    status, rest, _ = api("/api/errors/rule/SR-EC-023",
                          {"limit": 1, "cursor": page["next_cursor"]}, token=victor)
    assert status == 200 and rest["items"][0]["id"] < page["items"][0]["id"]
    status, page, _ = api("/api/errors/tr_code/E042", token=victor)
    assert [i["uti"] for i in page["items"]] == [world["valid"][1]["uti"]]
    status, problem, _ = api("/api/errors/bogus/x", token=victor)
    assert status == 404 and "bogus" in problem["detail"]
    status, problem, _ = api("/api/errors/queue/validate", "status=open", token=victor)
    assert status == 422 and "only for kind=rule" in problem["detail"]


def test_errors_put_what_needs_action_first_and_show_parse_errors_per_file(
        api, db, pipeline, tenant, world, people):
    """The work queue: rejections with open items first, by nearest deadline; warnings after
    them even when overdue; groups with nothing open last. Rows that did not parse are a
    group per file, their rows in file order with the error and the row's start."""
    victor = people["victor"]
    soon, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    events = {name: seed.event(db, tenant, f"UTI-{name}", state="invalid", deadline=deadline)
              for name, deadline in (("soon", soon), ("late", late), ("warn", soon),
                                     ("done", soon))}
    seed.issue(db, tenant, events["soon"], "SR-T-SOON")
    seed.issue(db, tenant, events["late"], "SR-T-LATE")
    seed.issue(db, tenant, events["warn"], "SR-T-WARN", severity="warn",
               created=datetime(2025, 1, 1, tzinfo=UTC))  # the oldest and overdue: a warning
    seed.issue(db, tenant, events["done"], "SR-T-DONE", status="resolved")
    nacked = world["valid"][1]["id"]  # NACKed E042 by the world's report file
    with db.tenant(tenant) as conn:
        conn.execute("UPDATE trade_events SET state = 'nacked' WHERE id = %s", (nacked,))
    pipeline.upload("alpha-bank/bad.csv", csv_file(
        csv_row(11), csv_row(12).replace("2026-11-24", "2026-13-45", 1),
        csv_row(13).replace("2026-11-24", "2026-14-45", 1)))
    pipeline.run()

    status, page, _ = api("/api/errors", token=victor)
    assert status == 200
    order = [(g["kind"], g["key"]) for g in page["items"]]
    assert order[:2] == [("rule", "SR-T-SOON"), ("rule", "SR-T-LATE")]
    assert order[-1] == ("rule", "SR-T-DONE") and page["items"][-1]["open"] == 0
    warn = order.index(("rule", "SR-T-WARN"))
    assert all(g["severity"] == "reject" and g["open"] > 0 for g in page["items"][:warn])
    groups = {(g["kind"], g["key"]): g for g in page["items"]}
    assert ("tr_code", "E042") in order[:warn]
    assert groups[("rule", "SR-T-WARN")]["oldest_at"].startswith("2025-01-01")
    assert groups[("rule", "SR-T-SOON")]["deadline_at"].startswith("2026-01-01")
    [parse] = [g for g in page["items"] if g["kind"] == "parse"]
    assert (parse["object_key"], parse["count"], parse["open"], parse["severity"]) == (
        "alpha-bank/bad.csv", 2, 2, "reject")
    assert parse["sample_error"].startswith("PARSE-CSV-006")

    status, rows, _ = api(f"/api/errors/parse/{parse['key']}", "limit=1", token=victor)
    assert status == 200 and rows["next_cursor"]
    status, rest, _ = api(f"/api/errors/parse/{parse['key']}",
                          {"limit": 1, "cursor": rows["next_cursor"]}, token=victor)
    [first], [second] = rows["items"], rest["items"]
    assert (first["row_no"], second["row_no"]) == (2, 3)  # file order
    assert first["error"].startswith("PARSE-CSV-006") and "2026-13-45" in first["content"]
    assert first["object_key"] == "alpha-bank/bad.csv" and first["file_id"] == parse["key"]
    status, problem, _ = api("/api/errors/parse/not-a-file", token=victor)
    assert status == 422 and "ingest file id" in problem["detail"]
    status, page, _ = api(f"/api/errors/parse/{parse['key']}", token=people["bob"])
    assert status == 200 and page["items"] == []  # another tenant's file: nothing

    # an event's own groups (Trade detail opens the repair on them), what needs action first
    status, page, _ = api("/api/errors", {"event": str(events["soon"])}, token=victor)
    assert [(g["kind"], g["key"], g["open"]) for g in page["items"]] == [
        ("rule", "SR-T-SOON", 1)]
    status, page, _ = api("/api/errors", {"event": str(nacked)}, token=victor)
    assert [(g["kind"], g["key"]) for g in page["items"]] == [("tr_code", "E042")]
    status, problem, _ = api("/api/errors", "event=nope", token=victor)
    assert status == 422
    status, items, _ = api("/api/errors/tr_code/E042", token=victor)
    assert [i["event_state"] for i in items["items"]] == ["nacked"]
    status, items, _ = api("/api/errors/rule/SR-T-DONE", token=victor)
    assert [(i["status"], i["event_state"]) for i in items["items"]] == [
        ("resolved", "invalid")]


def test_reports_list_and_detail_with_submissions(api, world, people):
    status, page, _ = api("/api/reports", token=people["victor"])
    [report] = page["items"]
    assert report["id"] == world["report_id"]
    assert report["items_by_status"] == {"pending": 0, "acked": 1, "nacked": 1}
    assert [s["tr_message_id"] for s in report["submissions"]] == ["MSG-ALPHA-1"]
    status, detail, _ = api(f"/api/reports/{world['report_id']}", token=people["victor"])
    assert status == 200 and detail == report
    status, page, _ = api("/api/reports", "tr_message_id=MSG-ALPHA&regime=krx",
                          token=people["victor"])
    assert [r["id"] for r in page["items"]] == [world["report_id"]]


@pytest.mark.date_sensitive
def test_stats_endpoints_agree_with_the_events(api, db, world, people, tenant):
    # Volumes and acceptance count events by the day they were received (the database's
    # clock, today), as the dashboard's tiles do; rejections the issues raised in the period
    # (recorded today too); whatever day the trades are dated. A day either side for midnight.
    with db.system() as conn:
        today = conn.execute("SELECT (now() AT TIME ZONE 'Asia/Seoul')::date AS d"
                             ).fetchone()["d"]
    raised = {"date_from": (today - timedelta(days=1)).isoformat(),
              "date_to": (today + timedelta(days=1)).isoformat()}
    with db.tenant(tenant) as conn:
        states = {r["state"]: r["n"] for r in conn.execute(
            "SELECT state, count(*) AS n FROM trade_events GROUP BY 1")}
    status, volumes, _ = api("/api/stats/volumes", {**raised, "unit": "week"},
                             token=people["victor"])
    assert status == 200, volumes
    assert volumes["totals"]["by_state"] == states
    assert volumes["totals"]["total"] == sum(states.values())
    status, acceptance, _ = api("/api/stats/acceptance", raised, token=people["victor"])
    assert acceptance["totals"] == {"acked": 0, "nacked": 0, "acceptance_rate": None}
    assert [b["start"] for b in acceptance["buckets"]] == [f"{today.isoformat()}T00:00:00+09:00"]
    status, volumes, _ = api("/api/stats/volumes", STATS, token=people["victor"])
    assert status == 200 and volumes["buckets"] == []  # dated November, received today
    status, rejections, _ = api("/api/stats/rejections", {**raised, "top": 5},
                                token=people["victor"])
    assert status == 200 and "SR-EC-023" in {r["code"] for r in rejections["rules"]}
    # TR codes count the NACKs of report files made in the period (seeded in November).
    status, rejections, _ = api("/api/stats/rejections", {**STATS, "top": 5},
                                token=people["victor"])
    assert rejections["tr_codes"] == [{"code": "E042", "count": 1}]
    status, late, _ = api("/api/stats/late", STATS, token=people["victor"])
    assert status == 200 and set(late) == {"acked_late", "open_overdue", "open_overdue_by_state"}
    status, parties, _ = api("/api/stats/counterparties", STATS, token=people["victor"])
    assert [p["trades"] for p in parties["items"]] == [6] and parties["next_cursor"] is None
    status, problem, _ = api("/api/stats/volumes", {**STATS, "top": 3}, token=people["victor"])
    assert status == 400 and "'top'" in problem["detail"]


@pytest.mark.date_sensitive
def test_dashboard_counts_what_came_in_today(api, db, tenant, beta, people):
    """Today's tiles count the events received today (an FEP's T+1 file: yesterday's trades,
    uploaded this morning) by their state now; late and at-risk are trades open now, whatever
    day their deadline fell on (an acknowledged event is no longer late)."""
    now = clock.now()
    earlier = now - timedelta(days=3)
    states = ["received", "invalid", "valid", "valid", "submitted", "acked", "acked", "nacked",
              "superseded", "cancelled"]
    for n, state in enumerate(states):  # traded yesterday, received just now
        seed.event(db, tenant, f"TODAY{n:03d}", state=state, ts=now - timedelta(days=1))
    seed.event(db, tenant, "LATE-OPEN", state="submitted", ts=earlier, created=earlier,
               deadline=now - timedelta(seconds=1))
    seed.event(db, tenant, "LATE-ACKED", state="acked", ts=earlier, created=earlier,
               deadline=now - timedelta(seconds=2), updated=now)
    seed.event(db, tenant, "RISK", state="valid", ts=earlier, created=earlier,
               deadline=now + timedelta(minutes=30))
    seed.event(db, tenant, "SAFE-LATER", state="valid", ts=earlier, created=earlier,
               deadline=now + timedelta(hours=5))
    seed.event(db, tenant, "SAFE-ACKED", state="acked", ts=earlier, created=earlier,
               deadline=now + timedelta(minutes=30))
    # Dated today but received days ago (not today's intake), and another tenant's event.
    seed.event(db, tenant, "OLD-INTAKE", state="acked", ts=now, created=earlier)
    seed.event(db, beta, "BETA-TODAY", state="acked", ts=now - timedelta(seconds=30),
               deadline=now + timedelta(minutes=10))

    def today() -> dict:
        status, body, _ = api("/api/stats", token=people["victor"])
        assert status == 200, body
        return body

    first = today()
    count = {s: states.count(s) for s in set(states)}
    assert first["received"] == len(states) - count["superseded"]
    assert first["valid"] == count["valid"] + count["submitted"] + count["acked"] + count[
        "nacked"]
    assert (first["invalid"], first["acked"], first["nacked"]) == (
        count["invalid"], count["acked"], count["nacked"])
    assert first["submitted"] == count["submitted"] + count["acked"] + count["nacked"]
    assert (first["late"], first["at_risk"], first["at_risk_window_s"]) == (1, 1, 7200)
    assert first["parse_errors"] == 0
    assert compact_rollup(db)["folded"] > 0  # the monitor's tick folds the deltas...
    assert today() == first  # ...and the answer does not change
    status, body, _ = api("/api/stats", "tz=America/New_York", token=people["victor"])
    assert status == 200 and body["tz"] == "America/New_York"


def test_ops_views_show_the_tenants_rows_only(api, world, people):
    for who in ("victor", "alice"):
        _, page, _ = api("/api/activations", token=people[who])
        assert [a["id"] for a in page["items"]] == [world["activation"]], who
    _, page, _ = api("/api/alerts", "status=open&severity=warning", token=people["victor"])
    assert [a["summary"] for a in page["items"]] == ["Alpha NACKs"]
    _, page, _ = api("/api/audit", "action=event.&actor=otto", token=people["victor"])
    assert [a["action"] for a in page["items"]] == ["event.repaired"]


# -- tenant isolation ---------------------------------------------------------------------------

def _markers(world: dict) -> list[str]:
    return [*world["utis"], world["file_id"], world["report_id"], world["activation"],
            "MSG-ALPHA-1", "Alpha NACKs", "E042", "SR-EC-023", "alpha-bank/a.csv",
            demo_lei(100)]  # alpha's counterparty


FILTERED = [
    ("/api/files", {"name": "alpha-bank/", "status": "parsed"}),
    ("/api/trades", {"state": "valid,invalid", "asset_class": "INTR", "regime": "krx"}),
    ("/api/trades", {"counterparty": "한국데모"}),
    ("/api/trades", {"q": pipeline_support.TENANT_LEI}),
    ("/api/trades", {"uti": pipeline_support.TENANT_LEI, "action_type": "NEWT"}),
    ("/api/trades", {"trade_id": "T1", "executed_from": "2026-11-01T00:00:00Z"}),
    ("/api/errors", {"kind": "rule,tr_code,queue", "status": "open"}),
    ("/api/errors/rule/SR-EC-023", {}), ("/api/errors/tr_code/E042", {}),
    ("/api/errors/queue/validate", {}),
    ("/api/reports", {"tr_message_id": "MSG-ALPHA", "status": "acked"}),
    ("/api/alerts", {"kind": "tr.nack"}), ("/api/activations", {"action": "validate"}),
    ("/api/audit", {"actor": "otto", "entity_type": "trade"}),
    ("/api/stats/volumes", STATS), ("/api/stats/rejections", STATS),
    ("/api/stats/counterparties", STATS), ("/api/stats/late", STATS),
]


def test_beta_sees_none_of_alphas_data_through_any_filter(api, world, people):
    for path, query in FILTERED:  # one world for all (a parametrized test would rebuild it)
        status, mine, _ = api(path, query, token=people["victor"])
        assert status == 200, (path, mine)
        theirs_status, theirs, _ = api(path, query, token=people["bob"])
        assert theirs_status == 200, (path, theirs)
        alpha_text = json.dumps(mine, ensure_ascii=False)
        beta_text = json.dumps(theirs, ensure_ascii=False)
        assert [m for m in _markers(world) if m in beta_text] == [], (path, query)
        if not path.startswith(("/api/stats/late", "/api/stats/volumes", "/api/errors/queue")):
            assert any(m in alpha_text for m in _markers(world)), (path, "matches alpha's data")


def test_betas_stats_count_betas_events_only(api, world, people):
    _, mine, _ = api("/api/stats/volumes", RECEIVED, token=people["victor"])
    _, theirs, _ = api("/api/stats/volumes", RECEIVED, token=people["bob"])
    assert (mine["totals"]["total"], theirs["totals"]["total"]) == (6, 1)
    assert theirs["totals"]["by_state"] == {"invalid": 1}


def test_beta_gets_404_for_alphas_ids_and_alpha_for_betas(api, world, people):
    for path in details(world)[:3]:
        assert api(path, token=people["victor"])[0] == 200
        status, problem, _ = api(path, token=people["bob"])
        assert status == 404 and "in this tenant" in problem["detail"], path
    other = world["beta"]
    for path in (f"/api/files/{other['file_id']}", f"/api/trades/{other['uti']}",
                 f"/api/reports/{other['report_id']}"):
        assert api(path, token=people["bob"])[0] == 200
        assert api(path, token=people["victor"])[0] == 404
    status, page, _ = api("/api/errors/rule/BETA_ONLY_RULE", token=people["victor"])
    assert status == 200 and page["items"] == []
    status, page, _ = api("/api/activations", token=people["bob"])
    assert [a["id"] for a in page["items"]] == [other["activation"]]  # not the platform's

    # a cursor of alpha replayed by beta walks beta's rows only (RLS decides, not the cursor)
    status, page, _ = api("/api/trades", "limit=1", token=people["victor"])
    status, theirs, _ = api("/api/trades", {"limit": 1, "cursor": page["next_cursor"]},
                            token=people["bob"])
    assert status == 200
    assert all(t["uti"] not in world["utis"] for t in theirs["items"])


# -- hostile and malformed input ----------------------------------------------------------------

INJECTIONS = ["' OR '1'='1", "'; DROP TABLE trades; --", "%' OR 1=1 --", "\\' OR 1=1",
              "1) OR (1=1", "x' UNION SELECT uti FROM trades --", "%", "_", "*",
              "'||(SELECT pg_sleep(5))||'"]
TEXT_FILTERS = [("/api/files", "source"), ("/api/files", "name"),
                ("/api/trades", "counterparty"), ("/api/trades", "uti"),
                ("/api/trades", "trade_id"), ("/api/trades", "q"),
                ("/api/reports", "tr_message_id"), ("/api/alerts", "kind"),
                ("/api/activations", "action"), ("/api/audit", "actor"),
                ("/api/audit", "action"), ("/api/audit", "entity_type"),
                ("/api/audit", "entity_id")]


def test_injection_strings_in_every_text_filter_match_nothing(api, db, world, people, tenant):
    victor = people["victor"]
    for path, name in TEXT_FILTERS:
        for text in INJECTIONS:
            status, body, _ = api(path, {name: text}, token=victor)
            assert status in (200, 422), (path, name, text, body)
            if status == 200:
                assert body["items"] == [], (path, name, text)
    for text in INJECTIONS:  # in enum filters and path parameters
        assert api("/api/trades", {"state": text}, token=victor)[0] == 422
        for path in ("/api/trades/", "/api/files/", "/api/reports/", "/api/errors/rule/"):
            status, body, _ = api(path + quote(text, safe=""), token=victor)
            assert status in (200, 404), (path, text, body)
            assert status == 404 or body["items"] == []
    with db.tenant(tenant) as conn:  # still there
        assert conn.execute("SELECT count(*) AS n FROM trades").fetchone()["n"] == 6


MALFORMED = [
    ("/api/trades", "limit=0", 422, "limit"),
    ("/api/trades", "limit=501", 422, "limit"),
    ("/api/trades", "limit=ten", 422, "limit"),
    ("/api/trades", "cursor=not-a-cursor", 400, "cursor"),
    ("/api/trades", "cursor=" + "A" * 1001, 422, "cursor"),
    ("/api/trades", "uti=" + "U" * 53, 422, "uti"),
    ("/api/trades", "uti=" + "U" * 5000, 414, None),
    ("/api/trades", "uti=a%00b", 422, "uti"),
    ("/api/trades", "uti=", 422, "uti"),
    ("/api/trades", "state=bogus", 422, "state"),
    ("/api/trades", "state=" + ",".join(["acked"] * 21), 422, "state"),
    ("/api/trades", "executed_from=yesterday", 422, "executed_from"),
    ("/api/trades", "executed_from=2026-11-02T00:00Z&executed_to=2026-11-01T00:00Z", 422,
     None),
    ("/api/trades", "uti=A&uti=B", 400, "uti"),
    ("/api/trades", "sort=uti;DROP", 422, "sort"),
    ("/api/trades", "sort=counterparty_2", 422, "sort"),
    ("/api/trades", "order=sideways", 422, "order"),
    ("/api/trades", "limit=10&" + "x" * 100 + "=1", 400, "x" * 64),
    ("/api/files", "status=parsed,exploded", 422, "status"),
    ("/api/files", "sort=size_bytes", 422, "sort"),
    ("/api/reports", "sort=regime&order=up", 422, "order"),
    ("/api/alerts", "sort=summary;DROP", 422, "sort"),
    ("/api/audit", "sort=entity_id", 422, "sort"),
    ("/api/files", "received_from=2026-13-45", 422, "received_from"),
    ("/api/reports", "created_from=99999-01-01", 422, "created_from"),
    ("/api/audit", "at_from=%ZZ", 422, "at_from"),
    ("/api/stats/volumes", "", 422, "date_from"),
    ("/api/stats/volumes", "date_from=2026-11-01&date_to=9999-12-31", 422, None),
    ("/api/stats/volumes", "date_from=2020-01-01&date_to=2026-01-01", 422, None),
    ("/api/stats/volumes", "date_from=2026-11-01&date_to=2026-11-30&unit=year", 422, "unit"),
    ("/api/stats/volumes", "date_from=2026-11-01&date_to=2026-11-30&tz=Mars/Base", 422, "tz"),
    ("/api/stats/rejections", "date_from=2026-11-01&date_to=2026-11-30&top=1000", 422, "top"),
    ("/api/stats", "tz=" + "Z" * 65, 422, "tz"),
    ("/api/files/abc", "limit=1", 400, "limit"),
]


def test_malformed_parameters_are_4xx_naming_the_parameter(api, people):
    for path, query, status, named in MALFORMED:
        got, problem, headers = api(path, query, token=people["victor"])
        assert got == status, (path, query, problem)
        assert headers["Content-Type"] == "application/problem+json"
        assert problem["status"] == status and problem["detail"]
        if named:
            assert named in [e["parameter"] for e in problem["errors"]], (query, problem)
        assert "U" * 100 not in json.dumps(problem)  # huge input is never echoed


# -- paging and caching -------------------------------------------------------------------------

def test_paging_walks_every_trade_once_in_order_and_caches_by_etag(api, world, people):
    status, whole, _ = api("/api/trades", "limit=500", token=people["victor"])
    walked, cursor = [], None
    while True:
        query = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        status, page, _ = api("/api/trades", query, token=people["victor"])
        assert status == 200 and len(page["items"]) <= 4
        walked += [t["uti"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert walked == [t["uti"] for t in whole["items"]] and len(walked) == 6
    assert (whole["total"], whole["total_capped"]) == (6, False)

    # another order walks the same set, by UTI, with the same total on every page
    walked, cursor = [], None
    while True:
        query = {"limit": 4, "sort": "uti", "order": "asc",
                 **({"cursor": cursor} if cursor else {})}
        status, page, _ = api("/api/trades", query, token=people["victor"])
        assert status == 200 and page["total"] == 6
        walked += [t["uti"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert walked == sorted(t["uti"] for t in whole["items"])

    status, page, _ = api("/api/trades", "limit=1&state=valid", token=people["victor"])
    status, problem, _ = api("/api/trades", {"limit": 1, "cursor": page["next_cursor"]},
                             token=people["victor"])
    assert status == 400 and "other filters" in problem["detail"]

    for path in ("/api/trades", f"/api/trades/{world['utis'][0]}"):  # a list and a detail
        status, body, headers = api(path, token=people["victor"])
        etag = headers["ETag"]
        assert status == 200 and etag.startswith('"')
        assert headers["Cache-Control"] == "private, no-cache"
        status, body, headers = api(path, token=people["victor"],
                                    headers={"if-none-match": etag})
        assert status == 304 and body is None and headers["ETag"] == etag
        status, _, _ = api(path, token=people["victor"], headers={"if-none-match": '"other"'})
        assert status == 200


def test_a_web_runs_answer_is_shown_as_its_status_code_only(api, db, tenant, world, people):
    """A web run's result is the HTTP answer one caller got (an API key's secret, shown once,
    among them): a viewer listing activations sees its status code, nothing of its body."""
    run_id = uuid.uuid4().hex
    answer = {"statusCode": 201, "body": json.dumps({"key": "srk_live_secret_shown_once"})}
    with db.tenant(tenant) as conn:
        conn.execute("INSERT INTO activations (id, action, tenant_id, trigger, started_at,"
                     " status, result) VALUES (%s, 'api', %s, 'api_gateway', now(), 'success',"
                     " %s::jsonb)", (run_id, tenant, json.dumps(answer)))
    _, page, _ = api("/api/activations", "action=api", token=people["victor"])
    [shown] = [a for a in page["items"] if a["id"] == run_id]
    assert shown["result"] == {"statusCode": 201}
    assert "srk_live" not in json.dumps(page)
