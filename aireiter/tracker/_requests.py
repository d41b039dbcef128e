"""What the tracker makes of each answer of the API: one submit or one query of one job.

Every answer becomes an :class:`~aireiter.tracker._lifecycle.Event`; the engine's
:meth:`~aireiter.tracker._engine.Engine.apply` asks the lifecycle what follows. This module
only *classifies*:

=================================================  ===========================================
submit answer                                      event
=================================================  ===========================================
accepted (``pending``/``submitted``/unknown)        ACCEPTED (or PROCESSING / FINISHED_*)
a first submit answered with a task already under   ID_TAKEN (the id existed: compare first)
way or finished, or 409 "out_task_id exists"
timeout, reset after sending, 5xx, unreadable 2xx   AMBIGUOUS (confirm window, never resent
                                                    before it)
refused before sending; 429 (the tracker slows)     NOT_SENT (sent again later)
a 3xx redirect, or HTTP 404/405 on the submit       NOT_SENT, and counts as not the API (below):
route (no such route: a wrong base URL)             the API never saw it
401 / 403 / 433 / not the API / host unreachable    the run stops (:class:`RunAbortedError`)
any other rejection (bad params ...)                REJECTED (this job fails)
=================================================  ===========================================

"Not the API" (:func:`is_not_api`): an answer the API never gives, so a wrong base URL or a
proxy's page. The API does not redirect and reports its own errors (even "not found") inside
a JSON envelope, mostly with HTTP 200; so an HTML page, a 3xx, or a bare HTTP 404/405 to the
submit route is not its answer. A few in a row stop the run with the journal kept; until
then the job is sent again later, never failed for it.

A query answers FINISHED_*/PROCESSING/ACCEPTED, NOT_FOUND, or RETRYABLE (5xx, 429,
connection, timeout, an unreadable answer); fatal conditions stop the run as above. Nothing
retryable ever fails a job: only the job's deadline or the run's ends it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Final

from .._exceptions import (
    AIReiterError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    ConflictError,
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from .._models import Task, TaskStatus
from ..resources._outcomes import is_ambiguous_submit_error, request_mismatch
from ._handle import TaskHandle
from ._journal import JobState
from ._lifecycle import Event

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["event_of", "is_not_api", "mismatch", "query_job", "submit_job"]

EVENT_OF_STATUS: Final = {
    TaskStatus.PENDING: Event.ACCEPTED,
    TaskStatus.SUBMITTED: Event.ACCEPTED,
    TaskStatus.UNKNOWN: Event.ACCEPTED,
    TaskStatus.PROCESSING: Event.PROCESSING,
    TaskStatus.COMPLETED: Event.FINISHED_OK,
    TaskStatus.FAILED: Event.FINISHED_FAILED,
}
_UNDER_WAY: Final = frozenset({TaskStatus.PROCESSING, TaskStatus.COMPLETED, TaskStatus.FAILED})


def event_of(task: Task) -> Event:
    """The event a task's status means (an unknown status is polled like ``pending``)."""
    return EVENT_OF_STATUS.get(task.status, Event.ACCEPTED)


_NO_SUCH_ROUTE: Final = frozenset({404, 405})  # HTTP statuses of a route that is not there


def is_wrong_route(error: BaseException, *, submit: bool = False) -> bool:
    """True for an HTTP answer the API does not give to its own routes: a 3xx redirect (to
    any request), or, to a submit or a query (``submit=True``), a bare HTTP 404/405 (no such
    route or method there; the API says "task not found" in an envelope with HTTP 200). The
    API reports its errors in an envelope (mostly with HTTP 200), so the request never
    reached it: a wrong base URL (``http://`` for ``https://``, another host or path)."""
    if not isinstance(error, APIStatusError):
        return False
    status = error.http_status
    return 300 <= status < 400 or (submit and status in _NO_SUCH_ROUTE)


def is_not_api(error: BaseException, *, submit: bool = False) -> bool:
    """True for an answer that is not the API's at all: an HTML page or another non-JSON
    body, a redirect, or (``submit``) HTTP 404/405 on the submit route (see
    :func:`is_wrong_route`): a wrong base URL or a proxy's page."""
    if is_wrong_route(error, submit=submit):
        return True
    if not isinstance(error, APIResponseValidationError):
        return False
    content_type = (error.content_type or "").lower()
    return bool(content_type) and "json" not in content_type


def is_fatal_status(error: BaseException) -> bool:
    """401, 403 and 433: no job can succeed until the user acts (key, access, credits)."""
    return isinstance(error, (AuthenticationError, PermissionDeniedError, InsufficientCreditsError))


def mismatch(job: TaskHandle, task: Task) -> str | None:
    """How the task found under ``job``'s id differs from what the job sends (the SDK's one
    rule, :func:`~aireiter.resources._outcomes.request_mismatch`); ``None`` when its echo
    shows no difference or it has no ``input`` echo to compare."""
    return request_mismatch(task, job.model, job.params)


