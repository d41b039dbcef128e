"""Retry policy as pure functions, table-tested in ``tests/_transport/test_retry.py``.

The delay before retry ``n`` (``n`` = 1 for the first retry) is, with full jitter::

    delay(n) = uniform(0, min(max_delay, initial_delay * 2 ** (n - 1)))

unless the server sent ``Retry-After`` (seconds or an HTTP-date) no larger than
``max_retry_after``: then exactly that many seconds are waited.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping

from .._constants import (
    DEFAULT_INITIAL_RETRY_DELAY_S,
    DEFAULT_MAX_RETRY_AFTER_S,
    DEFAULT_MAX_RETRY_DELAY_S,
    RETRYABLE_STATUS_CODES,
)

__all__ = ["calculate_retry_delay", "parse_retry_after", "should_retry_status"]


def should_retry_status(status: int) -> bool:
    """Whether an error status is worth retrying: 408, 409, 429 and every 5xx."""
    return status in RETRYABLE_STATUS_CODES or status >= 500


def parse_retry_after(
    headers: Mapping[str, str] | None, *, now: float | None = None
) -> float | None:
    """Seconds to wait from a ``Retry-After`` (or ``retry-after-ms``) header, or ``None``.

    Accepts a number of seconds (fractions allowed) or an HTTP-date. A date in the past
    gives 0.
    """
    if not headers:
        return None
    millis = headers.get("retry-after-ms") or headers.get("Retry-After-Ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after") or headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    when = email.utils.mktime_tz(parsed)
    current = time.time() if now is None else now
    return max(0.0, when - current)


def calculate_retry_delay(
    retry_number: int,
    *,
    retry_after: float | None = None,
    initial_delay: float = DEFAULT_INITIAL_RETRY_DELAY_S,
    max_delay: float = DEFAULT_MAX_RETRY_DELAY_S,
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER_S,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number ``retry_number`` (1-based); see module docstring."""
    if retry_after is not None and 0 <= retry_after <= max_retry_after:
        return retry_after
    cap = min(max_delay, initial_delay * (2 ** max(0, retry_number - 1)))
    return (rng or random).uniform(0.0, cap)
