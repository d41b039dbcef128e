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
    spare queries: when nothing is due and a query token is free, the job longest eligible in
        the spare heap is queried early (see the poll policy's ``spare_query_step``)

Requests are sent with ``max_retries=0``: a failure goes back through the heap (with the poll
policy's error backoff) so every request, retries included, is paid for from the tracker's
budgets, and a 429 anywhere pauses both budgets until its ``Retry-After``.

What each answer leads to is in ``_requests.py``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import anyio
from anyio.abc import TaskGroup

from .._confirm import ConfirmPolicy
from .._constants import DEFAULT_BASE_URL, DEFAULT_MAX_RETRY_AFTER_S
from .._exceptions import (
    AIReiterError,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    InsufficientCreditsError,
    PermissionDeniedError,
    RateLimitError,
    RunAbortedError,
)
from .._models import Task, TaskStatus
from ._claims import DEFAULT_LEASE_S
from ._handle import (
    ACTION_QUERY,
    ACTION_SUBMIT,
    BudgetHeldError,
    JobCancelledError,
    TaskHandle,
    compact_task,
)
from ._journal import DuplicateJobError, JobRecord, JobState, Journal
from ._learned import DurationModel
from ._lifecycle import Action, Event, transition
from ._poll_policy import PollPolicy
from ._progress import RunStats
from ._ratelimit import SendWindow, TokenBucket, window_limit
from ._requests import query_job, submit_job
from ._scheduler import SpareHeap, TimerHeap, Wakeup

if TYPE_CHECKING:
    from .._client import AsyncAIReiter
    from ._outputs import Outputs

__all__ = [
    "DEFAULT_BURST_S",
    "DEFAULT_RATE_LIMIT_PAUSE_S",
    "DEFAULT_TASK_TIMEOUT_FACTOR",
    "DEFAULT_TASK_TIMEOUT_MIN_S",
    "Engine",
    "Limits",
    "timeout_error",
]

logger = logging.getLogger("aireiter.tracker")

DEFAULT_RATE_LIMIT_PAUSE_S: Final = 1.0  # pause after a 429 that named no Retry-After
DEFAULT_BURST_S: Final = 0.03  # a budget banks this many seconds of requests (at least one)
DISPATCH_TICK_S: Final = 0.01  # a dispatcher waiting for budget sleeps at least this long
DEFAULT_TASK_TIMEOUT_MIN_S: Final = 1800.0  # a job's default deadline: at least this ...
DEFAULT_TASK_TIMEOUT_FACTOR: Final = 10.0  # ... and at least this many typical durations
FATAL_NOT_API_STREAK: Final = 3  # answers that are not the API's, before it ever answered ...
FATAL_NOT_API_STREAK_AFTER: Final = 10  # ... or in a row after it did, stop the run
FATAL_UNREACHABLE_STREAK: Final = 3  # connection failures before the host ever answered
SPARE_MAX_LATE_S: Final = 0.02  # no spare queries while due queries go out this late (average)
SHARED_REFRESH_S: Final = 1.0  # a shared journal's budget share and results are read this often
TOP_UP_LOW_WATER: Final = 64  # a run taking over jobs claims more below this many queued


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
        task_timeout: float | str | None,
        callback_url: Callable[[str], str] | None,
        seed: int | None = None,
        owner: str = "",
        lease_s: float = DEFAULT_LEASE_S,
        confirm: ConfirmPolicy | None = None,
        max_credits: float | None = None,
        retry_failed: int = 0,
    ) -> None:
        self.client = client
        self.journal = journal
        self.limits = limits
        self.policy = policy
        self.task_timeout = task_timeout  # seconds, None (never) or "auto" (per model)
        self.callback_url = callback_url
        self.owner = owner
        self.lease_s = lease_s
        self.confirm = (
            confirm if confirm is not None else ConfirmPolicy().scaled(policy.duration_scale)
        )
        self.max_credits = max_credits
        self.retry_failed = retry_failed
        self.aborted: RunAbortedError | None = None
        self.submits_out = 0  # submit requests on the wire now
        self.committed = 0.0  # credits used + estimates of accepted, unfinished jobs
        self._estimates: dict[str, tuple[float, int]] = {}  # model -> (sum, count)
        self._reached = False  # the host has answered like the API at least once
        self._not_api_streak = 0
        self._unreachable_streak = 0
        self._slowed_at = -math.inf
        now = time.monotonic()
        if query_rate is not None:  # every job costs at least one query: never outrun them
            submit_rate = query_rate if submit_rate is None else min(submit_rate, query_rate)
        self._rates = (submit_rate, query_rate)  # the budgets for the whole batch
        self.submit_bucket = _budget(submit_rate, now)
        self.query_bucket = _budget(query_rate, now)
        self._submit_window = SendWindow()
        self._query_window = SendWindow()
        self.shared = callable(getattr(journal, "live_owners", None))
        self.share = 1  # live runs sharing the budgets (a shared journal's heartbeat table)
        self.request_timeout_s = 120.0
        self.downloads = False
        self.take_over = False  # a resumed run also takes over jobs whose claim goes void
        self._tg: TaskGroup | None = None
        self._early_callbacks: list[str] = []  # callbacks for others' jobs before start()
        self._seen_finished = time.time()
        self.rng = random.Random(seed)
        self.durations = DurationModel()
        self.stats = RunStats()
        self.jobs: dict[str, TaskHandle] = {}  # the jobs in memory: all but finished+reported
        self.order: list[str] = []  # every job's id, in the order it was added
        self.submit_queue: deque[TaskHandle] = deque()
        self.timers: TimerHeap[TaskHandle] = TimerHeap()
        self.spare: SpareHeap[TaskHandle] = SpareHeap()
        # Spare queries spend a query budget nothing due wants; with no budget there is none.
        self.spare_step = policy.spare_query_step if query_rate is not None else None
        self.due_late = 0.0  # how late due queries go out (a moving average, seconds)
        self.spare_max_late_s = SPARE_MAX_LATE_S  # spare queries pause above this lateness
        self._due_late_at = now  # when it was last updated
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
        self._top_up_wake = Wakeup()
        self._typical: dict[str, float] = {}
        # Idle workers, each waiting on its own future for the next job (a plain hand-off).
        self._submit_idle: deque[asyncio.Future[TaskHandle]] = deque()
        self._query_idle: deque[asyncio.Future[TaskHandle]] = deque()

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self, tg: TaskGroup) -> None:
        """Start the dispatchers, the worker pools and the claim heartbeat in ``tg``."""
        self._tg = tg
        tg.start_soon(self._heartbeat, name="aireiter-tracker-heartbeat")
        if self.shared:
            tg.start_soon(self._top_up, name="aireiter-tracker-top-up")
        for out_task_id in self._early_callbacks:
            tg.start_soon(self._foreign_callback, out_task_id)
        self._early_callbacks.clear()
        tg.start_soon(self._submit_loop, name="aireiter-tracker-submit-dispatcher")
        tg.start_soon(self._query_loop, name="aireiter-tracker-scheduler")
        submits, queries = self.workers()
        for _ in range(submits):
            tg.start_soon(self._submit_worker)
        for _ in range(queries):
            tg.start_soon(self._query_worker)

    def workers(self) -> tuple[int, int]:
        """How many submit and query workers to run: the configured concurrency, fitted into
        the client's connection pool so that queries keep their connections (a due query
        never waits behind new submits for one) and submits keep at least one."""
        submits, queries = self.limits.submit_concurrency, self.limits.query_concurrency
        pool = _pool_limit(self.client)
        if pool is None or submits + queries <= pool:
            return submits, queries
        fitted_queries = min(queries, max(1, pool - 1))
        fitted_submits = min(submits, max(1, pool - fitted_queries))
        logger.info(
            "tracker: %d submit + %d query workers do not fit the client's %d connections: "
            "running %d + %d (queries keep theirs; raise max_connections for more)",
            submits,
            queries,
            pool,
            fitted_submits,
            fitted_queries,
        )
        return fitted_submits, fitted_queries

    def close(self) -> None:
        """Drop the idle workers' hand-off futures (the loops are stopped by the task group)."""
        for idle in (self._submit_idle, self._query_idle):
            while idle:
                idle.popleft().cancel()

    def typical_s(self, model: str) -> float:
        """The poll policy's typical duration of ``model`` (cached per model)."""
        seconds = self._typical.get(model)
        if seconds is None:
            seconds = self._typical[model] = self.policy.typical_duration(model)
        return seconds

    def deadline_s(self, job: TaskHandle) -> float | None:
        """Seconds from a job's submit to its deadline: ``task_timeout``, or by default
        ``max(DEFAULT_TASK_TIMEOUT_MIN_S, DEFAULT_TASK_TIMEOUT_FACTOR * typical)`` with the
        poll policy's ``duration_scale`` applied to the floor (``None``: no deadline)."""
        timeout = self.task_timeout
        if timeout is None or isinstance(timeout, (int, float)):
            return timeout
        floor = DEFAULT_TASK_TIMEOUT_MIN_S * self.policy.duration_scale
        return max(floor, DEFAULT_TASK_TIMEOUT_FACTOR * job.typical_s)

    async def join(self) -> None:
        """Before the first request: with a shared journal, register this run and take its
        share of the budgets; then wait two refreshes, so the runs already there have lowered
        theirs before this one sends anything (the batch never exceeds its budgets)."""
        if not self.shared:
            return
        await self.journal.renew(self.owner, lease_s=self.lease_s)
        await self._refresh_share()
        if self.share > 1:
            # The others lower their share within one refresh; what each sent at its old
            # share leaves its 1 s send window one second later: only then is the batch's
            # budget free for this run's share.
            await anyio.sleep(SHARED_REFRESH_S * 2.2)
            await self._refresh_share()  # a run that joined meanwhile counts too

    async def _refresh_share(self) -> None:
        live_owners = getattr(self.journal, "live_owners", None)
        if live_owners is None:
            return
        share = max(1, int(await live_owners()))
        if share == self.share:
            return
        self.share = share
        now = time.monotonic()
        for bucket, rate in zip((self.submit_bucket, self.query_bucket), self._rates, strict=True):
            if rate is not None:
                fresh = _budget(rate / share, now)
                assert fresh.rate is not None
                bucket.set_ceiling(fresh.rate, fresh.capacity, now)

    async def _heartbeat(self) -> None:
        """Renew this run's claims every third of the lease while it runs; take over jobs
        whose claim went void (a run that died); with a shared journal, every
        ``SHARED_REFRESH_S`` also re-read this run's share of the budgets and the jobs
        another replica finished (from a callback it received)."""
        renew_every = self.lease_s / 3
        tick = min(renew_every, SHARED_REFRESH_S) if self.shared else renew_every
        last_renew = time.monotonic()
        while True:
            await anyio.sleep(tick)
            if self.shared:
                await self._refresh_share()
                await self._take_finished_elsewhere()
                if self.take_over and not self.expired and self._needs_work():
                    await self._take_over()
            if time.monotonic() - last_renew >= renew_every - 1e-3:
                last_renew = time.monotonic()
                await self.journal.renew(self.owner, lease_s=self.lease_s)
                if self.take_over and not self.expired:
                    await self._take_over()

    def _needs_work(self) -> bool:
        """True when the submit line is short: time to claim more of a shared batch."""
        return len(self.submit_queue) < max(4 * self.limits.submit_concurrency, TOP_UP_LOW_WATER)

    async def _top_up(self) -> None:
        """Claim more of a shared batch as soon as the submit line runs short (the submit
        dispatcher nudges), not at the next heartbeat: workers never wait for a tick."""
        while True:
            await self._top_up_wake.wait(None)
            if self.take_over and not self.expired and self._needs_work():
                await self._take_over()

    async def _take_over(self) -> None:
        """Claim jobs whose claim went void while this run works, and start on them."""
        from ._resume import place_records

        claimed = await self.journal.claim(self.owner, lease_s=self.lease_s)
        fresh = [record for record in claimed if record.out_task_id not in self.jobs]
        if fresh:
            place_records(self, fresh, downloads=self.downloads)

    async def _take_finished_elsewhere(self) -> None:
        """Deliver this run's jobs that another replica finished (a callback landed there)."""
        finished_since = getattr(self.journal, "finished_since", None)
        if finished_since is None:
            return
        since, self._seen_finished = self._seen_finished, time.time()
        for record in await finished_since(self.owner, since - 1.0):
            job = self.jobs.get(record.out_task_id)
            if job is None or job.delivered or job.busy or job.state.is_terminal:
                continue  # not ours, or this run finished it itself (a download may be due)
            from ._resume import task_from_record

            event = _EVENT_OF_STATE.get(record.state)
            if event is not None:
                await self.accept(job, task_from_record(record), event)

    async def _foreign_callback(self, out_task_id: str) -> None:
        """A callback for a job another run holds (a shared journal, another replica): query
        it once and, when finished, journal the result for its owner to pick up."""
        record = await self.journal.get(out_task_id)
        if record is None or record.state.is_terminal:
            return
        delay = self.query_bucket.try_acquire(time.monotonic())
        while delay > 0:  # paid from the query budget like every query
            await anyio.sleep(delay)
            delay = self.query_bucket.try_acquire(time.monotonic())
        try:
            self.stats.queries_sent += 1
            task = await self.client.tasks.query(out_task_id, max_retries=0)
        except AIReiterError:
            return  # the owner polls it anyway
        from ._requests import event_of

        event = event_of(task)
        if event is Event.FINISHED_OK:
            state = JobState.COMPLETED
        elif event is Event.FINISHED_FAILED:
            state = JobState.FAILED
        else:
            return
        await self.journal.update(
            out_task_id,
            state=state,
            task_id=task.task_id or record.task_id,
            credits_used=task.credits_used,
            output_urls=tuple(task.urls),
            error=task.error,
        )

    # --- the lifecycle ----------------------------------------------------------------------
    async def apply(self, job: TaskHandle, event: Event, **changes: Any) -> bool:
        """Move ``job`` by ``event`` (see :mod:`._lifecycle`) and carry out the actions;
        False when the job is no longer this run's to act on (cancelled, finished, its claim
        taken over)."""
        if job.delivered and event is not Event.CANCEL:
            return False
        new, actions = transition(job.state, event)
        for action in actions:
            if action is Action.WRITE:
                if not await self._write(job, new, event, changes):
                    return False
            elif action is Action.SEND_SUBMIT:
                return True  # the caller sends it
            elif action is Action.START_CONFIRM:
                self.start_confirm(job, time.monotonic(), job.attempt_s)
            elif action is Action.CONTINUE_CONFIRM:
                self._continue_confirm(job, failed=event is Event.RETRYABLE)
            elif action is Action.CHECK_ID:
                job.checking_id = True
                self.schedule(job, time.monotonic())
            elif action is Action.SCHEDULE_POLL:
                self._schedule_poll(job, first=event is not Event.PROCESSING or job.polls == 0)
            elif action is Action.RETRY_LATER:
                due = max(job.retry_at, time.monotonic() + self.error_delay(max(1, job.failures)))
                job.retry_at = 0.0
                self.schedule(job, due)
            elif action is Action.REQUEUE:
                self._requeue(job)
            elif action is Action.RENAME:
                await self._rename(job)
            elif action is Action.FINISH:
                await self._finish(job, new)
        return True

    async def _write(
        self, job: TaskHandle, new: JobState, event: Event, changes: dict[str, Any]
    ) -> bool:
        if event is Event.SEND:
            callback_url = self.callback_url(job.out_task_id) if self.callback_url else None
            job.callback_url = callback_url
            if _cancelled(job):
                return False
            held = await self.journal.update_owned(
                job.out_task_id,
                self.owner,
                state=new,
                submit_attempts=job.submit_attempts + 1,
                callback_url=callback_url,
                lease_until=time.time() + self.lease_s,
                **({} if job.sent_before else {"submitted_at": time.time()}),
            )
            if not held:  # another run took this job over: it is theirs to send
                self._lost(job)
                return False
            if _cancelled(job):
                return False
            self.stats.move(job.state, new)
            job.state = new
            if job.deadline is None:
                seconds = self.deadline_s(job)
                if seconds is not None:
                    job.deadline = time.monotonic() + seconds
            return True
        return await self.set_state(job, new, **changes)

    def _lost(self, job: TaskHandle) -> None:
        self.timers.unschedule(job)
        self.release(job)
        self.deliver(job, JobCancelledError(job.out_task_id))

    def start_confirm(self, job: TaskHandle, start: float, attempt_s: float) -> None:
        """Open a confirm window for ``job``'s ambiguous submit (see :mod:`aireiter._confirm`)
        that began at clock reading ``start``; its first query is scheduled."""
        job.confirm_start = start
        job.confirm_end = start + self.confirm.window(attempt_s)
        job.confirm_step = 0
        job.attempt_s = attempt_s
        first = start + self.confirm.offsets(attempt_s)[0]
        self.schedule(job, max(time.monotonic(), first))

    def _continue_confirm(self, job: TaskHandle, *, failed: bool) -> None:
        now = time.monotonic()
        job.confirm_step += 1
        offsets = self.confirm.offsets(job.attempt_s)
        if job.confirm_step < len(offsets):
            due = job.confirm_start + offsets[job.confirm_step]
        else:
            due = job.confirm_end
        if failed:
            due = max(due, now + self.error_delay(max(1, job.failures)), job.retry_at)
            job.retry_at = 0.0
        self.schedule(job, max(now, due))

    def _schedule_poll(self, job: TaskHandle, *, first: bool) -> None:
        webhooks = job.callback_url is not None
        now = time.monotonic()
        own_due, job.spare_due = job.spare_due, 0.0
        if own_due > now:  # a spare query found it unfinished: its own schedule stands,
            plan = self.durations.spare_plan(job.model, self.spare_step or 0.0)
            gap = plan[1] if plan is not None else 0.0  # ... but not right after this one
            self._schedule_query(job, max(own_due, now + gap), now)
            return
        if not webhooks and job.accepted_at:
            learned = self.durations.due_after(job.model, job.polls)
            if learned is not None and job.accepted_at + learned > now:
                job.polls += 1
                self._schedule_query(job, job.accepted_at + learned, now)
                return
        if job.polls == 0 and first:
            delay = self.policy.first_delay(job.typical_s, webhooks=webhooks, rng=self.rng)
        else:
            delay = self.policy.next_delay(
                job.typical_s,
                max(1, job.polls),
                processing=job.state is JobState.PROCESSING,
                webhooks=webhooks,
                rng=self.rng,
            )
        job.polls += 1
        self._schedule_query(job, now + delay, now)

    def _schedule_query(self, job: TaskHandle, due: float, now: float) -> None:
        """Schedule ``job``'s next poll at ``due`` and, when the run has learned its model's
        durations and has a query budget, make it eligible for a spare query before that."""
        due = self.schedule(job, due)
        if self.spare_step is not None:
            self._spare_eligible(job, due, now, now)

    def _spare_eligible(self, job: TaskHandle, due: float, now: float, last: float) -> None:
        """Make ``job`` (due at ``due``, last queried or scheduled at ``last``) eligible for
        a spare query, if its model's durations are known and there is time before ``due``."""
        step = self.spare_step
        if step is None or job.callback_url is not None or not job.accepted_at:
            return
        plan = self.durations.spare_plan(job.model, step)
        if plan is None:
            return
        earliest, every, latest = plan
        eligible = max(last + every, job.accepted_at + earliest)
        if eligible < due and eligible <= job.accepted_at + latest:  # not for a stuck job
            spare = self.spare
            head = spare.next_eligible()
            spare.push(job, eligible, due)
            spare.prune(len(self.timers))
            if head is None or eligible < head:
                self.query_wake.set()

    def _spare_catch_up(self, model: str) -> None:
        """``model``'s durations just became known: the jobs of it already waiting for their
        first query (scheduled before) become eligible for spare queries too (once, O(n))."""
        if self.spare_step is None:
            return
        now = time.monotonic()
        for job, due in self.timers.live():
            if job.model == model and job.action == ACTION_QUERY and not job.busy:
                self._spare_eligible(job, due, now, -math.inf)

    def _requeue(self, job: TaskHandle) -> None:
        due, job.retry_at = job.retry_at, 0.0
        if due > time.monotonic():
            self.schedule(job, due, ACTION_SUBMIT)
        else:
            self.release(job)
            self.enqueue(job, front=True)

    async def accept(self, job: TaskHandle, task: Task, event: Event) -> None:
        """The API has the job's task (a submit answer or a query): count its estimate and
        move the job by ``event``."""
        job.task = task
        if task.task_id:
            job.task_id = task.task_id
        if not job.accepted_at:
            job.accepted_at = time.monotonic()
        elif event is Event.FINISHED_OK and self.durations.observe(
            job.model, _duration_s(task, job.accepted_at)
        ):
            self._spare_catch_up(job.model)  # the model's durations just became known
        estimate = task.estimated_credits
        if estimate and not job.estimated:
            job.estimated = True
            job.estimate = estimate
            self.stats.credits_estimated += estimate
            self.committed += estimate
            total, count = self._estimates.get(job.model, (0.0, 0))
            self._estimates[job.model] = (total + estimate, count + 1)
        if event is Event.FINISHED_FAILED and job.retries < self.retry_failed:
            event = Event.RETRY_FAILED
        if event in (Event.FINISHED_OK, Event.FINISHED_FAILED):
            await self.apply(
                job,
                event,
                task_id=task.task_id or job.task_id,
                credits_used=task.credits_used,
                output_urls=tuple(task.urls),
                error=task.error,
                adopted=job.adopted,
            )
            return
        job.task = compact_task(task)  # in flight: the raw answer is not needed
        seen: dict[str, float] = {}
        if event is Event.PROCESSING and not job.processing_seen:
            job.processing_seen = True
            seen["processing_at"] = time.time()
        await self.apply(
            job,
            event,
            task_id=task.task_id or job.task_id,
            estimated_credits=task.estimated_credits,
            adopted=job.adopted,
            **seen,
        )
        if self.retry_failed == 0 and job.state in (JobState.PENDING, JobState.PROCESSING):
            job.params = None  # the journal has them; a long run keeps little per job

    async def _rename(self, job: TaskHandle) -> None:
        """Send a failed job again under a new journaled id (``retry_failed``)."""
        old = job.out_task_id
        base = old.rsplit("-r", 1)[0] if job.retries else old
        job.retries += 1
        task = job.task
        while True:
            new = f"{base[:58]}-r{job.retries}"
            record = JobRecord(
                out_task_id=new,
                model=job.model,
                params=job.params or {},
                metadata=job.metadata,
                owner=self.owner,
                lease_until=time.time() + self.lease_s,
                retries=job.retries,
            )
            try:
                await self.journal.add([record])
                break
            except DuplicateJobError:
                job.retries += 1
        await self.journal.update(
            old,
            state=JobState.FAILED,
            retried_as=new,
            error=task.error if task is not None else None,
            task_id=job.task_id,
        )
        self.timers.unschedule(job)
        self.release(job)
        if job.estimate:
            self.committed -= job.estimate  # failed tasks are free
        self.jobs.pop(old, None)
        self.jobs[new] = job
        self.order[job.index] = new
        job.out_task_id = new
        self.stats.move(job.state, JobState.QUEUED)
        job.state = JobState.QUEUED
        job.task = None
        job.task_id = None
        job.estimated = False
        job.estimate = 0.0
        job.sent_before = False
        job.submit_attempts = 0
        job.polls = 0
        job.failures = 0
        job.deadline = None
        job.query_by_task_id = False
        job.adopted = False
        job.accepted_at = 0.0

    async def _finish(self, job: TaskHandle, state: JobState) -> None:
        """The job is over (completed, failed, rejected, conflict or cancelled)."""
        self.timers.unschedule(job)
        task = job.task
        if state is JobState.COMPLETED or (
            state is JobState.FAILED and task is not None and task.status is TaskStatus.FAILED
        ):
            assert task is not None
            used = task.credits_used or 0.0
            self.committed += used - job.estimate
            if used:
                self.stats.credits_used += used
                if not job.estimated:
                    # Only a submit answer carries an estimate; a job whose answer was lost
                    # counts its charge as its estimate, so used <= estimated.
                    self.stats.credits_estimated += used
        else:
            self.committed -= job.estimate
            reason = job.last_error or state.value
            job.task = Task(
                out_task_id=job.out_task_id,
                status=TaskStatus.FAILED,
                model=job.model,
                error=reason,
                metadata=job.metadata,
            )
        job.params = None
        self.release(job)
        task = job.task
        if state is JobState.COMPLETED and self.on_completed is not None and task is not None:
            self.on_completed(job, task)  # downloads (none: NoOutputsError, logged), delivers
        elif state is JobState.CONFLICT:
            self.deliver(job, None)
        else:
            self.deliver(job)

    # --- run-wide conditions ------------------------------------------------------------------
    def saw_api(self) -> None:
        """An answer came from the API (any envelope, errors included)."""
        self._reached = True
        self._not_api_streak = 0
        self._unreachable_streak = 0

    def not_api(self, error: AIReiterError) -> None:
        """An answer that is not the API's; several in a row stop the run."""
        self._not_api_streak += 1
        limit = FATAL_NOT_API_STREAK_AFTER if self._reached else FATAL_NOT_API_STREAK
        if self._not_api_streak >= limit:
            self.abort(error)

    def unreachable(self, error: AIReiterError) -> None:
        """A connection failure; before the host ever answered, a few stop the run (after
        it answered once, it is an outage: retried until the deadlines)."""
        if self._reached or getattr(self.client, "_reached_api", False):
            return  # the API answered before (a balance, say): a slow API, not no host
        sent = isinstance(error, APIConnectionError) and error.request_sent
        if sent and not isinstance(error, APITimeoutError):
            return  # reset after sending: something is there (a silent host times out)
        self._unreachable_streak += 1
        if self._unreachable_streak >= FATAL_UNREACHABLE_STREAK:
            self.abort(error)

    def abort(self, error: AIReiterError) -> None:
        """Stop the run at once: nothing more is sent, every unfinished job ends with
        :class:`RunAbortedError` (their journal states stay, for a resume)."""
        if self.aborted is not None:
            return
        aborted = RunAbortedError(_abort_message(self, error), cause=error)
        aborted.__cause__ = error
        self.aborted = aborted
        self.expired = True
        for job in list(self.jobs.values()):
            if not job.delivered:
                self.timers.unschedule(job)
                self.release(job)
                self.deliver(job, aborted)
        self.submit_queue.clear()
        self.room_wake.set()
        self.submit_wake.set()
        self.query_wake.set()
        self.results_wake.set()

    def budget_blocks(self, job: TaskHandle) -> bool:
        """True when sending ``job`` could pass ``max_credits``: credits committed (used +
        estimates of accepted unfinished jobs), plus the expected cost of the submits on the
        wire and of this one (the mean estimate seen for its model, else for any model)."""
        limit = self.max_credits
        if limit is None:
            return False
        expected = self._expected_cost(job.model)
        return self.committed + expected * (self.submits_out + 1) > limit

    def _expected_cost(self, model: str) -> float:
        total, count = self._estimates.get(model, (0.0, 0))
        if count:
            return total / count
        totals = [t for t, _ in self._estimates.values()]
        counts = sum(c for _, c in self._estimates.values())
        return sum(totals) / counts if counts else 0.0

    # --- bookkeeping --------------------------------------------------------------------------
    def register(self, job: TaskHandle) -> None:
        """Count a new job (already in the journal) in the tracker's books."""
        self.jobs[job.out_task_id] = job
        job.index = len(self.order)
        self.order.append(job.out_task_id)
        self.stats.move(None, job.state)
        if not job.done:
            if self.unfinished == 0:
                self.idle = anyio.Event()
            self.unfinished += 1

    def forget(self, job: TaskHandle) -> None:
        """Let a finished, reported job leave memory (its record stays in the journal)."""
        if job.delivered and self.jobs.get(job.out_task_id) is job:
            del self.jobs[job.out_task_id]

    def enqueue(self, job: TaskHandle, *, front: bool = False) -> None:
        """Put a job in line for submitting."""
        job.action = ACTION_SUBMIT
        job.poke = False  # a callback for an unsent job means nothing yet
        if front:
            self.submit_queue.appendleft(job)
        else:
            self.submit_queue.append(job)
        self.submit_wake.set()

    def schedule(self, job: TaskHandle, due: float, action: int = ACTION_QUERY) -> float:
        """Make ``job``'s next action due at clock reading ``due`` (never past its deadline);
        returns the due time set."""
        job.action = action
        if job.deadline is not None and due > job.deadline:
            due = job.deadline
        head = self.timers.next_due()
        self.timers.schedule(job, due)
        if head is None or due < head:  # the loop sleeps until the earliest: wake it only then
            self.query_wake.set()
        return due

    async def pace(self, *, submit: bool) -> None:
        """Right before a request goes out: wait while it would put the last second's sends
        over the budget (see :class:`._ratelimit.SendWindow`; normally no wait at all)."""
        bucket = self.submit_bucket if submit else self.query_bucket
        limit = window_limit(bucket, share=self.share > 1)
        if limit is None:
            return
        window = self._submit_window if submit else self._query_window
        while (delay := window.delay(time.monotonic(), limit)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)  # a pace, not a wait for an event

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
        if outcome is None and job.state in _REPORTED:
            self.results.append(job)
        job._finish(outcome)
        self.results_wake.set()
        if self.unfinished == 0:
            self.idle.set()

    def rate_limited(self, error: RateLimitError) -> None:
        """A 429 anywhere: pause both budgets until its Retry-After."""
        retry_after = getattr(error, "retry_after", None)
        pause = DEFAULT_RATE_LIMIT_PAUSE_S if retry_after is None else retry_after
        now = time.monotonic()
        until = now + min(max(0.0, pause), DEFAULT_MAX_RETRY_AFTER_S)
        if now >= self._slowed_at + 1.0:  # one halving per burst of 429s, not one per answer
            self._slowed_at = now
            self.submit_bucket.slow_down(now)
            self.query_bucket.slow_down(now)
        self.submit_bucket.pause(until)
        self.query_bucket.pause(until)
        self.submit_wake.set()
        self.query_wake.set()

    def on_callback(self, out_task_id: str) -> None:
        """A webhook said ``out_task_id`` finished: query it now (a callback is only a hint)."""
        self.stats.callbacks_received += 1
        job = self.jobs.get(out_task_id)
        if job is None and self.shared:
            if self._tg is None:
                self._early_callbacks.append(out_task_id)  # still joining: handled at start
            else:
                self._tg.start_soon(self._foreign_callback, out_task_id)
            return
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
                if self.budget_blocks(job):
                    if self.submits_out:  # estimates still to come may free the way
                        await self.submit_wake.wait(0.05)
                        continue
                    queue.popleft()
                    self.room_wake.set()
                    self.stats.held_by_budget += 1
                    self.deliver(job, BudgetHeldError(job.out_task_id, self.max_credits or 0.0))
                    continue
                worker = _idle_worker(self._submit_idle)
                if worker is None:  # every submit worker is busy: one frees up soon
                    await self.submit_wake.wait(None)
                    continue
                delay = self.submit_bucket.try_acquire(time.monotonic())
                if delay <= 0:
                    queue.popleft()
                    self._submit_idle.popleft()
                    self.room_wake.set()
                    self.take(job)
                    worker.set_result(job)
                    if self.take_over and self._needs_work():
                        self._top_up_wake.set()  # claim more before the line runs dry
                    continue
                timeout = max(delay, DISPATCH_TICK_S)  # a few banked tokens per wake-up
            await self.submit_wake.wait(timeout)

    async def _submit_worker(self) -> None:
        loop = asyncio.get_running_loop()
        idle = self._submit_idle
        while True:
            future: asyncio.Future[TaskHandle] = loop.create_future()
            idle.append(future)
            if len(idle) == 1:
                self.submit_wake.set()  # the dispatcher may be waiting for a free worker
            job = await future
            if not job.stopped:
                await submit_job(self, job)

    # --- the query side -----------------------------------------------------------------------
    async def _query_loop(self) -> None:
        timers, bucket = self.timers, self.query_bucket
        while True:
            now = time.monotonic()
            due = timers.next_due()
            if due is None or due > now:
                wait = None if due is None else due - now
                # Spare queries only while due queries go out on time: when the client's CPU
                # (or the budget) is the limit they would only delay due work.
                if self.spare_step is not None and len(self.spare) and self._on_time(now):
                    spare_wait = self._spare_query(now)
                    if spare_wait == 0.0:
                        continue
                    if spare_wait is not None and (wait is None or spare_wait < wait):
                        wait = spare_wait
                await self.query_wake.wait(wait)
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
            worker = _idle_worker(self._query_idle)
            if worker is None:
                timers.schedule(job, due)  # back on top; wait for a free worker
                await self.query_wake.wait(None)
                continue
            delay = bucket.try_acquire(now)
            if delay > 0:
                timers.schedule(job, due)  # back on top, first in line; wait for the token
                await self.query_wake.wait(max(delay, DISPATCH_TICK_S))
                continue
            self._query_idle.popleft()
            job.busy = True
            self.due_late += (now - due - self.due_late) * 0.05
            self._due_late_at = now
            worker.set_result(job)

    def _on_time(self, now: float) -> bool:
        """Whether due queries go out on time (the lateness average is under
        ``SPARE_MAX_LATE_S``, or stale: no due query went out for half a second)."""
        if now - self._due_late_at > 0.5:
            self.due_late = 0.0
        return self.due_late < self.spare_max_late_s

    def _spare_query(self, now: float) -> float | None:
        """Nothing is due: send the job longest eligible for a spare query, if a worker and a
        token are free. Returns 0.0 when one went out, else the seconds until it is worth
        looking again (``None``: when something else wakes the loop)."""
        spare = self.spare
        eligible = spare.next_eligible()
        if eligible is None:
            return None
        if eligible > now:
            return max(eligible - now, DISPATCH_TICK_S)
        worker = _idle_worker(self._query_idle)
        if worker is None:
            return None  # a worker going idle wakes the loop
        bucket = self.query_bucket
        due = self.timers.next_due()
        if (  # leave the last token to a query that comes due before the next one
            bucket.rate is not None
            and due is not None
            and due - now < 1.0 / bucket.rate
            and bucket.tokens(now) < 2.0
        ):
            return max(due - now, DISPATCH_TICK_S)
        delay = bucket.try_acquire(now)
        if delay > 0:
            return max(delay, DISPATCH_TICK_S)
        taken = spare.pop(now)
        assert taken is not None
        job, due = taken
        if job.stopped or job.busy or (job.deadline is not None and now >= job.deadline):
            self.query_bucket.refund()
            return 0.0  # the due path deals with it
        self.timers.unschedule(job)
        job.spare_due = due  # kept: the answer puts the job back on its own schedule
        self.stats.spare_queries += 1
        self._query_idle.popleft()
        job.busy = True
        worker.set_result(job)
        return 0.0

    async def _query_worker(self) -> None:
        loop = asyncio.get_running_loop()
        idle = self._query_idle
        while True:
            future: asyncio.Future[TaskHandle] = loop.create_future()
            idle.append(future)
            if len(idle) == 1:
                self.query_wake.set()  # the scheduler may be waiting for a free worker
            job = await future
            try:
                if not job.stopped:
                    await query_job(self, job)
            finally:
                job.busy = False
                job.spare_due = 0.0
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
    def time_out(self, job: TaskHandle) -> None:
        """Stop waiting for ``job`` (its ``task_timeout`` ran out). The journal keeps its
        last state, so a resumed tracker looks at it again."""
        self.timers.unschedule(job)
        self.release(job)
        self.stats.timed_out += 1
        self.deliver(job, timeout_error(job, self.deadline_s(job) or 0.0))

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


