"""Web actions: NCP/OpenWhisk raw-HTTP request args in, `{statusCode, headers, body}` out.

A raw-mode web action receives `__ow_method` (lower-case), `__ow_headers` (lower-case names),
`__ow_path`, `__ow_query` (raw query string) and `__ow_body` (base64 of the raw body; in
non-raw mode a text body may arrive as plain text, which we accept too). Errors are RFC 9457
problem+json documents that carry the request id, so a user's report can be found in the logs.
Every routed answer goes through `http_cache.finalize` (ETag/304, gzip); `CorsPolicy` is the
CORS decision the gateway applies (on NCP, API Gateway's per-resource CORS settings).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from shared.platform import http_cache

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
MAX_JSON_BODY = 1_048_576  # NCP caps parameters at 1 MB anyway; refuse earlier with a clear 413


class HttpError(Exception):
    """Raised by handlers; becomes a problem+json response."""

    def __init__(
        self, status: int, title: str, detail: str | None = None, *, type_: str = "about:blank",
        extra: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.type = status, title, detail, type_
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


@dataclass
class WebRequest:
    method: str
    path: str
    headers: dict[str, str]
    query_string: str
    body: bytes
    request_id: str
    authorizer: dict[str, Any] | None = None
    path_params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> WebRequest:
        headers = {str(k).lower(): str(v) for k, v in (args.get("__ow_headers") or {}).items()}
        request_id = headers.get("x-request-id") or uuid.uuid4().hex
        return cls(
            method=str(args.get("__ow_method") or "get").upper(),
            path=str(args.get("__ow_path") or "/"),
            headers=headers,
            query_string=str(args.get("__ow_query") or ""),
            body=_decode_body(args.get("__ow_body")),
            request_id=request_id,
            authorizer=args.get("__authorizer") if isinstance(args.get("__authorizer"), dict)
            else None,
        )

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    def query_value(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        if len(self.body) > MAX_JSON_BODY:
            raise HttpError(413, "Request body too large", f"limit is {MAX_JSON_BODY} bytes")
        content_type = self.headers.get("content-type", JSON).split(";")[0].strip().lower()
        if content_type not in (JSON, "text/json") and not content_type.endswith("+json"):
            raise HttpError(415, "Unsupported media type", f"expected {JSON}, got {content_type}")
        try:
            return json.loads(self.body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise HttpError(400, "Malformed JSON body", str(exc)) from exc


def _decode_body(raw: Any) -> bytes:
    if raw in (None, ""):
        return b""
    if isinstance(raw, dict | list):
        return json.dumps(raw).encode()
    text = str(raw)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text.encode("utf-8")


def response(
    status: int, body: Any = None, *, headers: Mapping[str, str] | None = None,
    content_type: str = JSON, request_id: str | None = None,
) -> dict[str, Any]:
    out_headers = {"Content-Type": content_type, **(headers or {})}
    if request_id:
        out_headers["X-Request-Id"] = request_id
    if body is None:
        text = ""
    elif isinstance(body, str):
        text = body
    else:
        text = json.dumps(body, default=_json_value, ensure_ascii=False)
    return {"statusCode": status, "headers": out_headers, "body": text}


def _json_value(value: Any) -> Any:
    """Timestamps and dates as ISO 8601 (RFC 3339 `date-time`), anything else as its text."""
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def problem(
    error: HttpError, request_id: str | None = None, instance: str | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {"type": error.type, "title": error.title, "status": error.status}
    if error.detail:
        doc["detail"] = error.detail
    if instance:
        doc["instance"] = instance
    if request_id:
        doc["request_id"] = request_id
    doc.update(error.extra)
    return response(
        error.status, doc, headers=error.headers, content_type=PROBLEM_JSON, request_id=request_id
    )


Handler = Callable[[WebRequest, Any], dict[str, Any]]  # (request, action context)
_PARAM = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")


class Router:
    """Method + path-template routing for a web action (`/api/files/{file_id}`)."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, str, re.Pattern[str], Handler]] = []

    def route(self, method: str, template: str) -> Callable[[Handler], Handler]:
        pattern = re.compile(
            "^" + _PARAM.sub(lambda m: f"(?P<{m[1]}>[^/]+)", template.rstrip("/")) + "/?$"
        )

        def register(handler: Handler) -> Handler:
            self._routes.append((method.upper(), template, pattern, handler))
            return handler

        return register

    def include(self, other: Router) -> None:
        """Take every route of `other` (one router per API resource, composed in one table)."""
        self._routes.extend(other._routes)

    def operations(self) -> list[tuple[str, str]]:
        """(method, path template) of every route, in table order (the OpenAPI contract test
        compares them with the spec, so the two cannot drift apart)."""
        return [(method, template) for method, template, _, _ in self._routes]

    def dispatch(self, request: WebRequest, ctx: Any = None) -> dict[str, Any]:
        allowed: list[str] = []
        for method, _template, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if not match:
                continue
            if method != request.method and not (method == "GET" and request.method == "HEAD"):
                allowed.append(method)
                continue
            request.path_params = match.groupdict()
            # ETag/304, Cache-Control and gzip for every route, without code in handlers.
            return http_cache.finalize(request.method, request.headers, handler(request, ctx))
        if allowed:
            raise HttpError(405, "Method not allowed", headers={"Allow": ", ".join(allowed)})
        raise HttpError(404, "Not found", f"no route for {request.method} {request.path}")


