"""The deploy a bank would run, against the local stack's NCP control plane: every action of
functions/ built from its lock and deployed with its triggers by `swaprep deploy apply --env
local`, and a second plan with nothing pending."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from swaprep.cli import main as cli
from swaprep.local.manifest import load_actions

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_the_whole_system_deploys_into_the_local_control_plane(state_dir):
    from swaprep.local.stack import LocalStack

    ports = dict.fromkeys(("api", "invoke", "s3", "postgres", "trsim", "trsim_admin", "ncp"), 0)
    with LocalStack(state_dir=state_dir, ports=ports,
                    bucket_prefix=f"dep{uuid.uuid4().hex[:8]}") as stack:
        def deploy(*args: str) -> tuple[int, str]:
            result = CliRunner().invoke(cli, ["deploy", *args, "--env", "local"],
                                        env={"SWAPREP_HOME": str(state_dir)},
                                        catch_exceptions=False)
            return result.exit_code, result.output

        code, planned = deploy("plan")
        assert code == 2, planned
        assert "+ schema swaprep (create)" in planned
        code, applied = deploy("apply", "--yes")
        assert code == 0, applied
        # `up` migrated the stack's database; the deployed migrate action, invoked through the
        # control plane's Post Action, finds nothing owed
        assert "migrations: the schema was already up to date" in applied
        # the console (built by ./dev test) published, then its edge purged of the entry page
        [purge] = stack.control_plane.deployed_purges()
        assert purge.edge_id == 1001 and "/index.html" in purge.targets
        manifests = load_actions(ROOT / "functions")
        deployed = {a.name: a for a in stack.control_plane.deployed_actions()}
        assert set(deployed) == set(manifests)
        for name, manifest in manifests.items():
            assert deployed[name].memory_mb == manifest.memory_mb
            assert deployed[name].timeout_ms == manifest.timeout_ms
            assert deployed[name].web == manifest.web
            assert deployed[name].zip_path.stat().st_size < 38_000_000
        expected_triggers = sum(len(m.triggers) for m in manifests.values())
        triggers = stack.control_plane.deployed_triggers()
        assert len(triggers) == expected_triggers and all(len(t.actions) == 1 for t in triggers)
        package = deployed["api"].package_parameters
        assert package["bucket_inbound"] == stack.buckets["inbound"]
        assert package["database_url"] == stack.config["database_url"]

        code, again = deploy("plan")
        assert code == 0, again
        secret = stack.config["s3_secret_access_key"]
        for text in (planned, applied, again):
            assert secret not in text and stack.config["jwt_signing_secret"] not in text
