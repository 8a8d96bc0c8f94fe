"""Raw-HTTP web action args in, `{statusCode, headers, body}` out, errors as problem+json."""

import base64
import json

import pytest

from shared.platform.web import HttpError, Router, WebRequest, problem, response


def _args(method="post", path="/api/things", body=b"", headers=None, query=""):
    return {
        "__ow_method": method,
        "__ow_path": path,
        "__ow_headers": headers or {"content-type": "application/json"},
        "__ow_query": query,
        "__ow_body": base64.b64encode(body).decode() if body else "",
    }


def test_request_from_raw_args_decodes_base64_body_and_query():
    body = json.dumps({"uti": "거래-1"}).encode()
    req = WebRequest.from_args(_args(body=body, query="state=nacked&state=late&q="))
    assert req.method == "POST" and req.path == "/api/things"
    assert req.json() == {"uti": "거래-1"}
    assert req.query["state"] == ["nacked", "late"] and req.query_value("q") == ""


def test_plain_text_body_from_non_raw_mode_is_accepted():
    req = WebRequest.from_args({**_args(), "__ow_body": '{"a": 1}'})
    assert req.json() == {"a": 1}


def test_request_id_is_taken_from_the_caller_or_generated():
    assert WebRequest.from_args(_args(headers={"X-Request-Id": "r-1"})).request_id == "r-1"
    assert len(WebRequest.from_args(_args()).request_id) == 32


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [(b"{not json", "application/json", 400), (b"a=1", "application/x-www-form-urlencoded", 415),
     (b"\xff\xfe", "application/json", 400)],
)
def test_bad_bodies_are_client_errors(body, content_type, status):
    req = WebRequest.from_args(_args(body=body, headers={"content-type": content_type}))
    with pytest.raises(HttpError) as err:
        req.json()
    assert err.value.status == status


def test_problem_response_is_rfc9457_with_request_id():
    out = problem(HttpError(404, "Not found", "no trade X"), "req-9", "/api/trades/X")
    assert out["statusCode"] == 404
    assert out["headers"]["Content-Type"] == "application/problem+json"
    doc = json.loads(out["body"])
    assert doc == {"type": "about:blank", "title": "Not found", "status": 404,
                   "detail": "no trade X", "instance": "/api/trades/X", "request_id": "req-9"}


def test_response_serialises_json_and_keeps_strings():
    assert json.loads(response(200, {"n": 1})["body"]) == {"n": 1}
    assert response(200, "plain", content_type="text/plain")["body"] == "plain"


def test_router_matches_templates_methods_and_reports_405_and_404():
    router = Router()
    router.route("GET", "/api/files/{file_id}")(lambda r, c: response(200, r.path_params))
    ok = router.dispatch(WebRequest.from_args(_args(method="get", path="/api/files/f-1")))
    assert json.loads(ok["body"]) == {"file_id": "f-1"}
    with pytest.raises(HttpError) as err:
        router.dispatch(WebRequest.from_args(_args(method="delete", path="/api/files/f-1")))
    assert err.value.status == 405 and err.value.headers["Allow"] == "GET"
    with pytest.raises(HttpError) as err:
        router.dispatch(WebRequest.from_args(_args(method="get", path="/api/nothing")))
    assert err.value.status == 404
