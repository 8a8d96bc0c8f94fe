"""Bucket CORS on the local stack's S3 API: the console's browser upload.

The console PUTs a file to a presigned URL of the inbound bucket from the gateway's origin,
so the browser sends a preflight first. The stack puts a CORS rule on the inbound bucket for
the console's origins only (swaprep/local/stack.py), and its S3 API answers preflights the
way S3 does (swaprep/local/s3cors.py). Each test here plays the browser's part with plain
HTTP: the preflight, then the PUT carrying an Origin header.
"""

from __future__ import annotations

import pytest
import requests

from shared.adapters.objectstore import ObjectStore
from shared.platform.config import Config
from swaprep.local.s3cors import CorsRule, first_match

pytestmark = pytest.mark.functional

EVIL = "https://evil.example.com"
# What POST /api/uploads signs into the URL, and so what the browser sends with the PUT.
SIGNED_HEADERS = "content-type,x-amz-meta-source,x-amz-meta-tenant"


@pytest.fixture
def embedded_s3_stack(make_stack):
    """A stack on its own moto S3 API (the one `swaprep up` runs), not the shared test one."""
    return make_stack(s3_endpoint_url=None, mirror_s3=False)


def _presigned_put(stack, key: str, body: bytes) -> tuple[str, dict[str, str]]:
    """A presigned PUT as POST /api/uploads makes it, with the headers it tells the browser
    to send."""
    store = ObjectStore.from_config(Config(stack.config))
    metadata = {"tenant": "demo-bank", "source": "console:demo-admin"}
    url = store.presign_put(stack.buckets["inbound"], key, 300, "text/csv", metadata=metadata,
                            content_length=len(body))
    return url, {"Content-Type": "text/csv", **{f"x-amz-meta-{k}": v for k, v in metadata.items()}}


def _preflight(url: str, origin: str, method: str = "PUT",
               headers: str = SIGNED_HEADERS) -> requests.Response:
    return requests.options(url, timeout=30, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers})


def test_the_console_origin_may_put_an_upload_from_the_browser(embedded_s3_stack):
    stack = embedded_s3_stack
    console = stack.gateway.url
    body = b"trade_id,uti\nT-1,U-1\n"
    url, headers = _presigned_put(stack, "demo-bank/2026-11-21/browser.csv", body)

    allowed = _preflight(url, console)
    assert allowed.status_code == 200, allowed.text
    assert allowed.headers["Access-Control-Allow-Origin"] == console
    assert "PUT" in allowed.headers["Access-Control-Allow-Methods"]
    # Each requested header echoed by name: a browser takes "x-amz-meta-*" literally.
    granted = allowed.headers["Access-Control-Allow-Headers"].split(",")
    assert {h.strip().lower() for h in granted} == set(SIGNED_HEADERS.split(","))
    assert allowed.headers["Access-Control-Max-Age"] == "600"
    assert "Origin" in allowed.headers["Vary"]

    put = requests.put(url, data=body, timeout=30, headers={"Origin": console, **headers})
    assert put.status_code == 200, put.text
    assert put.headers["Access-Control-Allow-Origin"] == console
    assert "ETag" in put.headers["Access-Control-Expose-Headers"]  # the uploader may read it
    stored = stack.s3_client().get_object(Bucket=stack.buckets["inbound"],
                                          Key="demo-bank/2026-11-21/browser.csv")
    assert stored["Body"].read() == body and stored["Metadata"]["tenant"] == "demo-bank"


def test_another_origin_a_method_or_a_header_outside_the_rule_is_refused(embedded_s3_stack):
    stack = embedded_s3_stack
    console = stack.gateway.url
    body = b"trade_id\nT-2\n"
    url, headers = _presigned_put(stack, "demo-bank/2026-11-21/evil.csv", body)

    for refused in (_preflight(url, EVIL),
                    _preflight(url, console.replace("127.0.0.1", "localhost")),
                    _preflight(url, console, method="DELETE"),
                    _preflight(url, console, headers=SIGNED_HEADERS + ",x-amz-acl")):
        assert refused.status_code == 403, refused.request.headers
        assert "Access-Control-Allow-Origin" not in refused.headers
        assert b"AccessForbidden" in refused.content

    # A client that skips the preflight still gets no grant a browser would honour (moto's
    # own blanket grant is taken off).
    put = requests.put(url, data=body, timeout=30, headers={"Origin": EVIL, **headers})
    assert "Access-Control-Allow-Origin" not in put.headers


def test_only_the_inbound_bucket_takes_browser_uploads(embedded_s3_stack):
    stack = embedded_s3_stack
    for name in ("outbound", "feedback", "frontend"):
        bucket = stack.buckets[name]
        refused = _preflight(f"{stack.s3_endpoint_url}/{bucket}/x.csv", stack.gateway.url)
        assert refused.status_code == 403, name
        assert b"CORS is not enabled for this bucket" in refused.content
    rules = stack.s3_client().get_bucket_cors(Bucket=stack.buckets["inbound"])["CORSRules"]
    assert [r["AllowedOrigins"] for r in rules] == [[stack.gateway.url]]


def test_the_rule_follows_config_cors_origins(make_stack):
    console = "https://console.example.com"
    stack = make_stack(s3_endpoint_url=None, mirror_s3=False,
                       extra_params={"cors_origins": f"{console}, https://ops.example.com"})
    url, _ = _presigned_put(stack, "demo-bank/2026-11-21/cdn.csv", b"x\n")
    assert _preflight(url, console).headers["Access-Control-Allow-Origin"] == console
    assert _preflight(url, stack.gateway.url).status_code == 403  # not configured: refused


def test_rule_patterns_match_as_s3_matches_them():
    rule = CorsRule(origins=("https://*.example.com",), methods=("PUT", "GET"),
                    headers=("Content-Type", "x-amz-meta-*"))
    assert first_match([rule], "https://ops.example.com", "PUT",
                       ["X-Amz-Meta-Tenant", "content-type"]) is rule
    assert first_match([rule], "https://example.com", "PUT") is None  # the * needs a label
    assert first_match([rule], "https://ops.example.com.evil.net", "PUT") is None
    assert first_match([rule], "https://ops.example.com", "POST") is None
    assert first_match([rule], "https://ops.example.com", "PUT", ["x-amz-acl"]) is None
    second = CorsRule(origins=("*",), methods=("GET",))
    assert first_match([rule, second], "https://any.where", "GET") is second
    assert second.grant("https://any.where")[0] == ("Access-Control-Allow-Origin", "*")
