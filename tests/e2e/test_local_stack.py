"""The whole local stack against the real actions in functions/: what `swaprep up` runs."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from click.testing import CliRunner

from swaprep.cli import main as cli
from swaprep.local.stack import LocalStack

pytestmark = pytest.mark.e2e


def test_local_stack_serves_the_api_and_records_triggered_runs(state_dir):
    ports = {"api": 0, "invoke": 0, "s3": 0, "postgres": 0}
    with LocalStack(
        state_dir=state_dir, ports=ports, poll_interval_s=0.25,
        bucket_prefix=f"e2e{uuid.uuid4().hex[:8]}",
    ) as stack:
        health = requests.get(f"{stack.endpoints['api']}/api/health", timeout=60)
        assert health.status_code == 200, health.text
        assert health.headers["Content-Type"].startswith("application/json")
        assert isinstance(health.json(), dict)
        assert health.headers["X-Request-Id"]

        triggered = [m.name for m in stack.actions.values() if any(
            t.type == "object_storage" and t.bucket == "inbound" for t in m.triggers
        )]
        if triggered:
            stack.s3_client().put_object(
                Bucket=stack.buckets["inbound"], Key="e2e/trades.csv", Body=b"uti\n"
            )
        deadline = time.monotonic() + 90  # generous: CI machines are shared
        while time.monotonic() < deadline:
            rows = stack.activations(limit=100)
            if not triggered or any(
                r["action"] in triggered and r["status"] != "running" for r in rows
            ):
                break
            time.sleep(0.2)

        listed = CliRunner().invoke(cli, ["activations", "-n", "500"],
                                    env={"SWAPREP_HOME": str(state_dir)})
        assert listed.exit_code == 0, listed.output
        api_rows = [line for line in listed.output.splitlines() if " api " in line]
        assert any("api_gateway" in line for line in api_rows), listed.output
        if triggered:
            assert f"object_storage:{stack.buckets['inbound']}" in listed.output, listed.output
    assert not (state_dir / "endpoints.json").exists()


def test_the_demo_settles_with_every_state_on_show_in_well_under_two_minutes(state_dir):
    """`swaprep up --demo`: every record of both tenants' demo files ends as the generator meant
    (acked, nacked with the TR's code, invalid with its rules, parse error, duplicate)."""
    import io
    from collections import Counter
    from datetime import date

    from shared.formats.readers import reader_for
    from swaprep.local import demo

    ports = dict.fromkeys(("api", "invoke", "s3", "postgres", "trsim", "trsim_admin", "ncp"), 0)
    with LocalStack(state_dir=state_dir, ports=ports, bucket_prefix=f"e2e{uuid.uuid4().hex[:8]}",
                    write_endpoints=False) as stack:
        started = time.monotonic()
        summary = stack.seed_demo()
        keys = summary["uploaded"].split(", ")
        day = date.fromisoformat(keys[0].split("/")[1])  # the day the files were made for
        files = demo.all_demo_files(day)
        assert keys == [f.key for f in files]
        meant = Counter(i.outcome for f in files for i in f.intents)
        expected_events = {"acked": meant["ack"], "nacked": meant["nack"],
                           "invalid": meant["invalid"]}
        while True:
            with stack.db.system() as conn:
                rows = {r["state"]: r["n"] for r in conn.execute(
                    "SELECT state, count(*) AS n FROM raw_rows GROUP BY state")}
                events = {r["state"]: r["n"] for r in conn.execute(
                    "SELECT state, count(*) AS n FROM trade_events GROUP BY state")}
            if events == expected_events and rows.get("parse_error") == meant["parse_error"]:
                break
            assert time.monotonic() - started < 120, (rows, events, expected_events)
            time.sleep(1)
        settled = time.monotonic() - started
        with stack.db.system() as conn:
            duplicates = conn.execute("SELECT count(*) AS n FROM raw_rows WHERE duplicate"
                                      ).fetchone()["n"]
            nack_codes = {r["tr_code"] for r in conn.execute(
                "SELECT DISTINCT tr_code FROM report_items WHERE status = 'nacked'")}
            rules = {r["rule_id"] for r in conn.execute(
                "SELECT DISTINCT rule_id FROM validation_issues")}
        assert rows == {"event": sum(meant.values()) - meant["parse_error"],
                        "parse_error": meant["parse_error"]}
        assert duplicates == meant["duplicate"]
        assert nack_codes == {i.tr_code for f in files for i in f.intents if i.tr_code}
        assert rules >= {rule for f in files for i in f.intents for rule in i.rules}
        assert "SR-TM-030" in rules  # late reports
        # demo-bank's entities route its branches' trades to UK EMIR and MAS as well as KRX,
        # and each event carries the decision (docs/PIPELINE.md, routing)
        from shared.domain.obligations.routing import route

        branches = next(f for f in files if f.key.endswith("/fep-branches.csv"))
        owed = Counter()
        for record in reader_for("csv").read(io.BytesIO(branches.data)):
            owed.update(route(record.event, demo.demo_book(), enabled=demo.DEMO_REGIMES).regimes)
        with stack.db.system() as conn:
            reported = {r["regime"]: r["n"] for r in conn.execute(
                "SELECT f.regime, count(*) AS n FROM report_items i"
                " JOIN report_files f ON f.id = i.report_file_id"
                " JOIN tenants t ON t.id = f.tenant_id WHERE t.slug = %s"
                " AND i.status = 'acked' AND f.regime <> 'krx'"
                " AND i.reporting_counterparty IS NULL GROUP BY 1", (demo.DEMO_TENANT,))}
            # the client's side, reported by London on its behalf (delegated reporting)
            for_client = {(r["regime"], r["status"]): r["n"] for r in conn.execute(
                "SELECT f.regime, i.status, count(*) AS n FROM report_items i"
                " JOIN report_files f ON f.id = i.report_file_id"
                " WHERE i.reporting_counterparty = %s GROUP BY 1, 2", (demo.UK_CLIENT[1],))}
            decided = {r["basis"]: r["n"] for r in conn.execute(
                "SELECT e.routing->>'basis' AS basis, count(*) AS n FROM trade_events e"
                " JOIN tenants t ON t.id = e.tenant_id GROUP BY 1")}
            owed_for_client = conn.execute(
                "SELECT count(*) AS n FROM trade_events e, jsonb_array_elements(e.routing->"
                "'reports') r WHERE r->>'capacity' = 'mandatory'").fetchone()["n"]
        assert reported == {"uk-emir": owed["uk-emir"], "mas": owed["mas"]} and owed["mas"]
        # every event was routed: demo-bank's by its entities, demo-global's by its regimes
        assert set(decided) == {"entities", "tenant"}
        assert sum(decided.values()) == events["acked"] + events["nacked"] + events["invalid"]
        assert owed_for_client == sum(1 for r in reader_for("csv").read(io.BytesIO(
            branches.data)) if r.event.counterparty_2.identifier == demo.UK_CLIENT[1])
        assert for_client == {("uk-emir", "acked"): owed_for_client} and owed_for_client
        print(f"demo settled in {settled:.1f}s: {events}, {rows}, duplicates {duplicates}")
        # The demo's TR writes its end-of-day reports once files stop coming (30 s in `up`;
        # 1 s here) and says the other side reported one London trade with another notional
        # and did not report another: the reconciliation screen's break and unpaired trade.
        tr = demo.demo_tr_settings(day)
        [differing] = tr["counterparty"]["differences"]
        [unreported] = tr["counterparty"]["unreported"]
        stack.trsim.schedule_end_of_day(1)
        waited = time.monotonic()
        while True:
            with stack.db.system() as conn:
                breaks = {(r["uti"], r["kind"]) for r in conn.execute(
                    "SELECT uti, kind FROM tr_breaks WHERE regime = 'uk-emir'")}
                recon = {r["uti"]: r for r in conn.execute(
                    "SELECT uti, paired, matched, differences, two_sided"
                    " FROM tr_recon_statuses WHERE regime = 'uk-emir'")}
            if (differing, "field_mismatch") in breaks and unreported in recon:
                break
            assert time.monotonic() - waited < 60, (differing, unreported, breaks, sorted(recon))
            time.sleep(1)
        assert recon[differing]["paired"] and not recon[differing]["matched"]
        assert [d["field"] for d in recon[differing]["differences"]] == ["NtnlAmtFrstLeg"]
        assert recon[unreported]["two_sided"] and not recon[unreported]["paired"]
        # every other two-sided trade of both tenants is paired and matched (mirror)
        assert {u for u, r in recon.items() if r["two_sided"] and not r["matched"]} == {
            differing, unreported}
