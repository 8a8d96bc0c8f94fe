"""`swaprep deploy` makes the API Gateway in front of the web actions, against the local NCP
control plane's API Gateway v1 stand-in over signed HTTP (every answer checked against NCP's
spec): the plan an operator reads, an apply that converges, a public route added and taken
out again, creates whose answers were lost and an apply cut short that finish without
duplicates on a rerun, and a destroy in an order the stand-in accepts."""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests

from swaprep.ncp.client import NcpClient
from swaprep.ncp.controlplane import ControlPlane
from tests.functional.deploy.support import (
    make_buckets,
    run_deploy,
    target,
    write_actions,
    write_env,
)

pytestmark = pytest.mark.functional

ACCESS_KEY, SECRET_KEY = "LOCAL-AK-1234", "local-secret-key-5678"
DB_PASSWORD = "Pg-Very-Secret-99"
ENVIRON = {"T_NCP_ACCESS_KEY": ACCESS_KEY, "T_NCP_SECRET_KEY": SECRET_KEY,
           "T_DATABASE_URL": f"postgresql://swaprep:{DB_PASSWORD}@10.0.2.6:5432/swaprep"}

API_MANIFEST = textwrap.dedent("""\
    memory_mb = 256
    timeout_s = 30
    web = true

    [gateway]
    routes = ["/api/*"]
    authorizer = "authorizer"
    public = ["GET /api/health", "POST /api/auth/token"]

    [gateway.credential_limit]
    rate_per_s = 20
    burst = 40
    quota_per_day = 200000
    quota_per_month = 5000000

    [gateway.tenant_limit]
    rate_per_s = 100
    """)
ACTIONS = {
    "api": API_MANIFEST,
    "authorizer": "memory_mb = 128\ntimeout_s = 10\n",
    "ticker": 'memory_mb = 128\ntimeout_s = 60\n\n[[triggers]]\ntype = "cron"\n'
              'schedule = "* * * * *"\n',
}
STAGE = "swaprep/api/v1"
GATEWAY_LINES = [
    "+ gateway_authorizer swaprep-authorizer (create)",
    "+ gateway_product swaprep (create)",
    "+ gateway_api swaprep/api (create)",
    "+ gateway_route swaprep/api ANY /api/{proxy+} (create)",
    "+ gateway_route swaprep/api GET /api/health (create)",
    "+ gateway_route swaprep/api POST /api/auth/token (create)",
    f"+ gateway_stage {STAGE} (create)",
    "+ gateway_usage_plan swaprep-api (create)",
]


@pytest.fixture
def plane(tmp_path: Path):
    with ControlPlane(tmp_path / "ncp" / "state.json", ACCESS_KEY, SECRET_KEY,
                      check_responses=True) as control:
        yield control


@pytest.fixture
def s3(s3_clean):
    return make_buckets(s3_clean, ["g-inbound"])


@pytest.fixture
def checkout(tmp_path: Path, plane: ControlPlane, s3, s3_clean) -> Path:
    root = tmp_path / "checkout"
    write_actions(root, ACTIONS)
    write_env(root, "t", target(plane.url, also=("api_gateway_url",)) + textwrap.dedent(f"""\
        [buckets]
        inbound = "g-inbound"

        [gateway]
        product = "swaprep"
        subscription = "PROTECTED"
        stage = "v1"
        authorizer_cache_ttl_s = 30
        authorizer_headers = ["Authorization"]

        [parameters]
        database_url = {{ env = "T_DATABASE_URL" }}
        s3_endpoint_url = "{s3_clean}"
        s3_access_key_id = "testing"
        s3_secret_access_key = "testing"
        """))
    return root


def deploy(root: Path, *args: str) -> tuple[int, str]:
    return run_deploy(root, "t", *args, environ=ENVIRON)


def served(plane: ControlPlane) -> dict[tuple[str, str], Any]:
    """(method, resource path) -> the method the v1 stage's deployed snapshot serves."""
    stage = plane.deployed_gateway().stage("swaprep", "api", "v1")
    assert stage is not None and stage.deployment is not None
    return {(m.method, r.path): m for r in stage.resources for m in r.methods}


