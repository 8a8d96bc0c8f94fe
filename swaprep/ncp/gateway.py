"""A local, stateful stand-in for NCP's API Gateway v1 management API, served by the same
control plane as Cloud Functions under `/api/v1` (https://apigateway.apigw.ntruss.com/api/v1).

The contract is NCP's own OpenAPI description (`apigw_spec`, 110 paths): a path the spec does
not have answers 404, a method it does not list for that path 405, an operation it has but the
stand-in does not emulate 501; query parameters are checked (required ones, types, the
description's limits), request bodies are validated with jsonschema against the operation's
requestBody schema, and answers carry the spec's response shapes (a test checks every answer
against them). What the spec leaves open is settled by `switches.GatewaySwitches`.

Served (method + path below /api/v1; `ROUTES` is the table a test walks against the spec):
- products: GET|POST /products; GET|PATCH|DELETE /products/{product-id}
- APIs: GET|POST /products/{product-id}/apis; GET|PATCH|DELETE .../apis/{api-id}
- resources: GET|POST .../apis/{api-id}/resources; PATCH|DELETE .../resources/{resource-id}
- methods: GET|POST .../resources/{resource-id}/methods; PATCH|DELETE .../methods/{method-name}
- stages: GET|POST .../apis/{api-id}/stages; GET|PUT|DELETE .../stages/{stage-id};
  GET .../stages/{stage-id}/deployments; POST .../apis/{api-id}/deploy `{stageId}`;
  POST .../stages/{stage-id}/associate-usage-plan|disassociate-usage-plan `{usagePlanId}`;
  GET .../stages/{stage-id}/usage-plans; PUT .../stages/{stage-id}/usage-plan
- authorizers: GET|POST /authorizers; GET|PUT|DELETE /authorizers/{authorizer-id}
- usage plans: GET (?stageId= required by the spec)|POST /usage-plans;
  GET|PUT|DELETE /usage-plans/{usage-plan-id}; GET /usage-plans/{usage-plan-id}/stages
- API keys: GET|POST /api-keys; GET|PUT|PATCH|DELETE /api-keys/{api-key-id};
  POST /api-keys/{api-key-id}/subscribe|unsubscribe `{productId}`;
  GET /api-keys/{api-key-id}/products; PATCH /products/{product-id}/api-keys/{api-key-id}
  `{status}`; PUT /products/{product-id}/api-keys/{api-key-id}/stages/{stage-id}
  `{usagePlanId}`

Cross-checks a real gateway makes: a method's `ncpEndPoint` and an authorizer's `functionId`
must name an action of this control plane's Cloud Functions registry (platform vpc); a
method's authorizer must exist; deploying a stage re-checks those references and snapshots
the API's resources and methods (the stage serves the snapshot). Ids are 10 random lower-case
letters and digits, as NCP's look; state lives in the control plane's state file under
"gateway". Error codes 77xxx are local (NCP publishes none for these cases).
"""

from __future__ import annotations

import copy
import json
import logging
import random
import secrets
import string
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from swaprep.ncp import validation as v
from swaprep.ncp.apigw_spec import (
    CORS_FIELDS,
    PREFIX,
    MethodNotListed,
    NoSuchPath,
    Operation,
    SchemaViolation,
    Spec,
    load_spec,
)
from swaprep.ncp.gateway_wiring import (
    DeployedGateway,
    GatewayApi,
    GatewayApiKey,
    GatewayAuthorizer,
    GatewayDeployment,
    GatewayMethod,
    GatewayProduct,
    GatewayResource,
    GatewayStage,
    GatewayUsagePlan,
)
from swaprep.ncp.registry import NAMESPACE, Registry
from swaprep.ncp.switches import GatewaySwitches

log = logging.getLogger("swaprep.ncp.gateway")

FUNCTIONS_PLATFORM = "vpc"
INVOKE_DOMAIN = "apigw.ntruss.com"  # https://{invokeId}.apigw.ntruss.com/{api}/{stage}/...
ID_ALPHABET = string.ascii_lowercase + string.digits
ID_CHARS = 10  # NCP's API pages: product, API and resource ids are up to 10 characters
KEY_ALPHABET = string.ascii_letters + string.digits
KEY_CHARS = 40
ENDPOINT_KINDS = {"ncpEndPoint": "ncp", "httpEndPoint": "http", "mockEndPoint": "mock"}
STAGE_SETTINGS = ("endpointDomain", "cacheTtlSec", "throttleRps", "ipAclCode", "ipAclList",
                  "isMaintenance", "enabledContentEncoding", "minimumCompressionSize",
                  "statusCode", "response")
QUOTA_FIELDS = ("rateRps", "dayQuotaRequest", "monthQuotaRequest", "quotaCondition")

METHOD_NOT_ALLOWED = v.ErrorCode(405, "100", "Method Not Allowed")
INVALID = v.ErrorCode(400, "77010", "INVALID_REQUEST_FIELD")
IN_USE = v.ErrorCode(409, "77013", "RESOURCE_IN_USE")
REFERENCE_NOT_FOUND = v.ErrorCode(400, "77020", "REFERENCED_RESOURCE_NOT_FOUND")
NOT_FOUND = {
    "product": v.ErrorCode(404, "77101", "PRODUCT_NOT_FOUND"),
    "API": v.ErrorCode(404, "77201", "API_NOT_FOUND"),
    "resource": v.ErrorCode(404, "77301", "RESOURCE_NOT_FOUND"),
    "method": v.ErrorCode(404, "77302", "METHOD_NOT_FOUND"),
    "stage": v.ErrorCode(404, "77401", "STAGE_NOT_FOUND"),
    "authorizer": v.ErrorCode(404, "77501", "AUTHORIZER_NOT_FOUND"),
    "usage plan": v.ErrorCode(404, "77601", "USAGE_PLAN_NOT_FOUND"),
    "API key": v.ErrorCode(404, "77701", "API_KEY_NOT_FOUND"),
    "subscription": v.ErrorCode(404, "77702", "SUBSCRIPTION_NOT_FOUND"),
}

_P = "/products/{product-id}"
_A = _P + "/apis/{api-id}"
_R = _A + "/resources/{resource-id}"
_S = _A + "/stages/{stage-id}"
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/products"): "list_products",
    ("POST", "/products"): "create_product",
    ("GET", _P): "get_product",
    ("PATCH", _P): "update_product",
    ("DELETE", _P): "delete_product",
    ("GET", _P + "/apis"): "list_apis",
    ("POST", _P + "/apis"): "create_api",
    ("GET", _A): "get_api",
    ("PATCH", _A): "update_api",
    ("DELETE", _A): "delete_api",
    ("GET", _A + "/resources"): "list_resources",
    ("POST", _A + "/resources"): "create_resource",
    ("PATCH", _R): "update_resource",
    ("DELETE", _R): "delete_resource",
    ("GET", _R + "/methods"): "list_methods",
    ("POST", _R + "/methods"): "create_method",
    ("PATCH", _R + "/methods/{method-name}"): "update_method",
    ("DELETE", _R + "/methods/{method-name}"): "delete_method",
    ("GET", _A + "/stages"): "list_stages",
    ("POST", _A + "/stages"): "create_stage",
    ("GET", _S): "get_stage",
    ("PUT", _S): "update_stage",
    ("DELETE", _S): "delete_stage",
    ("POST", _A + "/deploy"): "deploy",
    ("GET", _S + "/deployments"): "list_deployments",
    ("POST", _S + "/associate-usage-plan"): "associate_usage_plan",
    ("POST", _S + "/disassociate-usage-plan"): "disassociate_usage_plan",
    ("GET", _S + "/usage-plans"): "list_stage_usage_plans",
    ("PUT", _S + "/usage-plan"): "set_stage_usage",
    ("GET", "/authorizers"): "list_authorizers",
    ("POST", "/authorizers"): "create_authorizer",
    ("GET", "/authorizers/{authorizer-id}"): "get_authorizer",
    ("PUT", "/authorizers/{authorizer-id}"): "update_authorizer",
    ("DELETE", "/authorizers/{authorizer-id}"): "delete_authorizer",
    ("GET", "/usage-plans"): "list_usage_plans",
    ("POST", "/usage-plans"): "create_usage_plan",
    ("GET", "/usage-plans/{usage-plan-id}"): "get_usage_plan",
    ("PUT", "/usage-plans/{usage-plan-id}"): "update_usage_plan",
    ("DELETE", "/usage-plans/{usage-plan-id}"): "delete_usage_plan",
    ("GET", "/usage-plans/{usage-plan-id}/stages"): "list_usage_plan_stages",
    ("GET", "/api-keys"): "list_api_keys",
    ("POST", "/api-keys"): "create_api_key",
    ("GET", "/api-keys/{api-key-id}"): "get_api_key",
    ("PUT", "/api-keys/{api-key-id}"): "update_api_key",
    ("PATCH", "/api-keys/{api-key-id}"): "regenerate_api_key",
    ("DELETE", "/api-keys/{api-key-id}"): "delete_api_key",
    ("POST", "/api-keys/{api-key-id}/subscribe"): "subscribe",
    ("POST", "/api-keys/{api-key-id}/unsubscribe"): "unsubscribe",
    ("GET", "/api-keys/{api-key-id}/products"): "list_api_key_products",
    ("PATCH", _P + "/api-keys/{api-key-id}"): "set_subscription_status",
    ("PUT", _P + "/api-keys/{api-key-id}/stages/{stage-id}"): "set_api_key_stage_plan",
}

