"""The OpenAPI document is valid 3.1, current with the code that writes it, and names exactly
the operations the router serves: a route without a spec entry, or an entry without a route,
fails here."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from shared.api import openapi
from shared.api.app import router
from shared.services.identity import apikeys

pytestmark = pytest.mark.functional
SPEC = json.loads(openapi.SPEC_PATH.read_text(encoding="utf-8"))


def spec_operations(spec: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}


def test_the_document_is_valid_openapi_3_1():
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)


def test_the_validator_would_catch_a_broken_document():
    broken = json.loads(json.dumps(SPEC))
    broken["paths"]["/api/health"]["get"]["responses"]["200"]["content"] = "not a map"
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_the_shipped_file_is_what_the_code_writes():
    assert openapi.render(openapi.build()) == openapi.SPEC_PATH.read_text(encoding="utf-8"), \
        "shared/api/openapi.json is stale: run `python -m shared.api.openapi`"


def test_every_routed_operation_is_in_the_spec_and_every_spec_operation_is_routed():
    routed = router.operations()
    assert len(routed) == len(set(routed)), "a route is registered twice"
    assert not set(routed) - spec_operations(SPEC), "routes missing from the spec"
    assert not spec_operations(SPEC) - set(routed), "spec operations without a route"


def test_public_operations_are_the_authorizers_public_routes():
    public = {f"{m.upper()} {p}" for p, ops in SPEC["paths"].items() for m, op in ops.items()
              if op.get("security") == []}
    assert public == set(apikeys.PUBLIC_ROUTES)
    for path, ops in SPEC["paths"].items():
        for method, op in ops.items():
            if op.get("security") != []:
                assert "401" in op["responses"], f"{method} {path}"
                assert op["x-credential"] in ("user", "api_key", "any")


def test_every_operation_documents_its_errors_rate_limits_and_request_id():
    components = SPEC["components"]["responses"]
    for path, ops in SPEC["paths"].items():
        for method, op in ops.items():
            where = f"{method} {path}"
            assert "429" in op["responses"], where
            ok = [r for s, r in op["responses"].items() if s.startswith("2")]
            # one success, plus 202 where four-eyes may hold the action for a second user
            held = op["responses"].get("202")
            assert len(ok) == 1 + (held is not None and len(ok) > 1), where
            if held is not None and len(ok) > 1:
                assert held["content"]["application/json"]["schema"]["$ref"].endswith(
                    "/PendingApproval"), where
            for answer in ok:
                assert "X-Request-Id" in answer["headers"], where
                assert "X-RateLimit-Remaining" in answer["headers"], where
            for status, answer in op["responses"].items():
                if status.startswith("4"):
                    answer = components[answer["$ref"].rsplit("/", 1)[1]]
                    assert "application/problem+json" in answer["content"], where
                    assert "X-Request-Id" in answer["headers"], where
            if "requestBody" in op:
                assert {"400", "413", "415", "422"} <= set(op["responses"]), where
            if "{" in path:
                assert "404" in op["responses"], where


def test_the_route_serves_the_shipped_file_with_an_etag():
    from shared.api.routes import openapi as route
    from shared.platform.web import WebRequest

    request = WebRequest("GET", "/api/openapi.json", {}, "", b"", "rid")
    answer = router.dispatch(request)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == SPEC
    assert answer["headers"]["Cache-Control"] == route.CACHE_CONTROL
    again = WebRequest("GET", "/api/openapi.json", {"if-none-match": answer["headers"]["ETag"]},
                       "", b"", "rid2")
    assert router.dispatch(again)["statusCode"] == 304


def test_the_check_mode_reports_a_stale_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(openapi, "SPEC_PATH", tmp_path / "openapi.json")
    assert openapi.main(["--check"]) == 1
    assert openapi.main([]) == 0 and openapi.main(["--check"]) == 0
    assert json.loads((tmp_path / "openapi.json").read_text())["paths"] == SPEC["paths"]
