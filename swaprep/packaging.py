"""Build NCP Cloud Functions zips, one per action.

Layout of `<out>/<action>.zip`, as NCP's OpenWhisk-based Python launcher expects it (it runs
virtualenv/bin/activate_this.py if `virtualenv/` exists, then imports `main` from __main__.py):

    __main__.py                  the action (+ the other non-test files of functions/<action>/)
    shared/                      the shared library, without caches
    virtualenv/bin/activate_this.py                  made by the `virtualenv` tool
    virtualenv/lib/python3.13/site-packages/         ONLY this action's locked requirements

Dependencies come from the action's hashed `requirements.lock` (written by `./dev lock` from its
requirements.txt, within the development lock's versions: see swaprep.locking), installed with
`pip --require-hashes --no-deps` as CPython 3.13 manylinux x86_64 wheels whatever the build machine,
then pruned of what cannot run on NCP (botocore models of other services, caches, tests,
console scripts). The pruned site-packages is cached under `.swaprep/cache/site-packages/`
by a hash of the requirements and the build recipe, so a rebuild only zips. Zips are
reproducible (sorted entries, fixed timestamps): the same inputs give the same sha256.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

MiB = 1024 * 1024
ZIP_LIMIT_BYTES = 38 * MiB  # NCP Cloud Functions code size limit ("38 MB")
RUNTIME_PYTHON = "3.13"
SITE_PACKAGES = f"virtualenv/lib/python{RUNTIME_PYTHON}/site-packages"
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64")

# Service data that an action can use: Object Storage (s3), the SQS-compatible queue adapter,
# and sts (credential flows). The other ~400 botocore models are most of botocore's 30 MB.
KEEP_SERVICE_DATA = frozenset({"s3", "sqs", "sts"})
DATA_DIRS = ("botocore/data", "boto3/data")  # top-level files there (endpoints.json, ...) stay
TEST_DIR_NAMES = frozenset({"tests", "test"})
# action.toml is the deploy's manifest, read from the checkout: kept out of the zip so that a
# changed memory or schedule is not also a code change.
ACTION_EXCLUDED_FILES = frozenset({"requirements.txt", "requirements.lock", "conftest.py",
                                   "action.toml"})
# Bump when pruning or the pip recipe changes, so cached site-packages are rebuilt.
RECIPE_VERSION = 2  # 2: installs from the hashed lock

_PRUNED_DIR_NAMES = TEST_DIR_NAMES | {"__pycache__"}
FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # zip timestamps: reproducible archives

Log = Callable[[str], None]


class PackagingError(RuntimeError):
    """A build step failed; the message says which and why."""


@dataclass(frozen=True)
class ActionBuild:
    name: str
    zip_path: Path
    zip_size: int
    unpacked_size: int
    file_count: int
    dependencies: tuple[str, ...]  # "name==version" of each installed distribution
    sha256: str
    deps_from_cache: bool

    def exceeds(self, limit: int = ZIP_LIMIT_BYTES) -> bool:
        return self.zip_size > limit


def project_root() -> Path:
    """The checkout holding the `shared` package that action zips carry."""
    import shared

    return Path(shared.__file__).resolve().parent.parent


def discover_actions(functions_dir: Path) -> list[str]:
    """Action names: the directories of `functions_dir` that hold a `__main__.py`."""
    if not functions_dir.is_dir():
        return []
    return sorted(
        d.name
        for d in functions_dir.iterdir()
        if d.is_dir() and not d.name.startswith((".", "_")) and (d / "__main__.py").is_file()
    )


# ---------------------------------------------------------------------------------------------
# Dependencies


def _cache_key(requirements: str) -> str:
    """The cache slot for a lock's text and the build recipe."""
    recipe = {
        "requirements": requirements,
        "python": RUNTIME_PYTHON,
        "platforms": PLATFORMS,
        "keep": sorted(KEEP_SERVICE_DATA),
        "recipe": RECIPE_VERSION,
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:20]


