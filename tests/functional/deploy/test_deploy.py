"""`swaprep deploy` against the local NCP Cloud Functions control plane, over signed HTTP: the
plan an operator reads, an apply that converges, a rerun after a failure that finishes without
duplicates, NCP's refusals in plain words, and no secret anywhere in what is printed."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest
import requests

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

ACTIONS = {
    "api": 'memory_mb = 256\ntimeout_s = 30\nweb = true\n',
    "reader": textwrap.dedent("""\
        memory_mb = 512
        timeout_s = 300

        [[triggers]]
        type = "object_storage"
        bucket = "inbound"
        events = ["ObjectCreated:*"]

        [queue]
        name = "reader"
        batch_size = 1
        visibility_timeout_s = 330
        """),
    "ticker": textwrap.dedent("""\
        memory_mb = 128
        timeout_s = 60

        [[triggers]]
        type = "cron"
        schedule = "* * * * *"
        params = { task = "tick" }
        """),
}


@pytest.fixture
def plane(tmp_path: Path):
    with ControlPlane(tmp_path / "ncp" / "state.json", ACCESS_KEY, SECRET_KEY) as control:
        yield control


BUCKETS = {"inbound": "t-inbound", "feedback": "t-feedback", "frontend": "t-console"}
CONSOLE = "https://console.bank.example"


@pytest.fixture
def s3(s3_clean):
    return make_buckets(s3_clean, BUCKETS.values())


@pytest.fixture
def checkout(tmp_path: Path, plane: ControlPlane, s3, s3_clean) -> Path:
    root = tmp_path / "checkout"
    write_actions(root, ACTIONS)
    write_env(root, "t", target(plane.url) + textwrap.dedent(f"""\
        [buckets]
        inbound = "t-inbound"
        feedback = "t-feedback"
        frontend = "t-console"

        [console]
        origins = ["{CONSOLE}"]

        [parameters]
        database_url = {{ env = "T_DATABASE_URL" }}
        log_level = "INFO"
        s3_endpoint_url = "{s3_clean}"
        s3_access_key_id = "testing"
        s3_secret_access_key = "testing"
        """))
    return root


def deploy(root: Path, *args: str, environ: dict[str, str] | None = None) -> tuple[int, str]:
    return run_deploy(root, "t", *args, environ={**ENVIRON, **(environ or {})})


def test_plan_apply_plan_round_trip(checkout, plane, s3, caplog):
    caplog.set_level(logging.DEBUG)
    code, planned = deploy(checkout, "plan")
    assert code == 2, planned
    assert "+ package swaprep (create)" in planned and "+ action api (create)" in planned
    assert "+ trigger ticker-cron-1 (create)" in planned
    assert "+ bucket_cors t-inbound (create)" in planned
    assert "+ bucket_lifecycle t-feedback (create)" in planned
    assert "Plan: 10 to create, 0 to change, 0 to remove." in planned

    code, applied = deploy(checkout, "apply", "--yes")
    assert code == 0, applied
    assert "Applied 10 change(s)." in applied
    deployed = {a.name: a for a in plane.deployed_actions()}
    assert set(deployed) == {"api", "reader", "ticker"}
    assert (deployed["api"].type, deployed["api"].raw_http) == ("web", True)
    assert (deployed["reader"].memory_mb, deployed["reader"].timeout_ms) == (512, 300_000)
    assert deployed["reader"].parameters == {"batch_size": 1, "visibility_timeout_s": 330}
    assert deployed["ticker"].package_parameters["bucket_inbound"] == "t-inbound"
    triggers = {t.name: t for t in plane.deployed_triggers()}
    assert triggers["ticker-cron-1"].actions == ("swaprep/ticker",)
    assert triggers["ticker-cron-1"].options == {"cronOption": "* * * * *"}
    assert triggers["reader-objectstorage-1"].actions == ("swaprep/reader",)
    [cors] = s3.get_bucket_cors(Bucket="t-inbound")["CORSRules"]
    assert cors["AllowedOrigins"] == [CONSOLE] and "PUT" in cors["AllowedMethods"]
    [rule] = s3.get_bucket_lifecycle_configuration(Bucket="t-feedback")["Rules"]
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert "Expiration" not in rule  # records are kept: nothing is expired

    code, again = deploy(checkout, "plan")
    assert code == 0, again
    assert again.strip().endswith("No changes: what is deployed matches the manifests and the "
                                  "environment.")
    code, second = deploy(checkout, "apply", "--yes")
    assert code == 0 and "Applied" not in second  # a second apply changes nothing

    for text in (planned, applied, again, second, caplog.text):
        assert DB_PASSWORD not in text and SECRET_KEY not in text


def test_a_changed_manifest_is_exactly_that_change(checkout, plane):
    assert deploy(checkout, "apply", "--yes")[0] == 0
    (checkout / "functions" / "reader" / "action.toml").write_text(
        ACTIONS["reader"].replace("memory_mb = 512", "memory_mb = 1024"))
    (checkout / "functions" / "ticker" / "action.toml").write_text(
        ACTIONS["ticker"].replace('"* * * * *"', '"*/5 * * * *"'))
    code, planned = deploy(checkout, "plan")
    assert code == 2
    assert "~ action reader\n    memory_mb: 512 -> 1024" in planned
    assert "~ trigger ticker-cron-1\n    schedule: '* * * * *' -> '*/5 * * * *'" in planned
    assert "Plan: 0 to create, 2 to change, 0 to remove." in planned
    assert deploy(checkout, "apply", "--yes")[0] == 0
    assert {a.name: a.memory_mb for a in plane.deployed_actions()}["reader"] == 1024
    assert deploy(checkout, "plan")[0] == 0


def test_an_apply_cut_short_by_ncp_finishes_on_the_next_run_without_duplicates(checkout, plane):
    # Every answer for the third action fails beyond the client's retries: the run stops there.
    plane.inject_fault(status=503, count=50, path_prefix="/ncf/api/v2/packages/swaprep/actions/"
                       "ticker")
    code, failed = deploy(checkout, "apply", "--yes")
    assert code == 1
    assert "503" in failed and "ticker" in failed and "gave up after" in failed
    assert {a.name for a in plane.deployed_actions()} == {"api", "reader"}
    requests.delete(f"{plane.url}/_faults", timeout=5)  # NCP is answering again
    code, planned = deploy(checkout, "plan")
    assert code == 2 and "+ action ticker (create)" in planned
    assert "api (create)" not in planned  # what was done is not done again
    assert deploy(checkout, "apply", "--yes")[0] == 0
    assert sorted(a.name for a in plane.deployed_actions()) == ["api", "reader", "ticker"]
    assert sorted(t.name for t in plane.deployed_triggers()) == [
        "reader-objectstorage-1", "ticker-cron-1"]
    assert all(len(t.actions) == 1 for t in plane.deployed_triggers())
    assert deploy(checkout, "plan")[0] == 0


def test_a_body_ncp_refuses_is_reported_with_the_field_and_the_reason(checkout, plane):
    (checkout / "functions" / "ticker" / "action.toml").write_text(
        ACTIONS["ticker"].replace("memory_mb = 128", "memory_mb = 300"))
    code, output = deploy(checkout, "apply", "--yes")
    assert code == 1
    assert "limits.memory must be one of 128, 256, 512, 1024 (got 300)" in output
    assert "PUT /ncf/api/v2/packages/swaprep/actions/ticker" in output


def test_a_wrong_key_is_refused_and_nothing_secret_is_printed(checkout, plane):
    code, output = deploy(checkout, "plan", environ={"T_NCP_SECRET_KEY": "not-the-key-0000"})
    assert code == 1 and "401" in output
    assert "not-the-key-0000" not in output and DB_PASSWORD not in output


def test_destroy_removes_what_the_deploy_made(checkout, plane, s3):
    s3.put_bucket_lifecycle_configuration(Bucket="t-feedback", LifecycleConfiguration={"Rules": [
        {"ID": "operators-own", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
         "Expiration": {"Days": 1}}]})
    assert deploy(checkout, "apply", "--yes")[0] == 0
    assert len(s3.get_bucket_lifecycle_configuration(Bucket="t-feedback")["Rules"]) == 2
    code, output = deploy(checkout, "destroy", "--yes")
    assert code == 0, output
    assert "- trigger ticker-cron-1 (delete)" in output and "- package swaprep (delete)" in output
    assert plane.deployed_actions() == [] and plane.deployed_triggers() == []
    [left] = s3.get_bucket_lifecycle_configuration(Bucket="t-feedback")["Rules"]
    assert left["ID"] == "operators-own"  # an operator's own rule stays
    assert deploy(checkout, "plan")[0] == 2


def test_the_console_build_is_published_once_per_release(checkout, plane, s3):
    dist = checkout / "frontend" / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<script src="/assets/app-Bx7Q2kLm.js"></script>')
    (dist / "assets" / "app-Bx7Q2kLm.js").write_text("console.log('release 1')")
    code, planned = deploy(checkout, "plan")
    assert code == 2 and "+ console t-console (create)" in planned
    assert deploy(checkout, "apply", "--yes")[0] == 0
    index = s3.head_object(Bucket="t-console", Key="index.html")
    asset = s3.head_object(Bucket="t-console", Key="assets/app-Bx7Q2kLm.js")
    assert index["CacheControl"] == "no-cache" and "immutable" in asset["CacheControl"]
    assert index["Metadata"]["swaprep-release"]
    assert deploy(checkout, "plan")[0] == 0  # the same build is not published again

    (dist / "assets" / "app-Bx7Q2kLm.js").unlink()
    (dist / "assets" / "app-Zq9w3Er1.js").write_text("console.log('release 2')")
    (dist / "index.html").write_text('<script src="/assets/app-Zq9w3Er1.js"></script>')
    code, planned = deploy(checkout, "plan")
    assert code == 2 and "~ console t-console\n    release_sha256:" in planned
    assert deploy(checkout, "apply", "--yes")[0] == 0
    body = s3.get_object(Bucket="t-console", Key="index.html")["Body"].read().decode()
    assert "app-Zq9w3Er1.js" in body
    # the previous release's chunk stays for browser tabs still running it
    assert s3.head_object(Bucket="t-console", Key="assets/app-Bx7Q2kLm.js")

    code, removed = deploy(checkout, "destroy", "--yes")
    assert code == 0 and "- console t-console (delete)" in removed
    assert s3.list_objects(Bucket="t-console").get("Contents") is None


def test_a_console_release_purges_the_edge_and_a_failed_purge_is_done_by_the_next_apply(
        tmp_path, s3, s3_clean):
    """The Global Edge in front of the frontend bucket is purged of the entry page (by URL:
    quick) after each release and only then; a purge NCP refuses leaves the change pending,
    so the rerun publishes and purges rather than leaving the old index.html at the edge."""
    with ControlPlane(tmp_path / "ncp" / "state.json", ACCESS_KEY, SECRET_KEY,
                      edges={4711: "t-console"}) as plane:
        root = tmp_path / "checkout"
        write_actions(root, {"api": ACTIONS["api"]})
        write_env(root, "t", target(plane.url, also=("edge_url",)) + textwrap.dedent(f"""\
            [buckets]
            frontend = "t-console"

            [console]
            edge_id = "4711"

            [parameters]
            s3_endpoint_url = "{s3_clean}"
            s3_access_key_id = "testing"
            s3_secret_access_key = "testing"
            """))
        dist = root / "frontend" / "dist"
        (dist / "assets").mkdir(parents=True)
        (dist / "index.html").write_text('<script src="/assets/app-Bx7Q2kLm.js"></script>')
        (dist / "assets" / "app-Bx7Q2kLm.js").write_text("console.log('release 1')")
        (dist / "robots.txt").write_text("User-agent: *\n")
        code, applied = deploy(root, "apply", "--yes")
        assert code == 0, applied
        [purge] = plane.deployed_purges()
        assert (purge.edge_id, purge.purge_type) == (4711, "URL")
        # the entry page under both its names and the other unhashed file; never a hashed one
        assert purge.targets == ("/", "/robots.txt", "/index.html")
        assert "purged 3 path(s) from Global Edge 4711" in applied
        assert deploy(root, "plan")[0] == 0
        assert deploy(root, "apply", "--yes")[0] == 0
        assert len(plane.deployed_purges()) == 1  # nothing new published, nothing purged

        (dist / "index.html").write_text('<script src="/assets/app-Zq9w3Er1.js"></script>')
        (dist / "assets" / "app-Zq9w3Er1.js").write_text("console.log('release 2')")
        plane.inject_fault(status=503, count=5, path_prefix="/api/v1/purge")
        code, failed = deploy(root, "apply", "--yes")
        assert code == 1 and "/api/v1/purge" in failed
        # the release is in the bucket, but the purge is still owed: the plan says so
        body = s3.get_object(Bucket="t-console", Key="index.html")["Body"].read().decode()
        assert "app-Zq9w3Er1.js" in body
        code, planned = deploy(root, "plan")
        assert code == 2 and "edge_id: (none) -> 4711" in planned
        assert deploy(root, "apply", "--yes")[0] == 0
        assert [p.targets for p in plane.deployed_purges()][-1] == purge.targets
        assert deploy(root, "plan")[0] == 0
