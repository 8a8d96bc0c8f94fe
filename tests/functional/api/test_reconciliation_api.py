"""Reconciliation with the TR's end-of-day reports through the real api action: the TR's view
of one trade (pairing, matching, the differing fields, warnings), the breaks list and
figures, and the workflow on a break (assign, resolve with a note), role-checked, audited and
kept per tenant."""

from __future__ import annotations

import pytest

from tests.functional.api import test_operations_api as operations
from tests.functional.services.tr_reports_support import add_trades, deliver_all, send, trade
from tests.functional.trsim.factory import make_sim, make_store, uti

pytestmark = pytest.mark.functional

api, beta, people, wakeups = operations.api, operations.beta, operations.people, \
    operations.wakeups
A, B, C = uti("A"), uti("B"), uti("C")


@pytest.fixture
def tenant(db):
    with db.system() as conn:
        return conn.execute("INSERT INTO tenants (slug, name, lei) VALUES ('alpha-bank',"
                            " 'Alpha', '5299000ALPHABANK0192') RETURNING id").fetchone()["id"]


@pytest.fixture
def reconciled(db, s3_clean, tenant):
    """Alpha's EMIR trades A, B and C at the TR; the other side reports B's notional
    differently; C terminated here, its TERM refused by the TR (open there)."""
    from shared.domain.model import Party
    from tests.functional.trsim.factory import BAD_LEI

    store = make_store(s3_clean)
    with make_sim(s3_clean) as sim:
        send(db, store, sim, tenant, [trade(A), trade(B), trade(C)])
        send(db, store, sim, tenant, [trade(C, "TERM", counterparty_2=Party(
            identifier=BAD_LEI, reporting_obligation=True))])
        sim.set_counterparty(mode="mirror", differences={B: {"NtnlAmtFrstLeg":
                                                             "12000000000 KRW"}})
        deliver_all(db, store, sim.end_of_day())
    add_trades(db, tenant, A, B, C)
    return store


def _break(api, token, **query):
    status, page, _ = api("GET", "/api/reconciliation/breaks", token=token,
                          query="&".join(f"{k}={v}" for k, v in query.items()))
    assert status == 200, page
    return page


def test_the_trade_shows_its_pairing_matching_and_the_field_the_other_side_differs_on(
        api, people, reconciled):
    status, view, _ = api("GET", f"/api/trades/{B}/tr-view", token=people["victor"])
    assert status == 200, view
    [emir] = view["regimes"]
    assert (emir["regime"], emir["reconciliation"]["pairing"],
            emir["reconciliation"]["matching"]) == ("emir", "paired", "unmatched")
    assert emir["reconciliation"]["differences"] == [{
        "field": "NtnlAmtFrstLeg", "name": "Notional amount of leg 1",
        "ours": "10000000000 KRW", "theirs": "12000000000 KRW"}]
    assert emir["state"]["last_action"] == "NEWT" and emir["state"]["open"] is True
    assert [w["kind"] for w in emir["warnings"]] == ["no_valuation"]
    assert [(b["kind"], b["status"]) for b in emir["breaks"]] == [("field_mismatch", "open")]
    status, matched, _ = api("GET", f"/api/trades/{A}/tr-view", token=people["victor"])
    assert matched["regimes"][0]["reconciliation"]["matching"] == "matched"


def test_the_breaks_list_filters_and_the_summary_counts(api, people, reconciled):
    page = _break(api, people["victor"])
    assert {(b["uti"], b["kind"]) for b in page["items"]} == {(B, "field_mismatch"),
                                                              (C, "open_at_tr")}
    assert page["total"] == 2 and all(b["trade_known"] for b in page["items"])
    only = _break(api, people["victor"], kind="open_at_tr", regime="emir", status="open")
    assert [(b["uti"], b["our_action"], b["tr_action"]) for b in only["items"]] == [
        (C, "TERM", "NEWT")]
    assert _break(api, people["victor"], uti=A)["items"] == []
    status, summary, _ = api("GET", "/api/reconciliation/summary", token=people["victor"])
    assert status == 200, summary
    [emir] = summary["regimes"]
    assert emir["open_at_tr"] == 3
    assert emir["reconciliation"] == {"not_applicable": 0, "unpaired": 0, "matched": 2,
                                      "unmatched": 1}
    assert emir["warnings"] == {"no_valuation": 3, "outdated_valuation": 0}
    assert summary["breaks"]["open"] == {"at_tr_only": 0, "open_at_tr": 1,
                                         "missing_at_tr": 0, "field_mismatch": 1}
    assert emir["reports"]["reconciliation"]["reference_date"] == "2026-11-22"
    status, problem, _ = api("GET", "/api/reconciliation/breaks", token=people["victor"],
                             query="kind=lost")
    assert status == 422 and problem["errors"][0]["parameter"] == "kind"


def test_an_operator_assigns_and_resolves_a_break_with_a_note_audited(api, db, people,
                                                                      reconciled):
    [found] = _break(api, people["otto"], kind="field_mismatch")["items"]
    path = f"/api/reconciliation/breaks/{found['id']}"
    status, assigned, _ = api("POST", f"{path}/assign", {"assignee": "otto"},
                              token=people["otto"])
    assert status == 200 and (assigned["status"], assigned["assignee"]) == ("assigned", "otto")
    status, problem, _ = api("POST", f"{path}/resolve", {}, token=people["otto"])
    assert status == 422 and problem["errors"][0]["field"] == "note"
    status, resolved, _ = api("POST", f"{path}/resolve",
                              {"note": "counterparty corrected its notional"},
                              token=people["otto"])
    assert status == 200, resolved
    assert (resolved["status"], resolved["resolved_by"], resolved["resolution_note"]) == (
        "resolved", "otto", "counterparty corrected its notional")
    status, problem, _ = api("POST", f"{path}/resolve", {"note": "again"},
                             token=people["otto"])
    assert status == 409 and problem["reason"] == "already_resolved"
    trail = operations.audit_rows(db, "tr_break.assign") + operations.audit_rows(
        db, "tr_break.resolve")
    assert [(r["actor"], r["after"]["status"]) for r in trail] == [("otto", "assigned"),
                                                                   ("otto", "resolved")]
    assert trail[1]["after"]["note"] == "counterparty corrected its notional"
    assert all(r["request_id"] for r in trail)


def test_a_viewer_may_not_act_and_another_tenant_finds_nothing(api, people, reconciled):
    [found] = _break(api, people["otto"], kind="open_at_tr")["items"]
    path = f"/api/reconciliation/breaks/{found['id']}"
    status, problem, _ = api("POST", f"{path}/resolve", {"note": "x"}, token=people["victor"])
    assert status == 403 and "operator" in problem["detail"]
    status, _, _ = api("POST", f"{path}/assign", {"assignee": "bob"}, token=people["bob"])
    assert status == 404
    assert _break(api, people["bob"])["items"] == []
    status, _, _ = api("GET", f"/api/trades/{B}/tr-view", token=people["bob"])
    assert status == 404
    status, _, _ = api("GET", "/api/trades/NO-SUCH-UTI/tr-view", token=people["otto"])
    assert status == 404
