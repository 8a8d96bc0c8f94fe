"""Operator actions on real PostgreSQL (RLS, the queue table) and the S3 API: the pipeline
is driven to invalid / NACKed states by its own stages, then repaired, resubmitted,
cancelled, redriven and triaged, each audited."""

from __future__ import annotations

import getpass
import json

import pytest
from click.testing import CliRunner

from shared.adapters.queue import OutgoingMessage, RetryPolicy
from shared.adapters.queue.postgres import PostgresQueue
from shared.platform.triggers import object_events, object_storage_event
from shared.services.monitoring.alerts import raise_alert
from shared.services.operations import (
    Actor,
    Conflict,
    Forbidden,
    InvalidRepair,
    InvalidRequest,
    NotFound,
    QueueSender,
    ack_alert,
    assign_issues,
    cancel,
    list_issues,
    preview_repair,
    redrive,
    repair,
    resolve_issues,
    resubmit,
    revalidate,
)
from shared.services.pipeline.feedback import apply_feedback_object
from shared.services.pipeline.generate import GenerateSettings, generate_reports
from shared.services.pipeline.validation import open_issues
from swaprep.commands.ops import command as ops_cli
from swaprep.local.demo import demo_lei
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import csv_file, csv_row, uti

pytestmark = [pytest.mark.functional, pytest.mark.date_sensitive]  # also at fixed instants

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant

OPERATOR = Actor("user-1", "olivia", "user", "operator", request_id="req-42")
VIEWER = Actor("user-2", "victor", "user", "viewer")
PLATFORM = Actor("job-1", "platform-ops", "system", "admin")
OUTBOUND, FEEDBACK = "t-outbound", "t-feedback"
BAD_LEI = "9884DEMO000000010000"  # check digits wrong: SR-ID-004
# csv_row(currency=...) sets both legs of the IRS: SR-EC-023 on each
BOTH_LEGS_KRW = {"legs[0].notional.currency": "KRW", "legs[1].notional.currency": "KRW"}


# -- helpers ---------------------------------------------------------------------------------


def events(db, tenant_id, trade_uti, action="NEWT"):
    """The UTI's events of `action`, oldest version first."""
    with db.tenant(tenant_id) as conn:
        return conn.execute("SELECT * FROM trade_events WHERE uti = %s AND action_type = %s"
                            " ORDER BY version", (trade_uti, action)).fetchall()


def audits(db, tenant_id, action):
    with db.tenant(tenant_id) as conn:
        return conn.execute("SELECT * FROM audit_log WHERE action = %s ORDER BY id",
                            (action,)).fetchall()


def counts(db) -> dict[str, int]:
    with db.system() as conn:
        return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"]
                for t in ("trade_events", "audit_log", "queue_messages", "validation_issues")}


def rules(issues) -> set[str]:
    return {i["rule_id"] for i in issues if i["severity"] == "reject"}


def generate(db, tenant_id, pipeline):
    with db.tenant(tenant_id) as conn:
        return generate_reports(conn, tenant_id=tenant_id, regime="krx", store=pipeline.store,
                                bucket=OUTBOUND, send=QueueSender(pipeline.queue).send,
                                settings=GenerateSettings(batch_size=10), flush=True)


def nack(db, pipeline, tenant_id, event_id, code="TR-LC-001"):
    """The TR's feedback file NACKing `event_id`'s item, applied by the feedback stage."""
    with db.tenant(tenant_id) as conn:
        item = conn.execute("SELECT i.*, f.regime FROM report_items i JOIN report_files f"
                            " ON f.id = i.report_file_id WHERE i.event_id = %s", (event_id,)
                            ).fetchone()
    key = f"alpha-bank/TR-{item['report_file_id']}.json"
    pipeline.store.put_bytes(FEEDBACK, key, json.dumps({
        "tr_message_id": f"TR-{item['report_file_id']}", "regime": item["regime"],
        "report_file_id": str(item["report_file_id"]),
        "records": [{"position": item["position"], "record_ref": item["record_ref"],
                     "status": "NACK", "codes": [{"code": code, "message": "refused"}]}],
    }).encode())
    info = pipeline.store.head(FEEDBACK, key)
    [event] = object_events(object_storage_event(FEEDBACK, key, size=info.size, etag=info.etag))
    assert apply_feedback_object(event, db=db, store=pipeline.store).nacked == 1


