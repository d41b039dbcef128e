"""The tracker's machinery: two dispatchers, small worker pools, one timer heap, the journal.

Work flows like this (no coroutine per job; per job there is one :class:`TaskHandle`)::

    submit():  journal.add(QUEUED) ──> submit queue (deque)
    submit dispatcher: while in_flight < max_in_flight and the submit bucket has a token:
        hand the next queued job to a free submit worker
    submit worker: journal SUBMITTING (durable) ──> POST submit ──> journal PENDING,
        schedule the first query in the timer heap
    query dispatcher (the scheduler): pop the earliest due job, take a query token, hand it to
        a free query worker
    query worker: POST query ──> journal PROCESSING / COMPLETED / FAILED; reschedule or finish

Requests are sent with ``max_retries=0``: a failure goes back through the heap (with the poll
policy's error backoff) so every request, retries included, is paid for from the tracker's
budgets, and a 429 anywhere pauses both budgets until its ``Retry-After``.

What each answer leads to is in ``_requests.py``.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import anyio
from anyio.abc import TaskGroup

from .._constants import DEFAULT_MAX_RETRY_AFTER_S
from .._exceptions import (
    RateLimitError,
)
from .._models import Task, TaskStatus
from ._handle import ACTION_QUERY, ACTION_SUBMIT, JobCancelledError, TaskHandle
from ._journal import JobState, Journal
from ._poll_policy import PollPolicy
from ._progress import RunStats
from ._ratelimit import TokenBucket
from ._requests import query_job, submit_job
from ._scheduler import TimerHeap, Wakeup

if TYPE_CHECKING:
    from .._client import AsyncAIReiter
    from ._outputs import Outputs

__all__ = [
    "DEFAULT_POLL_BACKLOG_S",
    "DEFAULT_RATE_LIMIT_PAUSE_S",
    "Engine",
    "Limits",
    "timeout_error",
]

DEFAULT_RATE_LIMIT_PAUSE_S: Final = 1.0  # pause after a 429 that named no Retry-After
DEFAULT_POLL_BACKLOG_S: Final = 0.05  # hold new submits while a due query is this late


class Limits:
    """The tracker's concurrency and budget settings, checked."""

    __slots__ = ("max_in_flight", "query_concurrency", "submit_concurrency")

    def __init__(self, *, max_in_flight: int, submit_concurrency: int, query_concurrency: int):
        for name, value in (
            ("max_in_flight", max_in_flight),
            ("submit_concurrency", submit_concurrency),
            ("query_concurrency", query_concurrency),
        ):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        self.max_in_flight = max_in_flight
        self.submit_concurrency = submit_concurrency
        self.query_concurrency = query_concurrency


