"""What the control plane refuses over real HTTP, and in which words."""

from __future__ import annotations

import time

import pytest
import requests

from swaprep.ncp import validation
from swaprep.ncp.client import NcpApiError, NcpClient
from swaprep.ncp.controlplane import ControlPlane
from tests.functional.ncp.conftest import ACCESS_KEY, SECRET_KEY, VPC, api
from tests.unit.ncp.zips import action_body, b64, zip_of_size


def refusal(client: NcpClient, method: str, path: str, **kwargs: object) -> NcpApiError:
    with pytest.raises(NcpApiError) as caught:
        client.request(method, path, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_a_bad_signature_is_refused_in_ncps_shape(plane: ControlPlane) -> None:
    assert plane.url is not None
    wrong = NcpClient(plane.url, ACCESS_KEY, "not-the-secret")
    error = refusal(wrong, "GET", api("/packages"), query=VPC)
    assert str(error) == ("GET /ncf/api/v2/packages: 401 Authentication Failed: "
                          "x-ncp-apigw-signature-v2: does not match the method, path with "
                          "query and timestamp (code 200)")
    unsigned = requests.get(plane.url + api("/packages"), timeout=5)
    assert unsigned.status_code == 401
    assert unsigned.json() == {"error": {
        "errorCode": "200",
        "message": "Authentication Failed: x-ncp-apigw-timestamp: header missing",
        "details": "field: x-ncp-apigw-timestamp"}}
    other_key = NcpClient(plane.url, "AKSOMEONEELSE", SECRET_KEY)
    assert "unknown access key" in str(refusal(other_key, "GET", api("/packages")))


@pytest.mark.parametrize("offset_s, ok", [(-360, False), (360, False), (-240, True),
                                          (240, True)])
def test_stale_or_future_timestamps(plane: ControlPlane, offset_s: int, ok: bool) -> None:
    assert plane.url is not None
    skewed = NcpClient(plane.url, ACCESS_KEY, SECRET_KEY, clock=lambda: time.time() + offset_s)
    if ok:
        assert skewed.request("GET", api("/packages"), query=VPC) == {"content": []}
    else:
        error = refusal(skewed, "GET", api("/packages"), query=VPC)
        assert error.status == 401
        assert "x-ncp-apigw-timestamp: 6.0 minutes away from the server clock" in str(error)


def test_bad_memory_names_the_field(client: NcpClient) -> None:
    error = refusal(client, "PUT", api("/packages/-/actions/a"), query=VPC,
                    body=action_body(memory=300))
    assert str(error) == ("PUT /ncf/api/v2/packages/-/actions/a: 400 limits.memory must be one "
                          "of 128, 256, 512, 1024 (got 300) (code 80010)")
    assert error.details == "field: limits.memory"


def test_the_type_cannot_change(client: NcpClient) -> None:
    client.request("PUT", api("/packages/-/actions/api"), query={**VPC, "type": "web"},
                   body=action_body())
    error = refusal(client, "PUT", api("/packages/-/actions/api"),
                    query={**VPC, "type": "basic"}, body=action_body())
    assert error.status == 409 and error.code == "80011"
    assert error.message == ("type: action '-/api' is a web action; its type cannot change to "
                             "basic (delete and re-create it)")
    client.request("PUT", api("/triggers/t"), query={**VPC, "type": "cron"},
                   body={"cronOption": "0 * * * *"})
    error = refusal(client, "PUT", api("/triggers/t"), query={**VPC, "type": "object_storage"},
                    body={"bucketName": "b-1", "events": ["ObjectCreated:PUT"]})
    assert error.status == 409 and "cron trigger; its type cannot change" in error.message


def test_zip_limit_at_a_smaller_boundary(client: NcpClient,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "MAX_ZIP_BYTES", 2_000)
    accepted = client.request("PUT", api("/packages/-/actions/edge"), query=VPC,
                              body=action_body(zip_of_size(2_000)))
    assert accepted is not None
    error = refusal(client, "PUT", api("/packages/-/actions/edge"), query=VPC,
                    body=action_body(zip_of_size(2_001)))
    assert error.status == 400
    assert error.message == ("exec.code holds a 2001-byte zip; at most 2000 bytes before "
                             "base64 encoding")
    # Far beyond what any valid PUT can be: refused before the body is parsed.
    error = refusal(client, "PUT", api("/packages/-/actions/edge"), query=VPC,
                    body={"exec": {"code": "A" * 3 * 1_048_576}})
    assert error.status == 413 and error.code == "430"


def test_a_zip_of_38_mb_and_one_byte_is_refused(client: NcpClient) -> None:
    """The real limit, honestly: 38,000,001 bytes (a zero-filled body: the size is checked
    before anything looks inside it)."""
    oversized = bytes(validation.MAX_ZIP_BYTES + 1)
    body = action_body()
    body["exec"]["code"] = b64(oversized)  # type: ignore[index]
    error = refusal(client, "PUT", api("/packages/-/actions/big"), query=VPC, body=body)
    assert error.status == 400
    assert error.message == ("exec.code holds a 38000001-byte zip; at most 38000000 bytes "
                             "before base64 encoding")


def test_other_refusals(client: NcpClient) -> None:
    assert refusal(client, "PUT", api("/packages/-/actions/a"), query=VPC,
                   body=action_body(**{"raw-http": True})).message.startswith(
        "raw-http can be true only for web actions")
    assert refusal(client, "PUT", api("/packages/nopkg/actions/a"), query=VPC,
                   body=action_body()).code == "80101"
    assert refusal(client, "GET", api("/nothing")).status == 404
    assert refusal(client, "POST", api("/packages")).status == 405
    client.request("PUT", api("/packages/p"), query={"platform": "classic"}, body={})
    error = refusal(client, "GET", api("/packages/p"), query=VPC)
    assert (error.status, error.code) == (400, "80102")
    assert refusal(client, "PUT", api("/packages/x"), query=VPC,
                   body={"bogus": 1}).message.startswith("bogus is not a known field")
    assert refusal(client, "PUT", api("/triggers/t"), query={**VPC, "type": "cron"},
                   body={"cronOption": "* * * * * *"}).message.startswith(
        "cronOption must have 5 fields")
