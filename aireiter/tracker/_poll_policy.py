"""The tracker's poll settings: a :class:`PollPolicy` over the SDK's one poll schedule.

The formula (first query near the typical duration ``T``, re-polls by status with backoff, the
error backoff) lives in :mod:`aireiter._poll_schedule`, shared with ``client.tasks.wait``,
``generate()`` and ``watch()``; this module adds what only the tracker needs: how ``T`` is
found per model (``typical_durations[model]`` or its base model id, else ``fixed_duration_s``,
else the spec's ``typical_duration_s``, else ``default_duration_s``; then times
``duration_scale``, which defaults to ``aireiter.testing``'s time scale), and
``webhook_slowdown``: with webhooks on, callbacks resolve tasks and polling is only a safety
net, so every delay but the error one (and the cap) is multiplied by it. Once a run has seen
enough jobs of a model finish, the first two queries come from the durations it observed
instead (see :mod:`._learned`).

``spare_query_step``: the query budget a run leaves unused is not wasted. When no query is due,
a token is free and a worker is idle, the job most overdue for a *spare* query is queried: a
job of a model whose durations the run has learned becomes eligible at the learned 2nd
percentile of its duration, and again ``spare_query_step`` x the learned median after each
answer that showed it unfinished (0.05: a job is found a median ~3 % of its duration after it
finished when the budget has room for it). A spare query never moves a job's own schedule and
never waits for budget: due queries always go first, and spare ones pause while due queries go
out late (over 20 ms on average: the client's CPU or the budget is the limit), so such a run
behaves as without them. ``None`` turns them off; with no query budget (``query_rate=None``)
there is no spare budget and they are off too.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from .. import _poll_schedule, _timing
from .._poll_schedule import (
    DEFAULT_POLL_BACKOFF,
    DEFAULT_POLL_ERROR_DELAY_S,
    DEFAULT_POLL_FIRST_FACTOR,
    DEFAULT_POLL_JITTER,
    DEFAULT_POLL_MAX_INTERVAL_S,
    DEFAULT_POLL_MIN_INTERVAL_S,
    DEFAULT_POLL_PENDING_FACTOR,
    DEFAULT_POLL_PROCESSING_FACTOR,
    DEFAULT_TYPICAL_DURATION_S,
)

__all__ = [
    "DEFAULT_POLL_BACKOFF",
    "DEFAULT_POLL_ERROR_DELAY_S",
    "DEFAULT_POLL_FIRST_FACTOR",
    "DEFAULT_POLL_JITTER",
    "DEFAULT_POLL_MAX_INTERVAL_S",
    "DEFAULT_POLL_MIN_INTERVAL_S",
    "DEFAULT_POLL_PENDING_FACTOR",
    "DEFAULT_POLL_PROCESSING_FACTOR",
    "DEFAULT_SPARE_QUERY_STEP",
    "DEFAULT_TYPICAL_DURATION_S",
    "DEFAULT_WEBHOOK_SLOWDOWN",
    "PollPolicy",
]

# --- poll schedule defaults: the SDK's one schedule, aireiter._poll_schedule -------------------
DEFAULT_WEBHOOK_SLOWDOWN: Final = 4.0  # with webhooks on, polling is this much slower
DEFAULT_SPARE_QUERY_STEP: Final = 0.05  # spare queries: at most one per job per this x median


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _fraction(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{attribute.name} must be in [0, 1), got {value!r}")


def _at_least_one(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if value < 1.0:
        raise ValueError(f"{attribute.name} must be >= 1, got {value!r}")


def _durations(value: Mapping[str, float]) -> Mapping[str, float]:
    for name, seconds in value.items():
        if not seconds > 0:
            raise ValueError(f"typical_durations[{name!r}] must be > 0, got {seconds!r}")
    return MappingProxyType({str(k): float(v) for k, v in value.items()})


def _uniform(rng: random.Random | None, low: float, high: float) -> float:
    return (rng if rng is not None else _RNG).uniform(low, high)


_RNG: Final = random.Random()


def _spec_lookup(model: str) -> tuple[str | None, float | None]:
    """The spec's base model id and typical duration for ``model`` (``None`` when unknown)."""
    from .._spec import resolve_model

    spec, _channel = resolve_model(model)
    return (None, None) if spec is None else (spec.id, spec.typical_duration_s)


