"""Request rate limits and quotas, modelled on NCP API Gateway usage plans (pure, no I/O).

A usage plan on NCP has a request rate (`rateRps`, requests per second) and daily and monthly
quotas (`dayQuotaRequest`, `monthQuotaRequest`) counted from the start of the day / month. Here
a `Limit` holds the same three numbers plus a burst: the rate is a token bucket (capacity
`burst`, refilled at `rate_per_s`), each quota a fixed window aligned to the start of the UTC
day or month. The local gateway keeps one `RateLimiter` and asks it once per request for every
subject the request counts against (the credential and its tenant): either every window admits
the request and all of them count it, or none does (a refused request costs nothing).

The answer carries the window that binds first (fewest requests left), as the
`X-RateLimit-Limit` / `-Remaining` / `-Reset` headers (Reset in seconds from now), and, when
refused, `Retry-After` (seconds until that window lets a request through again).
"""

from __future__ import annotations

import calendar
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

DAY_S = 86_400


@dataclass(frozen=True)
class Limit:
    rate_per_s: float | None = None
    burst: int | None = None  # bucket capacity; default: one second's worth of the rate
    quota_per_day: int | None = None
    quota_per_month: int | None = None

    def __post_init__(self) -> None:
        if self.rate_per_s is not None and self.rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")
        for name in ("burst", "quota_per_day", "quota_per_month"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.burst is not None and self.rate_per_s is None:
            raise ValueError("burst needs rate_per_s")

    @property
    def capacity(self) -> int:
        return self.burst or max(1, math.ceil(self.rate_per_s or 1))


@dataclass(frozen=True)
class Window:
    """One limit's state for one subject, after this request."""

    subject: str
    kind: str  # "rate", "day", "month"
    limit: int
    remaining: int
    reset_s: int  # until the window is whole again
    retry_after_s: int  # until it admits one more request (0: it does now)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    binding: Window | None  # None: nothing limits this request

    def headers(self) -> dict[str, str]:
        if self.binding is None:
            return {}
        out = {"X-RateLimit-Limit": str(self.binding.limit),
               "X-RateLimit-Remaining": str(self.binding.remaining),
               "X-RateLimit-Reset": str(self.binding.reset_s)}
        if not self.allowed:
            out["Retry-After"] = str(max(1, self.binding.retry_after_s))
        return out

    def explain(self) -> str:
        window = self.binding
        if window is None:
            return "no limit applies"
        what = {"rate": f"{window.limit} requests in a burst",
                "day": f"{window.limit} requests per day",
                "month": f"{window.limit} requests per month"}[window.kind]
        return (f"{window.subject} is over its limit of {what}; retry in "
                f"{max(1, window.retry_after_s)} s")


@dataclass
class _Pending:
    """State changes of one check, applied only if the request is admitted."""

    buckets: dict[str, tuple[float, float]]
    counts: dict[tuple[str, str, float], int]


def _month_bounds(now: float) -> tuple[float, float]:
    t = time.gmtime(now)
    start = calendar.timegm((t.tm_year, t.tm_mon, 1, 0, 0, 0))
    year, month = (t.tm_year + 1, 1) if t.tm_mon == 12 else (t.tm_year, t.tm_mon + 1)
    return start, calendar.timegm((year, month, 1, 0, 0, 0))


class RateLimiter:
    """Thread-safe limiter state in memory (one local gateway process holds it all)."""

    def __init__(self, clock: Callable[[], float] = time.time, max_subjects: int = 100_000):
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # subject -> (tokens, at)
        self._counts: dict[tuple[str, str, float], int] = {}  # (subject, kind, start) -> n
        self._max_subjects = max_subjects

    def check(self, subjects: Sequence[tuple[str, Limit]]) -> Decision:
        """Admit (and count) a request against every (subject, limit), or refuse it."""
        now = self._clock()
        with self._lock:
            self._prune(now)
            windows: list[Window] = []
            pending = _Pending({}, {})
            for subject, limit in subjects:
                windows += self._evaluate(subject, limit, now, pending)
            refused = [w for w in windows if w.retry_after_s > 0]
            if refused:
                return Decision(False, max(refused, key=lambda w: w.retry_after_s))
            self._buckets.update(pending.buckets)
            self._counts.update(pending.counts)
            if not windows:
                return Decision(True, None)
            return Decision(True, min(windows, key=lambda w: (w.remaining, -w.reset_s)))

    def _evaluate(self, subject: str, limit: Limit, now: float, pending: _Pending
                  ) -> list[Window]:
        """This request's windows for one subject; `pending` gets the state if admitted."""
        windows: list[Window] = []
        if limit.rate_per_s is not None:
            capacity, rate = limit.capacity, limit.rate_per_s
            tokens, at = self._buckets.get(subject, (float(capacity), now))
            tokens = min(capacity, tokens + max(0.0, now - at) * rate)
            if tokens < 1:
                wait = math.ceil((1 - tokens) / rate)
                windows.append(Window(subject, "rate", capacity, 0,
                                      math.ceil((capacity - tokens) / rate), wait))
            else:
                left = tokens - 1
                pending.buckets[subject] = (left, now)
                windows.append(Window(subject, "rate", capacity, math.floor(left),
                                      math.ceil((capacity - left) / rate), 0))
        day_start = now - now % DAY_S
        for kind, quota, (start, end) in (
            ("day", limit.quota_per_day, (day_start, day_start + DAY_S)),
            ("month", limit.quota_per_month, _month_bounds(now)),
        ):
            if quota is None:
                continue
            key = (subject, kind, start)
            used = self._counts.get(key, 0)
            reset = max(1, math.ceil(end - now))
            if used >= quota:
                windows.append(Window(subject, kind, quota, 0, reset, reset))
            else:
                pending.counts[key] = used + 1
                windows.append(Window(subject, kind, quota, quota - used - 1, reset, 0))
        return windows

    def _prune(self, now: float) -> None:
        """Forget past quota windows, and full buckets when there are too many subjects."""
        if len(self._counts) > self._max_subjects:
            day_start = now - now % DAY_S
            month_start = _month_bounds(now)[0]
            self._counts = {k: v for k, v in self._counts.items()
                            if k[2] >= (day_start if k[1] == "day" else month_start)}
        if len(self._buckets) > self._max_subjects:
            # A bucket idle for a minute is full again for any rate >= capacity/60.
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60}
