"""The API Gateway switches (what apigw_v1.json leaves open): defaults, a docstring naming the
gap for each, and that the stand-in obeys each one, refusing the other reading by name."""

from __future__ import annotations

import ast
import dataclasses
import itertools
from pathlib import Path

import pytest

from swaprep.ncp import switches as switches_module
from swaprep.ncp.gateway import GatewayControl
from swaprep.ncp.switches import DEFAULT_GATEWAY_SWITCHES, GatewaySwitches
from tests.unit.ncp.gatewaykit import (
    authorizer_body,
    call,
    endpoint,
    make_control,
    method_body,
    product_api,
    refused,
    resource,
)


def test_defaults() -> None:
    assert DEFAULT_GATEWAY_SWITCHES.describe() == {
        "ncp_endpoint_service": "CLOUD_FUNCTIONS",
        "action_reference": "path",
        "endpoint_action_id_is_name": True,
        "endpoint_url_template": "",
        "functions_region": "KR",
        "proxy_path_parameter": True,
        "create_parent_resources": True,
        "duplicate_name_status": 409,
        "unknown_fields": "refuse",
        "list_name_filter_exact": False,
        "delete_cascades": False,
        "create_stage_deploys": False,
        "protected_subscription_needs_approval": True,
    }


def test_each_switch_has_a_docstring_naming_the_gap() -> None:
    tree = ast.parse(Path(switches_module.__file__).read_text(encoding="utf-8"))
    body = next(node for node in tree.body
                if isinstance(node, ast.ClassDef) and node.name == "GatewaySwitches").body
    documented = {}
    for statement, following in itertools.pairwise(body):
        if isinstance(statement, ast.AnnAssign) and isinstance(following, ast.Expr):
            documented[statement.target.id] = following.value.value  # type: ignore[attr-defined]
    assert set(documented) == {f.name for f in dataclasses.fields(GatewaySwitches)}
    for name, docstring in documented.items():
        assert "Doc gap:" in docstring, name


@pytest.mark.parametrize("bad", [{"duplicate_name_status": 422},
                                 {"action_reference": "arn"},
                                 {"unknown_fields": "warn"},
                                 {"endpoint_url_template": "https://x/{nope}"}])
def test_impossible_values_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        GatewaySwitches(**bad)  # type: ignore[arg-type]


def methods_path(product_id: str, api_id: str, resource_id: str) -> str:
    return f"/products/{product_id}/apis/{api_id}/resources/{resource_id}/methods"


def _method_path(control: GatewayControl) -> str:
    product_id, api_id = product_api(control)
    return methods_path(product_id, api_id, resource(control, product_id, api_id))


