"""The API Gateway in front of the web actions, to and from NCP's API Gateway v1 management API
(`https://apigateway.apigw.ntruss.com/api/v1`; the same control plane as Cloud Functions for
`--env local`).

What to make comes from the `[gateway]` section of each web action's manifest (routes, the
authorizer action, the public routes, credential_limit) and from the deploy env's `[gateway]`
section, every key optional:

    [gateway]
    product = "swaprep"              # the product (gives the invoke domain); default: the package
    subscription = "PROTECTED"       # PUBLIC | PROTECTED (PROTECTED: API keys need approval)
    stage = "v1"                     # letters, digits, _ and -, up to 20
    authorizer_cache_ttl_s = 60      # 1..3600: how long NCP keeps an authorizer's answer
    authorizer_headers = ["Authorization"]   # the headers the authorizer action receives
    namespace = "..."                # only with [ncp.gateway_switches] action_reference =
                                     # "qualified": the account's OpenWhisk namespace

Resources, created in this order after the Cloud Functions package, actions and triggers
(`desired.KINDS`), removed in the reverse one:
- `gateway_authorizer <package>-<action>`: a CLOUD_FUNCTIONS authorizer running the action;
- `gateway_product <product>`;
- `gateway_api <product>/<action>`: one API per web action, named after it;
- `gateway_route <product>/<action> <METHOD> <path>`: one method of one resource, calling the
  web action: every route prefix `/p/*` is `ANY /p/{proxy+}` behind the authorizer, an exact
  route `ANY /p`; every public `METHOD /p` is its own resource with that method and no
  authentication (resources are created parents first; removing the last method of a resource
  removes it and its parents left empty);
- `gateway_stage <product>/<action>/<stage>`: the stage and its deployment. Its spec is what
  the deployed snapshot serves (`routes`, read from the stage tree) and a sha256 over every
  route's settings (`routes_sha256`, carried in the deployment's description, as NCP returns
  no digest), so any route change deploys the API to the stage again;
- `gateway_usage_plan <package>-<action>`: credential_limit as rateRps (rate_per_s rounded
  up: NCP counts whole requests a second), dayQuotaRequest and monthQuotaRequest, associated
  with the stage (`stages`). NCP has no burst and no per-tenant plan: `burst` and
  `tenant_limit` are enforced by the local gateway only.

Creates are POST: every put lists by name first (the list filters match a part of a name, so
names are compared here), and a create refused as a duplicate (a retry of a create whose
answer was lost) reads again and carries on. What is ours: the product named in the env or
described by this tool, its APIs named after a web action or described by this tool, and all
their routes and stages; authorizers and usage plans named as above or described by this tool.

NCP's spec cannot express every manifest route: a resource path segment is letters, digits,
`_`, `-` and `+` only, so a public route such as `GET /api/openapi.json` stays behind the
authorizer (`unexpressible_public` lists them; the plan warns). An authorizer payload name is
letters, digits and `_` only: `X-API-Key` cannot be one.

CORS: a browser's preflight carries no `Authorization` header, so behind the authorizer it
would be refused before reaching the action's own CORS answer; the gateway answers it instead.
Every route's resource carries the console's origin (`[console] origins`) with the methods and
headers of `shared/platform/web.py`'s policy. NCP's `corsAllowOrigin` holds 45 characters: one
origin, so an env naming several is refused here rather than half-applied at NCP.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from swaprep.deploy.desired import Resource
from swaprep.deploy.envfile import DeployEnv, DeployEnvError
from swaprep.local.manifest import ActionManifest
from swaprep.ncp.apigw_spec import CORS_FIELDS
from swaprep.ncp.client import CLOUD_FUNCTIONS_PREFIX, NcpApiError, NcpClient
from swaprep.ncp.switches import GatewaySwitches

log = logging.getLogger("swaprep.deploy.gateway")

GATEWAY_PREFIX = "/api/v1"
MARKER = "swaprep deploy"
PAGE = 100
ENDPOINT_SERVICE_REGION = "KR"
_NAME = re.compile(r"[a-zA-Z0-9_-]{1,20}")  # API, stage and authorizer names (apigw_v1.json)
_PAYLOAD_NAME = re.compile(r"[a-zA-Z0-9_]{1,20}")  # AuthorizerPayloadDto.name
_SEGMENT = re.compile(r"[\w+\-]*\w|\{[\w+\-]*\w+\+?}", re.ASCII)  # one resourcePath segment
_DIGEST = re.compile(r"routes sha256 ([0-9a-f]{64})")
_KEYS = {"product", "subscription", "stage", "authorizer_cache_ttl_s", "authorizer_headers",
         "namespace"}
SUBSCRIPTIONS = ("PUBLIC", "PROTECTED")
DEFAULT_HEADERS = ("Authorization",)
DEFAULT_CACHE_TTL_S = 60
USAGE_PLAN_NAME_CHARS = 20
USAGE_PLAN_DESCRIPTION_CHARS = 50
CORS_ORIGIN_CHARS = 45  # PatchResourceRequest.corsAllowOrigin, Length(Min/Max): 0/45


# -- settings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewaySettings:
    """The deploy env's `[gateway]` section, checked, with its defaults."""

    product: str
    subscription: str
    stage: str
    cache_ttl_s: int
    headers: tuple[str, ...]
    namespace: str | None
    package: str
    region: str
    cloud_functions_url: str
    switches: GatewaySwitches

    @classmethod
    def of(cls, env: DeployEnv) -> GatewaySettings:
        section = env.gateway
        where = f"{env.path}: gateway"
        unknown = sorted(set(section) - _KEYS)
        if unknown:
            raise DeployEnvError(f"{where}.{unknown[0]}: unknown key (known: "
                                 f"{', '.join(sorted(_KEYS))})")
        product = str(section.get("product", env.package))
        if not 0 < len(product) <= 100:
            raise DeployEnvError(f"{where}.product: 1 to 100 characters")
        subscription = str(section.get("subscription", "PROTECTED"))
        if subscription not in SUBSCRIPTIONS:
            raise DeployEnvError(f"{where}.subscription: PUBLIC or PROTECTED (got "
                                 f"{subscription!r})")
        stage = str(section.get("stage", "v1"))
        if not _NAME.fullmatch(stage):
            raise DeployEnvError(f"{where}.stage: letters, digits, _ and -, up to 20 (got "
                                 f"{stage!r})")
        ttl = section.get("authorizer_cache_ttl_s", DEFAULT_CACHE_TTL_S)
        if isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= 3600:
            raise DeployEnvError(f"{where}.authorizer_cache_ttl_s: a whole number of seconds, "
                                 f"1 to 3600 (got {ttl!r})")
        headers = section.get("authorizer_headers", list(DEFAULT_HEADERS))
        if not isinstance(headers, list) or not headers:
            raise DeployEnvError(f"{where}.authorizer_headers: a non-empty list of header "
                                 "names")
        for header in headers:
            if not isinstance(header, str) or not _PAYLOAD_NAME.fullmatch(header):
                raise DeployEnvError(
                    f"{where}.authorizer_headers: {header!r}: NCP takes an authorizer payload "
                    "name of letters, digits and _ only, up to 20 (apigw_v1.json "
                    "AuthorizerPayloadDto.name); settle on a real account whether another "
                    "spelling reaches the authorizer (docs/DEPLOY.md)")
        try:
            switches = GatewaySwitches(**env.ncp.get("gateway_switches", {}))
        except (TypeError, ValueError) as exc:
            raise DeployEnvError(f"{env.path}: ncp.gateway_switches: {exc}") from None
        namespace = section.get("namespace")
        if switches.action_reference == "qualified" and not namespace:
            raise DeployEnvError(f"{where}.namespace: needed with ncp.gateway_switches."
                                 "action_reference = 'qualified'")
        return cls(product=product, subscription=subscription, stage=stage, cache_ttl_s=ttl,
                   headers=tuple(headers), namespace=None if namespace is None else
                   str(namespace), package=env.package,
                   region=str(env.ncp.get("region", ENDPOINT_SERVICE_REGION)),
                   cloud_functions_url=str(env.ncp["cloud_functions_url"]).rstrip("/"),
                   switches=switches)

    @property
    def marker(self) -> str:
        """What this tool writes into the descriptions of what it makes."""
        return f"{MARKER}: package {self.package}"

    def action_reference(self, action: str) -> str:
        """An action as an endpoint's actionName and an authorizer's functionId."""
        if self.switches.action_reference == "qualified":
            return f"/{self.namespace}/{self.package}/{action}"
        return f"{self.package}/{action}"

    def endpoint_url(self, action: str) -> str:
        template = self.switches.endpoint_url_template
        if template:
            return template.format(region=self.region, package=self.package, action=action)
        return f"{self.cloud_functions_url}{CLOUD_FUNCTIONS_PREFIX}/packages/{self.package}/" \
               f"actions/{action}"


