"""Deploy environments, the resources the manifests ask for, and the plan between them: what an
operator reads before anything changes on NCP."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from shared.adapters.tr.base import config_suffix
from shared.domain.regimes import keys as regime_keys
from swaprep.deploy.desired import KINDS, desired_state
from swaprep.deploy.envfile import DeployEnvError, load_env
from swaprep.deploy.plan import CREATE, DELETE, UPDATE, diff
from swaprep.local.manifest import load_actions

ROOT = Path(__file__).resolve().parents[3]
DB_PASSWORD = "pg-Secret-4711"

ENV_TOML = """
[ncp]
cloud_functions_url = "https://cloudfunctions.apigw.ntruss.com"
access_key = { env = "NCLOUD_ACCESS_KEY" }
secret_key = { env = "NCLOUD_SECRET_KEY" }

[functions]
package = "swaprep"
vpc_no = { terraform_output = "vpc_no" }
subnet_no = { terraform_output = "functions_subnet_no" }

[buckets]
inbound = "bank-inbound"
outbound = "bank-outbound"
feedback = "bank-feedback"
frontend = "bank-console"

[parameters]
database_url = { env = "SWAPREP_DATABASE_URL" }
log_level = "INFO"
"""


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    (tmp_path / "deploy" / "envs").mkdir(parents=True)
    (tmp_path / "deploy" / "envs" / "bank.toml").write_text(ENV_TOML)
    (tmp_path / "infra" / "terraform").mkdir(parents=True)
    (tmp_path / "infra" / "terraform" / "outputs.json").write_text(json.dumps({
        "vpc_no": {"value": "41000", "type": "string"},
        "functions_subnet_no": {"value": "82001", "type": "string"}}))
    return tmp_path


ENVIRON = {"NCLOUD_ACCESS_KEY": "AK-local", "NCLOUD_SECRET_KEY": "SK-very-secret",
           "SWAPREP_DATABASE_URL": f"postgresql://swaprep:{DB_PASSWORD}@db.internal/swaprep"}


def _env(checkout: Path, **environ: str):
    return load_env("bank", root=checkout, environ={**ENVIRON, **environ})


def test_references_resolve_from_terraform_outputs_and_the_environment(checkout):
    env = _env(checkout)
    assert (env.functions["vpc_no"], env.functions["subnet_no"]) == ("41000", "82001")
    assert env.ncp["secret_key"] == "SK-very-secret"
    assert env.parameters["database_url"].endswith("@db.internal/swaprep")
    assert env.mask(f"failed with {env.parameters['database_url']}") == "failed with ***"


def test_a_missing_variable_is_named_and_no_value_is_shown(checkout):
    with pytest.raises(DeployEnvError, match="environment variable SWAPREP_DATABASE_URL is not "
                                             "set") as caught:
        load_env("bank", root=checkout, environ={k: v for k, v in ENVIRON.items()
                                                  if k != "SWAPREP_DATABASE_URL"})
    assert "SK-very-secret" not in str(caught.value)


def test_a_missing_terraform_output_and_an_unknown_environment_are_explained(checkout):
    (checkout / "infra" / "terraform" / "outputs.json").write_text(json.dumps({"vpc_no": "1"}))
    with pytest.raises(DeployEnvError, match="Terraform has no output 'functions_subnet_no'"):
        _env(checkout)
    with pytest.raises(DeployEnvError, match=r"no environment 'prod'.*known: bank"):
        load_env("prod", root=checkout, environ=ENVIRON)


def test_the_manifests_ask_for_a_package_every_action_and_every_trigger(checkout):
    env = _env(checkout)
    resources = desired_state(env, load_actions(ROOT / "functions"))
    keys = [r.key for r in resources]
    assert keys[0] == "package:swaprep"
    assert {"action:api", "action:ingest", "action:monitor"} <= set(keys)
    api = next(r for r in resources if r.key == "action:api")
    assert (api.spec["type"], api.spec["raw_http"], api.spec["kind"]) == ("web", True,
                                                                          "python:3.13")
    assert api.spec["vpc"] == {"vpc_no": "41000", "subnet_no": "82001"}
    ingest_trigger = next(r for r in resources if r.key == "trigger:ingest-objectstorage-1")
    assert ingest_trigger.spec["bucket"] == "bank-inbound"
    assert ingest_trigger.depends_on == ("action:ingest",)
    generate = next(r for r in resources if r.key == "action:generate")
    assert generate.spec["parameters"]["visibility_timeout_s"] == 280  # a woken consumer's lease


def test_nothing_deployed_means_everything_is_created_in_dependency_order(checkout):
    wanted = desired_state(_env(checkout), load_actions(ROOT / "functions"))
    plan = diff(wanted, [])
    assert plan.pending and {c.verb for c in plan.changes} == {CREATE}
    kinds = [c.resource.kind for c in plan.changes]
    assert kinds == sorted(kinds, key=list(KINDS).index)
    assert {"bucket_lifecycle"} <= set(kinds)
    assert "Plan: " in plan.render() and "to create" in plan.render()


def test_the_same_state_has_nothing_pending(checkout):
    wanted = desired_state(_env(checkout), load_actions(ROOT / "functions"))
    plan = diff(wanted, wanted)
    assert not plan.pending
    assert plan.render().startswith("No changes")


def test_a_changed_memory_and_a_new_cron_schedule_are_exactly_that_change(checkout):
    env = _env(checkout)
    deployed = desired_state(env, load_actions(ROOT / "functions"))
    wanted = [replace(r, spec={**r.spec, "memory_mb": 1024}) if r.key == "action:process"
              else replace(r, spec={**r.spec, "schedule": "*/5 * * * *"})
              if r.key == "trigger:monitor-cron-1" else r for r in deployed]
    plan = diff(wanted, deployed)
    assert [(c.verb, c.resource.key, [f.path for f in c.fields]) for c in plan.changes] == [
        (UPDATE, "action:process", ["memory_mb"]),
        (UPDATE, "trigger:monitor-cron-1", ["schedule"])]
    memory = next(r for r in deployed if r.key == "action:process").spec["memory_mb"]
    assert f"memory_mb: {memory} -> 1024" in plan.render()


def test_a_removed_action_is_removed_after_its_trigger(checkout):
    env = _env(checkout)
    deployed = desired_state(env, load_actions(ROOT / "functions"))
    wanted = [r for r in deployed if r.key not in ("action:feedback",
                                                   "trigger:feedback-objectstorage-1")]
    plan = diff(wanted, deployed)
    assert [(c.verb, c.resource.key) for c in plan.changes] == [
        (DELETE, "trigger:feedback-objectstorage-1"), (DELETE, "action:feedback")]


def test_a_changed_secret_is_reported_without_its_value(checkout):
    old = desired_state(_env(checkout), load_actions(ROOT / "functions"))
    new_url = "postgresql://swaprep:Rotated-9931@db.internal/swaprep"
    new = desired_state(_env(checkout, SWAPREP_DATABASE_URL=new_url),
                        load_actions(ROOT / "functions"))
    text = diff(new, old).render()
    assert "parameters.database_url: (secret) changed" in text
    assert DB_PASSWORD not in text and "Rotated-9931" not in text


def test_every_shipped_environment_resolves_with_its_inputs_present(tmp_path):
    """deploy/envs/*.toml name only sections, sources and Terraform outputs that exist: fed
    every variable they name and every output, each loads; a value marked secret = false is
    shown, the rest of what comes from the environment is masked."""
    from tests.unit.deploy.shipped_envs import load_shipped_envs, shipped_env_names

    assert {"local", "dev", "prod"} <= set(shipped_env_names())
    for name, env in load_shipped_envs(tmp_path):
        assert env.package == "swaprep" and env.ncp["cloud_functions_url"]
        if name != "local":
            assert env.mask("value-of-NCLOUD_SECRET_KEY") == "***"
            origins = "value-of-SWAPREP_CONSOLE_ORIGINS"
            assert env.mask(origins) == origins


def test_plan_and_apply_need_no_verify_secret_and_verify_names_the_missing_one(tmp_path):
    """The local env's [verify] password exists only once the demo is seeded: loading the env
    for a plan must not need it; verify says which secret is missing."""
    import shutil

    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    state = tmp_path / "state"
    state.mkdir()
    tr_params = [f"tr_{what}_{config_suffix(regime)}" for regime in regime_keys()
                 for what in ("url", "api_key")]
    config = {k: f"param-{k}" for k in ("bucket_inbound", "bucket_outbound", "bucket_feedback",
                                        "bucket_frontend", "database_url", "s3_endpoint_url",
                                        "s3_access_key_id", "s3_secret_access_key",
                                        "jwt_signing_secret", *tr_params)}
    (state / "endpoints.json").write_text(json.dumps({"ncp": "http://127.0.0.1:1",
                                                      "api": "http://127.0.0.1:2",
                                                      "config": config}))
    (state / "secrets.json").write_text(json.dumps({"ncp_access_key": "ak",
                                                    "ncp_secret_key": "sk"}))
    env = load_env("local", root=tmp_path, environ={}, state_dir=state)
    assert env.verify == {}
    with pytest.raises(DeployEnvError, match=r"verify\.password: the local stack has no "
                                             r"secret 'password_demo-viewer'"):
        env.with_verify()
    (state / "secrets.json").write_text(json.dumps({"ncp_access_key": "ak", "ncp_secret_key":
                                                    "sk", "password_demo-viewer": "pw-7781"}))
    env = load_env("local", root=tmp_path, environ={}, state_dir=state).with_verify()
    assert env.verify["username"] == "demo-viewer" and env.mask("pw-7781") == "***"
