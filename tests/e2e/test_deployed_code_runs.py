"""Deployed code runs (issue 12, item 5): an empty local stack, the whole system deployed into
its NCP control plane by `swaprep deploy apply --env local`, the demo FEP files dropped into
the inbound bucket, and every record ends as the generator meant (ACK, NACK with the TR's
code, invalid with its rules, parse error) while every activation ran from a deployed zip:
unpacked under the stack's state folder, under CPython 3.13 -I through the OpenWhisk
launcher's steps, fired by the deployed triggers. The artefacts a bank would deploy are the
ones that ran."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from swaprep.cli import main as cli
from swaprep.local.host import Activation
from swaprep.local.manifest import load_actions

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SETTLE_S = 120


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mapped_libraries(pid: int) -> set[str]:
    """The shared objects a process has loaded (Linux)."""
    with open(f"/proc/{pid}/maps", encoding="utf-8") as maps:
        return {line.split()[-1] for line in maps if line.rstrip().endswith(".so")
                or ".so." in line.rsplit("/", 1)[-1]}


def test_the_deployed_system_carries_the_demo_files_to_ack_nack_and_invalid(state_dir):
    from swaprep.local import demo
    from swaprep.local.deployed import runtime_python
    from swaprep.local.stack import LocalStack

    ports = dict.fromkeys(("api", "invoke", "s3", "postgres", "trsim", "trsim_admin", "ncp"), 0)
    with LocalStack(state_dir=state_dir, ports=ports, poll_interval_s=0.25, source="deployed",
                    bucket_prefix=f"dep{uuid.uuid4().hex[:8]}") as stack:
        assert stack.actions == {}, "an empty stack runs nothing before the deploy"
        finished: list[Activation] = []
        stack.on_activation(finished.append)

        started = time.monotonic()
        applied = CliRunner().invoke(cli, ["deploy", "apply", "--yes", "--env", "local"],
                                     env={"SWAPREP_HOME": str(state_dir)},
                                     catch_exceptions=False)
        assert applied.exit_code == 0, applied.output
        deployed_s = time.monotonic() - started
        summary = stack.run_deployed()
        manifests = load_actions(ROOT / "functions")
        assert set(summary["actions"]) == set(manifests) and not summary["skipped"], summary
        assert len(summary["triggers"]) == sum(len(m.triggers) for m in manifests.values())
        plane = {a.name: a for a in stack.control_plane.deployed_actions()}
        built = {name: _sha256(ROOT / "build" / "actions" / f"{name}.zip") for name in plane}
        assert built == {name: _sha256(a.zip_path) for name, a in plane.items()}

        # The console's API, through the gateway, answered by the deployed `api` zip.
        health = requests.get(f"{stack.endpoints['api']}/api/health", timeout=60)
        assert health.status_code == 200, health.text

        seeded = stack.seed_demo()
        keys = seeded["uploaded"].split(", ")
        files = demo.all_demo_files(date.fromisoformat(keys[0].split("/")[1]))
        meant = Counter(i.outcome for f in files for i in f.intents)
        expected = {"acked": meant["ack"], "nacked": meant["nack"], "invalid": meant["invalid"]}
        assert all(expected.values()), expected
        uploaded = time.monotonic()
        while True:
            with stack.db.system() as conn:
                rows = {r["state"]: r["n"] for r in conn.execute(
                    "SELECT state, count(*) AS n FROM raw_rows GROUP BY state")}
                events = {r["state"]: r["n"] for r in conn.execute(
                    "SELECT state, count(*) AS n FROM trade_events GROUP BY state")}
            if events == expected and rows.get("parse_error") == meant["parse_error"]:
                break
            failed = [(a.action, a.error) for a in finished if a.status != "success"]
            assert time.monotonic() - uploaded < SETTLE_S, (rows, events, expected, failed[:5])
            time.sleep(1)
        settled_s = time.monotonic() - uploaded
        with stack.db.system() as conn:
            nack_codes = {r["tr_code"] for r in conn.execute(
                "SELECT DISTINCT tr_code FROM report_items WHERE status = 'nacked'")}
            rules = {r["rule_id"] for r in conn.execute(
                "SELECT DISTINCT rule_id FROM validation_issues")}
        assert nack_codes == {i.tr_code for f in files for i in f.intents if i.tr_code}
        assert rules >= {rule for f in files for i in f.intents for rule in i.rules}

        # Every activation ran a deployed zip: the very bytes the deploy built and sent.
        python = runtime_python()
        ran = Counter(a.action for a in finished)
        # validate runs only for events that had to wait (process judges the others), and the
        # authorizer only for signed-in calls: either may not have run in this demo.
        for stage in ("api", "ingest", "process", "generate", "submit", "feedback"):
            assert ran[stage] > 0, (stage, ran)
        for activation in finished:
            notes = activation.annotations
            where = f"{activation.action} {activation.id}"
            assert notes["source"] == "deployed", where
            assert notes["zip_sha256"] == built[activation.action], where
            assert notes["version"] == plane[activation.action].version, where
            assert notes["python"] == python and notes["kind"] == "python:3.13", where
            assert Path(notes["code"]).is_relative_to(stack.deployed_root), where
        # ... and what a warm container has loaded is the zip's compiled wheels, never the
        # dev virtualenv's.
        venv = Path(os.sys.prefix).resolve()
        for action in ("process", "validate"):
            for pid in stack.host.pids(action):
                assert Path(os.readlink(f"/proc/{pid}/exe")).resolve() == Path(
                    python).resolve()
                libraries = _mapped_libraries(pid)
                assert not [lib for lib in libraries if Path(lib).is_relative_to(venv)]
                from_zip = [lib for lib in libraries if "/site-packages/" in lib]
                assert from_zip and all(
                    Path(lib).is_relative_to(stack.deployed_root) for lib in from_zip), from_zip
        print(f"deployed in {deployed_s:.1f}s, demo settled in {settled_s:.1f}s: {events}, "
              f"{dict(ran)}")
