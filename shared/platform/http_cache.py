"""Conditional GETs and gzip for web action answers: pure functions over `{statusCode, headers,
body}` dicts, applied to every route by `Router.dispatch`.

- ETag: a strong tag from the SHA-256 of the body bytes of a 200 GET/HEAD answer with a JSON
  body; `If-None-Match` (a list of tags or `*`, compared weakly as RFC 9110 13.1.2 says for
  that header) turns it into a 304 without a body. API data is `Cache-Control: private,
  no-cache`: a browser may keep it but must revalidate, and shared caches must not keep it.
- gzip: a textual body over `GZIP_MIN_BYTES` is compressed when `Accept-Encoding` allows gzip.
  The action compresses because NCP API Gateway documents no response compression. The gzip
  bytes travel as a base64 body with `isBase64Encoded` (the local gateway's rule); OpenWhisk
  decodes a base64 string body under a JSON content type too (WebActions.scala). The gzip
  representation has its own tag (`"<hash>-gzip"`, as Apache does), and either tag matches.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections.abc import Mapping
from typing import Any

GZIP_MIN_BYTES = 1024  # below this, gzip's header and CPU cost more than they save
API_CACHE_CONTROL = "private, no-cache"
_ETAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')
_CODING = re.compile(r"\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*", re.I)
_TEXTUAL = re.compile(
    r"^(text/|application/(json|xml|javascript|problem\+json)|[^;]*\+(json|xml))", re.I
)
_JSON = re.compile(r"^(application/json|[^;]*\+json)\s*(;|$)", re.I)


def header(headers: Mapping[str, Any], name: str) -> str | None:
    """A header's value, whatever the case of its name."""
    lowered = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == lowered), None)


def _without(headers: Mapping[str, Any], *names: str) -> dict[str, Any]:
    drop = {n.lower() for n in names}
    return {k: v for k, v in headers.items() if k.lower() not in drop}


def add_vary(headers: dict[str, Any], *names: str) -> dict[str, Any]:
    """Merge `names` into one Vary header (case-insensitive, no duplicates)."""
    current = [v.strip() for v in (header(headers, "Vary") or "").split(",") if v.strip()]
    seen = {v.lower() for v in current}
    current += [n for n in names if n.lower() not in seen]
    out = _without(headers, "Vary")
    out["Vary"] = ", ".join(current)
    return out


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def gzip_etag(etag: str) -> str:
    return etag[:-1] + '-gzip"' if etag.endswith('"') else etag


def _opaque(tag: str) -> str:
    return tag.strip()[2:] if tag.strip().startswith("W/") else tag.strip()


def none_match(if_none_match: str | None, *etags: str) -> bool:
    """Whether `If-None-Match` matches any of `etags` (weak comparison; `*` matches any)."""
    if not if_none_match:
        return False
    value = if_none_match.strip()
    if value == "*":
        return bool(etags)
    wanted = {_opaque(tag) for tag in etags}
    position = 0
    while position < len(value):
        match = _ETAG.match(value, position)
        if not match:
            return False  # malformed list: no match, so the full answer is sent
        if f'"{match[2]}"' in wanted:
            return True
        position = match.end()
    return False


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether `Accept-Encoding` allows gzip (explicitly, as x-gzip, or through `*`), q > 0."""
    if not accept_encoding:
        return False
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        match = _CODING.fullmatch(item)
        if not match:
            continue
        try:
            weights[match[1].lower()] = float(match[2]) if match[2] is not None else 1.0
        except ValueError:
            continue
    for name in ("gzip", "x-gzip"):
        if name in weights:
            return weights[name] > 0
    return weights.get("*", 0.0) > 0


def _body_bytes(result: Mapping[str, Any]) -> bytes | None:
    """The body of a plain-text answer; None for base64 (binary) or absent bodies."""
    body = result.get("body")
    if result.get("isBase64Encoded") is True or not isinstance(body, str):
        return None
    return body.encode("utf-8")


def finalize(method: str, request_headers: Mapping[str, str],
             result: dict[str, Any]) -> dict[str, Any]:
    """Apply ETag/304, Cache-Control and gzip to a handler's answer (returns a new dict)."""
    status = result.get("statusCode", 200)
    headers = dict(result.get("headers") or {})
    data = _body_bytes(result)
    content_type = header(headers, "Content-Type") or ""
    if data is None or header(headers, "Content-Encoding") or status in (204, 304):
        return result
    gzip_ok = accepts_gzip(request_headers.get("accept-encoding"))
    compressible = len(data) > GZIP_MIN_BYTES and bool(_TEXTUAL.match(content_type))
    if compressible:
        headers = add_vary(headers, "Accept-Encoding")
    compress = compressible and gzip_ok
    cache_control = header(headers, "Cache-Control") or ""
    cacheable = (
        method.upper() in ("GET", "HEAD") and status == 200 and bool(_JSON.match(content_type))
        and "no-store" not in cache_control.lower()
    )
    if cacheable:
        etag = header(headers, "ETag") or strong_etag(data)
        chosen = gzip_etag(etag) if compress else etag
        headers = {**_without(headers, "ETag", "Cache-Control"), "ETag": chosen,
                   "Cache-Control": cache_control or API_CACHE_CONTROL}
        if none_match(request_headers.get("if-none-match"), etag, gzip_etag(etag)):
            kept = _without(headers, "Content-Type", "Content-Length")
            return {"statusCode": 304, "headers": kept, "body": ""}
    if not compress:
        return {**result, "headers": headers}
    packed = gzip.compress(data, compresslevel=5, mtime=0)
    headers["Content-Encoding"] = "gzip"
    return {**result, "headers": headers, "body": base64.b64encode(packed).decode("ascii"),
            "isBase64Encoded": True}