def test_plan_apply_plan_makes_the_gateway_in_front_of_the_web_action(checkout, plane):
    code, planned = deploy(checkout, "plan")
    assert code == 2, planned
    lines = planned.splitlines()
    assert [line for line in lines if line.startswith("+ gateway_")] == GATEWAY_LINES
    # after the Cloud Functions package, actions and triggers; before the bucket settings
    assert lines.index("+ trigger ticker-cron-1 (create)") < lines.index(GATEWAY_LINES[0])
    assert lines.index(GATEWAY_LINES[-1]) < lines.index("+ bucket_lifecycle g-inbound (create)")
    assert "Plan: 14 to create, 0 to change, 0 to remove." in planned

    code, applied = deploy(checkout, "apply", "--yes")
    assert code == 0, applied
    assert "Applied 14 change(s)." in applied
    wiring = plane.deployed_gateway()
    [product] = wiring.products
    assert (product.name, product.subscription_code) == ("swaprep", "PROTECTED")
    assert [a.name for a in product.apis] == ["api"]
    [authorizer] = wiring.authorizers
    assert (authorizer.name, authorizer.type, authorizer.action) == (
        "swaprep-authorizer", "CLOUD_FUNCTIONS", "swaprep/authorizer")
    assert authorizer.payload == (("HEADER", "Authorization"),)
    assert authorizer.cache_ttl_sec == 30
    routes = served(plane)
    assert sorted(routes) == [("ANY", "/api/{proxy+}"), ("GET", "/api/health"),
                              ("POST", "/api/auth/token")]
    guarded = routes[("ANY", "/api/{proxy+}")]
    assert (guarded.authentication, guarded.authorizer_id) == ("AUTHORIZER",
                                                               authorizer.authorizer_id)
    for public in (("GET", "/api/health"), ("POST", "/api/auth/token")):
        assert (routes[public].authentication, routes[public].authorizer_id) == ("NONE", None)
    assert {m.action for m in routes.values()} == {"swaprep/api"}
    assert not any(m.api_key_required for m in routes.values())
    stage = wiring.stage("swaprep", "api", "v1")
    assert stage is not None
    # what a request meets: the public route open, anything else behind the authorizer
    assert stage.route("GET", "/api/health")[1].authentication == "NONE"  # type: ignore[index]
    assert stage.route("POST", "/api/health")[1].authentication == "AUTHORIZER"  # type: ignore[index]
    assert stage.route("GET", "/api/trades/U1")[2] == {"proxy": "trades/U1"}  # type: ignore[index]
    [plan] = wiring.usage_plans
    assert (plan.name, plan.rate_rps, plan.day_quota, plan.month_quota) == (
        "swaprep-api", 20, 200_000, 5_000_000)
    assert plan.stage_ids == (stage.stage_id,) and stage.usage_plan_ids == (plan.usage_plan_id,)

    code, again = deploy(checkout, "plan")
    assert code == 0, again
    assert again.strip().endswith("No changes: what is deployed matches the manifests and the "
                                  "environment.")
    code, second = deploy(checkout, "apply", "--yes")
    assert code == 0 and "Applied" not in second
    assert len(stage.deployment.resources) == len(  # type: ignore[union-attr]
        plane.deployed_gateway().stage("swaprep", "api", "v1").resources)  # type: ignore[union-attr]
    for text in (planned, applied, again, second):
        assert DB_PASSWORD not in text and SECRET_KEY not in text


