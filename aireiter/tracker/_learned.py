"""Learned timing: when to query a job first, from the durations the run has seen.

The poll policy's first query lands near the model's *typical* duration (from the spec), which
is a guess. Once a run has seen ``DEFAULT_MIN_OBSERVATIONS`` jobs of a model finish, the first
query of each new job of that model is scheduled at the ``first_quantile`` of the durations
observed (default 0.85), and a job not finished then is queried again at the ``0.98``
quantile; after that the policy's re-poll schedule takes over. A duration is the API's own
``completed_at - created_at`` when both are readable, else the time from the submit answer to
the answer that showed the task finished (which includes detection lag, so it errs late).

The trade-off this makes: with durations spread evenly over 0.8x-1.2x their mean, a job is
queried about 1.15 times and is detected a median ~14 % of its duration after it finished. A
lower quantile finds jobs sooner for more queries (0.5: ~1.5 queries, ~9 % lag). No schedule
that does not know a job's own duration gets both below 1.2 queries and 5 % lag; webhooks
(``webhook=``) get 0 lag with one confirming query.

Spare queries (a query budget the schedule leaves unused, see the poll policy's
``spare_query_step``) go to jobs past the ``DEFAULT_SPARE_FROM_QUANTILE`` of the learned
durations, at most one per job per step, and stop once a job has run
``DEFAULT_SPARE_UNTIL_FACTOR`` times the 98th percentile (a stuck job, or a model that got
slower, is left to its own backing-off schedule): :meth:`DurationModel.spare_plan`.

Per model the last ``DEFAULT_WINDOW`` durations are kept, sorted (a few KB per model).
"""

from __future__ import annotations

import bisect
from collections import deque
from typing import Final

__all__ = [
    "DEFAULT_FIRST_QUANTILE",
    "DEFAULT_MIN_OBSERVATIONS",
    "DEFAULT_SECOND_QUANTILE",
    "DEFAULT_SPARE_FROM_QUANTILE",
    "DEFAULT_SPARE_UNTIL_FACTOR",
    "DEFAULT_WINDOW",
    "DurationModel",
]

DEFAULT_FIRST_QUANTILE: Final = 0.85
DEFAULT_SECOND_QUANTILE: Final = 0.98
DEFAULT_MIN_OBSERVATIONS: Final = 20
DEFAULT_WINDOW: Final = 256
DEFAULT_SPARE_FROM_QUANTILE: Final = 0.02  # spare queries start at this quantile of durations
DEFAULT_SPARE_UNTIL_FACTOR: Final = 1.25  # ... and end at this many times the 98th percentile


class _Window:
    __slots__ = ("order", "sorted")

    def __init__(self) -> None:
        self.order: deque[float] = deque()
        self.sorted: list[float] = []

    def add(self, seconds: float) -> None:
        if len(self.order) >= DEFAULT_WINDOW:
            old = self.order.popleft()
            del self.sorted[bisect.bisect_left(self.sorted, old)]
        self.order.append(seconds)
        bisect.insort(self.sorted, seconds)

    def quantile(self, q: float) -> float:
        values = self.sorted
        return values[min(len(values) - 1, int(q * len(values)))]


class DurationModel:
    """The durations a run has observed, per model, and the query times they suggest."""

    __slots__ = ("_windows", "first_quantile", "second_quantile")

    def __init__(
        self,
        first_quantile: float = DEFAULT_FIRST_QUANTILE,
        second_quantile: float = DEFAULT_SECOND_QUANTILE,
    ) -> None:
        self.first_quantile = first_quantile
        self.second_quantile = second_quantile
        self._windows: dict[str, _Window] = {}

    def observe(self, model: str, seconds: float) -> bool:
        """A job of ``model`` took ``seconds`` (ignored unless positive and finite); True when
        this observation is the one that made the model's durations known."""
        if not 0.0 < seconds < float("inf"):
            return False
        window = self._windows.get(model)
        if window is None:
            window = self._windows[model] = _Window()
        window.add(seconds)
        return len(window.order) == DEFAULT_MIN_OBSERVATIONS

    def due_after(self, model: str, polls: int) -> float | None:
        """Seconds after the submit answer to query a job of ``model`` that has been queried
        ``polls`` times (0 or 1); ``None`` when the run has not seen enough jobs of it or the
        job is past the learned schedule (the poll policy decides)."""
        if polls > 1:
            return None
        window = self._windows.get(model)
        if window is None or len(window.order) < DEFAULT_MIN_OBSERVATIONS:
            return None
        return window.quantile(self.first_quantile if polls == 0 else self.second_quantile)

    def spare_plan(self, model: str, step: float) -> tuple[float, float, float] | None:
        """``(earliest, every, latest)``: the seconds after its submit answer from which and
        until which a job of ``model`` may get spare queries, and the least time between two
        of them (``step`` x the learned median); ``None`` until the run has seen enough jobs
        of it."""
        window = self._windows.get(model)
        if window is None or len(window.order) < DEFAULT_MIN_OBSERVATIONS:
            return None
        latest = DEFAULT_SPARE_UNTIL_FACTOR * window.quantile(DEFAULT_SECOND_QUANTILE)
        return window.quantile(DEFAULT_SPARE_FROM_QUANTILE), step * window.quantile(0.5), latest
