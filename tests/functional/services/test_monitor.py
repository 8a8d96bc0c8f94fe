"""The monitor on real PostgreSQL and the S3 API: the sweep keeps work moving, every check
fires on the rows it looks for, clears when they are gone, and keeps tenants apart; the
lost-trigger sweep picks up files whose trigger never came; the webhook posts each alert
state once to a real HTTP server and survives its failures."""

import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.adapters.objectstore import ObjectStore
from shared.adapters.queue import OutgoingMessage
from shared.adapters.queue.policy import RetryPolicy
from shared.adapters.queue.postgres import PostgresQueue
from shared.adapters.webhook import Webhook
from shared.platform.config import Config
from shared.services.monitoring import run_checks, sweep_queues
from shared.services.monitoring.alerts import raise_alert
from shared.services.monitoring.anomalies import baseline_windows
from shared.services.monitoring.anomaly_check import KST, check_anomalies
from shared.services.monitoring.deadlines import check_deadlines
from shared.services.monitoring.leases import check_leases
from shared.services.monitoring.lost_triggers import sweep_lost_triggers
from shared.services.monitoring.notify import notify
from shared.services.monitoring.reconciliation import check_reconciliation
from shared.services.monitoring.settings import MonitorSettings
from shared.services.monitoring.stuck_files import check_stuck_files
from shared.services.monitoring.tr_silence import check_tr_silence
from tests.functional.services.pipeline_support import csv_file, csv_row
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

SETTINGS = MonitorSettings(tick_interval_s=0, reconcile_every_s=0)
INBOUND, FEEDBACK = "m-inbound", "m-feedback"


class Invoker:
    """Stands in for the platform's invoke API: starts only the actions it knows."""

    def __init__(self, known):
        self.known, self.calls = set(known), []

    def invoke_async(self, action, params):
        self.calls.append((action, params))
        return f"act-{action}" if action in self.known else None


def alerts(db, kind_prefix=""):
    with db.system() as conn:
        return conn.execute(
            "SELECT a.*, t.slug FROM alerts a LEFT JOIN tenants t ON t.id = a.tenant_id"
            " WHERE a.kind LIKE %s ORDER BY a.id", (kind_prefix + "%",)).fetchall()


def open_alerts(db, kind_prefix=""):
    return {(a["slug"], a["dedup_key"]): a for a in alerts(db, kind_prefix)
            if a["status"] == "open"}


def add_event(conn, tenant, uti, *, action="NEWT", state="valid", deadline="now() + '1 day'",
              at="2026-11-20T01:00:00Z"):
    """A trade event (and its trade) in `state`, its deadline an SQL expression."""
    event_id = conn.execute(
        "INSERT INTO trade_events (tenant_id, source, uti, action_type, event_timestamp,"
        f" payload, payload_hash, state, deadline_at) VALUES (%s, 'file', %s, %s, %s, '{{}}',"
        f" %s, %s, {deadline}) RETURNING id",
        (tenant, uti, action, at, uuid.uuid4().hex, state)).fetchone()["id"]
    conn.execute("INSERT INTO trades (tenant_id, uti, lifecycle, state, last_event_id)"
                 " VALUES (%s, %s, 'live', %s, %s) ON CONFLICT (tenant_id, uti) DO UPDATE"
                 " SET last_event_id = EXCLUDED.last_event_id", (tenant, uti, state, event_id))
    return event_id


def report(conn, tenant, event_ids, *, status="pending", file_status="submitted",
           message_id=None, regime="krx", submitted="now()"):
    """A report file holding these events, its items in `status`."""
    file_id = conn.execute(
        "INSERT INTO report_files (tenant_id, regime, tr, status, tr_message_id, record_count,"
        f" submitted_at) VALUES (%s, %s, 'TR', %s, %s, %s, {submitted}) RETURNING id",
        (tenant, regime, file_status, message_id or f"TR-{uuid.uuid4().hex[:8]}",
         len(event_ids))).fetchone()["id"]
    for n, event_id in enumerate(event_ids, start=1):
        conn.execute("INSERT INTO report_items (tenant_id, report_file_id, event_id, position,"
                     " record_ref, status) VALUES (%s, %s, %s, %s, %s, %s)",
                     (tenant, file_id, event_id, n, f"ref-{event_id}", status))
    return file_id


# -- the sweep ------------------------------------------------------------------------------------

