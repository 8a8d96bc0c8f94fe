"""The stand-in's route table walked against NCP's spec: every operation it serves exists in
apigw_v1.json with that method, the ones a deploy needs are all served, and every other
operation of the spec answers 501 (not 404 or 405)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from swaprep.ncp import validation as v
from swaprep.ncp.apigw_spec import load_spec
from swaprep.ncp.gateway import ROUTES, GatewayControl
from tests.unit.ncp.gatewaykit import make_control

SPEC = load_spec()
P, A = "/products/{product-id}", "/products/{product-id}/apis/{api-id}"
R, S = A + "/resources/{resource-id}", A + "/stages/{stage-id}"
NEEDED_BY_A_DEPLOY = {
    ("POST", "/products"), ("GET", "/products"), ("GET", P), ("PATCH", P), ("DELETE", P),
    ("POST", P + "/apis"), ("GET", P + "/apis"), ("GET", A), ("DELETE", A),
    ("POST", A + "/resources"), ("GET", A + "/resources"), ("DELETE", R),
    ("POST", R + "/methods"), ("GET", R + "/methods"), ("PATCH", R + "/methods/{method-name}"),
    ("DELETE", R + "/methods/{method-name}"),
    ("POST", "/authorizers"), ("GET", "/authorizers"), ("GET", "/authorizers/{authorizer-id}"),
    ("PUT", "/authorizers/{authorizer-id}"), ("DELETE", "/authorizers/{authorizer-id}"),
    ("POST", A + "/stages"), ("GET", A + "/stages"), ("GET", S), ("DELETE", S),
    ("POST", A + "/deploy"), ("POST", S + "/associate-usage-plan"),
    ("POST", "/usage-plans"), ("GET", "/usage-plans"), ("GET", "/usage-plans/{usage-plan-id}"),
    ("PUT", "/usage-plans/{usage-plan-id}"), ("DELETE", "/usage-plans/{usage-plan-id}"),
    ("POST", "/api-keys"), ("GET", "/api-keys"), ("POST", "/api-keys/{api-key-id}/subscribe"),
}


def concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "GET" if m.group(0) == "{method-name}" else "zz1",
                  template)


def test_every_served_operation_is_in_ncps_spec_with_that_method() -> None:
    for method, template in ROUTES:
        assert (method, template) in SPEC.operations, f"{method} {template} is not in the spec"
        assert method.lower() in SPEC.document["paths"][template]


def test_every_route_has_its_handler() -> None:
    for key, handler in ROUTES.items():
        assert callable(getattr(GatewayControl, handler, None)), key
    assert len(set(ROUTES.values())) == len(ROUTES)


def test_the_operations_a_deploy_needs_are_served() -> None:
    assert not NEEDED_BY_A_DEPLOY - set(ROUTES), sorted(NEEDED_BY_A_DEPLOY - set(ROUTES))


def test_each_served_path_resolves_to_its_own_operation() -> None:
    for method, template in ROUTES:
        operation, _ = SPEC.resolve(method, concrete(template))
        assert operation.template == template


def test_every_other_operation_answers_not_emulated(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    others = [key for key in SPEC.operations if key not in ROUTES]
    assert len(others) == len(SPEC.operations) - len(ROUTES) > 0
    for method, template in others:
        operation, _ = SPEC.resolve(method, concrete(template))
        if operation.key in ROUTES:
            continue  # a concrete path another template also matches
        with pytest.raises(v.Refusal) as caught:
            control.dispatch(method, concrete(template), {}, b"")
        assert caught.value.status == 501, (method, template)
        assert "not of this local control plane" in caught.value.message


def test_a_served_path_with_an_unknown_id_is_a_404_in_ncps_shape(tmp_path: Path) -> None:
    control = make_control(tmp_path)
    for method, template in ROUTES:
        if method != "GET" or "{" not in template:
            continue
        with pytest.raises(v.Refusal) as caught:
            control.dispatch(method, concrete(template), {"stageId": ["zz1"]}, b"")
        body = caught.value.body()["error"]
        assert caught.value.status in (400, 404), (template, body)
        assert set(body) == {"errorCode", "message", "details"}
        assert "'zz1' not found" in body["message"]
