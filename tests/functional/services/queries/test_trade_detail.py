"""Trade detail: every event version in order with field diffs, and everything attached to
the UTI's events; nothing of it through another tenant."""

from __future__ import annotations

import pytest

from shared.services.reads.trades import trade_detail
from tests.functional.services.queries import seed
from tests.functional.services.queries.seed import at, lei

pytestmark = pytest.mark.functional

UTI = "UTIDETAIL0001"


def payload(notional: str, rate: str, **extra) -> dict:
    return {"uti": UTI, "notional": {"amount": notional, "currency": "KRW"},
            "fixed_rate": rate, "counterparty_2": {"identifier": lei(7), "name": "Gamma"},
            "schedule": [1, 2, 3], **extra}


@pytest.fixture
def history(db, two_tenants):
    a, b = two_tenants
    newt = seed.event(db, a, UTI, action="NEWT", ts=at(0), payload=payload("100", "3.1"))
    # created later but earlier in time: the detail orders by event timestamp
    modi = seed.event(db, a, UTI, action="MODI", ts=at(5),
                      payload=payload("150", "3.1", cleared=True), state="nacked")
    valu = seed.event(db, a, UTI, action="VALU", ts=at(2),
                      payload=payload("100", "3.25", schedule=[1, 2]), state="invalid")
    # the name comes from the latest event (trigger of migration 0008), not from the insert
    seed.trade(db, a, UTI, state="invalid", cp2=lei(7), last_event_id=modi)
    issue = seed.issue(db, a, valu, "SR-NT-001")
    report = seed.report_file(db, a, [newt, modi], statuses=["acked", "nacked"],
                              codes=[None, "TR-LC-001"], tr_message_id="TR-1",
                              status="partially_acked")
    seed.audit(db, a, action="trade_event.repaired", entity_type="trade_event",
               entity_id=str(valu))
    seed.audit(db, a, action="trade.note", entity_type="trade", entity_id=UTI)
    seed.audit(db, a, action="trade.note", entity_type="trade", entity_id="OTHER")
    # tenant B: the same UTI text, its own trade
    seed.event(db, b, UTI, action="NEWT", ts=at(0), payload={"uti": UTI, "secret": "b"})
    return {"a": a, "b": b, "newt": newt, "modi": modi, "valu": valu, "issue": issue,
            "report": report}


def test_events_in_order_with_field_diffs(db, history):
    with db.tenant(history["a"]) as conn:
        detail = trade_detail(conn, UTI)
    events = detail["events"]
    assert [e["action_type"] for e in events] == ["NEWT", "VALU", "MODI"]
    assert events[0]["changes"] is None
    assert events[1]["changes"] == [
        {"field": "fixed_rate", "before": "3.1", "after": "3.25"},
        {"field": "schedule", "before": [1, 2, 3], "after": [1, 2]},
    ]
    assert events[2]["changes"] == [
        {"field": "cleared", "before": None, "after": True, "added": True},
        {"field": "fixed_rate", "before": "3.25", "after": "3.1"},
        {"field": "notional.amount", "before": "100", "after": "150"},
        {"field": "schedule", "before": [1, 2], "after": [1, 2, 3]},
    ]
    assert detail["trade"]["state"] == "invalid"
    assert detail["trade"]["counterparty_2_name"] == "Gamma"


def test_issues_items_submissions_feedback_and_audit_are_attached(db, history):
    with db.tenant(history["a"]) as conn:
        detail = trade_detail(conn, UTI)
    by_action = {e["action_type"]: e for e in detail["events"]}
    assert [i["rule_id"] for i in by_action["VALU"]["issues"]] == ["SR-NT-001"]
    assert by_action["NEWT"]["issues"] == []
    assert [(i["status"], i["tr_code"], i["tr_message_id"])
            for i in by_action["MODI"]["report_items"]] == [("nacked", "TR-LC-001", "TR-1")]
    assert [s["report_file_id"] for s in detail["submissions"]] == [str(history["report"])]
    assert [(f["ack_count"], f["nack_count"]) for f in detail["feedback"]] == [(1, 1)]
    assert [a["action"] for a in detail["audit"]] == ["trade_event.repaired", "trade.note"]
    assert detail["events_truncated"] is False
    assert isinstance(detail["events"][0]["event_timestamp"], str)


def test_unknown_or_foreign_utis_answer_none(db, history):
    with db.tenant(history["a"]) as conn:
        assert trade_detail(conn, "NOPE") is None
        assert trade_detail(conn, "' OR 1=1 --") is None
        assert trade_detail(conn, "") is None
    with db.tenant(history["b"]) as conn:
        detail = trade_detail(conn, UTI)
    # B's own event only: none of A's versions, issues, reports or audit rows
    assert [e["payload"] for e in detail["events"]] == [{"uti": UTI, "secret": "b"}]
    assert detail["trade"] is None
    assert detail["submissions"] == detail["feedback"] == detail["audit"] == []
    assert detail["events"][0]["issues"] == detail["events"][0]["report_items"] == []


