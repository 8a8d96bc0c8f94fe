"""NcpClient against a scripted session: signing what is sent, error words, retries, and
secrets kept out of every exception and log line."""

from __future__ import annotations

import itertools
import json
import logging
import random
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from swaprep.ncp.client import NcpApiError, NcpClient
from swaprep.ncp.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_request

KEY = "AKIDTESTKEY"
SECRET_KEY = "secret-key-ZZ9-plural-z-alpha"
DB_PASSWORD = "pg-pass-Wq3#never-print-me"
NOW = 1_765_000_000.0
PATH = "/ncf/api/v2/packages/swaprep/actions/api"


def answer(status: int, payload: Any = None, *, text: str | None = None,
           headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.reason = {200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found",
                       429: "Too Many Requests", 503: "Service Unavailable"}.get(status, "")
    if text is not None:
        response._content = text.encode()
    elif payload is not None:
        response._content = json.dumps(payload).encode()
    else:
        response._content = b""
    response.headers = CaseInsensitiveDict(headers or {})
    return response


class ScriptedSession:
    """Answers each send with the next scripted item (a Response, an exception, or a
    callable taking the PreparedRequest); records what was sent."""

    def __init__(self, *script: Any) -> None:
        self.script, self.sent = list(script), []  # type: ignore[var-annotated]

    def send(self, prepared: requests.PreparedRequest, timeout: float,
             **options: Any) -> requests.Response:
        assert options == {"allow_redirects": False}
        self.sent.append(prepared)
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item(prepared) if callable(item) else item

    def close(self) -> None:
        pass


def client(session: ScriptedSession, **kwargs: Any) -> tuple[NcpClient, list[float]]:
    sleeps: list[float] = []
    made = NcpClient("https://cloudfunctions.apigw.ntruss.com", KEY, SECRET_KEY,
                     clock=lambda: NOW, sleep=sleeps.append, session=session,  # type: ignore[arg-type]
                     rng=random.Random(7), **kwargs)
    return made, sleeps


def ncp_error(code: str, message: str, details: str = "") -> dict[str, Any]:
    return {"error": {"errorCode": code, "message": message, "details": details}}


# -- requests as sent -------------------------------------------------------------------------

def test_signs_the_path_with_query_exactly_as_sent() -> None:
    session = ScriptedSession(answer(200, {"content": {}}))
    made, _ = client(session)
    made.request("PUT", PATH, query={"platform": "vpc", "type": "web", "note": "a b/c&d"},
                 body={"description": "x"})
    sent = session.sent[0]
    assert sent.path_url == PATH + "?platform=vpc&type=web&note=a%20b%2Fc%26d"
    verify_request("PUT", sent.path_url, sent.headers, access_key=KEY, secret_key=SECRET_KEY,
                   now_ms=int(NOW * 1000))
    assert sent.headers[TIMESTAMP_HEADER] == str(int(NOW * 1000))
    assert json.loads(sent.body) == {"description": "x"}
    assert sent.headers["Content-Type"] == "application/json; charset=utf-8"


def test_each_attempt_is_signed_afresh() -> None:
    times = itertools.count(NOW, 2.5)
    session = ScriptedSession(answer(503), answer(200, {"content": []}))
    made = NcpClient("https://x", KEY, SECRET_KEY, clock=lambda: next(times),
                     sleep=lambda s: None, session=session)  # type: ignore[arg-type]
    made.request("GET", "/ncf/api/v2/packages")
    first, second = session.sent
    assert first.headers[TIMESTAMP_HEADER] != second.headers[TIMESTAMP_HEADER]
    assert first.headers[SIGNATURE_HEADER] != second.headers[SIGNATURE_HEADER]


def test_redirects_are_not_followed() -> None:
    made, _ = client(ScriptedSession(answer(302, headers={"Location": "https://elsewhere/"})))
    with pytest.raises(NcpApiError) as caught:
        made.request("GET", "/p")
    assert str(caught.value) == "GET /p: 302 redirected elsewhere; not followed"


def test_json_out_and_empty_answers() -> None:
    made, _ = client(ScriptedSession(answer(200, {"content": [{"name": "p"}]}), answer(204),
                                     answer(200, [1, 2])))
    assert made.request("GET", "/ncf/api/v2/packages") == {"content": [{"name": "p"}]}
    assert made.request("DELETE", "/ncf/api/v2/packages/p") is None
    assert made.request("GET", "/x") == {"content": [1, 2]}


# -- errors in plain words --------------------------------------------------------------------

def test_ncp_error_shape_becomes_plain_words() -> None:
    made, sleeps = client(ScriptedSession(answer(400, ncp_error(
        "10001", "memory must be one of 128, 256, 512, 1024", "field: limits.memory"))))
    with pytest.raises(NcpApiError) as caught:
        made.request("PUT", "/ncf/api/v2/packages/swaprep/actions/api",
                     query={"platform": "vpc"}, body={"limits": {"memory": 300}})
    error = caught.value
    assert str(error) == ("PUT /ncf/api/v2/packages/swaprep/actions/api: 400 memory must be "
                          "one of 128, 256, 512, 1024 (code 10001)")
    assert (error.status, error.code, error.details) == (400, "10001", "field: limits.memory")
    assert (error.method, error.path) == ("PUT", "/ncf/api/v2/packages/swaprep/actions/api")
    assert sleeps == []  # a 400 is not retried


@pytest.mark.parametrize("response, words", [
    (answer(404, {"errorCode": "80101", "message": "package not found"}),
     "404 package not found (code 80101)"),
    (answer(400, {"responseError": {"returnCode": "800", "returnMessage": "bad key"}}),
     "400 bad key (code 800)"),
    (answer(409, {"error": "resource already exists", "code": "abc123"}),
     "409 resource already exists (code abc123)"),
    (answer(502, text="<html><body>Bad   gateway</body></html>"),
     "502 <html><body>Bad gateway</body></html>"),
    (answer(404), "404 Not Found"),
])
def test_other_error_shapes_are_tolerated(response: requests.Response, words: str) -> None:
    made, _ = client(ScriptedSession(response), max_attempts=1)
    with pytest.raises(NcpApiError) as caught:
        made.request("GET", "/p")
    assert str(caught.value).startswith(f"GET /p: {words}")


# -- retries ----------------------------------------------------------------------------------

def test_retry_after_is_honoured_on_429() -> None:
    made, sleeps = client(ScriptedSession(
        answer(429, ncp_error("420", "Rate Limited"), headers={"Retry-After": "3"}),
        answer(200, {"content": {}})))
    assert made.request("GET", "/p") == {"content": {}}
    assert sleeps == [3.0]


def test_retry_after_as_an_http_date() -> None:
    made, sleeps = client(ScriptedSession(
        answer(503, headers={"Retry-After": "Sat, 06 Dec 2025 05:46:44 GMT"}),
        answer(200, {})))
    made.request("GET", "/p")
    assert sleeps == [pytest.approx(4.0)]  # NOW is 05:46:40 that day


def test_exponential_backoff_with_jitter_then_plain_words() -> None:
    made, sleeps = client(ScriptedSession(*[answer(503, ncp_error("500", "Endpoint Error"))] * 4),
                          max_attempts=4)
    with pytest.raises(NcpApiError) as caught:
        made.request("GET", "/p")
    assert str(caught.value) == ("GET /p: 503 Endpoint Error; gave up after 4 attempts "
                                 "(code 500)")
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps, start=1):
        ceiling = 0.5 * 2 ** (attempt - 1)
        assert ceiling / 2 <= delay <= ceiling


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_statuses(status: int) -> None:
    made, sleeps = client(ScriptedSession(answer(status), answer(200, {})))
    assert made.request("GET", "/p") == {}
    assert len(sleeps) == 1


