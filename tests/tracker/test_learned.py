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


def test_observe_says_when_a_model_becomes_known_and_the_spare_plan_follows() -> None:
    """The observation that reaches the minimum returns True (once); the spare plan starts at
    the 2nd percentile and steps by the given share of the median."""
    model = DurationModel()
    became = [model.observe("m", float(n)) for n in range(1, 101)]
    assert became.count(True) == 1
    assert became[DEFAULT_MIN_OBSERVATIONS - 1]
    assert DurationModel().spare_plan("m", 0.05) is None
    plan = model.spare_plan("m", 0.05)
    assert plan is not None
    earliest, every, latest = plan
    assert earliest == 3.0  # the 2nd percentile of 1..100
    assert every == 0.05 * 51.0
    assert latest == 1.25 * 99.0  # past 1.25x the 98th percentile: a stuck job, no spares
    assert model.observe("m", float("nan")) is False