def test_queued_work_wakes_its_consumer_and_empty_queues_do_not(db, two_tenants):
    queue = PostgresQueue(db)
    queue.send("validate", [OutgoingMessage({"event_id": "e1"}, tenant_id=two_tenants[0])])
    invoker = Invoker(known={"validate"})
    result = sweep_queues(db=db, queue=queue, invoker=invoker)
    assert result["woken"] == ["validate"] and result["not_woken"] == []
    assert invoker.calls == [("validate", {"queue": "validate"})]


def test_a_wake_up_that_did_not_start_is_reported_as_not_woken(db, two_tenants):
    queue = PostgresQueue(db)
    queue.send("process", [OutgoingMessage({"file_id": "f1"}, tenant_id=two_tenants[0])])
    result = sweep_queues(db=db, queue=queue, invoker=Invoker(known=()))
    assert result["woken"] == [] and result["not_woken"] == ["process"]


def test_dead_letters_raise_one_deduplicated_critical_alert_resolved_by_redrive(db, two_tenants):
    queue = PostgresQueue(db, policy=RetryPolicy(max_receives=1))
    queue.send("submit", [OutgoingMessage({"report_file_id": "r1"}, tenant_id=two_tenants[0])])
    [message] = queue.receive("submit", 1, 30)
    queue.retry(message, "TR returned 503")
    for _ in range(2):
        result = sweep_queues(db=db, queue=queue, invoker=Invoker(known=()))
    assert result["dead_letters"] == {"submit": 1}
    [alert] = alerts(db)
    assert alert["kind"] == "queue.dead_letters" and alert["severity"] == "critical"
    assert alert["occurrences"] == 2 and "redrive" in alert["summary"]
    queue.redrive("submit")
    sweep_queues(db=db, queue=queue, invoker=Invoker(known=()))
    [alert] = alerts(db)
    assert alert["status"] == "resolved" and alert["resolved_at"] is not None


# -- deadlines ------------------------------------------------------------------------------------

@pytest.mark.date_sensitive
def test_late_and_at_risk_events_per_tenant_and_they_clear(db, two_tenants):
    alpha, beta = two_tenants
    with db.tenant(alpha) as conn:
        late = [add_event(conn, alpha, "UTI-LATE-1", deadline="now() - interval '3 hours'"),
                add_event(conn, alpha, "UTI-LATE-2", state="nacked",
                          deadline="now() - interval '1 hour'")]
        add_event(conn, alpha, "UTI-RISK-1", state="invalid", deadline="now() + interval '1 hour'")
        add_event(conn, alpha, "UTI-ACKED", state="acked", deadline="now() - interval '1 hour'")
        add_event(conn, alpha, "UTI-CANCEL", state="cancelled", deadline="now() - interval '1 h'")
        add_event(conn, alpha, "UTI-LATER", deadline="now() + interval '5 hours'")
    with db.tenant(beta) as conn:
        add_event(conn, beta, "UTI-B-RISK", deadline="now() + interval '30 minutes'")

    result = check_deadlines(db, SETTINGS)
    assert result["late"] == 2 and result["at_risk"] == 2
    found = open_alerts(db, "deadline.")
    assert set(found) == {("alpha-bank", "deadline:late"), ("alpha-bank", "deadline:at-risk"),
                          ("beta-securities", "deadline:at-risk")}
    alpha_late = found[("alpha-bank", "deadline:late")]
    assert alpha_late["severity"] == "critical" and alpha_late["details"]["count"] == 2
    assert alpha_late["details"]["examples"] == ["UTI-LATE-1", "UTI-LATE-2"]
    assert alpha_late["details"]["by_state"] == {"nacked": 1, "valid": 1}
    assert "2 trade(s) past their reporting deadline" in alpha_late["summary"]
    assert alpha_late["details"]["events"] == 2
    assert found[("beta-securities", "deadline:at-risk")]["details"]["examples"] == ["UTI-B-RISK"]
    assert found[("alpha-bank", "deadline:at-risk")]["severity"] == "warning"

    # The TR acknowledges the late events: that alert clears, the others stay.
    with db.tenant(alpha) as conn:
        conn.execute("UPDATE trade_events SET state = 'acked' WHERE id = ANY(%s)", (late,))
    check_deadlines(db, SETTINGS)
    assert set(open_alerts(db, "deadline.")) == {("alpha-bank", "deadline:at-risk"),
                                                 ("beta-securities", "deadline:at-risk")}


