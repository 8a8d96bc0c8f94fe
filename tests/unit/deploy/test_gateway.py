"""The API Gateway resources the deploy derives from functions/api/action.toml and a deploy
env's [gateway] section: the public routes open, everything else behind the authorizer, the
usage plan's numbers from the manifest, names NCP accepts, and the order of the changes."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from swaprep.deploy.desired import KINDS, desired_state
from swaprep.deploy.envfile import DeployEnvError, load_env
from swaprep.deploy.gateway import (
    GatewaySettings,
    expressible,
    gateway_resources,
    routes_digest,
    unexpressible_public,
)
from swaprep.deploy.plan import CREATE, DELETE, UPDATE, diff
from swaprep.local.manifest import load_actions
from tests.unit.deploy.shipped_envs import load_shipped_envs

ROOT = Path(__file__).resolve().parents[3]

ENV_TOML = """
[ncp]
region = "KR"
cloud_functions_url = "https://cloudfunctions.apigw.ntruss.com"
api_gateway_url = "https://apigateway.apigw.ntruss.com"
access_key = { env = "NCLOUD_ACCESS_KEY" }
secret_key = { env = "NCLOUD_SECRET_KEY" }
{switches}

[functions]
package = "swaprep"

[buckets]
inbound = "bank-inbound"
outbound = "bank-outbound"
feedback = "bank-feedback"
frontend = "bank-console"

[gateway]
{gateway}

