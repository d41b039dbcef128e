"""``client.tasks``: submit, query and wait for image and video generation tasks.

``out_task_id`` is the idempotency key, and one call never creates two paid tasks. A submit
whose outcome is unknown (a timeout, a connection lost after the request went out, a 5xx, an
unreadable 2xx) is never sent again on one "not found": the API may still be recording it.
It is confirmed over a window (:class:`~aireiter._confirm.ConfirmPolicy`): queries spread over
at least as long as the request could still be in flight. A query that finds the task ends it
(the task is adopted when it is this call's, a :class:`ConflictError` when it is not); only a
whole window of "not found" allows one resend, with the same ``out_task_id``; a window without
any "not found" leaves the outcome unknown and raises the submit's error, naming the id.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from .. import _timing
from .._confirm import ConfirmPolicy
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
    AuthenticationError,
    ConflictError,
    NotFoundError,
    ParamError,
    PermissionDeniedError,
    TaskFailedError,
    TaskTimeoutError,
)
from .._models import Balance, QueryRequest, SubmitRequest, Task, TaskStatus
from .._transport import Timeout
from .._types import NOT_GIVEN, NotGiven, NotGivenOr
from ._base import AsyncResource
from ._outcomes import (
    conflict_error,
    is_ambiguous_submit_error,
    note_outcome_unknown,
    request_mismatch,
)
from ._polling import (
    by_deadline,
    check_wait_arguments,
    is_transient_poll_error,
    poll_delays,
    time_scale,
)
from ._validation import check_submit_fields, new_out_task_id, validate_out_task_id

__all__ = ["AsyncTasks", "is_ambiguous_submit_error", "poll_delays", "time_scale"]

logger = logging.getLogger("aireiter")

ParamsValidator = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]


class AsyncTasks(AsyncResource):
    """Generation tasks: ``submit``, ``query``, ``wait``. Reached as ``client.tasks``."""

    _confirm_policy: ConfirmPolicy | None = None

    @property
    def confirm_policy(self) -> ConfirmPolicy:
        """The confirm window of every ambiguous submit of this client (``submit(confirm=)``
        overrides it per call): the defaults of :mod:`aireiter._confirm`, times
        :func:`time_scale`, unless a policy was set here."""
        if self._confirm_policy is not None:
            return self._confirm_policy
        scale = time_scale()
        policy = ConfirmPolicy()
        return policy if scale == 1.0 else policy.scaled(scale)

    @confirm_policy.setter
    def confirm_policy(self, policy: ConfirmPolicy | None) -> None:
        if policy is not None and not isinstance(policy, ConfirmPolicy):
            raise ParamError.single("confirm_policy", policy, "must be a ConfirmPolicy or None")
        self._confirm_policy = policy

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
        confirm: ConfirmPolicy | None = None,
    ) -> Task:
        """Submit a generation task and return it as the API accepted it (``pending``).

        ``model`` may carry a channel suffix (``sora2_plus``). ``params`` are the model's own
        parameters; for a model in the SDK's spec they are checked before sending
        (``validate=False`` skips that). ``out_task_id`` defaults to a fresh unique id; pass
        your own to find the task again later. ``callback_url`` receives a POST when the task
        finishes; ``metadata`` comes back unchanged in query results.

        A submit whose outcome is unknown is confirmed over the ``confirm`` window (default:
        :attr:`confirm_policy`) before it is ever sent again, and sent again at most
        ``max_retries`` times. ``max_retries=0`` raises it at once, unconfirmed (the caller
        confirms, as the tracker does).

        Raises :class:`ParamError` (nothing sent), :class:`InsufficientCreditsError`,
        :class:`ConflictError` (the ``out_task_id`` already names a task this call did not
        create), or the transport error after retries (for an unknown outcome, its message
        names the ``out_task_id`` to query later).
        """
        check_submit_fields(
            model=model,
            params=params,
            out_task_id=out_task_id,
            callback_url=callback_url,
            metadata=metadata,
            check_json=False,  # proven below, by encoding the body once
        )
        if confirm is not None and not isinstance(confirm, ConfirmPolicy):
            raise ParamError.single("confirm", confirm, "must be a ConfirmPolicy or None")
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
        resends = 0
        while True:
            started = time.monotonic()
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
            except ConflictError as error:
                if resends == 0:
                    raise  # the id was taken before this call: never another task's result
                # A resend refused as a duplicate: an earlier attempt did land after all.
                return await self._adopt_existing(oid, error, model=model, params=params)
            except AIReiterError as error:
                if not is_ambiguous_submit_error(error):
                    raise
                if retries <= 0:
                    note_outcome_unknown(error, oid, "not confirmed (max_retries=0)")
                    raise
                existing = await self._confirm_absent(
                    oid,
                    error,
                    attempt_s=time.monotonic() - started,
                    model=model,
                    params=params,
                    policy=confirm,
                )
                if existing is not None:
                    return existing
                if resends >= retries:
                    reason = f"absent after the confirm window, not sent again ({retries=})"
                    note_outcome_unknown(error, oid, reason)
                    raise
                resends += 1
                logger.info("submit of %s: absent after its confirm window; sending it again", oid)
                continue
            task = structure_task(response.data, out_task_id=oid, model=model, metadata=metadata)
            if task.status is TaskStatus.UNKNOWN and "status" not in task.raw:
                task = _with_status(task, TaskStatus.PENDING)
            return task

    async def _confirm_absent(
        self,
        out_task_id: str,
        error: AIReiterError,
        *,
        attempt_s: float,
        model: str | None = None,
        params: Mapping[str, Any] | None = None,
        policy: ConfirmPolicy | None = None,
    ) -> Task | None:
        """Resolve an ambiguous submit of ``out_task_id`` that failed with ``error`` after
        ``attempt_s`` seconds on the wire: ``None`` when a whole confirm window of "not found"
        proves the API does not have it (one resend is safe), the task when a query finds it.

        Queries go out at ``policy.offsets(attempt_s)`` after now (``policy`` defaults to
        :attr:`confirm_policy`), one attempt each. A query that fails proves nothing; a
        "not found" proves absence only at the window's end (when the last query fails but
        an earlier one said "not found", up to ``policy.queries`` more queries follow, spaced
        like the first). A found task whose ``input`` echo differs from ``model`` / ``params``
        raises :class:`ConflictError`. When no "not found" comes at all (or the key is
        refused), ``error`` is raised: the outcome is unknown, and its message says so.
        """
        policy = policy if policy is not None else self.confirm_policy
        offsets = policy.offsets(attempt_s)
        schedule = list(offsets)
        end = len(offsets) - 1
        start = time.monotonic()
        asked = 0.0  # the time the sleeps were asked to pass (they may be skipped in tests)
        not_found = 0
        problem: AIReiterError | None = None
        index = 0
        while index < len(schedule):
            since = max(time.monotonic() - start, asked)
            delay = schedule[index] - since
            if delay > 0:
                asked = since + delay
                await _timing.sleep(delay)
            try:
                task = await self._query(out_task_id, max_retries=0)
            except NotFoundError:
                not_found += 1
                if index >= end:
                    return None
            except (AuthenticationError, PermissionDeniedError) as refused:
                raise note_outcome_unknown(error, out_task_id, "queries refused") from refused
            except AIReiterError as failed:
                problem = failed
                if index >= end and not_found and len(schedule) - len(offsets) < policy.queries:
                    schedule.append(schedule[-1] + offsets[0])
            else:
                why = request_mismatch(task, model, params)
                if why is not None:
                    raise conflict_error(task, out_task_id, why) from error
                logger.info("submit of %s: found by query; adopting it", out_task_id)
                return task
            index += 1
        reason = "no query could tell within the confirm window"
        raise note_outcome_unknown(error, out_task_id, reason) from problem

    async def _adopt_existing(
        self,
        out_task_id: str,
        conflict: ConflictError,
        *,
        model: str,
        params: Mapping[str, Any],
    ) -> Task:
        """The task a resend met (409) when it is this call's earlier attempt; else
        :class:`ConflictError`. Raises ``conflict`` when the task cannot be read."""
        try:
            task = await self._query(out_task_id)
        except AIReiterError as failed:
            raise conflict from failed
        why = request_mismatch(task, model, params)
        if why is not None:
            raise conflict_error(task, out_task_id, why) from conflict
        return task

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
        return await self._query(
            out_task_id, task_id=task_id, timeout=timeout, max_retries=max_retries
        )

    async def _query(
        self,
        out_task_id: str | None,
        *,
        task_id: str | None = None,
        known_out_task_id: str | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
    ) -> Task:
        """One query (arguments already checked). ``known_out_task_id`` fills the task's
        ``out_task_id`` when the answer leaves it out (a query by ``task_id``)."""
        body = unstructure_request(QueryRequest(out_task_id=out_task_id, task_id=task_id))
        known = out_task_id or known_out_task_id
        response = await self._transport.request(
            "POST",
            QUERY_PATH,
            json_body=body,
            timeout=timeout,
            max_retries=max_retries,
            out_task_id=known,
        )
        return structure_task(response.data, out_task_id=known)

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
        one times ``backoff``, capped at ``max_poll_interval``, with +/-10% jitter (both
        durations times :func:`time_scale`). For many tasks at once use
        ``client.tracker()``, which shares one query budget.

        The task is queried by ``out_task_id``; when that answers "not found" and ``task_id``
        is given (some submit answers carry only the system id), by ``task_id`` from then on,
        and the task keeps the ``out_task_id`` given here. A query that fails for a reason
        that may pass (no answer, a timeout, 408, 429, a 5xx) does not end the wait: polling
        goes on, the schedule growing, until the deadline. A rejected key (401/403), "not
        found", or an answer that is not the API's is raised at once.

        Raises :class:`TaskFailedError` (with ``.task``) for a failed task unless
        ``raise_on_failure=False``, and :class:`TaskTimeoutError` (with ``.out_task_id``, the
        last state seen and ``.last_error``) when ``timeout`` seconds pass first (``None``
        waits forever). The task is not cancelled by a timeout: it was paid for and may still
        complete.
        """
        check_wait_arguments(
            out_task_id, task_id, timeout, poll_interval, max_poll_interval, backoff
        )
        key = out_task_id or task_id or ""
        by_task_id = out_task_id is None
        deadline = None if timeout is None else time.monotonic() + timeout
        last: Task | None = None
        last_error: AIReiterError | None = None
        retry_after: float | None = None  # the previous query's 429 hint

        async def poll_once() -> Task:
            nonlocal by_task_id
            if not by_task_id:
                try:
                    return await self._query(out_task_id)
                except NotFoundError:
                    if task_id is None:
                        raise
                    by_task_id = True
                    logger.info("task %s: not found by out_task_id; querying its task_id", key)
            return await self._query(None, task_id=task_id, known_out_task_id=out_task_id)

        def timed_out() -> TaskTimeoutError:
            return TaskTimeoutError(
                key, timeout or 0.0, last, last_error=last_error, submitted=True
            )

        scale = time_scale()
        for delay in poll_delays(poll_interval * scale, backoff, max_poll_interval * scale):
            if retry_after is not None and retry_after > delay:
                delay = retry_after
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None:
                if remaining <= 0:
                    raise timed_out()
                delay = min(delay, remaining)
            await _timing.sleep(delay)
            try:
                answer = await by_deadline(deadline, poll_once)
            except AIReiterError as error:
                if not is_transient_poll_error(error):
                    raise
                last_error = error
                retry_after = getattr(error, "retry_after", None)
                logger.info("task %s: query failed (%s); polling on", key, type(error).__name__)
                continue
            if answer is None:
                raise timed_out()
            last, retry_after = answer, None
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
