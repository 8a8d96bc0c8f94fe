"""Bucket CORS on the local S3 API, evaluated the way S3 and NCP Object Storage evaluate it.

The console uploads a file with a presigned PUT straight from the browser. Its origin is the
gateway's and the PUT goes to the S3 API's port, so the browser first sends a preflight
(OPTIONS) and the bucket's CORS configuration (PutBucketCors) decides. moto's server handles
CORS in ways a browser notices:

- flask-cors grants every origin on every bucket, whether the bucket has a CORS
  configuration or not, so a refusal never shows up locally;
- a preflight is checked against the rule's origins only, not its methods and allowed
  headers;
- the allowed headers come back as configured (`x-amz-meta-*`). A browser reads that
  literally, so the console's `x-amz-meta-tenant` would be refused.

`BucketCors` sits in front of moto's WSGI app. It answers preflights and decorates every
other answer according to the bucket's CORS rules as moto stores them, following
https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html: the first rule whose
AllowedOrigin matches the Origin, whose AllowedMethod holds the method (for a preflight,
Access-Control-Request-Method), and whose AllowedHeader patterns match every header in
Access-Control-Request-Headers applies. A preflight it allows gets 200 with the requested
headers echoed; any other preflight gets 403 AccessForbidden. A request with no matching
rule gets no CORS headers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

log = logging.getLogger("swaprep.local.s3cors")

# What the console's upload needs (shared/api/routes/files.py post_upload): a PUT carrying the
# headers the presigned URL signs (Content-Type and x-amz-meta-*). ETag is exposed so that an
# uploader may read it. The same rule is what an operator puts on the NCP inbound bucket.
UPLOAD_METHODS = ("PUT",)
UPLOAD_HEADERS = ("Content-Type", "x-amz-meta-*")
UPLOAD_EXPOSE = ("ETag",)
UPLOAD_MAX_AGE_S = 600


def console_upload_rule(origins: Iterable[str]) -> dict[str, Any]:
    """The inbound bucket's CORS rule (boto3 `put_bucket_cors` shape) for these console
    origins (exact `scheme://host[:port]`, as in config `cors_origins`)."""
    allowed = sorted({o.strip().rstrip("/") for o in origins if o.strip()})
    if not allowed:
        raise ValueError("console_upload_rule: no console origin to allow")
    return {"ID": "console-upload", "AllowedOrigins": allowed,
            "AllowedMethods": list(UPLOAD_METHODS), "AllowedHeaders": list(UPLOAD_HEADERS),
            "ExposeHeaders": list(UPLOAD_EXPOSE), "MaxAgeSeconds": UPLOAD_MAX_AGE_S}


def _glob(pattern: str, value: str, *, fold_case: bool) -> bool:
    """S3's CORS patterns: literal text with at most one `*` (S3 refuses more on put)."""
    if fold_case:
        pattern, value = pattern.lower(), value.lower()
    head, star, tail = pattern.partition("*")
    if not star:
        return value == pattern
    return (len(value) >= len(head) + len(tail) and value.startswith(head)
            and value.endswith(tail))


@dataclass(frozen=True)
class CorsRule:
    origins: tuple[str, ...]
    methods: tuple[str, ...]
    headers: tuple[str, ...] = ()
    expose: tuple[str, ...] = ()
    max_age_s: int | None = None

    def matches(self, origin: str, method: str, request_headers: Sequence[str] = ()) -> bool:
        return (any(_glob(o, origin, fold_case=False) for o in self.origins)
                and method.upper() in {m.upper() for m in self.methods}
                and all(any(_glob(h, asked, fold_case=True) for h in self.headers)
                        for asked in request_headers))

    def grant(self, origin: str) -> list[tuple[str, str]]:
        """The Access-Control-* headers of an allowed request (no Allow-Headers: that is the
        preflight's)."""
        headers = [("Access-Control-Allow-Origin", "*" if self.origins == ("*",) else origin),
                   ("Access-Control-Allow-Methods", ", ".join(self.methods))]
        if self.origins != ("*",):
            headers.append(("Access-Control-Allow-Credentials", "true"))
        if self.expose:
            headers.append(("Access-Control-Expose-Headers", ", ".join(self.expose)))
        if self.max_age_s is not None:
            headers.append(("Access-Control-Max-Age", str(self.max_age_s)))
        return headers