def test_versions_number_the_trades_events_not_each_events_repairs(db, history):
    """Every event's own `version` is 1 (it counts repairs of that one event); the trade's
    versions are its events numbered in lifecycle order, a repair being the next one."""
    a = history["a"]
    repaired = seed.event(db, a, UTI, action="VALU", ts=at(2), state="valid",
                          payload=payload("100", "3.30", schedule=[1, 2]))
    with db.tenant(a) as conn:
        conn.execute("UPDATE trade_events SET version = 2, supersedes = %s WHERE id = %s",
                     (history["valu"], repaired))
        conn.execute("UPDATE trade_events SET state = 'superseded' WHERE id = %s",
                     (history["valu"],))
        detail = trade_detail(conn, UTI)
    events = detail["events"]
    assert [(e["seq"], e["action_type"], e["version"]) for e in events] == [
        (1, "NEWT", 1), (2, "VALU", 1), (3, "VALU", 2), (4, "MODI", 1)]
    assert events[2]["supersedes"] == str(history["valu"])
    assert events[2]["changes"] == [{"field": "fixed_rate", "before": "3.25", "after": "3.30"}]


def test_current_fields_are_the_latest_events_and_a_first_version_has_them_too(db, two_tenants):
    a, _ = two_tenants
    first = seed.event(db, a, "UTINEWONLY", state="nacked",
                       payload={"uti": "UTINEWONLY", "counterparty_2": {"identifier": lei(9)}})
    with db.tenant(a) as conn:
        detail = trade_detail(conn, "UTINEWONLY")
    # no trade row yet (nothing accepted): the one event's fields are still the trade's
    assert detail["trade"] is None
    assert detail["current"] == {"event_id": str(first), "seq": 1, "payload": {
        "uti": "UTINEWONLY", "counterparty_2": {"identifier": lei(9)}}}


def test_tr_status_is_this_trades_latest_item_per_regime_not_the_files(db, history):
    a = history["a"]
    other = seed.event(db, a, "UTIOTHER", state="nacked")
    # a later file for the MODI under EMIR, shared with another trade that the TR rejected
    emir = seed.report_file(db, a, [history["modi"], other], statuses=["acked", "nacked"],
                            codes=[None, "TR-ID-003"], regime="emir", tr_message_id="TR-2",
                            created=at(9), status="partially_acked")
    with db.tenant(a) as conn:
        detail = trade_detail(conn, UTI)
    assert [(s["regime"], s["status"], s["tr_code"], s["tr_message"], s["seq"],
             s["report_file_id"]) for s in detail["tr_status"]] == [
        ("emir", "acked", None, None, 3, str(emir)),
        ("krx", "nacked", "TR-LC-001", "TR-LC-001 message", 3, str(history["report"])),
    ]
    assert "TR-ID-003" not in str(detail["tr_status"])


def test_deadline_is_the_earliest_owed_then_whether_it_was_met(db, two_tenants):
    a, _ = two_tenants
    now = at(10)
    seed.event(db, a, "UTIDUE", ts=at(0), state="acked", deadline=at(20), updated=at(1))
    owed = seed.event(db, a, "UTIDUE", action="MODI", ts=at(1), state="nacked",
                      deadline=at(12))
    seed.event(db, a, "UTIDUE", action="VALU", ts=at(2), state="invalid", deadline=at(30))
    seed.event(db, a, "UTIMET", ts=at(0), state="acked", deadline=at(5), updated=at(4))
    seed.event(db, a, "UTIMISSED", ts=at(0), state="acked", deadline=at(5), updated=at(6))
    seed.event(db, a, "UTINODEADLINE", ts=at(0), state="valid")
    with db.tenant(a) as conn:
        due = trade_detail(conn, "UTIDUE", now=now)["deadline"]
        late = trade_detail(conn, "UTIDUE", now=at(13))["deadline"]
        met = trade_detail(conn, "UTIMET", now=now)["deadline"]
        missed = trade_detail(conn, "UTIMISSED", now=now)["deadline"]
        none = trade_detail(conn, "UTINODEADLINE", now=now)["deadline"]
    assert (due["status"], due["due_at"], due["event_id"], due["seq"]) == (
        "open", at(12).isoformat(), str(owed), 2)
    assert (late["status"], late["due_at"]) == ("late", at(12).isoformat())
    assert (met["status"], met["due_at"]) == ("met", at(5).isoformat())
    assert missed["status"] == "missed"
    assert (none["status"], none["due_at"]) == ("none", None)