@attrs.frozen(kw_only=True)
class PollPolicy:
    """The tracker's poll schedule (see the module docstring for the formula).

    To match an emulator run with ``EmulatorConfig(time_scale=0.01)`` pass
    ``PollPolicy(duration_scale=0.01)``; with ``default_duration_s=0.2`` pass
    ``PollPolicy(fixed_duration_s=0.2)``.
    """

    first_factor: float = attrs.field(default=DEFAULT_POLL_FIRST_FACTOR, validator=_positive)
    processing_factor: float = attrs.field(
        default=DEFAULT_POLL_PROCESSING_FACTOR, validator=_positive
    )
    pending_factor: float = attrs.field(default=DEFAULT_POLL_PENDING_FACTOR, validator=_positive)
    backoff: float = attrs.field(default=DEFAULT_POLL_BACKOFF, validator=_at_least_one)
    jitter: float = attrs.field(default=DEFAULT_POLL_JITTER, validator=_fraction)
    min_interval_s: float = attrs.field(default=DEFAULT_POLL_MIN_INTERVAL_S, validator=_positive)
    max_interval_s: float = attrs.field(default=DEFAULT_POLL_MAX_INTERVAL_S, validator=_positive)
    error_delay_s: float = attrs.field(default=DEFAULT_POLL_ERROR_DELAY_S, validator=_positive)
    duration_scale: float = attrs.field(factory=lambda: _timing.time_scale(), validator=_positive)
    """Multiplies every duration; defaults to ``aireiter.testing``'s time scale (1.0)."""
    typical_durations: Mapping[str, float] = attrs.field(factory=dict, converter=_durations)
    fixed_duration_s: float | None = attrs.field(default=None)
    default_duration_s: float = attrs.field(default=DEFAULT_TYPICAL_DURATION_S, validator=_positive)
    webhook_slowdown: float = attrs.field(default=DEFAULT_WEBHOOK_SLOWDOWN, validator=_at_least_one)
    spare_query_step: float | None = attrs.field(default=DEFAULT_SPARE_QUERY_STEP)
    """Spare queries (see the module docstring): at most one per job per this share of its
    model's learned median duration; ``None``: none."""

    def __attrs_post_init__(self) -> None:
        if self.fixed_duration_s is not None and not self.fixed_duration_s > 0:
            raise ValueError(f"fixed_duration_s must be > 0, got {self.fixed_duration_s!r}")
        step = self.spare_query_step
        if step is not None and not 0.0 < step <= 1.0:
            raise ValueError(f"spare_query_step must be in (0, 1] or None, got {step!r}")
        if self.min_interval_s > self.max_interval_s:
            raise ValueError("min_interval_s must not exceed max_interval_s")

    def typical_duration(self, model: str) -> float:
        """``T`` for ``model`` (channel suffix allowed), in seconds, scale applied."""
        seconds = self.typical_durations.get(model)
        base_id, spec_seconds = _spec_lookup(model)
        if seconds is None and base_id is not None:
            seconds = self.typical_durations.get(base_id)  # "sora2_plus" -> "sora2"
        if seconds is None:
            seconds = self.fixed_duration_s
        if seconds is None:
            seconds = spec_seconds
        if seconds is None:
            seconds = self.default_duration_s
        return seconds * self.duration_scale

    def first_delay(
        self, typical_s: float, *, webhooks: bool = False, rng: random.Random | None = None
    ) -> float:
        """Seconds from an accepted submit to the task's first query."""
        return _poll_schedule.first_delay(
            typical_s,
            first_factor=self.first_factor,
            jitter=self.jitter,
            slowdown=self._slowdown(webhooks),
            rng=rng,
        )

    def next_delay(
        self,
        typical_s: float,
        polls: int,
        *,
        processing: bool,
        webhooks: bool = False,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds until the next query of a task that was queried ``polls`` (>= 1) times and
        was still unfinished (``processing`` or not) at the last one."""
        return _poll_schedule.next_delay(
            typical_s,
            polls,
            processing=processing,
            processing_factor=self.processing_factor,
            pending_factor=self.pending_factor,
            backoff=self.backoff,
            min_interval_s=self.min_interval_s,
            max_interval_s=self.max_interval_s,
            jitter=self.jitter,
            slowdown=self._slowdown(webhooks),
            rng=rng,
        )

    def error_delay(self, failures: int, *, rng: random.Random | None = None) -> float:
        """Seconds until the next try after ``failures`` (>= 1) failed queries in a row."""
        return _poll_schedule.error_delay(
            failures,
            error_delay_s=self.error_delay_s,
            max_interval_s=self.max_interval_s,
            jitter=self.jitter,
            rng=rng,
        )

    def _slowdown(self, webhooks: bool) -> float:
        return self.webhook_slowdown if webhooks else 1.0
