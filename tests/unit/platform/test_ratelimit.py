"""Rate limits and quotas modelled on NCP usage plans (shared/platform/ratelimit.py), with a
fake clock."""

import calendar

import pytest

from shared.platform.ratelimit import Limit, RateLimiter


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


NOON = calendar.timegm((2026, 11, 20, 12, 0, 0))


def _limiter(now=NOON):
    clock = Clock(now)
    return RateLimiter(clock=clock), clock


def test_token_bucket_allows_a_burst_then_refills_at_the_rate():
    limiter, clock = _limiter()
    plan = [("user:a", Limit(rate_per_s=2, burst=4))]
    remaining = [limiter.check(plan).headers()["X-RateLimit-Remaining"] for _ in range(4)]
    assert remaining == ["3", "2", "1", "0"]
    refused = limiter.check(plan)
    assert not refused.allowed
    assert refused.headers() == {"X-RateLimit-Limit": "4", "X-RateLimit-Remaining": "0",
                                 "X-RateLimit-Reset": "2", "Retry-After": "1"}
    assert "user:a is over its limit of 4 requests in a burst" in refused.explain()
    clock.now += 0.5  # one token back at 2 per second
    assert limiter.check(plan).allowed
    assert not limiter.check(plan).allowed
    clock.now += 10  # never more than the burst
    assert [limiter.check(plan).allowed for _ in range(5)] == [True] * 4 + [False]


def test_subjects_are_independent():
    limiter, _ = _limiter()
    assert limiter.check([("user:a", Limit(rate_per_s=1))]).allowed
    assert not limiter.check([("user:a", Limit(rate_per_s=1))]).allowed
    assert limiter.check([("user:b", Limit(rate_per_s=1))]).allowed


def test_day_quota_resets_at_utc_midnight():
    limiter, clock = _limiter()
    plan = [("key:k", Limit(quota_per_day=3))]
    assert [limiter.check(plan).allowed for _ in range(4)] == [True, True, True, False]
    refused = limiter.check(plan)
    assert refused.headers()["Retry-After"] == str(12 * 3600)
    assert refused.headers()["X-RateLimit-Reset"] == str(12 * 3600)
    assert "3 requests per day" in refused.explain()
    clock.now = calendar.timegm((2026, 11, 21, 0, 0, 0))
    assert limiter.check(plan).headers()["X-RateLimit-Remaining"] == "2"


def test_month_quota_resets_on_the_first_including_december():
    limiter, clock = _limiter(calendar.timegm((2026, 12, 31, 23, 0, 0)))
    plan = [("key:k", Limit(quota_per_month=1))]
    assert limiter.check(plan).allowed
    refused = limiter.check(plan)
    assert not refused.allowed and refused.headers()["Retry-After"] == "3600"
    clock.now = calendar.timegm((2027, 1, 1, 0, 0, 1))
    assert limiter.check(plan).allowed


def test_a_refused_request_costs_nothing_anywhere():
    limiter, _ = _limiter()
    caller = ("user:a", Limit(rate_per_s=100, burst=100))
    tenant = ("tenant:t", Limit(quota_per_day=2))
    other = ("user:b", Limit(rate_per_s=100, burst=100))
    assert limiter.check([caller, tenant]).allowed
    assert limiter.check([other, tenant]).allowed
    refused = limiter.check([caller, tenant])
    assert not refused.allowed and refused.binding.subject == "tenant:t"
    # The caller's bucket was not charged for the refused request.
    assert limiter.check([caller]).headers()["X-RateLimit-Remaining"] == "98"


def test_headers_report_the_window_that_binds_first():
    limiter, _ = _limiter()
    plan = [("user:a", Limit(rate_per_s=10, burst=10)), ("tenant:t", Limit(quota_per_day=5))]
    headers = limiter.check(plan).headers()
    assert headers["X-RateLimit-Limit"] == "5" and headers["X-RateLimit-Remaining"] == "4"
    assert "Retry-After" not in headers
    assert limiter.check([]).headers() == {} and limiter.check([]).allowed


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"rate_per_s": 0}, "rate_per_s must be positive"),
    ({"quota_per_day": 0}, "quota_per_day must be at least 1"),
    ({"burst": 3}, "burst needs rate_per_s"),
])
def test_invalid_limits_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Limit(**kwargs)


def test_old_windows_are_forgotten_when_many_subjects_pile_up():
    clock = Clock(NOON)
    limiter = RateLimiter(clock=clock, max_subjects=10)
    for i in range(20):
        limiter.check([(f"c:{i}", Limit(rate_per_s=1, quota_per_day=5))])
    clock.now += 86_400
    limiter.check([("c:new", Limit(rate_per_s=1, quota_per_day=5))])
    assert len(limiter._counts) == 1 and len(limiter._buckets) == 1
