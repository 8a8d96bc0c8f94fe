"""Fixtures every whole-stack test shares."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest


@pytest.fixture
def state_dir():
    """A fresh state directory for one LocalStack. Not under pytest's 0700 tmp dir: the
    embedded server may run as the `postgres` user."""
    base = Path(tempfile.mkdtemp(prefix="swaprep-e2e-"))
    os.chmod(base, 0o755)
    yield base / "state"
    shutil.rmtree(base, ignore_errors=True)
