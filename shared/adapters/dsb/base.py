"""What the DSB adapter raises: a refusal (the DSB answered no: do not retry today), an
outage (no answer, 5xx: ask again later), or bad credentials (an operator must act)."""

from __future__ import annotations


class DsbError(Exception):
    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.code = status, code


class DsbRefused(DsbError):
    """The DSB refused the request (creation not allowed for the user type, cap reached...)."""


class DsbUnreachable(DsbError):
    """No answer, a timeout, a 5xx or an answer that is not the DSB's JSON."""


class DsbUnauthorized(DsbError):
    """401: the API key is wrong or expired."""