_EVENT_OF_STATE: Final = {
    JobState.COMPLETED: Event.FINISHED_OK,
    JobState.FAILED: Event.FINISHED_FAILED,
}
_REPORTED: Final = frozenset({JobState.COMPLETED, JobState.FAILED, JobState.CONFLICT})


def _abort_message(engine: Engine, error: AIReiterError) -> str:
    base_url = str(getattr(engine.client, "base_url", "?"))
    if isinstance(error, AuthenticationError):
        why = f"the API rejected the API key ({error}); set a valid AIREITER_API_KEY"
    elif isinstance(error, PermissionDeniedError):
        why = f"the API refused access ({error}); check the key's permissions"
    elif isinstance(error, InsufficientCreditsError):
        why = f"the account has not enough credits ({error}); top up"
    elif isinstance(error, RateLimitError):  # pragma: no cover - never fatal
        why = str(error)
    else:
        from ._requests import is_not_api

        if is_not_api(error, submit=True):  # a bare 404/405 gets here from a submit only
            why = (
                f"the server at {base_url} does not answer like the AIReiter API ({error}); "
                f"check the base URL (the API's is {DEFAULT_BASE_URL})"
            )
        elif isinstance(error, APITimeoutError) and error.request_sent:
            why = (
                f"the server at {base_url} took every request in and never answered in time "
                f"({error}); check the base URL, or raise the timeout if the API is slow (the "
                "jobs it may have recorded are confirmed by query before any is sent again)"
            )
        else:
            why = f"cannot reach the API at {base_url} ({error}); check the base URL and network"
    return (
        f"run stopped: {why}. Nothing more was submitted; the journal keeps every job "
        "(resume the run once this is fixed)."
    )


