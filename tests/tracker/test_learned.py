"""Learned timing: quantiles of the durations a run observed decide the first queries."""

from __future__ import annotations

from aireiter.tracker._learned import DEFAULT_MIN_OBSERVATIONS, DEFAULT_WINDOW, DurationModel


def test_nothing_is_learned_before_enough_jobs_finish() -> None:
    model = DurationModel()
    for n in range(DEFAULT_MIN_OBSERVATIONS - 1):
        model.observe("m", 1.0 + n / 100)
    assert model.due_after("m", 0) is None
    model.observe("m", 2.0)
    assert model.due_after("m", 0) is not None
    assert model.due_after("other", 0) is None


def test_first_and_second_queries_at_the_quantiles() -> None:
    """Durations 1..100 s: first query at the 85th, second at the 98th, then the policy."""
    model = DurationModel()
    for n in range(1, 101):
        model.observe("m", float(n))
    assert model.due_after("m", 0) == 86.0
    assert model.due_after("m", 1) == 99.0
    assert model.due_after("m", 2) is None


def test_only_the_latest_window_counts_and_odd_values_are_ignored() -> None:
    """A model that got slower is followed; zero, negative and infinite durations are not
    durations."""
    model = DurationModel()
    for _ in range(DEFAULT_WINDOW):
        model.observe("m", 1.0)
    for _ in range(DEFAULT_WINDOW):
        model.observe("m", 5.0)
    for bad in (0.0, -1.0, float("inf"), float("nan")):
        model.observe("m", bad)
    assert model.due_after("m", 0) == 5.0
