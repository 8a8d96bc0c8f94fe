"""Configuration from action parameters, with NCP's precedence, falling back to environment.

On NCP, config and secrets arrive as package/action default parameters; the platform merges
them into `args` (invocation > trigger > action > package) before `main` runs. The local stack
does the same merge with `merge_parameters` and also offers plain environment variables, so
a setting is looked up as `args["database_url"]`, then `args["DATABASE_URL"]`, then
`$DATABASE_URL`. Secrets are never logged: `Config.describe()` masks them.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Mapping
from typing import Any, TypeVar

_N = TypeVar("_N", int, float)

NCP_OBJECT_STORAGE_ENDPOINT = "https://kr.object.ncloudstorage.com"
NCP_OBJECT_STORAGE_REGION = "kr-standard"

DEFAULTS: dict[str, str] = {
    "s3_endpoint_url": NCP_OBJECT_STORAGE_ENDPOINT,
    "s3_region": NCP_OBJECT_STORAGE_REGION,
    "bucket_inbound": "swaprep-inbound",
    "bucket_outbound": "swaprep-outbound",
    "bucket_feedback": "swaprep-feedback",
    "bucket_frontend": "swaprep-frontend",
    "queue_backend": "postgres",
    "log_level": "INFO",
}

# Names (or name parts) whose values are secrets: masked wherever config is shown or logged.
SECRET_MARKERS = ("password", "secret", "token", "key", "database_url", "credential", "webhook")


class ConfigError(RuntimeError):
    """A required setting is missing or malformed; the message names the setting."""


def merge_parameters(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge parameter layers, lowest precedence first: package, action, trigger, invocation."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if layer:
            merged.update(layer)
    return merged


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(marker in lowered for marker in SECRET_MARKERS)


class Config:
    """Read-only view over an activation's parameters and the process environment."""

    def __init__(self, args: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None):
        self._args = dict(args or {})
        self._env = os.environ if env is None else env

    def get(self, name: str, default: Any = None) -> Any:
        key = name.lower()
        for candidate in (key, key.upper()):
            value = self._args.get(candidate)
            if value not in (None, ""):
                return value
        value = self._env.get(key.upper())
        if value not in (None, ""):
            return value
        return DEFAULTS.get(key, default)

    def require(self, name: str) -> Any:
        value = self.get(name)
        if value in (None, ""):
            raise ConfigError(
                f"setting '{name.lower()}' is missing: pass it as an action/package parameter "
                f"or set the environment variable {name.upper()}"
            )
        return value

    def integer(self, name: str, default: int, *, minimum: int | None = None,
                maximum: int | None = None) -> int:
        """A whole number ("25", 25 or 25.0); ConfigError naming the setting and the value when
        it is not one or is outside [minimum, maximum]: a typo fails at start, not mid-run."""
        value = self.get(name, default)
        parsed: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            parsed = value
        elif isinstance(value, float) and value.is_integer():
            parsed = int(value)
        elif isinstance(value, str):
            with contextlib.suppress(ValueError):
                parsed = int(value.strip())
        if parsed is None:
            raise ConfigError(f"setting '{name.lower()}' must be an integer, got {value!r}")
        return _within(name, parsed, minimum, maximum)

    def number(self, name: str, default: float, *, minimum: float | None = None,
               maximum: float | None = None) -> float:
        """A (decimal) number, checked as `integer` is; NaN and infinity are refused."""
        value = self.get(name, default)
        parsed: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            parsed = float(value)
        elif isinstance(value, str):
            with contextlib.suppress(ValueError):
                parsed = float(value.strip())
        if parsed is None or not math.isfinite(parsed):
            raise ConfigError(f"setting '{name.lower()}' must be a number, got {value!r}")
        return _within(name, parsed, minimum, maximum)

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.get(name, default)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("1", "true", "yes", "on")

    def bucket(self, logical: str) -> str:
        """Physical bucket name for a logical one: inbound, outbound, feedback, frontend."""
        name: str = self.require(f"bucket_{logical}")
        return name

    def describe(self, names: list[str]) -> dict[str, Any]:
        """Settings for display, with secrets masked."""
        shown = {}
        for name in names:
            value = self.get(name)
            shown[name] = "***" if value and is_secret(name) else value
        return shown


def _within(name: str, value: _N, minimum: _N | None, maximum: _N | None) -> _N:
    low = minimum is not None and value < minimum
    high = maximum is not None and value > maximum
    if low or high:
        if minimum is not None and maximum is not None:
            bounds = f"between {minimum} and {maximum}"
        else:
            bounds = f"at least {minimum}" if low else f"at most {maximum}"
        raise ConfigError(f"setting '{name.lower()}' must be {bounds}, got {value!r}")
    return value
