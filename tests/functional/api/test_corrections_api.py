"""Verification and the correction clocks through the real api action, on the TR simulator's
end-of-day reports: a run finds the trade terminated here but open at the TR, its clock and
the break's are listed, the notice is drafted from them, an operator resolves one (audited),
a viewer may not act and another tenant sees nothing."""

from __future__ import annotations

import pytest

from tests.functional.api import test_operations_api as operations
from tests.functional.api import test_reconciliation_api as reconciliation

pytestmark = pytest.mark.functional

api, beta, people, wakeups = operations.api, operations.beta, operations.people, \
    operations.wakeups
tenant, reconciled = reconciliation.tenant, reconciliation.reconciled
A, B, C = reconciliation.A, reconciliation.B, reconciliation.C


def get(api, path, token, query=""):
    status, body, _ = api("GET", path, token=token, query=query)
    assert status == 200, body
    return body


def test_a_verification_run_finds_the_trade_open_at_the_tr_and_starts_clocks(
        api, db, people, reconciled):
    status, result, _ = api("POST", "/api/verifications/run", {"regime": "emir"},
                            token=people["otto"])
    assert status == 200, result
    [run] = result["runs"]
    # A and B agree field for field with what the TR holds from us; C ended here
    assert (run["status"], run["open_at_tr"], run["open_here"], run["findings"]) == (
        "completed", 3, 2, 1)
    log = get(api, "/api/verifications", people["victor"])
    [shown] = log["items"]
    assert (shown["trigger"], shown["run_by"], shown["regime"]) == ("manual", "otto", "emir")
    assert [(d["uti"], d["kind"]) for d in shown["details"]] == [(C, "open_at_tr")]
    clocks = {c["uti"]: c for c in get(api, "/api/corrections", people["victor"])["items"]}
    # C's break is the same error as the finding: one clock; B's break with the other side
    assert {(u, c["source"], c["kind"]) for u, c in clocks.items()} == {
        (C, "verification", "open_at_tr"), (B, "break", "field_mismatch")}
    c = clocks[C]
    # EMIR sets no period: the tenant's target of five business days, just started
    assert (c["state"], c["prescribed"], c["business_days"], c["zone"]) == (
        "on_track", False, 5, "UTC")
    assert c["business_days_left"] == 5
    assert operations.audit_rows(db, "verification.run")[0]["actor"] == "otto"


def test_the_notice_lists_the_open_clocks_and_an_operator_resolves_one(api, db, people,
                                                                        reconciled):
    api("POST", "/api/verifications/run", {}, token=people["otto"])
    notice = get(api, "/api/corrections/notice", people["victor"], "regime=emir")
    assert notice["kind"] == "emir_notification" and notice["clocks"] == 2
    assert "Scope of the affected reports" in notice["text"]
    assert f"UTIs: {min(B, C)}, {max(B, C)}" in notice["text"]
    status, problem, _ = api("GET", "/api/corrections/notice", token=people["victor"],
                             query="regime=mars")
    assert status == 422 and problem["errors"][0]["parameter"] == "regime"

    [clock] = get(api, "/api/corrections", people["otto"], f"uti={C}")["items"]
    path = f"/api/corrections/{clock['id']}/resolve"
    status, problem, _ = api("POST", path, {"note": "EROR"}, token=people["victor"])
    assert status == 403 and "operator" in problem["detail"]
    status, problem, _ = api("POST", path, {}, token=people["otto"])
    assert status == 422 and problem["errors"][0]["field"] == "note"
    status, _, _ = api("POST", path, {"note": "x"}, token=people["bob"])
    assert status == 404
    status, done, _ = api("POST", path, {"note": "TERM resubmitted, ACKed"},
                          token=people["otto"])
    assert status == 200, done
    assert (done["state"], done["resolved_by"], done["resolution_note"]) == (
        "resolved", "otto", "TERM resubmitted, ACKed")
    status, problem, _ = api("POST", path, {"note": "again"}, token=people["otto"])
    assert status == 409 and problem["reason"] == "already_resolved"
    assert operations.audit_rows(db, "correction.resolve")[0]["after"]["note"] == \
        "TERM resubmitted, ACKed"
    open_now = get(api, "/api/corrections", people["otto"], "state=on_track,at_risk,late")
    assert [c["uti"] for c in open_now["items"]] == [B]
    assert get(api, "/api/corrections", people["bob"])["items"] == []
    assert get(api, "/api/verifications", people["bob"])["items"] == []


def test_the_notice_once_sent_is_recorded_on_each_open_clock_with_its_reference(
        api, db, people, reconciled):
    api("POST", "/api/verifications/run", {}, token=people["otto"])
    path, sent = "/api/corrections/notice/sent", {"regime": "emir",
                                                  "reference": "NCA e-mail 2026-12-08 ref 77"}
    status, problem, _ = api("POST", path, sent, token=people["victor"])
    assert status == 403  # a viewer may read the draft, not say it was sent
    status, problem, _ = api("POST", path, {"regime": "emir", "reference": " "},
                             token=people["otto"])
    assert status == 422 and problem["errors"][0]["field"] == "reference"
    status, done, _ = api("POST", path, sent, token=people["otto"])
    assert status == 200, done
    clocks = get(api, "/api/corrections", people["otto"])["items"]
    assert sorted(done["clocks"]) == sorted(c["id"] for c in clocks) and len(clocks) == 2
    assert all(c["notified_at"] is not None for c in clocks)
    [row] = operations.audit_rows(db, "correction.notified")
    assert (row["actor"], row["after"]["reference"]) == ("otto", sent["reference"])
    # nothing left waiting for a notice: said, not silently recorded again
    status, problem, _ = api("POST", path, sent, token=people["otto"])
    assert status == 409 and problem["reason"] == "nothing_open"
    # another tenant's clocks are untouched by, and invisible to, this one
    status, problem, _ = api("POST", path, sent, token=people["bob"])
    assert status == 409
