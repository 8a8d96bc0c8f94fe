"""The whole pipeline on the local stack: an FEP file in, every record in its final state.

An FEP CSV and an FpML batch (a confirmation platform's execution reports), each with known
good and bad records, are dropped into the inbound bucket with plain boto3, as an FEP would,
and the stack's real actions (functions/) carry them through ingest, process, validate,
generate, submit (to the TR simulator) and feedback. Then every record
must be where docs/PIPELINE.md says: ACK; NACK with the TR's code; invalid with its rule
ids; a parse error; the report files consistent with their objects and items; and the
audit trail showing what happened.

The stack's TR simulator gets an LEI register for the test: a counterparty LEI with good
check digits that the register does not know passes our validation (we cannot know the
register) and is NACKed by the TR with TR-ID-003.
"""

from __future__ import annotations

import contextlib
import csv
import io
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from swaprep.local.demo import CSV_COLUMNS, demo_lei
from tests.support.fep_rows import fep_row

pytestmark = pytest.mark.e2e

TENANT, TENANT_LEI = "e2e-bank", demo_lei(1)
KNOWN_CP, UNKNOWN_CP = demo_lei(100), demo_lei(101)  # both with good check digits
CRON_SPEEDUP = 30  # one cron minute every two seconds: generate's flush comes quickly
SETTLE_S = 240


# -- the FEP file -------------------------------------------------------------------------------

# trade_id -> what must become of the record. A record is (overrides of a good IRS NEWT).
NOW = datetime.now(UTC).replace(microsecond=0)
T0 = NOW - timedelta(hours=3)
RECORDS: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    ("GOOD-1", {}, {"state": "acked"}),
    ("GOOD-1", {"action_type": "MODI", "event_timestamp": (T0 + timedelta(hours=1)).isoformat(),
                "notional_1": "15000000000"}, {"state": "acked"}),
    ("GOOD-2", {"notional_1": "25000000000", "fixed_rate": "3.1"}, {"state": "acked"}),
    ("BAD-LEI", {"counterparty_2_lei": KNOWN_CP[:-2] + "00"},
     {"state": "invalid", "rules": {"SR-ID-004"}}),
    ("BAD-CCY", {"notional_currency_1": "KRX"}, {"state": "invalid", "rules": {"SR-EC-023"}}),
    ("BAD-DATES", {"expiration_date": "2020-01-01"},
     {"state": "invalid", "rules": {"SR-DT-011"}}),
    ("ORPHAN-MODI", {"action_type": "MODI"}, {"state": "invalid", "rules": {"SR-LC-016"}}),
    ("UNPARSEABLE", {"notional_1": "abc"}, {"parse_error": "PARSE-CSV-007"}),
    ("TR-UNKNOWN-LEI", {"counterparty_2_lei": UNKNOWN_CP},
     {"state": "nacked", "tr_code": "TR-ID-003"}),
]


def _row(trade_id: str, overrides: dict[str, str]) -> dict[str, str]:
    return fep_row(TENANT_LEI, trade_id, executed=T0, counterparty_lei=KNOWN_CP,
                   counterparty_name="Alpha Global Bank", **overrides)


def fep_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for trade_id, overrides, _ in RECORDS:
        row = _row(trade_id, overrides)
        writer.writerow([row.get(c, "") for c in CSV_COLUMNS])
    return out.getvalue().encode()


# The FpML file: execution reports from a confirmation platform (the demo's template), one
# NEWT each, the counterparty set per record: (counterparty LEI, what must become of it).
FPML_RECORDS: list[tuple[str, dict[str, Any]]] = [
    (KNOWN_CP, {"state": "acked"}),
    (KNOWN_CP[:-2] + "00", {"state": "invalid", "rules": {"SR-ID-004"}}),
    (UNKNOWN_CP, {"state": "nacked", "tr_code": "TR-ID-003"}),
    (KNOWN_CP, {"state": "acked"}),
]


