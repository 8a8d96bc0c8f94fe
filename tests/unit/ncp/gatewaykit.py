"""In-process helpers for the API Gateway stand-in: a `GatewayControl` over a fresh Cloud
Functions registry (package `swaprep` with a web action `api` and a basic action `authz`),
and request bodies shaped as NCP's spec wants them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from swaprep.ncp import validation as v
from swaprep.ncp.gateway import GatewayControl
from swaprep.ncp.registry import Registry
from swaprep.ncp.state import StateStore
from swaprep.ncp.switches import DEFAULT_SWITCHES, GatewaySwitches
from tests.unit.ncp.zips import action_body


def make_control(tmp_path: Path, **switches: Any) -> GatewayControl:
    registry = Registry(StateStore(tmp_path / "state.json"), DEFAULT_SWITCHES,
                        clock=lambda: 1_800_000_000.0)
    registry.put_package("swaprep", "vpc", {})
    registry.put_action("swaprep", "api", "vpc", "web", action_body(**{"raw-http": True}))
    registry.put_action("swaprep", "authz", "vpc", "basic", action_body())
    return GatewayControl(registry, GatewaySwitches(**switches),
                          clock=lambda: 1_800_000_000.0, check_responses=True)


def call(control: GatewayControl, method: str, path: str, body: Any = None,
         query: dict[str, Any] | None = None) -> Any:
    """The payload of a successful call (None for no content)."""
    raw = b"" if body is None else json.dumps(body).encode()
    parsed = {key: [str(value).lower() if isinstance(value, bool) else str(value)]
              for key, value in (query or {}).items()}
    _, payload = control.dispatch(method, path, parsed, raw)
    return payload


def refused(control: GatewayControl, method: str, path: str, body: Any = None,
            query: dict[str, Any] | None = None) -> v.Refusal:
    with pytest.raises(v.Refusal) as caught:
        call(control, method, path, body, query)
    return caught.value


def endpoint(action: str = "swaprep/api", **over: Any) -> dict[str, Any]:
    return {"service": "CLOUD_FUNCTIONS", "region": "KR", "actionId": action,
            "actionName": action, "stream": False,
            "url": "https://kr.cloudfunctions.example/swaprep/api", **over}


def method_body(name: str = "ANY", *, authorizer_id: str | None = None,
                api_key: bool = False, **over: Any) -> dict[str, Any]:
    authentication: dict[str, Any] = ({"platform": "AUTHORIZER", "authorizerId": authorizer_id}
                                      if authorizer_id else {"platform": "NONE"})
    return {"methodName": name, "ncpEndPoint": endpoint(), "authentication": authentication,
            "requiredApiKey": {"required": api_key}, "validation": {"type": "NONE"}, **over}


def authorizer_body(name: str = "jwt", function: str = "swaprep/authz",
                    **over: Any) -> dict[str, Any]:
    return {"authorizerName": name, "authorizerType": "CLOUD_FUNCTIONS",
            "authorizerConfig": {"region": "KR", "functionId": function,
                                 "payload": [{"in": "HEADER", "name": "Authorization"}]},
            "cacheTtlSec": 60, **over}


def product_api(control: GatewayControl, product: str = "swaprep",
                api: str = "console") -> tuple[str, str]:
    """(productId, apiId) of a new PUBLIC product with one API."""
    product_id = call(control, "POST", "/products", {"productName": product,
                                                     "subscriptionCode": "PUBLIC"}
                      )["product"]["productId"]
    api_id = call(control, "POST", f"/products/{product_id}/apis",
                  {"apiName": api})["api"]["apiId"]
    return product_id, api_id


def resource(control: GatewayControl, product_id: str, api_id: str,
             path: str = "/api/{proxy+}") -> str:
    return call(control, "POST", f"/products/{product_id}/apis/{api_id}/resources",
                {"resourcePath": path})["resource"]["resourceId"]