@pytest.mark.date_sensitive
def test_the_at_risk_window_is_configurable(db, two_tenants):
    with db.tenant(two_tenants[0]) as conn:
        add_event(conn, two_tenants[0], "UTI-1", deadline="now() + interval '3 hours'")
    assert check_deadlines(db, SETTINGS)["at_risk"] == 0
    assert check_deadlines(db, MonitorSettings(at_risk_window_s=4 * 3600))["at_risk"] == 1


# -- leases ---------------------------------------------------------------------------------------

def test_expired_leases_alert_per_queue_and_clear_when_taken_again(db, two_tenants):
    queue = PostgresQueue(db)
    for name, n in (("process", 2), ("validate", 1)):
        queue.send(name, [OutgoingMessage({"n": i}, tenant_id=two_tenants[0]) for i in range(n)])
        queue.receive(name, 10, 300)
    queue.send("generate", [OutgoingMessage({"n": 0}, tenant_id=two_tenants[0])])
    queue.receive("generate", 1, 300)  # lease still running: fine
    with db.system() as conn:  # the consumers died: their leases ran out a minute ago
        conn.execute("UPDATE queue_messages SET visible_at = now() - interval '1 minute'"
                     " WHERE queue IN ('process', 'validate')")
    assert check_leases(db, SETTINGS)["expired"] == {"process": 2, "validate": 1}
    found = open_alerts(db, "queue.lease_expired")
    assert set(found) == {(None, "lease-expired:process"), (None, "lease-expired:validate")}
    assert "2 message(s) of queue 'process' outlived their lease" in \
        found[(None, "lease-expired:process")]["summary"]

    queue.receive("process", 10, 300)  # redelivered to a live consumer
    check_leases(db, SETTINGS)
    assert set(open_alerts(db, "queue.lease_expired")) == {(None, "lease-expired:validate")}


# -- stuck files ----------------------------------------------------------------------------------

def test_stuck_ingest_and_report_files_alert_per_tenant_and_clear(db, two_tenants):
    alpha, beta = two_tenants
    sha = iter(f"{n:064x}" for n in range(1, 100))
    with db.system() as conn:
        def ingest(tenant, key, status, heartbeat="NULL"):
            return conn.execute(
                "INSERT INTO ingest_files (tenant_id, bucket, object_key, sha256, size_bytes,"
                " status, parse_heartbeat, received_at) VALUES (%s, 'in', %s, %s, 10, %s,"
                f" {heartbeat}, now() - interval '2 hours') RETURNING id",
                (tenant, key, next(sha), status)).fetchone()["id"]
        parsing = ingest(alpha, "alpha/dead-reader.csv", "parsing", "now() - interval '1 hour'")
        ingest(alpha, "alpha/live-reader.csv", "parsing", "now()")
        ingest(alpha, "alpha/done.csv", "parsed")
        ingest(beta, "beta/never-read.csv", "received")
        conn.execute("INSERT INTO report_files (tenant_id, regime, tr, status, updated_at)"
                     " VALUES (%s, 'krx', 'TR', 'generated', now() - interval '1 hour'),"
                     " (%s, 'krx', 'TR', 'building', now())", (alpha, alpha))
    assert check_stuck_files(db, SETTINGS)["stuck"] == 3
    found = open_alerts(db, "files.stuck")
    assert set(found) == {("alpha-bank", "files:stuck"), ("beta-securities", "files:stuck")}
    alpha_alert = found[("alpha-bank", "files:stuck")]
    assert alpha_alert["details"]["by_state"] == {"ingest:parsing": 1, "report:generated": 1}
    assert "alpha/dead-reader.csv (parsing for 2.0 h)" in alpha_alert["summary"]
    assert found[("beta-securities", "files:stuck")]["details"]["files"][0]["name"] == \
        "beta/never-read.csv"

    with db.system() as conn:
        conn.execute("UPDATE ingest_files SET status = 'parsed' WHERE id = %s", (parsing,))
        conn.execute("UPDATE report_files SET status = 'submitted' WHERE tenant_id = %s", (alpha,))
    check_stuck_files(db, SETTINGS)
    assert set(open_alerts(db, "files.stuck")) == {("beta-securities", "files:stuck")}


# -- TR silence -----------------------------------------------------------------------------------

