"""`swaprep package`: build real action zips and run one the way NCP's Python launcher does."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.utils import canonicalize_name

from swaprep.cli import main as cli
from swaprep.locking import ACTION_LOCK, parse_lock
from swaprep.packaging import SITE_PACKAGES, ZIP_LIMIT_BYTES, build_action

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[3]
FIXTURE_FUNCTIONS = ROOT / "tests" / "fixtures" / "functions"

# The steps of openwhisk-runtime-python's launcher.py (and its compile step's rename), run in
# a fresh interpreter: activate the zip's virtualenv, import main from main__, one JSON line
# in ({"value": args, other keys -> __OW_* env}), the result as one JSON line out.
LAUNCHER = r"""
import json, os, sys
action_dir = sys.argv[1]
os.chdir(action_dir)
venv = os.path.abspath("./virtualenv")
if os.path.isdir(venv):
    activate_this = venv + "/bin/activate_this.py"
    if not os.path.exists(activate_this):
        sys.exit("Invalid virtualenv. Zip file does not include 'activate_this.py'.")
    with open(activate_this) as f:
        exec(compile(f.read(), activate_this, "exec"), {"__file__": activate_this})
os.rename("__main__.py", "main__.py")
sys.path.insert(0, action_dir)
from main__ import main
message = json.loads(sys.stdin.readline())
for key, value in message.items():
    if key != "value":
        os.environ["__OW_" + key.upper()] = value
