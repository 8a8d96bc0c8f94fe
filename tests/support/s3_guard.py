"""pytest plugin: any ListObjectsV2 call, from any botocore client, fails the test.

NCP Object Storage does not implement ListObjectsV2, and moto does, so a stray v2 call (a
`list_objects_v2` paginator in a helper, a library default) would pass every local test and
break only on NCP. The adapter's own clients already refuse it; this catches everything else.

Register it from the top-level conftest:  pytest_plugins = ["tests.support.s3_guard"]

A test that deliberately checks the refusal can let the call through to the client with
`allow_list_objects_v2()` (a plain context manager, harmless when the plugin is not loaded).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest

_state = threading.local()


def _allowed() -> bool:
    return getattr(_state, "allowed", 0) > 0


@contextlib.contextmanager
def allow_list_objects_v2() -> Iterator[None]:
    _state.allowed = getattr(_state, "allowed", 0) + 1
    try:
        yield
    finally:
        _state.allowed -= 1


def is_active() -> bool:
    from botocore.client import BaseClient

    return getattr(BaseClient._make_api_call, "__s3_guard__", False)


@pytest.fixture(scope="session", autouse=True)
def _forbid_list_objects_v2() -> Iterator[None]:
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def guarded(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        if operation_name == "ListObjectsV2" and not _allowed():
            # pytest.fail raises a BaseException, so an `except Exception` cannot swallow it.
            pytest.fail(
                f"ListObjectsV2 called (Bucket={api_params.get('Bucket')!r}): NCP Object Storage "
                "does not support it; use ListObjects v1 (ObjectStore.list)",
                pytrace=True,
            )
        return original(self, operation_name, api_params)

    guarded.__s3_guard__ = True  # type: ignore[attr-defined]
    patcher = pytest.MonkeyPatch()
    patcher.setattr(BaseClient, "_make_api_call", guarded)
    try:
        yield
    finally:
        patcher.undo()
