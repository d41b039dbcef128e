"""What the tracker does with each answer of the API: one submit or one query of one job.

Submit outcomes: accepted -> PENDING; a 429 or a connection refused before the request went
out -> submitted again (it certainly did not arrive); an ambiguous failure (timeout, reset after
sending, 5xx, unreadable 2xx) or a 409 "out_task_id already exists" -> the job stays SUBMITTING
and is confirmed by querying its ``out_task_id``; only "not found" lets it be submitted again.
Any other rejection (bad params, 433 not enough credits, 401, 403) fails that job for good; the
other jobs are still tried, so a top-up during a run is picked up.

Query outcomes: a finished task is journaled and delivered; an unfinished one is rescheduled by
the poll policy (sooner when ``processing``); a failed query is retried through the timer heap
with the policy's error backoff; a 429 pauses the whole tracker.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Final

from .._exceptions import (
    AIReiterError,
    APIConnectionError,
    ConflictError,
    NotFoundError,
    RateLimitError,
)
from .._models import Task, TaskStatus
from ..resources.tasks import is_ambiguous_submit_error
from ._handle import ACTION_SUBMIT, TaskHandle
from ._journal import JobState

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = [
    "DEFAULT_MAX_NOT_FOUND",
    "DEFAULT_MAX_SUBMIT_ATTEMPTS",
    "accepted",
    "query_job",
    "query_once",
    "submit_job",
]

DEFAULT_MAX_SUBMIT_ATTEMPTS: Final = 10  # submit requests per job before it is failed
DEFAULT_MAX_NOT_FOUND: Final = 5  # "not found" answers for an accepted job before it is failed

STATE_OF: Final = {
    TaskStatus.PENDING: JobState.PENDING,
    TaskStatus.SUBMITTED: JobState.PENDING,
    TaskStatus.UNKNOWN: JobState.PENDING,
    TaskStatus.PROCESSING: JobState.PROCESSING,
    TaskStatus.COMPLETED: JobState.COMPLETED,
    TaskStatus.FAILED: JobState.FAILED,
}


async def submit_job(engine: Engine, job: TaskHandle) -> None:
    """Submit one job: SUBMITTING written durably first, then the request (see module doc)."""
    oid = job.out_task_id
    job.submit_attempts += 1
    callback_url = engine.callback_url(oid) if engine.callback_url is not None else None
    job.callback_url = callback_url
    await engine.set_state(
        job,
        JobState.SUBMITTING,
        submit_attempts=job.submit_attempts,
        callback_url=callback_url,
    )
    if job.stopped:
        return
    now = time.monotonic()
    if job.deadline is None and engine.task_timeout is not None:
        job.deadline = now + engine.task_timeout
    engine.stats.submits_sent += 1
    try:
        task = await engine.client.tasks.submit(
            job.model,
            job.params or {},
            out_task_id=oid,
            metadata=job.metadata,
            callback_url=callback_url,
            validate=False,
            max_retries=0,
        )
    except RateLimitError as error:
        engine.rate_limited(error)
        await retry_submit(engine, job, error, delay=0.0)
    except ConflictError:
        engine.schedule(job, time.monotonic())  # it exists: adopt it after one query
    except AIReiterError as error:
        if is_ambiguous_submit_error(error):
            job.failures += 1
            engine.schedule(job, time.monotonic() + engine.error_delay(job.failures))
        elif _certainly_not_created(error):
            job.failures += 1
            await retry_submit(engine, job, error, delay=engine.error_delay(job.failures))
        else:
            await engine.fail(job, f"submit rejected: {error}")
    else:
        if not job.stopped:
            await accepted(engine, job, task)


async def retry_submit(
    engine: Engine, job: TaskHandle, error: AIReiterError, *, delay: float
) -> None:
    """Send ``job`` again (the API certainly does not have it), at once or after ``delay``;
    after ``DEFAULT_MAX_SUBMIT_ATTEMPTS`` tries it fails for good."""
    if job.stopped:
        return
    if job.submit_attempts >= DEFAULT_MAX_SUBMIT_ATTEMPTS:
        await engine.fail(job, f"gave up after {job.submit_attempts} submit attempts: {error}")
    elif delay <= 0:
        engine.release(job)
        engine.enqueue(job, front=True)
    else:
        engine.schedule(job, time.monotonic() + delay, ACTION_SUBMIT)


async def accepted(engine: Engine, job: TaskHandle, task: Task) -> None:
    """The API has the job (a submit answer, or a query confirming an unsure submit)."""
    job.failures = 0
    job.not_found = 0
    job.task = task
    state = STATE_OF.get(task.status, JobState.PENDING)
    if task.estimated_credits and not job.estimated:
        engine.stats.credits_estimated += task.estimated_credits
        job.estimated = True
    if state.is_terminal:
        await engine.finish(job, task)
        return
    await engine.set_state(
        job, state, task_id=task.task_id, estimated_credits=task.estimated_credits
    )
    job.params = None
    delay = engine.policy.first_delay(
        job.typical_s, webhooks=job.callback_url is not None, rng=engine.rng
    )
    engine.schedule(job, time.monotonic() + delay)


async def query_once(engine: Engine, out_task_id: str) -> Task:
    """One query, no transport retries (the heap retries, under the query budget)."""
    engine.stats.queries_sent += 1
    return await engine.client.tasks.query(out_task_id, max_retries=0)


async def query_job(engine: Engine, job: TaskHandle) -> None:
    """Query one job (a poll, or the confirmation of an unsure submit) and act on the answer."""
    confirming = job.state is JobState.SUBMITTING
    try:
        task = await query_once(engine, job.out_task_id)
    except NotFoundError as error:
        if job.stopped:
            return
        if confirming:  # the unsure submit never arrived: now it may be sent again
            await retry_submit(engine, job, error, delay=0.0)
            return
        job.not_found += 1
        if job.not_found >= DEFAULT_MAX_NOT_FOUND:
            await engine.fail(job, f"the API no longer knows this task: {error}")
        else:
            engine.schedule(job, time.monotonic() + engine.error_delay(job.not_found))
        return
    except RateLimitError as error:
        engine.rate_limited(error)
        engine.schedule(job, engine.query_bucket.paused_until)
        return
    except AIReiterError:
        job.failures += 1
        engine.schedule(job, time.monotonic() + engine.error_delay(job.failures))
        return
    if job.stopped:
        return
    if confirming:
        await accepted(engine, job, task)
        return
    job.failures = 0
    job.not_found = 0
    job.task = task
    state = STATE_OF.get(task.status, JobState.PENDING)
    if state.is_terminal:
        await engine.finish(job, task)
        return
    if state is not job.state:
        await engine.set_state(job, state)
    job.polls += 1
    delay = engine.policy.next_delay(
        job.typical_s,
        job.polls,
        processing=state is JobState.PROCESSING,
        webhooks=job.callback_url is not None,
        rng=engine.rng,
    )
    engine.schedule(job, time.monotonic() + delay)


def _certainly_not_created(error: AIReiterError) -> bool:
    """A failed submit that did not reach the API and is worth trying again: a connection that
    failed before the request went out. (429 and 409 are handled before this is asked, and
    408/5xx are ambiguous; every other status is a rejection for good.)"""
    return isinstance(error, APIConnectionError) and not error.request_sent
