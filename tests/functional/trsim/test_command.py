"""`swaprep trsim`: the code list, and fault switching against a running simulator."""

import json

import pytest
from click.testing import CliRunner

from swaprep.cli import main as cli
from swaprep.trsim.codes import CODES

pytestmark = pytest.mark.functional


def test_codes_prints_every_code():
    result = CliRunner().invoke(cli, ["trsim", "codes"])
    assert result.exit_code == 0, result.output
    assert all(f"`{code}`" in result.output for code in CODES)


def test_fault_and_state_talk_to_the_admin_api(sim):
    runner = CliRunner()
    switched = runner.invoke(cli, ["trsim", "fault", "--admin", sim.admin_url, "--fail-next",
                                   "2", "--duplicate-feedback", "1"])
    assert switched.exit_code == 0, switched.output
    assert sim.faults.fail_next == 2 and sim.faults.duplicate_feedback == 1
    reset = runner.invoke(cli, ["trsim", "fault", "--admin", sim.admin_url, "--reset"])
    assert json.loads(reset.output)["faults"]["fail_next"] == 0
    shown = runner.invoke(cli, ["trsim", "state", "--admin", sim.admin_url])
    assert json.loads(shown.output)["messages"] == []
    down = runner.invoke(cli, ["trsim", "fault", "--admin", "http://127.0.0.1:9", "--down"])
    assert down.exit_code != 0 and "no TR simulator admin API" in down.output
