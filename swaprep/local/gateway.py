"""The local API Gateway: NCP's HTTP-type API Gateway trigger in front of raw-http web actions,
plus the console's static files (what the CDN serves on NCP).

A request whose path matches a web action's `[gateway] routes` (most specific route wins)
becomes that action's arguments, as a raw-http web action receives them:

    __ow_method   lower-case method, e.g. "post"
    __ow_headers  request headers, lower-case names (plus x-request-id)
    __ow_path     the full request path, e.g. "/api/health"
    __ow_query    the raw query string
    __ow_body     base64 of the raw request body ("" when empty)
    __authorizer  the `context` of the route's authorizer result, when the route has one

A route's authorizer runs before its action unless the request is one of the action's
`[gateway] public` routes ("GET /api/health"): those go straight to the action, as resources
and methods without an authorizer do on NCP API Gateway.

The action answers `{statusCode, headers, body}`: body a string, a JSON-serialisable value
(sent as JSON), or base64 when `isBase64Encoded` is true or the content type is not textual
(OpenWhisk's rule). A failed activation becomes 502 with an RFC 9457 problem body. An
authorizer result with statusCode >= 400 is returned as the response (request denied).
Every response carries `X-Request-Id`, taken from the request or generated.

Behaviour NCP API Gateway configures per resource or stage, done here the same way:
- CORS (NCP: the resource's corsAllowOrigin/-Methods/-Headers/-MaxAge): a preflight (OPTIONS
  with Origin and Access-Control-Request-Method) is answered here, never reaching the
  authorizer or the action: 204 with the grants for an origin in config `cors_origins`
  (comma-separated; default: this gateway's own origin), else 403 problem+json. Other answers
  get `Access-Control-Allow-Origin` only for an allowed origin, and always `Vary: Origin`.
- Rate limits (NCP: usage plans): the route's `[gateway] credential_limit` / `tenant_limit`
  (swaprep/local/manifest.py) are enforced after the authorizer, in memory of this process:
  per caller (the authorizer's kind+subject; the client address on public routes and refused
  requests, whose credential is not verified) and per tenant. Beyond them: 429 problem+json
  with `Retry-After`; every limited answer carries `X-RateLimit-Limit/-Remaining/-Reset`.
  Config `gateway_rate_limits = off` turns them off (benchmarks that measure the action).
ETag/304 and gzip are the action's (shared/platform/http_cache.py): NCP's gateway documents
neither, so this gateway passes them through untouched.

Other paths serve `frontend/dist` (index.html at "/"; the SPA uses hash routing, so there is
no fallback), or a page that says the console is not built yet and lists the endpoints.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import html
import json
import mimetypes
import re
import shutil
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from shared.platform.config import Config
from shared.platform.http_cache import add_vary
from shared.platform.ratelimit import Decision, Limit, RateLimiter
from shared.platform.web import CorsPolicy
from swaprep.local.host import PARAMS_LIMIT_BYTES, Host, HostError
from swaprep.local.httpd import BodyTooLarge, LoopbackServer, QuietHandler
from swaprep.local.manifest import GatewaySpec, route_score

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_TEXTUAL = re.compile(
    r"^(text/|application/(json|xml|javascript|x-www-form-urlencoded|problem\+json)|"
    r"[^;]*\+(json|xml)|image/svg\+xml)",
    re.IGNORECASE,
)
_NOT_FORWARDED = {"content-length", "transfer-encoding", "connection", "x-request-id", "vary"}
_NO_BODY = (204, 304)


@dataclass(frozen=True)
class Route:
    pattern: str
    action: str
    authorizer: str | None
    spec: GatewaySpec | None = None

    def authorizer_for(self, method: str, path: str) -> str | None:
        """The authorizer to run for this request: none on the action's public routes."""
        if self.spec is not None and self.spec.is_public(method, path):
            return None
        return self.authorizer


