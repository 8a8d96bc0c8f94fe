"""Global Edge's purge on the local control plane, over signed HTTP beside the API Gateway
management API that shares its `/api/v1` prefix: signed requests only, NCP's error shape, and
the gateway's own routes unaffected."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from swaprep.ncp.client import NcpApiError, NcpClient
from swaprep.ncp.controlplane import ControlPlane
from tests.functional.ncp.conftest import ACCESS_KEY, SECRET_KEY, gw

pytestmark = pytest.mark.functional


def test_a_signed_purge_is_done_an_unsigned_one_refused(tmp_path: Path) -> None:
    with ControlPlane(tmp_path / "state.json", ACCESS_KEY, SECRET_KEY, check_responses=True,
                      edges={11197: "bank-console"}) as plane:
        assert plane.url is not None
        unsigned = requests.post(f"{plane.url}/api/v1/purge", timeout=5, json={
            "edgeId": 11197, "purgeType": "ALL"})
        assert unsigned.status_code == 401 and "error" in unsigned.json()
        client = NcpClient(plane.url, ACCESS_KEY, SECRET_KEY, max_attempts=1)
        answer = client.request("POST", gw("/purge"), body={
            "edgeId": 11197, "purgeType": "URL", "purgeTarget": ["/index.html"]})
        assert answer is not None and answer["result"] == [1]
        with pytest.raises(NcpApiError) as refused:
            client.request("POST", gw("/purge"), body={"edgeId": 5, "purgeType": "ALL"})
        assert refused.value.status == 404 and "no edge 5" in str(refused.value)
        # the API Gateway stand-in still answers its own paths under the same prefix
        assert client.request("GET", gw("/products")) is not None
        assert [p.targets for p in plane.deployed_purges()] == [("/index.html",)]
        client.close()
