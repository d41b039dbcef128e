"""Client-side request budgets: a token bucket that can be paused, as pure logic over a clock.

A :class:`TokenBucket` refills ``rate`` tokens per second up to ``capacity`` (default 1: requests
are evenly spaced, so in any window of ``t`` seconds at most ``rate * t + capacity`` go out).
``try_acquire(now)`` takes a token and returns 0, or returns the seconds until one will be there
(taking nothing). ``pause(until)`` empties the bucket and refuses tokens until ``until``: the
tracker calls it on both its buckets when any request gets a 429, with the server's
``Retry-After``, so the whole tracker slows down, not one job. Nothing here sleeps or reads a
clock; the caller passes ``now`` (``time.monotonic()`` in the tracker, a fake in tests).
"""

from __future__ import annotations

import math

__all__ = ["TokenBucket"]


class TokenBucket:
    """``rate`` tokens per second, at most ``capacity`` banked; ``rate=None`` is unlimited."""

    __slots__ = ("_paused_until", "_tokens", "_updated", "capacity", "rate")

    def __init__(self, rate: float | None, *, capacity: float = 1.0, now: float = 0.0) -> None:
        if rate is not None and not rate > 0:
            raise ValueError(f"rate must be > 0 (or None for no limit), got {rate!r}")
        if not capacity >= 1:
            raise ValueError(f"capacity must be >= 1, got {capacity!r}")
        self.rate = rate
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
        self._refill(now)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate

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
