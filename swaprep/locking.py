"""Locked dependencies: what is tested is what is deployed.

Two kinds of hashed lock, both resolved by uv (`uv pip compile --generate-hashes`):

- `requirements-dev.lock`: pyproject.toml with every extra, for every Python the project
  supports (`--universal`). `./dev` installs it with `pip --require-hashes`.
- `<functions dir>/<action>/requirements.lock`: the action's requirements.txt resolved for NCP's
  runtime (CPython 3.13, manylinux x86_64) and constrained to the development lock, so an
  action's zip carries exactly the versions the tests ran with. `swaprep package` installs it.

`./dev lock` (`swaprep lock`) writes them all; `--upgrade` moves to the newest releases that the
specifiers allow. `check_locks` says, offline, where a lock no longer answers its input; a test
runs it, so a change to pyproject.toml or a requirements.txt without `./dev lock` fails CI.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from swaprep.packaging import RUNTIME_PYTHON

DEV_LOCK = "requirements-dev.lock"
ACTION_REQUIREMENTS = "requirements.txt"
ACTION_LOCK = "requirements.lock"
# The folders whose actions get a lock: the deployed ones and the test fixtures that the
# packaging tests build into zips.
FUNCTION_DIRS = ("functions", "tests/fixtures/functions")
# The oldest Python the project supports (pyproject's requires-python); NCP's runtime is the
# packager's RUNTIME_PYTHON.
DEV_PYTHON = "3.11"
RUNTIME_PLATFORM = "x86_64-manylinux_2_17"
COMPILE_COMMAND = "./dev lock"
PROJECT_LABEL = "(pyproject.toml)"  # how uv names the project in a `# via` annotation

Log = Callable[[str], None]


class LockError(RuntimeError):
    """uv could not resolve a lock; the message carries uv's own explanation."""


@dataclass(frozen=True)
class LockedPackage:
    name: str  # canonical (PEP 503)
    version: str
    hashes: int
    via: frozenset[str] = field(default_factory=frozenset)  # canonical names or "(input)"


@dataclass(frozen=True)
class ActionLock:
    requirements: Path
    lock: Path


# ---------------------------------------------------------------------------------------------
# Reading


_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def parse_lock(text: str) -> dict[str, LockedPackage]:
    """The pins of a `uv pip compile` output: name -> version, hash count and `# via` names.

    An input named in a `# via` line (`-r requirements.txt`, `swap-reporting (pyproject.toml)`)
    is recorded as "(input)": that package is a direct requirement.
    """
    packages: dict[str, LockedPackage] = {}
    current: dict | None = None

    def close() -> None:
        if current is not None:
            packages[current["name"]] = LockedPackage(
                current["name"], current["version"], current["hashes"], frozenset(current["via"]))

    in_via = False
    for line in text.splitlines():
        pin = _PIN.match(line)
        if pin:
            close()
            current = {"name": canonicalize_name(pin.group(1)), "version": pin.group(3),
                       "hashes": 0, "via": set()}
            in_via = False
        if current is None:
            continue
        current["hashes"] += len(_HASH.findall(line))
        comment = line.strip()
        if comment.startswith("# via"):
            rest = comment[len("# via"):].strip()
            in_via = not rest
            if rest:
                current["via"].add(_via_name(rest))
        elif in_via and comment.startswith("#   "):
            current["via"].add(_via_name(comment[4:].strip()))
        elif not comment.startswith("--hash") and not pin:
            in_via = False
    close()
    return packages


def _via_name(text: str) -> str:
    if text.startswith("-r ") or text.endswith(PROJECT_LABEL) or text.startswith("-c "):
        return "(input)" if not text.startswith("-c ") else "(constraint)"
    return canonicalize_name(text.split()[0])


