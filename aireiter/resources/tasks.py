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
import inspect
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .. import _poll_schedule, _timing
from .._confirm import ConfirmPolicy
from .._constants import (
    BALANCE_PATH,
    DEFAULT_WAIT_TIMEOUT_S,
    QUERY_PATH,
    SUBMIT_PATH,
)
from .._converter import other_task_in, structure_balance, structure_task, unstructure_request
from .._exceptions import (
    AIReiterError,
    APIResponseValidationError,
    AuthenticationError,
    ConflictError,
    NoOutputsError,
    NotFoundError,
    ParamError,
    PermissionDeniedError,
    TaskFailedError,
    TaskTimeoutError,
)
from .._files import encode_image_fields, is_image_file
from .._models import Balance, QueryRequest, SubmitRequest, Task, TaskStatus
from .._spec import resolve_model
from .._transport import Timeout
from .._transport._envelope import json_preview
from .._transport._extras import NO_EXTRAS, RequestExtras, request_extras
from .._transport._http import APIResponse
from .._transport._redact import redact
from .._types import NOT_GIVEN, NotGiven, NotGivenOr
from ._base import AsyncResource
from ._outcomes import (
    conflict_error,
    is_ambiguous_submit_error,
    note_outcome_unknown,
    request_mismatch,
)
from ._polling import (
    TaskPollSchedule,
    by_deadline,
    check_on_update,
    check_wait_arguments,
    is_transient_poll_error,
    poll_delays,
    time_scale,
)
from ._validation import check_submit_fields, new_out_task_id, validate_out_task_id

__all__ = ["AsyncTasks", "OnUpdate", "is_ambiguous_submit_error", "poll_delays", "time_scale"]

logger = logging.getLogger("aireiter")

ParamsValidator = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]

_SUBMIT_FIELDS = frozenset(field.name for field in attrs.fields(SubmitRequest))
_QUERY_FIELDS = frozenset(field.name for field in attrs.fields(QueryRequest))