[parameters]
log_level = "INFO"
"""
ENVIRON = {"NCLOUD_ACCESS_KEY": "AK-local", "NCLOUD_SECRET_KEY": "SK-very-secret"}


def _env(tmp_path: Path, gateway: str = "", switches: str = ""):
    (tmp_path / "deploy" / "envs").mkdir(parents=True, exist_ok=True)
    (tmp_path / "deploy" / "envs" / "bank.toml").write_text(
        ENV_TOML.replace("{gateway}", gateway).replace("{switches}", switches))
    return load_env("bank", root=tmp_path, environ=ENVIRON)


@pytest.fixture(scope="module")
def manifests():
    return load_actions(ROOT / "functions")


def _by_key(resources):
    return {r.key: r for r in resources}


def test_the_api_manifest_opens_its_public_routes_and_guards_the_rest(tmp_path, manifests):
    resources = _by_key(gateway_resources(_env(tmp_path), manifests))
    public = manifests["api"].gateway.public
    routes = {k.split(" ", 1)[1]: r.spec for k, r in resources.items()
              if k.startswith("gateway_route:swaprep/api ")}
    expected_public = {f"{m} {p}" for m, p in public if expressible(p)}
    assert expected_public == {"GET /api/health", "POST /api/auth/token", "POST /api/auth/refresh"}
    assert set(routes) == {"ANY /api/{proxy+}"} | expected_public
    for route, spec in routes.items():
        assert spec["action"] == "swaprep/api" and spec["api_key_required"] is False
        if route in expected_public:
            assert (spec["authentication"], spec["authorizer"]) == ("NONE", None), route
        else:
            assert (spec["authentication"], spec["authorizer"]) == (
                "AUTHORIZER", "swaprep-authorizer"), route
    # NCP's resource paths take no "." in a segment: that public route stays guarded
    assert unexpressible_public(manifests["api"]) == ["GET /api/openapi.json"]
    stage = resources["gateway_stage:swaprep/api/v1"]
    assert stage.spec["routes"] == sorted(routes)
    assert re.fullmatch(r"[0-9a-f]{64}", stage.spec["routes_sha256"])


def test_the_authorizer_product_api_and_usage_plan_from_the_manifest(tmp_path, manifests):
    resources = _by_key(gateway_resources(_env(tmp_path), manifests))
    authorizer = resources["gateway_authorizer:swaprep-authorizer"]
    assert authorizer.spec == {"function_id": "swaprep/authorizer", "region": "KR",
                               "payload": ["HEADER Authorization"], "cache_ttl_s": 60}
    assert authorizer.depends_on == ("action:authorizer",)
    assert resources["gateway_product:swaprep"].spec == {"subscription": "PROTECTED"}
    assert "gateway_api:swaprep/api" in resources
    limit = manifests["api"].gateway.credential_limit
    plan = resources["gateway_usage_plan:swaprep-api"]
    assert plan.spec == {"rate_rps": round(limit.rate_per_s), "day_quota": limit.quota_per_day,
                         "month_quota": limit.quota_per_month, "stages": ["swaprep/api/v1"]}
    assert (plan.spec["rate_rps"], plan.spec["day_quota"], plan.spec["month_quota"]) == (
        20, 200_000, None)
    # in the env's order, after the Cloud Functions kinds and before the bucket settings
    everything = desired_state(_env(tmp_path), manifests)
    kinds = [r.kind for r in everything]
    assert kinds == sorted(kinds, key=KINDS.index)
    assert kinds.index("gateway_authorizer") > kinds.index("trigger")


def test_the_env_section_sets_names_and_settings_and_refuses_what_ncp_would(tmp_path,
                                                                            manifests):
    env = _env(tmp_path, 'product = "bank-swaps"\nsubscription = "PUBLIC"\nstage = "prod"\n'
                         "authorizer_cache_ttl_s = 300\n")
    keys = {r.key: r for r in gateway_resources(env, manifests)}
    assert keys["gateway_product:bank-swaps"].spec == {"subscription": "PUBLIC"}
    assert "gateway_stage:bank-swaps/api/prod" in keys
    assert keys["gateway_authorizer:swaprep-authorizer"].spec["cache_ttl_s"] == 300
    refused = {
        'authorizer_headers = ["Authorization", "X-API-Key"]':
            r"gateway.authorizer_headers: 'X-API-Key': NCP takes an authorizer payload name of "
            r"letters, digits and _ only",
        'subscription = "OPEN"': r"gateway.subscription: PUBLIC or PROTECTED",
        'stage = "v 1"': r"gateway.stage: letters, digits, _ and -",
        "authorizer_cache_ttl_s = 7200": r"authorizer_cache_ttl_s: a whole number of seconds",
        'prodcut = "x"': r"gateway.prodcut: unknown key",
    }
    for line, message in refused.items():
        with pytest.raises(DeployEnvError, match=message):
            gateway_resources(_env(tmp_path, line), manifests)


def test_the_action_reference_follows_the_gateway_switches(tmp_path, manifests):
    switches = '[ncp.gateway_switches]\naction_reference = "qualified"\n'
    with pytest.raises(DeployEnvError, match=r"gateway.namespace: needed"):
        gateway_resources(_env(tmp_path, switches=switches), manifests)
    env = _env(tmp_path, 'namespace = "ns-1"', switches=switches)
    keys = {r.key: r for r in gateway_resources(env, manifests)}
    assert keys["gateway_authorizer:swaprep-authorizer"].spec["function_id"] == \
        "/ns-1/swaprep/authorizer"
    assert keys["gateway_route:swaprep/api ANY /api/{proxy+}"].spec["action"] == \
        "/ns-1/swaprep/api"
    with pytest.raises(DeployEnvError, match=r"ncp.gateway_switches"):
        GatewaySettings.of(_env(tmp_path, switches="[ncp.gateway_switches]\nnope = 1\n"))


def test_no_gateway_section_means_no_gateway(tmp_path, manifests):
    without = {name: replace(m, gateway=None) for name, m in manifests.items()}
    assert gateway_resources(_env(tmp_path), without) == []


def test_a_route_change_redeploys_the_stage_and_a_removed_route_goes_first(tmp_path,
                                                                          manifests):
    env = _env(tmp_path)
    deployed = gateway_resources(env, manifests)
    api = manifests["api"]
    fewer = replace(api, gateway=replace(api.gateway, public=api.gateway.public[1:]))
    wanted = gateway_resources(env, {**manifests, "api": fewer})
    plan = diff(wanted, deployed)
    assert [(c.verb, c.resource.key) for c in plan.changes] == [
        (DELETE, "gateway_route:swaprep/api GET /api/health"),
        (UPDATE, "gateway_stage:swaprep/api/v1")]
    assert {f.path for f in plan.changes[1].fields} == {"routes", "routes_sha256"}
    # an authentication change alone changes the routes' digest, so the stage deploys again
    routes = [r for r in deployed if r.kind == "gateway_route"]
    opened = [replace(r, spec={**r.spec, "authentication": "NONE", "authorizer": None})
              if r.name.endswith(" ANY /api/{proxy+}") else r for r in routes]
    assert routes_digest(opened) != routes_digest(routes)


def test_destroy_removes_the_gateway_in_reverse_order(tmp_path, manifests):
    plan = diff([], gateway_resources(_env(tmp_path), manifests))
    assert {c.verb for c in plan.changes} == {DELETE}
    kinds = [c.resource.kind for c in plan.changes]
    assert list(dict.fromkeys(kinds)) == ["gateway_usage_plan", "gateway_stage", "gateway_route",
                                          "gateway_api", "gateway_product",
                                          "gateway_authorizer"]
    created = diff(gateway_resources(_env(tmp_path), manifests), [])
    assert {c.verb for c in created.changes} == {CREATE}
    assert created.changes[0].resource.kind == "gateway_authorizer"


def test_every_shipped_environment_has_a_gateway_ncp_accepts(tmp_path, manifests):
    for name, env in load_shipped_envs(tmp_path):
        assert env.ncp["api_gateway_url"], name
        settings = GatewaySettings.of(env)
        assert (settings.product, settings.stage) == ("swaprep", "v1"), name
        assert any(r.kind == "gateway_usage_plan" for r in gateway_resources(env, manifests))
