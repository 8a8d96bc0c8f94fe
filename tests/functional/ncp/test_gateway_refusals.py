"""What the API Gateway stand-in refuses over real HTTP, in NCP's error shape, naming the field
and the reason: the signature, bodies against NCP's schema, references to Cloud Functions
actions and authorizers, duplicate names, unknown routes and methods, things still in use."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from swaprep.ncp.client import NcpApiError, NcpClient
from swaprep.ncp.controlplane import ControlPlane
from tests.functional.ncp.conftest import ACCESS_KEY, SECRET_KEY, VPC, api, gw
from tests.functional.ncp.test_gateway_roundtrip import make_actions
from tests.unit.ncp.gatewaykit import authorizer_body, endpoint, method_body
from tests.unit.ncp.zips import action_body


def refusal(client: NcpClient, method: str, path: str, **kwargs: Any) -> NcpApiError:
    with pytest.raises(NcpApiError) as caught:
        client.request(method, gw(path), **kwargs)
    return caught.value


def new_api(client: NcpClient, product: str = "swaprep") -> str:
    """The path of a new API (`/products/{id}/apis/{id}`)."""
    product_id = client.request("POST", gw("/products"), body={
        "productName": product, "subscriptionCode": "PUBLIC"})["product"]["productId"]  # type: ignore[index]
    api_id = client.request("POST", gw(f"/products/{product_id}/apis"),
                            body={"apiName": "console"})["api"]["apiId"]  # type: ignore[index]
    return f"/products/{product_id}/apis/{api_id}"


def new_method_path(client: NcpClient) -> str:
    base = new_api(client)
    resource_id = client.request("POST", gw(base + "/resources"), body={
        "resourcePath": "/api/{proxy+}"})["resource"]["resourceId"]  # type: ignore[index]
    return f"{base}/resources/{resource_id}/methods"


def test_the_signature_is_checked_on_the_gateway_api(plane: ControlPlane) -> None:
    assert plane.url is not None
    wrong = NcpClient(plane.url, ACCESS_KEY, "not-the-secret")
    error = refusal(wrong, "GET", "/products")
    assert str(error) == ("GET /api/v1/products: 401 Authentication Failed: "
                          "x-ncp-apigw-signature-v2: does not match the method, path with "
                          "query and timestamp (code 200)")
    unsigned = requests.post(plane.url + gw("/products"), json={
        "productName": "p", "subscriptionCode": "PUBLIC"}, timeout=5)
    assert unsigned.status_code == 401
    assert unsigned.json()["error"]["details"] == "field: x-ncp-apigw-timestamp"
    stale = NcpClient(plane.url, ACCESS_KEY, SECRET_KEY, clock=lambda: time.time() - 301)
    assert "5.0 minutes away from the server clock" in str(refusal(stale, "GET", "/products"))
    assert plane.deployed_gateway().products == ()


def test_bodies_that_break_ncps_schema(client: NcpClient) -> None:
    error = refusal(client, "POST", "/products",
                    body={"productName": "swaprep", "subscriptionCode": "OPEN"})
    assert (error.status, error.code, error.details) == (400, "77010", "field: subscriptionCode")
    assert error.message == "subscriptionCode must be one of PROTECTED, PUBLIC (got 'OPEN')"
    make_actions(client)
    body = authorizer_body()
    del body["authorizerConfig"]["functionId"]
    assert refusal(client, "POST", "/authorizers", body=body).message == \
        "authorizerConfig.functionId is required"
    assert refusal(client, "POST", "/authorizers",
                   body=authorizer_body(cacheTtlSec=7200)).message == \
        "cacheTtlSec must be at most 3,600 (got 7200)"
    base = new_api(client)
    assert refusal(client, "POST", base + "/resources",
                   body={"resourcePath": "api/x"}).message.startswith(
        "resourcePath must match the pattern /|(/(")
    assert refusal(client, "POST", base + "/stages",
                   body={"stageName": "v 1", "endpointDomain": "NONE"}).details == \
        "field: stageName"
    # the body is judged before the ids in the path are looked up
    error = refusal(client, "POST", "/products/p1/apis/a1/resources/r1/methods",
                    body={**method_body(), "requiredApiKey": True})
    assert error.message == "requiredApiKey must be a JSON object"
    error = refusal(client, "POST", "/products", body=None)
    assert error.message == "body is required (a JSON object: PostProductRequest)"


def test_a_body_that_is_not_json_is_a_bad_request(plane: ControlPlane) -> None:
    from swaprep.ncp.signing import sign_headers

    assert plane.url is not None
    headers = sign_headers("POST", gw("/products"), ACCESS_KEY, SECRET_KEY,
                           now_ms=int(time.time() * 1000))
    answer = requests.post(plane.url + gw("/products"), data=b"{not json", headers=headers,
                           timeout=5)
    assert answer.status_code == 400 and answer.json()["error"]["errorCode"] == "100"


def test_an_endpoint_must_name_an_existing_action(client: NcpClient) -> None:
    make_actions(client)
    where = new_method_path(client)
    error = refusal(client, "POST", where, body=method_body(
        ncpEndPoint=endpoint("swaprep/nope")))
    assert (error.status, error.code, error.details) == (
        400, "77020", "field: ncpEndPoint.actionName")
    assert error.message == ("ncpEndPoint.actionName: Cloud Functions action 'swaprep/nope' "
                             "not found (platform vpc)")
    classic = client.request("PUT", api("/packages/old"), query={"platform": "classic"},
                             body={})
    assert classic is not None
    client.request("PUT", api("/packages/old/actions/a"), query={"platform": "classic"},
                   body=action_body())
    assert refusal(client, "POST", where, body=method_body(
        ncpEndPoint=endpoint("old/a"))).code == "77020"  # on the classic platform only
    assert refusal(client, "POST", "/authorizers",
                   body=authorizer_body(function="swaprep/missing")).message == (
        "authorizerConfig.functionId: Cloud Functions action 'swaprep/missing' not found "
        "(platform vpc)")
    error = refusal(client, "POST", where, body=method_body(authorizer_id="nosuchid01"))
    assert error.message == "authentication.authorizerId: authorizer 'nosuchid01' not found"
    error = refusal(client, "POST", where, body=method_body(
        authentication={"platform": "AUTHORIZER"}))
    assert error.message == "authentication.authorizerId is required with platform AUTHORIZER"
    error = refusal(client, "POST", where, body={**method_body(), "mockEndPoint": {
        "httpStatus": 200}})
    assert error.message.startswith("mockEndPoint exactly one of ncpEndPoint, httpEndPoint")


def test_an_action_deleted_after_the_method_stops_the_deploy(client: NcpClient) -> None:
    make_actions(client)
    where = new_method_path(client)
    client.request("POST", gw(where), body=method_body())
    base = where.split("/resources/")[0]
    stage_id = client.request("POST", gw(base + "/stages"), body={
        "stageName": "v1", "endpointDomain": "NONE"})["stage"]["stageId"]  # type: ignore[index]
    client.request("DELETE", api("/packages/swaprep/actions/api"), query=VPC)
    error = refusal(client, "POST", base + "/deploy", body={"stageId": stage_id})
    assert error.message == ("stageId: cannot deploy: method ANY /api/{proxy+} calls Cloud "
                             "Functions action 'swaprep/api', which no longer exists")
    assert refusal(client, "POST", base + "/deploy", body={"stageId": "otherstage"}).message == \
        "stageId: stage 'otherstage' is not a stage of API 'console'"


def test_duplicate_names_are_refused_in_their_scope(client: NcpClient) -> None:
    make_actions(client)
    base = new_api(client)
    product_path = base.split("/apis/")[0]
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("/products", {"productName": "swaprep", "subscriptionCode": "PROTECTED"},
         "productName"),
        (product_path + "/apis", {"apiName": "console"}, "apiName"),
        ("/authorizers", authorizer_body(), "authorizerName"),
        ("/usage-plans", {"usagePlanName": "standard"}, "usagePlanName"),
        ("/api-keys", {"apiKeyName": "fep"}, "apiKeyName"),
        (base + "/stages", {"stageName": "v1", "endpointDomain": "NONE"}, "stageName"),
        (base + "/resources", {"resourcePath": "/api/{proxy+}"}, "resourcePath"),
    ]
    for path, body, field in cases:
        if field not in ("productName", "apiName"):
            client.request("POST", gw(path), body=body)
        error = refusal(client, "POST", path, body=body)
        assert (error.status, error.code, error.details) == (409, "77012", f"field: {field}")
        assert "is already used" in error.message
    resource_id = client.request("GET", gw(base + "/resources"))["resourceList"][1][  # type: ignore[index]
        "resourceId"]
    client.request("POST", gw(f"{base}/resources/{resource_id}/methods"), body=method_body())
    error = refusal(client, "POST", f"{base}/resources/{resource_id}/methods",
                    body=method_body())
    assert error.message.startswith("methodName 'ANY' is already used on resource "
                                    "/api/{proxy+}")
    new_api(client, "other")  # the same API name in another product is fine


def test_routes_outside_the_spec(client: NcpClient) -> None:
    error = refusal(client, "GET", "/widgets")
    assert (error.status, error.code, error.message) == (404, "300",
                                                         "path: no API at /api/v1/widgets")
    error = refusal(client, "DELETE", "/products")
    assert (error.status, error.message) == (
        405, "method: DELETE is not allowed on /api/v1/products (NCP's API lists GET, POST)")
    error = refusal(client, "POST", "/products/p1/apis/a1/models", body={})
    assert error.status == 501 and error.message.startswith(
        "POST /api/v1/products/{product-id}/apis/{api-id}/models is part of NCP's API")
    error = refusal(client, "GET", "/usage-plans")
    assert (error.status, error.message) == (400, "stageId is required in the query")
    assert refusal(client, "GET", "/products", query={"limit": 0}).details == "field: limit"
    assert refusal(client, "GET", "/products/nosuchprod").message == \
        "product-id: product 'nosuchprod' not found"


def test_what_is_still_in_use_is_not_deleted(client: NcpClient) -> None:
    make_actions(client)
    where = new_method_path(client)
    authorizer_id = client.request("POST", gw("/authorizers"), body=authorizer_body())[  # type: ignore[index]
        "authorizerId"]
    client.request("POST", gw(where), body=method_body(authorizer_id=authorizer_id))
    error = refusal(client, "DELETE", f"/authorizers/{authorizer_id}")
    assert (error.status, error.code) == (409, "77013")
    assert error.message.startswith("authorizer-id: authorizer 'jwt' is used by method ANY "
                                    "/api/{proxy+} of API 'console'")
    base = where.split("/resources/")[0]
    stage_id = client.request("POST", gw(base + "/stages"), body={
        "stageName": "v1", "endpointDomain": "NONE"})["stage"]["stageId"]  # type: ignore[index]
    plan_id = client.request("POST", gw("/usage-plans"), body={
        "usagePlanName": "std"})["usagePlan"]["usagePlanId"]  # type: ignore[index]
    client.request("POST", gw(f"{base}/stages/{stage_id}/associate-usage-plan"),
                   body={"usagePlanId": plan_id})
    assert refusal(client, "DELETE", f"/usage-plans/{plan_id}").message == (
        "usage-plan-id: usage plan 'std' is associated with stage v1; disassociate it first")
    assert refusal(client, "DELETE", f"{base}/stages/{stage_id}").code == "77013"
    assert refusal(client, "DELETE", base).message.startswith(
        "api-id: API 'console' still holds resource /api, resource /api/{proxy+}, stage v1")
