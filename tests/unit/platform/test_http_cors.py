"""CORS decisions (shared/platform/web.CorsPolicy): the console's origins only."""

import pytest

from shared.platform.web import CORS_ALLOW_HEADERS, CorsPolicy

CONSOLE = "https://console.example.com"
POLICY = CorsPolicy.from_setting(f"{CONSOLE}, http://127.0.0.1:8780/")


def _preflight(origin=CONSOLE, method="GET", request_headers=None):
    headers = {"origin": origin, "access-control-request-method": method}
    if request_headers is not None:
        headers["access-control-request-headers"] = request_headers
    return POLICY.preflight(headers)


def test_setting_is_a_comma_separated_list_of_exact_origins():
    assert POLICY.origins == {CONSOLE, "http://127.0.0.1:8780"}
    assert POLICY.allows(CONSOLE) and POLICY.allows("HTTPS://Console.Example.com")
    assert POLICY.allows("http://127.0.0.1:8780")
    for other in ("https://evil.example.com", "https://console.example.com.evil.io",
                  "http://console.example.com", "null", "", None):
        assert not POLICY.allows(other), other
    assert CorsPolicy.from_setting(None, default="http://127.0.0.1:9").origins == {
        "http://127.0.0.1:9"}
    assert CorsPolicy.from_setting("").origins == frozenset()


@pytest.mark.parametrize("bad", ["*", "console.example.com", "https://a.example/path",
                                 "ftp://a.example"])
def test_wildcards_and_non_origins_are_refused_with_the_setting_named(bad):
    with pytest.raises(ValueError, match=r"cors_origins: .* is not an origin"):
        CorsPolicy.from_setting(f"{CONSOLE},{bad}")


def test_preflight_from_the_console_grants_methods_headers_and_max_age():
    status, headers, refusal = _preflight(
        method="PATCH", request_headers="authorization, x-api-key, if-none-match, content-type")
    assert (status, refusal) == (204, None)
    assert headers["Access-Control-Allow-Origin"] == CONSOLE
    assert "PATCH" in headers["Access-Control-Allow-Methods"]
    for name in ("Authorization", "X-API-Key", "If-None-Match", "Content-Type"):
        assert name in headers["Access-Control-Allow-Headers"]
    assert headers["Access-Control-Max-Age"] == "600"
    assert "Origin" in headers["Vary"]


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"origin": "https://evil.example.com"}, "origin 'https://evil.example.com' is not allowed"),
    ({"method": "TRACE"}, "method 'TRACE' is not allowed"),
    ({"request_headers": "Authorization, X-Debug"}, "request header 'X-Debug' is not allowed"),
])
def test_preflight_refusals_say_why_and_grant_nothing(kwargs, reason):
    status, headers, refusal = _preflight(**kwargs)
    assert status == 403 and reason in refusal
    assert not any(name.startswith("Access-Control-Allow") for name in headers)


def test_only_options_with_origin_and_request_method_is_a_preflight():
    assert CorsPolicy.is_preflight("OPTIONS", {"origin": CONSOLE,
                                               "access-control-request-method": "GET"})
    assert not CorsPolicy.is_preflight("OPTIONS", {"origin": CONSOLE})
    assert not CorsPolicy.is_preflight("GET", {"origin": CONSOLE,
                                               "access-control-request-method": "GET"})


def test_actual_answers_grant_the_console_and_expose_our_headers_only():
    granted = POLICY.response_headers(CONSOLE)
    assert granted["Access-Control-Allow-Origin"] == CONSOLE
    for name in ("ETag", "X-Request-Id", "X-RateLimit-Remaining", "Retry-After"):
        assert name in granted["Access-Control-Expose-Headers"]
    assert POLICY.response_headers("https://evil.example.com") == {}
    assert POLICY.response_headers(None) == {}
    assert "Authorization" in CORS_ALLOW_HEADERS
