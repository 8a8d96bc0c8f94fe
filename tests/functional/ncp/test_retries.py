"""The client's retries against faults injected into the control plane (test-only route)."""

from __future__ import annotations

import requests

from swaprep.ncp.client import NcpApiError, NcpClient
from swaprep.ncp.controlplane import ControlPlane
from tests.functional.ncp.conftest import SECRET_KEY, VPC, api, inject, pending_faults
from tests.unit.ncp.zips import action_body

ACTION = api("/packages/-/actions/ingest")


def test_a_429_then_success_makes_one_resource(plane: ControlPlane, client: NcpClient,
                                               sleeps: list[float]) -> None:
    inject(plane, status=429, count=1, path_prefix=ACTION, retry_after=2)
    answer = client.request("PUT", ACTION, query=VPC, body=action_body())
    assert answer is not None and answer["content"]["version"] == "0.0.1"  # written once
    assert sleeps == [2.0]  # Retry-After honoured
    assert pending_faults(plane) == []
    listed = client.request("GET", api("/packages/-/actions"), query=VPC)
    assert listed is not None and [a["name"] for a in listed["content"]["actions"]] == ["ingest"]
    assert len(plane.deployed_actions()) == 1


def test_a_503_burst_longer_than_max_attempts(plane: ControlPlane, sleeps: list[float]) -> None:
    assert plane.url is not None
    short = NcpClient(plane.url, plane.access_key, SECRET_KEY,
                      max_attempts=3, sleep=sleeps.append)
    inject(plane, status=503, count=10)
    try:
        short.request("PUT", ACTION, query=VPC, body=action_body())
    except NcpApiError as error:
        assert str(error) == ("PUT /ncf/api/v2/packages/-/actions/ingest: 503 Endpoint Error "
                              "(injected fault); gave up after 3 attempts (code 500)")
        assert error.status == 503
    else:
        raise AssertionError("the burst should have outlasted the client")
    assert len(sleeps) == 2
    assert pending_faults(plane)[0]["remaining"] == 7
    assert plane.deployed_actions() == []


def test_a_dropped_connection_is_retried(plane: ControlPlane, client: NcpClient,
                                         sleeps: list[float]) -> None:
    client.request("GET", api("/packages"), query=VPC)  # a kept-alive connection to drop
    inject(plane, drop=1, path_prefix=ACTION)
    answer = client.request("PUT", ACTION, query=VPC, body=action_body())
    assert answer is not None and answer["content"]["version"] == "0.0.1"
    assert len(sleeps) == 1
    inject(plane, drop=2, path_prefix=ACTION)
    assert client.request("DELETE", ACTION, query=VPC) is None
    assert plane.deployed_actions() == []


def test_an_answer_lost_after_the_work_is_retried_safely(
        plane: ControlPlane, client: NcpClient, sleeps: list[float]) -> None:
    inject(plane, drop=1, path_prefix=ACTION, after_work=True)
    answer = client.request("PUT", ACTION, query=VPC, body=action_body())
    assert answer is not None and answer["content"]["version"] == "0.0.2"  # an upsert twice
    assert len(plane.deployed_actions()) == 1 and len(sleeps) == 1
    inject(plane, drop=1, path_prefix=ACTION, after_work=True)
    assert client.request("DELETE", ACTION, query=VPC) is None  # the retry's 404 means done
    assert plane.deployed_actions() == []


def test_faults_apply_only_under_their_prefix(plane: ControlPlane, client: NcpClient,
                                              sleeps: list[float]) -> None:
    inject(plane, status=500, count=1, path_prefix=api("/triggers"))
    assert client.request("GET", api("/packages"), query=VPC) == {"content": []}
    assert sleeps == [] and len(pending_faults(plane)) == 1
    assert client.request("GET", api("/triggers"), query=VPC) == {"content": {"triggers": []}}
    assert len(sleeps) == 1


def test_the_admin_route_checks_its_input_and_clears(plane: ControlPlane) -> None:
    bad = requests.post(f"{plane.url}/_faults", json={"status": 404}, timeout=5)
    assert bad.status_code == 400 and bad.json()["error"]["message"].startswith("status ")
    bad = requests.post(f"{plane.url}/_faults", json={"drop": 1, "status": 503}, timeout=5)
    assert bad.status_code == 400
    inject(plane, status=503, count=4)
    assert requests.delete(f"{plane.url}/_faults", timeout=5).status_code == 204
    assert pending_faults(plane) == []
    assert requests.put(f"{plane.url}/_faults", json={}, timeout=5).status_code == 405