@pytest.fixture
def ops(pipeline):
    pipeline.store.ensure_buckets([OUTBOUND, FEEDBACK])
    return QueueSender(pipeline.queue)


@pytest.fixture
def beta(db):
    with db.system() as conn:
        return conn.execute("INSERT INTO tenants (slug, name) VALUES ('beta-securities', 'Beta')"
                            " RETURNING id").fetchone()["id"]


# -- repair ----------------------------------------------------------------------------------


def test_a_repaired_event_is_a_new_version_that_validation_accepts(pipeline, db, tenant, ops):
    pipeline.upload("alpha-bank/a.csv", csv_file(csv_row(1), csv_row(3, currency="KRX")))
    pipeline.run()
    [old] = events(db, tenant, uti(3))
    with db.tenant(tenant) as conn:
        assert old["state"] == "invalid" and rules(open_issues(conn, old["id"])) == {"SR-EC-023"}
        outcome = repair(conn, old["id"], BOTH_LEGS_KRW, OPERATOR, send=ops)
    assert outcome.version == 2
    assert outcome.changed == {f"legs[{n}].notional.currency": {"before": "KRX", "after": "KRW"}
                               for n in (0, 1)}

    old, new = events(db, tenant, uti(3))
    assert (old["state"], new["state"], new["source"]) == ("superseded", "received", "repair")
    assert (new["supersedes"], new["version"], str(new["id"])) == (old["id"], 2,
                                                                   outcome.new_event_id)
    assert (new["file_id"], new["row_no"]) == (old["file_id"], old["row_no"])
    assert new["deadline_at"] == old["deadline_at"] and new["payload_hash"] != old["payload_hash"]
    assert [leg["notional"]["currency"] for leg in new["payload"]["legs"]] == ["KRW", "KRW"]
    with db.tenant(tenant) as conn:
        raw = conn.execute("SELECT event_id FROM raw_rows WHERE file_id = %s AND row_no = %s",
                           (old["file_id"], old["row_no"])).fetchone()
        old_issues = conn.execute("SELECT status, resolved_at FROM validation_issues"
                                  " WHERE event_id = %s", (old["id"],)).fetchall()
    assert raw["event_id"] == new["id"]  # the input row shows the record's current version
    assert old_issues and all(i["status"] == "resolved" and i["resolved_at"]
                              for i in old_issues)
    assert pipeline.bodies("validate") == [{"event_ids": [str(new["id"])],
                                            "key": f"repair:{new['id']}"}]

    pipeline.run()
    [_, new] = events(db, tenant, uti(3))
    with db.tenant(tenant) as conn:
        assert new["state"] == "valid" and not open_issues(conn, new["id"])
        trade = conn.execute("SELECT state, last_event_id FROM trades WHERE uti = %s",
                             (uti(3),)).fetchone()
    assert (trade["state"], trade["last_event_id"]) == ("valid", new["id"])

    [row] = audits(db, tenant, "event.repair")
    assert (row["actor"], row["actor_id"], row["actor_type"], row["request_id"]) == (
        "olivia", "user-1", "user", "req-42")
    assert (row["entity_type"], row["entity_id"], row["tenant_id"]) == (
        "trade_event", str(old["id"]), tenant)
    assert row["before"] == {"state": "invalid", "version": 1,
                             "fields": {f"legs[{n}].notional.currency": "KRX" for n in (0, 1)}}
    assert row["after"]["fields"] == BOTH_LEGS_KRW
    assert (row["after"]["state"], row["after"]["new_event_id"], row["after"]["version"]) == (
        "superseded", str(new["id"]), 2)


