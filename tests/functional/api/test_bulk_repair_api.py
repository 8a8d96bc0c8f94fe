"""Bulk repair through the real api action on real PostgreSQL: one correction for many events,
previewed first, applied per event exactly as the single repair (new version, re-validation,
one audit row each), refused clearly, and blind to another tenant's events."""

from __future__ import annotations

import uuid

import pytest

from tests.functional.api import test_operations_api as ops
from tests.functional.services import pipeline_support

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant
api, beta, invalid, people, wakeups = ops.api, ops.beta, ops.invalid, ops.people, ops.wakeups
counts, audit_rows, state_of, fits = ops.counts, ops.audit_rows, ops.state_of, ops._fits

# the `invalid` events carry currency KRX on both legs
BOTH_LEGS = [{"field": "legs[0].notional.currency", "value": "KRW", "current": "KRX"},
             {"field": "legs[1].notional.currency", "value": "KRW", "current": "KRX"}]
ROUTE = "/api/events/repair/bulk"


def test_preview_writes_nothing_then_apply_repairs_each_audited_per_record(
        api, db, tenant, people, invalid, wakeups, pipeline):
    ids = [str(e["id"]) for e in invalid]
    missing = str(uuid.uuid4())
    before = counts(db)
    status, preview, _ = api("POST", ROUTE, {"event_ids": [*ids, missing], "changes": BOTH_LEGS,
                                             "preview": True}, token=people["victor"])
    assert status == 200, preview  # a viewer may preview, as the single preview
    assert (preview["would_pass"], preview["would_fail"], preview["refused"]) == (3, 0, 1)
    assert [i["outcome"] for i in preview["items"]] == ["would_pass"] * 3 + ["not_found"]
    assert preview["items"][0]["preview"]["changed"]["legs[0].notional.currency"] == {
        "before": "KRX", "after": "KRW"}
    assert fits(preview, "BulkRepairPreview") == []
    # one leg only: every event would still fail, and says why
    status, half, _ = api("POST", ROUTE, {"event_ids": ids, "changes": BOTH_LEGS[:1],
                                          "preview": True}, token=people["otto"])
    assert (status, half["would_pass"], half["would_fail"]) == (200, 0, 3)
    assert "legs[1].notional.currency" in str(half["items"][0]["preview"]["issues"])
    assert half["items"][0]["message"]
    assert counts(db) == before and not wakeups.calls  # previews wrote nothing

    status, answer, _ = api("POST", ROUTE, {"event_ids": [*ids, missing], "changes": BOTH_LEGS},
                            token=people["otto"])
    assert status == 200, answer
    assert fits(answer, "BulkOutcome") == []
    assert [(i["id"], i["outcome"]) for i in answer["items"]] == [
        *((i, "repaired") for i in ids), (missing, "not_found")]
    assert (answer["ok"], answer["refused"]) == (3, 1)
    new_ids = [i["details"]["new_event_id"] for i in answer["items"][:3]]
    assert all(state_of(db, tenant, i) == "superseded" for i in ids)
    assert all(state_of(db, tenant, i) == "received" for i in new_ids)
    rows = audit_rows(db, "event.repair")  # the single repair's audit action, once per event
    assert [r["entity_id"] for r in rows] == ids
    assert {(r["actor"], r["after"]["fields"]["legs[1].notional.currency"]) for r in rows} == {
        ("otto", "KRW")}
    assert ("validate", {"queue": "validate"}) in wakeups.calls
    pipeline.run()
    assert all(state_of(db, tenant, i) == "valid" for i in new_ids)

    # again: each is superseded now, refused on its own with what to do
    status, again, _ = api("POST", ROUTE, {"event_ids": ids[:1], "changes": BOTH_LEGS},
                           token=people["otto"])
    assert (status, again["items"][0]["outcome"]) == (200, "conflict")
    assert "repair that one" in again["items"][0]["message"]


def test_an_event_whose_value_differs_from_current_is_left_alone(api, db, tenant, people,
                                                                invalid):
    first, second = (str(e["id"]) for e in invalid[:2])
    status, answer, _ = api("POST", ROUTE, {"event_ids": [first], "changes": BOTH_LEGS},
                            token=people["otto"])
    assert (status, answer["ok"]) == (200, 1)
    wrong = [{**c, "current": "USD"} for c in BOTH_LEGS]
    before = counts(db)
    status, answer, _ = api("POST", ROUTE, {"event_ids": [second], "changes": wrong},
                            token=people["otto"])
    assert (status, answer["items"][0]["outcome"]) == (200, "conflict")
    assert "has legs[0].notional.currency = 'KRX', not 'USD'" in answer["items"][0]["message"]
    assert counts(db) == before and state_of(db, tenant, second) == "invalid"


def test_a_viewer_may_not_apply_and_another_tenant_finds_nothing(api, db, tenant, people,
                                                                 invalid):
    ids = [str(e["id"]) for e in invalid]
    before = counts(db)
    status, problem, _ = api("POST", ROUTE, {"event_ids": ids, "changes": BOTH_LEGS},
                             token=people["victor"])
    assert status == 403 and "needs the operator or admin role" in problem["detail"]
    for preview in (True, False):
        status, answer, _ = api("POST", ROUTE, {"event_ids": ids, "changes": BOTH_LEGS,
                                                "preview": preview}, token=people["bob"])
        assert status == 200, answer
        assert [i["outcome"] for i in answer["items"]] == ["not_found"] * 3
        assert answer["refused"] == 3
    assert counts(db) == before
    assert all(state_of(db, tenant, i) == "invalid" for i in ids)


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"event_ids": ["x"], "changes": []}, "changes", "at least 1"),
    ({"event_ids": ["x"] * 501, "changes": BOTH_LEGS}, "event_ids", "at most 500"),
    ({"event_ids": [], "changes": BOTH_LEGS}, "event_ids", "at least 1"),
    ({"event_ids": ["x"], "changes": [{"field": "legs[0].notional.curency", "value": "KRW"}]},
     "changes[0].field", "did you mean 'currency'"),
    ({"event_ids": ["x"], "changes": [{"field": "source.file", "value": "y"}]},
     "changes[0].field", "cannot be edited"),
    ({"event_ids": ["x"], "changes": [BOTH_LEGS[0], BOTH_LEGS[0]]},
     "changes[1].field", "named twice"),
    ({"event_ids": ["x"], "changes": [{"field": "uti"}]}, "changes.0.value", "required"),
])
def test_unusable_requests_are_refused_naming_the_field(api, db, tenant, people, body, field,
                                                        words):
    for preview in (True, False):
        status, problem, _ = api("POST", ROUTE, {**body, "preview": preview},
                                 token=people["otto"])
        assert status == 422, problem
        assert field in [e["field"] for e in problem["errors"]], problem
        assert words in problem["detail"], problem