Answer = tuple[int, Any]


def empty_gateway() -> dict[str, Any]:
    return {"products": {}, "apis": {}, "resources": {}, "stages": {}, "authorizers": {},
            "usagePlans": {}, "apiKeys": {}}


def _invalid(field: str, reason: str) -> v.Refusal:
    return v.Refusal(INVALID, f"{field} {reason}", f"field: {field}")


def _missing(kind: str, ident: str, field: str) -> v.Refusal:
    return v.Refusal(NOT_FOUND[kind], f"{field}: {kind} '{ident}' not found", f"field: {field}")


def _drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


def _few(items: list[str]) -> str:
    shown = ", ".join(items[:3])
    return shown + (f" (and {len(items) - 3} more)" if len(items) > 3 else "")


class GatewayControl:
    """The API Gateway half of the control plane: routing by the spec, state, checks."""

    def __init__(
        self,
        functions: Registry,
        switches: GatewaySwitches,
        clock: Callable[[], float] = time.time,
        *,
        spec: Spec | None = None,
        check_responses: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        self.functions, self.switches, self._clock = functions, switches, clock
        self.spec = spec or load_spec()
        self.check_responses = check_responses
        self._rng = rng or secrets.SystemRandom()
        self._state = functions.section("gateway", empty_gateway)
        for key, value in empty_gateway().items():  # state written by an older version
            self._state.setdefault(key, value)

    # -- routing ------------------------------------------------------------------------------

    def dispatch(
        self, method: str, path: str, query: dict[str, list[str]], raw: bytes
    ) -> Answer:
        """Answer `method PREFIX+path`: (status, JSON payload or None for no content)."""
        try:
            operation, params = self.spec.resolve(method, path)
        except NoSuchPath:
            raise v.Refusal(v.ROUTE_NOT_FOUND, f"path: no API at {PREFIX}{path}",
                            "field: path") from None
        except MethodNotListed as refused:
            raise v.Refusal(METHOD_NOT_ALLOWED, f"method: {method} is not allowed on "
                            f"{PREFIX}{path} (NCP's API lists {', '.join(refused.allowed)})",
                            "field: method") from None
        handler = ROUTES.get(operation.key)
        if handler is None:
            raise v.Refusal(v.NOT_EMULATED, f"{method} {PREFIX}{operation.template} is part "
                            "of NCP's API but not of this local control plane",
                            "field: path")
        try:
            values = self.spec.check_query(operation, query)
            body = self._body(operation, raw)
        except SchemaViolation as violation:
            raise _invalid(violation.field, violation.reason) from None
        with self.functions.lock:
            status, payload = getattr(self, handler)(params, values, body)
        if self.check_responses:
            problems = self.spec.check_response(operation, status, payload)
            if problems:
                log.error("%s %s answer breaks the spec: %s", method, path, problems)
                raise v.Refusal(v.UNEXPECTED_ERROR, f"the answer to {method} "
                                f"{operation.template} does not fit NCP's spec: "
                                f"{'; '.join(problems[:3])}", "internal")
        return status, payload

    def _body(self, operation: Operation, raw: bytes) -> dict[str, Any] | None:
        if operation.body_ref is None:
            return None  # no body in the spec: whatever came is not read
        if not raw.strip():
            if operation.body_required:
                raise SchemaViolation("body", "is required (a JSON object: "
                                      f"{operation.body_schema_name})")
            return None
        body = v.parse_json_body(raw)
        if self.switches.unknown_fields == "ignore":
            strict = self.spec.validator(operation.body_ref, strict=True)
            extras = [(error.instance, set(error.instance)
                       - set(error.schema.get("properties", {})))
                      for error in strict.iter_errors(body)
                      if error.validator == "additionalProperties"]
            for holder, names in extras:
                for name in names:
                    holder.pop(name, None)
        self.spec.check_body(operation, body, strict=self.switches.unknown_fields == "refuse")
        return body

    # -- state helpers ------------------------------------------------------------------------

    def _now(self) -> str:
        moment = datetime.fromtimestamp(self._clock(), UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _save(self) -> None:
        self.functions.save()

    def _new_id(self) -> str:
        taken = {key for part in self._state.values() if isinstance(part, dict) for key in part}
        while True:
            ident = "".join(self._rng.choice(ID_ALPHABET) for _ in range(ID_CHARS))
            if ident not in taken:
                return ident

    def _new_key(self) -> str:
        return "".join(self._rng.choice(KEY_ALPHABET) for _ in range(KEY_CHARS))

    def _name_matches(self, actual: str, wanted: str | None) -> bool:
        if wanted is None:
            return True
        if self.switches.list_name_filter_exact:
            return actual == wanted
        return wanted.lower() in actual.lower()

    @staticmethod
    def _page(items: list[Any], query: dict[str, Any]) -> list[Any]:
        offset = query.get("offset", 0)
        limit = query.get("limit")
        return items[offset:offset + limit if limit is not None else None]

    def _name_taken(self, field: str, name: str, scope: str) -> v.Refusal:
        error = v.ErrorCode(self.switches.duplicate_name_status, "77012", "NAME_ALREADY_USED")
        return v.Refusal(error, f"{field} '{name}' is already used {scope}; a create is a "
                         "POST in NCP's API: list by name and update or reuse the one there",
                         f"field: {field}")

    def _unique(self, records: Iterable[dict[str, Any]], field: str, name: str, scope: str,
                own_id: str | None = None, id_field: str = "") -> None:
        for record in records:
            if record[field] == name and (own_id is None or record[id_field] != own_id):
                raise self._name_taken(field, name, scope)

    # -- lookups (404 with the kind and id) ---------------------------------------------------

    def _product(self, product_id: str) -> dict[str, Any]:
        record = self._state["products"].get(product_id)
        if record is None:
            raise _missing("product", product_id, "product-id")
        return record

    def _api(self, params: dict[str, str]) -> dict[str, Any]:
        self._product(params["product-id"])
        record = self._state["apis"].get(params["api-id"])
        if record is None or record["productId"] != params["product-id"]:
            raise _missing("API", params["api-id"], "api-id")
        return record

    def _resource(self, params: dict[str, str]) -> dict[str, Any]:
        self._api(params)
        record = self._state["resources"].get(params["resource-id"])
        if record is None or record["apiId"] != params["api-id"]:
            raise _missing("resource", params["resource-id"], "resource-id")
        return record

    def _stage(self, params: dict[str, str]) -> dict[str, Any]:
        self._api(params)
        record = self._state["stages"].get(params["stage-id"])
        if record is None or record["apiId"] != params["api-id"]:
            raise _missing("stage", params["stage-id"], "stage-id")
        return record

    def _authorizer(self, authorizer_id: str) -> dict[str, Any]:
        record = self._state["authorizers"].get(authorizer_id)
        if record is None:
            raise _missing("authorizer", authorizer_id, "authorizer-id")
        return record

    def _plan(self, plan_id: str) -> dict[str, Any]:
        record = self._state["usagePlans"].get(plan_id)
        if record is None:
            raise _missing("usage plan", plan_id, "usage-plan-id")
        return record

    def _api_key(self, key_id: str) -> dict[str, Any]:
        record = self._state["apiKeys"].get(key_id)
        if record is None:
            raise _missing("API key", key_id, "api-key-id")
        return record

    def _apis_of(self, product_id: str) -> list[dict[str, Any]]:
        return sorted((a for a in self._state["apis"].values() if a["productId"] == product_id),
                      key=lambda a: a["apiName"])

    def _resources_of(self, api_id: str) -> list[dict[str, Any]]:
        return sorted((r for r in self._state["resources"].values() if r["apiId"] == api_id),
                      key=lambda r: r["resourcePath"])

    def _stages_of(self, api_id: str) -> list[dict[str, Any]]:
        return sorted((s for s in self._state["stages"].values() if s["apiId"] == api_id),
                      key=lambda s: s["stageName"])

    # -- Cloud Functions references -----------------------------------------------------------

    def _parse_action(self, text: str) -> tuple[str, str] | None:
        if self.switches.action_reference == "qualified":
            if not text.startswith("/"):
                return None
            parts = text[1:].split("/")
            if parts[0] != NAMESPACE or len(parts) not in (2, 3) or not all(parts):
                return None
            return (v.NO_PACKAGE, parts[1]) if len(parts) == 2 else (parts[1], parts[2])
        parts = text.split("/")
        if not all(parts) or len(parts) > 2:
            return None
        return (v.NO_PACKAGE, parts[0]) if len(parts) == 1 else (parts[0], parts[1])

    def action_reference(self, package: str, action: str) -> str:
        """How this control plane wants an action named (switch action_reference)."""
        if self.switches.action_reference == "qualified":
            return (f"/{NAMESPACE}/{action}" if package == v.NO_PACKAGE
                    else f"/{NAMESPACE}/{package}/{action}")
        return action if package == v.NO_PACKAGE else f"{package}/{action}"

    def _existing_action(self, text: str, field: str) -> str:
        """'package/action' for an action reference that names an existing action."""
        found = self._parse_action(text)
        if found is None:
            form = ("/<namespace>/<package>/<action> (namespace local)"
                    if self.switches.action_reference == "qualified" else "<package>/<action>")
            raise _invalid(field, f"must name a Cloud Functions action as {form} (switch "
                           f"action_reference={self.switches.action_reference})")
        package, action = found
        if self.functions.action_record(package, action, FUNCTIONS_PLATFORM) is None:
            raise v.Refusal(REFERENCE_NOT_FOUND, f"{field}: Cloud Functions action "
                            f"'{package}/{action}' not found (platform {FUNCTIONS_PLATFORM})",
                            f"field: {field}")
        return f"{package}/{action}"

    def _check_region(self, region: str, field: str) -> None:
        if region != self.switches.functions_region:
            raise _invalid(field, f"must be {self.switches.functions_region}, the region of "
                           "this control plane's Cloud Functions (switch functions_region)")

    # -- products -----------------------------------------------------------------------------

    def _product_dto(self, record: dict[str, Any], *, listed: bool = False) -> dict[str, Any]:
        dto = {"productId": record["productId"], "productName": record["productName"],
               "productDescription": record["description"],
               "subscriptionCode": record["subscriptionCode"], "invokeId": record["invokeId"],
               "isPublished": False, "isDeleted": False, "disabled": False,
               "modTime": record["modTime"]}
        if listed:
            dto["hasDeployedStage"] = self._has_deployed_stage(record["productId"])
        return dto

    def _has_deployed_stage(self, product_id: str) -> bool:
        return any(s.get("deployedNo") for a in self._apis_of(product_id)
                   for s in self._stages_of(a["apiId"]))

    def list_products(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        everything = sorted(self._state["products"].values(), key=lambda p: p["productName"])
        plan = query.get("hasStageNotAssociatedWithUsagePlanId")
        chosen = [p for p in everything
                  if self._name_matches(p["productName"], query.get("productName"))
                  and query.get("subscriptionCode") in (None, p["subscriptionCode"])
                  and query.get("hasDeployedStage") in (
                      None, self._has_deployed_stage(p["productId"]))
                  and (plan is None or any(plan not in s["usagePlanIds"]
                                           for a in self._apis_of(p["productId"])
                                           for s in self._stages_of(a["apiId"])))
                  and not query.get("isPublished")]  # publishing is not emulated
        return 200, {"initialCount": len(everything), "productPage": {
            "content": [self._product_dto(p, listed=True) for p in self._page(chosen, query)],
            "total": len(chosen)}}

    def create_product(self, params: dict[str, str], query: dict[str, Any],
                       body: dict[str, Any]) -> Answer:
        self._unique(self._state["products"].values(), "productName", body["productName"],
                     "by another product")
        ident = self._new_id()
        record = {"productId": ident, "invokeId": ident, "productName": body["productName"],
                  "description": body.get("description", ""),
                  "subscriptionCode": body["subscriptionCode"], "modTime": self._now()}
        self._state["products"][ident] = record
        self._save()
        return 201, {"product": self._product_dto(record)}

    def get_product(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        return 200, {"product": self._product_dto(self._product(params["product-id"]))}

    def update_product(self, params: dict[str, str], query: dict[str, Any],
                       body: dict[str, Any]) -> Answer:
        record = self._product(params["product-id"])
        self._unique(self._state["products"].values(), "productName", body["productName"],
                     "by another product", record["productId"], "productId")
        record.update(productName=body["productName"], subscriptionCode=body["subscriptionCode"],
                      description=body.get("description", record["description"]),
                      modTime=self._now())
        self._save()
        return 204, None

    def delete_product(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        record = self._product(params["product-id"])
        subscribed = [k["apiKeyName"] for k in self._state["apiKeys"].values()
                      if record["productId"] in k["subscriptions"]]
        if subscribed:
            raise v.Refusal(IN_USE, f"product-id: product '{record['productName']}' has API "
                            f"keys subscribed ({_few(subscribed)}); unsubscribe them first",
                            "field: product-id")
        apis = self._apis_of(record["productId"])
        if apis and not self.switches.delete_cascades:
            raise v.Refusal(IN_USE, f"product-id: product '{record['productName']}' still "
                            f"holds APIs ({_few([a['apiName'] for a in apis])}); delete them "
                            "first (switch delete_cascades=False)", "field: product-id")
        for api in apis:
            self._drop_api(api)
        del self._state["products"][record["productId"]]
        self._save()
        return 204, None

    # -- APIs ---------------------------------------------------------------------------------

    def _stage_info(self, stage: dict[str, Any]) -> dict[str, Any]:
        return {"apiId": stage["apiId"], "stageId": stage["stageId"],
                "stageName": stage["stageName"], "isPublished": False}

    def _api_dto(self, record: dict[str, Any], *, with_stages: bool = True) -> dict[str, Any]:
        dto: dict[str, Any] = {
            "apiId": record["apiId"], "apiName": record["apiName"],
            "apiDescription": record["apiDescription"], "productId": record["productId"],
            "isDeleted": False, "disabled": False, "modTime": record["modTime"]}
        if with_stages:
            dto["stages"] = [self._stage_info(s) for s in self._stages_of(record["apiId"])]
        return dto

    def list_apis(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        product = self._product(params["product-id"])
        plan = query.get("hasStageNotAssociatedWithUsagePlanId")
        chosen = []
        for api in self._apis_of(product["productId"]):
            stages = self._stages_of(api["apiId"])
            if not self._name_matches(api["apiName"], query.get("apiName")):
                continue
            if query.get("hasStage") is not None and query["hasStage"] != bool(stages):
                continue
            if plan is not None and not any(plan not in s["usagePlanIds"] for s in stages):
                continue
            chosen.append(api)
        with_stages = bool(query.get("withStage"))
        return 200, {"apis": [self._api_dto(a, with_stages=with_stages)
                              for a in self._page(chosen, query)], "total": len(chosen)}

    def create_api(self, params: dict[str, str], query: dict[str, Any],
                   body: dict[str, Any]) -> Answer:
        product = self._product(params["product-id"])
        self._unique(self._apis_of(product["productId"]), "apiName", body["apiName"],
                     f"in product '{product['productName']}'")
        ident = self._new_id()
        record = {"apiId": ident, "productId": product["productId"], "apiName": body["apiName"],
                  "apiDescription": body.get("apiDescription", ""), "modTime": self._now()}
        self._state["apis"][ident] = record
        self._save()
        return 201, {"api": self._api_dto(record)}

    def get_api(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        return 200, {"api": self._api_dto(self._api(params))}

    def update_api(self, params: dict[str, str], query: dict[str, Any],
                   body: dict[str, Any]) -> Answer:
        record = self._api(params)
        record.update(apiDescription=body["apiDescription"], modTime=self._now())
        self._save()
        return 204, None

    def delete_api(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        record = self._api(params)
        inside = ([f"resource {r['resourcePath']}" for r in self._resources_of(record["apiId"])]
                  + [f"stage {s['stageName']}" for s in self._stages_of(record["apiId"])])
        if inside and not self.switches.delete_cascades:
            raise v.Refusal(IN_USE, f"api-id: API '{record['apiName']}' still holds "
                            f"{_few(inside)}; delete them first (switch delete_cascades="
                            "False)", "field: api-id")
        self._drop_api(record)
        self._save()
        return 204, None

    def _drop_api(self, record: dict[str, Any]) -> None:
        for stage in self._stages_of(record["apiId"]):
            self._drop_stage(stage)
        for resource in self._resources_of(record["apiId"]):
            self._state["resources"].pop(resource["resourceId"], None)
        del self._state["apis"][record["apiId"]]

    # -- resources ----------------------------------------------------------------------------

    @staticmethod
    def _resource_dto(record: dict[str, Any]) -> dict[str, Any]:
        return {"resourceId": record["resourceId"], "resourcePath": record["resourcePath"],
                "apiId": record["apiId"],
                "methods": [{"methodName": name} for name in sorted(record["methods"])],
                **record["cors"]}

    def list_resources(self, params: dict[str, str], query: dict[str, Any],
                       body: Any) -> Answer:
        api = self._api(params)
        return 200, {"resourceList": [self._resource_dto(r)
                                      for r in self._resources_of(api["apiId"])]}

    def create_resource(self, params: dict[str, str], query: dict[str, Any],
                        body: dict[str, Any]) -> Answer:
        api = self._api(params)
        path = body["resourcePath"]
        segments = [s for s in path.split("/") if s]
        for index, segment in enumerate(segments):
            if segment.endswith("+}"):
                if not self.switches.proxy_path_parameter:
                    raise _invalid("resourcePath", "may not hold a greedy {name+} segment "
                                   "(switch proxy_path_parameter=False)")
                if index != len(segments) - 1:
                    raise _invalid("resourcePath", f"has {segment} before its end: a greedy "
                                   "{name+} segment must be the last one")
        taken = {r["resourcePath"]: r for r in self._resources_of(api["apiId"])}
        if path in taken:
            raise self._name_taken("resourcePath", path, f"in API '{api['apiName']}'")
        parents = ["/" + "/".join(segments[:i]) for i in range(1, len(segments))]
        missing = [parent for parent in parents if parent not in taken]
        if missing and not self.switches.create_parent_resources:
            raise _invalid("resourcePath", f"needs its parent {missing[0]} first (switch "
                           "create_parent_resources=False)")
        cors = {name: body[name] for name in CORS_FIELDS if name in body}
        for parent in missing:
            self._add_resource(api["apiId"], parent, {})
        record = self._add_resource(api["apiId"], path, cors)
        self._save()
        return 201, {"resource": self._resource_dto(record)}

    def _add_resource(self, api_id: str, path: str, cors: dict[str, str]) -> dict[str, Any]:
        ident = self._new_id()
        record = {"resourceId": ident, "apiId": api_id, "resourcePath": path, "cors": cors,
                  "methods": {}, "modTime": self._now()}
        self._state["resources"][ident] = record
        return record

    def update_resource(self, params: dict[str, str], query: dict[str, Any],
                        body: dict[str, Any]) -> Answer:
        record = self._resource(params)
        record["cors"].update({name: body[name] for name in CORS_FIELDS if name in body})
        record["modTime"] = self._now()
        self._save()
        return 200, {"resource": self._resource_dto(record)}

    def delete_resource(self, params: dict[str, str], query: dict[str, Any],
                        body: Any) -> Answer:
        record = self._resource(params)
        path = record["resourcePath"]
        below = [r for r in self._resources_of(record["apiId"])
                 if r["resourcePath"].startswith(path.rstrip("/") + "/")
                 and r["resourceId"] != record["resourceId"]]
        inside = ([f"method {name}" for name in sorted(record["methods"])]
                  + [f"resource {r['resourcePath']}" for r in below])
        if inside and not self.switches.delete_cascades:
            raise v.Refusal(IN_USE, f"resource-id: resource {path} still holds {_few(inside)};"
                            " delete them first (switch delete_cascades=False)",
                            "field: resource-id")
        for resource in [*below, record]:
            del self._state["resources"][resource["resourceId"]]
        self._save()
        return 204, None

    # -- methods ------------------------------------------------------------------------------

    @staticmethod
    def _method_dto(resource: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        dto = {"apiId": resource["apiId"], "resourceId": resource["resourceId"],
               "resourcePath": resource["resourcePath"], "methodName": record["methodName"],
               "authentication": record["authentication"],
               "requiredApiKey": record["requiredApiKey"], "validation": record["validation"],
               record["endpointField"]: record["endpoint"]}
        if record.get("methodDescription"):
            dto["methodDescription"] = record["methodDescription"]
        return dto

    def _method_record(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        """A method from a Post/PatchMethodRequest, its references checked."""
        given = [field for field in ENDPOINT_KINDS if body.get(field) is not None]
        if len(given) != 1:
            raise _invalid(given[1] if given else "ncpEndPoint",
                           "exactly one of ncpEndPoint, httpEndPoint and mockEndPoint is "
                           f"required (got {len(given)})")
        (field,) = given
        endpoint = body[field]
        action = None
        if field == "ncpEndPoint":
            if endpoint["service"] != self.switches.ncp_endpoint_service:
                raise _invalid("ncpEndPoint.service", f"must be "
                               f"'{self.switches.ncp_endpoint_service}' for a Cloud Functions "
                               "action (switch ncp_endpoint_service)")
            self._check_region(endpoint["region"], "ncpEndPoint.region")
            action = self._existing_action(endpoint["actionName"], "ncpEndPoint.actionName")
            if self.switches.endpoint_action_id_is_name and \
                    self._parse_action(endpoint["actionId"]) != self._parse_action(
                        endpoint["actionName"]):
                raise _invalid("ncpEndPoint.actionId", "must name the same action as "
                               "actionName (switch endpoint_action_id_is_name)")
            if self.switches.endpoint_url_template:
                package, action_name = action.split("/", 1)
                expected = self.switches.endpoint_url_template.format(
                    region=endpoint["region"], package=package, action=action_name)
                if endpoint["url"] != expected:
                    raise _invalid("ncpEndPoint.url", f"must be {expected} (switch "
                                   "endpoint_url_template)")
        authentication = body["authentication"]
        authorizer_id = authentication.get("authorizerId")
        if authentication["platform"] == "AUTHORIZER":
            if not authorizer_id:
                raise _invalid("authentication.authorizerId", "is required with platform "
                               "AUTHORIZER")
            if authorizer_id not in self._state["authorizers"]:
                raise v.Refusal(REFERENCE_NOT_FOUND, "authentication.authorizerId: "
                                f"authorizer '{authorizer_id}' not found",
                                "field: authentication.authorizerId")
        elif authorizer_id:
            raise _invalid("authentication.authorizerId", "goes with platform AUTHORIZER only "
                           f"(platform is {authentication['platform']})")
        return {"methodName": name, "methodDescription": body.get("methodDescription", ""),
                "endpointField": field, "endpoint": copy.deepcopy(endpoint), "action": action,
                "authentication": dict(authentication),
                "requiredApiKey": dict(body["requiredApiKey"]),
                "validation": copy.deepcopy(body["validation"]), "modTime": self._now()}

    def list_methods(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        resource = self._resource(params)
        return 200, {"methods": [self._method_dto(resource, resource["methods"][name])
                                 for name in sorted(resource["methods"])]}

    def create_method(self, params: dict[str, str], query: dict[str, Any],
                      body: dict[str, Any]) -> Answer:
        resource = self._resource(params)
        name = body["methodName"]
        if name in resource["methods"]:
            raise self._name_taken("methodName", name,
                                   f"on resource {resource['resourcePath']}")
        resource["methods"][name] = self._method_record(name, body)
        self._save()
        # AddMethodResponse is a list: the resource's methods, this one among them.
        return 201, {"methods": [self._method_dto(resource, resource["methods"][n])
                                 for n in sorted(resource["methods"])]}

    def _method(self, params: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        resource = self._resource(params)
        record = resource["methods"].get(params["method-name"])
        if record is None:
            raise _missing("method", params["method-name"], "method-name")
        return resource, record

    def update_method(self, params: dict[str, str], query: dict[str, Any],
                      body: dict[str, Any]) -> Answer:
        resource, record = self._method(params)
        updated = self._method_record(record["methodName"], body)
        resource["methods"][record["methodName"]] = updated
        self._save()
        return 200, {"method": self._method_dto(resource, updated)}

    def delete_method(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        resource, record = self._method(params)
        del resource["methods"][record["methodName"]]
        self._save()
        return 204, None

    # -- stages and deployments ---------------------------------------------------------------

    def _host(self, api: dict[str, Any]) -> str:
        product = self._state["products"][api["productId"]]
        return f"{product['invokeId']}.{INVOKE_DOMAIN}"

    @staticmethod
    def _stage_dto(record: dict[str, Any]) -> dict[str, Any]:
        return _drop_none({
            "stageId": record["stageId"], "stageName": record["stageName"],
            "apiId": record["apiId"], **{k: record["settings"].get(k) for k in STAGE_SETTINGS},
            **{k: record["quota"].get(k) for k in ("rateRps", "dayQuotaRequest",
                                                    "monthQuotaRequest")},
            "deployedStageDeploymentNo": record.get("deployedNo"),
            "useDistributionRate": False, "regTime": record["regTime"]})

    def list_stages(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        api = self._api(params)
        stages = []
        for stage in self._stages_of(api["apiId"]):
            deployment = self._deployment(stage)
            stages.append(_drop_none({
                "stageId": stage["stageId"], "stageName": stage["stageName"],
                "isCanary": False, "defaultDeploymentNo": stage.get("deployedNo"),
                "resourceDtos": [self._resource_dto(r) for r in deployment["resources"]]
                if deployment else []}))
        return 200, {"host": self._host(api), "stages": stages}

    @staticmethod
    def _deployment(stage: dict[str, Any]) -> dict[str, Any] | None:
        return next((d for d in stage["deployments"] if d["no"] == stage.get("deployedNo")),
                    None)

    def create_stage(self, params: dict[str, str], query: dict[str, Any],
                     body: dict[str, Any]) -> Answer:
        api = self._api(params)
        self._unique(self._stages_of(api["apiId"]), "stageName", body["stageName"],
                     f"in API '{api['apiName']}'")
        ident = self._new_id()
        record = {"stageId": ident, "apiId": api["apiId"], "stageName": body["stageName"],
                  "settings": {k: body[k] for k in STAGE_SETTINGS if k in body},
                  "quota": {}, "usagePlanIds": [], "deployments": [], "deployedNo": None,
                  "regTime": self._now()}
        self._state["stages"][ident] = record
        if self.switches.create_stage_deploys:
            self._deploy(api, record, body.get("deploymentDescription", ""))
        self._save()
        return 201, {"stage": self._stage_dto(record)}

    def get_stage(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        return 200, {"stage": self._stage_dto(self._stage(params))}

    def update_stage(self, params: dict[str, str], query: dict[str, Any],
                     body: dict[str, Any]) -> Answer:
        record = self._stage(params)
        record["settings"].update({k: body[k] for k in STAGE_SETTINGS if k in body})
        self._save()
        return 200, {"stage": self._stage_dto(record)}

    def delete_stage(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        record = self._stage(params)
        inside = ([f"usage plan {self._state['usagePlans'][p]['usagePlanName']}"
                   for p in record["usagePlanIds"]]
                  + [f"API key {k['apiKeyName']}" for k in self._state["apiKeys"].values()
                     if record["stageId"] in k["stagePlans"]])
        if inside and not self.switches.delete_cascades:
            raise v.Refusal(IN_USE, f"stage-id: stage '{record['stageName']}' is still "
                            f"associated with {_few(inside)}; disassociate them first "
                            "(switch delete_cascades=False)", "field: stage-id")
        self._drop_stage(record)
        self._save()
        return 204, None

    def _drop_stage(self, record: dict[str, Any]) -> None:
        for key in self._state["apiKeys"].values():
            key["stagePlans"].pop(record["stageId"], None)
        del self._state["stages"][record["stageId"]]

    def deploy(self, params: dict[str, str], query: dict[str, Any],
               body: dict[str, Any]) -> Answer:
        api = self._api(params)
        stage = self._state["stages"].get(body["stageId"])
        if stage is None or stage["apiId"] != api["apiId"]:
            raise v.Refusal(REFERENCE_NOT_FOUND, f"stageId: stage '{body['stageId']}' is not "
                            f"a stage of API '{api['apiName']}'", "field: stageId")
        self._deploy(api, stage, body.get("deploymentDescription", ""))
        self._save()
        return 200, None

    def _deploy(self, api: dict[str, Any], stage: dict[str, Any], description: str) -> None:
        resources = self._resources_of(api["apiId"])
        for resource in resources:
            for record in resource["methods"].values():
                where = f"method {record['methodName']} {resource['resourcePath']}"
                package, _, action = (record["action"] or "").partition("/")
                if record["action"] and self.functions.action_record(
                        package, action, FUNCTIONS_PLATFORM) is None:
                    raise v.Refusal(REFERENCE_NOT_FOUND, f"stageId: cannot deploy: {where} "
                                    f"calls Cloud Functions action '{record['action']}', which "
                                    "no longer exists", "field: stageId")
                authorizer = record["authentication"].get("authorizerId")
                if authorizer and authorizer not in self._state["authorizers"]:
                    raise v.Refusal(REFERENCE_NOT_FOUND, f"stageId: cannot deploy: {where} "
                                    f"uses authorizer '{authorizer}', which no longer exists",
                                    "field: stageId")
        number = max((d["no"] for d in stage["deployments"]), default=0) + 1
        stage["deployments"].append({"no": number, "description": description,
                                     "deployedTime": self._now(),
                                     "resources": copy.deepcopy(resources)})
        stage["deployedNo"] = number

    def list_deployments(self, params: dict[str, str], query: dict[str, Any],
                         body: Any) -> Answer:
        stage = self._stage(params)
        newest_first = sorted(stage["deployments"], key=lambda d: d["no"], reverse=True)
        content = [{"stageDeploymentNo": d["no"], "stageId": stage["stageId"],
                    "deploymentDescription": d["description"], "deployedTime": d["deployedTime"],
                    "documentJson": json.dumps({"resources": [
                        {**self._resource_dto(r),
                         "methods": [self._method_dto(r, r["methods"][n])
                                     for n in sorted(r["methods"])]}
                        for r in d["resources"]]}, sort_keys=True)}
                   for d in self._page(newest_first, query)]
        return 200, _drop_none({"content": content, "total": len(newest_first),
                                "defaultDeploymentNo": stage.get("deployedNo")})

    def _plan_in_body(self, body: dict[str, Any]) -> dict[str, Any]:
        record = self._state["usagePlans"].get(body["usagePlanId"])
        if record is None:
            raise v.Refusal(REFERENCE_NOT_FOUND, f"usagePlanId: usage plan "
                            f"'{body['usagePlanId']}' not found", "field: usagePlanId")
        return record

    def associate_usage_plan(self, params: dict[str, str], query: dict[str, Any],
                             body: dict[str, Any]) -> Answer:
        stage = self._stage(params)
        plan = self._plan_in_body(body)
        if plan["usagePlanId"] not in stage["usagePlanIds"]:  # associating twice: no change
            stage["usagePlanIds"].append(plan["usagePlanId"])
            self._save()
        return 204, None

    def disassociate_usage_plan(self, params: dict[str, str], query: dict[str, Any],
                                body: dict[str, Any]) -> Answer:
        stage = self._stage(params)
        plan = self._plan_in_body(body)
        if plan["usagePlanId"] not in stage["usagePlanIds"]:
            raise v.Refusal(REFERENCE_NOT_FOUND, f"usagePlanId: usage plan "
                            f"'{plan['usagePlanName']}' is not associated with stage "
                            f"'{stage['stageName']}'", "field: usagePlanId")
        keys = [k["apiKeyName"] for k in self._state["apiKeys"].values()
                if k["stagePlans"].get(stage["stageId"]) == plan["usagePlanId"]]
        if keys:
            raise v.Refusal(IN_USE, f"usagePlanId: usage plan '{plan['usagePlanName']}' is "
                            f"assigned to API keys on this stage ({_few(keys)})",
                            "field: usagePlanId")
        stage["usagePlanIds"].remove(plan["usagePlanId"])
        self._save()
        return 204, None

    def list_stage_usage_plans(self, params: dict[str, str], query: dict[str, Any],
                               body: Any) -> Answer:
        stage = self._stage(params)
        plans = [self._state["usagePlans"][p] for p in stage["usagePlanIds"]]
        plans = [p for p in sorted(plans, key=lambda p: p["usagePlanName"])
                 if self._name_matches(p["usagePlanName"], query.get("usagePlanName"))]
        return 200, _drop_none({
            "content": [self._plan_dto(p) for p in self._page(plans, query)],
            "total": len(plans), **{k: stage["quota"].get(k) for k in QUOTA_FIELDS}})

    def set_stage_usage(self, params: dict[str, str], query: dict[str, Any],
                        body: dict[str, Any]) -> Answer:
        stage = self._stage(params)
        stage["quota"] = {k: body[k] for k in QUOTA_FIELDS if k in body}
        self._save()
        return 200, {"stage": self._stage_dto(stage)}

    # -- authorizers --------------------------------------------------------------------------

    @staticmethod
    def _authorizer_dto(record: dict[str, Any]) -> dict[str, Any]:
        return _drop_none({
            "authorizerId": record["authorizerId"], "authorizerName": record["authorizerName"],
            "authorizerDescription": record["authorizerDescription"],
            "authorizerType": record["authorizerType"],
            "authorizerConfig": record["authorizerConfig"],
            "cacheTtlSec": record.get("cacheTtlSec"), "modTime": record["modTime"]})

    def _authorizer_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        config = body["authorizerConfig"]
        self._check_region(config["region"], "authorizerConfig.region")
        action = self._existing_action(config["functionId"], "authorizerConfig.functionId")
        return {"authorizerName": body["authorizerName"],
                "authorizerDescription": body.get("authorizerDescription", ""),
                "authorizerType": body["authorizerType"],
                "authorizerConfig": copy.deepcopy(config), "action": action,
                "cacheTtlSec": body.get("cacheTtlSec"), "modTime": self._now()}

    def list_authorizers(self, params: dict[str, str], query: dict[str, Any],
                         body: Any) -> Answer:
        everything = sorted(self._state["authorizers"].values(),
                            key=lambda a: a["authorizerName"])
        chosen = [a for a in everything
                  if self._name_matches(a["authorizerName"], query.get("name"))]
        return 200, {"authorizers": [
            {"authorizerId": a["authorizerId"], "authorizerName": a["authorizerName"],
             "authorizerDescription": a["authorizerDescription"], "disabled": False}
            for a in self._page(chosen, query)],
            "initialCount": len(everything), "total": len(chosen)}

    def create_authorizer(self, params: dict[str, str], query: dict[str, Any],
                          body: dict[str, Any]) -> Answer:
        self._unique(self._state["authorizers"].values(), "authorizerName",
                     body["authorizerName"], "by another authorizer")
        ident = self._new_id()
        record = {"authorizerId": ident, **self._authorizer_fields(body)}
        self._state["authorizers"][ident] = record
        self._save()
        return 201, self._authorizer_dto(record)

    def get_authorizer(self, params: dict[str, str], query: dict[str, Any],
                       body: Any) -> Answer:
        return 200, self._authorizer_dto(self._authorizer(params["authorizer-id"]))

    def update_authorizer(self, params: dict[str, str], query: dict[str, Any],
                          body: dict[str, Any]) -> Answer:
        record = self._authorizer(params["authorizer-id"])
        self._unique(self._state["authorizers"].values(), "authorizerName",
                     body["authorizerName"], "by another authorizer", record["authorizerId"],
                     "authorizerId")
        record.update(self._authorizer_fields(body))
        self._save()
        return 204, None

    def delete_authorizer(self, params: dict[str, str], query: dict[str, Any],
                          body: Any) -> Answer:
        record = self._authorizer(params["authorizer-id"])
        users = []
        for api in self._state["apis"].values():
            live = self._resources_of(api["apiId"])
            deployed = [r for s in self._stages_of(api["apiId"])
                        if (d := self._deployment(s)) for r in d["resources"]]
            for resource in [*live, *deployed]:
                for method in resource["methods"].values():
                    if method["authentication"].get("authorizerId") == record["authorizerId"]:
                        user = (f"method {method['methodName']} {resource['resourcePath']} of "
                                f"API '{api['apiName']}'")
                        if user not in users:
                            users.append(user)
        if users:
            raise v.Refusal(IN_USE, f"authorizer-id: authorizer '{record['authorizerName']}' "
                            f"is used by {_few(users)} (deployed stages included); change "
                            "and redeploy those first", "field: authorizer-id")
        del self._state["authorizers"][record["authorizerId"]]
        self._save()
        return 204, None

    # -- usage plans --------------------------------------------------------------------------

    def _plan_stages(self, plan_id: str) -> list[dict[str, Any]]:
        return [s for s in sorted(self._state["stages"].values(), key=lambda s: s["stageName"])
                if plan_id in s["usagePlanIds"]]

    def _plan_dto(self, record: dict[str, Any]) -> dict[str, Any]:
        return _drop_none({
            "usagePlanId": record["usagePlanId"], "usagePlanName": record["usagePlanName"],
            "usagePlanDescription": record["usagePlanDescription"],
            **{k: record.get(k) for k in QUOTA_FIELDS},
            "associatedStagesCount": len(self._plan_stages(record["usagePlanId"])),
            "disabled": False})

    @staticmethod
    def _plan_fields(body: dict[str, Any]) -> dict[str, Any]:
        return {"usagePlanName": body["usagePlanName"],
                "usagePlanDescription": body.get("usagePlanDescription", ""),
                **{k: body.get(k) for k in QUOTA_FIELDS}}

    def list_usage_plans(self, params: dict[str, str], query: dict[str, Any],
                         body: Any) -> Answer:
        stage = self._state["stages"].get(query["stageId"])
        if stage is None:
            raise v.Refusal(REFERENCE_NOT_FOUND, f"stageId: stage '{query['stageId']}' not "
                            "found", "field: stageId")
        plans = sorted(self._state["usagePlans"].values(), key=lambda p: p["usagePlanName"])
        associated = query.get("associated")
        if associated is not None:
            plans = [p for p in plans
                     if (p["usagePlanId"] in stage["usagePlanIds"]) == associated]
        return 200, {"usagePlans": [
            {"usagePlanId": p["usagePlanId"], "usagePlanName": p["usagePlanName"],
             "associatedStagesCount": len(self._plan_stages(p["usagePlanId"])),
             "disabled": False} for p in self._page(plans, query)], "total": len(plans)}

    def create_usage_plan(self, params: dict[str, str], query: dict[str, Any],
                          body: dict[str, Any]) -> Answer:
        self._unique(self._state["usagePlans"].values(), "usagePlanName",
                     body["usagePlanName"], "by another usage plan")
        ident = self._new_id()
        record = {"usagePlanId": ident, **self._plan_fields(body), "modTime": self._now()}
        self._state["usagePlans"][ident] = record
        self._save()
        return 201, {"usagePlan": self._plan_dto(record)}

    def get_usage_plan(self, params: dict[str, str], query: dict[str, Any],
                       body: Any) -> Answer:
        return 200, {"usagePlan": self._plan_dto(self._plan(params["usage-plan-id"]))}

    def update_usage_plan(self, params: dict[str, str], query: dict[str, Any],
                          body: dict[str, Any]) -> Answer:
        record = self._plan(params["usage-plan-id"])
        self._unique(self._state["usagePlans"].values(), "usagePlanName",
                     body["usagePlanName"], "by another usage plan", record["usagePlanId"],
                     "usagePlanId")
        record.update(self._plan_fields(body), modTime=self._now())
        self._save()
        return 200, {"usagePlan": self._plan_dto(record)}

    def delete_usage_plan(self, params: dict[str, str], query: dict[str, Any],
                          body: Any) -> Answer:
        record = self._plan(params["usage-plan-id"])
        users = ([f"stage {s['stageName']}" for s in self._plan_stages(record["usagePlanId"])]
                 + [f"API key {k['apiKeyName']}" for k in self._state["apiKeys"].values()
                    if record["usagePlanId"] in k["stagePlans"].values()])
        if users:
            raise v.Refusal(IN_USE, f"usage-plan-id: usage plan '{record['usagePlanName']}' "
                            f"is associated with {_few(users)}; disassociate it first",
                            "field: usage-plan-id")
        del self._state["usagePlans"][record["usagePlanId"]]
        self._save()
        return 204, None

    def list_usage_plan_stages(self, params: dict[str, str], query: dict[str, Any],
                               body: Any) -> Answer:
        plan = self._plan(params["usage-plan-id"])
        rows = []
        for stage in self._plan_stages(plan["usagePlanId"]):
            if not self._name_matches(stage["stageName"], query.get("name")):
                continue
            api = self._state["apis"][stage["apiId"]]
            product = self._state["products"][api["productId"]]
            rows.append({"stageId": stage["stageId"], "stageName": stage["stageName"],
                         "apiId": api["apiId"], "apiName": api["apiName"],
                         "productId": product["productId"],
                         "productName": product["productName"]})
        return 200, {"stages": self._page(rows, query), "total": len(rows),
                     "usagePlan": _drop_none({k: plan.get(k) for k in QUOTA_FIELDS})}

    # -- API keys and subscriptions -----------------------------------------------------------

    @staticmethod
    def _key_dto(record: dict[str, Any]) -> dict[str, Any]:
        return {"apiKeyId": record["apiKeyId"], "apiKeyName": record["apiKeyName"],
                "apiKeyDescription": record["apiKeyDescription"],
                "isEnabled": record["isEnabled"], "primaryKey": record["primaryKey"],
                "secondaryKey": record["secondaryKey"], "modTime": record["modTime"]}

    def list_api_keys(self, params: dict[str, str], query: dict[str, Any],
                      body: Any) -> Answer:
        everything = sorted(self._state["apiKeys"].values(), key=lambda k: k["apiKeyName"])
        chosen = [k for k in everything
                  if self._name_matches(k["apiKeyName"], query.get("apiKeyName"))]
        return 200, {"apiKeys": [self._key_dto(k) for k in self._page(chosen, query)],
                     "initialCount": len(everything), "total": len(chosen)}

    def create_api_key(self, params: dict[str, str], query: dict[str, Any],
                       body: dict[str, Any]) -> Answer:
        self._unique(self._state["apiKeys"].values(), "apiKeyName", body["apiKeyName"],
                     "by another API key")
        ident = self._new_id()
        record = {"apiKeyId": ident, "apiKeyName": body["apiKeyName"],
                  "apiKeyDescription": body.get("apiKeyDescription", ""), "isEnabled": True,
                  "primaryKey": self._new_key(), "secondaryKey": self._new_key(),
                  "subscriptions": {}, "stagePlans": {}, "modTime": self._now()}
        self._state["apiKeys"][ident] = record
        self._save()
        return 201, {"apiKey": self._key_dto(record)}

    def get_api_key(self, params: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        return 200, self._key_dto(self._api_key(params["api-key-id"]))  # ApiKeyDto, unwrapped

    def update_api_key(self, params: dict[str, str], query: dict[str, Any],
                       body: dict[str, Any]) -> Answer:
        record = self._api_key(params["api-key-id"])
        self._unique(self._state["apiKeys"].values(), "apiKeyName", body["apiKeyName"],
                     "by another API key", record["apiKeyId"], "apiKeyId")
        record.update(apiKeyName=body["apiKeyName"], isEnabled=body["isEnabled"],
                      apiKeyDescription=body.get("apiKeyDescription",
                                                 record["apiKeyDescription"]),
                      modTime=self._now())
        self._save()
        return 200, {"apiKey": self._key_dto(record)}

    def regenerate_api_key(self, params: dict[str, str], query: dict[str, Any],
                           body: dict[str, Any]) -> Answer:
        record = self._api_key(params["api-key-id"])
        field = "primaryKey" if body["keyType"] == "PRIMARY" else "secondaryKey"
        record[field] = self._new_key()
        record["modTime"] = self._now()
        self._save()
        return 200, {"apiKey": self._key_dto(record)}

    def delete_api_key(self, params: dict[str, str], query: dict[str, Any],
                       body: Any) -> Answer:
        record = self._api_key(params["api-key-id"])
        products = [self._state["products"][p]["productName"] for p in record["subscriptions"]]
        if products and not self.switches.delete_cascades:
            raise v.Refusal(IN_USE, f"api-key-id: API key '{record['apiKeyName']}' is still "
                            f"subscribed to {_few(products)}; unsubscribe it first (switch "
                            "delete_cascades=False)", "field: api-key-id")
        del self._state["apiKeys"][record["apiKeyId"]]
        self._save()
        return 204, None

    def _product_in_body(self, body: dict[str, Any]) -> dict[str, Any]:
        record = self._state["products"].get(body["productId"])
        if record is None:
            raise v.Refusal(REFERENCE_NOT_FOUND, f"productId: product '{body['productId']}' "
                            "not found", "field: productId")
        return record

    def subscribe(self, params: dict[str, str], query: dict[str, Any],
                  body: dict[str, Any]) -> Answer:
        key = self._api_key(params["api-key-id"])
        product = self._product_in_body(body)
        if product["productId"] not in key["subscriptions"]:  # subscribing twice: no change
            needs_approval = (product["subscriptionCode"] == "PROTECTED"
                              and self.switches.protected_subscription_needs_approval)
            key["subscriptions"][product["productId"]] = {
                "status": "REQUEST" if needs_approval else "ACCEPTED",
                "regTime": self._now(), "modTime": self._now()}
            self._save()
        return 200, None

    def unsubscribe(self, params: dict[str, str], query: dict[str, Any],
                    body: dict[str, Any]) -> Answer:
        key = self._api_key(params["api-key-id"])
        product = self._product_in_body(body)
        if key["subscriptions"].pop(product["productId"], None) is None:
            raise v.Refusal(REFERENCE_NOT_FOUND, f"productId: API key '{key['apiKeyName']}' "
                            f"is not subscribed to product '{product['productName']}'",
                            "field: productId")
        for api in self._apis_of(product["productId"]):
            for stage in self._stages_of(api["apiId"]):
                key["stagePlans"].pop(stage["stageId"], None)
        self._save()
        return 200, None

    def list_api_key_products(self, params: dict[str, str], query: dict[str, Any],
                              body: Any) -> Answer:
        key = self._api_key(params["api-key-id"])
        rows = []
        for product_id, subscription in sorted(key["subscriptions"].items()):
            product = self._state["products"][product_id]
            rows.append({"productId": product_id, "productName": product["productName"],
                         "productDescription": product["description"],
                         "status": subscription["status"], "regTime": subscription["regTime"],
                         "modTime": subscription["modTime"]})
        return 200, {"apiKeyRelateProductDtos": self._page(rows, query), "total": len(rows)}

    def _subscription(self, params: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        product = self._product(params["product-id"])
        key = self._api_key(params["api-key-id"])
        subscription = key["subscriptions"].get(product["productId"])
        if subscription is None:
            raise v.Refusal(NOT_FOUND["subscription"], f"api-key-id: API key "
                            f"'{key['apiKeyName']}' is not subscribed to product "
                            f"'{product['productName']}'", "field: api-key-id")
        return key, subscription

    def set_subscription_status(self, params: dict[str, str], query: dict[str, Any],
                                body: dict[str, Any]) -> Answer:
        _, subscription = self._subscription(params)
        subscription.update(status=body["status"], modTime=self._now())
        self._save()
        return 204, None

    def set_api_key_stage_plan(self, params: dict[str, str], query: dict[str, Any],
                               body: dict[str, Any]) -> Answer:
        key, _ = self._subscription(params)
        stage = self._state["stages"].get(params["stage-id"])
        api = self._state["apis"].get(stage["apiId"]) if stage else None
        if stage is None or api is None or api["productId"] != params["product-id"]:
            raise _missing("stage", params["stage-id"], "stage-id")
        plan_id = body.get("usagePlanId")
        if not plan_id:
            key["stagePlans"].pop(stage["stageId"], None)
        else:
            if plan_id not in stage["usagePlanIds"]:
                raise v.Refusal(REFERENCE_NOT_FOUND, f"usagePlanId: usage plan '{plan_id}' "
                                f"is not associated with stage '{stage['stageName']}'",
                                "field: usagePlanId")
            key["stagePlans"][stage["stageId"]] = plan_id
        self._save()
        return 204, None

    # -- what the local stack reads -----------------------------------------------------------

    def deployed(self) -> DeployedGateway:
        with self.functions.lock:
            state = self._state
            products = []
            for product in sorted(state["products"].values(), key=lambda p: p["productName"]):
                apis = []
                for api in self._apis_of(product["productId"]):
                    stages = []
                    for stage in self._stages_of(api["apiId"]):
                        deployment = self._deployment(stage)
                        stages.append(GatewayStage(
                            stage_id=stage["stageId"], name=stage["stageName"],
                            api_id=api["apiId"], api_name=api["apiName"],
                            product_id=product["productId"], host=self._host(api),
                            endpoint_domain=stage["settings"].get("endpointDomain", ""),
                            deployment=None if deployment is None else GatewayDeployment(
                                number=deployment["no"],
                                description=deployment["description"],
                                deployed_at=deployment["deployedTime"],
                                resources=tuple(_resource(r)
                                                for r in deployment["resources"])),
                            usage_plan_ids=tuple(stage["usagePlanIds"]),
                            rate_rps=stage["quota"].get("rateRps"),
                            day_quota=stage["quota"].get("dayQuotaRequest"),
                            month_quota=stage["quota"].get("monthQuotaRequest"),
                            settings={k: val for k, val in stage["settings"].items()
                                      if k != "endpointDomain"}))
                    apis.append(GatewayApi(
                        api_id=api["apiId"], name=api["apiName"],
                        description=api["apiDescription"], product_id=product["productId"],
                        resources=tuple(_resource(r)
                                        for r in self._resources_of(api["apiId"])),
                        stages=tuple(stages)))
                products.append(GatewayProduct(
                    product_id=product["productId"], name=product["productName"],
                    description=product["description"],
                    subscription_code=product["subscriptionCode"],
                    invoke_id=product["invokeId"], apis=tuple(apis)))
            authorizers = tuple(
                GatewayAuthorizer(
                    authorizer_id=a["authorizerId"], name=a["authorizerName"],
                    type=a["authorizerType"], action=a["action"],
                    region=a["authorizerConfig"]["region"],
                    payload=tuple((p["in"], p["name"])
                                  for p in a["authorizerConfig"].get("payload", [])),
                    cache_ttl_sec=a.get("cacheTtlSec"))
                for a in sorted(state["authorizers"].values(),
                                key=lambda a: a["authorizerName"]))
            plans = tuple(
                GatewayUsagePlan(
                    usage_plan_id=p["usagePlanId"], name=p["usagePlanName"],
                    rate_rps=p.get("rateRps"), day_quota=p.get("dayQuotaRequest"),
                    month_quota=p.get("monthQuotaRequest"),
                    quota_condition=p.get("quotaCondition"),
                    stage_ids=tuple(s["stageId"] for s in self._plan_stages(p["usagePlanId"])))
                for p in sorted(state["usagePlans"].values(), key=lambda p: p["usagePlanName"]))
            keys = tuple(
                GatewayApiKey(
                    api_key_id=k["apiKeyId"], name=k["apiKeyName"], enabled=k["isEnabled"],
                    primary_key=k["primaryKey"], secondary_key=k["secondaryKey"],
                    subscriptions={p: s["status"] for p, s in k["subscriptions"].items()},
                    stage_usage_plans=dict(k["stagePlans"]))
                for k in sorted(state["apiKeys"].values(), key=lambda k: k["apiKeyName"]))
            return DeployedGateway(products=tuple(products), authorizers=authorizers,
                                   usage_plans=plans, api_keys=keys)


def _resource(record: dict[str, Any]) -> GatewayResource:
    methods = []
    for name in sorted(record["methods"]):
        method = record["methods"][name]
        methods.append(GatewayMethod(
            method=name, resource_path=record["resourcePath"],
            endpoint=ENDPOINT_KINDS[method["endpointField"]], action=method["action"],
            endpoint_config=copy.deepcopy(method["endpoint"]),
            authentication=method["authentication"]["platform"],
            authorizer_id=method["authentication"].get("authorizerId"),
            api_key_required=bool(method["requiredApiKey"].get("required")),
            validation=copy.deepcopy(method["validation"]),
            description=method.get("methodDescription", "")))
    return GatewayResource(resource_id=record["resourceId"], path=record["resourcePath"],
                           methods=tuple(methods), cors=dict(record["cors"]))