class Engine:
    """Runtime state and loops of one :class:`~aireiter.TaskTracker` (see the module doc)."""

    def __init__(
        self,
        client: AsyncAIReiter,
        journal: Journal,
        *,
        limits: Limits,
        submit_rate: float | None,
        query_rate: float | None,
        policy: PollPolicy,
        task_timeout: float | None,
        callback_url: Callable[[str], str] | None,
        seed: int | None = None,
    ) -> None:
        self.client = client
        self.journal = journal
        self.limits = limits
        self.policy = policy
        self.task_timeout = task_timeout
        self.callback_url = callback_url
        now = time.monotonic()
        if query_rate is not None:  # every job costs at least one query: never outrun them
            submit_rate = query_rate if submit_rate is None else min(submit_rate, query_rate)
        self.submit_bucket = TokenBucket(submit_rate, now=now)
        self.query_bucket = TokenBucket(query_rate, now=now)
        self.rng = random.Random(seed)
        self.stats = RunStats()
        self.jobs: dict[str, TaskHandle] = {}  # every job, in the order it was added
        self.submit_queue: deque[TaskHandle] = deque()
        self.timers: TimerHeap[TaskHandle] = TimerHeap()
        self.results: deque[TaskHandle] = deque()
        self.in_flight = 0
        self.unfinished = 0
        self.adding = 0  # submit() calls under way (as_completed waits for them)
        self.expired = False
        self.submit_wake = Wakeup()
        self.query_wake = Wakeup()
        self.results_wake = Wakeup()
        self.idle = anyio.Event()
        self.idle.set()
        self.on_completed: Callable[[TaskHandle, Task], Any] | None = None
        self.outputs: Outputs | None = None
        self.room_wake = Wakeup()
        self._typical: dict[str, float] = {}
        self._submit_send, self._submit_recv = anyio.create_memory_object_stream[TaskHandle](0)
        self._query_send, self._query_recv = anyio.create_memory_object_stream[TaskHandle](0)

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self, tg: TaskGroup) -> None:
        """Start the dispatchers and the worker pools in ``tg``."""
        tg.start_soon(self._submit_loop, name="aireiter-tracker-submit-dispatcher")
        tg.start_soon(self._query_loop, name="aireiter-tracker-scheduler")
        for _ in range(self.limits.submit_concurrency):
            tg.start_soon(self._submit_worker)
        for _ in range(self.limits.query_concurrency):
            tg.start_soon(self._query_worker)

    def close(self) -> None:
        """Close the worker streams (the loops are stopped by the task group)."""
        for stream in (self._submit_send, self._submit_recv, self._query_send, self._query_recv):
            stream.close()

    def typical_s(self, model: str) -> float:
        """The poll policy's typical duration of ``model`` (cached per model)."""
        seconds = self._typical.get(model)
        if seconds is None:
            seconds = self._typical[model] = self.policy.typical_duration(model)
        return seconds

    # --- bookkeeping --------------------------------------------------------------------------
    def register(self, job: TaskHandle) -> None:
        """Count a new job (already in the journal) in the tracker's books."""
        self.jobs[job.out_task_id] = job
        self.stats.move(None, job.state)
        if not job.done:
            if self.unfinished == 0:
                self.idle = anyio.Event()
            self.unfinished += 1

    def enqueue(self, job: TaskHandle, *, front: bool = False) -> None:
        """Put a job in line for submitting."""
        job.action = ACTION_SUBMIT
        job.poke = False  # a callback for an unsent job means nothing yet
        if front:
            self.submit_queue.appendleft(job)
        else:
            self.submit_queue.append(job)
        self.submit_wake.set()

    def schedule(self, job: TaskHandle, due: float, action: int = ACTION_QUERY) -> None:
        """Make ``job``'s next action due at clock reading ``due`` (never past its deadline)."""
        job.action = action
        if job.deadline is not None and due > job.deadline:
            due = job.deadline
        head = self.timers.next_due()
        self.timers.schedule(job, due)
        if head is None or due < head:  # the loop sleeps until the earliest: wake it only then
            self.query_wake.set()

    def error_delay(self, failures: int) -> float:
        """Seconds before trying again after ``failures`` failures in a row (the policy's
        backoff, drawn from the tracker's seeded generator)."""
        return self.policy.error_delay(failures, rng=self.rng)

    def take(self, job: TaskHandle) -> None:
        """Count ``job`` in flight (it left the submit queue)."""
        if not job.taken:
            job.taken = True
            self.in_flight += 1

    def release(self, job: TaskHandle) -> None:
        """``job`` no longer counts in flight (finished, or back in the submit queue)."""
        if job.taken:
            job.taken = False
            self.in_flight -= 1
            self.submit_wake.set()

    async def set_state(self, job: TaskHandle, state: JobState, **changes: Any) -> bool:
        """Write ``state`` (and ``changes``) to the journal, then to the handle and counters;
        False (nothing more to do for the job) when it is or got cancelled.

        A cancelled job is left alone: its CANCELLED record is final."""
        if _cancelled(job):
            return False
        await self.journal.update(job.out_task_id, state=state, **changes)
        if _cancelled(job):  # cancelled while the write was on its way: CANCELLED stays
            return False
        self.stats.move(job.state, state)
        job.state = state
        return True

    def deliver(self, job: TaskHandle, outcome: BaseException | None = None) -> None:
        """The job is finished for this tracker: wake its waiters and ``as_completed``.
        A job is delivered once; later calls (a timed-out job finishing after all) do nothing."""
        if job.delivered:
            return
        self.unfinished -= 1
        self.stats.finished_this_run += 1
        if outcome is None and job.state in (JobState.COMPLETED, JobState.FAILED):
            self.results.append(job)
        job._finish(outcome)
        self.results_wake.set()
        if self.unfinished == 0:
            self.idle.set()

    def rate_limited(self, error: RateLimitError) -> None:
        """A 429 anywhere: pause both budgets until its Retry-After."""
        retry_after = getattr(error, "retry_after", None)
        pause = DEFAULT_RATE_LIMIT_PAUSE_S if retry_after is None else retry_after
        until = time.monotonic() + min(max(0.0, pause), DEFAULT_MAX_RETRY_AFTER_S)
        self.submit_bucket.pause(until)
        self.query_bucket.pause(until)
        self.submit_wake.set()
        self.query_wake.set()

    def on_callback(self, out_task_id: str) -> None:
        """A webhook said ``out_task_id`` finished: query it now (a callback is only a hint)."""
        self.stats.callbacks_received += 1
        job = self.jobs.get(out_task_id)
        if job is None or job.stopped or not job.taken:
            return
        if job.busy:
            job.poke = True
        elif job.action == ACTION_QUERY:
            self.schedule(job, time.monotonic())

    # --- the submit side ----------------------------------------------------------------------
    async def _submit_loop(self) -> None:
        queue, limits = self.submit_queue, self.limits
        while True:
            timeout: float | None = None
            if queue and not self.expired and self.in_flight < limits.max_in_flight:
                job = queue[0]
                if job.stopped:
                    queue.popleft()
                    self.room_wake.set()
                    continue
                now = time.monotonic()
                due = self.timers.next_due()
                if due is not None and now - due > DEFAULT_POLL_BACKLOG_S:
                    # queries are behind (budget or CPU): finish work before starting more
                    await self.submit_wake.wait(DEFAULT_POLL_BACKLOG_S)
                    continue
                delay = self.submit_bucket.try_acquire(now)
                if delay <= 0:
                    queue.popleft()
                    self.room_wake.set()
                    self.take(job)
                    await self._submit_send.send(job)
                    continue
                timeout = delay
            await self.submit_wake.wait(timeout)

    async def _submit_worker(self) -> None:
        async for job in self._submit_recv:
            if not job.stopped:
                await submit_job(self, job)

    # --- the query side -----------------------------------------------------------------------
    async def _query_loop(self) -> None:
        timers, bucket = self.timers, self.query_bucket
        while True:
            now = time.monotonic()
            due = timers.next_due()
            if due is None or due > now:
                await self.query_wake.wait(None if due is None else due - now)
                continue
            job = timers.pop_due(now)
            if job is None or job.stopped:
                continue
            if job.deadline is not None and now >= job.deadline:
                self.time_out(job)
                continue
            if job.action == ACTION_SUBMIT:
                self.release(job)
                self.enqueue(job, front=True)
                continue
            delay = bucket.try_acquire(now)
            if delay > 0:
                timers.schedule(job, now)  # back on top; wait for the token
                await self.query_wake.wait(delay)
                continue
            job.busy = True
            await self._query_send.send(job)

    async def _query_worker(self) -> None:
        async for job in self._query_recv:
            try:
                if not job.stopped:
                    await query_job(self, job)
            finally:
                job.busy = False
            if job.poke and not job.stopped:
                job.poke = False
                # A callback came while the query was out. Query again at once, unless the
                # answer sent the job back to be submitted (it is in the submit line now).
                if job.action == ACTION_QUERY and job.taken:
                    self.schedule(job, time.monotonic())

    async def download(self, job: TaskHandle, task: Task, directory: Path) -> tuple[Path, ...]:
        """Fetch ``job``'s outputs into ``directory`` (``handle.download``)."""
        if self.outputs is None:
            raise RuntimeError("the tracker is not running")
        return await self.outputs.download(job, task, directory)

    # --- endings ------------------------------------------------------------------------------
    async def finish(self, job: TaskHandle, task: Task) -> None:
        """The API says the job is done: journal it, then (downloads first) deliver it."""
        state = JobState.COMPLETED if task.status is TaskStatus.COMPLETED else JobState.FAILED
        self.timers.unschedule(job)
        written = await self.set_state(
            job,
            state,
            task_id=task.task_id,
            credits_used=task.credits_used,
            output_urls=tuple(task.urls),
            error=task.error,
        )
        if not written:  # cancelled meanwhile: its CANCELLED outcome stands
            return
        job.task = task
        job.params = None
        if task.credits_used:
            self.stats.credits_used += task.credits_used
            if not job.estimated:
                # Only a submit answer carries an estimate; a job whose answer was lost (and
                # confirmed by a query) counts its charge as its estimate, so used <= estimated.
                self.stats.credits_estimated += task.credits_used
        self.release(job)
        if state is JobState.COMPLETED and self.on_completed is not None and task.outputs:
            self.on_completed(job, task)  # downloads, then delivers
        else:
            self.deliver(job)

    async def fail(self, job: TaskHandle, reason: str) -> None:
        """Fail a job the API rejected (or lost) for good."""
        self.timers.unschedule(job)
        if not await self.set_state(job, JobState.FAILED, error=reason):
            return  # cancelled meanwhile: its CANCELLED outcome stands
        job.params = None
        self.release(job)
        job.task = Task(out_task_id=job.out_task_id, status=TaskStatus.FAILED, error=reason)
        self.deliver(job)

    def time_out(self, job: TaskHandle) -> None:
        """Stop waiting for ``job`` (its ``task_timeout`` ran out). The journal keeps its
        last state, so a resumed tracker looks at it again."""
        self.timers.unschedule(job)
        self.release(job)
        self.stats.timed_out += 1
        self.deliver(job, timeout_error(job, self.task_timeout or 0.0))

    def cancel(self, jobs: list[TaskHandle], tg: TaskGroup) -> None:
        """Stop ``jobs`` now (journal CANCELLED, written in the background); a job already
        sent may still run on the API side."""
        cancelled: list[tuple[str, dict[str, Any]]] = []
        for job in jobs:
            if job.stopped:
                continue
            self.timers.unschedule(job)
            self.release(job)
            self.stats.move(job.state, JobState.CANCELLED)
            job.state = JobState.CANCELLED
            cancelled.append((job.out_task_id, {"state": JobState.CANCELLED, "error": "cancelled"}))
            self.deliver(job, JobCancelledError(job.out_task_id))
        if cancelled:
            tg.start_soon(self.journal.update_many, cancelled)

    def expire_all(self, timeout: float) -> None:
        """The whole-run ``timeout`` ran out: stop everything unfinished (journal untouched)."""
        self.expired = True
        for job in self.jobs.values():
            if not job.delivered:
                self.timers.unschedule(job)
                self.release(job)
                self.stats.timed_out += 1
                self.deliver(job, timeout_error(job, timeout))
        self.submit_queue.clear()
        self.room_wake.set()  # a submit() waiting for room returns (its job times out too)


def _cancelled(job: TaskHandle) -> bool:
    return job.state is JobState.CANCELLED


def timeout_error(job: TaskHandle, timeout: float) -> BaseException:
    """The error a job's waiters get when a timeout ended the wait (the job goes on)."""
    from .._exceptions import TaskTimeoutError

    return TaskTimeoutError(job.out_task_id, timeout, job.task)