def routes_for(host: Host) -> list[Route]:
    return [
        Route(pattern, manifest.name, manifest.gateway.authorizer, manifest.gateway)
        for manifest in host.actions.values()
        if manifest.web and manifest.gateway
        for pattern in manifest.gateway.routes
    ]


def limit_subjects(
    spec: GatewaySpec | None, context: Any, headers: Mapping[str, str], client: str,
    *, verified: bool,
) -> list[tuple[str, Limit]]:
    """What a request counts against: its caller and its tenant, as the route's plan says.

    A caller is the authorizer's kind+subject (one user or API key however many tokens it
    holds); a verified credential without those fields, by its hash; an unverified one
    (public routes, refusals) by the client address, so made-up credentials cannot dodge it.
    """
    if spec is None:
        return []
    context = context if isinstance(context, dict) else {}
    subjects: list[tuple[str, Limit]] = []
    if spec.credential_limit is not None:
        if verified and context.get("kind") and context.get("subject"):
            caller = f"{context['kind']}:{context['subject']}"
        elif verified and (headers.get("authorization") or headers.get("x-api-key")):
            presented = headers.get("authorization") or headers.get("x-api-key") or ""
            caller = "credential:" + hashlib.sha256(presented.encode()).hexdigest()[:16]
        else:
            caller = f"client:{client}"
        subjects.append((caller, spec.credential_limit))
    tenant = context.get("tenant_id") if verified else None
    if spec.tenant_limit is not None and tenant:
        subjects.append((f"tenant:{tenant}", spec.tenant_limit))
    return subjects


def match_route(routes: list[Route], path: str) -> Route | None:
    best: tuple[int, Route] | None = None
    for route in routes:
        score = route_score(route.pattern, path)
        if score is not None and (best is None or score > best[0]):
            best = (score, route)
    return best[1] if best else None


