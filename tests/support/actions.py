"""Load an action's `main` from functions/<name>/__main__.py, as the platform would."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


def load_main(action: str) -> Callable[[dict], dict]:
    path = FUNCTIONS / action / "__main__.py"
    spec = importlib.util.spec_from_file_location(f"functions_{action}_main", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main