def _pip_install(lock_file: Path, target: Path, cache_dir: Path) -> None:
    command = [sys.executable, "-m", "pip", "install", "--target", str(target),
               "--require-hashes", "--no-deps", "--isolated"]
    for platform in PLATFORMS:
        command += ["--platform", platform]
    command += [
        "--python-version", RUNTIME_PYTHON,
        "--implementation", "cp",
        "--only-binary=:all:",
        "--cache-dir", str(cache_dir / "pip"),
        "--no-compile",  # pyc files are pruned anyway
        "--disable-pip-version-check",
        "--no-input",
        "--quiet",
        "-r", str(lock_file),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-3000:]
        raise PackagingError(
            f"pip could not install {lock_file} as CPython {RUNTIME_PYTHON} "
            f"manylinux x86_64 wheels (source-only packages cannot be used):\n{detail}"
        )


def prune_site_packages(site: Path) -> None:
    """Delete what an action on NCP cannot use: bytecode caches, test suites inside packages,
    console scripts, and botocore/boto3 data for services other than KEEP_SERVICE_DATA."""
    shutil.rmtree(site / "bin", ignore_errors=True)
    for data in DATA_DIRS:
        data_dir = site / data
        if data_dir.is_dir():
            for entry in data_dir.iterdir():
                if entry.is_dir() and entry.name not in KEEP_SERVICE_DATA:
                    shutil.rmtree(entry)
    for top in site.iterdir():
        if not top.is_dir() or top.name.endswith((".dist-info", ".data")):
            continue
        # deepest first, so a removed directory's children are never visited afterwards
        for directory in sorted(top.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if directory.name in _PRUNED_DIR_NAMES and directory.is_dir():
                shutil.rmtree(directory, ignore_errors=True)
    shutil.rmtree(site / "__pycache__", ignore_errors=True)  # of top-level modules (six.py)


def locked_requirements(requirements_file: Path) -> Path | None:
    """The action's hashed lock beside its requirements.txt, or None when it needs nothing.
    An action with requirements but no lock (or a lock older than a change to them) is
    refused: a zip must carry exactly the versions the tests ran with."""
    from swaprep.locking import ACTION_LOCK, LockError, check_lock, file_requirements

    try:
        requirements = file_requirements(requirements_file) if requirements_file.is_file() else []
    except LockError as exc:
        raise PackagingError(str(exc)) from exc
    if not requirements:
        return None
    lock = requirements_file.with_name(ACTION_LOCK)
    if not lock.is_file():
        raise PackagingError(f"{lock} is missing: run `./dev lock` to resolve "
                             f"{requirements_file.name} into a hashed lock")
    problems = check_lock(requirements, lock.read_text(encoding="utf-8"), str(lock),
                          python=RUNTIME_PYTHON)
    if problems:
        raise PackagingError("the lock does not answer the action's requirements (run "
                             "`./dev lock`):\n" + "\n".join(problems))
    return lock


def install_dependencies(
    requirements_file: Path, cache_dir: Path, *, refresh: bool = False
) -> tuple[Path, bool]:
    """A pruned site-packages for the action's locked requirements: (its path, whether it came
    from cache)."""
    lock = locked_requirements(requirements_file)
    requirements = lock.read_text(encoding="utf-8") if lock else ""
    site = cache_dir / "site-packages" / _cache_key(requirements)
    if site.is_dir() and not refresh:
        return site, True
    site.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{site.name}.", dir=site.parent))
    try:
        if lock is not None:
            _pip_install(lock, staging, cache_dir)
            prune_site_packages(staging)
        if refresh:
            shutil.rmtree(site, ignore_errors=True)
        try:
            staging.rename(site)  # atomic: a cache dir that exists is complete
        except OSError:
            if not site.is_dir():  # not a concurrent build of the same key: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return site, False


def list_dependencies(site: Path) -> tuple[str, ...]:
    return tuple(
        sorted(
            f"{dist.metadata['Name']}=={dist.version}"
            for dist in importlib.metadata.distributions(path=[str(site)])
        )
    )


# ---------------------------------------------------------------------------------------------
# virtualenv


def _runtime_python_spec() -> str:
    if sys.version_info[:2] == tuple(int(p) for p in RUNTIME_PYTHON.split(".")):
        return sys.executable
    return RUNTIME_PYTHON  # let virtualenv discover a CPython 3.13 on this machine


def create_virtualenv(dest: Path, cache_dir: Path) -> None:
    """An empty virtualenv made by the `virtualenv` tool: unlike `python -m venv` it writes
    bin/activate_this.py, which the launcher executes; without it the action fails to start."""
    command = [
        sys.executable, "-m", "virtualenv",
        "--no-seed",  # no pip/setuptools: nothing on NCP installs into it
        "--no-periodic-update",
        "--no-vcs-ignore",
        "--activators", "python",  # activate_this.py only; shell scripts are useless on NCP
        "--app-data", str(cache_dir / "virtualenv-app-data"),
        "--python", _runtime_python_spec(),
        "--quiet",
        str(dest),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        if "No module named virtualenv" in detail:
            detail = "the `virtualenv` package is not installed (pip install virtualenv)"
        raise PackagingError(f"virtualenv failed: {detail}")
    if not (dest / "bin" / "activate_this.py").is_file():
        raise PackagingError(f"virtualenv made no bin/activate_this.py in {dest}")
    if not (dest / "lib" / f"python{RUNTIME_PYTHON}").is_dir():
        raise PackagingError(
            f"the virtualenv is not for Python {RUNTIME_PYTHON} (NCP's runtime): install "
            f"CPython {RUNTIME_PYTHON} or run swaprep with it"
        )


def _drop_build_command(pyvenv_cfg: Path) -> None:
    """virtualenv records the command that made it, temporary path included: informational
    only, and it would make every rebuilt skeleton (and so every zip) differ."""
    lines = pyvenv_cfg.read_text(encoding="utf-8").splitlines(keepends=True)
    pyvenv_cfg.write_text("".join(line for line in lines if not line.startswith("command =")),
                          encoding="utf-8")


def virtualenv_skeleton(cache_dir: Path, *, refresh: bool = False) -> Path:
    """The empty virtualenv every zip carries, made once per cache: its files embed the path
    it was made at, so one fixed copy keeps rebuilt zips byte-identical."""
    skeleton = cache_dir / f"virtualenv-python{RUNTIME_PYTHON}-r{RECIPE_VERSION}"
    if skeleton.is_dir() and not refresh:
        return skeleton
    skeleton.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{skeleton.name}.", dir=skeleton.parent))
    try:
        create_virtualenv(staging / "virtualenv", cache_dir)
        _drop_build_command(staging / "virtualenv" / "pyvenv.cfg")
        if refresh:
            shutil.rmtree(skeleton, ignore_errors=True)
        try:
            (staging / "virtualenv").rename(skeleton)
        except OSError:
            if not skeleton.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return skeleton


# ---------------------------------------------------------------------------------------------
# Zip


def _regular_files(base: Path, *, skip_dirs: frozenset[str] = frozenset()) -> Iterator[Path]:
    """Regular files under `base` (symlinks and caches skipped), as paths relative to it."""
    for dirpath, dirnames, filenames in os.walk(base):
        here = Path(dirpath)
        dirnames[:] = [
            d
            for d in dirnames
            if d != "__pycache__" and d not in skip_dirs and not (here / d).is_symlink()
        ]
        for name in filenames:
            path = here / name
            if path.is_symlink() or not path.is_file() or name.endswith((".pyc", ".pyo")):
                continue
            yield path.relative_to(base)


def _is_test_file(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py") or name in ACTION_EXCLUDED_FILES


def collect_entries(
    action_dir: Path, shared_dir: Path, venv_dir: Path, site: Path
) -> dict[str, Path]:
    """Archive name -> source file for everything that goes into the action's zip."""
    entries: dict[str, Path] = {}

    def add(arcname: str, source: Path) -> None:
        if arcname in entries:
            raise PackagingError(f"{arcname} comes from both {entries[arcname]} and {source}")
        entries[arcname] = source

    for rel in _regular_files(action_dir, skip_dirs=TEST_DIR_NAMES):
        if rel.parts[0] in ("shared", "virtualenv"):
            raise PackagingError(f"{action_dir}/{rel.parts[0]} would clash with the zip layout")
        if not _is_test_file(rel.name) and not rel.name.startswith("."):
            add(rel.as_posix(), action_dir / rel)
    for rel in _regular_files(shared_dir):
        if not rel.name.startswith("."):
            add(f"shared/{rel.as_posix()}", shared_dir / rel)
    for rel in _regular_files(venv_dir):
        add(f"virtualenv/{rel.as_posix()}", venv_dir / rel)
    for rel in _regular_files(site):
        add(f"{SITE_PACKAGES}/{rel.as_posix()}", site / rel)
    return entries


def _directories(arcnames: Iterable[str]) -> set[str]:
    dirs = {f"{SITE_PACKAGES}/"}  # kept even when empty: activate_this.py adds it to sys.path
    for name in arcnames:
        parts = name.split("/")[:-1]
        dirs.update("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
    return dirs


def write_zip(entries: dict[str, Path], zip_path: Path) -> tuple[int, str]:
    """Write a reproducible zip; returns (unpacked size, sha256 of the zip)."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{zip_path.name}.", dir=zip_path.parent)
    os.close(fd)
    unpacked = 0
    try:
        with zipfile.ZipFile(tmp_name, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for directory in sorted(_directories(entries)):
                info = zipfile.ZipInfo(directory, FIXED_DATE)
                info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
                archive.writestr(info, b"")
            for arcname in sorted(entries):
                source = entries[arcname]
                info = zipfile.ZipInfo(arcname, FIXED_DATE)
                mode = 0o755 if os.access(source, os.X_OK) else 0o644
                info.external_attr = (stat.S_IFREG | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with source.open("rb") as src, archive.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
                unpacked += info.file_size
        digest = hashlib.sha256()
        with open(tmp_name, "rb") as built:
            for block in iter(lambda: built.read(1024 * 1024), b""):
                digest.update(block)
        os.chmod(tmp_name, 0o644)  # mkstemp makes it 0600
        os.replace(tmp_name, zip_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return unpacked, digest.hexdigest()


# ---------------------------------------------------------------------------------------------


def build_action(
    name: str,
    *,
    functions_dir: Path,
    out_dir: Path,
    shared_dir: Path | None = None,
    cache_dir: Path | None = None,
    refresh: bool = False,
) -> ActionBuild:
    """Build `<out_dir>/<name>.zip` from `<functions_dir>/<name>/`."""
    action_dir = functions_dir / name
    if not (action_dir / "__main__.py").is_file():
        raise PackagingError(f"{action_dir} has no __main__.py: not an action")
    root = project_root()
    shared_dir = shared_dir or root / "shared"
    cache_dir = cache_dir or root / ".swaprep" / "cache"

    site, cached = install_dependencies(action_dir / "requirements.txt", cache_dir, refresh=refresh)
    venv_dir = virtualenv_skeleton(cache_dir, refresh=refresh)
    entries = collect_entries(action_dir, shared_dir, venv_dir, site)
    zip_path = out_dir / f"{name}.zip"
    unpacked, sha256 = write_zip(entries, zip_path)
    return ActionBuild(
        name=name,
        zip_path=zip_path,
        zip_size=zip_path.stat().st_size,
        unpacked_size=unpacked,
        file_count=len(entries),
        dependencies=list_dependencies(site),
        sha256=sha256,
        deps_from_cache=cached,
    )


def build_actions(
    names: Iterable[str] | None,
    *,
    functions_dir: Path,
    out_dir: Path,
    shared_dir: Path | None = None,
    cache_dir: Path | None = None,
    refresh: bool = False,
    log: Log | None = None,
) -> list[ActionBuild]:
    """Build the named actions, or every action under `functions_dir` when `names` is empty."""
    available = discover_actions(functions_dir)
    wanted = list(names or available)
    if not wanted:
        raise PackagingError(f"no actions under {functions_dir} (a directory with __main__.py)")
    unknown = [n for n in wanted if n not in available]
    if unknown:
        raise PackagingError(
            f"unknown action(s) {', '.join(unknown)} in {functions_dir}; "
            f"available: {', '.join(available) or 'none'}"
        )
    builds = []
    for name in wanted:
        if log:
            log(f"packaging {name} ...")
        builds.append(
            build_action(
                name,
                functions_dir=functions_dir,
                out_dir=out_dir,
                shared_dir=shared_dir,
                cache_dir=cache_dir,
                refresh=refresh,
            )
        )
    return builds