@pytest.mark.date_sensitive
def test_tr_silence_per_tenant_and_regime_escalates_and_clears(db, two_tenants):
    alpha, beta = two_tenants
    with db.tenant(alpha) as conn:
        silent = report(conn, alpha, [add_event(conn, alpha, "U1", state="submitted")],
                        message_id="TR-SILENT", submitted="now() - interval '40 minutes'")
        report(conn, alpha, [add_event(conn, alpha, "U2", state="submitted")], regime="emir",
               submitted="now() - interval '5 minutes'")
    with db.tenant(beta) as conn:
        report(conn, beta, [add_event(conn, beta, "U3", state="submitted")],
               submitted="now() - interval '3 hours'")
    assert check_tr_silence(db, SETTINGS)["silent_files"] == 2
    found = open_alerts(db, "tr.silence")
    assert set(found) == {("alpha-bank", "tr-silence:krx"), ("beta-securities", "tr-silence:krx")}
    assert found[("alpha-bank", "tr-silence:krx")]["severity"] == "warning"
    assert "TR-SILENT" in found[("alpha-bank", "tr-silence:krx")]["summary"]
    assert found[("beta-securities", "tr-silence:krx")]["severity"] == "critical"  # 4x the limit

    with db.tenant(alpha) as conn:
        conn.execute("UPDATE report_files SET submitted_at = now() - interval '2 hours'"
                     " WHERE id = %s", (silent,))
    check_tr_silence(db, SETTINGS)
    assert open_alerts(db, "tr.silence")[("alpha-bank", "tr-silence:krx")]["severity"] == \
        "critical"
    with db.tenant(alpha) as conn:
        conn.execute("UPDATE report_files SET feedback_at = now(), status = 'acked'"
                     " WHERE id = %s", (silent,))
    check_tr_silence(db, SETTINGS)
    assert set(open_alerts(db, "tr.silence")) == {("beta-securities", "tr-silence:krx")}


# -- reconciliation -------------------------------------------------------------------------------

@pytest.mark.date_sensitive
def test_reconciliation_records_breaks_per_tenant_and_resolves_them(db, two_tenants):
    alpha, beta = two_tenants
    past = "now() - interval '1 hour'"
    with db.tenant(alpha) as conn:
        agreed = add_event(conn, alpha, "U-AGREED", state="acked", deadline=past)
        report(conn, alpha, [agreed], status="acked", file_status="acked")
        never = add_event(conn, alpha, "U-NEVER", state="submitted", deadline=past)
        newt = add_event(conn, alpha, "U-BEHIND", state="acked", deadline=past)
        report(conn, alpha, [newt], status="acked", file_status="acked")
        term = add_event(conn, alpha, "U-BEHIND", action="TERM", state="submitted",
                         deadline=past, at="2026-11-21T01:00:00Z")
        report(conn, alpha, [never, term])
        nacked = add_event(conn, alpha, "U-NACKED", state="nacked", deadline=past)
        report(conn, alpha, [nacked], status="nacked", file_status="rejected")
        add_event(conn, alpha, "U-NOT-DUE", deadline="now() + interval '1 hour'")
        add_event(conn, alpha, "U-INVALID", state="invalid", deadline=past)  # nothing accepted
    with db.tenant(beta) as conn:
        add_event(conn, beta, "U-BETA", deadline=past)

    result = check_reconciliation(db, SETTINGS)
    assert result["breaks"] == {"alpha-bank": 3, "beta-securities": 1}
    with db.tenant(alpha) as conn:  # each tenant sees its own breaks only
        rows = {r["uti"]: r for r in conn.execute("SELECT * FROM reconciliation_breaks")}
    assert {u: (r["kind"], r["our_action"], r["tr_action"]) for u, r in rows.items()} == {
        "U-NEVER": ("never_acked", "NEWT", None),
        "U-BEHIND": ("behind_tr", "TERM", "NEWT"),
        "U-NACKED": ("never_acked", "NEWT", None),
    }
    alert = open_alerts(db, "reconciliation")[("alpha-bank", "reconciliation")]
    assert alert["details"]["reconciliation"]["by_kind"] == {"behind_tr": 1, "never_acked": 2}
    assert "U-BEHIND (ours TERM, TR NEWT)" in alert["summary"]

    with db.tenant(alpha) as conn:  # the TR acknowledges the missing and the newer events
        conn.execute("UPDATE report_items SET status = 'acked' WHERE event_id = ANY(%s)",
                     ([never, term],))
        conn.execute("UPDATE trade_events SET state = 'acked' WHERE id = ANY(%s)",
                     ([never, term],))
        conn.execute("UPDATE trade_events SET state = 'cancelled' WHERE id = %s", (nacked,))
    assert check_reconciliation(db, SETTINGS)["breaks"] == {"beta-securities": 1}
    with db.tenant(alpha) as conn:
        assert conn.execute("SELECT count(*) AS n FROM reconciliation_breaks"
                            " WHERE resolved_at IS NULL").fetchone()["n"] == 0
    assert set(open_alerts(db, "reconciliation")) == {("beta-securities", "reconciliation")}


