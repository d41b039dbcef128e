"""When to query a task: the poll schedule as pure functions, shared by every waiter.

One schedule for the SDK: ``client.tasks.wait`` / ``generate`` / ``watch`` and the tracker
follow the same formula with the same defaults. Let ``T`` be the model's typical duration (the
spec's ``typical_duration_s``, times the time scale); with ``u`` a uniform draw, ``j`` the
jitter::

    first query          = T * first_factor * u(1, 1 + j)                 (never early)
    k-th re-poll (k>=1)  = min(max_interval_s,
                               max(min_interval_s, T * f * backoff ** (k - 1))) * u(1 - j, 1 + j)
        f = processing_factor   when the last answer was "processing" (nearly done)
        f = pending_factor      when it was "pending"/"submitted"/unknown (not started yet)
    after a failed query = min(max_interval_s, error_delay_s * 2 ** (n - 1)) * u(1, 1 + j)

A ``slowdown`` (>= 1) multiplies every delay but the error one, and the cap too: with webhooks
on, polling is only a safety net. The defaults suit the emulator's lifecycle (pending for the
first 20 %, then processing) and real models whose durations spread around the typical one:
the first query lands just after ``T``, a task seen ``processing`` is re-polled every 10 % of
``T`` growing by 1.5x, one still ``pending`` after 50 % of ``T``; no wait is longer than 60 s.
So a task that takes its typical time is found by one or two queries.

The functions do no I/O and read no clock: the caller owns the loop, the deadline and
``T``. They take a :class:`random.Random` for reproducible jitter in tests.
"""

from __future__ import annotations

import random
from typing import Final

__all__ = [
    "DEFAULT_POLL_BACKOFF",
    "DEFAULT_POLL_ERROR_DELAY_S",
    "DEFAULT_POLL_FIRST_FACTOR",
    "DEFAULT_POLL_JITTER",
    "DEFAULT_POLL_MAX_INTERVAL_S",
    "DEFAULT_POLL_MIN_INTERVAL_S",
    "DEFAULT_POLL_PENDING_FACTOR",
    "DEFAULT_POLL_PROCESSING_FACTOR",
    "DEFAULT_TYPICAL_DURATION_S",
    "error_delay",
    "first_delay",
    "next_delay",
]

DEFAULT_POLL_FIRST_FACTOR: Final = 1.0  # first query at this many typical durations
DEFAULT_POLL_PROCESSING_FACTOR: Final = 0.1  # re-poll of a "processing" task, x typical duration
DEFAULT_POLL_PENDING_FACTOR: Final = 0.5  # re-poll of a "pending" task, x typical duration
DEFAULT_POLL_BACKOFF: Final = 1.5  # each later re-poll waits this many times longer
DEFAULT_POLL_JITTER: Final = 0.1  # +/- fraction of random spread on every wait
DEFAULT_POLL_MIN_INTERVAL_S: Final = 0.01  # no wait between two queries of a task is shorter
DEFAULT_POLL_MAX_INTERVAL_S: Final = 60.0  # ... or longer (seconds)
DEFAULT_POLL_ERROR_DELAY_S: Final = 0.5  # first wait after a failed query; doubles
DEFAULT_TYPICAL_DURATION_S: Final = 60.0  # a model neither the spec nor the caller knows

_RNG: Final = random.Random()


def _uniform(rng: random.Random | None, low: float, high: float) -> float:
    return (rng if rng is not None else _RNG).uniform(low, high)


def first_delay(
    typical_s: float,
    *,
    first_factor: float = DEFAULT_POLL_FIRST_FACTOR,
    jitter: float = DEFAULT_POLL_JITTER,
    slowdown: float = 1.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds from an accepted submit to the task's first query (``typical_s``: ``T``)."""
    return typical_s * first_factor * _uniform(rng, 1.0, 1.0 + jitter) * slowdown


def next_delay(
    typical_s: float,
    polls: int,
    *,
    processing: bool,
    processing_factor: float = DEFAULT_POLL_PROCESSING_FACTOR,
    pending_factor: float = DEFAULT_POLL_PENDING_FACTOR,
    backoff: float = DEFAULT_POLL_BACKOFF,
    min_interval_s: float = DEFAULT_POLL_MIN_INTERVAL_S,
    max_interval_s: float = DEFAULT_POLL_MAX_INTERVAL_S,
    jitter: float = DEFAULT_POLL_JITTER,
    slowdown: float = 1.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next query of a task that was queried ``polls`` (>= 1) times and was
    still unfinished (``processing`` or not) at the last one."""
    factor = processing_factor if processing else pending_factor
    base = typical_s * factor * backoff ** max(0, polls - 1)
    bounded = min(max_interval_s * slowdown, max(min_interval_s, base * slowdown))
    return bounded * _uniform(rng, 1.0 - jitter, 1.0 + jitter)


def error_delay(
    failures: int,
    *,
    error_delay_s: float = DEFAULT_POLL_ERROR_DELAY_S,
    max_interval_s: float = DEFAULT_POLL_MAX_INTERVAL_S,
    jitter: float = DEFAULT_POLL_JITTER,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next try after ``failures`` (>= 1) failed queries in a row."""
    base: float = min(max_interval_s, error_delay_s * 2.0 ** max(0, failures - 1))
    return base * _uniform(rng, 1.0, 1.0 + jitter)
