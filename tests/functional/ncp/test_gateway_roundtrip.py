"""API Gateway v1 round trips over real HTTP with the signed client, on the same control plane
as Cloud Functions: product -> API -> resource + method (a Cloud Functions action made in the
same test) -> authorizer -> stage -> deploy -> usage plan -> API key, read back, then deleted
in reverse order. Every answer is checked against NCP's spec by the plane itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from swaprep.ncp.client import NcpApiError, NcpClient
from swaprep.ncp.controlplane import ControlPlane
from tests.functional.ncp.conftest import ACCESS_KEY, SECRET_KEY, VPC, api, gw, inject
from tests.unit.ncp.gatewaykit import authorizer_body, method_body
from tests.unit.ncp.zips import action_body


def make_actions(client: NcpClient) -> None:
    client.request("PUT", api("/packages/swaprep"), query=VPC, body={})
    client.request("PUT", api("/packages/swaprep/actions/api"), query={**VPC, "type": "web"},
                   body=action_body(**{"raw-http": True}))
    client.request("PUT", api("/packages/swaprep/actions/authz"), query=VPC, body=action_body())


def ok(client: NcpClient, method: str, path: str, **kwargs: Any) -> Any:
    return client.request(method, gw(path), **kwargs)


def gone(client: NcpClient, path: str, code: str, **kwargs: Any) -> None:
    with pytest.raises(NcpApiError) as caught:
        client.request("GET", gw(path), **kwargs)
    assert (caught.value.status, caught.value.code) == (404, code), str(caught.value)


def test_create_read_deploy_and_delete_everything(plane: ControlPlane,
                                                  client: NcpClient) -> None:
    make_actions(client)
    # product
    product = ok(client, "POST", "/products", body={
        "productName": "swaprep", "subscriptionCode": "PROTECTED", "description": "console"})
    product_id = product["product"]["productId"]
    assert len(product_id) == 10 and product_id.isalnum()
    listed = ok(client, "GET", "/products", query={"productName": "swaprep"})
    assert [p["productId"] for p in listed["productPage"]["content"]] == [product_id]
    assert ok(client, "GET", f"/products/{product_id}")["product"]["productName"] == "swaprep"
    assert ok(client, "PATCH", f"/products/{product_id}", body={
        "productName": "swaprep", "subscriptionCode": "PROTECTED",
        "description": "operations console"}) is None
    # API
    base = f"/products/{product_id}/apis"
    api_id = ok(client, "POST", base, body={"apiName": "console",
                                            "apiDescription": "SPA"})["api"]["apiId"]
    assert [a["apiName"] for a in ok(client, "GET", base)["apis"]] == ["console"]
    base += f"/{api_id}"
    assert ok(client, "GET", base)["api"] == {
        "apiId": api_id, "apiName": "console", "apiDescription": "SPA",
        "productId": product_id, "isDeleted": False, "disabled": False,
        "modTime": ok(client, "GET", base)["api"]["modTime"], "stages": []}
    # resource + method on a Cloud Functions action
    created = ok(client, "POST", base + "/resources", body={"resourcePath": "/api/{proxy+}"})
    resource_id = created["resource"]["resourceId"]
    assert [r["resourcePath"] for r in ok(client, "GET", base + "/resources")["resourceList"]
            ] == ["/api", "/api/{proxy+}"]
    methods = f"{base}/resources/{resource_id}/methods"
    added = ok(client, "POST", methods, body=method_body("ANY"))
    assert [(m["methodName"], m["ncpEndPoint"]["actionName"]) for m in added["methods"]] == [
        ("ANY", "swaprep/api")]
    # authorizer (a Cloud Functions action too), then the method uses it and an API key
    authorizer = ok(client, "POST", "/authorizers", body=authorizer_body())
    authorizer_id = authorizer["authorizerId"]
    assert ok(client, "GET", f"/authorizers/{authorizer_id}") == authorizer
    assert ok(client, "PUT", f"/authorizers/{authorizer_id}",
              body=authorizer_body(cacheTtlSec=300)) is None
    assert ok(client, "GET", "/authorizers", query={"name": "jwt"})["authorizers"][0][
        "authorizerId"] == authorizer_id
    patched = ok(client, "PATCH", methods + "/ANY", body={
        k: val for k, val in method_body(authorizer_id=authorizer_id, api_key=True).items()
        if k != "methodName"})["method"]
    assert patched["authentication"] == {"platform": "AUTHORIZER",
                                         "authorizerId": authorizer_id}
    # stage, deploy
    stage = ok(client, "POST", base + "/stages", body={"stageName": "v1",
                                                       "endpointDomain": "NONE"})["stage"]
    stage_id = stage["stageId"]
    assert ok(client, "GET", f"{base}/stages/{stage_id}")["stage"]["stageName"] == "v1"
    assert ok(client, "GET", base + "/stages")["stages"][0]["resourceDtos"] == []
    assert ok(client, "POST", base + "/deploy", body={"stageId": stage_id,
                                                      "deploymentDescription": "first"}) is None
    tree = ok(client, "GET", base + "/stages")
    assert tree["host"] == f"{product_id}.apigw.ntruss.com"
    assert [(r["resourcePath"], r["methods"]) for r in tree["stages"][0]["resourceDtos"]] == [
        ("/api", []), ("/api/{proxy+}", [{"methodName": "ANY"}])]
    # a stage serves its snapshot: later edits wait for the next deploy
    ok(client, "PATCH", methods + "/ANY", body={
        k: val for k, val in method_body(authorizer_id=authorizer_id).items()
        if k != "methodName"})
    served = plane.deployed_gateway().stage("swaprep", "console", "v1")
    assert served is not None and served.deployment is not None
    assert served.route("GET", "/api/trades")[1].api_key_required is True  # type: ignore[index]
    ok(client, "POST", base + "/deploy", body={"stageId": stage_id})
    deployments = ok(client, "GET", f"{base}/stages/{stage_id}/deployments")
    assert [d["stageDeploymentNo"] for d in deployments["content"]] == [2, 1]
    assert deployments["defaultDeploymentNo"] == 2
    served = plane.deployed_gateway().stage("swaprep", "console", "v1")
    assert served is not None
    found = served.route("POST", "/api/trades/U1")
    assert found is not None
    assert (found[1].action, found[1].authorizer_id, found[1].api_key_required, found[2]) == (
        "swaprep/api", authorizer_id, False, {"proxy": "trades/U1"})
    # usage plan, associated with the stage
    plan_id = ok(client, "POST", "/usage-plans", body={
        "usagePlanName": "standard", "rateRps": 10, "dayQuotaRequest": 10_000,
        "monthQuotaRequest": 200_000})["usagePlan"]["usagePlanId"]
    assert ok(client, "POST", f"{base}/stages/{stage_id}/associate-usage-plan",
              body={"usagePlanId": plan_id}) is None
    plans = ok(client, "GET", "/usage-plans", query={"stageId": stage_id, "associated": True})
    assert [p["usagePlanId"] for p in plans["usagePlans"]] == [plan_id]
    assert ok(client, "GET", f"/usage-plans/{plan_id}")["usagePlan"][
        "associatedStagesCount"] == 1
    assert ok(client, "GET", f"/usage-plans/{plan_id}/stages")["stages"] == [{
        "stageId": stage_id, "stageName": "v1", "apiId": api_id, "apiName": "console",
        "productId": product_id, "productName": "swaprep"}]
    assert ok(client, "PUT", f"/usage-plans/{plan_id}", body={
        "usagePlanName": "standard", "rateRps": 20})["usagePlan"]["rateRps"] == 20
    assert ok(client, "GET", f"{base}/stages/{stage_id}/usage-plans")["content"][0][
        "usagePlanName"] == "standard"
    # API key: subscribe (PROTECTED: a request), approve, give it the plan on the stage
    key = ok(client, "POST", "/api-keys", body={"apiKeyName": "fep-1"})["apiKey"]
    key_id = key["apiKeyId"]
    assert ok(client, "GET", f"/api-keys/{key_id}") == key
    assert ok(client, "POST", f"/api-keys/{key_id}/subscribe",
              body={"productId": product_id}) is None
    assert ok(client, "GET", f"/api-keys/{key_id}/products")["apiKeyRelateProductDtos"][0][
        "status"] == "REQUEST"
    ok(client, "PATCH", f"/products/{product_id}/api-keys/{key_id}", body={"status": "ACCEPTED"})
    ok(client, "PUT", f"/products/{product_id}/api-keys/{key_id}/stages/{stage_id}",
       body={"usagePlanId": plan_id})
    wiring = plane.deployed_gateway()
    found_key = wiring.api_key(key["primaryKey"])
    assert found_key is not None and found_key.accepted_for(product_id)
    assert found_key.stage_usage_plans == {stage_id: plan_id}
    assert ok(client, "GET", "/api-keys", query={"apiKeyName": "fep"})["total"] == 1

    # delete everything, in reverse order
    assert ok(client, "POST", f"/api-keys/{key_id}/unsubscribe",
              body={"productId": product_id}) is None
    assert ok(client, "DELETE", f"/api-keys/{key_id}") is None
    gone(client, f"/api-keys/{key_id}", "77701")
    ok(client, "POST", f"{base}/stages/{stage_id}/disassociate-usage-plan",
       body={"usagePlanId": plan_id})
    assert ok(client, "DELETE", f"/usage-plans/{plan_id}") is None
    gone(client, f"/usage-plans/{plan_id}", "77601")
    assert ok(client, "DELETE", f"{base}/stages/{stage_id}") is None
    gone(client, f"{base}/stages/{stage_id}", "77401")
    assert ok(client, "DELETE", methods + "/ANY") is None
    assert ok(client, "GET", methods) == {"methods": []}
    for resource in reversed(ok(client, "GET", base + "/resources")["resourceList"]):
        ok(client, "DELETE", f"{base}/resources/{resource['resourceId']}")
    assert ok(client, "DELETE", f"/authorizers/{authorizer_id}") is None
    gone(client, f"/authorizers/{authorizer_id}", "77501")
    assert ok(client, "DELETE", base) is None
    gone(client, base, "77201")
    assert ok(client, "DELETE", f"/products/{product_id}") is None
    gone(client, f"/products/{product_id}", "77101")
    assert plane.deployed_gateway().products == ()


def test_gateway_state_survives_a_restart(state_path: Path) -> None:
    with ControlPlane(state_path, ACCESS_KEY, SECRET_KEY) as first:
        assert first.url is not None
        client = NcpClient(first.url, ACCESS_KEY, SECRET_KEY)
        make_actions(client)
        product_id = ok(client, "POST", "/products", body={
            "productName": "swaprep", "subscriptionCode": "PUBLIC"})["product"]["productId"]
        base = f"/products/{product_id}/apis"
        base += "/" + ok(client, "POST", base, body={"apiName": "console"})["api"]["apiId"]
        resource_id = ok(client, "POST", base + "/resources",
                         body={"resourcePath": "/{proxy+}"})["resource"]["resourceId"]
        ok(client, "POST", f"{base}/resources/{resource_id}/methods", body=method_body())
        stage_id = ok(client, "POST", base + "/stages", body={
            "stageName": "v1", "endpointDomain": "NONE"})["stage"]["stageId"]
        ok(client, "POST", base + "/deploy", body={"stageId": stage_id})
        before = first.deployed_gateway()
        client.close()
    with ControlPlane(state_path, ACCESS_KEY, SECRET_KEY) as second:
        assert second.deployed_gateway() == before
        assert second.url is not None
        client = NcpClient(second.url, ACCESS_KEY, SECRET_KEY)
        assert ok(client, "GET", f"{base}/stages/{stage_id}")["stage"][
            "deployedStageDeploymentNo"] == 1
        assert [a.name for a in second.deployed_actions()] == ["api", "authz"]
        client.close()


def test_injected_faults_reach_the_gateway_too(plane: ControlPlane, client: NcpClient,
                                               sleeps: list[float]) -> None:
    inject(plane, status=503, count=1, path_prefix="/api/v1/")
    assert ok(client, "GET", "/products")["productPage"]["total"] == 0
    assert len(sleeps) == 1
    # Creates are POST: when the answer to one is lost, the retry finds the name taken.
    # A deploy tool must list by name before it creates, and after such a refusal.
    inject(plane, drop=1, path_prefix="/api/v1/products", after_work=True)
    with pytest.raises(NcpApiError) as caught:
        ok(client, "POST", "/products", body={"productName": "p", "subscriptionCode": "PUBLIC"})
    assert (caught.value.status, caught.value.code) == (409, "77012")
    assert [p.name for p in plane.deployed_gateway().products] == ["p"]
