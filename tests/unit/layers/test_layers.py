"""The floors of the house hold (docs/ARCHITECTURE.md): import-linter's contracts in
pyproject.toml (each layer imports only those below it; shipped code never imports the local
stand-in), no action importing the stand-in, and mypy clean (strict on domain and formats)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)


def test_the_layer_contracts_are_kept():
    done = _run("lint-imports", "--no-cache")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "2 kept, 0 broken" in done.stdout


def test_no_action_imports_the_local_stand_in():
    offenders = []
    for main in sorted((ROOT / "functions").glob("*/__main__.py")):
        for node in ast.walk(ast.parse(main.read_text(), str(main))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{main.relative_to(ROOT)}: {n}" for n in names
                          if n == "swaprep" or n.startswith("swaprep.")]
    assert offenders == []


def test_the_type_check_passes():
    done = _run("mypy", "--cache-dir", str(ROOT / ".swaprep" / "cache" / "mypy"))
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_services_and_routes_hold_no_sql():
    """The persistence boundary: statements run only in shared/adapters/db (repositories and
    read models); a service or a route calls them and never touches a cursor itself."""
    running = {"execute", "executemany", "copy", "cursor", "fetchone", "fetchall"}
    offenders = []
    for folder in ("shared/services", "shared/api"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in running):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.func.attr}()")
    assert offenders == []


# What an action must not load before its handler runs: NCP bills every cold start, and these
# actions answer many calls that never touch the driver (a duplicate upload, a public route).
LAZY = {"ingest": ("psycopg", "boto3", "lxml", "pydantic"),
        "authorizer": ("psycopg", "boto3", "lxml", "pydantic"),
        "monitor": ("psycopg", "boto3", "lxml", "pydantic"),
        "tr-reports": ("psycopg", "boto3", "lxml", "pydantic"),
        "api": ("psycopg", "boto3", "lxml")}


def test_actions_import_no_driver_at_cold_start():
    loaded = {}
    for action, heavy in LAZY.items():
        main = f"functions/{action}/__main__.py"
        probe = ("import importlib.util, sys\n"
                 f"spec = importlib.util.spec_from_file_location('m', {main!r})\n"
                 "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
                 f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n")
        done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                              text=True, timeout=120, check=True)
        loaded[action] = done.stdout.strip()
    assert loaded == dict.fromkeys(LAZY, "[]")
