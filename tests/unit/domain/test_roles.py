"""The one table of what each role may do."""

from __future__ import annotations

import pytest

from shared.domain.roles import PERMISSIONS, ROLES, may, roles_that_may, strongest

OPERATOR_ACTIONS = ("repair", "resubmit", "cancel", "revalidate", "redrive", "triage",
                    "acknowledge", "upload", "export", "reconcile")


def test_roles_are_ordered_by_power_and_every_minimum_is_a_role():
    assert ROLES == ("admin", "operator", "viewer", "client_viewer")
    assert set(PERMISSIONS.values()) <= set(ROLES)


@pytest.mark.parametrize("permission", OPERATOR_ACTIONS)
def test_a_viewer_reads_but_may_not_act(permission):
    assert may("viewer", "read")
    assert not may("viewer", permission)
    assert may("operator", permission) and may("admin", permission)
    assert roles_that_may(permission) == ("admin", "operator")


@pytest.mark.parametrize("permission", ["manage_users", "manage_api_keys", "manage_entities"])
def test_only_an_admin_manages_users_and_keys(permission):
    assert may("admin", permission)
    assert not may("operator", permission) and not may("viewer", permission)
    assert roles_that_may(permission) == ("admin",)


@pytest.mark.parametrize("role", [None, "", "root", "Admin", ["admin"], "superuser"])
def test_an_unknown_role_may_nothing(role):
    assert not any(may(role, permission) for permission in PERMISSIONS)


def test_an_unknown_permission_is_a_bug_not_a_refusal():
    with pytest.raises(KeyError):
        may("admin", "launch_missiles")


def test_strongest_of_an_identity_providers_groups():
    assert strongest(["viewer", "operator", "staff"]) == "operator"
    assert strongest(["staff", {"nested": 1}]) is None
    assert strongest([]) is None


def test_a_client_viewer_reads_its_clients_reports_and_nothing_of_the_tenants():
    assert may("client_viewer", "read_client")
    assert not any(may("client_viewer", p) for p in PERMISSIONS if p != "read_client")
    assert roles_that_may("read_client") == ("admin", "operator", "viewer", "client_viewer")
    assert strongest(["client_viewer", "viewer"]) == "viewer"