# -- what should exist ----------------------------------------------------------------------------


def authorizer_name(settings: GatewaySettings, action: str) -> str:
    return f"{settings.package}-{action}"


def usage_plan_name(settings: GatewaySettings, action: str) -> str:
    return f"{settings.package}-{action}"


def resource_path(route: str) -> str:
    """A manifest route as a resource path: `/api/*` -> `/api/{proxy+}`."""
    if route.endswith("/*"):
        return f"{route[:-2]}/{{proxy+}}"
    return route


def expressible(path: str) -> bool:
    """Whether NCP's resourcePath pattern takes `path`."""
    segments = path.split("/")[1:]
    return path == "/" or all(_SEGMENT.fullmatch(s) for s in segments)


def unexpressible_public(manifest: ActionManifest) -> list[str]:
    """Public routes of `manifest` NCP cannot make a resource of (they stay behind the
    authorizer)."""
    spec = manifest.gateway
    if spec is None:
        return []
    return [f"{method} {path}" for method, path in spec.public
            if not expressible(resource_path(path))]


def gateway_cors(env: DeployEnv) -> dict[str, str]:
    """The CORS fields of every route's resource (all empty when the console has no origin of
    its own: it is then served from the API's origin and needs none)."""
    from shared.platform.web import (
        CORS_ALLOW_HEADERS,
        CORS_ALLOW_METHODS,
        CORS_EXPOSE_HEADERS,
        CORS_MAX_AGE_S,
    )
    from swaprep.deploy.buckets import console_origins

    origins = console_origins(env)
    if not origins:
        return dict.fromkeys(CORS_FIELDS, "")
    if len(origins) > 1 or len(origins[0]) > CORS_ORIGIN_CHARS:
        raise DeployEnvError(
            f"{env.path}: console.origins: NCP's API Gateway takes one CORS origin of up to "
            f"{CORS_ORIGIN_CHARS} characters per resource (corsAllowOrigin in apigw_v1.json); "
            f"got {', '.join(origins)}. Serve the console from one domain (the CDN's)")
    return {"corsAllowOrigin": origins[0], "corsAllowMethods": ",".join(CORS_ALLOW_METHODS),
            "corsAllowHeaders": ",".join(CORS_ALLOW_HEADERS),
            "corsExposeHeaders": ",".join(CORS_EXPOSE_HEADERS),
            "corsMaxAge": str(CORS_MAX_AGE_S),
            # The console sends a bearer token, never cookies.
            "corsAllowCredentials": "false"}


