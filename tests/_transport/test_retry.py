"""Table tests of the pure retry policy."""

from __future__ import annotations

import email.utils
import random

import pytest

from aireiter._transport._retry import calculate_retry_delay, parse_retry_after, should_retry_status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, False),
        (401, False),
        (402, False),
        (403, False),
        (404, False),
        (422, False),
        (433, False),
        (408, True),
        (409, True),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (599, True),
    ],
)
def test_should_retry_status(status: int, expected: bool) -> None:
    """408, 409, 429 and every 5xx are retried; other errors are final."""
    assert should_retry_status(status) is expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (None, None),
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "soon"}, None),
    ],
)
def test_parse_retry_after_seconds(headers: dict[str, str] | None, expected: float | None) -> None:
    """Retry-After in seconds (and retry-after-ms) becomes seconds; junk is ignored."""
    assert parse_retry_after(headers) == expected


def test_parse_retry_after_http_date() -> None:
    """An HTTP-date Retry-After becomes the seconds from now until that date."""
    now = 1_800_000_000.0
    header = email.utils.formatdate(now + 7, usegmt=True)
    assert parse_retry_after({"retry-after": header}, now=now) == pytest.approx(7.0)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after({"retry-after": past}, now=now) == 0.0


@pytest.mark.parametrize(
    ("retry", "cap"), [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (9, 8.0)]
)
def test_backoff_is_full_jitter_under_a_doubling_cap(retry: int, cap: float) -> None:
    """Without Retry-After the delay is uniform in [0, min(8, 0.5 * 2**(n-1))]."""
    rng = random.Random(retry)
    delays = [calculate_retry_delay(retry, rng=rng) for _ in range(200)]
    assert all(0.0 <= d <= cap for d in delays)
    assert max(delays) > cap * 0.8  # the whole range is used, not a fixed delay


def test_retry_after_wins_when_reasonable() -> None:
    """A server hint up to 60 s is waited exactly; a larger one falls back to backoff."""
    assert calculate_retry_delay(1, retry_after=2.5) == 2.5
    assert calculate_retry_delay(1, retry_after=0.0) == 0.0
    assert calculate_retry_delay(1, retry_after=3600.0, rng=random.Random(0)) <= 0.5