def test_a_nacked_latest_event_is_a_break_of_its_own_kind(db, two_tenants):
    alpha = two_tenants[0]
    past = "now() - interval '1 hour'"
    with db.tenant(alpha) as conn:
        newt = add_event(conn, alpha, "U1", state="acked", deadline=past)
        report(conn, alpha, [newt], status="acked", file_status="acked")
        modi = add_event(conn, alpha, "U1", action="MODI", state="nacked", deadline=past,
                         at="2026-11-21T00:00:00Z")
        report(conn, alpha, [modi], status="nacked", file_status="rejected")
    check_reconciliation(db, SETTINGS)
    with db.tenant(alpha) as conn:
        [row] = conn.execute("SELECT kind, our_action, tr_action FROM reconciliation_breaks")
    assert dict(row) == {"kind": "nacked", "our_action": "MODI", "tr_action": "NEWT"}


# -- anomalies ------------------------------------------------------------------------------------

WINDOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # a Friday, 10:00 in Seoul


def received(conn, tenant, n, at, *, state="valid", validated=None, file_id=None, tag="v"):
    """`n` events created at `at` (and validated at `validated`)."""
    return [r["id"] for r in conn.execute(
        "INSERT INTO trade_events (tenant_id, file_id, source, uti, action_type,"
        " event_timestamp, payload, payload_hash, state, created_at, validated_at)"
        " SELECT %s, %s, 'file', %s || g, 'NEWT', %s, '{}', md5(%s || g), %s, %s, %s"
        " FROM generate_series(1, %s) AS g RETURNING id",
        (tenant, file_id, f"{tag}-{at:%m%d%H%M}-", at, tag, state, at, validated, n))]


@pytest.mark.date_sensitive
def test_volume_drop_against_earlier_business_days_per_tenant_and_it_clears(db, two_tenants):
    alpha, beta = two_tenants
    later = WINDOW + timedelta(minutes=5)
    with db.system() as conn:
        for window in (WINDOW, later):
            for day in baseline_windows(window, 5, zone=KST):
                received(conn, alpha, 40, day + timedelta(seconds=10), tag="a")
                received(conn, beta, 40, day + timedelta(seconds=10), tag="b")
        received(conn, alpha, 5, WINDOW + timedelta(minutes=1), tag="a")  # a drop
        received(conn, beta, 38, WINDOW + timedelta(minutes=1), tag="b")  # normal
        received(conn, alpha, 41, later + timedelta(minutes=1), tag="a")  # back to normal
        received(conn, beta, 39, later + timedelta(minutes=1), tag="b")

    result = check_anomalies(db, SETTINGS, window=WINDOW)
    assert result["findings"] == ["alpha-bank:volume_drop"]
    [alert] = open_alerts(db, "anomaly.").values()
    assert alert["slug"] == "alpha-bank" and alert["kind"] == "anomaly.volume_drop"
    assert alert["details"]["current"] == 5 and alert["details"]["baseline"] == 40
    assert "volume drop: 5 event(s)" in alert["summary"]
    assert check_anomalies(db, SETTINGS, window=WINDOW)["judged"] is False  # once per window

    assert check_anomalies(db, SETTINGS, window=later)["findings"] == []
    assert open_alerts(db, "anomaly.") == {}


