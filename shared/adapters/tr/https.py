"""The TR over HTTPS (`POST {tr_url}/reports`), with timeouts and bounded retries.

Standard library only (urllib), like shared/adapters/invoker.py: nothing to bundle in the
action zip, nothing heavy to import on a cold start.

Retries here are short and few (default 3 requests with full-jitter exponential backoff,
honouring a small `Retry-After`): they ride out a blip inside one activation. Anything longer
is the queue's job (the handler raises, the message comes back with the queue's backoff) and
the circuit breaker's (breaker.py). Every retry re-sends the same `X-Report-File-Id` and
bytes, so the TR answers the same message id whichever request it actually took.
"""

from __future__ import annotations

import http.client
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

from shared.adapters.tr.base import (
    TrError,
    TrReceipt,
    TrRefused,
    TrSubmission,
    TrTransient,
    TrUnauthorized,
)
from shared.platform.jsontext import json_object
from shared.platform.logging import get_logger

log = get_logger("swaprep.tr")

MAX_ANSWER_BYTES = 1024 * 1024  # an answer is a small JSON object; more is not a TR talking


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would replay a redirected POST as a GET without the body: refuse instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


class HttpsTrTransport:
    """One TR endpoint. `remaining_s` (the activation's time left) bounds the retries."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout_s: float = 10.0,
        max_attempts: int = 3,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 5.0,
        remaining_s: Callable[[], float | None] = lambda: None,
        sleep: Callable[[float], None] = time.sleep,
        random_fraction: Callable[[], float] = random.random,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.url = url.rstrip("/")
        self._api_key = api_key
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self._remaining_s = remaining_s
        self._sleep = sleep
        self._random = random_fraction

    def __repr__(self) -> str:  # never the key
        return f"HttpsTrTransport({self.url!r})"

    def headers(self, submission: TrSubmission) -> dict[str, str]:
        headers = {
            "Content-Type": submission.media_type,
            "Authorization": f"Bearer {self._api_key}",
            "X-Regime": submission.regime,
            "X-Report-File-Id": submission.report_file_id,
            "Accept": "application/json",
        }
        if submission.submitter_lei:
            headers["X-Submitter"] = submission.submitter_lei
        if submission.submitter_tenant:
            headers["X-Submitter-Tenant"] = submission.submitter_tenant
        return headers

    def submit(self, submission: TrSubmission) -> TrReceipt:
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(submission, attempt)
            except TrTransient as exc:
                wait = self._wait_before(attempt, exc)
                if wait is None:
                    exc.attempts = attempt
                    raise
                log.warning("TR request failed, retrying", extra={
                    "tr_url": self.url, "attempt": attempt, "wait_s": round(wait, 2),
                    "error": str(exc), "report_file_id": submission.report_file_id})
                self._sleep(wait)
            except TrError as exc:
                exc.attempts = attempt
                raise

    def _wait_before(self, attempt: int, exc: TrTransient) -> float | None:
        """Seconds to wait before the next request, or None: give up now."""
        if attempt >= self.max_attempts:
            return None
        # 2 ** int is typed Any (a negative exponent makes it a float)
        ceiling: float = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        wait = self._random() * ceiling  # full jitter: retries of many files spread out
        if exc.retry_after_s is not None:
            if exc.retry_after_s > self.backoff_max_s:
                return None  # the TR asks for a long pause: leave it to the queue
            wait = max(wait, exc.retry_after_s)
        remaining = self._remaining_s()
        # Another request must fit in the activation, or its answer would be lost with it.
        if remaining is not None and remaining < wait + self.timeout_s + 5:
            return None
        return wait

    def _once(self, submission: TrSubmission, attempt: int) -> TrReceipt:
        request = urllib.request.Request(
            f"{self.url}/reports", data=submission.body, method="POST",
            headers=self.headers(submission),
        )
        try:
            with _OPENER.open(request, timeout=self.timeout_s) as response:
                status, raw = response.status, response.read(MAX_ANSWER_BYTES)
                retry_after = response.headers.get("Retry-After")
        except urllib.error.HTTPError as err:
            with err:
                status, raw = err.code, err.read(MAX_ANSWER_BYTES)
                retry_after = err.headers.get("Retry-After") if err.headers else None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            # OSError covers refused and reset connections and socket timeouts
            reason = getattr(exc, "reason", exc)
            raise TrTransient(f"no answer from {self.url}: {reason}") from exc
        return self._verdict(status, json_object(raw), retry_after, attempt)

    def _verdict(self, status: int, body: dict[str, Any], retry_after: str | None,
                 attempt: int) -> TrReceipt:
        code = str(body.get("code") or f"HTTP-{status}")
        message = str(body.get("message") or body.get("error") or "")
        if status in (200, 201, 202):
            message_id = body.get("tr_message_id")
            if not isinstance(message_id, str) or not message_id:
                raise TrTransient(f"TR answered {status} without a tr_message_id",
                                  http_status=status)
            records = body.get("records")
            return TrReceipt(
                tr_message_id=message_id,
                received_at=body.get("received_at"),
                records=records if isinstance(records, int) else None,
                http_status=status,
                replayed=bool(body.get("replayed")),
                attempts=attempt,
            )
        if status in (400, 409, 413, 415, 422):
            # The file itself is refused; the same bytes will be refused again.
            raise TrRefused(code, message or f"refused with HTTP {status}", http_status=status)
        if status in (401, 403):
            raise TrUnauthorized(f"TR refused our credentials (HTTP {status}): {code} {message}",
                                 http_status=status)
        raise TrTransient(f"TR answered HTTP {status}: {code} {message}".rstrip(),
                          http_status=status, retry_after_s=_retry_after(retry_after))
