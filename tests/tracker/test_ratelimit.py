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


@pytest.mark.parametrize("budget", [1.5, 2.0, 3.0, 5.0, 10.0, 250.0, 500.0, 1000.0])
def test_the_engine_budget_delivers_its_rate_and_never_more(budget: float) -> None:
    """The tracker's budget (a bucket with a small bank, then the send window): a greedy
    caller polled on a 1 ms fake clock sends the budget's rate over 4 s (at least 95 %; at
    1.5/s, 6 in 4 s) and never more than the budget rounded up in any 1 s window."""
    import math

    from aireiter.tracker._engine import _budget
    from aireiter.tracker._ratelimit import SendWindow, window_limit

    bucket, window = _budget(budget, 0.0), SendWindow()
    limit = window_limit(bucket)
    assert limit == math.ceil(budget)
    sent: list[float] = []
    holding = False  # a token taken, the send waiting for the window
    for tick in range(4000):
        now = tick / 1000
        while True:
            if not holding and bucket.try_acquire(now) == 0.0:
                holding = True
            if not holding or window.delay(now, limit) > 0.0:
                break
            holding = False
            sent.append(now)
    for start in sent:
        assert sum(1 for t in sent if 0.0 <= t - start < 1.0) <= limit
    assert len(sent) >= math.floor(0.95 * 4 * budget)


def test_a_late_dispatcher_loses_no_budget() -> None:
    """A caller that comes back 20 ms late finds the tokens banked meanwhile (up to the bank):
    lateness is credited, not lost for good."""
    from aireiter.tracker._engine import _budget

    bucket = _budget(500.0, 0.0)
    while bucket.try_acquire(0.0) == 0.0:
        pass  # drain the bank
    got = 0
    while bucket.try_acquire(0.02) == 0.0:
        got += 1
    assert got >= 9  # 20 ms at 500/s


def test_a_429_halves_the_rate_and_it_grows_back() -> None:
    """AIMD: slow_down halves the rate (not below its floor); each second after adds back
    5 % of the configured rate."""
    bucket = TokenBucket(100.0, now=0.0)
    bucket.slow_down(0.0)
    assert bucket.rate == pytest.approx(50.0)
    bucket.slow_down(0.0)
    bucket.slow_down(0.0)
    bucket.slow_down(0.0)
    bucket.slow_down(0.0)
    assert bucket.rate == pytest.approx(6.25)  # the floor: 1/16 of 100
    bucket.try_acquire(10.0)
    assert bucket.rate == pytest.approx(56.25)
    bucket.try_acquire(100.0)
    assert bucket.rate == pytest.approx(100.0)


def test_send_window_never_lets_a_second_go_over_its_limit() -> None:
    """Bunched sends (a batch commit releasing several at once) are held back just enough:
    never more than ``limit`` in any 1 s window, none held longer than a second, and
    none held at all while the window has room."""
    from aireiter.tracker._ratelimit import SendWindow, TokenBucket, window_limit

    window = SendWindow()
    sent: list[float] = []
    held: list[float] = []
    waiting: list[float] = []  # when each waiting send was released by the journal
    for tick in range(4000):  # a 1 ms clock over 4 s
        now = tick / 1000
        if tick % 100 == 0:
            waiting += [now] * 12  # 120 a second asked for, in bunches of 12; limit 100
        while waiting and window.delay(now, 100) == 0.0:
            held.append(now - waiting.pop(0))
            sent.append(now)
    # (a window measured as the window measures it: t - start < 1.0, in floats)
    worst = max(sum(1 for t in sent if 0.0 <= t - start < 1.0) for start in sent)
    assert worst == 100
    assert len(sent) >= 390  # ... and it sends all it may: about 100 a second
    assert max(held) <= 1.0
    assert held[:100] == [0.0] * 100  # the first second had room: nobody waited
    assert window_limit(TokenBucket(None)) is None
    assert window_limit(TokenBucket(388.0, capacity=12.0)) == 400  # refill + bank
    assert window_limit(TokenBucket(1.5)) == 2
    assert window_limit(TokenBucket(0.5)) == 1
    # three runs sharing 100/s: 32 each (3 % under the share, for the jitter of three
    # processes' requests meeting at one API), never 34 (three of 34 would make 102)
    assert window_limit(TokenBucket(100 / 3), share=True) == 32
    assert window_limit(TokenBucket(100 / 3)) == 34