def routes_digest(routes: Iterable[Resource]) -> str:
    """The sha256 over every route's method, path and settings."""
    rows = sorted([r.name.split(" ", 1)[1], r.spec] for r in routes)
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def _limit_spec(limit: Any) -> dict[str, Any]:
    rate = limit.rate_per_s
    return {"rate_rps": None if rate is None else max(1, math.ceil(rate)),
            "day_quota": limit.quota_per_day, "month_quota": limit.quota_per_month}


def gateway_resources(env: DeployEnv, manifests: Mapping[str, ActionManifest]) -> list[Resource]:
    """The gateway resources of every web action with a `[gateway]` section, in creation
    order; none when no action has one."""
    fronted = [manifests[n] for n in sorted(manifests)
               if manifests[n].web and manifests[n].gateway is not None]
    if not fronted:
        return []
    settings = GatewaySettings.of(env)
    cors = gateway_cors(env)
    authorizers: list[Resource] = []
    product = Resource("gateway_product", settings.product,
                       {"subscription": settings.subscription})
    rest: list[Resource] = []
    for manifest in fronted:
        spec = manifest.gateway
        assert spec is not None
        if not _NAME.fullmatch(manifest.name):
            raise DeployEnvError(f"{manifest.path}: the action name {manifest.name!r} is the "
                                 "API's name: letters, digits, _ and -, up to 20")
        authorizer = None
        if spec.authorizer:
            authorizer = authorizer_name(settings, spec.authorizer)
            if not _NAME.fullmatch(authorizer):
                raise DeployEnvError(f"{manifest.path}/action.toml: gateway.authorizer: the "
                                     f"authorizer's name {authorizer!r} must be letters, "
                                     "digits, _ and -, up to 20")
            if all(a.name != authorizer for a in authorizers):
                authorizers.append(Resource("gateway_authorizer", authorizer, {
                    "function_id": settings.action_reference(spec.authorizer),
                    "region": settings.region,
                    "payload": [f"HEADER {h}" for h in settings.headers],
                    "cache_ttl_s": settings.cache_ttl_s},
                    depends_on=(f"action:{spec.authorizer}",)))
        api = f"{settings.product}/{manifest.name}"
        rest.append(Resource("gateway_api", api, {"product": settings.product},
                             depends_on=(product.key,)))
        target = settings.action_reference(manifest.name)
        url = settings.endpoint_url(manifest.name)
        guarded = {"action": target, "authentication": "AUTHORIZER" if authorizer else "NONE",
                   "authorizer": authorizer, "api_key_required": False, "cors": cors}
        wanted: dict[str, dict[str, Any]] = {}
        for route in spec.routes:
            wanted[f"ANY {resource_path(route)}"] = guarded
        for method, path in spec.public:
            if expressible(resource_path(path)):
                wanted[f"{method} {resource_path(path)}"] = {**guarded, "authentication": "NONE",
                                                             "authorizer": None}
        needs = (f"gateway_api:{api}", f"action:{manifest.name}",
                 *([f"gateway_authorizer:{authorizer}"] if authorizer else []))
        routes = [Resource("gateway_route", f"{api} {route}", dict(route_spec),
                           depends_on=needs, extra={"url": url})
                  for route, route_spec in sorted(wanted.items())]
        rest.extend(routes)
        stage = f"{api}/{settings.stage}"
        rest.append(Resource("gateway_stage", stage, {
            "routes": sorted(wanted), "routes_sha256": routes_digest(routes)},
            depends_on=tuple(r.key for r in routes)))
        if spec.credential_limit is not None:
            plan = usage_plan_name(settings, manifest.name)
            if len(plan) > USAGE_PLAN_NAME_CHARS:
                raise DeployEnvError(f"{manifest.path}: the usage plan's name {plan!r} "
                                     f"(<package>-<action>) is over {USAGE_PLAN_NAME_CHARS} "
                                     "characters")
            rest.append(Resource("gateway_usage_plan", plan, {
                **_limit_spec(spec.credential_limit), "stages": [stage]},
                depends_on=(f"gateway_stage:{stage}",)))
    return [*authorizers, product, *rest]


