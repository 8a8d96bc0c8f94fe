"""Signed round trips over real HTTP: packages, actions with a real zip, triggers and
link-action; state that survives a restart."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pytest

from swaprep.ncp.client import NcpApiError, NcpClient
from swaprep.ncp.controlplane import ControlPlane
from tests.functional.ncp.conftest import ACCESS_KEY, SECRET_KEY, VPC, api
from tests.unit.ncp.zips import MAIN_PY, action_body, action_zip


def test_package_create_read_update_list_delete(client: NcpClient) -> None:
    created = client.request("PUT", api("/packages/swaprep"), query=VPC,
                             body={"description": "swap reporting",
                                   "parameters": {"region": "kr"}})
    assert created is not None and created["content"]["name"] == "swaprep"
    read = client.request("GET", api("/packages/swaprep"), query=VPC)
    assert read == {"content": {"name": "swaprep", "description": "swap reporting",
                                "parameters": {"region": "kr"}, "platform": "vpc",
                                "resourceId": "local:swaprep", "actions": []}}
    client.request("PUT", api("/packages/swaprep"), query=VPC,
                   body={"description": "v2", "parameters": {}})
    client.request("PUT", api("/packages/other"), query=VPC, body={})
    assert client.request("GET", api("/packages"), query=VPC) == {"content": [
        {"name": "other", "description": ""}, {"name": "swaprep", "description": "v2"}]}
    assert client.request("DELETE", api("/packages/other"), query=VPC) is None
    with pytest.raises(NcpApiError) as caught:
        client.request("GET", api("/packages/other"), query=VPC)
    assert str(caught.value) == ("GET /ncf/api/v2/packages/other: 404 packageName: package "
                                 "'other' not found (code 80101)")


def test_action_with_a_real_zip(plane: ControlPlane, client: NcpClient) -> None:
    client.request("PUT", api("/packages/swaprep"), query=VPC, body={})
    first_zip = action_zip()
    created = client.request("PUT", api("/packages/swaprep/actions/api"),
                             query={**VPC, "type": "web"},
                             body=action_body(first_zip, memory=512, **{"raw-http": True},
                                              vpc=[{"vpcNo": 11, "subnetNo": 22}]))
    assert created is not None
    content = created["content"]
    assert (content["type"], content["version"], content["limits"]) == (
        "web", "0.0.1", {"memory": 512, "timeout": 60_000})
    assert content["exec"] == {"kind": "python:3.13", "binary": True, "main": "main"}

    read = client.request("GET", api("/packages/swaprep/actions/api"), query=VPC)
    assert read is not None and "code" not in read["content"]["exec"]  # as OpenWhisk ?code=false
    with_code = client.request("GET", api("/packages/swaprep/actions/api"),
                               query={**VPC, "code": True})
    assert with_code is not None
    assert base64.b64decode(with_code["content"]["exec"]["code"]) == first_zip

    (deployed,) = plane.deployed_actions()
    first_path = deployed.zip_path
    assert first_path is not None and first_path.read_bytes() == first_zip
    assert (deployed.qualified_name, deployed.web, deployed.raw_http, deployed.memory_mb) == (
        "swaprep/api", True, True, 512)

    second_zip = action_zip({"__main__.py": MAIN_PY + "# v2\n"})
    updated = client.request("PUT", api("/packages/swaprep/actions/api"),
                             query={**VPC, "type": "web"},
                             body=action_body(second_zip, memory=1024))
    assert updated is not None and updated["content"]["version"] == "0.0.2"
    (deployed,) = plane.deployed_actions()
    assert deployed.zip_path is not None and deployed.zip_path.read_bytes() == second_zip
    assert not first_path.exists()  # the old version's zip is gone

    client.request("PUT", api("/packages/swaprep/actions/ingest"), query=VPC,
                   body=action_body())
    listed = client.request("GET", api("/packages/swaprep/actions"), query=VPC)
    assert listed is not None
    assert [(a["name"], a["type"]) for a in listed["content"]["actions"]] == [
        ("api", "web"), ("ingest", "basic")]
    package = client.request("GET", api("/packages/swaprep"), query=VPC)
    assert package is not None and len(package["content"]["actions"]) == 2

    assert client.request("DELETE", api("/packages/swaprep/actions/api"), query=VPC) is None
    assert not deployed.zip_path.exists()
    assert [a.name for a in plane.deployed_actions()] == ["ingest"]


def test_inline_source_action_outside_any_package(client: NcpClient) -> None:
    body = action_body()
    body["exec"] = {"kind": "python:3.13", "code": MAIN_PY}
    client.request("PUT", api("/packages/-/actions/hello"), query=VPC, body=body)
    read = client.request("GET", api("/packages/-/actions/hello"), query={**VPC, "code": "true"})
    assert read is not None and read["content"]["exec"]["code"] == MAIN_PY
    assert read["content"]["path"] == "local"


def test_triggers_and_link_action(plane: ControlPlane, client: NcpClient) -> None:
    client.request("PUT", api("/packages/swaprep"), query=VPC, body={})
    for name in ("monitor", "ingest"):
        client.request("PUT", api(f"/packages/swaprep/actions/{name}"), query=VPC,
                       body=action_body())
    cron = client.request("PUT", api("/triggers/monitor-sweep"), query={**VPC, "type": "cron"},
                          body={"cronOption": "*/5 * * * *", "parameters": {"task": "sweep"}})
    assert cron is not None and cron["content"]["cronOption"] == "*/5 * * * *"
    client.request("PUT", api("/triggers/inbound-files"),
                   query={**VPC, "type": "object_storage"},
                   body={"bucketName": "swaprep-inbound", "events": ["ObjectCreated:PUT"]})
    linked = client.request("POST", api("/triggers/monitor-sweep/link-action"), query=VPC,
                            body={"action": "monitor", "package": "swaprep"})
    assert linked == {"content": {"action": {"name": "monitor", "path": "local/swaprep"},
                                  "namespace": "local", "status": "active",
                                  "trigger": {"name": "monitor-sweep", "path": "local"}}}
    client.request("POST", api("/triggers/monitor-sweep/link-action"), query=VPC,
                   body={"action": "monitor", "package": "swaprep"})  # again: no duplicate
    client.request("POST", api("/triggers/inbound-files/link-action"), query=VPC,
                   body={"action": "swaprep/ingest", "package": "-"})  # the example's form
    read = client.request("GET", api("/triggers/monitor-sweep"), query=VPC)
    assert read is not None
    assert read["content"]["actions"] == [{"package": "swaprep", "name": "monitor"}]
    listed = client.request("GET", api("/triggers"), query=VPC)
    assert listed is not None
    assert [t["name"] for t in listed["content"]["triggers"]] == ["inbound-files",
                                                                  "monitor-sweep"]
    assert [(t.name, t.type, t.actions) for t in plane.deployed_triggers()] == [
        ("inbound-files", "object_storage", ("swaprep/ingest",)),
        ("monitor-sweep", "cron", ("swaprep/monitor",)),
    ]

    assert client.request("DELETE", api("/triggers/monitor-sweep/link-action"), query=VPC,
                          body={"action": "monitor", "package": "swaprep"}) is None
    with pytest.raises(NcpApiError) as caught:
        client.request("DELETE", api("/triggers/monitor-sweep/link-action"), query=VPC,
                       body={"action": "monitor", "package": "swaprep"})
    assert caught.value.status == 404
    client.request("DELETE", api("/packages/swaprep/actions/ingest"), query=VPC)
    assert [t.actions for t in plane.deployed_triggers()] == [(), ()]
    assert client.request("DELETE", api("/triggers/inbound-files"), query=VPC) is None
    assert [t.name for t in plane.deployed_triggers()] == ["monitor-sweep"]


def test_state_survives_stop_and_start(state_path: Path) -> None:
    data = action_zip()
    with ControlPlane(state_path, ACCESS_KEY, SECRET_KEY) as first:
        assert first.url is not None
        client = NcpClient(first.url, ACCESS_KEY, SECRET_KEY)
        client.request("PUT", api("/packages/swaprep"), query=VPC,
                       body={"parameters": {"region": "kr"}})
        client.request("PUT", api("/packages/swaprep/actions/api"), query={**VPC, "type": "web"},
                       body=action_body(data))
        client.request("PUT", api("/triggers/tick"), query={**VPC, "type": "cron"},
                       body={"cronOption": "* * * * *"})
        client.request("POST", api("/triggers/tick/link-action"), query=VPC,
                       body={"action": "api", "package": "swaprep"})
        client.close()
    assert state_path.exists() and len(state_path.read_bytes()) < 4_000  # zips are not inline

    restarted = ControlPlane(state_path, ACCESS_KEY, SECRET_KEY)
    url = restarted.start()
    try:
        client = NcpClient(url, ACCESS_KEY, SECRET_KEY)
        read = client.request("GET", api("/packages/swaprep/actions/api"),
                              query={**VPC, "code": "true"})
        assert read is not None and base64.b64decode(read["content"]["exec"]["code"]) == data
        trigger = client.request("GET", api("/triggers/tick"), query=VPC)
        assert trigger is not None
        assert trigger["content"]["actions"] == [{"package": "swaprep", "name": "api"}]
        (deployed,) = restarted.deployed_actions()
        assert deployed.package_parameters == {"region": "kr"}
        assert deployed.zip_path is not None
        with zipfile.ZipFile(io.BytesIO(deployed.zip_path.read_bytes())) as archive:
            assert archive.read("__main__.py").decode() == MAIN_PY
        client.close()
    finally:
        restarted.stop()