def test_a_public_route_added_then_taken_out_is_one_route_and_a_redeploy(checkout, plane):
    assert deploy(checkout, "apply", "--yes")[0] == 0
    manifest = checkout / "functions" / "api" / "action.toml"
    manifest.write_text(API_MANIFEST.replace('"POST /api/auth/token"]',
                                             '"POST /api/auth/token", "GET /api/status/ping"]'))
    code, planned = deploy(checkout, "plan")
    assert code == 2
    changes = [line for line in planned.splitlines() if line[:2] in ("+ ", "~ ", "- ")]
    assert changes == ["+ gateway_route swaprep/api GET /api/status/ping (create)",
                       f"~ gateway_stage {STAGE}"]
    assert "'GET /api/status/ping'" in planned and "routes_sha256:" in planned
    assert "Plan: 1 to create, 1 to change, 0 to remove." in planned
    assert deploy(checkout, "apply", "--yes")[0] == 0
    routes = served(plane)
    assert routes[("GET", "/api/status/ping")].authentication == "NONE"
    assert deploy(checkout, "plan")[0] == 0

    # taken out again: the route goes before the stage is deployed, so its snapshot drops it
    manifest.write_text(API_MANIFEST)
    code, planned = deploy(checkout, "plan")
    changes = [line for line in planned.splitlines() if line[:2] in ("+ ", "~ ", "- ")]
    assert changes == ["- gateway_route swaprep/api GET /api/status/ping (delete)",
                       f"~ gateway_stage {STAGE}"]
    assert deploy(checkout, "apply", "--yes")[0] == 0
    assert ("GET", "/api/status/ping") not in served(plane)
    [api] = plane.deployed_gateway().products[0].apis
    assert [r.path for r in api.resources] == [  # the emptied /api/status went with it
        "/api", "/api/auth", "/api/auth/token", "/api/health", "/api/{proxy+}"]
    assert deploy(checkout, "plan")[0] == 0

    # the usage plan's numbers are an update of the plan alone
    manifest.write_text(API_MANIFEST.replace("rate_per_s = 20", "rate_per_s = 12.5"))
    code, planned = deploy(checkout, "plan")
    assert "~ gateway_usage_plan swaprep-api\n    rate_rps: 20 -> 13" in planned
    assert "Plan: 0 to create, 1 to change, 0 to remove." in planned
    assert deploy(checkout, "apply", "--yes")[0] == 0
    assert plane.deployed_gateway().usage_plans[0].rate_rps == 13


_CREATES = [re.compile(p) for p in (
    r"/api/v1/authorizers", r"/api/v1/products", r"/api/v1/products/\w+/apis",
    r"/api/v1/products/\w+/apis/\w+/resources", r"/api/v1/products/\w+/apis/\w+/resources/\w+"
    r"/methods", r"/api/v1/products/\w+/apis/\w+/stages", r"/api/v1/usage-plans")]
_DEPLOY = re.compile(r"/api/v1/products/\w+/apis/\w+/deploy")


def test_lost_create_answers_and_an_apply_cut_short_leave_no_duplicates(checkout, plane,
                                                                        monkeypatch):
    """The first create of each kind has its answer dropped after the work (the client
    retries and finds the name taken), and the deploy of the stage fails beyond the client's
    retries: the apply stops there; the rerun finishes it."""
    faulted: set[str] = set()
    original = NcpClient.request

    def with_faults(self: NcpClient, method: str, path: str, **kwargs: Any) -> Any:
        if method == "POST":
            kind = next((p.pattern for p in _CREATES if p.fullmatch(path)), None)
            if kind is not None and kind not in faulted:
                faulted.add(kind)
                fault = {"drop": 1, "after_work": True, "path_prefix": path}
            elif _DEPLOY.fullmatch(path) and "deploy" not in faulted:
                faulted.add("deploy")
                fault = {"status": 503, "count": 50, "retry_after": 0, "path_prefix": path}
            else:
                fault = None
            if fault is not None:
                answer = requests.post(f"{plane.url}/_faults", json=fault, timeout=5)
                assert answer.status_code == 200, answer.text
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(NcpClient, "request", with_faults)
    code, failed = deploy(checkout, "apply", "--yes")
    assert code == 1, failed
    assert "/deploy: 503" in failed and "gave up after 5 attempts" in failed
    # every create but the usage plan's (after the stage) lost its answer; the deploy failed
    assert faulted == {p.pattern for p in _CREATES} - {"/api/v1/usage-plans"} | {"deploy"}
    stage = plane.deployed_gateway().stage("swaprep", "api", "v1")
    assert stage is not None and stage.deployment is None  # made, not deployed

    requests.delete(f"{plane.url}/_faults", timeout=5)  # NCP is answering again
    code, planned = deploy(checkout, "plan")
    assert code == 2
    changes = [line for line in planned.splitlines() if line[:2] in ("+ ", "~ ", "- ")]
    assert changes == [f"~ gateway_stage {STAGE}", "+ gateway_usage_plan swaprep-api (create)",
                       "+ bucket_lifecycle g-inbound (create)"]  # what was done is not again
    code, finished = deploy(checkout, "apply", "--yes")
    assert code == 0, finished
    assert "/api/v1/usage-plans" in faulted  # the usage plan's create lost its answer too

    wiring = plane.deployed_gateway()
    assert [p.name for p in wiring.products] == ["swaprep"]
    assert [a.name for a in wiring.products[0].apis] == ["api"]
    [api] = wiring.products[0].apis
    paths = Counter(r.path for r in api.resources)
    assert set(paths.values()) == {1} and len(paths) == 5
    assert [s.name for s in api.stages] == ["v1"]
    assert [a.name for a in wiring.authorizers] == ["swaprep-authorizer"]
    assert [p.name for p in wiring.usage_plans] == ["swaprep-api"]
    assert len(served(plane)) == 3
    assert deploy(checkout, "plan")[0] == 0


