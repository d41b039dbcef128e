"""``client.tasks``: submit, query and wait for image and video generation tasks.

``out_task_id`` is the idempotency key. A submit whose outcome is unknown (timeout, connection
lost after the request went out, a 5xx) is never blindly sent again: the task is first queried
by its ``out_task_id``, and only a "not found" answer lets the submit be repeated. One call
never creates two paid tasks.
"""

from __future__ import annotations

import functools
import json
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from .. import _timing
from .._constants import (
    BALANCE_PATH,
    DEFAULT_POLL_BACKOFF,
    DEFAULT_POLL_INTERVAL_S,
    DEFAULT_POLL_MAX_INTERVAL_S,
    DEFAULT_WAIT_TIMEOUT_S,
    QUERY_PATH,
    SUBMIT_PATH,
)
from .._converter import structure_balance, structure_task, unstructure_request
from .._exceptions import (
    AIReiterError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    NotFoundError,
    ParamError,
    TaskFailedError,
    TaskTimeoutError,
)
from .._models import Balance, QueryRequest, SubmitRequest, Task, TaskStatus
from .._transport import Timeout
from .._transport._retry import calculate_retry_delay
from .._types import NOT_GIVEN, NotGiven, NotGivenOr
from ._base import AsyncResource
from ._validation import check_submit_fields, new_out_task_id, validate_out_task_id

__all__ = ["AsyncTasks", "is_ambiguous_submit_error", "poll_delays"]

ParamsValidator = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]


def is_ambiguous_submit_error(error: BaseException) -> bool:
    """True when a failed submit may still have created the task on the server: the request
    went out but no answer came, a 408/5xx, or a 2xx whose body could not be read."""
    if isinstance(error, APIConnectionError):
        return error.request_sent
    if isinstance(error, APIResponseValidationError):
        # The server answered 2xx but the body was unreadable: it most likely did the work.
        return 200 <= error.status_code < 300
    if isinstance(error, APIStatusError):
        return error.status_code == 408 or error.status_code >= 500
    return False


def poll_delays(
    interval: float, backoff: float, max_interval: float, *, jitter: float = 0.1
) -> Any:
    """The waits between queries: ``interval``, then times ``backoff`` up to ``max_interval``,
    each with +/- ``jitter`` (a fraction) so many waiters do not query in step."""
    current = interval
    while True:
        yield current * random.uniform(1.0 - jitter, 1.0 + jitter)
        current = min(max_interval, current * backoff)


