"""ETag/304, Cache-Control and gzip on web action answers (shared/platform/http_cache.py)."""

import base64
import gzip
import json

import pytest

from shared.platform import http_cache
from shared.platform.http_cache import accepts_gzip, finalize, none_match, strong_etag
from shared.platform.web import Router, WebRequest, response


def _get(body, *, status=200, headers=None, method="GET", request=None, content_type=None):
    result = response(status, body, headers=headers,
                      **({"content_type": content_type} if content_type else {}))
    return finalize(method, request or {}, result)


@pytest.mark.parametrize(("header", "matches"), [
    ('"abc"', True),
    ('W/"abc"', True),                      # weak comparison for If-None-Match
    ('"x", "abc"', True),
    ('"x",W/"abc" , "y"', True),
    ("*", True),
    ('"abcd"', False),
    ('"x", "y"', False),
    ("abc", False),                         # unquoted: malformed, never a match
    ("", False),
    (None, False),
])
def test_if_none_match_lists_star_and_weak_tags(header, matches):
    assert none_match(header, '"abc"') is matches


def test_strong_etag_is_a_hash_of_the_body_bytes():
    assert strong_etag(b"{}") == strong_etag(b"{}")
    assert strong_etag(b"{}") != strong_etag(b"{ }")
    tag = strong_etag(b"x")
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")


def test_200_json_get_gets_etag_and_private_no_cache_then_304():
    first = _get({"n": 1})
    etag = first["headers"]["ETag"]
    assert etag == strong_etag(first["body"].encode())
    assert first["headers"]["Cache-Control"] == "private, no-cache"
    again = _get({"n": 1}, request={"if-none-match": etag})
    assert again["statusCode"] == 304 and again["body"] == ""
    assert again["headers"]["ETag"] == etag
    assert "Content-Type" not in again["headers"]
    assert again["headers"]["Cache-Control"] == "private, no-cache"
    changed = _get({"n": 2}, request={"if-none-match": etag})
    assert changed["statusCode"] == 200 and json.loads(changed["body"]) == {"n": 2}


def test_head_is_conditional_like_get():
    etag = _get({"n": 1})["headers"]["ETag"]
    assert _get({"n": 1}, method="HEAD", request={"if-none-match": etag})["statusCode"] == 304


@pytest.mark.parametrize(("method", "status", "headers", "content_type"), [
    ("POST", 200, None, None),
    ("GET", 201, None, None),
    ("GET", 404, None, "application/problem+json"),
    ("GET", 200, {"Cache-Control": "no-store"}, None),   # health: never stored, no validator
    ("GET", 200, None, "text/plain"),
])
def test_no_etag_and_no_304_outside_200_json_reads(method, status, headers, content_type):
    out = _get({"n": 1} if content_type != "text/plain" else "plain", method=method,
               status=status, headers=headers, content_type=content_type,
               request={"if-none-match": "*"})
    assert out["statusCode"] == status
    assert "ETag" not in out["headers"]


def test_a_handlers_own_etag_is_kept_and_compared():
    out = _get({"n": 1}, headers={"ETag": '"v7"'}, request={"if-none-match": 'W/"v7"'})
    assert out["statusCode"] == 304 and out["headers"]["ETag"] == '"v7"'


@pytest.mark.parametrize(("accept", "ok"), [
    ("gzip", True), ("gzip, deflate, br", True), ("br;q=1.0, gzip;q=0.8", True),
    ("x-gzip", True), ("*", True), ("gzip;q=0", False), ("*, gzip;q=0", False),
    ("identity", False), ("br", False), ("", False), (None, False), ("GZIP;Q=0.5", True),
])
def test_accept_encoding(accept, ok):
    assert accepts_gzip(accept) is ok


BIG = {"items": [{"id": i, "name": f"item-{i:05d}"} for i in range(200)]}


def test_large_json_is_gzipped_when_accepted_with_vary_and_its_own_tag():
    plain = _get(BIG)
    assert "Content-Encoding" not in plain["headers"]
    assert plain["headers"]["Vary"] == "Accept-Encoding"   # the representation can vary
    packed = _get(BIG, request={"accept-encoding": "gzip, br"})
    assert packed["isBase64Encoded"] is True
    assert packed["headers"]["Content-Encoding"] == "gzip"
    assert packed["headers"]["Content-Type"] == "application/json"
    assert packed["headers"]["Vary"] == "Accept-Encoding"
    data = gzip.decompress(base64.b64decode(packed["body"]))
    assert data == plain["body"].encode() and json.loads(data) == BIG
    assert len(base64.b64decode(packed["body"])) < len(data) / 4
    assert packed["headers"]["ETag"] == http_cache.gzip_etag(plain["headers"]["ETag"])
    assert packed["headers"]["ETag"] != plain["headers"]["ETag"]
    # Either tag revalidates: a cache may hold either representation.
    for tag in (plain["headers"]["ETag"], packed["headers"]["ETag"]):
        again = _get(BIG, request={"accept-encoding": "gzip", "if-none-match": tag})
        assert again["statusCode"] == 304 and again["body"] == ""
        assert again["headers"]["ETag"] == packed["headers"]["ETag"]


def test_small_bodies_errors_too_are_not_compressed_but_large_errors_are():
    small = _get({"n": 1}, request={"accept-encoding": "gzip"})
    assert "Content-Encoding" not in small["headers"] and "Vary" not in small["headers"]
    error = _get({"detail": "x" * 5000}, status=400, content_type="application/problem+json",
                 request={"accept-encoding": "gzip"})
    assert error["headers"]["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(base64.b64decode(error["body"])))["detail"] == "x" * 5000


def test_vary_is_merged_and_binary_or_encoded_bodies_pass_untouched():
    merged = _get(BIG, headers={"Vary": "Origin"})
    assert merged["headers"]["Vary"] == "Origin, Accept-Encoding"
    binary = {"statusCode": 200, "headers": {"Content-Type": "application/zip"},
              "body": base64.b64encode(b"z" * 5000).decode(), "isBase64Encoded": True}
    assert finalize("GET", {"accept-encoding": "gzip"}, binary) is binary
    encoded = {"statusCode": 200, "body": "x" * 5000,
               "headers": {"Content-Type": "text/plain", "Content-Encoding": "br"}}
    assert finalize("GET", {"accept-encoding": "gzip"}, encoded) is encoded


def test_every_router_route_gets_it_without_code_in_the_handler():
    router = Router()
    router.route("GET", "/api/things")(lambda r, c: response(200, BIG))
    args = {"__ow_method": "get", "__ow_path": "/api/things",
            "__ow_headers": {"Accept-Encoding": "gzip"}}
    first = router.dispatch(WebRequest.from_args(args))
    assert first["headers"]["Content-Encoding"] == "gzip" and "ETag" in first["headers"]
    args["__ow_headers"]["If-None-Match"] = first["headers"]["ETag"]
    assert router.dispatch(WebRequest.from_args(args))["statusCode"] == 304
