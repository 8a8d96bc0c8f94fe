"""Fixtures for the local stack's tests: fixture actions, a function host, whole stacks."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from swaprep.local.host import Host, fetch_activations
from swaprep.local.manifest import ActionManifest, load_actions
from swaprep.local.stack import LocalStack

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "functions"
EPHEMERAL_PORTS = {"api": 0, "invoke": 0, "s3": 0, "postgres": 0}
PACKAGE_PARAMS = {"layer": "package", "from_package": True}


@pytest.fixture
def s3_operations(monkeypatch) -> Iterator[list[str]]:
    """Every S3 API operation made in this process during the test, in order. (Any
    ListObjectsV2 call already fails every test: tests/support/s3_guard.py.)"""
    from botocore.client import BaseClient

    calls: list[str] = []
    original = BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        calls.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return calls


@pytest.fixture(scope="session")
def actions() -> dict[str, ActionManifest]:
    return load_actions(FIXTURES)


@pytest.fixture
def host(actions, db) -> Iterator[Host]:
    with Host(actions, package_params={**PACKAGE_PARAMS, "database_url": db.url}, db=db) as h:
        yield h


@pytest.fixture
def make_stack(database_url, s3_clean, tmp_path) -> Iterator[Callable[..., LocalStack]]:
    """Start LocalStacks on the test's database and S3 API, with fast polling."""
    stacks: list[LocalStack] = []
    prefix = f"t{uuid.uuid4().hex[:10]}"

    def make(**overrides: Any) -> LocalStack:
        options: dict[str, Any] = {
            "functions_root": FIXTURES,
            "state_dir": tmp_path / "state",
            "database_url": database_url,
            "s3_endpoint_url": s3_clean,
            "mirror_s3": True,
            "ports": EPHEMERAL_PORTS,
            "poll_interval_s": 0.2,
            "bucket_prefix": prefix,
            "frontend_dist": tmp_path / "no-dist",
        }
        options.update(overrides)
        stack = LocalStack(**options).start()
        stacks.append(stack)
        return stack

    yield make
    for stack in reversed(stacks):
        stack.stop()


@pytest.fixture
def stack(make_stack) -> LocalStack:
    return make_stack()


def wait_for_activations(
    db: Any,
    action: str,
    count: int = 1,
    *,
    timeout_s: float = 5.0,
    finished: bool = True,
    where: Callable[[dict[str, Any]], bool] = lambda row: True,
) -> list[dict[str, Any]]:
    """Poll the activation records until `count` of `action` match (oldest first)."""
    deadline = time.monotonic() + timeout_s
    while True:
        rows = [
            r for r in fetch_activations(db, action=action, limit=500)
            if where(r) and (not finished or r["status"] != "running")
        ]
        if len(rows) >= count or time.monotonic() > deadline:
            return list(reversed(rows))
        time.sleep(0.05)
