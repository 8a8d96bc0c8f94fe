"""A local NCP control plane (Cloud Functions v2 + API Gateway v1) on loopback and a signed
client for it. The plane checks every API Gateway answer against NCP's spec
(`check_responses=True`): an answer that does not fit comes back as a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from swaprep.ncp.client import NcpClient
from swaprep.ncp.controlplane import ControlPlane

ACCESS_KEY = "AKLOCALTESTKEY000001"
SECRET_KEY = "local-secret-key-for-tests-only-77"
VPC = {"platform": "vpc"}


def api(path: str) -> str:
    return "/ncf/api/v2" + path


def gw(path: str) -> str:
    """A path of the API Gateway v1 management API."""
    return "/api/v1" + path


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "ncp" / "state.json"


@pytest.fixture
def plane(state_path: Path) -> Iterator[ControlPlane]:
    with ControlPlane(state_path, ACCESS_KEY, SECRET_KEY, check_responses=True) as started:
        yield started


@pytest.fixture
def sleeps() -> list[float]:
    """Every pause the client asked for (the client does not really sleep in these tests)."""
    return []


@pytest.fixture
def client(plane: ControlPlane, sleeps: list[float]) -> Iterator[NcpClient]:
    assert plane.url is not None
    made = NcpClient(plane.url, ACCESS_KEY, SECRET_KEY, timeout_s=20, sleep=sleeps.append)
    yield made
    made.close()


def inject(plane: ControlPlane, **spec: Any) -> dict[str, Any]:
    """Through the test-only admin route, as an out-of-process test would."""
    response = requests.post(f"{plane.url}/_faults", json=spec, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def pending_faults(plane: ControlPlane) -> list[dict[str, Any]]:
    return requests.get(f"{plane.url}/_faults", timeout=5).json()["pending"]
