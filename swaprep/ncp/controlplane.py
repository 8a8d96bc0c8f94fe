"""A local, stateful stand-in for NCP's Cloud Functions v2 and API Gateway v1 management
APIs, on loopback, one server for both.

    with ControlPlane(state_path, access_key, secret_key) as plane:
        client = NcpClient(plane.url, access_key, secret_key)
        client.request("PUT", "/ncf/api/v2/packages/swaprep", query={"platform": "vpc"},
                       body={"description": "..."})

Serves under `/ncf/api/v2`, as https://cloudfunctions.apigw.ntruss.com does:
- `GET /packages`; `PUT|GET|DELETE /packages/{pkg}`;
- `GET /packages/{pkg}/actions`; `PUT|GET|DELETE /packages/{pkg}/actions/{action}`
  (`?type=basic|web|sequence|sequence-web`, `?platform=vpc|classic`, `?code=true|false`);
- `POST /packages/{pkg}/actions/{action}` (`?timeout=0..60000` ms): Post Action, run by the
  `invoker` the plane was given (the deployed zip on a local function host);
- `GET /triggers`; `PUT|GET|DELETE /triggers/{name}` (`?type=cron|object_storage`);
  `POST|DELETE /triggers/{name}/link-action` `{"action", "package"}`.
Serves under `/api/v1`, as https://apigateway.apigw.ntruss.com does, NCP's API Gateway v1
management API as its OpenAPI description (apigw_v1.json) has it: products, APIs, resources
and methods (Cloud Functions endpoints), authorizers, stages and deploys, usage plans, API
keys (`gateway.py` lists the operations; `deployed_gateway()` is what the local stack reads).
Serves `POST /api/v1/purge`, as https://edge.apigw.ntruss.com does: Global Edge's purge of the
edges it is given (`edge.py`; `deployed_purges()` lists what was purged).
Every request must carry a valid signature v2 for the configured key pair and a timestamp
less than 5 minutes off (401 otherwise); bodies are checked against the documented limits
(`validation.py`) and the open questions are settled by `switches.py`. Errors come as
`{"error": {"errorCode", "message", "details"}}`. State lives in a JSON file, zips beside it
(`state.py`), so a restart keeps it; `deployed_actions()` is what the local function host
will read.

TEST-ONLY fault injection, NOT under /ncf or /api and unauthenticated (loopback callers only):
`POST /_faults` `{"status": 429|500|502|503|504, "count": N, "path_prefix": "/ncf/...",
"retry_after": seconds}` answers the next N matching requests with that error, and
`{"drop": N, "path_prefix": ...}` closes the next N connections without an answer (with
`"after_work": true`, after doing the work: the answer is lost, not the request);
`GET /_faults` lists what is pending, `DELETE /_faults` clears it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from swaprep.local.httpd import BodyTooLarge, LoopbackServer, QuietHandler
from swaprep.ncp import validation as v
from swaprep.ncp.apigw_spec import PREFIX as GATEWAY_PREFIX
from swaprep.ncp.edge import EdgeControl, Purge
from swaprep.ncp.gateway import GatewayControl
from swaprep.ncp.gateway_wiring import DeployedGateway
from swaprep.ncp.registry import DeployedAction, DeployedTrigger, Registry
from swaprep.ncp.signing import SignatureRejected, verify_request
from swaprep.ncp.state import StateStore
from swaprep.ncp.switches import (
    DEFAULT_GATEWAY_SWITCHES,
    DEFAULT_SWITCHES,
    GatewaySwitches,
    Switches,
)

log = logging.getLogger("swaprep.ncp.controlplane")

API_PREFIX = "/ncf/api/v2"
INVOKE_WAIT_MAX_MS = 60_000  # Post Action's `timeout` query: 0-60,000 ms, default 60,000
# Runs a deployed action with parameters, waiting up to the seconds given: (activation id,
# the finished activation or None). swaprep.local.deployed.DeployedRunner is the local one.
Invoker = Callable[[DeployedAction, dict[str, Any], float], tuple[str, Any]]
FAULTS_PATH = "/_faults"
FAULT_STATUSES = frozenset({429, 500, 502, 503, 504})
METHOD_NOT_ALLOWED = v.ErrorCode(405, "100", "Method Not Allowed")
_LOOPBACK_CLIENTS = frozenset({"127.0.0.1", "::1"})
_FAULT_ERRORS = {  # what NCP's API Gateway answers with each status
    429: v.RATE_LIMITED, 500: v.UNEXPECTED_ERROR, 502: v.ENDPOINT_ERROR,
    503: v.ENDPOINT_ERROR, 504: v.ErrorCode(504, "510", "Endpoint Timeout"),
}


class FaultPlan:
    """Pending injected faults, consumed in order by the requests they match."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[dict[str, Any]] = []

    def add(self, spec: dict[str, Any]) -> dict[str, Any]:
        v.check_fields(spec, {"status", "count", "path_prefix", "retry_after", "drop",
                              "after_work"})
        prefix = spec.get("path_prefix", "/ncf/")
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise v.invalid("path_prefix", "must be a path starting with '/'")
        drop = spec.get("drop")
        if drop is not None:
            if "status" in spec or "count" in spec:
                raise v.invalid("drop", "cannot be combined with status or count")
            after_work = spec.get("after_work", False)
            if not isinstance(after_work, bool):
                raise v.invalid("after_work", "must be true or false")
            fault = {"drop": True, "remaining": _positive(drop, "drop"), "path_prefix": prefix,
                     "after_work": after_work}
        else:
            status = spec.get("status")
            if status not in FAULT_STATUSES:
                raise v.invalid("status", f"must be one of {sorted(FAULT_STATUSES)}")
            retry_after = spec.get("retry_after")
            if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(
                    retry_after, int | float) or retry_after < 0):
                raise v.invalid("retry_after", "must be a number of seconds")
            if "after_work" in spec:
                raise v.invalid("after_work", "goes with drop only")
            fault = {"drop": False, "status": status, "path_prefix": prefix,
                     "remaining": _positive(spec.get("count", 1), "count"),
                     "retry_after": retry_after}
        with self._lock:
            self._pending.append(fault)
        return dict(fault)

    def take(self, path: str) -> dict[str, Any] | None:
        with self._lock:
            for fault in self._pending:
                if path.startswith(fault["path_prefix"]):
                    fault["remaining"] -= 1
                    if fault["remaining"] <= 0:
                        self._pending.remove(fault)
                    return dict(fault)
        return None

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(fault) for fault in self._pending]

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()


