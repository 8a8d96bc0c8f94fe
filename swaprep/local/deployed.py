"""Deployed code on the local function host: the zips the stack's NCP control plane received
(`swaprep deploy apply --env local`), run the way NCP's `python:3.13` runtime runs them.

- `runtime_python()` finds the interpreter: a CPython 3.13 outside any virtualenv (the dev
  venv's base interpreter when the venv is 3.13, else `python3.13` on PATH, or
  $SWAPREP_RUNTIME_PYTHON), since the zips' virtualenvs hold CPython 3.13 manylinux wheels
  (psycopg's binary, pydantic-core, lxml). Without one, deployed code is refused, clearly.
- `unpack()` puts one deployed version's zip in its own folder,
  `<root>/<package>/<action>/<version>-<sha256 prefix>/`, with the runtime's compile step
  applied (`__main__.py` renamed `main__.py`, as openwhisk-runtime-python's `compile` does).
  It is made once, atomically (a staging folder renamed into place), and reused by every
  container of that version; `prune()` removes the versions nothing runs any more.
- `load()` turns the control plane's deployed actions and triggers into what the host and the
  triggers need: an `ActionManifest` per action (path = its unpacked folder, the deployed
  memory, timeout and action parameters, no triggers), its `DeployedCode` (package
  parameters, interpreter, the worker's environment), and the cron and Object Storage
  bindings of the deployed triggers (bucket, events, parameters, linked action).

What NCP's Cloud Functions deploy does not carry comes from the checkout's action.toml: the
routes of web actions (API Gateway is deployed separately) and which action consumes which
queue (the local queue dispatcher stands in for NCP's missing event-source mapping; on NCP
the deployed code's own wake-ups and the monitor's sweep do that work).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swaprep.local.host import DeployedCode
from swaprep.local.manifest import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    ActionManifest,
    CronTrigger,
    ObjectStorageTrigger,
)
from swaprep.ncp.validation import PYTHON_KIND as RUNTIME_KIND

log = logging.getLogger("swaprep.local.deployed")

RUNTIME_VERSION = (3, 13)
RUNTIME_PYTHON_VARIABLE = "SWAPREP_RUNTIME_PYTHON"
MAX_UNPACKED_BYTES = 1 << 30  # a 38 MB zip that inflates beyond this is not an action
# The only variables of the host's environment a deployed worker gets (NCP's containers do
# not see the developer's shell: no DATABASE_URL, no AWS_* or PYTHON* there either).
PASSED_VARIABLES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class DeployedCodeError(RuntimeError):
    """Deployed code cannot be run here; the message says why and what to do."""


# -- the interpreter ----------------------------------------------------------------------------

_runtime_lock = threading.Lock()
_runtime_found: dict[str, bool] = {}


def _is_runtime(python: str) -> bool:
    """Whether `python` is a CPython 3.13 that starts in isolated mode."""
    with _runtime_lock:
        if python in _runtime_found:
            return _runtime_found[python]
    try:
        answer = subprocess.run(
            [python, "-I", "-c",
             "import sys; print(sys.implementation.name, *sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30, check=False,
            env={k: v for k, v in os.environ.items() if k in PASSED_VARIABLES},
        )
        found = answer.returncode == 0 and answer.stdout.split() == [
            "cpython", *map(str, RUNTIME_VERSION)]
    except (OSError, subprocess.SubprocessError):
        found = False
    with _runtime_lock:
        _runtime_found[python] = found
    return found


def runtime_candidates() -> list[str]:
    """Where a CPython 3.13 is looked for, in order."""
    candidates = []
    explicit = os.environ.get(RUNTIME_PYTHON_VARIABLE)
    if explicit:
        candidates.append(explicit)
    if sys.version_info[:2] == RUNTIME_VERSION and sys.implementation.name == "cpython":
        # The base interpreter of the dev venv: the same CPython without the venv's packages.
        candidates.append(getattr(sys, "_base_executable", None) or sys.executable)
    name = "python{}.{}".format(*RUNTIME_VERSION)
    found = shutil.which(name)
    if found:
        candidates.append(found)
    return list(dict.fromkeys(candidates))


def runtime_python() -> str:
    """A CPython 3.13 interpreter to run deployed zips with, or DeployedCodeError."""
    candidates = runtime_candidates()
    for candidate in candidates:
        if _is_runtime(candidate):
            return candidate
    version = "{}.{}".format(*RUNTIME_VERSION)
    raise DeployedCodeError(
        f"deployed actions run on NCP's {RUNTIME_KIND} runtime and their zips carry CPython "
        f"{version} wheels, but no CPython {version} was found on this machine (tried: "
        f"{', '.join(candidates) or 'none'}). Install CPython {version} (e.g. `pyenv install "
        f"{version}`, or python{version} from your package manager), run swaprep from a "
        f"{version} virtualenv, or point ${RUNTIME_PYTHON_VARIABLE} at one.")


def worker_env(home: Path) -> dict[str, str]:
    """The whole environment of a deployed worker: a few locale and path variables of the
    host, and an empty HOME (no ~/.aws or other credentials of the developer)."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k in PASSED_VARIABLES}
    env.setdefault("PATH", os.defpath)
    env["HOME"] = str(home)
    return env