def test_a_repair_still_wrong_stays_invalid_with_its_new_issues_as_preview_said(
        pipeline, db, tenant, ops):
    pipeline.upload("alpha-bank/a.csv", csv_file(csv_row(2, counterparty=BAD_LEI)))
    pipeline.run()
    [old] = events(db, tenant, uti(2))
    changes = {"counterparty_2.identifier": demo_lei(100), "legs[0].notional.currency": "KRX"}
    before = counts(db)
    with db.tenant(tenant) as conn:
        preview = preview_repair(conn, old["id"], changes, VIEWER)  # reading: any role
    assert counts(db) == before  # the preview wrote nothing
    assert not preview.valid and rules(preview.issues) == {"SR-EC-023"}
    # the counterparty's new LEI carries over to the legs' payer and receiver that named it
    assert set(preview.changed) == {*changes, "legs[0].receiver", "legs[1].payer"}
    assert {preview.changed[p]["after"] for p in ("legs[0].receiver", "legs[1].payer")} == {
        demo_lei(100)}

    with db.tenant(tenant) as conn:
        outcome = repair(conn, old["id"], changes, OPERATOR, send=ops)
    pipeline.run()
    _, second = events(db, tenant, uti(2))
    with db.tenant(tenant) as conn:
        assert second["state"] == "invalid"
        assert rules(open_issues(conn, second["id"])) == rules(preview.issues)
        # the old version is history: repairing it again points at the current one
        with pytest.raises(Conflict, match=f"superseded.*version 2 \\({second['id']}"):
            repair(conn, old["id"], {"legs[0].notional.currency": "KRW"}, OPERATOR, send=ops)
        fixed = preview_repair(conn, outcome.new_event_id,
                               {"legs[0].notional.currency": "KRW"}, OPERATOR)
        assert fixed.valid and not fixed.errors
        third = repair(conn, outcome.new_event_id, {"legs[0].notional.currency": "KRW"},
                       OPERATOR, send=ops)
    pipeline.run()
    assert [e["state"] for e in events(db, tenant, uti(2))] == ["superseded", "superseded",
                                                                "valid"]
    assert third.version == 3 and len(audits(db, tenant, "event.repair")) == 2


def test_an_unusable_repair_names_every_field_and_writes_nothing(pipeline, db, tenant, ops):
    pipeline.upload("alpha-bank/a.csv", csv_file(csv_row(3, currency="KRX"), csv_row(1)))
    pipeline.run()
    [bad], [good] = events(db, tenant, uti(3)), events(db, tenant, uti(1))
    before = counts(db)
    with db.tenant(tenant) as conn:
        with pytest.raises(InvalidRepair) as refused:
            repair(conn, bad["id"], {"legs[0].notional.curency": "KRW", "expiry": "2030-01-01",
                                     "source.file": "x.csv"}, OPERATOR, send=ops)
        assert {e.field for e in refused.value.errors} == {
            "legs[0].notional.curency", "expiry", "source.file"}
        assert "did you mean 'currency'" in str(refused.value)
        with pytest.raises(InvalidRepair) as refused:
            repair(conn, bad["id"], {"expiration_date": "31/12/2030",
                                     "legs[0].notional.amount": "lots"}, OPERATOR, send=ops)
        assert {e.field for e in refused.value.errors} == {"expiration_date",
                                                           "legs[0].notional.amount"}
        with pytest.raises(Conflict, match="change nothing"):
            repair(conn, bad["id"], {"legs[0].notional.currency": "KRX"}, OPERATOR, send=ops)
        with pytest.raises(Conflict, match="is valid: only an invalid or NACKed"):
            repair(conn, good["id"], {"legs[0].notional.currency": "USD"}, OPERATOR, send=ops)
        preview = preview_repair(conn, bad["id"], {"legz": 1}, OPERATOR)
        assert [e.field for e in preview.errors] == ["legz"] and not preview.valid
    assert counts(db) == before


def test_a_modi_refused_for_its_invalid_newt_passes_once_the_newt_is_repaired(
        pipeline, db, tenant, ops):
    pipeline.upload("alpha-bank/a.csv", csv_file(
        csv_row(4, currency="KRX"), csv_row(4, "MODI", event_ts="2026-11-20T05:00:00Z")))
    pipeline.run()
    [newt], [modi] = events(db, tenant, uti(4)), events(db, tenant, uti(4), "MODI")
    assert (newt["state"], modi["state"]) == ("invalid", "invalid")
    with db.tenant(tenant) as conn:
        repair(conn, newt["id"], BOTH_LEGS_KRW, OPERATOR, send=ops)
    pipeline.run()
    with db.tenant(tenant) as conn:
        [outcome] = revalidate(conn, [modi["id"]], OPERATOR, send=ops)
        assert outcome.outcome == "queued"
        [again] = revalidate(conn, [newt["id"]], OPERATOR, send=ops)  # superseded now
        assert again.outcome == "conflict" and "superseded" in again.message
    pipeline.run()
    [modi] = events(db, tenant, uti(4), "MODI")
    with db.tenant(tenant) as conn:
        assert modi["state"] == "valid" and not open_issues(conn, modi["id"])
    [row] = audits(db, tenant, "event.revalidate")
    assert (row["before"], row["after"]) == ({"state": "invalid"}, {"state": "received"})


# -- resubmit and cancel ---------------------------------------------------------------------


