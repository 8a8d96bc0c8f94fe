"""What the local API Gateway stand-in holds, as plain dataclasses for the local stack:
`ControlPlane.deployed_gateway()` returns a `DeployedGateway`, from which a local gateway can
serve what was deployed (each stage's snapshot, not the API's later edits), check API keys and
usage plans, and call authorizer and backend actions from the Cloud Functions registry
(`ControlPlane.deployed_actions()`, by "package/action").

Invoke URLs follow NCP's pattern `https://{host}/{apiName}/{stageName}{resourcePath}`
(reference/ncp-platform.md section 3); `GatewayStage.route` matches a request path below the
stage against the snapshot's resource paths, `{name}` taking one segment and `{name+}` the
rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

METHOD_NAMES = ("ANY", "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")


@dataclass(frozen=True)
class GatewayMethod:
    method: str  # ANY | GET | POST | ...
    resource_path: str
    endpoint: str  # "ncp" (Cloud Functions), "http" or "mock"
    action: str | None  # "package/action" ("-/action" outside a package) for "ncp"
    endpoint_config: dict[str, Any]  # the ncpEndPoint/httpEndPoint/mockEndPoint as sent
    authentication: str  # NONE | IAM | AUTHORIZER
    authorizer_id: str | None
    api_key_required: bool
    validation: dict[str, Any]
    description: str = ""


@dataclass(frozen=True)
class GatewayResource:
    resource_id: str
    path: str
    methods: tuple[GatewayMethod, ...]
    cors: dict[str, str] = field(default_factory=dict)

    def method(self, name: str) -> GatewayMethod | None:
        """The method for an HTTP method name (an ANY method answers every name)."""
        name = name.upper()
        exact = next((m for m in self.methods if m.method == name), None)
        return exact or next((m for m in self.methods if m.method == "ANY"), None)


@dataclass(frozen=True)
class GatewayDeployment:
    number: int
    description: str
    deployed_at: str  # ISO 8601
    resources: tuple[GatewayResource, ...]


@dataclass(frozen=True)
class GatewayStage:
    stage_id: str
    name: str
    api_id: str
    api_name: str
    product_id: str
    host: str  # the invoke host, e.g. "<invokeId>.apigw.ntruss.com"
    endpoint_domain: str
    deployment: GatewayDeployment | None  # what the stage serves; None before any deploy
    usage_plan_ids: tuple[str, ...]
    rate_rps: int | None
    day_quota: int | None
    month_quota: int | None
    settings: dict[str, Any]  # cacheTtlSec, throttleRps, ipAclCode, isMaintenance, ...

    @property
    def base_path(self) -> str:
        """The invoke path of the stage: `/{apiName}/{stageName}`."""
        return f"/{self.api_name}/{self.name}"

    @property
    def resources(self) -> tuple[GatewayResource, ...]:
        return self.deployment.resources if self.deployment else ()

    def route(
        self, http_method: str, path: str
    ) -> tuple[GatewayResource, GatewayMethod, dict[str, str]] | None:
        """The deployed resource and method serving `http_method path` (path below the
        stage, e.g. "/api/trades/1"), with the path parameters; None when nothing matches.
        Literal segments win over `{name}`, and `{name}` over `{name+}`."""
        wanted = [s for s in path.split("/") if s]
        best: tuple[tuple[int, ...], GatewayResource, GatewayMethod, dict[str, str]] | None = None
        for resource in self.resources:
            found = _match([s for s in resource.path.split("/") if s], wanted)
            if found is None:
                continue
            method = resource.method(http_method)
            if method is None:
                continue
            rank, params = found
            if best is None or rank > best[0]:
                best = (rank, resource, method, params)
        return None if best is None else best[1:]


def _match(pattern: list[str], wanted: list[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
    params: dict[str, str] = {}
    rank: list[int] = []
    for index, segment in enumerate(pattern):
        if segment.startswith("{") and segment.endswith("+}"):
            rest = wanted[index:]
            if not rest:
                return None
            params[segment[1:-2]] = "/".join(rest)
            rank.append(0)
            return tuple(rank), params
        if index >= len(wanted):
            return None
        if segment.startswith("{") and segment.endswith("}"):
            params[segment[1:-1]] = wanted[index]
            rank.append(1)
        elif segment == wanted[index]:
            rank.append(2)
        else:
            return None
    return (tuple(rank), params) if len(pattern) == len(wanted) else None


@dataclass(frozen=True)
class GatewayApi:
    api_id: str
    name: str
    description: str
    product_id: str
    resources: tuple[GatewayResource, ...]  # the current (undeployed) definition
    stages: tuple[GatewayStage, ...]

    def stage(self, name: str) -> GatewayStage | None:
        return next((s for s in self.stages if s.name == name), None)


@dataclass(frozen=True)
class GatewayProduct:
    product_id: str
    name: str
    description: str
    subscription_code: str  # PUBLIC | PROTECTED
    invoke_id: str
    apis: tuple[GatewayApi, ...]

    def api(self, name: str) -> GatewayApi | None:
        return next((a for a in self.apis if a.name == name), None)


@dataclass(frozen=True)
class GatewayAuthorizer:
    authorizer_id: str
    name: str
    type: str  # CLOUD_FUNCTIONS
    action: str  # "package/action"
    region: str
    payload: tuple[tuple[str, str], ...]  # (HEADER|QUERY, name) forwarded to the action
    cache_ttl_sec: int | None


@dataclass(frozen=True)
class GatewayUsagePlan:
    usage_plan_id: str
    name: str
    rate_rps: int | None
    day_quota: int | None
    month_quota: int | None
    quota_condition: str | None
    stage_ids: tuple[str, ...]


@dataclass(frozen=True)
class GatewayApiKey:
    api_key_id: str
    name: str
    enabled: bool
    primary_key: str
    secondary_key: str
    subscriptions: dict[str, str]  # productId -> REQUEST | ACCEPTED | REJECTED | ...
    stage_usage_plans: dict[str, str]  # stageId -> usagePlanId

    def accepted_for(self, product_id: str) -> bool:
        return self.enabled and self.subscriptions.get(product_id) == "ACCEPTED"

    def matches(self, value: str) -> bool:
        return value in (self.primary_key, self.secondary_key)


@dataclass(frozen=True)
class DeployedGateway:
    products: tuple[GatewayProduct, ...]
    authorizers: tuple[GatewayAuthorizer, ...]
    usage_plans: tuple[GatewayUsagePlan, ...]
    api_keys: tuple[GatewayApiKey, ...]

    def product(self, name: str) -> GatewayProduct | None:
        return next((p for p in self.products if p.name == name), None)

    def stage(self, product: str, api: str, stage: str) -> GatewayStage | None:
        """The stage by the names the deploy tool used."""
        found_product = self.product(product)
        found_api = found_product.api(api) if found_product else None
        return found_api.stage(stage) if found_api else None

    def authorizer(self, authorizer_id: str) -> GatewayAuthorizer | None:
        return next((a for a in self.authorizers if a.authorizer_id == authorizer_id), None)

    def api_key(self, value: str) -> GatewayApiKey | None:
        """The API key whose primary or secondary key is `value`."""
        return next((k for k in self.api_keys if k.matches(value)), None)

    def stages(self) -> list[GatewayStage]:
        return [s for p in self.products for a in p.apis for s in a.stages]