async def submit_job(engine: Engine, job: TaskHandle) -> None:
    """Send one job's submit (the SUBMITTING write, made while the claim is held, comes
    first) and turn the outcome into an event."""
    if not await engine.apply(job, Event.SEND):
        return
    await engine.pace(submit=True)
    oid = job.out_task_id
    first_send = job.submit_attempts == 0 and not job.sent_before
    job.submit_attempts += 1
    engine.stats.submits_sent += 1
    engine.submits_out += 1
    started = time.monotonic()
    try:
        task = await engine.client.tasks.submit(
            job.model,
            job.params or {},
            out_task_id=oid,
            metadata=job.metadata,
            callback_url=job.callback_url,
            validate=False,
            max_retries=0,
        )
    except RateLimitError as error:
        engine.saw_api()
        engine.rate_limited(error)
        job.retry_at = engine.submit_bucket.paused_until
        await engine.apply(job, Event.NOT_SENT)
    except ConflictError:
        engine.saw_api()
        await engine.apply(job, Event.ID_TAKEN)
    except AIReiterError as error:
        job.attempt_s = time.monotonic() - started
        await _submit_failed(engine, job, error)
    else:
        engine.saw_api()
        job.sent_before = True
        if first_send and task.status in _UNDER_WAY:
            # A brand-new id cannot be under way already: the API answered with a task that
            # existed before this job. Look at it before taking it as ours.
            await engine.apply(job, Event.ID_TAKEN)
            return
        await engine.accept(job, task, event_of(task))
    finally:
        engine.submits_out -= 1


async def _submit_failed(engine: Engine, job: TaskHandle, error: AIReiterError) -> None:
    if is_fatal_status(error):
        engine.saw_api()
        await engine.apply(job, Event.NOT_SENT)  # the API turned it away: nothing was created
        engine.abort(error)
        return
    if is_wrong_route(error, submit=True):
        # Redirected or no such route: the request never reached the API, nothing was
        # created. The job waits in QUEUED (sent again later, or by a resumed run).
        job.failures += 1
        job.retry_at = time.monotonic() + engine.error_delay(job.failures)
        job.last_error = f"submit not taken: {error}"
        await engine.apply(job, Event.NOT_SENT)
        engine.not_api(error)
        return
    if is_not_api(error):
        job.sent_before = True
        await engine.apply(job, Event.AMBIGUOUS)
        engine.not_api(error)
        return
    if is_ambiguous_submit_error(error):
        job.sent_before = True
        if isinstance(error, APIConnectionError):
            engine.unreachable(error)
        else:
            engine.saw_api()
        await engine.apply(job, Event.AMBIGUOUS)
        return
    if isinstance(error, APIConnectionError):  # refused before the request went out
        job.failures += 1
        job.retry_at = time.monotonic() + engine.error_delay(job.failures)
        await engine.apply(job, Event.NOT_SENT)
        engine.unreachable(error)
        return
    engine.saw_api()
    job.last_error = f"submit rejected: {error}"
    await engine.apply(job, Event.REJECTED, error=job.last_error)


async def query_job(engine: Engine, job: TaskHandle) -> None:
    """Query one job (a poll, a confirm-window query, or an id check) and act on the answer."""
    await engine.pace(submit=False)
    sent_at = time.monotonic()
    by_task_id = job.query_by_task_id and job.task_id is not None
    engine.stats.queries_sent += 1
    try:
        if by_task_id:
            task = await engine.client.tasks.query(task_id=job.task_id, max_retries=0)
        else:
            task = await engine.client.tasks.query(job.out_task_id, max_retries=0)
    except NotFoundError as error:
        if is_wrong_route(error, submit=True):  # HTTP 404: no such route, not "no such task"
            engine.not_api(error)
            job.failures += 1
            job.last_error = str(error)
            await engine.apply(job, Event.RETRYABLE)
            return
        engine.saw_api()
        if job.task_id is not None:
            job.query_by_task_id = not by_task_id  # try the other key next time
        absent = job.state is JobState.IN_DOUBT and sent_at >= job.confirm_end
        await engine.apply(job, Event.ABSENT if absent else Event.NOT_FOUND)
        return
    except RateLimitError as error:
        engine.saw_api()
        engine.rate_limited(error)
        job.retry_at = engine.query_bucket.paused_until
        await engine.apply(job, Event.RETRYABLE)
        return
    except AIReiterError as error:
        if is_fatal_status(error):
            engine.saw_api()
            engine.abort(error)
            return
        if is_not_api(error, submit=True):
            engine.not_api(error)
        elif isinstance(error, APIConnectionError):
            engine.unreachable(error)
        elif isinstance(error, APIStatusError):
            engine.saw_api()
        job.failures += 1
        job.last_error = str(error)
        await engine.apply(job, Event.RETRYABLE)
        return
    engine.saw_api()
    job.failures = 0
    if (job.out_task_id and task.out_task_id != job.out_task_id) or task.model is None:
        task = _as_job(task, job)  # the job's id, and its model when the answer names none
    if job.checking_id or job.state in (JobState.SUBMITTING, JobState.IN_DOUBT):
        why = mismatch(job, task)
        if why is None and task.input is None and job.checking_id and not job.sent_before:
            why = "the API does not echo its request, so it cannot be shown to be this job's"
        if why is not None:
            job.checking_id = False
            job.last_error = (
                f"out_task_id {job.out_task_id} already belongs to another task ({why}): "
                "not this job's result; submit it under a new id"
            )
            await engine.apply(job, Event.MISMATCH, error=job.last_error)
            return
        if job.checking_id:
            job.adopted = True
        job.checking_id = False
        job.sent_before = True
    await engine.accept(job, task, event_of(task))


def _as_job(task: Task, job: TaskHandle) -> Task:
    import attrs

    return attrs.evolve(
        task, out_task_id=job.out_task_id or task.out_task_id, model=task.model or job.model
    )
