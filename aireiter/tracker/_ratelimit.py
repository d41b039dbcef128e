"""Client-side request budgets: a token bucket that can be paused, as pure logic over a clock.

A :class:`TokenBucket` refills ``rate`` tokens per second up to ``capacity`` (default 1: requests
are evenly spaced, so in any window of ``t`` seconds at most ``rate * t + capacity`` go out).
``try_acquire(now)`` takes a token and returns 0, or returns the seconds until one will be there
(taking nothing). ``pause(until)`` empties the bucket and refuses tokens until ``until``: the
tracker calls it on both its buckets when any request gets a 429, with the server's
``Retry-After``, so the whole tracker slows down, not one job. Nothing here sleeps or reads a
clock; the caller passes ``now`` (``time.monotonic()`` in the tracker, a fake in tests).

A 429 also lowers the rate (additive increase, multiplicative decrease): :meth:`slow_down`
halves it (never below ``DEFAULT_MIN_RATE_FRACTION`` of the configured rate, nor below
``DEFAULT_MIN_RATE``); every second after that without a 429 it grows back by
``DEFAULT_RECOVERY_FRACTION`` of the configured rate, up to it. An unlimited bucket is only
paused.

A :class:`SendWindow` checks the same promise where it counts, when a request goes out: at
most ``limit`` sends in any 1 s. A token is taken when a job is handed to a worker, and a
submit then waits for its durable journal write (commits are batched), so requests can leave
in small bunches; the window holds back the few that would put a second over the budget.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Final

__all__ = [
    "DEFAULT_MIN_RATE",
    "DEFAULT_MIN_RATE_FRACTION",
    "DEFAULT_RECOVERY_FRACTION",
    "SendWindow",
    "TokenBucket",
]

DEFAULT_MIN_RATE_FRACTION: Final = 1 / 16  # a 429 storm never slows below this share ...
DEFAULT_MIN_RATE: Final = 0.5  # ... nor below this many requests per second
DEFAULT_RECOVERY_FRACTION: Final = 0.05  # share of the configured rate regained per second
SHARE_MARGIN: Final = 0.03  # a run's share of a split budget keeps this much under it


class TokenBucket:
    """``rate`` tokens per second, at most ``capacity`` banked; ``rate=None`` is unlimited."""

    __slots__ = (
        "_last_change",
        "_paused_until",
        "_tokens",
        "_updated",
        "capacity",
        "ceiling",
        "rate",
    )

    def __init__(self, rate: float | None, *, capacity: float = 1.0, now: float = 0.0) -> None:
        if rate is not None and not rate > 0:
            from .._exceptions import ParamError

            raise ParamError.single("rate", rate, "must be > 0 (or None for no limit)")
        if not capacity >= 1:
            from .._exceptions import ParamError

            raise ParamError.single("capacity", capacity, "must be >= 1")
        self.rate = rate
        self.ceiling = rate
        """The configured rate (``rate`` is lower than it after 429s, for a while)."""
        self._last_change = now
        self.capacity = float(capacity)
        self._tokens = float(capacity)
        self._updated = now
        self._paused_until = -math.inf

    @property
    def paused_until(self) -> float:
        """The clock reading before which no token is handed out (``-inf``: not paused)."""
        return self._paused_until

    def _refill(self, now: float) -> None:
        if self.rate is None:
            return
        elapsed = now - self._updated
        if elapsed > 0:
            self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
            self._updated = now

    def try_acquire(self, now: float) -> float:
        """Take one token and return 0.0, or return the seconds to wait (nothing taken)."""
        if now < self._paused_until:
            return self._paused_until - now
        if self.rate is None:
            return 0.0
        self._recover(now)
        self._refill(now)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate

    def tokens(self, now: float) -> float:
        """The tokens banked at ``now`` (``inf`` for an unlimited bucket; 0 while paused)."""
        if self.rate is None:
            return math.inf if now >= self._paused_until else 0.0
        if now < self._paused_until:
            return 0.0
        self._refill(now)
        return self._tokens

    def slow_down(self, now: float) -> None:
        """A 429: halve the rate (to its floor at most); recovery starts over from ``now``."""
        ceiling = self.ceiling
        if ceiling is None or self.rate is None:
            return
        self._refill(now)
        floor = min(ceiling, max(DEFAULT_MIN_RATE, ceiling * DEFAULT_MIN_RATE_FRACTION))
        self.rate = max(floor, self.rate / 2)
        self._last_change = now

    def _recover(self, now: float) -> None:
        ceiling, rate = self.ceiling, self.rate
        if ceiling is None or rate is None or rate >= ceiling:
            return
        seconds = now - self._last_change
        if seconds >= 1.0:
            self._refill(now)
            steps = math.floor(seconds)
            self.rate = min(ceiling, rate + steps * DEFAULT_RECOVERY_FRACTION * ceiling)
            self._last_change += steps

    def set_ceiling(self, rate: float, capacity: float, now: float) -> None:
        """A new configured rate and bank (a worker's share of a shared budget changed): a
        lower one applies at once, a higher one is grown into like after a 429."""
        if self.ceiling is None or self.rate is None:
            return
        self._refill(now)
        self.ceiling = rate
        self.capacity = max(1.0, capacity)
        self._tokens = min(self._tokens, self.capacity)
        if self.rate > rate:
            self.rate = rate
            self._last_change = now

    def refund(self) -> None:
        """Give back a token taken by :meth:`try_acquire` and not used."""
        if self.rate is not None:
            self._tokens = min(self.capacity, self._tokens + 1.0)

    def pause(self, until: float) -> None:
        """Hand out nothing before clock reading ``until`` (a later pause wins); the bucket
        restarts empty then, so requests resume one at a time."""
        if until > self._paused_until:
            self._paused_until = until
            self._tokens = 0.0
            self._updated = max(self._updated, until)

    def __repr__(self) -> str:
        return f"TokenBucket(rate={self.rate!r}, capacity={self.capacity!r})"


class SendWindow:
    """The send times of the last second: at most ``limit`` requests in any 1 s window."""

    __slots__ = ("_times",)

    def __init__(self) -> None:
        self._times: deque[float] = deque()

    def delay(self, now: float, limit: int) -> float:
        """Record a send at ``now`` and return 0.0, or return the seconds until one may go
        (nothing recorded) when ``limit`` sends already went out in the last second."""
        times = self._times
        while times and now - times[0] >= 1.0:
            times.popleft()
        if len(times) < limit:
            times.append(now)
            return 0.0
        return max(1e-6, times[0] + 1.0 - now)  # never 0.0, which means "sent"


def window_limit(bucket: TokenBucket, *, share: bool = False) -> int | None:
    """The most sends allowed in any 1 s at ``bucket``'s budget (its refill plus a bank of
    more than one request, which the engine takes off the refill): rounded up (requests
    evenly spaced at 1.5/s put 2 in some seconds), or down for a ``share`` of a budget split
    between runs (so the shares never add up to more than the budget); ``None``: no limit."""
    if bucket.rate is None:
        return None
    # A bank of more than one request comes off the refill (the engine's budgets): add it back.
    rate = bucket.rate + (bucket.capacity if bucket.capacity > 1.0 else 0.0)
    if share:  # and 3 % under it: the runs' requests meet, with jitter, at one API
        return max(1, math.floor(rate * (1.0 - SHARE_MARGIN) + 1e-9))
    return max(1, math.ceil(rate - 1e-9))