def test_a_resubmitted_nack_goes_out_again_in_the_next_report_file(pipeline, db, tenant, ops):
    pipeline.upload("alpha-bank/a.csv", csv_file(csv_row(1), csv_row(3, currency="KRX")))
    pipeline.run()
    [first] = generate(db, tenant, pipeline).files
    [event], [invalid] = events(db, tenant, uti(1)), events(db, tenant, uti(3))
    nack(db, pipeline, tenant, event["id"])
    assert events(db, tenant, uti(1))[0]["state"] == "nacked"
    assert not generate(db, tenant, pipeline).files  # a NACKed event is not sent by itself

    with db.tenant(tenant) as conn:  # a NACK for bad data could be repaired too
        assert preview_repair(conn, event["id"], {"counterparty_2.name": "Beta"}, OPERATOR).valid
        outcomes = resubmit(conn, [event["id"], invalid["id"], "no-such-id", event["id"]],
                            OPERATOR, send=ops)
    assert [(o.id, o.outcome) for o in outcomes] == [
        (str(event["id"]), "resubmitted"), (str(invalid["id"]), "conflict"),
        ("no-such-id", "not_found")]
    assert "repair it instead" in outcomes[1].message
    [again] = events(db, tenant, uti(1))
    assert (again["state"], again["reported_regimes"]) == ("valid", [])
    [nudge] = [b for b in pipeline.bodies("generate") if b["key"].startswith("resubmit:")]
    assert (nudge["tenant_id"], nudge["regime"]) == (str(tenant), "krx")

    [second] = generate(db, tenant, pipeline).files
    assert second.report_file_id != first.report_file_id and second.record_count == 1
    with db.tenant(tenant) as conn:
        item = conn.execute("SELECT event_id, status FROM report_items WHERE report_file_id"
                            " = %s", (second.report_file_id,)).fetchone()
    assert (item["event_id"], item["status"]) == (event["id"], "pending")
    assert events(db, tenant, uti(1))[0]["state"] == "reported"
    [row] = audits(db, tenant, "event.resubmit")
    assert row["before"]["state"] == "nacked" and row["before"]["reported_regimes"] == ["krx"]
    assert [n["tr_code"] for n in row["before"]["nacks"]] == ["TR-LC-001"]
    assert row["after"] == {"state": "valid", "reported_regimes": [], "resend_to": ["krx"]}


def test_cancel_only_what_the_tr_has_not_got(pipeline, db, tenant, ops):
    pipeline.upload("alpha-bank/a.csv", csv_file(
        csv_row(1), csv_row(3, currency="KRX"), csv_row(5)))
    pipeline.run()
    [sent], [invalid], [valid] = (events(db, tenant, uti(n)) for n in (1, 3, 5))
    with db.tenant(tenant) as conn:
        with pytest.raises(InvalidRequest, match="reason is required"):
            cancel(conn, [valid["id"]], OPERATOR, "  ")
        first = cancel(conn, [invalid["id"], valid["id"]], OPERATOR, "booked twice")
    assert [o.outcome for o in first] == ["cancelled", "cancelled"]
    [report] = generate(db, tenant, pipeline).files
    assert report.record_count == 1  # the cancelled valid event was not reported
    with db.tenant(tenant) as conn:
        second = cancel(conn, [sent["id"], invalid["id"]], OPERATOR, "booked twice")
    assert [o.outcome for o in second] == ["conflict", "conflict"]
    assert "is reported" in second[0].message and "EROR" in second[0].message
    assert "is cancelled" in second[1].message
    assert [events(db, tenant, uti(n))[0]["state"] for n in (1, 3, 5)] == [
        "reported", "cancelled", "cancelled"]
    with db.tenant(tenant) as conn:
        assert not open_issues(conn, invalid["id"])
        trade = conn.execute("SELECT state FROM trades WHERE uti = %s", (uti(3),)).fetchone()
    assert trade["state"] == "cancelled"
    rows = audits(db, tenant, "event.cancel")
    assert [(r["entity_id"], r["before"]["state"]) for r in rows] == [
        (str(invalid["id"]), "invalid"), (str(valid["id"]), "valid")]
    assert rows[0]["after"] == {"state": "cancelled", "reason": "booked twice",
                                "resolved_issues": 2}  # SR-EC-023 on each leg


# -- redrive, triage, roles and tenants ------------------------------------------------------