class _GatewayHandler(QuietHandler):
    server: Gateway

    def _handle(self) -> None:
        self.request_id = self._request_id()
        self.extra_headers: dict[str, str] = {}  # CORS and rate limits, on every answer
        url = urlsplit(self.path)
        route = match_route(self.server.routes, url.path)
        if route is None:
            self._static(url.path)
            return
        lowered = {name.lower(): value for name, value in self.headers.items()}
        cors = self.server.cors
        if CorsPolicy.is_preflight(self.command, lowered):
            self._preflight(lowered)
            return
        self.extra_headers = {"Vary": "Origin", **cors.response_headers(lowered.get("origin"))}
        try:
            body = self.read_body(PARAMS_LIMIT_BYTES)
        except BodyTooLarge as exc:
            self._problem(413, "Payload Too Large", str(exc))
            return
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        headers["x-request-id"] = self.request_id
        headers.setdefault("x-forwarded-for", self.client_address[0])  # as NCP's gateway adds
        args: dict[str, Any] = {
            "__ow_method": self.command.lower(),
            "__ow_headers": headers,
            "__ow_path": url.path,
            "__ow_query": url.query,
            "__ow_body": base64.b64encode(body).decode("ascii"),
        }
        host = self.server.host
        authorizer = route.authorizer_for(self.command, url.path)
        try:
            if authorizer:
                verdict = host.run(authorizer, args, trigger="api_gateway:authorizer")
                if not verdict.success:
                    self._problem(
                        502, "Bad Gateway", f"authorizer failed: {verdict.error}",
                        activationId=verdict.id,
                    )
                    return
                result = verdict.result or {}
                status = result.get("statusCode")
                if isinstance(status, int) and status >= 400:
                    if self._admit(route, None, headers, verified=False):
                        self._respond(result)
                    return
                args["__authorizer"] = result.get("context")
            if not self._admit(route, args.get("__authorizer"), headers,
                               verified=authorizer is not None):
                return
            activation = host.run(route.action, args, trigger="api_gateway")
        except HostError as exc:
            title = {413: "Payload Too Large", 404: "Not Found"}.get(
                exc.http_status, "Service Unavailable"
            )
            self._problem(exc.http_status, title, str(exc))
            return
        if not activation.success:
            self._problem(
                502, "Bad Gateway", activation.error or activation.status,
                activationId=activation.id,
            )
            return
        self._respond(activation.result or {})

    # HTTP-type API Gateway triggers pass on every method.
    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle

    # -- CORS and rate limits ------------------------------------------------------------------
    def _preflight(self, headers: Mapping[str, str]) -> None:
        status, grants, refusal = self.server.cors.preflight(headers)
        self.extra_headers = grants
        if refusal:
            self._problem(status, "Forbidden", f"CORS preflight refused: {refusal}")
            return
        self.send_response(status)
        self._finish(b"", status)  # the grants go out with the other extra headers

    def _admit(self, route: Route, context: Any, headers: Mapping[str, str], *,
               verified: bool) -> bool:
        """Count the request against its limits; False (429 sent) when over one of them."""
        limiter = self.server.limiter
        if limiter is None:
            return True
        subjects = limit_subjects(route.spec, context, headers, self.client_address[0],
                                  verified=verified)
        if not subjects:
            return True
        decision: Decision = limiter.check(
            [(f"{route.action}/{subject}", limit) for subject, limit in subjects]
        )
        self.extra_headers.update(decision.headers())
        if not decision.allowed:
            self._problem(429, "Too Many Requests", decision.explain())
        return decision.allowed

    # -- responses -------------------------------------------------------------------------
    def _request_id(self) -> str:
        given = self.headers.get("X-Request-Id", "")
        return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex

    def _respond(self, result: Mapping[str, Any]) -> None:
        status = result.get("statusCode", 200)
        if not isinstance(status, int) or not 100 <= status <= 599:
            self._problem(502, "Bad Gateway", f"the action returned statusCode {status!r}")
            return
        headers = result.get("headers") or {}
        if not isinstance(headers, dict):
            self._problem(502, "Bad Gateway", "the action returned headers that are not a map")
            return
        content_type = next(
            (str(v) for k, v in headers.items() if k.lower() == "content-type"), None
        )
        body = result.get("body")
        if body is None:
            data = b""
        elif isinstance(body, str):
            data = body.encode("utf-8")
            binary = result.get("isBase64Encoded") is True or (
                content_type is not None and not _TEXTUAL.match(content_type)
            )
            if binary:
                # Not base64 after all: send the text as it is.
                with contextlib.suppress(binascii.Error, ValueError):
                    data = base64.b64decode(body, validate=True)
            content_type = content_type or "text/html; charset=utf-8"
        else:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            content_type = content_type or "application/json"
        self.send_response(status)
        vary = next((str(v) for k, v in headers.items() if k.lower() == "vary"), None)
        for name, value in headers.items():
            if name.lower() in _NOT_FORWARDED or name.lower() == "content-type":
                continue
            if name.lower() in {k.lower() for k in self.extra_headers}:
                continue  # the gateway's own CORS and rate-limit answers win
            for item in value if isinstance(value, list) else [value]:
                self.send_header(name, str(item))
        if vary:  # one Vary: the action's (Accept-Encoding) and the gateway's (Origin)
            merged = add_vary({"Vary": vary}, *self._extra_vary())["Vary"]
            self.extra_headers = {
                k: v for k, v in self.extra_headers.items() if k.lower() != "vary"
            } | {"Vary": merged}
        if content_type and status not in _NO_BODY:
            self.send_header("Content-Type", content_type)
        self._finish(b"" if status in _NO_BODY else data, status)

    def _extra_vary(self) -> list[str]:
        value = next((v for k, v in self.extra_headers.items() if k.lower() == "vary"), "")
        return [v.strip() for v in value.split(",") if v.strip()]

    def _finish(self, data: bytes, status: int = 200) -> None:
        for name, value in getattr(self, "extra_headers", {}).items():
            self.send_header(name, value)
        if status not in _NO_BODY:  # RFC 9110: no Content-Length that would misdescribe a 304
            self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-Id", self.request_id)
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)

    def _problem(self, status: int, title: str, detail: str, **extra: Any) -> None:
        self.send_json(
            status,
            {"type": "about:blank", "title": title, "status": status, "detail": detail,
             "requestId": self.request_id, **extra},
            {**getattr(self, "extra_headers", {}), "X-Request-Id": self.request_id},
            content_type="application/problem+json",
        )

    # -- the console -----------------------------------------------------------------------
    def _static(self, path: str) -> None:
        if self.command not in ("GET", "HEAD"):
            self._problem(404, "Not Found", f"no API route matches {path}")
            return
        dist = self.server.frontend_dist
        if dist is None or not (dist / "index.html").is_file():
            if path in ("/", "/index.html"):
                self._placeholder()
            else:
                self._problem(404, "Not Found", f"{path} does not exist")
            return
        relative = unquote(path).lstrip("/") or "index.html"
        target = (dist / relative).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(dist) or not target.is_file():
            self._problem(404, "Not Found", f"{path} does not exist")
            return
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type == "application/javascript":
            content_type += "; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        # index.html names the hashed bundles: always revalidate it, cache the rest.
        self.send_header(
            "Cache-Control", "no-cache" if target.name == "index.html" else "max-age=3600"
        )
        self.send_header("Content-Length", str(target.stat().st_size))
        self.send_header("X-Request-Id", self.request_id)
        self.end_headers()
        if self.command != "HEAD":
            with target.open("rb") as fh:
                shutil.copyfileobj(fh, self.wfile)

    def _placeholder(self) -> None:
        rows = "".join(
            f"<tr><th>{html.escape(str(k))}</th><td><code>{html.escape(str(v))}</code></td></tr>"
            for k, v in self.server.endpoints().items()
        )
        page = (
            "<!doctype html><html lang=en><meta charset=utf-8>"
            "<title>Swap Reporting — local stack</title>"
            "<style>body{font:15px system-ui;margin:3em}th{text-align:left;padding-right:1em}"
            "</style><h1>Swap Reporting — local stack</h1>"
            "<p>The console is not built yet: build it with <code>npm run build</code> in "
            "<code>frontend/</code> (it is served from <code>frontend/dist</code>).</p>"
            f"<h2>Endpoints</h2><table>{rows}</table></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self._finish(page)


class Gateway(LoopbackServer):
    """The API Gateway and console server on 127.0.0.1:`port` (0: any free port)."""

    def __init__(
        self,
        host: Host,
        *,
        port: int = 0,
        frontend_dist: Path | None = None,
        endpoints: Callable[[], Mapping[str, Any]] | None = None,
        cors_origins: str | Sequence[str] | None = None,
        rate_limits: bool | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """`cors_origins` and `rate_limits` default to config `cors_origins` (else this
        gateway's own origin) and `gateway_rate_limits` (on unless "off"), read from the
        host's package parameters or the environment, as the actions read theirs."""
        self.host = host
        self.routes = routes_for(host)
        self.frontend_dist = Path(frontend_dist).resolve() if frontend_dist else None
        self.endpoints = endpoints or (lambda: {"api": self.url})
        config = Config(host.package_params)
        if cors_origins is not None and not isinstance(cors_origins, str):
            cors_origins = ",".join(cors_origins)
        setting = cors_origins if cors_origins is not None else config.get("cors_origins")
        CorsPolicy.from_setting(setting)  # a bad setting fails before the port is taken
        super().__init__(port, _GatewayHandler)
        self.cors = CorsPolicy.from_setting(setting, default=self.url)
        if rate_limits is None:
            setting = str(config.get("gateway_rate_limits", "on")).strip().lower()
            rate_limits = setting not in ("off", "false", "0", "no")
        self.limiter = RateLimiter(**({"clock": clock} if clock else {})) if rate_limits \
            else None

    def start(self, name: str = "gateway") -> Gateway:
        super().start(name)
        return self
