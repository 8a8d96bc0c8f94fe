"""`swaprep activations`, `swaprep invoke` and the endpoints file of a running stack."""

from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner

from swaprep.cli import main as cli
from swaprep.local.host import fetch_activations
from tests.functional.local.conftest import FIXTURES

pytestmark = pytest.mark.functional


def test_endpoints_file_and_activation_listing(stack, db):
    path = stack.state_dir / "endpoints.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    endpoints = json.loads(path.read_text())
    for key in ("api", "s3", "database_url", "console", "invoke"):
        assert endpoints[key], key
    assert endpoints["config"]["local_invoke_url"] == stack.endpoints["invoke"]
    assert stack.invoke_token not in json.dumps(stack.public_endpoints())
    assert "password" not in json.dumps(stack.public_endpoints())

    assert stack.host is not None
    first = stack.host.run("counter", trigger="test")
    second = stack.host.run("counter", trigger="test")
    stack.host.run("echo")
    stack.host.flush_records()  # records are written off the invocation path, as on NCP
    env = {"SWAPREP_HOME": str(stack.state_dir)}
    listed = CliRunner().invoke(cli, ["activations", "--action", "counter"], env=env)
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split()[:4] == ["Datetime", "Activation", "ID", "Action"]
    assert second.id in lines[1] and "warm" in lines[1] and "success" in lines[1]
    assert first.id in lines[2] and "cold" in lines[2]
    assert len(lines) == 3  # newest first, only counter

    as_json = CliRunner().invoke(cli, ["activations", "--limit", "1", "--json"], env=env)
    records = json.loads(as_json.output)
    assert len(records) == 1 and records[0]["action"] == "echo"

    one = CliRunner().invoke(cli, ["activations", first.id[:10]], env=env)
    assert one.exit_code == 0 and '"count": 1' in one.output and "cold start" in one.output

    # `swaprep invoke` runs with the running stack's package parameters and records the run.
    ran = CliRunner().invoke(cli, ["invoke", "echo", "--functions", str(FIXTURES)], env=env)
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["args"]["bucket_inbound"] == stack.buckets["inbound"]
    assert fetch_activations(db, action="echo", limit=1)[0]["trigger"] == "cli"


def test_invoke_runs_an_action_once(tmp_path, monkeypatch):
    monkeypatch.setenv("SWAPREP_HOME", str(tmp_path / "no-stack"))
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"layer": "event", "n": 1}))
    runner = CliRunner()
    ok = runner.invoke(
        cli,
        ["invoke", "echo", "--event", str(event), "-p", "n=2", "-p", "name=x",
         "--functions", str(FIXTURES)],
    )
    assert ok.exit_code == 0, ok.output
    result = json.loads(ok.stdout)
    assert result["args"] == {"layer": "event", "n": 2, "name": "x", "from_action": True}
    assert "no running stack" in ok.stderr and "success in" in ok.stderr

    failed = runner.invoke(cli, ["invoke", "crasher", "--functions", str(FIXTURES)])
    assert failed.exit_code == 1
    assert json.loads(failed.stdout) == {"error": "boom: kaput"}
    assert "ValueError: boom: kaput" in failed.stderr

    unknown = runner.invoke(cli, ["invoke", "ghost", "--functions", str(FIXTURES)])
    assert unknown.exit_code != 0 and "no action 'ghost'" in unknown.output
    assert not os.path.exists(tmp_path / "no-stack")


def test_a_second_stack_on_the_same_state_folder_is_refused(tmp_path):
    from swaprep.local.stack import LocalStack, StackError

    state = tmp_path / "state"
    state.mkdir()
    (state / "endpoints.json").write_text(json.dumps({"pid": 1}))  # a live process, not us
    with pytest.raises(StackError, match="already runs"):
        LocalStack(state_dir=state, functions_root=FIXTURES).start()
    (state / "endpoints.json").write_text(json.dumps({"pid": 2**22 + 12345}))  # long gone
    assert LocalStack(state_dir=state)._running_elsewhere() is None
