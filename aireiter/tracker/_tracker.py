"""``TaskTracker``: submit, track, retry, resume and download thousands of tasks.

>>> async with client.tracker(journal="run.db", max_in_flight=500) as tracker:  # doctest: +SKIP
...     for prompt in prompts:
...         await tracker.submit("seedream_v4_5", {"prompt": prompt})
...     async for task in tracker.as_completed():
...         print(task.out_task_id, task.status, task.urls)

How it works is described in ``_engine.py`` (flow), ``_poll_policy.py`` (the poll schedule),
``_ratelimit.py`` (budgets) and ``_resume.py`` (resuming from a journal).
"""

from __future__ import annotations

import enum
import logging
import math
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal

import anyio
from anyio.abc import TaskGroup

from .._confirm import ConfirmPolicy
from .._exceptions import ParamError
from .._models import Task
from .._spec import validate_params
from ..resources._validation import check_submit_fields, new_out_task_id
from ._callbacks import Callbacks
from ._claims import DEFAULT_LEASE_S, new_owner
from ._engine import Engine, Limits, timeout_error
from ._handle import TaskHandle, compact_task, placeholder_task
from ._journal import DuplicateJobError, JobRecord, JobState, Journal, open_journal
from ._outputs import Outputs
from ._poll_policy import PollPolicy
from ._progress import ProgressSnapshot
from ._resume import check_resumable, load_journal, task_from_record

if TYPE_CHECKING:
    from .._client import AsyncAIReiter
    from ..webhooks import WebhookRouter

__all__ = [
    "DEFAULT_MAX_IN_FLIGHT",
    "DEFAULT_PROGRESS_INTERVAL_S",
    "DEFAULT_QUERY_CONCURRENCY",
    "DEFAULT_QUERY_RATE",
    "DEFAULT_SUBMIT_CONCURRENCY",
    "DEFAULT_SUBMIT_RATE",
    "TaskTracker",
]

# --- tracker defaults ---------------------------------------------------------------------------
DEFAULT_MAX_IN_FLIGHT: Final = 500  # jobs submitted and not finished, at most
DEFAULT_SUBMIT_CONCURRENCY: Final = 8  # submit requests on the wire at once
DEFAULT_QUERY_CONCURRENCY: Final = 16  # query requests on the wire at once
DEFAULT_SUBMIT_RATE: Final = 10.0  # submit requests per second (the API documents no limit)
DEFAULT_QUERY_RATE: Final = 20.0  # query requests per second, the whole tracker
DEFAULT_PROGRESS_INTERVAL_S: Final = 0.5  # on_progress / progress_updates() period


logger = logging.getLogger("aireiter.tracker")


