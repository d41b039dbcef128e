"""The rules of ``client.tasks.wait`` / ``watch`` / ``generate``: the poll schedule of one
task (:class:`TaskPollSchedule`: the SDK's one schedule, :mod:`aireiter._poll_schedule`, the
tracker's too), which failed queries it polls through, its deadline, and the checks of its
arguments. The rules are table-tested in ``tests/resources/test_polling.py``."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import anyio

from .. import _poll_schedule, _timing
from .._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    ParamError,
    ParamIssue,
    ResponseTooLargeError,
)
from .._models import Task, TaskStatus
from .._spec import resolve_model
from ._validation import validate_out_task_id

__all__ = [
    "TaskPollSchedule",
    "by_deadline",
    "check_on_update",
    "check_wait_arguments",
    "is_transient_poll_error",
    "poll_delays",
    "time_scale",
    "typical_duration_s",
]


T = TypeVar("T")


def time_scale() -> float:
    """The factor SDK durations are multiplied by (:func:`aireiter._timing.time_scale`: 1.0
    unless a test or an emulator run set it)."""
    return _timing.time_scale()


def poll_delays(
    interval: float, backoff: float, max_interval: float, *, jitter: float = 0.1
) -> Iterator[float]:
    """The waits between queries: ``interval``, then times ``backoff`` up to ``max_interval``,
    each with +/- ``jitter`` (a fraction) so many waiters do not query in step."""
    current = interval
    while True:
        yield current * random.uniform(1.0 - jitter, 1.0 + jitter)
        current = min(max_interval, current * backoff)


def typical_duration_s(model: str | None) -> float:
    """``T`` for ``model`` (a channel suffix allowed): the spec's ``typical_duration_s``, else
    :data:`~aireiter._poll_schedule.DEFAULT_TYPICAL_DURATION_S`, times :func:`time_scale`."""
    spec = resolve_model(model)[0] if isinstance(model, str) and model else None
    seconds = spec.typical_duration_s if spec is not None else None
    if seconds is None:
        seconds = _poll_schedule.DEFAULT_TYPICAL_DURATION_S
    return seconds * time_scale()


class TaskPollSchedule:
    """The waits of one waiter on one task, query after query.

    By default (``poll_interval=None``) it is the SDK's one schedule
    (:mod:`aireiter._poll_schedule`, the tracker's too): the first query near the model's
    typical duration ``T`` after the submit (at once when the waiter has only the task's id),
    then re-polls at a fraction of ``T`` that grows by ``backoff``, capped at ``max_interval``,
    and after a failed query a short doubling wait. Until the model is known (``wait`` on an
    id alone), ``T`` is read from the first answer. With an explicit ``poll_interval`` the
    waits are ``poll_interval``, times ``backoff`` up to ``max_interval``, whatever the answers
    (both scaled by :func:`time_scale`).
    """

    def __init__(
        self,
        *,
        model: str | None,
        poll_interval: float | None,
        max_interval: float,
        backoff: float,
        rng: random.Random | None = None,
    ) -> None:
        scale = time_scale()
        self._fixed = (
            None
            if poll_interval is None
            else poll_delays(poll_interval * scale, backoff, max_interval * scale)
        )
        self._typical_s = typical_duration_s(model) if model else None
        self._max_interval = max_interval
        self._backoff = backoff
        self._rng = rng
        self.polls = 0
        """Queries answered so far."""
        self.failures = 0
        """Failed queries in a row."""

    @property
    def typical_s(self) -> float | None:
        """``T`` in seconds (time scale applied), once the model is known."""
        return self._typical_s

    def first(self, task: Task | None) -> float:
        """Seconds before the first query. ``task``: the task as last seen (a submit's
        answer), ``None`` when the waiter has only its id (then: at once)."""
        if self._fixed is not None:
            return next(self._fixed)
        if task is None or self._typical_s is None:
            return 0.0
        if task.status is TaskStatus.PROCESSING:  # seen once already: a re-poll
            return self._next(1, processing=True)
        return _poll_schedule.first_delay(self._typical_s, rng=self._rng)

    def after(self, task: Task) -> float:
        """Seconds until the next query, after an answer saying ``task`` is unfinished."""
        self.polls += 1
        self.failures = 0
        if self._typical_s is None:
            self._typical_s = typical_duration_s(task.model)
        if self._fixed is not None:
            return next(self._fixed)
        return self._next(self.polls, processing=task.status is TaskStatus.PROCESSING)

    def _next(self, polls: int, *, processing: bool) -> float:
        return _poll_schedule.next_delay(
            self._typical_s or 0.0,
            polls,
            processing=processing,
            backoff=self._backoff,
            max_interval_s=self._max_interval,
            rng=self._rng,
        )

    def after_failure(self) -> float:
        """Seconds until the next try after a failed query."""
        self.failures += 1
        if self._fixed is not None:
            return next(self._fixed)
        return _poll_schedule.error_delay(
            self.failures, max_interval_s=self._max_interval, rng=self._rng
        )


async def by_deadline(deadline: float | None, call: Callable[[], Awaitable[T]]) -> T | None:
    """``await call()``, or ``None`` when the ``time.monotonic()`` reading ``deadline`` comes
    first (the call is cancelled then); ``None`` deadline: no limit."""
    if deadline is None:
        return await call()
    with anyio.move_on_after(max(0.0, deadline - time.monotonic())):
        return await call()
    return None


def is_transient_poll_error(error: BaseException) -> bool:
    """True for a failed query worth trying again later: no answer (connection error or
    timeout), 408, 429, a 5xx, or a 2xx JSON answer cut short. False for what no wait can fix:
    a rejected key (401/403), "not found", a refused request, or an answer that is not the
    API's (an HTML page: a wrong host or route), an answer too large to read."""
    if isinstance(error, APIConnectionError):
        return True
    if isinstance(error, ResponseTooLargeError):
        return False
    if isinstance(error, APIResponseValidationError):
        return error.content_type == "application/json" and 200 <= error.status_code < 300
    if isinstance(error, APIStatusError):
        return error.status_code in (408, 429) or error.status_code >= 500
    return False


def _seconds(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_wait_arguments(
    out_task_id: Any,
    task_id: Any,
    timeout: Any,
    poll_interval: Any,
    max_poll_interval: Any,
    backoff: Any,
) -> None:
    """Every bad argument of ``wait`` (and ``watch``) at once, as one :class:`ParamError`."""
    issues: list[ParamIssue] = []
    if out_task_id is None and task_id is None:
        issues.append(ParamIssue("out_task_id", None, "give out_task_id or task_id"))
    if out_task_id is not None:
        try:
            validate_out_task_id(out_task_id)
        except ParamError as error:
            issues.extend(error.issues)
    if task_id is not None and (not isinstance(task_id, str) or not task_id):
        issues.append(ParamIssue("task_id", task_id, "must be a non-empty string"))
    if timeout is not None and (not _seconds(timeout) or timeout < 0):
        issues.append(ParamIssue("timeout", timeout, "must be seconds >= 0, or None"))
    if poll_interval is not None and (not _seconds(poll_interval) or poll_interval <= 0):
        problem = "must be seconds > 0, or None (the model's schedule)"
        issues.append(ParamIssue("poll_interval", poll_interval, problem))
    if not _seconds(max_poll_interval) or max_poll_interval <= 0:
        issues.append(ParamIssue("max_poll_interval", max_poll_interval, "must be seconds > 0"))
    if not _seconds(backoff) or backoff < 1:
        issues.append(ParamIssue("backoff", backoff, "must be a number >= 1"))
    if issues:
        raise ParamError(issues)


def check_on_update(on_update: object) -> None:
    """:class:`ParamError` unless ``on_update`` is ``None`` or callable."""
    if on_update is not None and not callable(on_update):
        problem = "must be a function taking the task (plain or async), or None"
        raise ParamError.single("on_update", on_update, problem)
