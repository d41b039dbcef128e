"""The rules of ``client.tasks.wait``: its poll schedule (scaled by the time scale), which
failed queries it polls through, its deadline, and the checks of its arguments. The rules are
table-tested in ``tests/resources/test_polling.py``."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import anyio

from .. import _timing
from .._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    ParamError,
    ParamIssue,
    ResponseTooLargeError,
)
from ._validation import validate_out_task_id

__all__ = [
    "by_deadline",
    "check_wait_arguments",
    "is_transient_poll_error",
    "poll_delays",
    "time_scale",
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
    """Every bad argument of ``wait`` at once, as one :class:`ParamError`."""
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
    for name, value in (("poll_interval", poll_interval), ("max_poll_interval", max_poll_interval)):
        if not _seconds(value) or value <= 0:
            issues.append(ParamIssue(name, value, "must be seconds > 0"))
    if not _seconds(backoff) or backoff < 1:
        issues.append(ParamIssue("backoff", backoff, "must be a number >= 1"))
    if issues:
        raise ParamError(issues)