def _positive(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise v.invalid(field, "must be a whole number of at least 1")
    return value


_SEGMENT = r"(?P<{}>[^/]+)"
_ROUTES: list[tuple[re.Pattern[str], str, frozenset[str]]] = [
    (re.compile(r"/packages"), "packages", frozenset({"GET"})),
    (re.compile(r"/packages/" + _SEGMENT.format("package")), "package",
     frozenset({"GET", "PUT", "DELETE"})),
    (re.compile(r"/packages/" + _SEGMENT.format("package") + "/actions"), "actions",
     frozenset({"GET"})),
    (re.compile(r"/packages/" + _SEGMENT.format("package") + "/actions/"
                + _SEGMENT.format("action")), "action",
     frozenset({"GET", "PUT", "DELETE", "POST"})),
    (re.compile(r"/triggers"), "triggers", frozenset({"GET"})),
    (re.compile(r"/triggers/" + _SEGMENT.format("trigger")), "trigger",
     frozenset({"GET", "PUT", "DELETE"})),
    (re.compile(r"/triggers/" + _SEGMENT.format("trigger") + "/link-action"), "link",
     frozenset({"POST", "DELETE"})),
]


class _Handler(QuietHandler):
    server_version = "swaprep-ncp-local"
    server: LoopbackServer

    def do_GET(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    @property
    def _plane(self) -> ControlPlane:
        return self.server.context["plane"]

    def _refuse(self, refusal: v.Refusal, headers: dict[str, str] | None = None) -> None:
        self.send_json(refusal.status, refusal.body(), headers)

    def _no_content(self, status: int = 204) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _handle(self) -> None:
        split = urlsplit(self.path)
        try:
            raw = self.read_body(v.max_request_bytes())
        except BodyTooLarge as exc:
            self._refuse(v.Refusal(v.TOO_LARGE, f"body: request of {exc.size} bytes or more "
                                   f"is over the {v.max_request_bytes()}-byte limit",
                                   "field: body"))
            return
        except ValueError:
            self.close_connection = True
            self._refuse(v.Refusal(v.BAD_REQUEST, "body: unreadable request length",
                                   "field: body"))
            return
        if split.path == FAULTS_PATH:
            self._admin(raw)
            return
        if _api_of(split.path) is None:
            self._refuse(v.Refusal(v.ROUTE_NOT_FOUND, f"path: no API at {split.path}",
                                   "field: path"))
            return
        fault = self._plane.faults.take(split.path)
        if fault is not None and not fault.get("after_work"):
            self._inject(fault)
            return
        status, payload = self._answer(split.path, split.query, raw)
        if fault is not None:  # the work is done, the answer is lost
            self._inject(fault)
        elif payload is None:  # 204, or a 200 the spec documents without content
            self._no_content(status)
        else:
            self.send_json(status, payload)

    def _answer(self, path: str, query: str, raw: bytes) -> tuple[int, Any]:
        try:
            self._plane.authenticate(self.command, self.path, self.headers)
            prefix = _api_of(path)
            rest = path[len(prefix or ""):] or "/"
            target = (self._plane.dispatch if prefix == API_PREFIX
                      else self._plane.edge.dispatch if self._plane.edge.handles(rest)
                      else self._plane.gateway.dispatch)
            return target(self.command, rest, parse_qs(query, keep_blank_values=True), raw)
        except SignatureRejected as rejected:
            refusal = v.Refusal(v.AUTHENTICATION_FAILED, f"Authentication Failed: {rejected}",
                                f"field: {rejected.field}")
        except v.Refusal as refused:
            refusal = refused
        except Exception:
            log.exception("%s %s failed", self.command, path)
            refusal = v.Refusal(v.UNEXPECTED_ERROR, "the local control plane failed; see "
                                "its log", "internal")
        return refusal.status, refusal.body()

    def _inject(self, fault: dict[str, Any]) -> None:
        if fault["drop"]:
            # Hang up without a status line: the client sees a dropped connection.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        status = fault["status"]
        error = _FAULT_ERRORS[status]
        headers = ({"Retry-After": f"{fault['retry_after']:g}"}
                   if fault.get("retry_after") is not None else None)
        self._refuse(v.Refusal(error, f"{error.name} (injected fault)", "fault injection"),
                     headers)

    def _admin(self, raw: bytes) -> None:
        if self.client_address[0] not in _LOOPBACK_CLIENTS:
            self._refuse(v.Refusal(v.ErrorCode(403, "210", "Permission Denied"),
                                   "fault injection is for loopback callers only"))
            return
        faults = self._plane.faults
        try:
            if self.command == "POST":
                added = faults.add(v.parse_json_body(raw))
                self.send_json(200, {"added": added, "pending": faults.pending()})
            elif self.command == "GET":
                self.send_json(200, {"pending": faults.pending()})
            elif self.command == "DELETE":
                faults.clear()
                self._no_content()
            else:
                self._refuse(v.Refusal(METHOD_NOT_ALLOWED, f"method: {self.command} is not "
                                       f"allowed on {FAULTS_PATH}"))
        except v.Refusal as refusal:
            self._refuse(refusal)


def _api_of(path: str) -> str | None:
    """The API prefix `path` falls under (Cloud Functions or API Gateway), or None."""
    for prefix in (API_PREFIX, GATEWAY_PREFIX):
        if path == prefix or path.startswith(prefix + "/"):
            return prefix
    return None


class ControlPlane:
    """The local NCP control plane: `start()` returns its base URL (Cloud Functions under
    `/ncf/api/v2`, API Gateway and Global Edge's purge under `/api/v1`), `stop()` ends it;
    also a context manager. `edges` maps the Global Edge ids it knows to what they front.
    `check_responses=True` (tests) checks every API Gateway answer against NCP's spec and
    answers 500 when one does not fit."""

    def __init__(
        self,
        state_path: str | Path,
        access_key: str,
        secret_key: str,
        *,
        switches: Switches = DEFAULT_SWITCHES,
        gateway_switches: GatewaySwitches = DEFAULT_GATEWAY_SWITCHES,
        port: int = 0,
        clock: Callable[[], float] = time.time,
        check_responses: bool = False,
        edges: Mapping[int, str] | None = None,
        invoker: Invoker | None = None,
    ) -> None:
        self.access_key, self._secret_key = access_key, secret_key
        self.switches, self.clock, self._port = switches, clock, port
        self.gateway_switches = gateway_switches
        self.registry = Registry(StateStore(state_path), switches, clock)
        self.gateway = GatewayControl(self.registry, gateway_switches, clock,
                                      check_responses=check_responses)
        self.edge = EdgeControl(edges or {}, clock)
        self.invoker = invoker
        self.faults = FaultPlan()
        self._server: LoopbackServer | None = None

    def __repr__(self) -> str:  # never the secret
        return f"ControlPlane(url={self.url!r}, access_key={self.access_key!r})"

    @property
    def url(self) -> str | None:
        return self._server.url if self._server else None

    def start(self) -> str:
        if self._server is None:
            self._server = LoopbackServer(self._port, _Handler, plane=self)
            self._server.start("ncp-control-plane")
            log.info("NCP control plane on %s (switches: %s; gateway switches: %s)",
                     self._server.url, self.switches.describe(),
                     self.gateway_switches.describe())
        return self._server.url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> ControlPlane:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def authenticate(self, method: str, uri: str, headers: Any) -> None:
        """Raise SignatureRejected unless the request is signed with this plane's key pair
        and a timestamp under 5 minutes off this plane's clock."""
        verify_request(method, uri, headers, access_key=self.access_key,
                       secret_key=self._secret_key, now_ms=int(self.clock() * 1000))

    # -- for the local function host and for tests --------------------------------------------

    def deployed_actions(self) -> list[DeployedAction]:
        """Every deployed action with its stored zip's path and settings."""
        return self.registry.deployed_actions()

    def deployed_triggers(self) -> list[DeployedTrigger]:
        return self.registry.deployed_triggers()

    def deployed_gateway(self) -> DeployedGateway:
        """The API Gateway wiring: products, APIs, stages with what each one serves (its last
        deployment's resources and methods), authorizers, usage plans and API keys."""
        return self.gateway.deployed()

    def deployed_purges(self) -> list[Purge]:
        """The Global Edge purges asked for since this plane started (not kept on disk)."""
        return self.edge.purges()

    def inject_fault(self, **spec: Any) -> None:
        """In-process twin of `POST /_faults` (same keys)."""
        self.faults.add(spec)

    # -- Post Action: run a deployed action ------------------------------------------------

    def _invoke(self, package: str, action: str, platform: str,
                query: dict[str, list[str]], params: dict[str, Any]) -> tuple[int, Any]:
        """Run the deployed zip with `params`; wait up to `?timeout=` ms (0..60,000, default
        60,000) and answer the activation, or its id only when it runs on (as NCP does)."""
        if self.invoker is None:
            raise v.Refusal(v.NOT_EMULATED, "invoking is not emulated by this control plane "
                            "(started without a runner)", "field: method")
        self.registry.get_action(package, action, platform, False)  # exists, on this platform
        raw = (query.get("timeout") or [str(INVOKE_WAIT_MAX_MS)])[-1]
        if not raw.isdigit() or int(raw) > INVOKE_WAIT_MAX_MS:
            raise v.invalid("timeout", f"must be 0 to {INVOKE_WAIT_MAX_MS} milliseconds "
                            f"(got {raw!r})")
        deployed = next(a for a in self.registry.deployed_actions()
                        if (a.package, a.name) == (package, action))
        started = self.clock()
        activation_id, finished = self.invoker(deployed, params, int(raw) / 1000)
        if finished is None:
            return 200, {"content": {"activationId": activation_id}}
        timings = {"activationId": activation_id, "start": int(started * 1000),
                   "end": int(self.clock() * 1000), "duration": finished.duration_ms}
        result = finished.result if finished.result is not None else {
            "error": finished.error or finished.status}
        outcome = {"result": result, "status": finished.status, "success": finished.success}
        if self.switches.invoke_result_nested:
            return 200, {"content": {**timings, "response": outcome}}
        return 200, {"content": {**timings, **outcome}}

    # -- routing ------------------------------------------------------------------------------

    def dispatch(
        self, method: str, path: str, query: dict[str, list[str]], raw: bytes
    ) -> tuple[int, Any]:
        for pattern, route, methods in _ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method not in methods:
                raise v.Refusal(METHOD_NOT_ALLOWED,
                                f"method: {method} is not allowed on {API_PREFIX}{path}")
            names = {key: unquote(value) for key, value in match.groupdict().items()}
            return self._route(route, method, names, query, raw)
        raise v.Refusal(v.ROUTE_NOT_FOUND, f"path: no API at {API_PREFIX}{path}",
                        "field: path")

    def _route(
        self, route: str, method: str, names: dict[str, str], query: dict[str, list[str]],
        raw: bytes,
    ) -> tuple[int, Any]:
        registry = self.registry
        platform = v.platform_of(query)
        body = v.parse_json_body(raw) if method in ("PUT", "POST", "DELETE") else {}
        if route == "packages":
            return 200, {"content": registry.list_packages(platform)}
        if route == "package":
            name = names["package"]
            if method == "PUT":
                return 200, {"content": registry.put_package(name, platform, body)}
            if method == "GET":
                return 200, {"content": registry.get_package(name, platform)}
            registry.delete_package(name, platform)
            return 204, None
        if route == "actions":
            return 200, {"content": registry.list_actions(names["package"], platform)}
        if route == "action":
            package, action = names["package"], names["action"]
            if method == "PUT":
                content = registry.put_action(package, action, platform,
                                              v.action_type_of(query), body)
                return 200, {"content": content}
            if method == "GET":
                include_code = v.bool_query(query, "code")
                return 200, {"content": registry.get_action(package, action, platform,
                                                            include_code)}
            if method == "POST":
                return self._invoke(package, action, platform, query, body)
            registry.delete_action(package, action, platform)
            return 204, None
        if route == "triggers":
            return 200, {"content": registry.list_triggers(platform)}
        if route == "trigger":
            name = names["trigger"]
            if method == "PUT":
                return 200, {"content": registry.put_trigger(
                    name, platform, v.trigger_type_of(query), body)}
            if method == "GET":
                return 200, {"content": registry.get_trigger(name, platform)}
            registry.delete_trigger(name, platform)
            return 204, None
        # link-action
        if method == "POST":
            return 200, {"content": registry.link_action(names["trigger"], platform, body)}
        registry.unlink_action(names["trigger"], platform, body)
        return 204, None
