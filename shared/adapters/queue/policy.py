"""Retry policy: how many receives a message gets and how long it waits between them."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    """Dead-letter after `max_receives` receives; between them, exponential backoff with full
    jitter (AWS architecture blog "Exponential Backoff And Jitter"): the wait is uniform in
    [0, min(max_delay_s, base_delay_s * 2**(n-1))]. Full jitter spreads retries of a batch
    that failed together (e.g. the TR was down) instead of stampeding back in lockstep.

    `random` returns a float in [0, 1); tests inject a fixed one.
    """

    max_receives: int = 5
    base_delay_s: float = 2.0
    max_delay_s: float = 300.0
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_receives < 1:
            raise ValueError("max_receives must be at least 1")
        if self.base_delay_s < 0 or self.max_delay_s < self.base_delay_s:
            raise ValueError("need 0 <= base_delay_s <= max_delay_s")

    def ceiling(self, receive_count: int) -> float:
        """The largest wait after the `receive_count`-th receive failed."""
        exponent = max(receive_count, 1) - 1
        # Cap the exponent too: 2**1000 as a float overflows long before min() could help.
        return min(self.max_delay_s, self.base_delay_s * 2.0 ** min(exponent, 64))

    def backoff(self, receive_count: int) -> float:
        """Seconds to keep a message invisible after its `receive_count`-th receive failed."""
        return self.random() * self.ceiling(receive_count)

    def exhausted(self, receive_count: int) -> bool:
        """True when a failure on this receive should dead-letter instead of retrying."""
        return receive_count >= self.max_receives
