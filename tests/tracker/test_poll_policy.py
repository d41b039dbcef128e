"""The poll schedule: pure functions of a PollPolicy, table-tested with a seeded generator."""

from __future__ import annotations

import random

import pytest

from aireiter.tracker import PollPolicy


class _Fixed(random.Random):
    """A generator whose uniform() always returns the low end (or the high end)."""

    def __init__(self, high: bool = False) -> None:
        super().__init__(0)
        self.high = high

    def uniform(self, a: float, b: float) -> float:
        return b if self.high else a


LOW, HIGH = _Fixed(), _Fixed(high=True)


@pytest.mark.parametrize(
    ("model", "policy", "expected"),
    [
        ("seedream_v4_5", PollPolicy(), 60.0),  # from the spec
        ("sora2_plus", PollPolicy(), 180.0),  # a channel: the base model's duration
        ("sora2", PollPolicy(duration_scale=0.01), 1.8),
        ("sora2_plus", PollPolicy(typical_durations={"sora2": 10.0}), 10.0),
        ("sora2", PollPolicy(typical_durations={"sora2": 10.0}, duration_scale=0.5), 5.0),
        ("sora2", PollPolicy(fixed_duration_s=0.2), 0.2),
        ("no_such_model", PollPolicy(), 60.0),  # DEFAULT_TYPICAL_DURATION_S
        ("no_such_model", PollPolicy(default_duration_s=7.0), 7.0),
    ],
)
def test_typical_duration(model: str, policy: PollPolicy, expected: float) -> None:
    """T comes from the override, the fixed value, the spec, then the default; scaled."""
    assert policy.typical_duration(model) == pytest.approx(expected)


def test_first_delay_is_never_early() -> None:
    """The first query lands at T * first_factor, jitter only ever delays it."""
    policy = PollPolicy(jitter=0.1)
    assert policy.first_delay(10.0, rng=LOW) == pytest.approx(10.0)
    assert policy.first_delay(10.0, rng=HIGH) == pytest.approx(11.0)
    assert PollPolicy(first_factor=0.5).first_delay(10.0, rng=LOW) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("polls", "processing", "expected"),
    [
        (1, True, 1.0),  # T * processing_factor
        (2, True, 1.5),  # ... * backoff
        (3, True, 2.25),
        (1, False, 5.0),  # T * pending_factor
        (2, False, 7.5),
        (30, True, 60.0),  # capped at max_interval_s
    ],
)
def test_next_delay_table(polls: int, processing: bool, expected: float) -> None:
    """Re-polls back off from a processing- or pending-sized first step, up to the cap."""
    policy = PollPolicy(jitter=0.0)
    assert policy.next_delay(10.0, polls, processing=processing) == pytest.approx(expected)


def test_next_delay_jitter_bounds_and_floor() -> None:
    """Jitter spreads a re-poll by +/- jitter; a tiny T is floored at min_interval_s."""
    policy = PollPolicy(jitter=0.2, min_interval_s=0.05)
    assert policy.next_delay(10.0, 1, processing=True, rng=LOW) == pytest.approx(0.8)
    assert policy.next_delay(10.0, 1, processing=True, rng=HIGH) == pytest.approx(1.2)
    assert PollPolicy(jitter=0.0, min_interval_s=0.05).next_delay(
        0.01, 1, processing=True
    ) == pytest.approx(0.05)


def test_webhooks_slow_the_schedule_down() -> None:
    """With webhooks on, every wait (and the cap) is webhook_slowdown times longer."""
    policy = PollPolicy(jitter=0.0, webhook_slowdown=4.0)
    assert policy.first_delay(10.0, webhooks=True) == pytest.approx(40.0)
    assert policy.next_delay(10.0, 1, processing=True, webhooks=True) == pytest.approx(4.0)
    assert policy.next_delay(10.0, 40, processing=True, webhooks=True) == pytest.approx(240.0)


@pytest.mark.parametrize(("failures", "expected"), [(1, 0.5), (2, 1.0), (3, 2.0), (20, 60.0)])
def test_error_delay_doubles_to_the_cap(failures: int, expected: float) -> None:
    """A failed query is retried after error_delay_s doubling per failure, capped."""
    assert PollPolicy().error_delay(failures, rng=LOW) == pytest.approx(expected)


@pytest.mark.parametrize(
    "options",
    [
        {"first_factor": 0},
        {"backoff": 0.9},
        {"jitter": 1.0},
        {"min_interval_s": 5.0, "max_interval_s": 1.0},
        {"typical_durations": {"sora2": 0}},
        {"fixed_duration_s": -1.0},
    ],
)
def test_bad_policies_are_refused(options: dict[str, object]) -> None:
    """Nonsense settings fail when the policy is made, not in the middle of a run."""
    with pytest.raises(ValueError):
        PollPolicy(**options)  # type: ignore[arg-type]


def test_the_testing_time_scale_scales_the_default_policy() -> None:
    """``aireiter.testing.time_scale`` reaches the tracker's default poll schedule (and so the
    confirm window sized from it), so a README snippet on a scaled emulator runs in seconds."""
    from aireiter.testing import time_scale

    with time_scale(0.01):
        scaled = PollPolicy()
    assert scaled.duration_scale == 0.01
    assert PollPolicy().duration_scale == 1.0