# -- NCP's API Gateway v1 -------------------------------------------------------------------------


@dataclass
class GatewayApi:
    """Reads and writes the gateway resources over NCP's API Gateway v1 management API."""

    client: NcpClient
    settings: GatewaySettings
    _authorizer_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_env(cls, env: DeployEnv) -> GatewayApi | None:
        """None when the env names no `ncp.api_gateway_url`."""
        url = env.ncp.get("api_gateway_url")
        if not url:
            return None
        client = NcpClient(str(url), str(env.ncp["access_key"]), str(env.ncp["secret_key"]))
        return cls(client, GatewaySettings.of(env))

    @property
    def switches(self) -> GatewaySwitches:
        return self.settings.switches

    # -- requests ---------------------------------------------------------------------------

    def _call(self, method: str, path: str, query: dict[str, Any] | None = None,
              body: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.client.request(method, GATEWAY_PREFIX + path, query=query, body=body) or {}

    def _pages(self, path: str, items: Callable[[dict[str, Any]], tuple[list[Any], int]],
               query: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            answer = self._call("GET", path, query={**(query or {}), "offset": offset,
                                                     "limit": PAGE})
            found, total = items(answer)
            yield from found
            offset += len(found)
            if not found or len(found) < PAGE or offset >= total:
                return

    def _ours(self, description: str | None) -> bool:
        text = description or ""
        marker = self.settings.marker
        return text == marker or text.startswith(marker + ";") \
            or text == marker[:USAGE_PLAN_DESCRIPTION_CHARS]

    def _create(self, path: str, body: dict[str, Any], found: Callable[[], str | None],
                created: Callable[[dict[str, Any]], str]) -> tuple[str, bool]:
        """(id, True) of what a POST made, or (id, False) of what it found under that name
        after a duplicate-name refusal (a retry of a create whose answer was lost)."""
        try:
            return created(self._call("POST", path, body=body)), True
        except NcpApiError as exc:
            if exc.status != self.switches.duplicate_name_status:
                raise
            ident = found()
            if ident is None:
                raise
            log.info("POST %s%s: already there (%s); reading it", GATEWAY_PREFIX, path,
                     exc.message)
            return ident, False

    # -- lookups by name --------------------------------------------------------------------

    def _authorizers(self) -> list[dict[str, Any]]:
        listed = list(self._pages("/authorizers",
                                  lambda a: (a.get("authorizers") or [], a.get("total") or 0)))
        self._authorizer_names = {a["authorizerId"]: a["authorizerName"] for a in listed}
        return listed

    def _authorizer_id(self, name: str) -> str | None:
        return next((a["authorizerId"] for a in self._authorizers()
                     if a["authorizerName"] == name), None)

    def _products(self, name: str | None = None) -> list[dict[str, Any]]:
        def page(answer: dict[str, Any]) -> tuple[list[Any], int]:
            found = answer.get("productPage") or {}
            return found.get("content") or [], found.get("total") or 0

        query = {"productName": name} if name else None
        return [p for p in self._pages("/products", page, query)
                if name is None or p["productName"] == name]

    def _product_id(self, name: str) -> str | None:
        return next((p["productId"] for p in self._products(name)), None)

    def _apis(self, product_id: str, name: str | None = None) -> list[dict[str, Any]]:
        query = {"apiName": name} if name else None
        return [a for a in self._pages(f"/products/{product_id}/apis",
                                       lambda a: (a.get("apis") or [], a.get("total") or 0),
                                       query)
                if name is None or a["apiName"] == name]

    def _api_base(self, api: str) -> str:
        """`/products/{p}/apis/{a}` of `<product>/<api>`."""
        product, name = api.split("/", 1)
        product_id = self._product_id(product)
        found = self._apis(product_id, name) if product_id else []
        if not found:
            raise DeployEnvError(f"API Gateway: no API {name!r} in product {product!r} (it "
                                 "is created before its routes and stages)")
        return f"/products/{product_id}/apis/{found[0]['apiId']}"

    def _resources(self, base: str) -> dict[str, dict[str, Any]]:
        listed = self._call("GET", f"{base}/resources").get("resourceList") or []
        return {r["resourcePath"]: r for r in listed}

    def _stages(self, base: str) -> list[dict[str, Any]]:
        return self._call("GET", f"{base}/stages").get("stages") or []

    def _stage_id(self, base: str, name: str) -> str | None:
        return next((s["stageId"] for s in self._stages(base) if s["stageName"] == name), None)

    def _stage_path(self, stage: str) -> str:
        """`/products/{p}/apis/{a}/stages/{s}` of `<product>/<api>/<stage>`."""
        api, name = stage.rsplit("/", 1)
        base = self._api_base(api)
        stage_id = self._stage_id(base, name)
        if stage_id is None:
            raise DeployEnvError(f"API Gateway: no stage {stage!r} (it is created before its "
                                 "usage plan)")
        return f"{base}/stages/{stage_id}"

    def _usage_plans(self, stage_id: str) -> list[dict[str, Any]]:
        # NCP lists usage plans only for a stage (stageId is required): all of the account's,
        # each marked whether it is associated with that stage.
        return list(self._pages("/usage-plans",
                                lambda a: (a.get("usagePlans") or [], a.get("total") or 0),
                                {"stageId": stage_id}))

    # -- reading ----------------------------------------------------------------------------

    def read(self, wanted: Iterable[Resource] = ()) -> list[Resource]:
        """What exists and is ours, as resources comparable with the desired ones; `wanted`
        names what to adopt by name (made by hand, or before this tool marked it)."""
        names = {r.key for r in wanted}
        found: list[Resource] = []
        for summary in self._authorizers():
            name = summary["authorizerName"]
            if f"gateway_authorizer:{name}" in names \
                    or self._ours(summary.get("authorizerDescription")):
                found.append(self._authorizer_resource(
                    self._call("GET", f"/authorizers/{summary['authorizerId']}")))
        stage_ids: list[str] = []
        for product in self._products():
            name = product["productName"]
            if f"gateway_product:{name}" not in names \
                    and not self._ours(product.get("productDescription")):
                continue
            product_id = product["productId"]
            found.append(Resource("gateway_product", name,
                                  {"subscription": product.get("subscriptionCode")},
                                  extra={"product_id": product_id}))
            for api in self._apis(product_id):
                key = f"{name}/{api['apiName']}"
                if f"gateway_api:{key}" not in names and not self._ours(api.get("apiDescription")):
                    continue
                ids = {"product_id": product_id, "api_id": api["apiId"]}
                found.append(Resource("gateway_api", key, {"product": name}, extra=ids))
                base = f"/products/{product_id}/apis/{api['apiId']}"
                found.extend(self._route_resources(key, base, ids))
                for stage in self._stages(base):
                    found.append(self._stage_resource(key, base, stage, ids))
                    stage_ids.append(stage["stageId"])
        if stage_ids:
            for summary in self._usage_plans(stage_ids[0]):
                name = summary["usagePlanName"]
                view = self._call("GET", f"/usage-plans/{summary['usagePlanId']}").get(
                    "usagePlan") or {}
                if f"gateway_usage_plan:{name}" in names \
                        or self._ours(view.get("usagePlanDescription")):
                    found.append(self._usage_plan_resource(view))
        return found

    def _authorizer_resource(self, view: dict[str, Any]) -> Resource:
        config = view.get("authorizerConfig") or {}
        spec = {"function_id": config.get("functionId"), "region": config.get("region"),
                "payload": [f"{p.get('in')} {p.get('name')}" for p in config.get("payload") or []],
                "cache_ttl_s": view.get("cacheTtlSec")}
        return Resource("gateway_authorizer", view["authorizerName"], spec,
                        extra={"authorizer_id": view["authorizerId"]})

    def _route_resources(self, api: str, base: str, ids: dict[str, str]) -> list[Resource]:
        routes = []
        for path, resource in sorted(self._resources(base).items()):
            where = f"{base}/resources/{resource['resourceId']}/methods"
            for method in self._call("GET", where).get("methods") or []:
                endpoint = method.get("ncpEndPoint") or {}
                auth = method.get("authentication") or {}
                authorizer = auth.get("authorizerId")
                spec = {"action": endpoint.get("actionName"),
                        "authentication": auth.get("platform"),
                        "authorizer": self._authorizer_names.get(authorizer, authorizer)
                        if authorizer else None,
                        "api_key_required": bool((method.get("requiredApiKey") or {})
                                                 .get("required")),
                        "cors": {name: str(resource.get(name) or "") for name in CORS_FIELDS}}
                routes.append(Resource("gateway_route", f"{api} {method['methodName']} {path}",
                                       spec, extra={**ids, "resource_id": resource["resourceId"],
                                                    "path": path,
                                                    "method": method["methodName"]}))
        return routes

    def _stage_resource(self, api: str, base: str, stage: dict[str, Any],
                        ids: dict[str, str]) -> Resource:
        served = sorted(f"{m['methodName']} {r['resourcePath']}"
                        for r in stage.get("resourceDtos") or [] for m in r.get("methods") or [])
        digest = None
        number = stage.get("defaultDeploymentNo")
        if number is not None:
            where = f"{base}/stages/{stage['stageId']}/deployments"
            for deployment in self._pages(where, lambda a: (a.get("content") or [],
                                                            a.get("total") or 0)):
                if deployment.get("stageDeploymentNo") == number:
                    match = _DIGEST.search(deployment.get("deploymentDescription") or "")
                    digest = match.group(1) if match else None
                    break
        return Resource("gateway_stage", f"{api}/{stage['stageName']}",
                        {"routes": served, "routes_sha256": digest},
                        extra={**ids, "stage_id": stage["stageId"]})

    def _usage_plan_resource(self, view: dict[str, Any]) -> Resource:
        plan_id = view["usagePlanId"]
        rows = list(self._pages(f"/usage-plans/{plan_id}/stages",
                                lambda a: (a.get("stages") or [], a.get("total") or 0)))
        spec = {"rate_rps": view.get("rateRps"), "day_quota": view.get("dayQuotaRequest"),
                "month_quota": view.get("monthQuotaRequest"),
                "stages": sorted(f"{r['productName']}/{r['apiName']}/{r['stageName']}"
                                 for r in rows)}
        return Resource("gateway_usage_plan", view["usagePlanName"], spec,
                        extra={"usage_plan_id": plan_id, "stage_paths": [
                            f"/products/{r['productId']}/apis/{r['apiId']}/stages/"
                            f"{r['stageId']}" for r in rows]})

    # -- writing ----------------------------------------------------------------------------

    def put(self, resource: Resource) -> None:
        getattr(self, f"_put_{resource.kind.removeprefix('gateway_')}")(resource)

    def delete(self, resource: Resource) -> None:
        try:
            getattr(self, f"_delete_{resource.kind.removeprefix('gateway_')}")(resource)
        except NcpApiError as exc:
            if exc.status != 404:
                raise
            log.info("%s %s: already gone (%s)", resource.kind, resource.name, exc)

    def _put_authorizer(self, resource: Resource) -> None:
        spec = resource.spec
        body = {"authorizerName": resource.name,
                "authorizerDescription": f"{self.settings.marker}; runs {spec['function_id']}",
                "authorizerType": "CLOUD_FUNCTIONS",
                "authorizerConfig": {"region": spec["region"], "functionId": spec["function_id"],
                                     "payload": [dict(zip(("in", "name"), p.split(" ", 1),
                                                          strict=True))
                                                 for p in spec["payload"]]},
                "cacheTtlSec": spec["cache_ttl_s"]}
        ident = self._authorizer_id(resource.name)
        if ident is None:
            ident, made = self._create("/authorizers", body,
                                       lambda: self._authorizer_id(resource.name),
                                       lambda answer: answer["authorizerId"])
            if made:
                return
        self._call("PUT", f"/authorizers/{ident}", body=body)

    def _put_product(self, resource: Resource) -> None:
        body = {"productName": resource.name, "subscriptionCode": resource.spec["subscription"],
                "description": self.settings.marker}
        ident = self._product_id(resource.name)
        if ident is None:
            ident, made = self._create("/products", body,
                                       lambda: self._product_id(resource.name),
                                       lambda answer: answer["product"]["productId"])
            if made:
                return
        self._call("PATCH", f"/products/{ident}", body=body)

    def _put_api(self, resource: Resource) -> None:
        product, name = resource.name.split("/", 1)
        product_id = self._product_id(product)
        if product_id is None:
            raise DeployEnvError(f"API Gateway: no product {product!r} (it is created before "
                                 "its APIs)")
        description = f"{self.settings.marker}; web action {name}"

        def existing() -> str | None:
            return next((a["apiId"] for a in self._apis(product_id, name)), None)

        ident = existing()
        if ident is None:
            ident, made = self._create(f"/products/{product_id}/apis",
                                       {"apiName": name, "apiDescription": description},
                                       existing, lambda answer: answer["api"]["apiId"])
            if made:
                return
        self._call("PATCH", f"/products/{product_id}/apis/{ident}",
                   body={"apiDescription": description})

    def _ensure_resource(self, base: str, path: str) -> str:
        """The id of the resource at `path`, made with its missing parents, parents first."""
        segments = [s for s in path.split("/") if s]
        chain = ["/" + "/".join(segments[:i]) for i in range(1, len(segments) + 1)] or ["/"]
        known = self._resources(base)
        for step in chain:
            if step in known:
                continue

            def existing(step: str = step) -> str | None:
                found = self._resources(base).get(step)
                return found["resourceId"] if found else None

            ident, _ = self._create(f"{base}/resources", {"resourcePath": step}, existing,
                                    lambda answer: answer["resource"]["resourceId"])
            known[step] = {"resourceId": ident, "resourcePath": step}
        return known[path]["resourceId"]

    def _method_body(self, resource: Resource, method: str) -> dict[str, Any]:
        spec = resource.spec
        authentication: dict[str, Any] = {"platform": spec["authentication"]}
        if spec["authorizer"]:
            ident = self._authorizer_id(spec["authorizer"])
            if ident is None:
                raise DeployEnvError(f"API Gateway: no authorizer {spec['authorizer']!r} (it "
                                     "is created before the routes that use it)")
            authentication["authorizerId"] = ident
        return {"methodName": method,
                "ncpEndPoint": {"service": self.switches.ncp_endpoint_service,
                                "region": self.settings.region, "actionId": spec["action"],
                                "actionName": spec["action"], "stream": False,
                                "url": resource.extra.get("url") or self.settings.endpoint_url(
                                    spec["action"].rsplit("/", 1)[-1])},
                "authentication": authentication,
                "requiredApiKey": {"required": spec["api_key_required"]},
                "validation": {"type": "NONE"},
                "methodDescription": self.settings.marker}

    def _put_route(self, resource: Resource) -> None:
        api, method, path = resource.name.split(" ", 2)
        base = self._api_base(api)
        resource_id = self._ensure_resource(base, path)
        cors = resource.spec["cors"]
        current = self._resources(base)[path]
        if any(str(current.get(name) or "") != cors[name] for name in CORS_FIELDS):
            self._call("PATCH", f"{base}/resources/{resource_id}", body=cors)
        where = f"{base}/resources/{resource_id}/methods"
        body = self._method_body(resource, method)
        patch = {k: v for k, v in body.items() if k != "methodName"}

        def existing() -> str | None:
            methods = self._call("GET", where).get("methods") or []
            return method if any(m["methodName"] == method for m in methods) else None

        if existing() is None:
            _, made = self._create(where, body, existing, lambda answer: method)
            if made:
                return
        self._call("PATCH", f"{where}/{method}", body=patch)

    def _put_stage(self, resource: Resource) -> None:
        api, name = resource.name.rsplit("/", 1)
        base = self._api_base(api)
        ident = self._stage_id(base, name)
        if ident is None:
            ident, _ = self._create(f"{base}/stages", {"stageName": name,
                                                       "endpointDomain": "NONE"},
                                    lambda: self._stage_id(base, name),
                                    lambda answer: answer["stage"]["stageId"])
        self._call("POST", f"{base}/deploy", body={
            "stageId": ident, "deploymentDescription":
                f"{self.settings.marker}; routes sha256 {resource.spec['routes_sha256']}"})

    def _put_usage_plan(self, resource: Resource) -> None:
        spec = resource.spec
        stages = {stage: self._stage_path(stage) for stage in spec["stages"]}
        any_stage = next(iter(stages.values())).rsplit("/", 1)[-1]
        body = {"usagePlanName": resource.name,
                "usagePlanDescription": self.settings.marker[:USAGE_PLAN_DESCRIPTION_CHARS],
                "rateRps": spec["rate_rps"], "dayQuotaRequest": spec["day_quota"],
                "monthQuotaRequest": spec["month_quota"]}
        body = {k: v for k, v in body.items() if v is not None}

        def existing() -> str | None:
            return next((p["usagePlanId"] for p in self._usage_plans(any_stage)
                         if p["usagePlanName"] == resource.name), None)

        ident = existing()
        if ident is None:
            ident, made = self._create("/usage-plans", body, existing,
                                       lambda answer: answer["usagePlan"]["usagePlanId"])
            if not made:
                self._call("PUT", f"/usage-plans/{ident}", body=body)
        else:
            self._call("PUT", f"/usage-plans/{ident}", body=body)
        rows = list(self._pages(f"/usage-plans/{ident}/stages",
                                lambda a: (a.get("stages") or [], a.get("total") or 0)))
        associated = {f"/products/{r['productId']}/apis/{r['apiId']}/stages/{r['stageId']}"
                      for r in rows}
        for path in sorted(associated - set(stages.values())):
            self._call("POST", f"{path}/disassociate-usage-plan", body={"usagePlanId": ident})
        for path in sorted(set(stages.values()) - associated):
            self._call("POST", f"{path}/associate-usage-plan", body={"usagePlanId": ident})

    # -- removing: what uses a thing goes before it ------------------------------------------

    def _delete_usage_plan(self, resource: Resource) -> None:
        ident = resource.extra.get("usage_plan_id")
        if ident is None:
            return
        rows = list(self._pages(f"/usage-plans/{ident}/stages",
                                lambda a: (a.get("stages") or [], a.get("total") or 0)))
        for row in rows:
            self._call("POST", f"/products/{row['productId']}/apis/{row['apiId']}/stages/"
                       f"{row['stageId']}/disassociate-usage-plan", body={"usagePlanId": ident})
        self._call("DELETE", f"/usage-plans/{ident}")

    def _delete_stage(self, resource: Resource) -> None:
        extra = resource.extra
        self._call("DELETE", f"/products/{extra['product_id']}/apis/{extra['api_id']}/stages/"
                   f"{extra['stage_id']}")

    def _delete_route(self, resource: Resource) -> None:
        extra = resource.extra
        base = f"/products/{extra['product_id']}/apis/{extra['api_id']}"
        try:
            self._call("DELETE", f"{base}/resources/{extra['resource_id']}/methods/"
                       f"{extra['method']}")
        except NcpApiError as exc:
            if exc.status != 404:
                raise
        self._prune(base, extra["path"])

    def _prune(self, base: str, path: str) -> None:
        """Remove the resource at `path` and then its parents, while they hold no method and
        no other resource."""
        known = self._resources(base)
        while path not in ("", "/"):
            here = known.get(path)
            if here is not None:
                below = [p for p in known if p.startswith(path.rstrip("/") + "/")]
                if here.get("methods") or below:
                    return
                self._call("DELETE", f"{base}/resources/{here['resourceId']}")
                del known[path]
            path = path.rsplit("/", 1)[0]

    def _delete_api(self, resource: Resource) -> None:
        extra = resource.extra
        base = f"/products/{extra['product_id']}/apis/{extra['api_id']}"
        # Resources left without methods (parents, or an apply cut short between a resource
        # and its method) go first, deepest first; anything else still there is refused by
        # NCP with its name.
        for path in sorted(self._resources(base), key=lambda p: -p.count("/")):
            self._prune(base, path)
        self._call("DELETE", base)

    def _delete_product(self, resource: Resource) -> None:
        self._call("DELETE", f"/products/{resource.extra['product_id']}")

    def _delete_authorizer(self, resource: Resource) -> None:
        self._call("DELETE", f"/authorizers/{resource.extra['authorizer_id']}")