# -- unpacking ----------------------------------------------------------------------------------

_digests: dict[tuple[str, int, int], str] = {}


def zip_sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _digests:
        digest = hashlib.sha256()
        with path.open("rb") as data:
            for block in iter(lambda: data.read(1 << 20), b""):
                digest.update(block)
        _digests[key] = digest.hexdigest()
    return _digests[key]


def _folder_name(name: str) -> str:
    if name == "-":
        return "_"  # no package
    if not _SAFE_NAME.fullmatch(name) or name in (".", ".."):
        raise DeployedCodeError(f"{name!r} cannot name a folder")
    return name


def version_folder(root: Path, package: str, action: str, version: str, sha256: str) -> Path:
    return (root / _folder_name(package) / _folder_name(action)
            / f"{_folder_name(version)}-{sha256[:16]}")


def unpack(zip_path: Path, folder: Path) -> Path:
    """`zip_path` unpacked into `folder` with the compile step's rename, once."""
    if folder.is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        try:
            with zipfile.ZipFile(zip_path) as archive:
                inflated = sum(info.file_size for info in archive.infolist())
                if inflated > MAX_UNPACKED_BYTES:
                    raise DeployedCodeError(f"{zip_path}: {inflated} bytes unpacked, over "
                                            f"{MAX_UNPACKED_BYTES}")
                archive.extractall(staging)  # drops absolute paths and ".." parts
        except zipfile.BadZipFile as exc:
            raise DeployedCodeError(f"{zip_path}: not a zip ({exc})") from exc
        entry = staging / "__main__.py"
        if not entry.is_file():
            raise DeployedCodeError(f"{zip_path}: no __main__.py at the zip's root")
        entry.rename(staging / "main__.py")  # openwhisk-runtime-python's compile step
        try:
            staging.rename(folder)
        except OSError:
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def prune(root: Path, keep: Iterable[Path]) -> list[Path]:
    """Remove every unpacked version under `root` but those in `keep`; returns the removed."""
    kept = {Path(p).resolve() for p in keep}
    removed = []
    if not root.is_dir():
        return removed
    for package in root.iterdir():
        if not package.is_dir():
            continue
        for action in package.iterdir():
            for version in action.iterdir() if action.is_dir() else ():
                if version.resolve() not in kept:
                    shutil.rmtree(version, ignore_errors=True)
                    removed.append(version)
    return removed


# -- from the control plane to the host ---------------------------------------------------------


@dataclass
class DeployedSet:
    """What is deployed, ready for the host and the triggers."""

    actions: dict[str, ActionManifest] = field(default_factory=dict)
    code: dict[str, DeployedCode] = field(default_factory=dict)
    object_storage: dict[str, list[tuple[str, ObjectStorageTrigger]]] = field(
        default_factory=dict)  # physical bucket -> (action, trigger)
    crons: list[tuple[str, CronTrigger]] = field(default_factory=list)
    triggers: dict[str, str] = field(default_factory=dict)  # trigger name -> action
    skipped: dict[str, str] = field(default_factory=dict)  # what is deployed but not run: why

    def summary(self) -> dict[str, Any]:
        return {"actions": {name: code.version for name, code in sorted(self.code.items())},
                "triggers": dict(sorted(self.triggers.items())),
                "skipped": dict(sorted(self.skipped.items()))}