print(json.dumps(main(message["value"]), ensure_ascii=False))
"""


def _runtime_python() -> str:
    """A CPython 3.13 outside the dev venv when there is one (the venv's base interpreter), so
    that nothing can be imported from the dev venv by accident."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return base if Path(base).exists() else sys.executable


def _run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["package", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_probe_zip_runs_under_the_launcher_steps(tmp_path: Path) -> None:
    out = tmp_path / "actions"
    code, output = _run_cli("probe", "--functions-dir", str(FIXTURE_FUNCTIONS), "--out", str(out))
    assert code == 0, output
    assert "probe" in output and "MiB" in output

    zip_path = out / "probe.zip"
    assert zip_path.stat().st_size < ZIP_LIMIT_BYTES
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        modes = {info.external_attr >> 16 for info in archive.infolist()}
        archive.extractall(tmp_path / "action")
    site = SITE_PACKAGES
    assert {
        "__main__.py",
        "probe_util.py",
        "shared/__init__.py",
        "shared/platform/config.py",
        "virtualenv/bin/activate_this.py",
        f"{site}/psycopg/__init__.py",
        f"{site}/boto3/__init__.py",
        f"{site}/botocore/data/endpoints.json",
        f"{site}/botocore/data/s3/2006-03-01/service-2.json.gz",
    } <= names
    assert "requirements.txt" not in names and "requirements.lock" not in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(f"{site}/botocore/data/ec2/")]
    assert not [n for n in names if n.startswith("virtualenv/bin/python")]  # symlinks skipped
    assert not any(stat.S_ISLNK(mode) for mode in modes)  # no symlink entries at all
    top_level = {
        n[len(site) + 1 :].split("/")[0].lower() for n in names if n.startswith(site + "/")
    }
    for dev_only in ("pytest", "moto", "click", "flask", "pydantic", "pip", "setuptools"):
        assert dev_only not in top_level, f"{dev_only} leaked into the probe's virtualenv"

    action_dir = (tmp_path / "action").resolve()
    message = {"value": {"name": "ncp", "s3_region": "kr-standard"}, "activation_id": "a1"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(
        [_runtime_python(), "-I", "-c", LAUNCHER, str(action_dir)],
        input=json.dumps(message) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])

    assert answer["greeting"] == "HELLO NCP!"
    assert answer["python"].startswith("3.13.")
    assert answer["psycopg"]["impl"] == "binary"  # the manylinux wheel's C extension loaded
    for module_file in (
        answer["psycopg"]["file"],
        answer["boto3"]["file"],
        answer["botocore_file"],
    ):
        assert Path(module_file).resolve().is_relative_to(action_dir / site), module_file
    assert Path(answer["config_file"]).resolve().is_relative_to(action_dir / "shared")
    assert answer["services"] == ["s3", "sqs", "sts"]  # the other models were pruned
    assert answer["s3_endpoint"] == "https://kr.object.ncloudstorage.com"
    assert answer["s3_region"] == "kr-standard"


def test_rebuild_uses_the_cache_and_is_reproducible(tmp_path: Path) -> None:
    first = build_action("probe", functions_dir=FIXTURE_FUNCTIONS, out_dir=tmp_path / "a")
    second = build_action("probe", functions_dir=FIXTURE_FUNCTIONS, out_dir=tmp_path / "b")
    assert second.deps_from_cache
    assert second.sha256 == first.sha256
    assert any(dep.startswith("psycopg-binary==") for dep in second.dependencies)
    assert any(dep.startswith("botocore==") for dep in second.dependencies)


def test_zips_rebuilt_from_the_lock_are_byte_identical_and_carry_exactly_its_versions(
        tmp_path: Path) -> None:
    """Two installs from the hashed lock (the second ignoring the cache) give the same bytes,
    and the zip's libraries are the lock's pins, nothing more and nothing else."""
    cache = tmp_path / "cache"
    build_action("probe", functions_dir=FIXTURE_FUNCTIONS, out_dir=tmp_path / "a",
                 cache_dir=cache)
    again = build_action("probe", functions_dir=FIXTURE_FUNCTIONS, out_dir=tmp_path / "b",
                         cache_dir=cache, refresh=True)
    assert not again.deps_from_cache
    first_zip, again_zip = tmp_path / "a" / "probe.zip", tmp_path / "b" / "probe.zip"
    assert first_zip.read_bytes() == again_zip.read_bytes()
    locked = parse_lock((FIXTURE_FUNCTIONS / "probe" / ACTION_LOCK).read_text())
    shipped = {canonicalize_name(dep.split("==")[0]): dep.split("==")[1]
               for dep in again.dependencies}
    assert shipped == {name: pin.version for name, pin in locked.items()}


def test_an_action_without_its_lock_is_refused(tiny_functions: Path, tmp_path: Path) -> None:
    (tiny_functions / "tiny" / "requirements.txt").write_text("boto3>=1.34\n")
    code, output = _run_cli("tiny", "--functions-dir", str(tiny_functions),
                            "--out", str(tmp_path / "o"))
    assert code != 0
    assert "requirements.lock is missing: run `./dev lock`" in output
    assert not (tmp_path / "o" / "tiny.zip").exists()


def test_an_action_whose_lock_is_older_than_its_requirements_is_refused(
        tiny_functions: Path, tmp_path: Path) -> None:
    probe_lock = (FIXTURE_FUNCTIONS / "probe" / ACTION_LOCK).read_text()
    (tiny_functions / "tiny" / "requirements.txt").write_text("boto3>=1.34\nlxml>=5\n")
    (tiny_functions / "tiny" / ACTION_LOCK).write_text(probe_lock)
    code, output = _run_cli("tiny", "--functions-dir", str(tiny_functions),
                            "--out", str(tmp_path / "o"))
    assert code != 0
    assert "lxml>=5 is not in the lock" in output


@pytest.fixture
def tiny_functions(tmp_path: Path) -> Path:
    """An action without dependencies, with files that must and must not be zipped."""
    action = tmp_path / "functions" / "tiny"
    (action / "tests").mkdir(parents=True)
    (action / "__pycache__").mkdir()
    (action / "__main__.py").write_text("def main(args):\n    return {'ok': True}\n")
    (action / "helper.py").write_text("VALUE = 1\n")
    (action / "action.toml").write_text("timeout_s = 10\n")
    (action / "requirements.txt").write_text("# no dependencies\n")
    (action / "test_tiny.py").write_text("def test_x():\n    pass\n")
    (action / "tests" / "test_more.py").write_text("")
    (action / "__pycache__" / "helper.cpython-313.pyc").write_bytes(b"\0")
    (tmp_path / "functions" / "not_an_action").mkdir()
    return tmp_path / "functions"


def test_action_files_and_empty_requirements(tiny_functions: Path, tmp_path: Path) -> None:
    code, output = _run_cli("--functions-dir", str(tiny_functions), "--out", str(tmp_path / "o"))
    assert code == 0, output
    with zipfile.ZipFile(tmp_path / "o" / "tiny.zip") as archive:
        names = set(archive.namelist())
    assert {"__main__.py", "helper.py", "virtualenv/bin/activate_this.py"} <= names
    assert f"{SITE_PACKAGES}/" in names  # kept, empty
    assert not {n for n in names if n.startswith(SITE_PACKAGES + "/") and not n.endswith("/")}
    assert not names & {"test_tiny.py", "tests/test_more.py", "requirements.txt", "action.toml"}
    assert not [n for n in names if "__pycache__" in n]
    assert not (tmp_path / "o" / "not_an_action.zip").exists()


def test_zip_over_the_limit_fails_with_a_clear_message(tiny_functions: Path, tmp_path: Path):
    code, output = _run_cli(
        "tiny", "--functions-dir", str(tiny_functions), "--out", str(tmp_path / "o"),
        "--max-zip-bytes", "2000",
    )  # fmt: skip
    assert code != 0
    assert "OVER LIMIT" in output  # the table is still printed
    assert "zip over the size limit of 2000 bytes" in output
    assert "tiny (" in output and "38 MB" in output


def test_unknown_action_is_refused(tiny_functions: Path, tmp_path: Path) -> None:
    code, output = _run_cli("nope", "--functions-dir", str(tiny_functions))
    assert code != 0
    assert "unknown action(s) nope" in output and "available: tiny" in output