def project_requirements(pyproject: Path) -> list[Requirement]:
    """The project's own dependencies with every extra (the development set), minus the
    self-reference an extra may make (`swap-reporting[local]`)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    own = canonicalize_name(project["name"])
    texts = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        texts.extend(extra)
    return [r for r in map(Requirement, texts) if canonicalize_name(r.name) != own]


def file_requirements(path: Path) -> list[Requirement]:
    """The requirements of a requirements.txt (comments and blank lines skipped; options such
    as -r/-c are not used by action requirements and are refused)."""
    requirements = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-"):
            raise LockError(f"{path}:{number}: options ({line.split()[0]}) are not supported in "
                            "an action's requirements; list packages only")
        try:
            requirements.append(Requirement(line))
        except InvalidRequirement as exc:
            raise LockError(f"{path}:{number}: {exc}") from exc
    return requirements


def action_locks(root: Path) -> list[ActionLock]:
    """Every action (deployed or test fixture) with third-party requirements."""
    found = []
    for folder in FUNCTION_DIRS:
        for requirements in sorted((root / folder).glob(f"*/{ACTION_REQUIREMENTS}")):
            if file_requirements(requirements):
                found.append(ActionLock(requirements, requirements.with_name(ACTION_LOCK)))
    return found


# ---------------------------------------------------------------------------------------------
# Checking


def _satisfied(requirement: Requirement, locked: dict[str, LockedPackage], where: str,
               python: str | None) -> list[str]:
    name = canonicalize_name(requirement.name)
    environment = {"python_version": python, "python_full_version": f"{python}.0",
                   "extra": ""} if python else None
    if requirement.marker is not None and environment is not None \
            and not requirement.marker.evaluate(environment):
        return []
    pin = locked.get(name)
    if pin is None:
        return [f"{where}: {requirement} is not in the lock"]
    if requirement.specifier and not requirement.specifier.contains(Version(pin.version),
                                                                    prereleases=True):
        return [f"{where}: the lock has {name}=={pin.version}, which {requirement} refuses"]
    for extra in requirement.extras:  # an extra's own dependencies must be locked too
        if not any(name in p.via or f"{name}[{extra}]" in p.via for p in locked.values()):
            return [f"{where}: nothing in the lock comes from {name}[{extra}]"]
    return []


def _direct(locked: dict[str, LockedPackage]) -> set[str]:
    return {name for name, pin in locked.items() if "(input)" in pin.via}


def check_lock(requirements: Iterable[Requirement], lock_text: str, where: str,
               python: str | None = None) -> list[str]:
    """Where a lock no longer answers its requirements: a requirement missing or refused, a
    direct pin that nothing asks for any more, a pin without hashes."""
    requirements = list(requirements)
    locked = parse_lock(lock_text)
    problems = [p for r in requirements for p in _satisfied(r, locked, where, python)]
    wanted = {canonicalize_name(r.name) for r in requirements}
    problems += [f"{where}: {name} is pinned as a direct requirement but nothing asks for it"
                 for name in sorted(_direct(locked) - wanted)]
    problems += [f"{where}: {name}=={pin.version} has no hash" for name, pin in locked.items()
                 if pin.hashes == 0]
    return problems


def check_locks(root: Path) -> list[str]:
    """Every way the project's locks disagree with their inputs, or an action's lock with the
    development lock (empty when all agree). Offline: reads files only."""
    dev_lock = root / DEV_LOCK
    if not dev_lock.is_file():
        return [f"{DEV_LOCK} is missing: run `{COMPILE_COMMAND}`"]
    dev_text = dev_lock.read_text(encoding="utf-8")
    problems = check_lock(project_requirements(root / "pyproject.toml"), dev_text, DEV_LOCK)
    dev = parse_lock(dev_text)
    for action in action_locks(root):
        where = action.lock.relative_to(root).as_posix()
        if not action.lock.is_file():
            problems.append(f"{where} is missing: run `{COMPILE_COMMAND}`")
            continue
        text = action.lock.read_text(encoding="utf-8")
        problems += check_lock(file_requirements(action.requirements), text, where,
                               python=RUNTIME_PYTHON)
        for name, pin in parse_lock(text).items():
            tested = dev.get(name)
            if tested is None:
                problems.append(f"{where}: {name}=={pin.version} is deployed but not in "
                                f"{DEV_LOCK}, so no test ran with it")
            elif tested.version != pin.version:
                problems.append(f"{where}: {name}=={pin.version} is deployed but the tests "
                                f"run {name}=={tested.version} ({DEV_LOCK})")
    return problems


# ---------------------------------------------------------------------------------------------
# Writing


def _uv() -> str:
    try:
        from uv import find_uv_bin
    except ImportError as exc:  # pragma: no cover - uv is in the development lock
        raise LockError("uv is not installed in this environment (it is in the dev extra)") \
            from exc
    return find_uv_bin()


def _compile(arguments: list[str], root: Path) -> None:
    command = [_uv(), "pip", "compile", *arguments, "--generate-hashes", "--quiet",
               "--custom-compile-command", COMPILE_COMMAND, "--no-config"]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise LockError(f"uv pip compile {' '.join(arguments)} failed:\n"
                        f"{(result.stderr or result.stdout).strip()[-3000:]}")


def write_locks(root: Path, *, upgrade: bool = False, upgrade_packages: Iterable[str] = (),
                log: Log | None = None) -> list[Path]:
    """Resolve the development lock, then every action's lock within it. Without `upgrade`,
    the versions already locked are kept where the inputs still allow them."""
    log = log or (lambda _message: None)
    upgrades = ["--upgrade"] if upgrade else []
    for package in upgrade_packages:
        upgrades += ["--upgrade-package", package]
    log(f"{DEV_LOCK}: pyproject.toml with every extra, Python >= {DEV_PYTHON}, all platforms")
    _compile(["pyproject.toml", "--all-extras", "--universal", "--python-version", DEV_PYTHON,
              "-o", DEV_LOCK, *upgrades], root)
    written = [root / DEV_LOCK]
    for action in action_locks(root):
        requirements = action.requirements.relative_to(root).as_posix()
        lock = action.lock.relative_to(root).as_posix()
        log(f"{lock}: CPython {RUNTIME_PYTHON} {RUNTIME_PLATFORM}, within {DEV_LOCK}")
        # No --upgrade here: the constraint already carries the development lock's versions.
        _compile([requirements, "--python-version", RUNTIME_PYTHON, "--python-platform",
                  RUNTIME_PLATFORM, "-c", DEV_LOCK, "-o", lock], root)
        written.append(action.lock)
    problems = check_locks(root)
    if problems:
        raise LockError("the new locks still disagree with their inputs:\n" + "\n".join(problems))
    return written
