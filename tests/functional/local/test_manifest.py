"""action.toml parsing and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from swaprep.local.manifest import (
    CronTrigger,
    ManifestError,
    ObjectStorageTrigger,
    load_action,
    load_actions,
    route_score,
)

pytestmark = pytest.mark.functional


def _action(root: Path, name: str, toml: str | None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "__main__.py").write_text("def main(args):\n    return {}\n")
    (folder / "requirements.txt").write_text("")
    if toml is not None:
        (folder / "action.toml").write_text(toml)
    return folder


def test_fixture_manifests_are_read(actions):
    upload = actions["on_upload"]
    assert upload.triggers == (
        ObjectStorageTrigger(
            bucket="inbound", events=("ObjectCreated:*",),
            params={"layer": "trigger", "bound": "inbound"},
        ),
    )
    assert upload.triggers[0].matches("ObjectCreated:Put")
    assert not upload.triggers[0].matches("ObjectRemoved:Delete")
    assert actions["ticker"].triggers == (CronTrigger("* * * * *", {"task": "tick"}),)
    consumer = actions["consumer"].queue
    assert (consumer.name, consumer.batch_size, consumer.visibility_timeout_s) == ("work", 5, 30)
    secure = actions["web_secure"]
    assert secure.web and secure.gateway.routes == ("/api/secure/*",)
    assert secure.gateway.authorizer == "authorizer"
    assert actions["sleepy"].timeout_ms == 1000
    assert actions["echo"].params == {"layer": "action", "from_action": True}


def test_defaults_without_action_toml(tmp_path):
    manifest = load_action(_action(tmp_path, "plain", None))
    assert (manifest.memory_mb, manifest.timeout_s, manifest.web) == (256, 60.0, False)
    assert manifest.triggers == () and manifest.queue is None and manifest.gateway is None


@pytest.mark.parametrize(
    ("toml", "field", "problem"),
    [
        ("memry_mb = 256", "memry_mb", "unknown key"),
        ("memory_mb = 64", "memory_mb", "between 128 and 1024"),
        ("timeout_s = 301", "timeout_s", "between 0.5 and 300"),
        ("web = 'yes'", "web", "true or false"),
        ("params = 3", "params", "must be a table"),
        ('[[triggers]]\ntype = "sqs"', "triggers[0].type", "object_storage, cron"),
        ('[[triggers]]\ntype = "object_storage"\nbucket = "swaprep-inbound"',
         "triggers[0].bucket", "logical bucket"),
        ('[[triggers]]\ntype = "object_storage"\nbucket = "inbound"\nevents = []',
         "triggers[0].events", "non-empty list"),
        ('[[triggers]]\ntype = "cron"\nschedule = "*/5 * * * * *"',
         "triggers[0].schedule", "5-field"),
        ('[[triggers]]\ntype = "cron"\nschedule = "61 * * * *"',
         "triggers[0].schedule", "5-field"),
        ('[[triggers]]\ntype = "cron"\nschedule = "* * * * *"\nbucket = "inbound"',
         "triggers[0].bucket", "unknown key"),
        ('[queue]\nname = "q"\nbatch_size = 0', "queue.batch_size", "between 1 and 1000"),
        ('[gateway]\nroutes = ["/api/*"]', "gateway", "only web actions"),
        ('web = true\n[gateway]\nroutes = ["api/*"]', "gateway.routes", "absolute path"),
        ('web = true\n[gateway]\nroutes = ["/api/*/x"]', "gateway.routes", "absolute path"),
        ("memory_mb = ", None, "not valid TOML"),
    ],
)
def test_invalid_manifests_name_file_and_field(tmp_path, toml, field, problem):
    folder = _action(tmp_path, "bad", toml)
    with pytest.raises(ManifestError) as caught:
        load_action(folder)
    assert caught.value.path == folder / "action.toml"
    assert caught.value.field == field
    assert problem in str(caught.value)
    assert str(folder / "action.toml") in str(caught.value)


def test_cross_action_checks(tmp_path):
    _action(tmp_path, "web", 'web = true\n[gateway]\nroutes = ["/api/*"]\nauthorizer = "nobody"')
    with pytest.raises(ManifestError, match=r"gateway\.authorizer: no action named 'nobody'"):
        load_actions(tmp_path)

    other = tmp_path / "other"
    _action(other, "a", '[queue]\nname = "q"')
    _action(other, "b", '[queue]\nname = "q"')
    with pytest.raises(ManifestError, match="queue 'q' is already consumed by action 'a'"):
        load_actions(other)


def test_missing_entry_point_and_folder(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "action.toml").write_text("")
    with pytest.raises(ManifestError, match=r"__main__\.py: missing"):
        load_actions(tmp_path)
    with pytest.raises(ManifestError, match="does not exist"):
        load_actions(tmp_path / "nowhere")


def test_route_specificity():
    assert route_score("/api/*", "/api") is not None
    assert route_score("/api/*", "/api/health") is not None
    assert route_score("/api/*", "/apis") is None
    assert route_score("/api/health", "/api/health") > route_score("/api/*", "/api/health")
    assert route_score("/api/secure/*", "/api/secure/x") > route_score("/api/*", "/api/secure/x")
