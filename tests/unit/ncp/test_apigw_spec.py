"""NCP's OpenAPI description of API Gateway v1 as the stand-in's contract: the vendored copy,
the constraints lifted out of descriptions, routing, and refusals in plain words."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from swaprep.ncp.apigw_spec import (
    PREFIX,
    SPEC_PATH,
    MethodNotListed,
    NoSuchPath,
    SchemaViolation,
    load_spec,
)

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "ncp-api" / \
    "apigw_v1.json"
SPEC = load_spec()


def violation(call, *args, **kwargs) -> SchemaViolation:  # type: ignore[no-untyped-def]
    with pytest.raises(SchemaViolation) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.mark.skipif(not REFERENCE.exists(), reason="the shared reference folder is not here")
def test_the_vendored_spec_is_ncps_own() -> None:
    assert SPEC_PATH.read_bytes() == REFERENCE.read_bytes()


def test_the_spec_is_openapi_3_and_served_where_ncp_serves_it() -> None:
    from openapi_spec_validator import validate

    document = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    validate(document)
    assert document["openapi"] == "3.0.1"
    assert len(document["paths"]) == 110
    (server,) = document["servers"]
    assert urlsplit(server["url"]).netloc == "apigateway.apigw.ntruss.com"
    assert urlsplit(server["url"]).path == PREFIX == "/api/v1"


def test_every_pattern_in_a_description_is_checked_or_is_a_date_format() -> None:
    lifted, skipped = set(), set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            text = node.get("description")
            if isinstance(text, str) and "Pattern: " in text and node.get("type") == "string":
                (lifted if "pattern" in node else skipped).add(
                    re.search(r"Pattern: (.*?)(?=<br>|$)", text).group(1))  # type: ignore[union-attr]
            for value in node.values():
                walk(value)

    walk({name: SPEC.schema(name) for name in SPEC.document["components"]["schemas"]})
    assert lifted and skipped <= {"yyyy-MM-dd", "+09:00"}


def test_constraints_are_lifted_from_descriptions() -> None:
    api_name = SPEC.schema("PostApiRequest")["properties"]["apiName"]
    assert (api_name["minLength"], api_name["maxLength"]) == (0, 20)
    assert re.search(api_name["pattern"], "swaprep-console_1")
    assert not re.search(api_name["pattern"], "swaprep console")
    ttl = SPEC.schema("AuthorizerRequest")["properties"]["cacheTtlSec"]
    assert (ttl["minimum"], ttl["maximum"]) == (1, 3600)
    limit = next(p for p in SPEC.operations[("GET", "/products")].parameters
                 if p.name == "limit")
    assert limit.schema["maximum"] == 9_223_372_036_854_775_807
    assert "additionalProperties" not in SPEC.schema("PostProductRequest")
    assert SPEC.schema("PostProductRequest", strict=True)["additionalProperties"] is False


@pytest.mark.parametrize("path, ok", [
    ("/api/{proxy+}", True), ("/", True), ("/api/v1/trades/{uti}", True),
    ("api", False), ("/a//b", False), ("/api/", False), ("/trades/é", False),
])
def test_the_resource_path_pattern(path: str, ok: bool) -> None:
    operation = SPEC.operations[("POST", "/products/{product-id}/apis/{api-id}/resources")]
    if ok:
        SPEC.check_body(operation, {"resourcePath": path}, strict=True)
    else:
        assert violation(SPEC.check_body, operation, {"resourcePath": path},
                         strict=True).field == "resourcePath"


def test_routing_prefers_literal_segments_and_knows_the_methods() -> None:
    operation, params = SPEC.resolve("GET", "/products/p1/apis/filter")
    assert operation.template == "/products/{product-id}/apis/filter"
    operation, params = SPEC.resolve("DELETE", "/products/p1/apis/a1")
    assert (operation.template, params) == ("/products/{product-id}/apis/{api-id}",
                                            {"product-id": "p1", "api-id": "a1"})
    with pytest.raises(NoSuchPath):
        SPEC.resolve("GET", "/products/p1/widgets")
    with pytest.raises(MethodNotListed) as caught:
        SPEC.resolve("PUT", "/products")
    assert caught.value.allowed == ["GET", "POST"]
    assert len(SPEC.operations) == 132


@pytest.mark.parametrize("body, field, reason", [
    ({"subscriptionCode": "PUBLIC"}, "productName", "is required"),
    ({"productName": "p", "subscriptionCode": "OPEN"}, "subscriptionCode",
     "must be one of PROTECTED, PUBLIC (got 'OPEN')"),
    ({"productName": "p" * 101, "subscriptionCode": "PUBLIC"}, "productName",
     "must be at most 100 characters (got 101)"),
    ({"productName": 7, "subscriptionCode": "PUBLIC"}, "productName", "must be a string"),
    ({"productName": "p", "subscriptionCode": "PUBLIC", "productDescription": "x"},
     "productDescription",
     "is not a known field here (known: description, productName, subscriptionCode)"),
])
def test_body_refusals_name_the_field_and_the_reason(body: dict[str, object], field: str,
                                                     reason: str) -> None:
    refusal = violation(SPEC.check_body, SPEC.operations[("POST", "/products")], body,
                        strict=True)
    assert (refusal.field, refusal.reason) == (field, reason)


def test_nested_fields_are_named_with_their_path() -> None:
    operation = SPEC.operations[("POST", "/authorizers")]
    body = {"authorizerName": "jwt", "authorizerType": "CLOUD_FUNCTIONS",
            "authorizerConfig": {"region": "KR", "functionId": "swaprep/authz",
                                 "payload": [{"in": "BODY", "name": "x"}]}}
    refusal = violation(SPEC.check_body, operation, body, strict=True)
    assert (refusal.field, refusal.reason) == (
        "authorizerConfig.payload[0].in", "must be one of HEADER, QUERY (got 'BODY')")
    del body["authorizerConfig"]["functionId"]  # type: ignore[attr-defined]
    assert violation(SPEC.check_body, operation, body, strict=True).field in (
        "authorizerConfig.functionId", "authorizerConfig.payload[0].in")
    lax_extra = {**body, "authorizerConfig": {"region": "KR", "functionId": "f"}, "x": 1}
    SPEC.check_body(operation, lax_extra, strict=False)  # unknown fields pass when lax


def test_query_parameters() -> None:
    operation = SPEC.operations[("GET", "/usage-plans")]
    assert violation(SPEC.check_query, operation, {}).reason == "is required in the query"
    assert SPEC.check_query(operation, {"stageId": ["s1"], "associated": ["TRUE"],
                                        "limit": ["5"], "other": ["ignored"]}) == {
        "stageId": "s1", "associated": True, "limit": 5}
    assert violation(SPEC.check_query, operation,
                     {"stageId": ["s1"], "limit": ["0"]}).reason == "must be at least 1 (got 0)"
    assert violation(SPEC.check_query, operation,
                     {"stageId": ["s1"], "offset": ["x"]}).reason == "must be a whole number"
    assert violation(SPEC.check_query, operation,
                     {"stageId": ["s1", "s2"]}).reason == "is given more than once in the query"
    products = SPEC.operations[("GET", "/products")]
    assert violation(SPEC.check_query, products, {"subscriptionCode": ["OPEN"]}).field == \
        "subscriptionCode"


def test_answers_are_judged_by_the_response_schema() -> None:
    create = SPEC.operations[("POST", "/products")]
    assert SPEC.check_response(create, 201, {"product": {"productId": "p"}}) == []
    assert SPEC.check_response(create, 200, {"product": {}})[0].startswith("status 200")
    assert "bogus" in SPEC.check_response(create, 201, {"product": {"bogus": 1}})[0]
    delete = SPEC.operations[("DELETE", "/products/{product-id}")]
    assert SPEC.check_response(delete, 204, None) == []
    assert SPEC.check_response(delete, 204, {}) == ["status 204 documents no content"]
