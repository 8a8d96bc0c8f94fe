"""The TR transport port: hand one report file to a trade repository, get its verdict.

The protocol is docs/PIPELINE.md "TR protocol". A call ends in exactly one of:
- a `TrReceipt` (HTTP 202): the TR took the file; `tr_message_id` names it. Sending the same
  `report_file_id` with the same bytes again answers the same id (a retry is not a second
  submission);
- `TrRefused` (HTTP 400): the file as a whole is refused; retrying the same bytes cannot help;
- `TrUnauthorized` (401/403): our key or submitter is wrong; an operator must fix config;
- `TrTransient` (connection refused, timeout, 429, 5xx, garbled answer): try again later;
- `CircuitOpen`: the breaker for this TR is open, nothing was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.domain import regimes


def config_suffix(regime: str) -> str:
    """`cftc-part45` -> `cftc_part45`: parameter and environment names cannot hold a dash."""
    return regime.strip().lower().replace("-", "_")


@dataclass(frozen=True)
class TrSubmission:
    regime: str
    report_file_id: str
    body: bytes
    submitter_lei: str | None  # X-Submitter; a TR refuses a file without it
    submitter_tenant: str | None = None  # X-Submitter-Tenant: the feedback folder
    content_type: str | None = None  # default: the regime's media type

    @property
    def media_type(self) -> str:
        if self.content_type:
            return self.content_type
        known = regimes.REGISTRY.get(self.regime)
        return known.media_type if known else "application/octet-stream"


@dataclass(frozen=True)
class TrReceipt:
    tr_message_id: str
    received_at: str | None
    records: int | None
    http_status: int = 202
    replayed: bool = False  # the TR had this file already (our retry after a lost answer)
    attempts: int = 1  # HTTP requests this call made (bounded retries included)


class TrError(Exception):
    """Base of the transport's failures; `http_status` None: no HTTP answer at all."""

    def __init__(self, message: str, *, http_status: int | None = None,
                 attempts: int = 1) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.attempts = attempts
        self.breaker_opened = False  # set by the breaker when this failure opened it


class TrTransient(TrError):
    """Worth retrying later: the TR is down, slow, overloaded or answered garbage."""

    def __init__(self, message: str, *, http_status: int | None = None, attempts: int = 1,
                 retry_after_s: float | None = None) -> None:
        super().__init__(message, http_status=http_status, attempts=attempts)
        self.retry_after_s = retry_after_s


class TrRefused(TrError):
    """HTTP 400: the TR refused the file as a whole, with its code."""

    def __init__(self, code: str, message: str, *, http_status: int = 400,
                 attempts: int = 1) -> None:
        super().__init__(f"{code}: {message}", http_status=http_status, attempts=attempts)
        self.code = code
        self.reason = message


class TrUnauthorized(TrError):
    """HTTP 401/403: the API key (or the submitter it is bound to) is not accepted."""


class CircuitOpen(TrError):
    """The breaker is open: fail fast, nothing was sent. `retry_in_s`: when to come back."""

    def __init__(self, name: str, retry_in_s: float) -> None:
        super().__init__(f"circuit breaker for TR '{name}' is open; retry in {retry_in_s:.0f} s",
                         http_status=None, attempts=0)
        self.name = name
        self.retry_in_s = retry_in_s


class TrTransport(Protocol):
    def submit(self, submission: TrSubmission) -> TrReceipt:
        """Deliver the file; raise a `TrError` subclass when it was not taken."""