# -- CORS ---------------------------------------------------------------------------------------

CORS_ALLOW_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CORS_ALLOW_HEADERS = ("Authorization", "X-API-Key", "If-None-Match", "Content-Type",
                      "X-Request-Id")
CORS_EXPOSE_HEADERS = ("ETag", "X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                       "X-RateLimit-Reset", "Retry-After", "WWW-Authenticate", "Location")
CORS_MAX_AGE_S = 600


@dataclass(frozen=True)
class CorsPolicy:
    """Which browser origins may call the API: exact `scheme://host[:port]` matches only (no
    wildcard: the console's origin is known, and `*` would let any site read tenant data)."""

    origins: frozenset[str]
    max_age_s: int = CORS_MAX_AGE_S

    @classmethod
    def from_setting(cls, value: str | None, *, default: str | None = None) -> CorsPolicy:
        """From config `cors_origins` ("https://a.example, https://b.example")."""
        items = [o.strip().rstrip("/").lower() for o in (value or default or "").split(",")]
        bad = [o for o in items if o and (o == "*" or not re.fullmatch(r"https?://[^/\s]+", o))]
        if bad:
            raise ValueError(f"cors_origins: {bad[0]!r} is not an origin like "
                             "https://console.example.com (no paths, no wildcard)")
        return cls(frozenset(o for o in items if o))

    def allows(self, origin: str | None) -> bool:
        if not origin:
            return False
        return origin.strip().rstrip("/").lower() in self.origins

    @staticmethod
    def is_preflight(method: str, headers: Mapping[str, str]) -> bool:
        """An OPTIONS request a browser sends before a cross-origin call (lower-case names)."""
        return (method.upper() == "OPTIONS" and "origin" in headers
                and "access-control-request-method" in headers)

    def preflight(self, headers: Mapping[str, str]) -> tuple[int, dict[str, str], str | None]:
        """(status, headers, refusal) for a preflight: 204 with the grants, or 403 and why."""
        origin = headers.get("origin", "")
        vary = {"Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}
        if not self.allows(origin):
            return 403, vary, f"origin {origin!r} is not allowed to call this API"
        method = headers.get("access-control-request-method", "").strip().upper()
        if method not in CORS_ALLOW_METHODS:
            return 403, vary, f"method {method!r} is not allowed (allowed: " \
                f"{', '.join(CORS_ALLOW_METHODS)})"
        allowed = {h.lower() for h in CORS_ALLOW_HEADERS}
        asked = [h.strip() for h in headers.get("access-control-request-headers", "").split(",")
                 if h.strip()]
        refused = [h for h in asked if h.lower() not in allowed]
        if refused:
            return 403, vary, f"request header {refused[0]!r} is not allowed (allowed: " \
                f"{', '.join(CORS_ALLOW_HEADERS)})"
        return 204, {
            **vary,
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": ", ".join(CORS_ALLOW_METHODS),
            "Access-Control-Allow-Headers": ", ".join(CORS_ALLOW_HEADERS),
            "Access-Control-Max-Age": str(self.max_age_s),
        }, None

    def response_headers(self, origin: str | None) -> dict[str, str]:
        """Headers for an actual answer: the grant for an allowed origin, else none."""
        if not self.allows(origin):
            return {}
        return {"Access-Control-Allow-Origin": str(origin),
                "Access-Control-Expose-Headers": ", ".join(CORS_EXPOSE_HEADERS)}
