"""A signed client for NCP's management REST APIs (Cloud Functions v2, API Gateway v1, ...).

JSON in, JSON out. Each attempt is signed afresh (`swaprep.ncp.signing`) over the path with
query exactly as `requests` puts it on the wire (`PreparedRequest.path_url`). Retries with
exponential backoff and jitter on 429/500/502/503/504 and on connection errors, honouring
`Retry-After`; the Cloud Functions calls the deploy tool makes are idempotent (PUT upserts,
GET, DELETE, link-action), so a retry after a lost answer is safe. API Gateway creates are
POST: names are unique per scope, so a retried create whose first answer was lost comes back
as a duplicate-name refusal (never a second copy); the caller lists by name to find it.

Secrets stay out of every exception text and log line: the secret key, the signature, and
the values a request body carries under `parameters` (a DB password travels there) and in
`exec.code`, even when a server echoes them back in its error message.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, urlencode

import requests

from swaprep.ncp.signing import SIGNATURE_HEADER, sign_headers

log = logging.getLogger("swaprep.ncp.client")

CLOUD_FUNCTIONS_URL = "https://cloudfunctions.apigw.ntruss.com"
CLOUD_FUNCTIONS_PREFIX = "/ncf/api/v2"

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
RETRY_AFTER_CAP_S = 120.0  # a server asking for longer is treated as asking for this
REDACTED = "[redacted]"
_MIN_SECRET_CHARS = 4  # shorter values would blank out ordinary words in messages


class NcpApiError(Exception):
    """An NCP API call that failed, in plain words: "PUT /path: 400 message (code 10001)".

    `status` is None when no answer came (connection refused or dropped on every attempt).
    """

    def __init__(
        self,
        status: int | None,
        code: str | None,
        message: str,
        details: str | None,
        method: str,
        path: str,
    ) -> None:
        self.status, self.code, self.message, self.details = status, code, message, details
        self.method, self.path = method, path
        super().__init__(self._text())

    def _text(self) -> str:
        status = str(self.status) if self.status is not None else "no answer"
        text = f"{self.method} {self.path}: {status} {self.message}"
        return f"{text} (code {self.code})" if self.code else text

    def __str__(self) -> str:
        return self._text()


def _secret_values(body: Any) -> list[str]:
    """String values a body carries under any `parameters` key or in `exec.code`."""
    found: list[str] = []

    def leaves(value: Any) -> Iterable[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item)
        elif value is not None and not isinstance(value, bool):
            yield str(value)

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "parameters" or key == "code":
                    found.extend(leaves(item))
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(body)
    return found


class _Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        forms = {secret}
        if not (secret.isascii() and secret.isprintable()) or '"' in secret or "\\" in secret:
            # A server echoing the body repeats such a value JSON-escaped.
            forms |= {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
        self._secrets.extend(f for f in forms
                             if len(f) >= _MIN_SECRET_CHARS and f not in self._secrets)
        # Longest first, so a secret containing another is removed whole.
        self._secrets.sort(key=len, reverse=True)

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        for secret in self._secrets:
            if len(secret) <= len(text) and secret in text:
                text = text.replace(secret, REDACTED)
        return text


def _parse_error(response: requests.Response) -> tuple[str | None, str, str | None]:
    """(code, message, details) from NCP's `{"error": {errorCode, message, details}}`, or
    from the other shapes seen in the wild: flat, classic `responseError`, OpenWhisk's
    `{"error": "...", "code": ...}`, or plain text."""
    reason = response.reason or "error"
    try:
        payload = response.json()
    except ValueError:
        text = " ".join((response.text or "").split())[:200]
        return None, text or reason, None
    if isinstance(payload, dict):
        error = payload.get("error", payload.get("responseError", payload))
        if isinstance(error, dict):
            code = error.get("errorCode", error.get("returnCode", error.get("code")))
            message = error.get("message", error.get("returnMessage", error.get("error")))
            details = error.get("details")
            return (
                None if code is None else str(code),
                str(message) if message else reason,
                None if details in (None, "") else str(details),
            )
        if isinstance(error, str):
            code = payload.get("code")
            return (None if code is None else str(code)), error, None
    return None, reason, None


def _retry_after_s(response: requests.Response, now: float) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - now
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_S)


class NcpClient:
    def __init__(
        self,
        base_url: str,
        access_key: str,
        secret_key: str,
        *,
        timeout_s: float = 30,
        max_attempts: int = 5,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.access_key = access_key
        self._secret_key = secret_key
        self.timeout_s, self.max_attempts = timeout_s, max_attempts
        self._clock, self._sleep = clock, sleep
        self._session = session or requests.Session()
        self._rng = rng or random.Random()

    def __repr__(self) -> str:  # never the secret
        return f"NcpClient({self.base_url!r}, access_key={self.access_key!r})"

    def close(self) -> None:
        self._session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Call `method path?query` with a JSON body; the decoded JSON answer, or None for an
        empty one (204). Raises NcpApiError on a refusal or when every attempt failed."""
        method = method.upper()
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        url = self.base_url + quote(path, safe="/-_.~%:@")
        if query:
            url += "?" + urlencode(
                [(k, _query_value(v)) for k, v in query.items() if v is not None],
                quote_via=quote,
            )
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        redact = _Redactor([self._secret_key, *_secret_values(body)])
        reached_server = False  # an earlier attempt may have done the work (DELETE -> 404)
        attempt = 0
        while True:
            attempt += 1
            prepared = requests.Request(
                method, url, data=data,
                headers={"Content-Type": "application/json; charset=utf-8",
                         "Accept": "application/json"} if data is not None
                else {"Accept": "application/json"},
            ).prepare()
            signed = sign_headers(
                method, prepared.path_url, self.access_key, self._secret_key,
                now_ms=int(self._clock() * 1000),
            )
            prepared.headers.update(signed)
            redact.add(signed[SIGNATURE_HEADER])
            try:
                # No redirects: they would carry the signed headers to a path they don't sign.
                response = self._session.send(
                    prepared, timeout=self.timeout_s, allow_redirects=False
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                reached_server = True
                reason = _connection_reason(exc)
                if attempt >= self.max_attempts:
                    raise NcpApiError(
                        None, None, f"{reason}; gave up after {attempt} attempts", None,
                        method, path,
                    ) from None  # the requests error holds the signed request: drop it
                self._pause(method, path, reason, attempt, None)
                continue
            if response.status_code < 300:
                return _decode(response, method, path)
            if response.status_code < 400:
                raise NcpApiError(response.status_code, None, "redirected elsewhere; not "
                                  "followed", None, method, path)
            code, message, details = _parse_error(response)
            message, details = redact(message) or "", redact(details)
            if (response.status_code == 404 and method == "DELETE" and reached_server):
                log.info("%s %s: already gone after a retried attempt", method, path)
                return None
            if response.status_code in RETRYABLE_STATUSES and attempt < self.max_attempts:
                reached_server = reached_server or response.status_code >= 500
                wait = _retry_after_s(response, self._clock())
                self._pause(method, path, f"{response.status_code} {message}", attempt, wait)
                continue
            if response.status_code in RETRYABLE_STATUSES:
                message = f"{message}; gave up after {attempt} attempts"
            raise NcpApiError(response.status_code, code, message, details, method, path)

    def _pause(
        self, method: str, path: str, reason: str, attempt: int, retry_after: float | None
    ) -> None:
        if retry_after is None:
            ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))
            delay = self._rng.uniform(ceiling / 2, ceiling)  # jitter spreads herds apart
        else:
            delay = retry_after
        log.warning(
            "%s %s: %s; retrying in %.1f s (attempt %d of %d)",
            method, path, reason, delay, attempt + 1, self.max_attempts,
        )
        self._sleep(delay)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _connection_reason(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    return "connection refused or dropped"


def _decode(response: requests.Response, method: str, path: str) -> dict[str, Any] | None:
    if not response.content:
        return None
    try:
        payload = response.json()
    except ValueError:
        raise NcpApiError(
            response.status_code, None, "answer is not JSON", None, method, path
        ) from None
    if payload is None:
        return None
    # Lists (e.g. Get Package List's `content`) come wrapped, but tolerate a bare one.
    return payload if isinstance(payload, dict) else {"content": payload}
