"""Token buckets: pure logic over a fake clock."""

from __future__ import annotations

import pytest

from aireiter.tracker._ratelimit import TokenBucket


def test_requests_are_spaced_at_the_rate() -> None:
    """With capacity 1, tokens come one every 1/rate seconds."""
    bucket = TokenBucket(10.0, now=0.0)
    assert bucket.try_acquire(0.0) == 0.0
    assert bucket.try_acquire(0.0) == pytest.approx(0.1)
    assert bucket.try_acquire(0.05) == pytest.approx(0.05)
    assert bucket.try_acquire(0.1) == 0.0


def test_never_more_than_rate_times_window_plus_capacity() -> None:
    """Greedy acquisition on a fine fake clock never beats rate * t + capacity."""
    bucket = TokenBucket(50.0, capacity=3, now=0.0)
    taken: list[float] = []
    now = 0.0
    while now < 2.0:
        if bucket.try_acquire(now) == 0.0:
            taken.append(now)
        else:
            now += 0.001
    for start in taken:
        in_window = sum(1 for t in taken if start <= t < start + 1.0)
        assert in_window <= 50 + 3


def test_pause_refuses_tokens_until_then_restarts_empty() -> None:
    """A pause (a 429's Retry-After) hands nothing out until it ends, then one at a time."""
    bucket = TokenBucket(10.0, capacity=5, now=0.0)
    bucket.pause(2.0)
    assert bucket.try_acquire(1.0) == pytest.approx(1.0)
    assert bucket.try_acquire(2.0) == pytest.approx(0.1)
    assert bucket.try_acquire(2.1) == 0.0
    bucket.pause(1.0)  # an earlier end does not shorten the pause in force
    assert bucket.paused_until == 2.0


def test_unlimited_bucket_and_refund() -> None:
    """rate=None never waits (except while paused); refund gives a token back."""
    free = TokenBucket(None)
    assert all(free.try_acquire(0.0) == 0.0 for _ in range(1000))
    free.pause(5.0)
    assert free.try_acquire(1.0) == pytest.approx(4.0)
    bucket = TokenBucket(1.0, now=0.0)
    assert bucket.try_acquire(0.0) == 0.0
    bucket.refund()
    assert bucket.try_acquire(0.0) == 0.0


@pytest.mark.parametrize(("rate", "capacity"), [(0.0, 1.0), (-1.0, 1.0), (1.0, 0.5)])
def test_bad_buckets_are_refused(rate: float, capacity: float) -> None:
    """A zero or negative rate, or a capacity below one token, is an error."""
    with pytest.raises(ValueError):
        TokenBucket(rate, capacity=capacity)