def dead_letters(db, queue_name, tenants):
    """One dead letter per tenant given, made by the queue port itself."""
    port = PostgresQueue(db, policy=RetryPolicy(max_receives=1))
    port.send(queue_name, [OutgoingMessage({"n": n}, tenant_id=t) for n, t in enumerate(tenants)])
    for message in port.receive(queue_name, 10, 30):
        port.retry(message, "boom")
    return {d.body["n"]: d for d in port.dead_letters(queue_name)}


def test_a_tenant_operator_redrives_only_its_own_dead_letters(db, tenant, beta):
    letters = dead_letters(db, "ops-test", [tenant, tenant, beta])
    port = PostgresQueue(db)
    with pytest.raises(Forbidden, match="own tenant"):
        redrive(db, port, "ops-test", None, OPERATOR)
    outcome = redrive(db, port, "ops-test", [letters[0].id, letters[2].id], OPERATOR,
                      tenant_id=tenant)
    assert outcome.redriven == 1
    assert [(i.id, i.outcome) for i in outcome.items] == [
        (letters[2].id, "not_found"), (letters[0].id, "redriven")]  # beta's is not seen
    outcome = redrive(db, port, "ops-test", None, OPERATOR, tenant_id=tenant)
    assert outcome.redriven == 1 and [i.id for i in outcome.items] == [letters[1].id]
    assert [d.tenant_id for d in port.dead_letters("ops-test")] == [str(beta)]
    assert redrive(db, port, "ops-test", None, PLATFORM).redriven == 1  # the platform: all
    assert port.metrics("ops-test").visible == 3 and not port.dead_letters("ops-test")
    rows = audits(db, tenant, "dead_letter.redrive")
    assert [r["entity_id"] for r in rows] == [f"ops-test/{letters[0].id}",
                                              f"ops-test/{letters[1].id}"]
    assert rows[0]["before"]["error"] == "boom" and rows[0]["actor"] == "olivia"
    [beta_row] = audits(db, beta, "dead_letter.redrive")
    assert beta_row["actor"] == "platform-ops"


def test_issues_are_assigned_and_resolved_and_alerts_acked(pipeline, db, tenant):
    pipeline.upload("alpha-bank/a.csv", csv_file(csv_row(2, counterparty=BAD_LEI)))
    pipeline.run()
    with db.tenant(tenant) as conn:
        [issue] = list_issues(conn)
        assert (issue["rule_id"], issue["row_no"], issue["object_key"]) == (
            "SR-ID-004", 1, "alpha-bank/a.csv")
        [assigned] = assign_issues(conn, [issue["id"]], "kim", OPERATOR)
        assert assigned.outcome == "assigned"
        [listed] = list_issues(conn)  # open includes assigned
        assert (listed["status"], listed["assignee"]) == ("assigned", "kim")
        resolved = resolve_issues(conn, [issue["id"], issue["id"] + 1000], OPERATOR,
                                  note="LEI confirmed by phone")
        assert [o.outcome for o in resolved] == ["resolved", "not_found"]
        [again] = resolve_issues(conn, [issue["id"]], OPERATOR)
        assert again.outcome == "conflict" and "resolved already" in again.message
        assert not list_issues(conn) and list_issues(conn, status="resolved")
        raise_alert(conn, tenant_id=tenant, kind="tr.nack", severity="warning",
                    dedup_key="x", summary="NACKs", details={})
        alert_id = conn.execute("SELECT id FROM alerts").fetchone()["id"]
        assert ack_alert(conn, alert_id, OPERATOR).outcome == "acked"
        with pytest.raises(Conflict, match="acknowledged already by olivia"):
            ack_alert(conn, alert_id, OPERATOR)
        alert = conn.execute("SELECT status, acked_by, acked_at FROM alerts").fetchone()
    assert (alert["status"], alert["acked_by"]) == ("acked", "olivia") and alert["acked_at"]
    [assign_row] = audits(db, tenant, "issue.assign")
    assert (assign_row["before"], assign_row["after"]) == (
        {"status": "open", "assignee": None}, {"status": "assigned", "assignee": "kim"})
    [resolve_row] = audits(db, tenant, "issue.resolve")
    assert resolve_row["after"] == {"status": "resolved", "note": "LEI confirmed by phone"}
    assert audits(db, tenant, "alert.ack")[0]["entity_id"] == str(alert_id)


