"""Web actions: NCP/OpenWhisk raw-HTTP request args in, `{statusCode, headers, body}` out.

A raw-mode web action receives `__ow_method` (lower-case), `__ow_headers` (lower-case names),
`__ow_path`, `__ow_query` (raw query string) and `__ow_body` (base64 of the raw body; in
non-raw mode a text body may arrive as plain text, which we accept too). Errors are RFC 9457
problem+json documents that carry the request id, so a user's report can be found in the logs.
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
        text = json.dumps(body, default=str, ensure_ascii=False)
    return {"statusCode": status, "headers": out_headers, "body": text}


def problem(error: HttpError, request_id: str | None = None, instance: str | None = None):
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
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def route(self, method: str, template: str) -> Callable[[Handler], Handler]:
        pattern = re.compile(
            "^" + _PARAM.sub(lambda m: f"(?P<{m[1]}>[^/]+)", template.rstrip("/")) + "/?$"
        )

        def register(handler: Handler) -> Handler:
            self._routes.append((method.upper(), pattern, handler))
            return handler

        return register

    def include(self, other: Router) -> None:
        """Take every route of `other` (one router per API resource, composed in one table)."""
        self._routes.extend(other._routes)

    def dispatch(self, request: WebRequest, ctx: Any = None) -> dict[str, Any]:
        allowed: list[str] = []
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if not match:
                continue
            if method != request.method and not (method == "GET" and request.method == "HEAD"):
                allowed.append(method)
                continue
            request.path_params = match.groupdict()
            return handler(request, ctx)
        if allowed:
            raise HttpError(405, "Method not allowed", headers={"Allow": ", ".join(allowed)})
        raise HttpError(404, "Not found", f"no route for {request.method} {request.path}")
