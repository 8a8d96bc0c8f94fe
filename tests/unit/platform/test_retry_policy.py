"""Backoff with full jitter: bounded, growing, capped, and actually spread out."""

from __future__ import annotations

import random

import pytest

from shared.adapters.queue import RetryPolicy


def test_the_ceiling_doubles_per_receive_up_to_the_cap():
    policy = RetryPolicy(base_delay_s=2.0, max_delay_s=300.0, random=lambda: 1.0)
    assert [policy.backoff(n) for n in range(1, 10)] == [2, 4, 8, 16, 32, 64, 128, 256, 300]
    assert policy.backoff(10_000) == 300  # no float overflow for absurd counts
    assert policy.backoff(0) == 2  # a count below 1 is treated as the first receive


def test_full_jitter_spreads_waits_over_the_whole_range():
    policy = RetryPolicy(base_delay_s=2.0, max_delay_s=300.0, random=random.Random(7).random)
    waits = [policy.backoff(4) for _ in range(2000)]
    assert all(0 <= w <= 16 for w in waits)
    # A batch that failed together must not come back together.
    assert min(waits) < 1 and max(waits) > 15 and len({round(w, 3) for w in waits}) > 1000


def test_pinned_jitter_gives_zero_wait():
    assert RetryPolicy(random=lambda: 0.0).backoff(5) == 0


def test_exhausted_from_the_last_allowed_receive_on():
    policy = RetryPolicy(max_receives=3)
    assert [policy.exhausted(n) for n in (1, 2, 3, 4)] == [False, False, True, True]


@pytest.mark.parametrize(
    "options", [{"max_receives": 0}, {"base_delay_s": -1}, {"base_delay_s": 10, "max_delay_s": 5}]
)
def test_nonsense_policies_are_refused(options):
    with pytest.raises(ValueError):
        RetryPolicy(**options)