def fep_fpml() -> tuple[bytes, list[str]]:
    """The FpML batch and its UTIs, in file order."""
    import re

    from swaprep.local.demo import demo_fpml_messages, write_fpml_batch

    messages = demo_fpml_messages(len(FPML_RECORDS), seed=7, day=NOW.date(), mistakes=False)
    out, utis = [], []
    for (xml, intent), (lei, _) in zip(messages, FPML_RECORDS, strict=True):
        demo_cp = next(c for c in re.findall(r"9884DEMO\d{10}\d{2}", xml) if c != TENANT_LEI)
        out.append((xml.replace(demo_cp, lei), intent))
        utis.append(re.search(r"<tradeId[^>]*>([^<]*FPML[^<]*)</tradeId>", xml)[1])
    return write_fpml_batch(out), utis


# -- fixtures -----------------------------------------------------------------------------------


def _fast_clock():
    start = time.time()
    return lambda: start + (time.time() - start) * CRON_SPEEDUP


def _boto3_s3(stack):
    """A plain boto3 client, as an FEP's own tooling would use (not the stack's helper)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=stack.s3_endpoint_url, region_name="kr-standard",
                        aws_access_key_id=stack.config["s3_access_key_id"],
                        aws_secret_access_key=stack.config["s3_secret_access_key"],
                        config=Config(s3={"addressing_style": "path"}))


# -- waiting and reading the outcome ------------------------------------------------------------

UNFINISHED_EVENTS = ("received", "valid", "reported", "submitted")


def _snapshot(db, tenant_id) -> dict[str, Any]:
    with db.tenant(tenant_id) as conn:
        rows = conn.execute("SELECT state, count(*) AS n FROM raw_rows GROUP BY state").fetchall()
        events = conn.execute(
            "SELECT state, count(*) AS n FROM trade_events GROUP BY state").fetchall()
        files = conn.execute(
            "SELECT status, count(*) AS n FROM report_files GROUP BY status").fetchall()
        refreshes = conn.execute("SELECT count(*) AS n FROM trade_refresh_pending").fetchone()
    return {"raw_rows": {r["state"]: r["n"] for r in rows},
            "events": {r["state"]: r["n"] for r in events},
            "files": {r["status"]: r["n"] for r in files},
            # the trades list shows a state once the refresh after a stage's commit is applied
            "trade_refreshes": refreshes["n"]}


def _settled(snapshot: dict[str, Any]) -> bool:
    rows, events, files = snapshot["raw_rows"], snapshot["events"], snapshot["files"]
    return (sum(rows.values()) == len(RECORDS) + len(FPML_RECORDS)
            and set(rows) <= {"event", "parse_error"}
            and bool(events) and not set(events) & set(UNFINISHED_EVENTS)
            and not set(files) - {"acked", "partially_acked", "rejected", "failed"}
            and not snapshot["trade_refreshes"])


def _wait_until_settled(stack, tenant_id) -> dict[str, Any]:
    deadline, snapshot = time.monotonic() + SETTLE_S, {}
    while time.monotonic() < deadline:
        snapshot = _snapshot(stack.db, tenant_id)
        if _settled(snapshot):
            return snapshot
        time.sleep(0.5)
    failures = [{k: a.get(k) for k in ("action", "status", "trigger", "error")}
                for a in stack.activations(limit=200) if a.get("status") != "success"]
    pytest.fail(f"the pipeline did not settle in {SETTLE_S} s: {snapshot}; "
                f"failed activations: {failures[:10]}")


# -- the test -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _pipeline_stack(state_dir):
    """The whole local stack against the real functions/, with the e2e tenant and a TR whose
    LEI register knows everyone but UNKNOWN_CP (so that record is NACKed TR-ID-003)."""
    from swaprep.local.stack import LocalStack

    ports = {"api": 0, "invoke": 0, "s3": 0, "postgres": 0, "trsim": 0, "trsim_admin": 0,
             "ncp": 0}
    with LocalStack(
        state_dir=state_dir, ports=ports, poll_interval_s=0.25,
        bucket_prefix=f"e2e{uuid.uuid4().hex[:8]}", cron_clock=_fast_clock(),
    ) as stack:
        stack.trsim.set_known_leis({TENANT_LEI, KNOWN_CP})
        stack.trsim.set_faults(feedback_delay_s=0.5)
        with stack.db.system() as conn:
            tenant_id = conn.execute(
                "INSERT INTO tenants (slug, name, lei, regimes) VALUES (%s, 'E2E Bank', %s,"
                " '{krx}') RETURNING id", (TENANT, TENANT_LEI),
            ).fetchone()["id"]
        yield stack, tenant_id


def test_an_fep_file_ends_with_every_record_in_its_final_state(state_dir):
    with _pipeline_stack(state_dir) as (stack, tenant_id):
        s3 = _boto3_s3(stack)
        content = fep_csv()
        day = NOW.strftime("%Y-%m-%d")
        s3.put_object(Bucket=stack.buckets["inbound"], Key=f"{TENANT}/{day}/fep-e2e.csv",
                      Body=content, ContentType="text/csv")
        fpml, fpml_utis = fep_fpml()
        s3.put_object(Bucket=stack.buckets["inbound"], Key=f"{TENANT}/{day}/confirms.xml",
                      Body=fpml, ContentType="application/xml")
        snapshot = _wait_until_settled(stack, tenant_id)
        # The same content again under another name: recorded, not a second set of events.
        s3.put_object(Bucket=stack.buckets["inbound"], Key=f"{TENANT}/{day}/fep-e2e copy.csv",
                      Body=content, ContentType="text/csv")
        _wait_for_audit(stack, tenant_id, "ingest.duplicate_file")

        _assert_records(stack, tenant_id)
        _assert_fpml_records(stack, tenant_id, fpml_utis)
        _assert_report_files(stack, tenant_id, s3)
        _assert_audit_trail(stack, tenant_id)
        assert _snapshot(stack.db, tenant_id) == snapshot  # the duplicate changed nothing


def test_valid_events_go_from_generate_to_the_tr_and_back(state_dir):
    """The back half on its own (generate, submit, feedback), with valid events put straight
    into trade_events as validate leaves them: runs before process and validate exist."""
    from shared.domain.enrichment import enrich
    from shared.formats.readers import reader_for

    records = reader_for("csv").read(io.BytesIO(fep_csv()), file_name="fep.csv")
    good = {"GOOD-1", "GOOD-2", "TR-UNKNOWN-LEI"}
    events = [enrich(r.event).event for r in records if r.ok and r.event.trade_id in good]
    with _pipeline_stack(state_dir) as (stack, tenant_id):
        with stack.db.tenant(tenant_id) as conn:
            for event in events:
                conn.execute(
                    "INSERT INTO trade_events (tenant_id, source, uti, trade_id, action_type,"
                    " event_timestamp, payload, payload_hash, state) VALUES (%s, 'file', %s,"
                    " %s, %s, %s, %s, %s, 'valid')",
                    (tenant_id, event.uti, event.trade_id, event.action_type.value,
                     event.event_timestamp, event.model_dump_json(), event.payload_hash()),
                )
        deadline, final = time.monotonic() + SETTLE_S, {}
        while time.monotonic() < deadline:
            final = _snapshot(stack.db, tenant_id)
            if not set(final["events"]) & set(UNFINISHED_EVENTS) and final["files"] and not (
                    set(final["files"]) - {"acked", "partially_acked"}):
                break
            time.sleep(0.5)
        failures = [{k: a.get(k) for k in ("action", "status", "error")}
                    for a in stack.activations(limit=200) if a.get("status") != "success"]
        assert final["events"] == {"acked": 3, "nacked": 1}, (final, failures[:10])
        with stack.db.tenant(tenant_id) as conn:
            nacked = conn.execute(
                "SELECT e.trade_id, i.tr_code, i.tr_message FROM report_items i"
                " JOIN trade_events e ON e.id = i.event_id WHERE i.status = 'nacked'").fetchall()
        assert [n["trade_id"] for n in nacked] == ["TR-UNKNOWN-LEI"]
        assert "TR-ID-003" in f"{nacked[0]['tr_code']} {nacked[0]['tr_message']}"
        _assert_report_files(stack, tenant_id, _boto3_s3(stack))


def _wait_for_audit(stack, tenant_id, action: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with stack.db.tenant(tenant_id) as conn:
            if conn.execute("SELECT 1 FROM audit_log WHERE action = %s", (action,)).fetchone():
                return
        time.sleep(0.25)
    pytest.fail(f"no {action} audit entry within 60 s")


def _assert_records(stack, tenant_id) -> None:
    with stack.db.tenant(tenant_id) as conn:
        rows = conn.execute(
            "SELECT r.row_no, r.state, r.error, r.errors::text AS errors, r.event_id,"
            " e.trade_id, e.uti, e.action_type, e.state AS event_state"
            " FROM raw_rows r LEFT JOIN trade_events e ON e.id = r.event_id"
            " JOIN ingest_files f ON f.id = r.file_id WHERE f.object_key LIKE '%%.csv'"
            " ORDER BY r.row_no").fetchall()
        issues = conn.execute(
            "SELECT event_id, rule_id FROM validation_issues WHERE severity = 'reject'"
        ).fetchall()
        items = conn.execute(
            "SELECT i.event_id, i.status, i.tr_code, i.tr_message, f.regime"
            " FROM report_items i JOIN report_files f ON f.id = i.report_file_id").fetchall()
    assert len(rows) == len(RECORDS), rows
    rules: dict[Any, set[str]] = {}
    for issue in issues:
        rules.setdefault(issue["event_id"], set()).add(issue["rule_id"])
    placed: dict[Any, list[dict[str, Any]]] = {}
    for item in items:
        placed.setdefault(item["event_id"], []).append(item)

    for row, (trade_id, overrides, expected) in zip(rows, RECORDS, strict=True):
        where = f"row {row['row_no']} ({trade_id} {overrides.get('action_type', 'NEWT')})"
        if "parse_error" in expected:
            assert row["state"] == "parse_error", where
            assert expected["parse_error"] in f"{row['error']} {row['errors']}", where
            assert row["event_id"] is None, where
            continue
        assert row["state"] == "event" and row["trade_id"] == trade_id, where
        assert row["event_state"] == expected["state"], where
        if expected["state"] == "invalid":
            assert expected["rules"] <= rules.get(row["event_id"], set()), where
            assert row["event_id"] not in placed, f"{where}: an invalid event was reported"
            continue
        # Reported exactly once, to the KRX TR, with the TR's verdict on its report item.
        [item] = placed[row["event_id"]]
        assert item["regime"] == "krx", where
        if expected["state"] == "acked":
            assert item["status"] == "acked" and not item["tr_code"], where
        else:
            assert item["status"] == "nacked", where
            assert expected["tr_code"] in f"{item['tr_code']} {item['tr_message']}", where


def _assert_fpml_records(stack, tenant_id, utis: list[str]) -> None:
    """Each FpML trade, by its UTI: ACK; invalid with its rule and never reported; or NACKed
    by the TR with its code."""
    with stack.db.tenant(tenant_id) as conn:
        rows = conn.execute(
            "SELECT r.row_no, r.state, e.id, e.uti, e.state AS event_state FROM raw_rows r"
            " JOIN ingest_files f ON f.id = r.file_id LEFT JOIN trade_events e"
            " ON e.id = r.event_id WHERE f.object_key LIKE '%%.xml' ORDER BY r.row_no"
        ).fetchall()
        rules = {(r["event_id"], r["rule_id"]) for r in conn.execute(
            "SELECT event_id, rule_id FROM validation_issues WHERE severity = 'reject'")}
        items = {r["event_id"]: r for r in conn.execute(
            "SELECT event_id, status, tr_code, tr_message FROM report_items")}
    assert [r["uti"] for r in rows] == utis, rows
    for row, (_, expected) in zip(rows, FPML_RECORDS, strict=True):
        where = f"FpML record {row['row_no']} ({row['uti']})"
        assert row["state"] == "event" and row["event_state"] == expected["state"], where
        if expected["state"] == "invalid":
            assert all((row["id"], rule) in rules for rule in expected["rules"]), where
            assert row["id"] not in items, f"{where}: an invalid event was reported"
        elif expected["state"] == "acked":
            assert items[row["id"]]["status"] == "acked", where
        else:
            item = items[row["id"]]
            assert item["status"] == "nacked", where
            assert expected["tr_code"] in f"{item['tr_code']} {item['tr_message']}", where


def _assert_report_files(stack, tenant_id, s3) -> None:
    from shared.formats.writers.krx import parse_batch

    with stack.db.tenant(tenant_id) as conn:
        files = conn.execute("SELECT * FROM report_files ORDER BY created_at").fetchall()
        submissions = conn.execute(
            "SELECT report_file_id, count(*) FILTER (WHERE outcome = 'accepted') AS accepted"
            " FROM submissions GROUP BY report_file_id").fetchall()
        items = conn.execute(
            "SELECT report_file_id, position, record_ref, e.uti, e.action_type, i.status"
            " FROM report_items i JOIN trade_events e ON e.id = i.event_id"
            " ORDER BY report_file_id, position").fetchall()
    accepted = {s["report_file_id"]: s["accepted"] for s in submissions}
    assert files, "no report file was generated"
    for report in files:
        mine = [i for i in items if i["report_file_id"] == report["id"]]
        assert report["regime"] == "krx" and report["tr_message_id"], report
        assert report["object_key"].startswith(f"{TENANT}/krx/")
        assert report["record_count"] == len(mine)
        assert [i["position"] for i in mine] == list(range(1, len(mine) + 1))
        assert [i["record_ref"] for i in mine] == [
            f"{i['uti']}:{i['action_type']}:{i['position']}" for i in mine]
        nacked = sum(i["status"] == "nacked" for i in mine)
        assert report["status"] == ("partially_acked" if nacked else "acked"), report
        assert accepted.get(report["id"]) == 1, "submitted exactly once"
        body = s3.get_object(Bucket=report["bucket"], Key=report["object_key"])["Body"].read()
        batch = parse_batch(body)
        assert batch.trailer_count == report["record_count"]
        assert [r["UTI"] for r in batch.rows] == [i["uti"] for i in mine]
    # A NEWT is in an earlier file than, or earlier in the same file as, its MODI.
    order = [(i["uti"], i["action_type"]) for f in files for i in items
             if i["report_file_id"] == f["id"]]
    good = f"{TENANT_LEI}GOOD1"
    assert order.index((good, "NEWT")) < order.index((good, "MODI"))


def _assert_audit_trail(stack, tenant_id) -> None:
    with stack.db.tenant(tenant_id) as conn:
        audit = conn.execute(
            "SELECT action, entity_type, entity_id, after FROM audit_log ORDER BY at, id"
        ).fetchall()
        file_ids = {str(r["id"]) for r in conn.execute("SELECT id FROM report_files")}
    generated = {a["entity_id"] for a in audit if a["action"] == "report_file.generated"}
    assert generated == file_ids, audit
    assert [a["action"] for a in audit].count("ingest.duplicate_file") == 1, audit
    for entry in audit:
        if entry["action"] == "report_file.generated":
            assert entry["after"]["object_key"].startswith(f"{TENANT}/krx/")
