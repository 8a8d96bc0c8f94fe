"""The whole local stack against the real actions in functions/: what `swaprep up` runs."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from swaprep.cli import main as cli
from swaprep.local.stack import LocalStack

pytestmark = pytest.mark.e2e



@pytest.fixture
def state_dir():
    # Not under pytest's 0700 tmp dir: the embedded server may run as the `postgres` user.
    base = Path(tempfile.mkdtemp(prefix="swaprep-e2e-"))
    os.chmod(base, 0o755)
    yield base / "state"
    shutil.rmtree(base, ignore_errors=True)


def test_local_stack_serves_the_api_and_records_triggered_runs(state_dir):
    ports = {"api": 0, "invoke": 0, "s3": 0, "postgres": 0}
    with LocalStack(
        state_dir=state_dir, ports=ports, poll_interval_s=0.25,
        bucket_prefix=f"e2e{uuid.uuid4().hex[:8]}",
    ) as stack:
        health = requests.get(f"{stack.endpoints['api']}/api/health", timeout=60)
        assert health.status_code == 200, health.text
        assert health.headers["Content-Type"].startswith("application/json")
        assert isinstance(health.json(), dict)
        assert health.headers["X-Request-Id"]

        triggered = [m.name for m in stack.actions.values() if any(
            t.type == "object_storage" and t.bucket == "inbound" for t in m.triggers
        )]
        if triggered:
            stack.s3_client().put_object(
                Bucket=stack.buckets["inbound"], Key="e2e/trades.csv", Body=b"uti\n"
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rows = stack.activations(limit=100)
            if not triggered or any(
                r["action"] in triggered and r["status"] != "running" for r in rows
            ):
                break
            time.sleep(0.2)

        listed = CliRunner().invoke(cli, ["activations"], env={"SWAPREP_HOME": str(state_dir)})
        assert listed.exit_code == 0, listed.output
        api_rows = [line for line in listed.output.splitlines() if " api " in line]
        assert any("api_gateway" in line for line in api_rows), listed.output
        if triggered:
            assert f"object_storage:{stack.buckets['inbound']}" in listed.output, listed.output
    assert not (state_dir / "endpoints.json").exists()
