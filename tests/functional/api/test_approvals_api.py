"""Four-eyes approval through the real api action on real PostgreSQL: a repair, a bulk repair
or a cancellation above the tenant's threshold waits for a second user, the same user cannot
approve it, another can, and both are in the audit (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.db import approvals as approvals_db
from shared.platform import tokens
from tests.functional.api import test_operations_api as operations
from tests.functional.api.test_auth import SECRET, add_user
from tests.functional.services import pipeline_support

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant
api, beta, invalid = operations.api, operations.beta, operations.invalid
people, wakeups = operations.people, operations.wakeups
BOTH_LEGS_KRW = operations.BOTH_LEGS_KRW


@pytest.fixture
def olga(db, tenant) -> str:
    """A second operator of alpha's: the other pair of eyes."""
    user_id = add_user(db, tenant, "olga", "operator")
    return tokens.mint(SECRET, subject=user_id, tenant_id=str(tenant), tenant_slug="alpha-bank",
                       role="operator")


def _policy(api, people, window_hours=24, **thresholds):
    status, saved, _ = api("PUT", "/api/approvals/policy",
                           {"thresholds": thresholds, "validity_hours": 24,
                            "window_hours": window_hours}, token=people["alice"])
    assert status == 200, saved
    return saved


def _state(db, tenant, event_id):
    with db.tenant(tenant) as conn:
        return conn.execute("SELECT state FROM trade_events WHERE id = %s",
                            (event_id,)).fetchone()["state"]


def test_without_a_policy_an_operator_acts_alone(api, db, tenant, people, invalid):
    event_id = str(invalid[0]["id"])
    status, outcome, _ = api("POST", f"/api/events/{event_id}/repair",
                             {"changes": BOTH_LEGS_KRW}, token=people["otto"])
    assert status == 200 and outcome["version"] == 2


def test_a_repair_above_the_threshold_waits_and_the_same_user_cannot_approve_it(
        api, db, tenant, people, invalid, olga):
    _policy(api, people, repair=1)
    event_id = str(invalid[0]["id"])
    status, held, _ = api("POST", f"/api/events/{event_id}/repair", {"changes": BOTH_LEGS_KRW},
                          token=people["otto"])
    assert status == 202 and held["status"] == "pending_approval"
    approval = held["approval"]
    assert (approval["kind"], approval["events"], approval["requested_by_name"]) == (
        "repair", 1, "otto")
    assert _state(db, tenant, event_id) == "invalid"  # nothing done yet

    status, listed, _ = api("GET", "/api/approvals", token=people["victor"], query="status=pending")
    assert status == 200 and [a["id"] for a in listed["items"]] == [approval["id"]]

    status, problem, _ = api("POST", f"/api/approvals/{approval['id']}/approve",
                             token=people["otto"])
    assert status == 403 and problem["reason"] == "same_user"
    assert "another user" in problem["detail"]
    # a viewer is no second pair of eyes either
    status, _, _ = api("POST", f"/api/approvals/{approval['id']}/approve", token=people["victor"])
    assert status == 403

    status, decided, _ = api("POST", f"/api/approvals/{approval['id']}/approve", token=olga)
    assert status == 200, decided
    assert (decided["status"], decided["decided_by_name"]) == ("approved", "olga")
    assert decided["outcome"]["version"] == 2
    assert _state(db, tenant, event_id) == "superseded"  # the repair ran

    status, problem, _ = api("POST", f"/api/approvals/{approval['id']}/approve", token=olga)
    assert status == 409 and problem["reason"] == "already_approved"
    with db.tenant(tenant) as conn:
        trail = conn.execute(
            "SELECT action, actor FROM audit_log WHERE action LIKE 'approval.%%'"
            " OR action = 'event.repair' ORDER BY id").fetchall()
    assert [(r["action"], r["actor"]) for r in trail] == [
        ("approval.request", "otto"), ("event.repair", "olga"), ("approval.approve", "olga")]


def test_a_bulk_cancel_below_the_threshold_runs_and_above_it_waits(
        api, db, tenant, people, invalid, olga):
    _policy(api, people, cancel=3, window_hours=0)  # each request judged on its own
    ids = [str(r["id"]) for r in invalid]
    status, done, _ = api("POST", "/api/events/cancel",
                          {"event_ids": ids[:2], "reason": "booked twice"}, token=people["otto"])
    assert status == 200 and done["ok"] == 2
    status, held, _ = api("POST", "/api/events/cancel",
                          {"event_ids": [ids[2], ids[2], ids[0]], "reason": "booked twice"},
                          token=people["otto"])
    assert status == 200  # two distinct events: below three, not held
    status, held, _ = api("POST", "/api/events/cancel", {"event_ids": ids, "reason": "again"},
                          token=people["otto"])
    assert status == 202 and held["approval"]["events"] == 3