class AsyncTasks(AsyncResource):
    """Generation tasks: ``submit``, ``query``, ``wait``. Reached as ``client.tasks``."""

    async def submit(
        self,
        model: str,
        params: Mapping[str, Any],
        *,
        out_task_id: str | None = None,
        callback_url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        validate: bool = True,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
    ) -> Task:
        """Submit a generation task and return it as the API accepted it (``pending``).

        ``model`` may carry a channel suffix (``sora2_plus``). ``params`` are the model's own
        parameters; for a model in the SDK's spec they are checked before sending
        (``validate=False`` skips that). ``out_task_id`` defaults to a fresh unique id; pass
        your own to find the task again later. ``callback_url`` receives a POST when the task
        finishes; ``metadata`` comes back unchanged in query results.

        Raises :class:`ParamError` (nothing sent), :class:`InsufficientCreditsError`,
        :class:`ConflictError` (the ``out_task_id`` was used before), or a transport error
        after retries. A submit whose outcome was unknown is confirmed by a query before it is
        ever repeated.
        """
        check_submit_fields(
            model=model,
            params=params,
            out_task_id=out_task_id,
            callback_url=callback_url,
            metadata=metadata,
            check_json=False,  # proven below, by encoding the body once
        )
        if validate:
            params = self._validate_params(model, params)
        oid = out_task_id or new_out_task_id()
        body = unstructure_request(
            SubmitRequest(
                model=model,
                params=params,
                out_task_id=oid,
                callback_url=callback_url,
                metadata=metadata,
            )
        )
        try:
            content = json.dumps(body).encode()
        except (TypeError, ValueError) as exc:
            raise ParamError.single(
                "params", params, f"is not JSON-serialisable: {exc}", model=model
            ) from None
        retries = (
            self._transport.config.max_retries if isinstance(max_retries, NotGiven) else max_retries
        )
        checks = 0
        while True:
            try:
                response = await self._transport.request(
                    "POST",
                    SUBMIT_PATH,
                    content=content,
                    idempotent=False,
                    timeout=timeout,
                    max_retries=retries,
                    out_task_id=oid,
                )
            except AIReiterError as error:
                if not is_ambiguous_submit_error(error) or checks >= retries:
                    raise
                checks += 1
                existing = await self._find_after_ambiguous_submit(oid, error)
                if existing is not None:
                    return existing
                await _timing.sleep(calculate_retry_delay(checks))
                continue
            task = structure_task(response.data, out_task_id=oid, model=model, metadata=metadata)
            if task.status is TaskStatus.UNKNOWN and "status" not in task.raw:
                task = _with_status(task, TaskStatus.PENDING)
            return task

    async def _find_after_ambiguous_submit(
        self, out_task_id: str, error: AIReiterError
    ) -> Task | None:
        """The task if the ambiguous submit did create it, ``None`` if the API does not know it.

        When even the check fails, the original error is raised: the caller learns the outcome
        is unknown and can query ``error.out_task_id`` later.
        """
        try:
            return await self.query(out_task_id)
        except NotFoundError:
            return None
        except AIReiterError as check_error:
            raise error from check_error

    def _validate_params(self, model: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
        validator = _spec_validator()
        return validator(model, params) if validator is not None else params

    async def query(
        self,
        out_task_id: str | None = None,
        *,
        task_id: str | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
    ) -> Task:
        """The task's current state, by ``out_task_id`` (preferred) or the system ``task_id``.

        ``max_retries`` overrides the client's retry count for this call (``0``: the caller
        retries, as the tracker does under its own query budget).

        Raises :class:`NotFoundError` when the API does not know the task.
        """
        if out_task_id is None and task_id is None:
            raise ParamError.single("out_task_id", None, "give out_task_id or task_id")
        if out_task_id is not None:
            validate_out_task_id(out_task_id)
        if task_id is not None and (not isinstance(task_id, str) or not task_id):
            raise ParamError.single("task_id", task_id, "must be a non-empty string")
        body = unstructure_request(QueryRequest(out_task_id=out_task_id, task_id=task_id))
        response = await self._transport.request(
            "POST",
            QUERY_PATH,
            json_body=body,
            timeout=timeout,
            max_retries=max_retries,
            out_task_id=out_task_id,
        )
        return structure_task(response.data, out_task_id=out_task_id)

    async def wait(
        self,
        out_task_id: str | None = None,
        *,
        task_id: str | None = None,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval: float = DEFAULT_POLL_INTERVAL_S,
        max_poll_interval: float = DEFAULT_POLL_MAX_INTERVAL_S,
        backoff: float = DEFAULT_POLL_BACKOFF,
        raise_on_failure: bool = True,
    ) -> Task:
        """Poll until the task is ``completed`` (returned) or ``failed`` (raised).

        The first query comes after ``poll_interval`` seconds; each later wait is the previous
        one times ``backoff``, capped at ``max_poll_interval``, with +/-10% jitter. For many
        tasks at once use ``client.tracker()``, which shares one query budget.

        Raises :class:`TaskFailedError` (with ``.task``) for a failed task unless
        ``raise_on_failure=False``, and :class:`TaskTimeoutError` when ``timeout`` seconds
        pass first (``None`` waits forever). The task is not cancelled by a timeout.
        """
        if poll_interval <= 0 or max_poll_interval <= 0 or backoff < 1:
            raise ParamError.single(
                "poll_interval",
                poll_interval,
                "poll_interval and max_poll_interval must be > 0 and backoff >= 1",
            )
        key = out_task_id or task_id or ""
        deadline = None if timeout is None else time.monotonic() + timeout
        last: Task | None = None
        for delay in poll_delays(poll_interval, backoff, max_poll_interval):
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TaskTimeoutError(key, timeout or 0.0, last)
                delay = min(delay, remaining)
            await _timing.sleep(delay)
            last = await self.query(out_task_id, task_id=task_id)
            if last.status is TaskStatus.COMPLETED:
                return last
            if last.status is TaskStatus.FAILED:
                if raise_on_failure:
                    raise TaskFailedError(last)
                return last
        raise AssertionError("unreachable")  # pragma: no cover

    async def balance(self, *, timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN) -> Balance:
        """The account's credit balance (``GET /api/openapi/balance``)."""
        response = await self._transport.request("GET", BALANCE_PATH, timeout=timeout)
        return structure_balance(response.data)


def _with_status(task: Task, status: TaskStatus) -> Task:
    import attrs

    return attrs.evolve(task, status=status)


@functools.cache
def _spec_validator() -> ParamsValidator | None:
    """The spec's params validator, when the spec package is present (looked up once)."""
    try:
        from .._spec import validate_params
    except ImportError:  # pragma: no cover - the spec ships with the package
        return None
    return validate_params
