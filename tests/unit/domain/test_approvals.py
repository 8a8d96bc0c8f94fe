"""The four-eyes policy: which actions wait for a second person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.approvals import (
    APPROVAL_KINDS,
    FourEyesPolicy,
    PolicyError,
    SameApprover,
    check_approver,
)
from shared.domain.roles import PERMISSIONS


def test_an_action_waits_from_its_threshold_on_and_an_unnamed_one_never():
    policy = FourEyesPolicy.from_settings({"thresholds": {"bulk_repair": 50, "cancel": 1}})
    assert not policy.needs_approval("bulk_repair", 49)
    assert policy.needs_approval("bulk_repair", 50)
    assert policy.needs_approval("cancel", 1)
    assert not policy.needs_approval("repair", 10_000)
    assert not FourEyesPolicy.from_settings(None).needs_approval("cancel", 10_000)


def test_every_kind_names_a_permission_the_roles_table_knows():
    assert set(APPROVAL_KINDS.values()) <= set(PERMISSIONS)
    with pytest.raises(KeyError):
        FourEyesPolicy().needs_approval("delete", 1)


@pytest.mark.parametrize(("settings", "field"), [
    ({"thresholds": {"delete": 1}}, "delete"),
    ({"thresholds": {"repair": 0}}, "repair"),
    ({"thresholds": {"repair": 2}}, "repair"),  # one repair is one event: 2 never holds
    ({"thresholds": {"bulk_repair": 501}}, "bulk_repair"),  # above one request's 500
    ({"thresholds": {"repair": True}}, "repair"),
    ({"thresholds": {"repair": "5"}}, "repair"),
    ({"thresholds": ["repair"]}, "thresholds"),
    ({"thresholds": {}, "validity_hours": 0}, "validity_hours"),
    ({"thresholds": {}, "validity_hours": 10_000}, "validity_hours"),
    ({"thresholds": {}, "window_hours": -1}, "window_hours"),
    ({"thresholds": {}, "window_hours": 721}, "window_hours"),
    ({"thresholds": {}, "window_hours": "24"}, "window_hours"),
])
def test_a_bad_setting_names_its_field(settings, field):
    with pytest.raises(PolicyError) as caught:
        FourEyesPolicy.from_settings(settings)
    assert caught.value.field == field


def test_a_request_lapses_after_the_validity_and_round_trips():
    policy = FourEyesPolicy.from_settings({"thresholds": {"repair": 1}, "validity_hours": 24})
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert policy.expires_at(at) == at + timedelta(days=1)
    assert FourEyesPolicy.from_settings(policy.as_settings()) == policy


def test_four_eyes_are_two_people():
    check_approver("u1", "u2")
    with pytest.raises(SameApprover, match="another user"):
        check_approver("u1", "u1")


def test_one_users_recent_events_count_towards_the_threshold_within_the_window():
    policy = FourEyesPolicy.from_settings({"thresholds": {"cancel": 100, "backload": 1000}})
    assert policy.window == timedelta(hours=24)  # the default
    # ten requests of 10 under a threshold of 100: the tenth is held
    assert not policy.needs_approval("cancel", 10, recent=80)
    assert policy.needs_approval("cancel", 10, recent=90)
    assert policy.needs_approval("backload", 400, recent=600)
    assert not policy.needs_approval("cancel", 0, recent=500)  # nothing to approve
    assert not policy.needs_approval("repair", 1, recent=500)  # no threshold: never held
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert policy.window_start(at) == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    alone = FourEyesPolicy.from_settings({"thresholds": {"cancel": 100}, "window_hours": 0})
    assert not alone.needs_approval("cancel", 10, recent=10_000)
    assert FourEyesPolicy.from_settings(alone.as_settings()) == alone
