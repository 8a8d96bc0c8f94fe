"""`ControlPlane.deployed_gateway()`'s dataclasses: stages serve their deployment snapshot,
requests route to resources the way the gateway matches paths, keys and plans are there."""

from __future__ import annotations

from pathlib import Path

from tests.unit.ncp.gatewaykit import (
    authorizer_body,
    call,
    make_control,
    method_body,
    product_api,
    resource,
)


def test_a_stage_routes_requests_to_its_snapshot(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    product_id, api_id = product_api(control)
    base = f"/products/{product_id}/apis/{api_id}"
    for path, name in [("/api/{proxy+}", "ANY"), ("/api/trades/{uti}", "GET"),
                       ("/api/trades/export", "GET"), ("/api/trades/export", "POST")]:
        found = next((r for r in call(control, "GET", base + "/resources")["resourceList"]
                      if r["resourcePath"] == path), None)
        resource_id = found["resourceId"] if found else resource(control, product_id, api_id,
                                                                  path)
        call(control, "POST", f"{base}/resources/{resource_id}/methods", method_body(name))
    stage_id = call(control, "POST", base + "/stages",
                    {"stageName": "v1", "endpointDomain": "NONE"})["stage"]["stageId"]
    (stage,) = control.deployed().stages()
    assert stage.deployment is None and stage.route("GET", "/api/x") is None

    call(control, "POST", base + "/deploy", {"stageId": stage_id, "deploymentDescription": "1"})
    stage = control.deployed().stage("swaprep", "console", "v1")  # type: ignore[assignment]
    assert stage is not None and stage.base_path == "/console/v1"
    assert stage.host == f"{product_id}.apigw.ntruss.com"

    def route(method: str, path: str) -> tuple[str, str, dict[str, str]] | None:
        found = stage.route(method, path)
        return None if found is None else (found[0].path, found[1].method, found[2])

    assert route("GET", "/api/trades/export") == ("/api/trades/export", "GET", {})
    assert route("POST", "/api/trades/export") == ("/api/trades/export", "POST", {})
    assert route("DELETE", "/api/trades/export") == (
        "/api/{proxy+}", "ANY", {"proxy": "trades/export"})
    assert route("GET", "/api/trades/U1") == ("/api/trades/{uti}", "GET", {"uti": "U1"})
    assert route("GET", "/api/a/b/c") == ("/api/{proxy+}", "ANY", {"proxy": "a/b/c"})
    assert route("GET", "/api") is None  # {proxy+} needs one segment at least; /api has none
    assert route("GET", "/other") is None
    (method,) = [m for r in stage.resources if r.path == "/api/{proxy+}" for m in r.methods]
    assert (method.endpoint, method.action, method.authentication, method.api_key_required) == (
        "ncp", "swaprep/api", "NONE", False)


def test_keys_plans_and_authorizers_are_in_the_wiring(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    product_id, api_id = product_api(control)
    base = f"/products/{product_id}/apis/{api_id}"
    authorizer = call(control, "POST", "/authorizers", authorizer_body())
    resource_id = resource(control, product_id, api_id)
    call(control, "POST", f"{base}/resources/{resource_id}/methods",
         method_body(authorizer_id=authorizer["authorizerId"], api_key=True))
    stage_id = call(control, "POST", base + "/stages",
                    {"stageName": "v1", "endpointDomain": "NONE"})["stage"]["stageId"]
    plan_id = call(control, "POST", "/usage-plans", {"usagePlanName": "std", "rateRps": 5}
                   )["usagePlan"]["usagePlanId"]
    call(control, "POST", f"{base}/stages/{stage_id}/associate-usage-plan",
         {"usagePlanId": plan_id})
    key = call(control, "POST", "/api-keys", {"apiKeyName": "fep"})["apiKey"]
    call(control, "POST", f"/api-keys/{key['apiKeyId']}/subscribe", {"productId": product_id})
    call(control, "PUT", f"/products/{product_id}/api-keys/{key['apiKeyId']}/stages/{stage_id}",
         {"usagePlanId": plan_id})
    wiring = control.deployed()
    (gateway_authorizer,) = wiring.authorizers
    assert (gateway_authorizer.action, gateway_authorizer.payload,
            gateway_authorizer.cache_ttl_sec) == ("swaprep/authz",
                                                  (("HEADER", "Authorization"),), 60)
    assert wiring.authorizer(authorizer["authorizerId"]) == gateway_authorizer
    (plan,) = wiring.usage_plans
    assert (plan.name, plan.rate_rps, plan.stage_ids) == ("std", 5, (stage_id,))
    found = wiring.api_key(key["secondaryKey"])
    assert found is not None and found.accepted_for(product_id)  # PUBLIC: accepted at once
    assert found.stage_usage_plans == {stage_id: plan_id}
    assert wiring.api_key("not-a-key") is None
    (stage,) = wiring.stages()
    assert stage.usage_plan_ids == (plan_id,)
