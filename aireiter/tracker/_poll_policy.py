"""When the tracker queries a task: the poll schedule, as pure functions of a :class:`PollPolicy`.

Let ``T`` be the model's typical duration: ``typical_durations[model]`` (or its base model id),
else ``fixed_duration_s``, else the spec's ``typical_duration_s``, else ``default_duration_s``;
then times ``duration_scale`` (match an emulator's ``time_scale``). With ``u`` a uniform
draw, ``j = jitter``::

    first query          = T * first_factor * u(1, 1 + j)                 (never early)
    k-th re-poll (k>=1)  = min(max_interval_s,
                               max(min_interval_s, T * f * backoff ** (k - 1))) * u(1 - j, 1 + j)
        f = processing_factor   when the last answer was "processing" (nearly done)
        f = pending_factor      when it was "pending"/"submitted"/unknown (not started yet)
    after a failed query = min(max_interval_s, error_delay_s * 2 ** (n - 1)) * u(1, 1 + j)

With webhooks on, callbacks resolve tasks and polling is only a safety net: every delay above is
multiplied by ``webhook_slowdown`` (the cap too).

Defaults, chosen for the emulator's lifecycle (pending for the first 20 %, then processing) and
for real models whose durations spread around the typical one: the first query lands just after
the typical duration (``first_factor`` 1.0, jitter upward only); a task seen ``processing`` is
re-polled every 10 % of ``T`` growing by 1.5x, so a late task is found within ~10 % of its
duration; a task still ``pending`` (queued upstream) is re-polled after 50 % of ``T``; no wait is
longer than 60 s.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from .. import _timing

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
    "DEFAULT_WEBHOOK_SLOWDOWN",
    "PollPolicy",
]

# --- poll schedule defaults -------------------------------------------------------------------
DEFAULT_POLL_FIRST_FACTOR: Final = 1.0  # first query at this many typical durations
DEFAULT_POLL_PROCESSING_FACTOR: Final = 0.1  # re-poll of a "processing" task, x typical duration
DEFAULT_POLL_PENDING_FACTOR: Final = 0.5  # re-poll of a "pending" task, x typical duration
DEFAULT_POLL_BACKOFF: Final = 1.5  # each later re-poll waits this many times longer
DEFAULT_POLL_JITTER: Final = 0.1  # +/- fraction of random spread on every wait
DEFAULT_POLL_MIN_INTERVAL_S: Final = 0.01  # no wait between two queries of a task is shorter
DEFAULT_POLL_MAX_INTERVAL_S: Final = 60.0  # ... or longer (seconds)
DEFAULT_POLL_ERROR_DELAY_S: Final = 0.5  # first wait after a failed query; doubles
DEFAULT_TYPICAL_DURATION_S: Final = 60.0  # a model neither the spec nor the policy knows
DEFAULT_WEBHOOK_SLOWDOWN: Final = 4.0  # with webhooks on, polling is this much slower


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

    def __attrs_post_init__(self) -> None:
        if self.fixed_duration_s is not None and not self.fixed_duration_s > 0:
            raise ValueError(f"fixed_duration_s must be > 0, got {self.fixed_duration_s!r}")
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
        draw = _uniform(rng, 1.0, 1.0 + self.jitter)
        return typical_s * self.first_factor * draw * self._slowdown(webhooks)

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
        factor = self.processing_factor if processing else self.pending_factor
        base = typical_s * factor * self.backoff ** max(0, polls - 1)
        slow = self._slowdown(webhooks)
        bounded = min(self.max_interval_s * slow, max(self.min_interval_s, base * slow))
        return bounded * _uniform(rng, 1.0 - self.jitter, 1.0 + self.jitter)

    def error_delay(self, failures: int, *, rng: random.Random | None = None) -> float:
        """Seconds until the next try after ``failures`` (>= 1) failed queries in a row."""
        base: float = min(self.max_interval_s, self.error_delay_s * 2.0 ** max(0, failures - 1))
        return base * _uniform(rng, 1.0, 1.0 + self.jitter)

    def _slowdown(self, webhooks: bool) -> float:
        return self.webhook_slowdown if webhooks else 1.0