def first_match(rules: Iterable[CorsRule], origin: str, method: str,
                request_headers: Sequence[str] = ()) -> CorsRule | None:
    return next((r for r in rules if r.matches(origin, method, request_headers)), None)


def moto_bucket_rules(bucket: str) -> list[CorsRule] | None:
    """The bucket's CORS rules as moto's S3 backend holds them (PutBucketCors); None when
    there is no such bucket. An empty list: the bucket has no CORS configuration."""
    from moto.s3.models import s3_backends

    try:
        partition, account = s3_backends.bucket_accounts[bucket]
        stored = s3_backends[account][partition].buckets[bucket].cors
    except KeyError:
        return None

    def strings(value: Any) -> tuple[str, ...]:
        return tuple(value) if isinstance(value, list) else (value,) if value else ()

    return [CorsRule(origins=strings(r.allowed_origins), methods=strings(r.allowed_methods),
                     headers=strings(r.allowed_headers), expose=strings(r.exposed_headers),
                     max_age_s=int(r.max_age_seconds) if r.max_age_seconds else None)
            for r in stored]


_VARY = ("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")


def _forbidden(message: str, method: str) -> tuple[str, list[tuple[str, str]], bytes]:
    body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessForbidden</Code>"
            f"<Message>{escape(message)}</Message><Method>{escape(method)}</Method>"
            "<ResourceType>OBJECT</ResourceType></Error>").encode()
    return "403 Forbidden", [("Content-Type", "application/xml"),
                             ("Content-Length", str(len(body))), _VARY], body


class BucketCors:
    """WSGI middleware: S3's bucket CORS in front of an S3 API app (path-style addressing,
    which the local stack's clients and presigned URLs use)."""

    def __init__(self, app: Callable[..., Any],
                 rules_for: Callable[[str], Sequence[CorsRule] | None] = moto_bucket_rules):
        self.app = app
        self.rules_for = rules_for

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        origin = environ.get("HTTP_ORIGIN")
        method = environ.get("REQUEST_METHOD", "GET").upper()
        bucket = environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)[0]
        asked_method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if method == "OPTIONS" and origin and asked_method and bucket:
            status, headers, body = self.preflight(bucket, origin, asked_method, environ.get(
                "HTTP_ACCESS_CONTROL_REQUEST_HEADERS", ""))
            start_response(status, headers)
            return [body]
        grant: list[tuple[str, str]] = []
        if origin and bucket:
            rule = first_match(self.rules_for(bucket) or (), origin, method)
            grant = [*rule.grant(origin), _VARY] if rule else []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            # moto's own (flask-cors) grants go: only the bucket's rules speak for CORS.
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return start_response(status, kept + grant, exc_info)

        return self.app(environ, start)

    def preflight(self, bucket: str, origin: str, method: str,
                  requested: str) -> tuple[str, list[tuple[str, str]], bytes]:
        rules = self.rules_for(bucket)
        if not rules:
            # no such bucket, or no CORS configuration on it: S3 refuses both with a 403
            return _forbidden("CORSResponse: CORS is not enabled for this bucket.", method)
        asked = [h.strip() for h in requested.split(",") if h.strip()]
        rule = first_match(rules, origin, method, asked)
        if rule is None:
            return _forbidden("CORSResponse: This CORS request is not allowed. This is usually"
                              " because the evalution of Origin, request method / "
                              "Access-Control-Request-Method or Access-Control-Request-Headers"
                              " are not whitelisted by the resource's CORS spec.", method)
        headers = [*rule.grant(origin), _VARY, ("Content-Length", "0")]
        if asked:
            headers.append(("Access-Control-Allow-Headers", ", ".join(asked)))
        return "200 OK", headers, b""


class MotoS3Server:
    """moto's S3 API in server mode on `ip_address:port` (0: any free port) with BucketCors
    in front; the same start / get_host_and_port / stop as moto's ThreadedMotoServer."""

    def __init__(self, ip_address: str, port: int = 0) -> None:
        self._address = (ip_address, port)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> MotoS3Server:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        app = BucketCors(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(*self._address, app, threaded=True,
                                   request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="s3-api",
                                        daemon=True)
        self._thread.start()
        return self

    def get_host_and_port(self) -> tuple[str, int]:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
