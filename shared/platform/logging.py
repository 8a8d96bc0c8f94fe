"""Structured JSON logs: one line per record with activation, tenant and correlation ids.

Context lives in a contextvar, so `log_context(tenant_id=...)` around a unit of work tags
every line logged inside it, however deep. Values under secret-looking names are masked
before a line is written, so a config dump or an exception with a URL in it cannot leak a
password into the platform's log store.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
import time
from collections.abc import Iterator
from typing import Any, TextIO

from shared.platform.config import is_secret

_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar(
    "swaprep_log_context", default={}  # noqa: B039 - never mutated, always replaced
)

# postgresql://user:password@host -> postgresql://user:***@host
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://[^:/@\s]+):[^@\s]+@", re.I)


def redact_text(text: str) -> str:
    return _URL_PASSWORD.sub(r"\g<scheme>:***@", text)


def redact(value: Any, name: str = "") -> Any:
    if name and is_secret(name) and value not in (None, ""):
        return "***"
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Tag every log line inside the block with `fields` (None values are dropped)."""
    merged = {**_context.get(), **{k: v for k, v in fields.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, Any]:
    return dict(_context.get())


_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            **_context.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(redact(line), default=str, ensure_ascii=False)


class _StdoutHandler(logging.StreamHandler[TextIO]):
    """Writes to the current `sys.stdout`, which the platform (or a test) may swap."""

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure(level: str | int = "INFO") -> None:
    """Install the JSON formatter on the root logger once per process (warm starts skip it)."""
    root = logging.getLogger()
    root.setLevel(level if isinstance(level, int) else level.upper())
    if any(isinstance(h, _StdoutHandler) for h in root.handlers):
        return
    handler = _StdoutHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    # Chatty libraries stay at WARNING unless asked otherwise.
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer", "psycopg.pool"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)