def test_connection_errors_are_retried_then_reported_without_an_answer() -> None:
    made, sleeps = client(ScriptedSession(requests.ConnectionError("reset"), answer(200, {})))
    assert made.request("PUT", "/p", body={}) == {}
    made, sleeps = client(ScriptedSession(*[requests.ConnectionError("refused")] * 3),
                          max_attempts=3)
    with pytest.raises(NcpApiError) as caught:
        made.request("PUT", "/p", body={})
    assert str(caught.value) == ("PUT /p: no answer connection refused or dropped; gave up "
                                 "after 3 attempts")
    assert caught.value.status is None and caught.value.__cause__ is None
    assert len(sleeps) == 2


def test_delete_already_done_by_a_lost_attempt_is_success() -> None:
    made, _ = client(ScriptedSession(requests.ConnectionError("dropped"),
                                     answer(404, ncp_error("80301", "ACTION_NOT_FOUND"))))
    assert made.request("DELETE", PATH) is None
    made, _ = client(ScriptedSession(answer(404, ncp_error("80301", "ACTION_NOT_FOUND"))))
    with pytest.raises(NcpApiError):  # a first-attempt 404 is a real 404
        made.request("DELETE", PATH)


# -- secrets ----------------------------------------------------------------------------------

def echoing(status: int) -> Any:
    """A server that repeats the request's headers and body in its error message."""
    def respond(prepared: requests.PreparedRequest) -> requests.Response:
        body = prepared.body.decode() if isinstance(prepared.body, bytes) else prepared.body
        text = f"bad request {dict(prepared.headers)} {body}"
        return answer(status, ncp_error("100", text, details=text))
    return respond


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):
        yield caplog


def secret_free(error: NcpApiError, caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    texts = [str(error), repr(error), error.message, str(error.details), *map(str, error.args)]
    texts += [record.getMessage() for record in caplog.records]
    for secret in secrets:
        for text in texts:
            assert secret not in text


@pytest.mark.parametrize("script", [
    [echoing(400)],
    [echoing(503)] * 3,
    [requests.ConnectionError(f"dropped {SECRET_KEY} {DB_PASSWORD}")] * 3,
])
def test_no_secret_in_exceptions_or_logs(script: list[Any],
                                         all_logs: pytest.LogCaptureFixture) -> None:
    session = ScriptedSession(*script)
    made, _ = client(session, max_attempts=3)
    body = {"description": "api", "parameters": {"db_password": DB_PASSWORD,
                                                 "nested": {"token": DB_PASSWORD + "-2"}},
            "limits": {"memory": 300, "timeout": 60_000}}
    with pytest.raises(NcpApiError) as caught:
        made.request("PUT", PATH, query={"platform": "vpc"}, body=body)
    signatures = [prepared.headers[SIGNATURE_HEADER] for prepared in session.sent]
    secret_free(caught.value, all_logs, SECRET_KEY, DB_PASSWORD, *signatures)
    assert SECRET_KEY not in repr(made)


def test_redaction_keeps_the_rest_of_the_message() -> None:
    made, _ = client(ScriptedSession(answer(400, ncp_error(
        "100", f"parameters.db_password={DB_PASSWORD} is not allowed"))))
    with pytest.raises(NcpApiError) as caught:
        made.request("PUT", PATH, body={"parameters": {"db_password": DB_PASSWORD}})
    assert caught.value.message == "parameters.db_password=[redacted] is not allowed"