def load(
    deployed_actions: Iterable[Any],
    deployed_triggers: Iterable[Any],
    *,
    root: Path,
    home: Path | None = None,
    checkout: Mapping[str, ActionManifest] | None = None,
    bucket_field: str = "bucketName",
    events_field: str = "events",
    python: str | None = None,
) -> DeployedSet:
    """The deployed actions (`swaprep.ncp.registry.DeployedAction`) and triggers
    (`DeployedTrigger`), unpacked under `root`; `home` is the workers' HOME (default: a
    `home` folder beside `root`). `checkout` gives the routes of web actions
    and the queue each consumer drains; `bucket_field`/`events_field` are the control
    plane's names for an Object Storage trigger's options (its switches)."""
    checkout = checkout or {}
    result = DeployedSet()
    by_key: dict[str, str] = {}  # "package/action" -> action name on the host
    python_found: str | None = python
    env: dict[str, str] | None = None
    for action in deployed_actions:
        key = f"{action.package}/{action.name}"
        why = _not_runnable(action)
        if why is None and action.name in result.actions:
            other = result.code[action.name]
            why = (f"another deployed action has the name {action.name!r} "
                   f"({other.package}/{other.name}); the local host runs one per name")
        if why is not None:
            result.skipped[key] = why
            log.warning("deployed action %s is not run locally: %s", key, why)
            continue
        if python_found is None:
            python_found = runtime_python()  # refuses clearly when there is none
        if env is None:
            env = worker_env(home or root.parent / "home")
        sha = zip_sha256(action.zip_path)
        folder = unpack(action.zip_path, version_folder(root, action.package, action.name,
                                                        action.version, sha))
        source = checkout.get(action.name)
        result.actions[action.name] = ActionManifest(
            name=action.name,
            path=folder,
            memory_mb=action.memory_mb or DEFAULT_MEMORY_MB,
            timeout_s=(action.timeout_ms / 1000) if action.timeout_ms else DEFAULT_TIMEOUT_S,
            web=action.web,
            params=dict(action.parameters),
            queue=source.queue if source else None,
            gateway=source.gateway if source and action.web else None,
        )
        result.code[action.name] = DeployedCode(
            package=action.package, name=action.name, version=action.version,
            kind=action.kind, main=action.main or "main", zip_path=action.zip_path,
            zip_sha256=sha, package_params=dict(action.package_parameters),
            python=python_found, env=dict(env),
        )
        by_key[key] = action.name

    for trigger in deployed_triggers:
        targets = [by_key[key] for key in trigger.actions if key in by_key]
        if not targets:
            why = ("linked to no action" if not trigger.actions
                   else f"its action {', '.join(trigger.actions)} is not run locally")
            result.skipped[f"trigger:{trigger.name}"] = why
            continue
        params = dict(trigger.parameters)
        if trigger.type == "cron":
            schedule = trigger.options.get("cronOption")
            for action in targets:
                result.crons.append((action, CronTrigger(schedule=schedule, params=params)))
        elif trigger.type == "object_storage":
            bucket = trigger.options.get(bucket_field)
            events = tuple(trigger.options.get(events_field) or ("ObjectCreated:*",))
            for action in targets:
                result.object_storage.setdefault(bucket, []).append(
                    (action, ObjectStorageTrigger(bucket=bucket, events=events, params=params)))
        else:
            result.skipped[f"trigger:{trigger.name}"] = (
                f"{trigger.type} triggers are not emulated locally")
            continue
        result.triggers[trigger.name] = ", ".join(targets)
    return result


def _not_runnable(action: Any) -> str | None:
    if action.type in ("sequence", "sequence-web"):
        return "sequences are not run by the local host"
    if action.kind != RUNTIME_KIND:
        return f"runtime {action.kind}: the local host runs {RUNTIME_KIND} only"
    if action.zip_path is None or not Path(action.zip_path).is_file():
        return "its zip is missing from the control plane's state"
    return None


# -- the invoke API: one deployed action run on request -------------------------------------------


class DeployedRunner:
    """What the control plane's `POST /packages/{p}/actions/{a}` (Post Action) runs: the
    deployed zip of that action, unpacked under `root` and run by a function host of its
    own (one per deployed version, kept warm, replaced when the action is deployed again),
    so the invoke API works whichever code the stack's own host runs.

        runner = DeployedRunner(root)
        activation_id, finished = runner(deployed_action, {"command": "status"}, 60.0)

    `finished` is None when the run outlasted `wait_s` (it goes on; NCP then answers with the
    activation id only)."""

    def __init__(self, root: Path, *, home: Path | None = None,
                 python: str | None = None) -> None:
        self.root, self.home, self.python = Path(root), home, python
        self._hosts: dict[str, tuple[str, Any]] = {}  # "package/action" -> (version, Host)
        self._lock = threading.Lock()

    def _host(self, action: Any) -> Any:
        from swaprep.local.host import Host

        key = f"{action.package}/{action.name}"
        with self._lock:
            current = self._hosts.get(key)
            if current is not None and current[0] == action.version:
                return current[1]
            loaded = load([action], [], root=self.root, home=self.home, python=self.python)
            if action.name not in loaded.actions:
                raise DeployedCodeError(f"{key} cannot run locally: "
                                        f"{loaded.skipped.get(key, 'not runnable')}")
            host = Host(loaded.actions, deployed=loaded.code, containers_per_action=1)
            host.start()
            self._hosts[key] = (action.version, host)
        if current is not None:
            current[1].stop()  # the previous version's runs finish first
        return host

    def __call__(self, action: Any, params: Mapping[str, Any],
                 wait_s: float) -> tuple[str, Any]:
        finished = threading.Event()
        done: list[Any] = []

        def record(activation: Any) -> None:
            done.append(activation)
            finished.set()

        activation_id = self._host(action).submit(action.name, dict(params), on_done=record)
        if not finished.wait(wait_s):
            return activation_id, None
        return activation_id, done[0]

    def stop(self) -> None:
        with self._lock:
            hosts, self._hosts = list(self._hosts.values()), {}
        for _, host in hosts:
            host.stop()