def _duration_s(task: Task, accepted_at: float) -> float:
    """How long ``task`` took: the API's own stamps when readable, else since its submit
    answer (which errs late by the detection lag)."""
    created, completed = task.created_at, task.completed_at
    if created is not None and completed is not None:
        try:
            return (completed - created).total_seconds()
        except (TypeError, OverflowError):  # naive vs aware stamps: fall back
            pass
    return time.monotonic() - accepted_at


def _budget(rate: float | None, now: float) -> TokenBucket:
    """A bucket that delivers ``rate``: it banks ``DEFAULT_BURST_S`` of requests (at least
    one), so a dispatcher that wakes late loses nothing. Where that bank is more than one
    request it refills at ``rate`` minus the bank, so its tokens never put a second over the
    budget and the send window (:func:`._ratelimit.window_limit`, which holds back what would,
    as requests go out) rarely has to hold one: each hold is a sleep. A lower rate refills at
    ``rate`` (minus one token would halve 2/s) and its seconds are kept by the window."""
    if rate is None:
        return TokenBucket(None, now=now)
    bank = rate * DEFAULT_BURST_S
    if bank <= 1.0:
        return TokenBucket(rate, capacity=1.0, now=now)
    return TokenBucket(rate - bank, capacity=bank, now=now)


def _pool_limit(client: Any) -> int | None:
    """The connections the client's pool allows at once (``None``: no limit or unknown)."""
    config = getattr(client, "config", None)
    session = getattr(config, "http_session", None)
    if session is not None:  # the caller's own session: its connector's limit
        limit = getattr(getattr(session, "connector", None), "limit", 0)
        return limit if isinstance(limit, int) and limit > 0 else None
    limit = getattr(config, "max_connections", None)
    return limit if isinstance(limit, int) and limit > 0 else None


def _idle_worker(idle: deque[asyncio.Future[TaskHandle]]) -> asyncio.Future[TaskHandle] | None:
    """The first idle worker's future (cancelled ones dropped), left in place; ``None``."""
    while idle:
        future = idle[0]
        if not future.done():
            return future
        idle.popleft()
    return None


def _cancelled(job: TaskHandle) -> bool:
    return job.state is JobState.CANCELLED


def timeout_error(job: TaskHandle, timeout: float) -> BaseException:
    """The error a job's waiters get when a timeout ended the wait (the job goes on)."""
    from .._exceptions import TaskTimeoutError

    return TaskTimeoutError(job.out_task_id, timeout, job.task)
