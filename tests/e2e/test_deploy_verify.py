"""`swaprep deploy verify --env local` on a stack started as `./dev up` starts it (demo tenant
and users): the health check through the gateway, then a canary file followed to its ACK; a
verify before the demo users exist fails, saying why; the password is never printed."""

from __future__ import annotations

import json
import uuid

import pytest
from click.testing import CliRunner

from swaprep.cli import main as cli

pytestmark = pytest.mark.e2e


def test_verify_follows_a_canary_to_its_ack_and_fails_clearly_without_a_user(state_dir):
    from swaprep.local.stack import LocalStack

    ports = dict.fromkeys(("api", "invoke", "s3", "postgres", "trsim", "trsim_admin", "ncp"), 0)
    with LocalStack(state_dir=state_dir, ports=ports, poll_interval_s=0.25,
                    bucket_prefix=f"ver{uuid.uuid4().hex[:8]}") as stack:
        def verify() -> tuple[int, str]:
            result = CliRunner().invoke(cli, ["deploy", "verify", "--env", "local",
                                              "--timeout-s", "240"],
                                        env={"SWAPREP_HOME": str(state_dir)},
                                        catch_exceptions=False)
            return result.exit_code, result.output

        code, refused = verify()  # no demo users yet: nothing to sign in with
        assert code == 1
        assert "the local stack has no secret 'password_demo-viewer'" in refused

        stack.seed_demo()
        code, output = verify()
        assert code == 0, output
        assert "health: ok" in output and "sign-in as demo-viewer: ok" in output
        assert "canary: uploaded demo-bank/" in output
        assert "verify: OK (the canary was acknowledged by the TR)" in output
        password = json.loads((state_dir / "secrets.json").read_text())["password_demo-viewer"]
        assert password not in output