@pytest.mark.date_sensitive
def test_rejection_spikes_by_rule_and_by_source_file(db, two_tenants):
    alpha, beta = two_tenants
    with db.system() as conn:
        file_id = conn.execute(
            "INSERT INTO ingest_files (tenant_id, bucket, object_key, sha256, size_bytes, status)"
            " VALUES (%s, 'in', 'alpha/bad-batch.csv', %s, 1, 'parsed') RETURNING id",
            (alpha, "f" * 64)).fetchone()["id"]
        # Trailing week: 2 % of alpha's records rejected by SR-CU-002.
        earlier = WINDOW - timedelta(days=2)
        received(conn, alpha, 196, earlier, validated=earlier, tag="ok")
        for event_id in received(conn, alpha, 4, earlier, state="invalid", validated=earlier,
                                 tag="old-bad"):
            conn.execute("INSERT INTO validation_issues (tenant_id, event_id, rule_id, severity,"
                         " message) VALUES (%s, %s, 'SR-CU-002', 'reject', 'bad currency')",
                         (alpha, event_id))
        # The window: one file with 15 of 30 records invalid for SR-CU-002.
        at = WINDOW + timedelta(minutes=2)
        received(conn, alpha, 15, at, validated=at, file_id=file_id, tag="new-ok")
        for event_id in received(conn, alpha, 15, at, state="invalid", validated=at,
                                 file_id=file_id, tag="new-bad"):
            conn.execute("INSERT INTO validation_issues (tenant_id, event_id, rule_id, severity,"
                         " message) VALUES (%s, %s, 'SR-CU-002', 'reject', 'bad currency')",
                         (alpha, event_id))
        # Beta: a steady 30 % share is not a spike.
        received(conn, beta, 70, earlier, validated=earlier, tag="b-ok")
        received(conn, beta, 30, earlier, state="invalid", validated=earlier, tag="b-bad")
        received(conn, beta, 14, at, validated=at, tag="b-ok2")
        received(conn, beta, 6, at, state="invalid", validated=at, tag="b-bad2")

    quiet = MonitorSettings(volume=MonitorSettings().volume.__class__(min_baseline=10**6,
                                                                      spike_ratio=10**6))
    result = check_anomalies(db, quiet, window=WINDOW)
    assert sorted(result["findings"]) == [f"alpha-bank:file:{file_id}",
                                          "alpha-bank:rule:SR-CU-002"]
    found = open_alerts(db, "anomaly.")
    rule = found[("alpha-bank", "anomaly:rejections:rule:SR-CU-002")]
    assert rule["details"]["share"] == 0.5 and rule["details"]["trailing_share"] == 0.02
    assert "15 rejected, 50% of the records judged" in rule["summary"]
    assert "file alpha/bad-batch.csv" in found[("alpha-bank", f"anomaly:rejections:file:{file_id}")
                                               ]["summary"]
    assert not any(slug == "beta-securities" for slug, _ in found)

    # The next window judges alpha's records again, SR-CU-002 back at 0 %: the rule clears.
    with db.system() as conn:
        at = WINDOW + timedelta(minutes=6)
        received(conn, alpha, 20, at, validated=at, tag="next")
    check_anomalies(db, quiet, window=WINDOW + timedelta(minutes=5))
    assert set(open_alerts(db, "anomaly.")) == {
        ("alpha-bank", f"anomaly:rejections:file:{file_id}")}


# -- lost triggers --------------------------------------------------------------------------------

@pytest.fixture
def buckets(s3_clean):
    config = Config({"s3_endpoint_url": s3_clean, "s3_region": "kr-standard",
                     "s3_access_key_id": "testing", "s3_secret_access_key": "testing"})
    store = ObjectStore.from_config(config)
    store.ensure_buckets([INBOUND, FEEDBACK])
    return store


def test_files_whose_trigger_was_lost_are_ingested_and_applied_once(db, two_tenants, buckets):
    alpha = two_tenants[0]
    with db.tenant(alpha) as conn:
        event_id = add_event(conn, alpha, "UTI-FB", state="submitted")
        report_id = report(conn, alpha, [event_id], message_id="TR-LOST-1")
    buckets.put_bytes(INBOUND, "alpha-bank/2026-11-20/trades.csv", csv_file(csv_row(1)))
    buckets.put_bytes(FEEDBACK, "alpha-bank/TR-LOST-1.json", json.dumps({
        "tr_message_id": "TR-LOST-1", "report_file_id": str(report_id), "regime": "krx",
        "records": [{"position": 1, "record_ref": f"ref-{event_id}", "uti": "UTI-FB",
                     "status": "ACK"}]}).encode())
    buckets.put_bytes(INBOUND, "nobody/trades.csv", csv_file(csv_row(2)))
    queue, invoker = PostgresQueue(db), Invoker(known={"ingest"})
    where = {"inbound": INBOUND, "feedback": FEEDBACK}

    def sweep(after_s):
        return sweep_lost_triggers(db, buckets, queue, invoker, where, SETTINGS,
                                   now=datetime.now(UTC) + timedelta(seconds=after_s))

    # Within the grace period the trigger may still come: nothing is touched.
    fresh = sweep(0)
    assert fresh["inbound"]["unknown"] == 0 and fresh["feedback"]["unknown"] == 0

    result = sweep(SETTINGS.lost_trigger_grace_s + 60)
    assert {h["key"]: h["status"] for h in result["inbound"]["handled"]} == {
        "alpha-bank/2026-11-20/trades.csv": "received", "nobody/trades.csv": "rejected"}
    assert [h["status"] for h in result["feedback"]["handled"]] == ["applied"]
    assert invoker.calls == [("ingest", {"queue": "ingest"})]
    with db.tenant(alpha) as conn:
        [ingested] = conn.execute("SELECT id, status FROM ingest_files").fetchall()
        assert ingested["status"] == "received"
        assert conn.execute("SELECT state FROM trade_events WHERE id = %s",
                            (event_id,)).fetchone()["state"] == "acked"
        assert conn.execute("SELECT status FROM report_files WHERE id = %s",
                            (report_id,)).fetchone()["status"] == "acked"
    assert _depth(db, "ingest") == 1  # queued for reading, as the trigger would have

    # Known now (ledgers, or the sweep's own record for the unknown tenant): not again.
    again = sweep(SETTINGS.lost_trigger_grace_s + 60)
    assert again["inbound"]["unknown"] == 0 and again["feedback"]["unknown"] == 0
    assert len(open_alerts(db, "ingest.unknown_tenant")) == 1


