"""Deployed code on the local function host: a real action zip built by `swaprep.packaging`,
PUT into the local NCP control plane over signed HTTP, unpacked and run by the host through
the OpenWhisk launcher's steps under CPython 3.13 -I; its triggers fired from the deployed
triggers. The checkout's copy is edited after each deploy: what runs is the zip."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from swaprep.local import deployed
from swaprep.local.host import Activation, Host
from swaprep.local.stack import StackError
from swaprep.ncp.client import NcpClient
from swaprep.ncp.controlplane import ControlPlane
from swaprep.packaging import build_action

pytestmark = pytest.mark.functional

VPC = {"platform": "vpc"}
ACCESS_KEY, SECRET_KEY = "AKLOCALDEPLOYED00001", "local-secret-key-for-deployed-tests"

ACTION = '''"""A tiny action: says which code runs, where from, with what."""
import importlib.util
import os
import sys
import time

from shared.platform.config import merge_parameters

VERSION = "{version}"
COUNT = 0
print("cold start of", VERSION)


def main(args):
    global COUNT
    COUNT += 1
    print("hello from", VERSION)
    if args.get("sleep"):
        time.sleep(float(args["sleep"]))
    if args.get("big"):
        return {{"blob": "x" * int(args["big"])}}
    return {{
        "version": VERSION, "count": COUNT, "pid": os.getpid(), "args": args,
        "module": __name__, "file": __file__, "shared": sys.modules["shared"].__file__,
        "merge": merge_parameters({{"a": 1}}, {{"a": 2}}),
        "executable": sys.executable, "python": list(sys.version_info[:2]),
        "isolated": sys.flags.isolated, "path": sys.path,
        "swaprep_importable": importlib.util.find_spec("swaprep") is not None,
        "cwd": os.getcwd(), "virtual_env": os.environ.get("VIRTUAL_ENV"),
        "env": dict(os.environ),
    }}
'''


def write_action(functions: Path, version: str, name: str = "hello") -> Path:
    folder = functions / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__main__.py").write_text(ACTION.format(version=version), encoding="utf-8")
    return folder


def deploy(client: NcpClient, functions: Path, out: Path, *, name: str = "hello",
           package_params: dict[str, Any] | None = None,
           action_params: dict[str, Any] | None = None, timeout_ms: int = 3000) -> str:
    """Build the action's zip from `functions` and PUT package and action; the zip's sha256."""
    build = build_action(name, functions_dir=functions, out_dir=out)
    api = "/ncf/api/v2/packages/swaprep"
    client.request("PUT", api, query=VPC, body={"parameters": package_params or {}})
    client.request("PUT", f"{api}/actions/{name}", query={**VPC, "type": "basic"}, body={
        "parameters": action_params or {},
        "limits": {"memory": 128, "timeout": timeout_ms},
        "exec": {"kind": "python:3.13", "binary": True, "main": "main",
                 "code": base64.b64encode(build.zip_path.read_bytes()).decode("ascii")},
    })
    return build.sha256


@pytest.fixture
def plane(tmp_path: Path) -> Iterator[ControlPlane]:
    with ControlPlane(tmp_path / "ncp" / "state.json", ACCESS_KEY, SECRET_KEY) as started:
        yield started


@pytest.fixture
def client(plane: ControlPlane) -> Iterator[NcpClient]:
    assert plane.url is not None
    made = NcpClient(plane.url, ACCESS_KEY, SECRET_KEY, timeout_s=30)
    yield made
    made.close()


def test_the_host_runs_the_deployed_zip_through_the_launcher_not_the_checkout(
        tmp_path, plane, client, monkeypatch):
    monkeypatch.setenv("SWAPREP_ONLY_IN_THE_HOST_SHELL", "1")
    functions, root = tmp_path / "functions", tmp_path / "deployed" / "code"
    write_action(functions, "v1")
    sha = deploy(client, functions, tmp_path / "build", package_params={
        "layer": "package", "from_package": True}, action_params={"layer": "action"})
    write_action(functions, "edited in the checkout after the deploy")

    found = deployed.load(plane.deployed_actions(), plane.deployed_triggers(), root=root)
    assert found.summary() == {"actions": {"hello": "0.0.1"}, "triggers": {}, "skipped": {}}
    folder = found.actions["hello"].path
    assert folder.parent == root / "swaprep" / "hello" and folder.name.startswith("0.0.1-")
    assert (folder / "main__.py").is_file() and not (folder / "__main__.py").exists()
    assert (found.actions["hello"].timeout_ms, found.actions["hello"].memory_mb) == (3000, 128)

    with Host(found.actions, deployed=found.code) as host:
        host.platform_params = {"layer": "platform", "from_platform": True}
        first = host.run("hello", {"layer": "invocation"})
        second = host.run("hello", {"layer": "invocation"}, trigger_params={"by": "trigger"})

        assert first.status == "success", (first.error, first.logs)
        result = first.result
        assert result["version"] == "v1"  # the zip's code, not the edited checkout
        assert result["args"] == {"layer": "invocation", "from_package": True,
                                  "from_platform": True}
        assert second.result["args"]["by"] == "trigger"
        # The launcher's steps: main__ from the unpacked zip, shared from the zip, CPython
        # 3.13 in isolated mode, the zip's virtualenv activated, nothing of the checkout.
        assert (result["module"], Path(result["file"])) == ("main__", folder / "main__.py")
        assert Path(result["shared"]).is_relative_to(folder / "shared")
        assert result["merge"] == {"a": 2}
        assert result["python"] == [3, 13] and result["isolated"] == 1
        assert result["executable"] == deployed.runtime_python()
        assert Path(result["cwd"]) == folder
        assert result["virtual_env"] == str(folder / "virtualenv")
        assert result["path"][0] == str(folder / "virtualenv/lib/python3.13/site-packages")
        assert str(folder) in result["path"]
        repo = str(Path(__file__).resolve().parents[3])
        assert not [p for p in result["path"] if p.startswith(repo)], result["path"]
        assert result["swaprep_importable"] is False
        env = result["env"]
        assert "SWAPREP_ONLY_IN_THE_HOST_SHELL" not in env and "PYTHONUNBUFFERED" not in env
        assert env["__OW_ACTION_NAME"] == "/swaprep/swaprep/hello"
        assert env["__OW_ACTIVATION_ID"] == first.id
        assert int(env["__OW_DEADLINE"]) > time.time() * 1000

        # Warm reuse, logs and annotations, as for checkout code.
        assert (first.cold_start, second.cold_start) == (True, False)
        assert second.result["count"] == 2 and second.result["pid"] == result["pid"]
        assert any("cold start of v1" in line for line in first.logs)
        assert any("stdout: hello from v1" in line for line in second.logs)
        assert not any("cold start" in line for line in second.logs)
        annotations = first.annotations
        assert annotations["source"] == "deployed" and annotations["version"] == "0.0.1"
        assert annotations["zip_sha256"] == sha
        assert annotations["code"] == str(folder) and annotations["kind"] == "python:3.13"
        assert annotations["path"] == "swaprep/swaprep/hello"
        assert annotations["limits"] == {"timeout": 3000, "memory": 128}
        assert annotations["initTime"] >= 0 and "initTime" not in second.annotations
        assert {"key": "version", "value": "0.0.1"} in first.to_json()["annotations"]

        # The deployed limits: 3 s timeout, 1 MB result.
        slow = host.run("hello", {"sleep": 10})
        assert slow.status == "timeout"
        assert slow.error == "The action exceeded its time limits of 3000 milliseconds."
        big = host.run("hello", {"big": 1_100_000})
        assert big.status == "developer_error"
        assert "exceeded the allowed length" in big.error

        # A redeploy (of the edited checkout) replaces the running version.
        new_sha = deploy(client, functions, tmp_path / "build")
        again = deployed.load(plane.deployed_actions(), plane.deployed_triggers(), root=root)
        assert host.replace_actions(again.actions, again.code) == ["hello"]
        after = host.run("hello")
        assert after.status == "success", after.error
        assert after.result["version"] == "edited in the checkout after the deploy"
        assert after.cold_start and after.result["args"] == {"from_platform": True,
                                                              "layer": "platform"}
        assert (after.annotations["version"], after.annotations["zip_sha256"]) == (
            "0.0.2", new_sha)
        assert deployed.prune(root, host.code_folders()) == [folder]
        assert not folder.exists() and again.actions["hello"].path.is_dir()


def test_a_stack_runs_what_is_deployed_with_the_deployed_triggers(make_stack, tmp_path):
    start = time.time()
    stack = make_stack(source="deployed",
                       cron_clock=lambda: start + (time.time() - start) * 60)
    assert stack.actions == {} and stack.endpoints["actions_from"] == "deployed"
    finished: list[Activation] = []
    stack.on_activation(finished.append)

    functions = tmp_path / "functions"
    write_action(functions, "v1")
    client = NcpClient(stack.control_plane.url, stack.secret("ncp_access_key", 12),
                       stack.secret("ncp_secret_key", 24), timeout_s=30)
    deploy(client, functions, tmp_path / "build", package_params={"from_package": True})
    inbound = stack.buckets["inbound"]
    client.request("PUT", "/ncf/api/v2/triggers/hello-objectstorage-1",
                   query={**VPC, "type": "object_storage"},
                   body={"bucketName": inbound, "events": ["ObjectCreated:*"],
                         "parameters": {"from_trigger": "upload"}})
    client.request("PUT", "/ncf/api/v2/triggers/hello-cron-1", query={**VPC, "type": "cron"},
                   body={"cronOption": "* * * * *", "parameters": {"from_trigger": "cron"}})
    for trigger in ("hello-objectstorage-1", "hello-cron-1"):
        client.request("POST", f"/ncf/api/v2/triggers/{trigger}/link-action", query=VPC,
                       body={"action": "hello", "package": "swaprep"})
    client.close()
    write_action(functions, "edited in the checkout after the deploy")

    # The stack follows the control plane without being told.
    deadline = time.monotonic() + 10
    while "hello" not in stack.actions and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(stack.actions) == ["hello"], "the deploy was not picked up"
    stack.s3_client().put_object(Bucket=inbound, Key="e2e/trades.csv", Body=b"uti\n")

    def triggered(kind: str) -> Activation | None:
        return next((a for a in list(finished) if a.trigger and a.trigger.startswith(kind)),
                    None)

    deadline = time.monotonic() + 20
    while not (triggered("object_storage") and triggered("cron")):
        assert time.monotonic() < deadline, [(a.trigger, a.status) for a in finished]
        time.sleep(0.1)
    upload, cron = triggered("object_storage"), triggered("cron")
    assert upload.trigger == f"object_storage:{inbound}" and cron.trigger == "cron:* * * * *"
    for activation, source in ((upload, "upload"), (cron, "cron")):
        assert activation.status == "success", activation.error
        assert activation.result["version"] == "v1"
        assert activation.result["args"]["from_trigger"] == source
        assert activation.result["args"]["from_package"] is True
        assert activation.annotations["source"] == "deployed"
    assert "e2e/trades.csv" in json.dumps(upload.result["args"])  # the bucket event
    # The fixtures' action.toml triggers (on_upload on the inbound bucket) are not wired.
    assert {a.action for a in finished} == {"hello"}


def test_deployed_code_is_refused_clearly_without_cpython_313(monkeypatch, make_stack):
    monkeypatch.setattr(deployed, "runtime_candidates", lambda: ["/nowhere/python3.13"])
    with pytest.raises(deployed.DeployedCodeError, match=r"no CPython 3\.13 was found"):
        deployed.runtime_python()
    with pytest.raises(StackError, match=r"SWAPREP_RUNTIME_PYTHON"):
        make_stack(source="deployed")


def test_unpacking_is_once_per_version_and_refuses_a_zip_without_main(tmp_path):
    import zipfile

    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("__main__.py", "def main(args):\n    return {}\n")
        archive.writestr("../escape.py", "")
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("lib.py", "")
    sha = hashlib.sha256(good.read_bytes()).hexdigest()
    assert deployed.zip_sha256(good) == sha
    folder = deployed.version_folder(tmp_path / "code", "-", "act", "0.0.1", sha)
    assert deployed.unpack(good, folder) == folder
    assert sorted(p.name for p in folder.iterdir()) == ["escape.py", "main__.py"]
    assert not (tmp_path / "code" / "_" / "escape.py").exists()
    (folder / "marker").write_text("kept")
    assert deployed.unpack(good, folder) == folder and (folder / "marker").exists()
    with pytest.raises(deployed.DeployedCodeError, match=r"no __main__\.py"):
        deployed.unpack(bad, tmp_path / "code" / "_" / "bad" / "0.0.1-x")
    assert not list((tmp_path / "code" / "_" / "bad").iterdir())  # no half-made folder