def test_destroy_removes_the_gateway_in_an_order_the_stand_in_accepts(checkout, plane):
    assert deploy(checkout, "apply", "--yes")[0] == 0
    code, output = deploy(checkout, "destroy", "--yes")
    assert code == 0, output
    removed = [line for line in output.splitlines() if line.startswith("- ")]
    assert removed[:9] == [
        "- bucket_lifecycle g-inbound (delete)",
        "- gateway_usage_plan swaprep-api (delete)",
        f"- gateway_stage {STAGE} (delete)",
        "- gateway_route swaprep/api ANY /api/{proxy+} (delete)",
        "- gateway_route swaprep/api GET /api/health (delete)",
        "- gateway_route swaprep/api POST /api/auth/token (delete)",
        "- gateway_api swaprep/api (delete)",
        "- gateway_product swaprep (delete)",
        "- gateway_authorizer swaprep-authorizer (delete)"]
    assert removed[-1] == "- package swaprep (delete)"
    wiring = plane.deployed_gateway()
    assert (wiring.products, wiring.authorizers, wiring.usage_plans) == ((), (), ())
    assert plane.deployed_actions() == []
    code, planned = deploy(checkout, "plan")
    assert code == 2 and "+ gateway_product swaprep (create)" in planned


def test_the_console_origin_is_answered_by_the_gateway_and_a_new_origin_redeploys(checkout,
                                                                                  plane):
    """A browser's preflight carries no token, so the gateway (not the authorizer-guarded
    action) must answer it: every route's resource carries the console's origin, and moving
    the console to another domain updates each route, deploys the stage again and moves the
    inbound bucket's upload grant."""
    env_file = checkout / "deploy" / "envs" / "t.toml"
    base = env_file.read_text()
    env_file.write_text(base + '\n[console]\norigins = ["https://console.bank.example"]\n')
    assert deploy(checkout, "apply", "--yes")[0] == 0
    stage = plane.deployed_gateway().stage("swaprep", "api", "v1")
    assert stage is not None and stage.deployment is not None
    leaves = {r.path: r for r in stage.deployment.resources if r.methods}
    assert sorted(leaves) == ["/api/auth/token", "/api/health", "/api/{proxy+}"]
    for resource in leaves.values():
        assert resource.cors["corsAllowOrigin"] == "https://console.bank.example"
        assert "Authorization" in resource.cors["corsAllowHeaders"].split(",")
        assert "OPTIONS" in resource.cors["corsAllowMethods"].split(",")
        assert resource.cors["corsAllowCredentials"] == "false"
    assert deploy(checkout, "plan")[0] == 0

    env_file.write_text(base + '\n[console]\norigins = ["https://ops.bank.example"]\n')
    code, planned = deploy(checkout, "plan")
    changes = [line for line in planned.splitlines() if line[:2] in ("+ ", "~ ", "- ")]
    assert changes == ["~ gateway_route swaprep/api ANY /api/{proxy+}",
                       "~ gateway_route swaprep/api GET /api/health",
                       "~ gateway_route swaprep/api POST /api/auth/token",
                       f"~ gateway_stage {STAGE}",
                       "~ bucket_cors g-inbound"]  # the console's uploads follow it too
    assert "https://ops.bank.example" in planned
    assert deploy(checkout, "apply", "--yes")[0] == 0
    stage = plane.deployed_gateway().stage("swaprep", "api", "v1")
    assert {r.cors["corsAllowOrigin"] for r in stage.deployment.resources  # type: ignore[union-attr]
            if r.methods} == {"https://ops.bank.example"}
    code, left = deploy(checkout, "plan")
    assert code == 0, left

    # two origins cannot be expressed in NCP's 45-character field: refused before any change
    env_file.write_text(base + '\n[console]\norigins = ["https://ops.bank.example", '
                               '"https://console.bank.example"]\n')
    code, refused = deploy(checkout, "plan")
    assert code == 1 and "console.origins" in refused and "one CORS origin" in refused
