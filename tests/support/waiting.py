"""Waiting for something another thread or process does, with a clear failure."""

from __future__ import annotations

import time
from typing import Any

import pytest


def wait_for(what: str, predicate, timeout_s: float = 60.0, poll_s: float = 0.1) -> Any:
    """`predicate()`'s first truthy value, polled; the test fails naming `what` on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll_s)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")