def _positive(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _request_timeout_s(client: AsyncAIReiter) -> float:
    """How long one submit may be on the wire with ``client``'s settings (its total timeout,
    else its read timeout; the library default when neither is set)."""
    from .._constants import DEFAULT_TOTAL_TIMEOUT_S

    config = getattr(client, "_config", None)
    timeout = getattr(config, "timeout", None)
    for name in ("total", "read"):
        value = getattr(timeout, name, None)
        if isinstance(value, (int, float)) and value > 0:
            return float(value)
    return DEFAULT_TOTAL_TIMEOUT_S


class _Phase(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    CLOSED = "closed"


class TaskTracker:
    """Many generation tasks at once, with a journal, budgets, polling and webhooks.

    Use it as an async context manager (``async with client.tracker(...) as tracker``);
    :meth:`submit` jobs, then iterate :meth:`as_completed` or await :meth:`gather` inside the
    block. Leaving the block stops all background work at once (nothing is waited for);
    unfinished jobs stay in the journal for :meth:`resume`.

    Options:

    - ``journal``: a :class:`~aireiter.tracker.Journal`, a path (SQLite file) or ``None`` (in
      memory). A journal given as an object is opened but not closed by the tracker.
    - ``max_in_flight``: jobs submitted and not finished, at most (default 500); ``submit``
      waits while that many jobs are queued unsent (backpressure).
    - ``submit_concurrency`` / ``query_concurrency``: requests on the wire at once.
    - ``submit_rate`` / ``query_rate``: requests per second (token buckets; ``None``: no
      limit); a 429 anywhere pauses both until its ``Retry-After``. Every job needs at least
      one query, so submits never go faster than ``query_rate``.
    - ``task_timeout``: seconds from a job's submit to its end (``"auto"``, the default:
      ``max(30 min, 10 x the model's typical duration)``, both scaled by the poll policy's
      ``duration_scale``; ``None``: never); ``timeout``: seconds for the whole run. Either
      stops waiting (``result()`` raises ``TaskTimeoutError``) and leaves the job's journal
      state as it was, so a resume looks at it again. A task whose status this SDK does not
      know is polled until that deadline.
    - ``max_credits``: no new submit once the credits used plus the estimates of accepted
      jobs (plus the expected cost of the next one) would pass it; the jobs not sent stay
      queued in the journal (their ``result()`` raises ``BudgetHeldError``).
    - ``retry_failed``: send a job the API *failed* again, up to this many times, each under
      a new journaled id (``<id>-r1``, ...; failed tasks are free). Default 0: final.
    - ``lease_s``: how long this run's claim on its jobs holds without a heartbeat (renewed
      every third of it); another process may take the jobs over only after that, or at once
      when the holder was a process of this host that is gone.
    - ``confirm``: the :class:`~aireiter._confirm.ConfirmPolicy` for ambiguous submits
      (default: 20 s minimum window, scaled by the poll policy's ``duration_scale``).

    A condition no retry can fix (401/403, 433 not enough credits, answers that are not the
    API's, a host that never answered) stops the run: :meth:`as_completed`, :meth:`gather` and
    :meth:`wait` raise :class:`~aireiter.RunAbortedError`, the journal keeps every job. 429s,
    5xx and connection errors only slow the run down; they never fail a job.
    - ``download_dir``: download every completed job's outputs there before reporting it.
    - ``webhook``: a :class:`~aireiter.webhooks.WebhookRouter` (or ``True`` for a new one);
      ``webhook_base_url``: where the API can reach it; without one a built-in
      :class:`~aireiter.webhooks.WebhookReceiver` is started on 127.0.0.1. Polling then becomes
      a slow safety net and each callback triggers one confirming query.
    - ``on_progress``: called with a :class:`ProgressSnapshot` every ``progress_interval``
      seconds and once at the end.
    - ``poll_policy``: the :class:`PollPolicy` (e.g. ``PollPolicy(duration_scale=0.01)`` for
      an emulator run with ``time_scale=0.01``).
    """

    def __init__(
        self,
        client: AsyncAIReiter,
        *,
        journal: Journal | str | os.PathLike[str] | None = None,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        submit_concurrency: int = DEFAULT_SUBMIT_CONCURRENCY,
        query_concurrency: int = DEFAULT_QUERY_CONCURRENCY,
        submit_rate: float | None = DEFAULT_SUBMIT_RATE,
        query_rate: float | None = DEFAULT_QUERY_RATE,
        task_timeout: float | Literal["auto"] | None = "auto",
        timeout: float | None = None,
        download_dir: str | os.PathLike[str] | None = None,
        webhook: WebhookRouter | Literal[True] | None = None,
        webhook_base_url: str | None = None,
        on_progress: Callable[[ProgressSnapshot], None] | None = None,
        progress_interval: float = DEFAULT_PROGRESS_INTERVAL_S,
        poll_policy: PollPolicy | None = None,
        seed: int | None = None,
        max_credits: float | None = None,
        retry_failed: int = 0,
        lease_s: float = DEFAULT_LEASE_S,
        confirm: ConfirmPolicy | None = None,
    ) -> None:
        if task_timeout != "auto" and task_timeout is not None and not _positive(task_timeout):
            raise ParamError.single(
                "task_timeout", task_timeout, "must be > 0 seconds, None or 'auto'"
            )
        if timeout is not None and not _positive(timeout):
            raise ParamError.single("timeout", timeout, "must be > 0 seconds or None")
        if not _positive(progress_interval):
            raise ParamError.single("progress_interval", progress_interval, "must be > 0")
        if max_credits is not None and not (_positive(max_credits) or max_credits == 0):
            raise ParamError.single("max_credits", max_credits, "must be >= 0 or None")
        if not isinstance(retry_failed, int) or retry_failed < 0:
            raise ParamError.single("retry_failed", retry_failed, "must be an int >= 0")
        if not _positive(lease_s):
            raise ParamError.single("lease_s", lease_s, "must be > 0 seconds")
        self._client = client
        self._owns_journal = not isinstance(journal, Journal)
        self._journal: Journal = open_journal(journal)
        self._limits = Limits(
            max_in_flight=max_in_flight,
            submit_concurrency=submit_concurrency,
            query_concurrency=query_concurrency,
        )
        self._submit_rate = submit_rate
        self._query_rate = query_rate
        self._task_timeout = task_timeout
        self._timeout = timeout
        self._download_dir = None if download_dir is None else Path(download_dir)
        self._on_progress = on_progress
        self._progress_interval = progress_interval
        self._policy = poll_policy if poll_policy is not None else PollPolicy()
        self._seed = seed
        self._max_credits = max_credits
        self._retry_failed = retry_failed
        self._lease_s = lease_s
        self._confirm = confirm
        self.owner = new_owner()
        """This run's name in the journal's claims (``host:pid:token``)."""
        self._resume = False
        self._join = False
        self._phase = _Phase.NEW
        self._engine: Engine | None = None
        self._outputs: Outputs | None = None
        self._tg: TaskGroup | None = None
        self._callbacks = Callbacks(webhook, webhook_base_url)

    @classmethod
    def resume(
        cls,
        client: AsyncAIReiter,
        journal: Journal | str | os.PathLike[str],
        *,
        join: bool = False,
        **options: Any,
    ) -> TaskTracker:
        """A tracker that, when entered, continues every job of ``journal`` it can claim (see
        :mod:`aireiter.tracker._resume`): nothing is paid for twice, nothing is lost.

        Entering raises :class:`~aireiter.JournalError` naming the journal when it holds no
        jobs: a path that does not exist, an empty file, a file that is not a journal, a
        journal (or PostgreSQL batch name) with no jobs. Nothing is created in it.

        When live runs hold every unfinished job, entering raises
        :class:`~aireiter.JournalBusyError` naming one, unless ``join=True``: then the run
        starts with what it could claim, possibly nothing, and takes jobs over as their
        claims go void (a worker joining a shared batch, a web-app replica); a journal with
        no jobs yet is accepted then."""
        tracker = cls(client, journal=journal, **options)
        tracker._resume = True
        tracker._join = join
        return tracker

    def __repr__(self) -> str:
        return f"TaskTracker({self._phase.value}, journal={self._journal!r})"

    # --- lifecycle ----------------------------------------------------------------------------
    async def __aenter__(self) -> TaskTracker:
        if self._phase is not _Phase.NEW:
            raise RuntimeError("a TaskTracker can be entered only once; make a new one")
        self._phase = _Phase.RUNNING
        try:
            if self._resume:  # before the file is opened: nothing is created in it
                await check_resumable(self._journal, allow_empty=self._join)
            await self._journal.open()
            callback_url = await self._callbacks.start(self._on_callback)
            engine = Engine(
                self._client,
                self._journal,
                limits=self._limits,
                submit_rate=self._submit_rate,
                query_rate=self._query_rate,
                policy=self._policy,
                task_timeout=self._task_timeout,
                callback_url=callback_url,
                seed=self._seed,
                owner=self.owner,
                lease_s=self._lease_s,
                confirm=self._confirm,
                max_credits=self._max_credits,
                retry_failed=self._retry_failed,
            )
            self._engine = engine
            engine.downloads = self._download_dir is not None
            engine.take_over = self._resume
            engine.request_timeout_s = _request_timeout_s(self._client)
            self._outputs = engine.outputs = Outputs(engine, self._download_dir)
            if self._resume:
                await load_journal(
                    engine,
                    busy_ok=self._join,
                    downloads=self._download_dir is not None,
                    request_timeout_s=_request_timeout_s(self._client),
                )
            await engine.join()
            tg = anyio.create_task_group()
            await tg.__aenter__()
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self._cleanup()
            raise
        self._tg = tg
        engine.start(tg)
        self._outputs.start(tg)
        if self._on_progress is not None:
            tg.start_soon(self._progress_loop, self._on_progress)
        if self._timeout is not None:
            tg.start_soon(self._run_timer, self._timeout)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        tg = self._tg
        self._tg = None
        try:
            if tg is not None:
                tg.cancel_scope.cancel()
                return await tg.__aexit__(exc_type, exc, tb)
            return None
        finally:
            with anyio.CancelScope(shield=True):
                await self._cleanup()

    async def _cleanup(self) -> None:
        self._phase = _Phase.CLOSED
        await self._callbacks.aclose()
        if self._engine is not None:
            self._engine.close()
            try:
                await self._journal.release(self.owner)
            except Exception:
                logger.debug("journal: releasing the claims of %s failed", self.owner)
        if self._outputs is not None:
            await self._outputs.aclose()
        if self._owns_journal:
            await self._journal.close()
        if self._on_progress is not None and self._engine is not None:
            self._on_progress(self._engine.stats.snapshot())

    def _on_callback(self, out_task_id: str) -> None:
        if self._engine is not None:
            self._engine.on_callback(out_task_id)

    async def _progress_loop(self, on_progress: Callable[[ProgressSnapshot], None]) -> None:
        while True:
            await anyio.sleep(self._progress_interval)
            on_progress(self.progress())

    async def _run_timer(self, seconds: float) -> None:
        await anyio.sleep(seconds)
        self._running().expire_all(seconds)

    def _running(self) -> Engine:
        if self._phase is not _Phase.RUNNING or self._engine is None:
            raise RuntimeError("use the tracker inside 'async with' (it is not running)")
        return self._engine

    def _accepting(self) -> Engine:
        engine = self._running()
        if engine.expired:
            raise RuntimeError("the tracker's run timeout has passed: it takes no new jobs")
        return engine

    # --- submitting ---------------------------------------------------------------------------
    async def submit(
        self,
        model: str,
        params: Mapping[str, Any],
        *,
        out_task_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        validate: bool = True,
        extra_params: Mapping[str, Any] | None = None,
    ) -> TaskHandle:
        """Add a job: checked (:class:`~aireiter.ParamError`, nothing written), written to the
        journal, queued for submitting; returns its :class:`TaskHandle` at once, or after
        waiting while ``max_in_flight`` jobs are already queued unsent.

        ``validate=False`` sends ``params`` unchecked (for what the SDK's spec does not know
        yet); ``extra_params`` are added to ``params`` as they are, after the check."""
        engine = self._accepting()
        record = self._check(model, params, out_task_id, metadata, validate, extra_params)
        engine.adding += 1
        try:
            while len(engine.submit_queue) >= self._limits.max_in_flight:
                await engine.room_wake.wait(None)
            await self._journal.add([record])
            return self._add(engine, record)
        finally:
            engine.adding -= 1
            engine.results_wake.set()

    async def submit_many(self, jobs: Iterable[Mapping[str, Any]]) -> list[TaskHandle]:
        """Add several jobs (mappings with ``model``, ``params`` and optional ``out_task_id``,
        ``metadata``) in one journal transaction; all are checked first (all or nothing)."""
        engine = self._accepting()
        records = [
            self._check(
                job["model"],
                job["params"],
                job.get("out_task_id"),
                job.get("metadata"),
                job.get("validate", True),
                job.get("extra_params"),
            )
            for job in jobs
        ]
        engine.adding += 1
        try:
            await self._journal.add(records)
            return [self._add(engine, record) for record in records]
        finally:
            engine.adding -= 1
            engine.results_wake.set()

    def _check(
        self,
        model: str,
        params: Mapping[str, Any],
        out_task_id: str | None,
        metadata: Mapping[str, Any] | None,
        validate: bool = True,
        extra_params: Mapping[str, Any] | None = None,
    ) -> JobRecord:
        check_submit_fields(
            model=model,
            params=params,
            out_task_id=out_task_id,
            callback_url=None,
            metadata=metadata,
        )
        checked = validate_params(model, params) if validate else dict(params)
        if extra_params:
            if not isinstance(extra_params, Mapping):
                raise ParamError.single("extra_params", extra_params, "must be a mapping")
            checked = {**checked, **extra_params}
        oid = out_task_id or new_out_task_id()
        if oid in self._running().jobs:
            raise DuplicateJobError([oid])
        return JobRecord(
            out_task_id=oid,
            model=model,
            params=checked,
            metadata=metadata,
            owner=self.owner,
            lease_until=time.time() + self._lease_s,
        )

    def _add(self, engine: Engine, record: JobRecord) -> TaskHandle:
        job = TaskHandle(
            engine,
            out_task_id=record.out_task_id,
            model=record.model,
            params=record.params,
            metadata=record.metadata,
            state=JobState.QUEUED,
            typical_s=engine.typical_s(record.model),
        )
        engine.register(job)
        if engine.expired:  # the run's timeout ran out while this job was being written
            engine.deliver(job, timeout_error(job, self._timeout or 0.0))
            return job
        engine.enqueue(job)
        return job

    # --- results ------------------------------------------------------------------------------
    async def as_completed(self) -> AsyncIterator[Task]:
        """Each job's final :class:`~aireiter.Task` (completed or failed) once, as it finishes;
        ends when every job added so far is done (cancelled and timed-out jobs are skipped;
        see their handles, and while a ``submit()`` is under way it waits for it). Jobs
        resumed as finished come first. Submitting from another task works as long as that
        task is inside ``submit()`` or between two calls without other awaits; else iterate
        after the last submit.

        Once a task has been handed out here (and the loop body has run), the tracker lets
        the job go: its handle keeps a compact copy (no ``raw``, no ``input``) for whoever
        holds it, the tracker forgets it (``handle(id)`` works inside the loop body, not
        after), and :meth:`gather` reads it back from the journal. So streaming a long run
        costs memory for the jobs in flight, not for every job of the run."""
        engine = self._running()
        results = engine.results
        while True:
            while results:
                job = results.popleft()
                task = job.task
                if task is not None:
                    yield task
                    job.task = compact_task(task)
                    engine.forget(job)
            if engine.aborted is not None:
                raise engine.aborted
            if engine.unfinished == 0 and engine.adding == 0:
                return
            await engine.results_wake.wait(None)

    async def gather(self) -> list[Task]:
        """Wait until every job is done; their last :class:`~aireiter.Task` in submit order
        (a failed task is returned, not raised; a job that never got an answer is a Task with
        status ``unknown`` and ``error`` saying why)."""
        engine = self._running()
        while engine.unfinished:
            await engine.idle.wait()
        if engine.aborted is not None:
            raise engine.aborted
        jobs = engine.jobs
        records: dict[str, JobRecord] = {}
        if len(jobs) < len(engine.order):  # some were let go by as_completed: read them back
            records = {r.out_task_id: r for r in await self._journal.records()}
        tasks: list[Task] = []
        for oid in engine.order:
            job = jobs.get(oid)
            if job is None:
                tasks.append(task_from_record(records[oid]))
            else:
                tasks.append(job.task if job.task is not None else placeholder_task(job))
        return tasks

    async def wait(self) -> ProgressSnapshot:
        """Wait until every job is done; the final progress."""
        engine = self._running()
        while engine.unfinished:
            await engine.idle.wait()
        if engine.aborted is not None:
            raise engine.aborted
        return engine.stats.snapshot()

    def cancel(self, out_task_id: str | None = None) -> None:
        """Cancel one job (by id) or every unfinished one: unsent jobs are never sent, sent
        ones are no longer tracked (the API has no cancel: they may still run and be charged).
        Their ``result()`` raises :class:`~aireiter.tracker.JobCancelledError`."""
        engine = self._running()
        assert self._tg is not None
        if out_task_id is None:
            jobs = [job for job in engine.jobs.values() if not job.stopped]
        else:
            job = engine.jobs.get(out_task_id)
            if job is None:
                raise ParamError.single("out_task_id", out_task_id, "is not a job of this tracker")
            jobs = [job]
        engine.cancel(jobs, self._tg)

    # --- looking ------------------------------------------------------------------------------
    def progress(self) -> ProgressSnapshot:
        """Counts by state, credits, throughput and ETA, now."""
        if self._engine is None:
            raise RuntimeError("the tracker has not been started")
        return self._engine.stats.snapshot()

    async def progress_updates(
        self, interval: float = DEFAULT_PROGRESS_INTERVAL_S
    ) -> AsyncIterator[ProgressSnapshot]:
        """A snapshot every ``interval`` seconds (and at once when the last job finishes),
        ending with the one where every job is done."""
        engine = self._running()
        while True:
            snapshot = engine.stats.snapshot()
            yield snapshot
            if engine.unfinished == 0:
                return
            with anyio.move_on_after(interval):
                await engine.idle.wait()

    def handles(self) -> list[TaskHandle]:
        """The handles the tracker still holds, in the order they were added (resumed ones
        first): every job, except those :meth:`as_completed` has handed out and let go."""
        if self._engine is None:
            return []
        return list(self._engine.jobs.values())

    def handle(self, out_task_id: str) -> TaskHandle | None:
        """The handle of ``out_task_id``, if the tracker has that job."""
        return None if self._engine is None else self._engine.jobs.get(out_task_id)

    @property
    def journal(self) -> Journal:
        """The journal in use."""
        return self._journal