def test_a_viewer_may_look_but_not_act(pipeline, db, tenant, ops):
    pipeline.upload("alpha-bank/a.csv", csv_file(csv_row(3, currency="KRX")))
    pipeline.run()
    [event] = events(db, tenant, uti(3))
    before = counts(db)
    with db.tenant(tenant) as conn:
        issue = list_issues(conn)[0]  # reading is fine
        for act in (
            lambda: repair(conn, event["id"], {"legs[0].notional.currency": "KRW"}, VIEWER,
                           send=ops),
            lambda: cancel(conn, [event["id"]], VIEWER, "no"),
            lambda: resubmit(conn, [event["id"]], VIEWER, send=ops),
            lambda: revalidate(conn, [event["id"]], VIEWER, send=ops),
            lambda: assign_issues(conn, [issue["id"]], "kim", VIEWER),
            lambda: resolve_issues(conn, [issue["id"]], VIEWER),
            lambda: redrive(db, PostgresQueue(db), "validate", None, VIEWER, tenant_id=tenant),
        ):
            with pytest.raises(Forbidden, match=r"victor \(viewer\) may not"):
                act()
    assert counts(db) == before


def test_another_tenant_cannot_see_or_touch_the_event(pipeline, db, tenant, beta, ops):
    pipeline.upload("alpha-bank/a.csv", csv_file(csv_row(3, currency="KRX")))
    pipeline.run()
    [event] = events(db, tenant, uti(3))
    with db.tenant(beta) as conn:
        assert list_issues(conn) == []  # beta sees none of alpha's issues
        with pytest.raises(NotFound, match=f"event {event['id']} not found"):
            repair(conn, event["id"], {"legs[0].notional.currency": "KRW"}, OPERATOR,
                   send=ops)
        with pytest.raises(NotFound):
            preview_repair(conn, event["id"], {"legs[0].notional.currency": "KRW"}, OPERATOR)
        assert [o.outcome for o in cancel(conn, [event["id"]], OPERATOR, "mine")] == [
            "not_found"]
    assert [e["state"] for e in events(db, tenant, uti(3))] == ["invalid"]
    assert not audits(db, tenant, "event.cancel") and not audits(db, beta, "event.cancel")


# -- the CLI ---------------------------------------------------------------------------------


def test_the_cli_repairs_previews_and_cancels(pipeline, db, tenant, beta, database_url):
    pipeline.upload("alpha-bank/a.csv", csv_file(csv_row(3, currency="KRX"), csv_row(5)))
    pipeline.run()
    [bad], [good] = events(db, tenant, uti(3)), events(db, tenant, uti(5))
    runner = CliRunner()

    def ops_cmd(*args):
        return runner.invoke(ops_cli, ["--database-url", database_url, *args])

    fix = ["--set", "legs[0].notional.currency=KRW", "--set", "legs[1].notional.currency=krw"]
    preview = ops_cmd("repair", str(bad["id"]), *fix, "--preview")
    assert preview.exit_code == 0, preview.output
    assert "'KRX' -> 'KRW'" in preview.output and "would be valid" in preview.output
    refused = ops_cmd("repair", str(bad["id"]), "--set", "legs[0].notional.curency=KRW")
    assert refused.exit_code == 1 and "legs[0].notional.curency: unknown field" in refused.output
    hidden = ops_cmd("--tenant", "beta-securities", "repair", str(bad["id"]), "--set",
                     "legs[0].notional.currency=KRW")
    assert hidden.exit_code == 1 and "not found" in hidden.output
    done = ops_cmd("repair", str(bad["id"]), *fix)
    assert done.exit_code == 0, done.output
    assert f"repaired {bad['id']} -> " in done.output and "version 2" in done.output
    pipeline.run()
    assert [e["state"] for e in events(db, tenant, uti(3))] == ["superseded", "valid"]

    assert ops_cmd("cancel", str(good["id"])).exit_code == 2  # --reason is required
    cancelled = ops_cmd("cancel", str(good["id"]), "no-such-event", "--reason", "test trade")
    assert cancelled.exit_code == 1  # one of the ids was refused
    assert f"{good['id']}  cancelled" in cancelled.output
    assert "no-such-event  not_found" in cancelled.output
    [row] = audits(db, tenant, "event.cancel")
    assert (row["actor"], row["actor_type"], row["after"]["reason"]) == (
        f"cli:{getpass.getuser()}", "system", "test trade")
    listed = ops_cmd("--tenant", "alpha-bank", "issues", "--status", "all")
    assert listed.exit_code == 0 and "SR-EC-023" in listed.output and "resolved" in listed.output