def test_cancellations_split_under_the_threshold_wait_once_their_sum_reaches_it(
        api, db, tenant, people, invalid, olga):
    """One user's cancellations within the window add up: splitting a bulk cancel into
    requests under the threshold does not get round the second pair of eyes."""
    _policy(api, people, cancel=3)  # the default window: 24 hours
    ids = [str(r["id"]) for r in invalid]
    status, done, _ = api("POST", "/api/events/cancel",
                          {"event_ids": ids[:2], "reason": "booked twice"}, token=people["otto"])
    assert status == 200 and done["ok"] == 2
    status, held, _ = api("POST", "/api/events/cancel",
                          {"event_ids": ids[2:], "reason": "booked twice"}, token=people["otto"])
    assert status == 202 and held["approval"]["events"] == 1  # 2 earlier + 1 reach 3
    assert _state(db, tenant, ids[2]) == "invalid"
    # olga approves it: the cancellation runs as her, but had its second pair of eyes, so it
    # does not count towards her own later requests
    status, decided, _ = api("POST", f"/api/approvals/{held['approval']['id']}/approve",
                             token=olga)
    assert status == 200 and decided["outcome"]["ok"] == 1
    assert _state(db, tenant, ids[2]) == "cancelled"
    with db.tenant(tenant) as conn:
        since = datetime(2000, 1, 1, tzinfo=UTC)
        assert approvals_db.recent_events(conn, actor_id=_user_id(db, "olga"),
                                          actions=["event.cancel"], since=since) == 0
        assert approvals_db.recent_events(conn, actor_id=_user_id(db, "otto"),
                                          actions=["event.cancel"], since=since) == 2


def _user_id(db, username: str) -> str:
    with db.system() as conn:
        return str(conn.execute("SELECT id FROM users WHERE username = %s",
                                (username,)).fetchone()["id"])


def test_a_rejected_or_withdrawn_request_does_nothing(api, db, tenant, people, invalid, olga):
    _policy(api, people, bulk_repair=2)
    ids = [str(r["id"]) for r in invalid]
    body = {"event_ids": ids, "changes": [{"field": "legs[0].notional.currency", "value": "KRW"},
                                          {"field": "legs[1].notional.currency", "value": "KRW"}]}
    status, held, _ = api("POST", "/api/events/repair/bulk", body, token=people["otto"])
    assert status == 202 and held["approval"]["request"]["event_ids"] == ids
    approval_id = held["approval"]["id"]
    status, decided, _ = api("POST", f"/api/approvals/{approval_id}/reject",
                             {"note": "wrong currency, use USD"}, token=olga)
    assert status == 200 and (decided["status"], decided["note"]) == (
        "rejected", "wrong currency, use USD")
    assert {_state(db, tenant, i) for i in ids} == {"invalid"}
    # the requester may withdraw their own next request
    status, held, _ = api("POST", "/api/events/repair/bulk", body, token=people["otto"])
    status, decided, _ = api("POST", f"/api/approvals/{held['approval']['id']}/reject",
                             token=people["otto"])
    assert status == 200 and decided["decided_by_name"] == "otto"
    # a preview is never held: it writes nothing
    status, preview, _ = api("POST", "/api/events/repair/bulk", {**body, "preview": True},
                             token=people["otto"])
    assert status == 200 and len(preview["items"]) == 3


def test_an_expired_request_cannot_be_approved(api, db, tenant, people, invalid, olga):
    _policy(api, people, repair=1)
    event_id = str(invalid[0]["id"])
    _, held, _ = api("POST", f"/api/events/{event_id}/repair", {"changes": BOTH_LEGS_KRW},
                     token=people["otto"])
    with db.tenant(tenant) as conn:  # a day and a bit later
        conn.execute("UPDATE approval_requests SET requested_at = requested_at - %s,"
                     " expires_at = expires_at - %s", (timedelta(days=2), timedelta(days=2)))
    status, problem, _ = api("POST", f"/api/approvals/{held['approval']['id']}/approve",
                             token=olga)
    assert status == 409 and problem["reason"] == "already_expired"
    _, listed, _ = api("GET", "/api/approvals", token=olga, query="status=expired")
    assert [a["id"] for a in listed["items"]] == [held["approval"]["id"]]
    assert _state(db, tenant, event_id) == "invalid"


def test_the_policy_is_the_admins_and_is_validated(api, db, tenant, people):
    status, problem, _ = api("PUT", "/api/approvals/policy", {"thresholds": {"repair": 1}},
                             token=people["otto"])
    assert status == 403
    status, problem, _ = api("PUT", "/api/approvals/policy", {"thresholds": {"repair": 0}},
                             token=people["alice"])
    assert status == 422 and "thresholds.repair" in str(problem["errors"])
    status, problem, _ = api("PUT", "/api/approvals/policy", {"thresholds": {"delete": 1}},
                             token=people["alice"])
    assert status == 422
    saved = _policy(api, people, repair=1, cancel=10)
    assert saved == {"thresholds": {"repair": 1, "cancel": 10}, "validity_hours": 24.0,
                     "window_hours": 24.0}
    status, read, _ = api("GET", "/api/approvals/policy", token=people["victor"])
    assert status == 200 and read == saved
    with db.tenant(tenant) as conn:
        assert approvals_db.policy(conn)["thresholds"] == {"repair": 1, "cancel": 10}
        assert conn.execute("SELECT count(*) AS n FROM audit_log WHERE action ="
                            " 'approvals.policy'").fetchone()["n"] == 1


def test_the_database_refuses_a_self_approval_whatever_the_code(db, tenant, people, api):
    import psycopg

    with db.tenant(tenant) as conn:
        conn.execute("INSERT INTO approval_requests (tenant_id, kind, request, events,"
                     " requested_by, requested_by_name, requested_at, expires_at) VALUES"
                     " (app.current_tenant(), 'cancel', '{}', 1, 'u1', 'otto', now(),"
                     " now() + interval '1 day')")
    with pytest.raises(psycopg.errors.CheckViolation), db.tenant(tenant) as conn:
        conn.execute("UPDATE approval_requests SET status = 'approved', decided_by = 'u1'")