def test_ncp_endpoint_service(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    refusal = refused(control, "POST", _method_path(control),
                      method_body(ncpEndPoint=endpoint(service="CF")))
    assert refusal.status == 400
    assert refusal.message == ("ncpEndPoint.service must be 'CLOUD_FUNCTIONS' for a Cloud "
                               "Functions action (switch ncp_endpoint_service)")
    other = make_control(tmp_path / "other", ncp_endpoint_service="CF")
    call(other, "POST", _method_path(other), method_body(ncpEndPoint=endpoint(service="CF")))


def test_action_reference(tmp_path: Path) -> None:
    control = make_control(tmp_path, action_reference="qualified")
    where = _method_path(control)
    refusal = refused(control, "POST", where, method_body())
    assert refusal.message == ("ncpEndPoint.actionName must name a Cloud Functions action as "
                               "/<namespace>/<package>/<action> (namespace local) (switch "
                               "action_reference=qualified)")
    call(control, "POST", where, method_body(
        ncpEndPoint=endpoint("/local/swaprep/api")))
    assert call(control, "POST", "/authorizers", authorizer_body(
        function="/local/swaprep/authz"))["authorizerConfig"]["functionId"] == \
        "/local/swaprep/authz"
    assert control.action_reference("-", "hello") == "/local/hello"
    plain = make_control(tmp_path / "plain")
    assert plain.action_reference("swaprep", "api") == "swaprep/api"
    assert refused(plain, "POST", "/authorizers", authorizer_body(
        function="/local/swaprep/authz")).details == "field: authorizerConfig.functionId"


def test_endpoint_action_id_is_name(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    body = method_body(ncpEndPoint=endpoint(actionId="a1b2c3"))
    refusal = refused(control, "POST", _method_path(control), body)
    assert refusal.message == ("ncpEndPoint.actionId must name the same action as actionName "
                               "(switch endpoint_action_id_is_name)")
    loose = make_control(tmp_path / "loose", endpoint_action_id_is_name=False)
    call(loose, "POST", _method_path(loose), body)


def test_endpoint_url_template(tmp_path: Path) -> None:
    template = "https://{region}.functions.example/{package}/{action}"
    control = make_control(tmp_path, endpoint_url_template=template)
    where = _method_path(control)
    refusal = refused(control, "POST", where, method_body())
    assert refusal.message == ("ncpEndPoint.url must be https://KR.functions.example/swaprep/"
                               "api (switch endpoint_url_template)")
    call(control, "POST", where, method_body(
        ncpEndPoint=endpoint(url="https://KR.functions.example/swaprep/api")))


def test_functions_region(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    refusal = refused(control, "POST", _method_path(control),
                      method_body(ncpEndPoint=endpoint(region="JPN")))
    assert refusal.message.startswith("ncpEndPoint.region must be KR, the region of this "
                                      "control plane's Cloud Functions")
    body = authorizer_body()
    body["authorizerConfig"]["region"] = "kr"
    assert refused(control, "POST", "/authorizers", body).details == \
        "field: authorizerConfig.region"
    japan = make_control(tmp_path / "jp", functions_region="JPN")
    call(japan, "POST", _method_path(japan), method_body(ncpEndPoint=endpoint(region="JPN")))


def test_proxy_path_parameter(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    product_id, api_id = product_api(control)
    where = f"/products/{product_id}/apis/{api_id}/resources"
    assert refused(control, "POST", where, {"resourcePath": "/{proxy+}/x"}).message == (
        "resourcePath has {proxy+} before its end: a greedy {name+} segment must be the "
        "last one")
    call(control, "POST", where, {"resourcePath": "/api/{proxy+}"})
    strict = make_control(tmp_path / "strict", proxy_path_parameter=False)
    product_id, api_id = product_api(strict)
    where = f"/products/{product_id}/apis/{api_id}/resources"
    assert "switch proxy_path_parameter=False" in refused(
        strict, "POST", where, {"resourcePath": "/api/{proxy+}"}).message
    call(strict, "POST", where, {"resourcePath": "/api/{uti}"})


def test_create_parent_resources(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    product_id, api_id = product_api(control)
    where = f"/products/{product_id}/apis/{api_id}/resources"
    call(control, "POST", where, {"resourcePath": "/api/v1/{proxy+}"})
    assert [r["resourcePath"] for r in call(control, "GET", where)["resourceList"]] == [
        "/api", "/api/v1", "/api/v1/{proxy+}"]
    strict = make_control(tmp_path / "strict", create_parent_resources=False)
    product_id, api_id = product_api(strict)
    where = f"/products/{product_id}/apis/{api_id}/resources"
    assert refused(strict, "POST", where, {"resourcePath": "/api/{proxy+}"}).message == (
        "resourcePath needs its parent /api first (switch create_parent_resources=False)")
    call(strict, "POST", where, {"resourcePath": "/api"})
    call(strict, "POST", where, {"resourcePath": "/api/{proxy+}"})


@pytest.mark.parametrize("status", [409, 400])
def test_duplicate_name_status(tmp_path: Path, status: int) -> None:
    control = make_control(tmp_path, duplicate_name_status=status)
    product_api(control)
    refusal = refused(control, "POST", "/products",
                      {"productName": "swaprep", "subscriptionCode": "PROTECTED"})
    assert (refusal.status, refusal.error.code, refusal.details) == (
        status, "77012", "field: productName")


def test_unknown_fields(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    body = {"apiKeyName": "fep", "apiKeyDescripton": "typo"}
    refusal = refused(control, "POST", "/api-keys", body)
    assert refusal.message.startswith("apiKeyDescripton is not a known field here")
    lenient = make_control(tmp_path / "lenient", unknown_fields="ignore")
    created = call(lenient, "POST", "/api-keys", body)["apiKey"]
    assert created["apiKeyDescription"] == "" and "apiKeyDescripton" not in created
    nested = authorizer_body()
    nested["authorizerConfig"]["timeout"] = 5
    assert "timeout" not in call(lenient, "POST", "/authorizers", nested)["authorizerConfig"]


def test_list_name_filter_exact(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    product_api(control, "swaprep")
    product_api(control, "swaprep-dev")
    names = [p["productName"] for p in call(control, "GET", "/products",
                                            query={"productName": "SWAPREP"})
             ["productPage"]["content"]]
    assert names == ["swaprep", "swaprep-dev"]
    exact = make_control(tmp_path / "exact", list_name_filter_exact=True)
    product_api(exact, "swaprep")
    product_api(exact, "swaprep-dev")
    page = call(exact, "GET", "/products", query={"productName": "swaprep"})
    assert [p["productName"] for p in page["productPage"]["content"]] == ["swaprep"]
    assert page["initialCount"] == 2


def test_delete_cascades(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    product_id, api_id = product_api(control)
    resource(control, product_id, api_id)
    refusal = refused(control, "DELETE", f"/products/{product_id}")
    assert (refusal.status, refusal.error.code) == (409, "77013")
    assert refusal.message == ("product-id: product 'swaprep' still holds APIs (console); "
                               "delete them first (switch delete_cascades=False)")
    assert "resource /api" in refused(control, "DELETE",
                                      f"/products/{product_id}/apis/{api_id}").message
    cascading = make_control(tmp_path / "cascade", delete_cascades=True)
    product_id, api_id = product_api(cascading)
    resource(cascading, product_id, api_id)
    call(cascading, "POST", f"/products/{product_id}/apis/{api_id}/stages",
         {"stageName": "v1", "endpointDomain": "NONE"})
    call(cascading, "DELETE", f"/products/{product_id}")
    assert cascading.deployed().products == ()
    assert all(not part for part in cascading._state.values())


def test_create_stage_deploys(tmp_path: Path) -> None:
    for deploys in (False, True):
        control = make_control(tmp_path / str(deploys), create_stage_deploys=deploys)
        product_id, api_id = product_api(control)
        call(control, "POST", methods_path(product_id, api_id,
                                           resource(control, product_id, api_id)), method_body())
        stage = call(control, "POST", f"/products/{product_id}/apis/{api_id}/stages",
                     {"stageName": "v1", "endpointDomain": "NONE"})["stage"]
        assert ("deployedStageDeploymentNo" in stage) is deploys
        (deployed,) = control.deployed().stages()
        assert (deployed.deployment is not None) is deploys


def test_protected_subscription_needs_approval(tmp_path: Path) -> None:
    for approval, code, status in [(True, "PROTECTED", "REQUEST"), (True, "PUBLIC", "ACCEPTED"),
                                   (False, "PROTECTED", "ACCEPTED")]:
        control = make_control(tmp_path / f"{approval}{code}",
                               protected_subscription_needs_approval=approval)
        product_id = call(control, "POST", "/products", {"productName": "p",
                                                         "subscriptionCode": code}
                          )["product"]["productId"]
        key_id = call(control, "POST", "/api-keys", {"apiKeyName": "k"})["apiKey"]["apiKeyId"]
        call(control, "POST", f"/api-keys/{key_id}/subscribe", {"productId": product_id})
        (row,) = call(control, "GET", f"/api-keys/{key_id}/products")["apiKeyRelateProductDtos"]
        assert row["status"] == status, (approval, code)