OnUpdate = Callable[[Task], object]
"""What ``on_update=`` takes: a function called with the task at each new status, plain or
``async`` (what it returns is awaited when it is awaitable)."""


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
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
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

        ``extra_headers`` and ``extra_query`` go with every request of the call (the submit
        and any confirming query), ``extra_body`` adds top-level fields to the submit's body
        (not ``model``, ``params``, ``out_task_id``, ``callback_url`` or ``metadata``: those
        have their arguments). The returned task's ``request_id`` is the answer's.

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
        extras = request_extras(extra_headers, extra_query, extra_body)
        params = _with_files(model, params)
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
        if extras.body is not None:
            content = extras.encode(body, reserved=_SUBMIT_FIELDS)
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
                    headers=extras.headers,
                    query=extras.query,
                )
                # The id sent is the task's; an answer naming another task is not this one's
                # (an unreadable 2xx: the confirm window below finds out what was created).
                task = self._answer_task(
                    response, SUBMIT_PATH, out_task_id=oid, model=model, metadata=metadata
                )
            except ConflictError as error:
                if resends == 0:
                    raise  # the id was taken before this call: never another task's result
                # A resend refused as a duplicate: an earlier attempt did land after all.
                return await self._adopt_existing(
                    oid, error, model=model, params=params, extras=extras
                )
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
                    extras=extras,
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
        extras: RequestExtras = NO_EXTRAS,
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
        The queries carry the call's ``extras`` headers and query (not its body).
        """
        policy = policy if policy is not None else self.confirm_policy
        extras = extras.without_body()
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
                task = await self._query(out_task_id, max_retries=0, model=model, extras=extras)
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
        extras: RequestExtras = NO_EXTRAS,
    ) -> Task:
        """The task a resend met (409) when it is this call's earlier attempt; else
        :class:`ConflictError`. Raises ``conflict`` when the task cannot be read."""
        try:
            task = await self._query(out_task_id, model=model, extras=extras.without_body())
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
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Task:
        """The task's current state, by ``out_task_id`` (preferred) or the system ``task_id``.

        ``max_retries`` overrides the client's retry count for this call (``0``: the caller
        retries, as the tracker does under its own query budget). ``extra_headers``,
        ``extra_query`` and ``extra_body`` (top-level fields besides the ids) go with the
        query. The task's ``request_id`` is the answer's.

        Raises :class:`NotFoundError` when the API does not know the task.
        """
        if out_task_id is None and task_id is None:
            raise ParamError.single("out_task_id", None, "give out_task_id or task_id")
        if out_task_id is not None:
            validate_out_task_id(out_task_id)
        if task_id is not None and (not isinstance(task_id, str) or not task_id):
            raise ParamError.single("task_id", task_id, "must be a non-empty string")
        extras = request_extras(extra_headers, extra_query, extra_body)
        return await self._query(
            out_task_id, task_id=task_id, timeout=timeout, max_retries=max_retries, extras=extras
        )

    async def _query(
        self,
        out_task_id: str | None,
        *,
        task_id: str | None = None,
        known_out_task_id: str | None = None,
        model: str | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
        extras: RequestExtras = NO_EXTRAS,
    ) -> Task:
        """One query (arguments already checked). The task keeps the id asked about:
        ``out_task_id``, else ``known_out_task_id`` (a query by ``task_id`` of a task whose
        ``out_task_id`` the caller knows); ``model`` (the model the caller submitted to) fills
        ``Task.model`` when the answer names none. An answer about another task (another
        ``out_task_id`` than asked, or another ``task_id`` for a query by ``task_id``) raises
        :class:`APIResponseValidationError`."""
        body = unstructure_request(QueryRequest(out_task_id=out_task_id, task_id=task_id))
        known = out_task_id or known_out_task_id
        response = await self._transport.request(
            "POST",
            QUERY_PATH,
            json_body=body,
            content=None if extras.body is None else extras.encode(body, reserved=_QUERY_FIELDS),
            timeout=timeout,
            max_retries=max_retries,
            out_task_id=known,
            headers=extras.headers,
            query=extras.query,
        )
        return self._answer_task(
            response, QUERY_PATH, out_task_id=out_task_id, task_id=task_id, known=known, model=model
        )

    def _answer_task(
        self,
        response: APIResponse,
        path: str,
        *,
        out_task_id: str | None,
        task_id: str | None = None,
        known: str | None = None,
        model: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Task:
        """The task of a submit or query answer, under the id sent or asked about; an answer
        that names another ``out_task_id`` (or, asked by ``task_id``, another ``task_id``) is
        an :class:`APIResponseValidationError` naming both ids."""
        task = structure_task(
            response.data,
            out_task_id=known or out_task_id,
            model=model,
            metadata=metadata,
            request_id=response.request_id,
        )
        other = other_task_in(task, out_task_id=out_task_id, task_id=task_id)
        if other is None:
            return task
        field, asked, echoed = other
        request_id = response.request_id
        raise APIResponseValidationError(
            f"the answer is about another task: it names {field} {redact(echoed)!r}, but this "
            f"request was about {field} {asked!r}; that task's state and outputs are not "
            f"taken for {asked!r}",
            status_code=response.http_status,
            content_type="application/json",
            body_preview=json_preview(task.raw),
            request_id=None if request_id is None else redact(request_id),
            method="POST",
            url=redact(self._transport.config.base_url) + path,
            out_task_id=known or out_task_id,
        )

    async def wait(
        self,
        out_task_id: str | Task | None = None,
        *,
        task_id: str | None = None,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval: float | None = None,
        max_poll_interval: float = _poll_schedule.DEFAULT_POLL_MAX_INTERVAL_S,
        backoff: float = _poll_schedule.DEFAULT_POLL_BACKOFF,
        raise_on_failure: bool = True,
        on_update: OnUpdate | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Task:
        """Poll until the task is ``completed`` (returned) or ``failed`` (raised).

        ``out_task_id`` is the task's id, or better the :class:`Task` a submit returned: its
        model then sets the schedule from the first query on. The schedule is the tracker's
        (:mod:`aireiter._poll_schedule`): for a task just submitted the first query comes
        near the model's typical duration ``T`` (the spec's, times :func:`time_scale`), then
        re-polls at a fraction of ``T`` growing by ``backoff`` up to ``max_poll_interval``; so
        a task that takes its typical time costs one or two queries. Given only an id, the
        first query goes out at once and its answer names the model. ``poll_interval``
        replaces that with fixed waits: ``poll_interval``, times ``backoff`` up to
        ``max_poll_interval`` (both times :func:`time_scale`), +/-10% jitter. For many tasks
        at once use ``client.tracker()``, which shares one query budget.

        ``on_update`` is called with the task at each new status (the given task first, then
        every answer whose status differs from the last; the final task too): a plain
        function or an ``async`` one (awaited before polling goes on). An exception it raises
        ends the wait and propagates; the task goes on.

        The task is queried by ``out_task_id``; when that answers "not found" and ``task_id``
        is given (some submit answers carry only the system id), by ``task_id`` from then on,
        and the task keeps the ``out_task_id`` given here. A query that fails for a reason
        that may pass (no answer, a timeout, 408, 429, a 5xx) does not end the wait: polling
        goes on after a short, doubling wait, until the deadline. A rejected key (401/403),
        "not found", or an answer that is not the API's is raised at once.

        ``extra_headers``, ``extra_query`` and ``extra_body`` go with every query. The
        returned task's ``request_id`` is that of the last answer, its ``model`` the answer's
        or, when the answers name none, the given task's. A ``completed`` task without a
        single output URL is returned with a warning logged (``aireiter`` logger): it has
        nothing to download and may have been charged (:meth:`download` raises
        :class:`NoOutputsError` for it). An answer about another task (another
        ``out_task_id``) is not taken for this one: it is polled through like an unreadable
        answer.

        Raises :class:`TaskFailedError` (with ``.task``) for a failed task unless
        ``raise_on_failure=False``, and :class:`TaskTimeoutError` (with ``.out_task_id``, the
        last state seen and ``.last_error``) when ``timeout`` seconds pass first (``None``
        waits forever). The task is not cancelled by a timeout: it was paid for and may still
        complete.
        """
        check_on_update(on_update)
        last: Task | None = None
        updates = self.watch(
            out_task_id,
            task_id=task_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            backoff=backoff,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        try:
            async for last in updates:
                if on_update is not None:
                    await _report(on_update, last)
        finally:  # an on_update that raises: stop the polling now, not when collected
            aclose = getattr(updates, "aclose", None)
            if aclose is not None:
                await aclose()
        if last is None:  # pragma: no cover - watch() ends only after a terminal task
            raise AssertionError("watch() ended without a task")
        if last.status is TaskStatus.FAILED and raise_on_failure:
            raise TaskFailedError(last)
        if last.status is TaskStatus.COMPLETED and not last.outputs:
            logger.warning(
                "task %s (%s) completed without any output URL: nothing to download, and "
                "credits may have been charged for it",
                last.out_task_id,
                last.model or "unknown model",
            )
        return last

    async def watch(
        self,
        out_task_id: str | Task | None = None,
        *,
        task_id: str | None = None,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval: float | None = None,
        max_poll_interval: float = _poll_schedule.DEFAULT_POLL_MAX_INTERVAL_S,
        backoff: float = _poll_schedule.DEFAULT_POLL_BACKOFF,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[Task]:
        """Each new status of one task, as a :class:`Task`, until it is ``completed`` or
        ``failed``: the iteration ends after yielding that last task (a failed one is yielded,
        not raised)::

            async for task in client.tasks.watch(submitted):
                print(task.status.value)

        The given :class:`Task` (if one is given) comes first, then every answer whose status
        differs from the last one yielded. Queries follow :meth:`wait`'s schedule and rules
        (same arguments); :class:`TaskTimeoutError` is raised when ``timeout`` seconds pass
        before the task ends. Leaving the loop early stops the polling; the task goes on.
        ``extra_headers``, ``extra_query`` and ``extra_body`` go with every query.
        """
        given: Task | None = None
        oid: str | None
        if isinstance(out_task_id, Task):
            given, oid = out_task_id, out_task_id.out_task_id
            task_id = task_id if task_id is not None else given.task_id
        else:
            oid = out_task_id
        check_wait_arguments(oid, task_id, timeout, poll_interval, max_poll_interval, backoff)
        extras = request_extras(extra_headers, extra_query, extra_body)
        schedule = TaskPollSchedule(
            model=given.model if given is not None else None,
            poll_interval=poll_interval,
            max_interval=max_poll_interval,
            backoff=backoff,
        )
        key = oid or task_id or ""
        by_task_id = oid is None
        model = given.model if given is not None else None  # kept when an answer names none
        deadline = None if timeout is None else time.monotonic() + timeout
        last: Task | None = given
        last_error: AIReiterError | None = None
        retry_after: float | None = None  # the previous query's 429 hint

        async def poll_once() -> Task:
            nonlocal by_task_id
            if not by_task_id:
                try:
                    return await self._query(oid, model=model, extras=extras)
                except NotFoundError:
                    if task_id is None:
                        raise
                    by_task_id = True
                    logger.info("task %s: not found by out_task_id; querying its task_id", key)
            return await self._query(
                None, task_id=task_id, known_out_task_id=oid, model=model, extras=extras
            )

        def timed_out() -> TaskTimeoutError:
            return TaskTimeoutError(
                key, timeout or 0.0, last, last_error=last_error, submitted=True
            )

        if given is not None:
            yield given
            if given.status.is_terminal:
                return
        delay = schedule.first(given)
        while True:
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
                delay = schedule.after_failure()
                continue
            if answer is None:
                raise timed_out()
            if answer.model is not None:
                model = answer.model
            changed = last is None or answer.status is not last.status
            last, retry_after = answer, None
            if changed:
                yield answer
            if answer.status.is_terminal:
                return
            delay = schedule.after(answer)

    async def download(
        self, task: Task | str, directory: str | os.PathLike[str]
    ) -> tuple[Path, ...]:
        """Download a completed task's output files into ``directory`` (created when needed);
        returns their paths, in the order of ``task.urls``.

        ``task`` is a :class:`Task` (as ``wait`` returns it) or an ``out_task_id`` (queried
        first). Files are named after the task: ``<out_task_id><suffix>``, or
        ``<out_task_id>_<n><suffix>`` for several outputs. The tracker's downloader does the
        work: each file is streamed to ``<name>.part`` and moved into place only once every
        byte the server announced arrived (a final name never holds a partial file), a file
        already complete on disk is not fetched again, failures are retried, and no API key
        is sent to the file host. The files come through the client's proxy and TLS settings
        (or its ``http_session``).

        Raises :class:`TaskFailedError` for a failed task, :class:`NoOutputsError` (a
        :class:`TaskFailedError`) for a completed task without a single output URL (nothing
        to fetch, though it may have been charged), :class:`ParamError` for a task that is
        not completed yet (wait for it first), and :class:`~aireiter.DownloadError` when a
        file cannot be fetched or written.
        """
        if isinstance(task, str):
            task = await self.query(task)
        elif not isinstance(task, Task):
            raise ParamError.single("task", task, "must be a Task or an out_task_id")
        if not isinstance(directory, (str, os.PathLike)):
            raise ParamError.single("directory", directory, "must be a path (str or Path)")
        if task.status is TaskStatus.FAILED:
            raise TaskFailedError(task)
        if task.status is not TaskStatus.COMPLETED:
            raise ParamError.single(
                "task",
                task.out_task_id,
                f"is {task.status.value}: it has no outputs yet",
                allowed="a completed task (wait for it first: client.tasks.wait)",
            )
        if not task.urls:
            raise NoOutputsError(task)
        # The tracker's downloader, imported when a download is asked for (the layer above).
        from ..tracker._downloads import Downloader

        async with Downloader(directory, network=self._transport.config.network) as downloader:
            return await downloader.download(task.out_task_id, task.urls)

    async def balance(
        self,
        *,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Balance:
        """The account's credit balance (``GET /api/openapi/balance``). ``extra_headers``
        and ``extra_query`` go with the request; ``extra_body``, as in openai, is sent as a
        JSON body even on this GET."""
        extras = request_extras(extra_headers, extra_query, extra_body)
        response = await self._transport.request(
            "GET",
            BALANCE_PATH,
            timeout=timeout,
            content=None if extras.body is None else extras.encode({}),
            headers=extras.headers,
            query=extras.query,
        )
        return structure_balance(response.data)


def _with_status(task: Task, status: TaskStatus) -> Task:
    return attrs.evolve(task, status=status)


def _with_files(model: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
    """``params`` with each local reference image encoded as a data URI where ``model``'s
    docs allow one (:mod:`aireiter._files`); ParamError otherwise. Unchanged without files."""
    for value in params.values():
        kind = type(value)
        if kind is str or kind is int or kind is float or kind is bool or value is None:
            continue  # the common case: no file here (checked first, it is on every submit)
        if is_image_file(value) or (
            isinstance(value, (list, tuple)) and any(is_image_file(item) for item in value)
        ):
            break
    else:
        return params
    spec = resolve_model(model)[0]
    if spec is None:
        return encode_image_fields(model, params)
    lists = frozenset(p.name for p in spec.params if p.types == ("array",))
    return encode_image_fields(spec.id, params, list_fields=lists)


async def _report(on_update: OnUpdate, task: Task) -> None:
    """Call ``on_update(task)``; await what it returns when that is awaitable."""
    result = on_update(task)
    if inspect.isawaitable(result):
        await result


@functools.cache
def _spec_validator() -> ParamsValidator | None:
    """The spec's params validator, when the spec package is present (looked up once)."""
    try:
        from .._spec import validate_params
    except ImportError:  # pragma: no cover - the spec ships with the package
        return None
    return validate_params
