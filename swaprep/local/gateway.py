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

Other paths serve `frontend/dist` (index.html at "/"; the SPA uses hash routing, so there is
no fallback), or a page that says the console is not built yet and lists the endpoints.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import json
import mimetypes
import re
import shutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from swaprep.local.host import PARAMS_LIMIT_BYTES, Host, HostError
from swaprep.local.httpd import BodyTooLarge, LoopbackServer, QuietHandler
from swaprep.local.manifest import GatewaySpec, route_score

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_TEXTUAL = re.compile(
    r"^(text/|application/(json|xml|javascript|x-www-form-urlencoded|problem\+json)|"
    r"[^;]*\+(json|xml)|image/svg\+xml)",
    re.IGNORECASE,
)
_NOT_FORWARDED = {"content-length", "transfer-encoding", "connection", "x-request-id"}


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
        url = urlsplit(self.path)
        route = match_route(self.server.routes, url.path)
        if route is None:
            self._static(url.path)
            return
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
                    self._respond(result)
                    return
                args["__authorizer"] = result.get("context")
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
        for name, value in headers.items():
            if name.lower() in _NOT_FORWARDED or name.lower() == "content-type":
                continue
            for item in value if isinstance(value, list) else [value]:
                self.send_header(name, str(item))
        if content_type:
            self.send_header("Content-Type", content_type)
        self._finish(data)

    def _finish(self, data: bytes) -> None:
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
            {"X-Request-Id": self.request_id},
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
    ) -> None:
        self.host = host
        self.routes = routes_for(host)
        self.frontend_dist = Path(frontend_dist).resolve() if frontend_dist else None
        self.endpoints = endpoints or (lambda: {"api": self.url})
        super().__init__(port, _GatewayHandler)

    def start(self, name: str = "gateway") -> Gateway:
        super().start(name)
        return self
