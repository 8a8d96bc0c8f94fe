"""TR transport: the port (base.py), the HTTPS adapter (https.py) and the PostgreSQL-backed
circuit breaker (breaker.py), wired from configuration by `transport_from_config`.

Settings (action/package parameters or environment; `<regime>` is a registered regime's
`config_suffix` (shared.domain.regimes): krx, emir or cftc_part45):
    tr_url_<regime>, tr_api_key_<regime>   endpoint and key of that regime's TR (required)
    tr_timeout_s            per request (connect and each read), default 10
    tr_max_attempts         requests per activation for one file, default 3
    tr_backoff_base_s       first retry waits up to this (full jitter), default 0.5
    tr_backoff_max_s        cap of a retry's wait, default 5
    tr_breaker_threshold    consecutive failures that open the breaker, default 5
    tr_breaker_cooldown_s   how long it stays open before a probe, default 60
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shared.adapters.tr.base import (
    CircuitOpen,
    TrError,
    TrReceipt,
    TrRefused,
    TrSubmission,
    TrTransient,
    TrTransport,
    TrUnauthorized,
    config_suffix,
)
from shared.platform.config import Config

if TYPE_CHECKING:
    from shared.adapters.tr.breaker import CircuitBreaker

__all__ = [
    "CircuitOpen",
    "TrError",
    "TrReceipt",
    "TrRefused",
    "TrSubmission",
    "TrTransient",
    "TrTransport",
    "TrUnauthorized",
    "breaker_from_config",
    "config_suffix",
    "transport_from_config",
]


def breaker_from_config(config: Config, regime: str, db: Any) -> CircuitBreaker:
    from shared.adapters.tr.breaker import BreakerPolicy, CircuitBreaker

    timeout = config.number("tr_timeout_s", 10.0, minimum=0)
    attempts = config.integer("tr_max_attempts", 3, minimum=1)
    backoff_max = config.number("tr_backoff_max_s", 5.0, minimum=0)
    policy = BreakerPolicy(
        failure_threshold=config.integer("tr_breaker_threshold", 5, minimum=1),
        cooldown_s=config.number("tr_breaker_cooldown_s", 60.0, minimum=0),
        # a probe's lease: long enough for all its requests, so two probes never overlap
        probe_timeout_s=attempts * (timeout + backoff_max) + 10,
    )
    return CircuitBreaker(db, regime, policy)


def transport_from_config(config: Config, regime: str, db: Any, *,
                          remaining_s: Callable[[], float | None] = lambda: None) -> TrTransport:
    """The regime's TR behind its breaker; `ConfigError` if its URL or key is missing."""
    from shared.adapters.tr.breaker import GuardedTransport
    from shared.adapters.tr.https import HttpsTrTransport

    suffix = config_suffix(regime)
    inner = HttpsTrTransport(
        config.require(f"tr_url_{suffix}"),
        config.require(f"tr_api_key_{suffix}"),
        timeout_s=config.number("tr_timeout_s", 10.0, minimum=0),
        max_attempts=config.integer("tr_max_attempts", 3, minimum=1),
        backoff_base_s=config.number("tr_backoff_base_s", 0.5, minimum=0),
        backoff_max_s=config.number("tr_backoff_max_s", 5.0, minimum=0),
        remaining_s=remaining_s,
    )
    return GuardedTransport(inner, breaker_from_config(config, regime, db))