def test_the_sweep_pages_through_a_bucket_larger_than_one_run_lists(db, two_tenants, buckets):
    """A bucket of many known files and one lost one near the end: each run lists a few keys
    and resumes where the last stopped, so the lost file is found, not starved by the first
    page; after the end the listing wraps to the first key."""
    from dataclasses import replace

    small = replace(SETTINGS, lost_trigger_max_listed=3)
    with db.system() as conn:
        for n in range(7):
            key = f"alpha-bank/2026-11-20/known-{n}.csv"
            buckets.put_bytes(INBOUND, key, f"known {n}".encode())
            conn.execute("INSERT INTO ingest_files (tenant_id, bucket, object_key, sha256,"
                         " size_bytes, status) VALUES (%s, %s, %s, %s, 7, 'parsed')",
                         (two_tenants[0], INBOUND, key, f"{n:064x}"))
    buckets.put_bytes(INBOUND, "alpha-bank/2026-11-20/lost.csv", csv_file(csv_row(1)))
    queue, invoker = PostgresQueue(db), Invoker(known={"ingest"})
    later = datetime.now(UTC) + timedelta(seconds=SETTINGS.lost_trigger_grace_s + 60)

    def sweep():
        return sweep_lost_triggers(db, buckets, queue, invoker, {"inbound": INBOUND}, small,
                                   now=later)["inbound"]

    runs = [sweep() for _ in range(3)]
    assert [r["listed"] for r in runs] == [3, 3, 2]
    assert [h["key"] for r in runs for h in r["handled"]] == ["alpha-bank/2026-11-20/lost.csv"]
    assert sweep()["listed"] == 3  # wrapped: the first keys again


def _depth(db, queue):
    with db.system() as conn:
        return conn.execute("SELECT count(*) AS n FROM queue_messages WHERE queue = %s",
                            (queue,)).fetchone()["n"]


# -- webhook --------------------------------------------------------------------------------------

