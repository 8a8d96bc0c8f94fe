"""One truth for every number (#14, item 3): on demo-like data (the demo's FEP export with its
parse errors, re-sent rows and invalid records, through the real ingest, process and validate
stages; TR verdicts and deadlines as the later stages leave them), every tile of the dashboard
(`GET /api/stats`) equals what the screen it links to shows, read through the API as the
console reads it: the volumes chart and acceptance panel for today, the trades list filtered
`due=late|at_risk`, the monitor's deadline alerts, the errors screen's NACK groups and the
files list. If any of these definitions drifts from the others, this fails."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from shared.services.monitoring.deadlines import check_deadlines
from shared.services.monitoring.settings import MonitorSettings
from swaprep.local.demo import generate_fep_csv
from tests.functional.api import test_queries_api as queries_api
from tests.functional.services import pipeline_support
from tests.functional.services.queries import seed

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant
api, beta, people = queries_api.api, queries_api.beta, queries_api.people
ROWS, ACKED, NACKED, AT_RISK = 400, 60, 8, 5
SEOUL = ZoneInfo("Asia/Seoul")


def _all_pages(api, path: str, token: str, **query) -> list[dict]:
    items, cursor = [], None
    while True:
        status, page, _ = api(path, urlencode({**query, "limit": 500,
                                               **({"cursor": cursor} if cursor else {})}),
                              token=token)
        assert status == 200, page
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


@pytest.fixture
def demo_day(pipeline, db, tenant, reporting_clock) -> dict:
    """The demo's FEP export through the pipeline, then TR verdicts and deadlines on it."""
    content, intended = generate_fep_csv(ROWS, broken_rows=True)
    pipeline.upload("alpha-bank/fep-demo-irs-fx.csv", content)
    pipeline.run()
    with db.tenant(tenant) as conn:
        valid = [r["id"] for r in conn.execute(
            "SELECT id FROM trade_events WHERE state = 'valid' ORDER BY uti, id")]
        # the database stamps created_at: the API's "today" must be the database's day
        db_now = conn.execute("SELECT now() AS t").fetchone()["t"]
    assert len(valid) > ACKED + NACKED + AT_RISK
    acked, nacked = valid[:ACKED], valid[ACKED:ACKED + NACKED]
    codes = ["TR-ID-003"] * (NACKED - 2) + ["TR-VA-001"] * 2
    seed.report_file(db, tenant, acked + nacked, statuses=["acked"] * ACKED + ["nacked"] * NACKED,
                     codes=[None] * ACKED + codes, created=db_now)
    with db.tenant(tenant) as conn:
        conn.execute("UPDATE trade_events SET state = 'acked' WHERE id = ANY(%s)", (acked,))
        conn.execute("UPDATE trade_events SET state = 'nacked' WHERE id = ANY(%s)", (nacked,))
        # Trades due within the hour (at risk); the others' T+1 deadlines have passed (late).
        risky = valid[-AT_RISK:]
        conn.execute("UPDATE trade_events SET deadline_at = now() + interval '30 minutes'"
                     " WHERE id = ANY(%s)", (risky,))
    reporting_clock.advance(db_now - reporting_clock.now())
    return intended


@pytest.mark.date_sensitive
def test_every_dashboard_number_equals_the_screen_it_links_to(api, db, tenant, people, demo_day):
    token = people["victor"]
    status, tiles, _ = api("/api/stats", token=token)
    assert status == 200, tiles
    day = tiles["day"]
    assert tiles["tz"] == "Asia/Seoul"

    # Received, ACK, NACK and the rate today: the volumes chart's and acceptance panel's bar
    # for today (the same received day), and the files received today.
    today = {"date_from": day, "date_to": day}
    status, volumes, _ = api("/api/stats/volumes", today, token=token)
    [bar] = volumes["buckets"]
    assert bar["start"].startswith(day)
    assert tiles["received"] == bar["total"] == volumes["totals"]["total"] > ROWS // 2
    assert (tiles["acked"], tiles["nacked"]) == (bar["acked"], bar["nacked"]) == (ACKED, NACKED)
    status, acceptance, _ = api("/api/stats/acceptance", today, token=token)
    assert acceptance["totals"] == {"acked": ACKED, "nacked": NACKED,
                                    "acceptance_rate": tiles["acceptance_rate"]}
    assert tiles["acceptance_rate"] == round(ACKED / (ACKED + NACKED), 6)
    files = _all_pages(api, "/api/files", token)
    # received today, as the dashboard's zone counts days (near midnight UTC's date differs)
    assert [datetime.fromisoformat(f["received_at"]).astimezone(SEOUL).date().isoformat()
            for f in files] == [day]
    [file] = files
    assert tiles["received"] == sum(file["events_by_state"].values())
    assert file["duplicates"] == demo_day["duplicate"] > 0  # re-sent rows: not more events
    assert sum(file["rows_by_state"].values()) == file["row_count"] == ROWS
    assert file["rows_by_state"]["event"] - file["duplicates"] == tiles["received"]

    # Parse errors today: the files list's, which link to the errors screen's parse group.
    assert tiles["parse_errors"] == file["parse_errors"] == demo_day["parse_error"] > 0
    status, detail, _ = api(f"/api/files/{file['id']}", token=token)
    assert detail["parse_errors"] == tiles["parse_errors"]
    assert detail["events_by_state"] == file["events_by_state"]

    # NACKs: the errors screen's TR-code groups.
    status, groups, _ = api("/api/errors", "kind=tr_code", token=token)
    assert {g["key"]: g["count"] for g in groups["items"]} == {"TR-ID-003": NACKED - 2,
                                                               "TR-VA-001": 2}
    assert sum(g["count"] for g in groups["items"]) == tiles["nacked"]

    # Late and at risk, open now: the trades list filtered the same way and the monitor's
    # deadline alerts (counted in trades, not events: a trade with two late events is one).
    late = _all_pages(api, "/api/trades", token, due="late")
    at_risk = _all_pages(api, "/api/trades", token, due="at_risk")
    assert tiles["late"] == len(late) > 0
    assert tiles["at_risk"] == len(at_risk) == AT_RISK
    check_deadlines(db, MonitorSettings(at_risk_window_s=tiles["at_risk_window_s"]))
    status, alerts, _ = api("/api/alerts", "status=open", token=token)
    by_kind = {a["kind"]: a for a in alerts["items"]}
    assert by_kind["deadline.late"]["details"]["count"] == tiles["late"]
    assert by_kind["deadline.at_risk"]["details"]["count"] == tiles["at_risk"]
    assert f"{tiles['late']} trade(s) past their reporting deadline" in \
        by_kind["deadline.late"]["summary"]
    late_events = by_kind["deadline.late"]["details"]["events"]
    assert late_events >= tiles["late"]


def test_a_trade_with_two_late_events_is_one_late_trade(api, db, tenant, people):
    now = seed.T0 + timedelta(days=30)
    for uti, action, state in (("TWICE", "NEWT", "nacked"), ("TWICE", "MODI", "received"),
                               ("ONCE", "NEWT", "invalid")):
        seed.event(db, tenant, uti, action=action, state=state,
                   deadline=now - timedelta(days=20))
    for uti in ("TWICE", "ONCE"):
        seed.trade(db, tenant, uti)
    status, tiles, _ = api("/api/stats", token=people["victor"])
    assert status == 200 and tiles["late"] == 2
    late = _all_pages(api, "/api/trades", people["victor"], due="late")
    assert sorted(t["uti"] for t in late) == ["ONCE", "TWICE"]
