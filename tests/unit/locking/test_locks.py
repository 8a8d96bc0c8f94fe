"""The hashed locks answer pyproject.toml and every action's requirements.txt, and an action
deploys exactly the versions the tests run with; the check catches each way they drift."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from swaprep.locking import (
    ACTION_LOCK,
    DEV_LOCK,
    action_locks,
    check_locks,
    parse_lock,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The files the check reads, copied so a test can break one of them."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copy(ROOT / DEV_LOCK, tmp_path)
    for action in action_locks(ROOT):
        for source in (action.requirements, action.lock):
            target = tmp_path / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_the_committed_locks_agree_with_their_inputs():
    assert check_locks(ROOT) == []


def test_every_deployed_action_with_requirements_has_a_lock():
    locked = {a.requirements.parent.name for a in action_locks(ROOT)
              if a.requirements.is_relative_to(ROOT / "functions")}
    actions = {d.name for d in (ROOT / "functions").iterdir() if (d / "__main__.py").is_file()}
    assert locked == actions
    for action in action_locks(ROOT):
        pins = parse_lock(action.lock.read_text())
        assert pins and all(pin.hashes > 0 for pin in pins.values())


def test_the_development_lock_pins_the_xml_library_the_refusal_tests_ran_with():
    """lxml 6.2 moved which layer refuses a billion-laughs file: a version is chosen, not met."""
    pins = parse_lock((ROOT / DEV_LOCK).read_text())
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", pins["lxml"].version)
    assert pins["lxml"].hashes >= 2


def test_a_dependency_added_without_relocking_is_caught(checkout: Path):
    _edit(checkout / "pyproject.toml", '"lxml>=5.2",', '"lxml>=5.2",\n    "orjson>=3.10",')
    assert check_locks(checkout) == [f"{DEV_LOCK}: orjson>=3.10 is not in the lock"]


def test_a_raised_lower_bound_the_lock_refuses_is_caught(checkout: Path):
    _edit(checkout / "pyproject.toml", '"lxml>=5.2"', '"lxml>=99"')
    [problem] = check_locks(checkout)
    assert problem.startswith(f"{DEV_LOCK}: the lock has lxml==") and "lxml>=99 refuses" in problem


def test_a_dropped_dependency_left_in_the_lock_is_caught(checkout: Path):
    _edit(checkout / "pyproject.toml", '    "python-stdnum>=1.20",\n', "")
    assert f"{DEV_LOCK}: python-stdnum is pinned as a direct requirement but nothing asks " \
           "for it" in check_locks(checkout)


def test_an_action_requirement_added_without_relocking_is_caught(checkout: Path):
    requirements = checkout / "functions" / "monitor" / "requirements.txt"
    requirements.write_text(requirements.read_text() + "lxml>=5.2\n")
    assert check_locks(checkout) == [
        f"functions/monitor/{ACTION_LOCK}: lxml>=5.2 is not in the lock"]


def test_an_action_deploying_another_version_than_the_tests_ran_is_caught(checkout: Path):
    lock = checkout / "functions" / "submit" / ACTION_LOCK
    version = parse_lock(lock.read_text())["boto3"].version
    _edit(lock, f"boto3=={version} ", "boto3==1.99.0 ")
    assert check_locks(checkout) == [
        f"functions/submit/{ACTION_LOCK}: boto3==1.99.0 is deployed but the tests run "
        f"boto3=={version} ({DEV_LOCK})"]


def test_a_missing_action_lock_and_a_pin_without_hashes_are_caught(checkout: Path):
    (checkout / "functions" / "feedback" / ACTION_LOCK).unlink()
    dev = checkout / DEV_LOCK
    text = dev.read_text()
    dev.write_text(re.sub(r"(?m)^(six==\S+) \\\n(\s+--hash=\S+( \\)?\n)+", r"\1\n", text))
    problems = check_locks(checkout)
    assert f"functions/feedback/{ACTION_LOCK} is missing: run `./dev lock`" in problems
    assert any(p.startswith(f"{DEV_LOCK}: six==") and p.endswith("has no hash") for p in problems)