class Hook:
    """A real HTTP server on loopback that records posts; `status` / `delay_s` set its answer."""

    def __init__(self):
        self.posts, self.status, self.delay_s = [], 200, 0.0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(hook.delay_s)
                if hook.status == 200:
                    hook.posts.append(json.loads(body))
                self.send_response(hook.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/T000/B000/secret-token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    server = Hook()
    yield server
    server.close()


def _raise(db, tenant, severity="warning", times=1):
    with db.system() as conn:
        for _ in range(times):
            raise_alert(conn, tenant_id=tenant, kind="tr.nack", severity=severity,
                        dedup_key="tr-nack:f1", summary="3 record(s) NACKed <TR-LC-001>",
                        details={})


def test_alerts_are_posted_when_opened_and_escalated_never_twice(db, two_tenants, hook):
    webhook = Webhook(hook.url, timeout_s=2)
    _raise(db, two_tenants[0])
    assert notify(db, webhook, SETTINGS)["posted"] == 1
    [post] = hook.posts
    assert post["text"] == "[WARNING] alpha-bank: 3 record(s) NACKed <TR-LC-001>"
    section, context = post["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert "*WARNING* alpha-bank - tr.nack" in section["text"]["text"]
    assert "&lt;TR-LC-001&gt;" in section["text"]["text"]  # escaped for Slack mrkdwn
    assert "opened; 1 occurrence(s)" in context["elements"][0]["text"]

    assert notify(db, webhook, SETTINGS)["posted"] == 0  # same state: not again
    _raise(db, two_tenants[0], times=8)  # 9 occurrences: still the same tier
    assert notify(db, webhook, SETTINGS)["posted"] == 0
    _raise(db, two_tenants[0])  # the 10th
    assert notify(db, webhook, SETTINGS)["posted"] == 1
    assert "recurred 10+ times" in hook.posts[-1]["blocks"][1]["elements"][0]["text"]
    _raise(db, two_tenants[0], severity="critical")
    assert notify(db, webhook, SETTINGS)["posted"] == 1
    assert hook.posts[-1]["text"].startswith("[CRITICAL] alpha-bank")
    _raise(db, two_tenants[0], severity="warning")  # severity never goes down while open
    assert notify(db, webhook, SETTINGS)["posted"] == 0
    [alert] = alerts(db)
    assert alert["severity"] == "critical" and alert["notified_state"] == "critical:10"
    assert len(hook.posts) == 3


def test_a_failing_or_slow_webhook_is_retried_next_tick_and_breaks_nothing(db, two_tenants,
                                                                           hook):
    _raise(db, two_tenants[0])
    hook.status = 500
    webhook = Webhook(hook.url, timeout_s=0.5)
    result = notify(db, webhook, SETTINGS)
    assert result["posted"] == 0 and result["failed"] == "webhook answered HTTP 500"
    hook.status, hook.delay_s = 200, 1.5
    result = notify(db, webhook, SETTINGS)
    assert result["posted"] == 0 and "timed out" in result["failed"]
    assert "secret-token" not in result["failed"]
    hook.delay_s = 0
    assert notify(db, webhook, SETTINGS)["posted"] == 1 and len(hook.posts) == 1


# -- the runner and the action --------------------------------------------------------------------

def test_a_failing_check_is_alerted_and_the_others_still_run(db, two_tenants, buckets, hook):
    with db.tenant(two_tenants[0]) as conn:
        add_event(conn, two_tenants[0], "UTI-LATE", deadline="now() - interval '1 hour'")
    hook.status = 500
    results = run_checks(db=db, settings=SETTINGS, store=buckets, queue=PostgresQueue(db),
                         invoker=Invoker(()), webhook=Webhook(hook.url, 1),
                         buckets={"inbound": "no-such-bucket", "feedback": FEEDBACK})
    assert "no-such-bucket" in results["lost_triggers"]["error"]
    assert results["deadlines"]["late"] == 1
    assert results["notify"]["failed"] == "webhook answered HTTP 500"
    [failed] = open_alerts(db, "monitor.check_failed").values()
    assert failed["dedup_key"] == "monitor-check:lost_triggers"

    hook.status = 200
    results = run_checks(db=db, settings=SETTINGS, store=buckets, queue=PostgresQueue(db),
                         invoker=Invoker(()), webhook=Webhook(hook.url, 1),
                         buckets={"inbound": INBOUND, "feedback": FEEDBACK})
    assert "error" not in results["lost_triggers"]
    assert open_alerts(db, "monitor.check_failed") == {}
    assert {p["text"].split("]")[0] for p in hook.posts} == {"[CRITICAL"}


def test_a_check_runs_once_per_tick_interval(db, two_tenants):
    settings = MonitorSettings(checks=("deadlines",))
    assert "late" in run_checks(db=db, settings=settings)["deadlines"]
    assert "skipped" in run_checks(db=db, settings=settings)["deadlines"]


def test_the_monitor_action_sweeps_and_checks_on_its_cron_tick(db, database_url, two_tenants,
                                                               buckets, s3_clean, hook):
    with db.tenant(two_tenants[1]) as conn:
        add_event(conn, two_tenants[1], "UTI-LATE", deadline="now() - interval '1 hour'")
    main = load_main("monitor")
    result = main({
        "task": "tick", "cron": "* * * * *", "fired_at": "2026-11-22T00:05:12+00:00",
        "database_url": database_url, "s3_endpoint_url": s3_clean,
        "s3_access_key_id": "testing", "s3_secret_access_key": "testing",
        "bucket_inbound": INBOUND, "bucket_feedback": FEEDBACK, "webhook_url": hook.url,
        "monitor_checks": "lost_triggers,deadlines,notify",
    })
    assert "error" not in result, result
    assert result["fired_at"] == "2026-11-22T00:05:12+00:00" and "woken" in result
    assert result["checks"]["deadlines"]["late"] == 1
    assert result["checks"]["notify"]["posted"] == 1
    assert hook.posts[0]["text"].startswith("[CRITICAL] beta-securities: 1 trade(s) past")
    assert main({"task": "nonsense", "database_url": database_url})["error"].startswith(
        "unknown task 'nonsense'")
