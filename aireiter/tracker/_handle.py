"""One tracked job: :class:`TaskHandle`, the tracker's whole per-job state in one slotted object.

The tracker keeps nothing else per job (no coroutine, no event, no future): a handle holds its
place in the timer heap (``generation``/``scheduled``), its counters and its last known
:class:`~aireiter.Task`. An :class:`anyio.Event` is made only when someone awaits
:meth:`TaskHandle.result` before the job is done. ``params`` are dropped once the API accepted
the job (the journal has them).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import attrs

from .._exceptions import AIReiterError, TaskFailedError
from .._models import Task, TaskOutput, TaskStatus
from ._journal import JobState

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = [
    "BudgetHeldError",
    "JobCancelledError",
    "TaskHandle",
    "compact_task",
    "placeholder_task",
]

# What the next action on a job is when it comes due in the timer heap.
ACTION_QUERY = 0  # poll the task (or confirm an ambiguous submit when state is SUBMITTING)
ACTION_SUBMIT = 1  # (re)submit: the API certainly does not have it


class JobCancelledError(AIReiterError):
    """The job was cancelled with ``tracker.cancel()`` (or the tracker stopped) before it
    finished. A job already submitted may still run and be charged on the API side."""

    def __init__(self, out_task_id: str) -> None:
        self.out_task_id = out_task_id
        super().__init__(f"job {out_task_id} was cancelled before it finished")


class BudgetHeldError(AIReiterError):
    """The job was not sent: the run's ``max_credits`` would have been passed. It stays
    queued in the journal; resume with a higher ``max_credits`` to send it."""

    def __init__(self, out_task_id: str, max_credits: float) -> None:
        self.out_task_id = out_task_id
        self.max_credits = max_credits
        super().__init__(
            f"job {out_task_id} was not sent: max_credits={max_credits:g} would be passed; "
            "it stays queued in the journal (resume with a higher max_credits to send it)"
        )


class TaskHandle:
    """A job handed to a :class:`~aireiter.TaskTracker`: its id, state and, once done, result.

    ``await handle.result()`` returns the completed :class:`~aireiter.Task`; it raises
    :class:`~aireiter.TaskFailedError` for a failed task, :class:`~aireiter.TaskTimeoutError`
    when the tracker's ``task_timeout`` (or the whole-run ``timeout``) ran out first, and
    :class:`JobCancelledError` for a cancelled job.
    """

    __slots__ = (
        "_engine",
        "_outcome",
        "_waiter",
        "accepted_at",
        "action",
        "adopted",
        "attempt_s",
        "busy",
        "callback_url",
        "checking_id",
        "confirm_end",
        "confirm_start",
        "confirm_step",
        "deadline",
        "delivered",
        "downloaded",
        "estimate",
        "estimated",
        "failures",
        "generation",
        "index",
        "last_error",
        "metadata",
        "model",
        "out_task_id",
        "params",
        "poke",
        "polls",
        "processing_seen",
        "query_by_task_id",
        "retries",
        "retry_at",
        "scheduled",
        "sent_before",
        "spare_due",
        "state",
        "submit_attempts",
        "taken",
        "task",
        "task_id",
        "typical_s",
    )

    def __init__(
        self,
        engine: Engine,
        *,
        out_task_id: str,
        model: str,
        params: Mapping[str, Any] | None,
        metadata: Mapping[str, Any] | None,
        state: JobState,
        typical_s: float,
    ) -> None:
        self._engine = engine
        self.out_task_id = out_task_id
        """The job's idempotency key (``out_task_id`` on the API)."""
        self.model = model
        """The model name as sent (channel suffix included)."""
        self.params = params
        self.metadata = metadata
        """The metadata sent with the job."""
        self.state = state
        """Where the job stands (a :class:`~aireiter.tracker.JobState`)."""
        self.task: Task | None = None
        """The last :class:`~aireiter.Task` seen for this job (``None`` before the API answered)."""
        self.downloaded: tuple[Path, ...] = ()
        """Local files written for this job's outputs (with ``download_dir``)."""
        self.typical_s = typical_s
        self.callback_url: str | None = None
        self.action = ACTION_QUERY
        self.generation = 0
        self.scheduled = False
        self.delivered = False  # finished for this tracker (result known, waiters woken)
        self.taken = False  # counted in the tracker's in-flight total
        self.busy = False  # a worker is sending a request for it right now
        self.poke = False  # a callback came while busy: query again at once
        self.estimated = False  # the API's credit estimate for this job is in the totals
        self.polls = 0
        self.spare_due = 0.0  # a spare query is out: the due time of the job's own schedule
        self.failures = 0
        self.submit_attempts = 0
        self.deadline: float | None = None
        self.sent_before = False  # a submit of this id may have reached the API before
        self.retry_at = 0.0  # the clock reading before which a resend must wait
        self.attempt_s = 0.0  # how long the last ambiguous submit was on the wire
        self.confirm_start = 0.0  # the open confirm window (clock readings)
        self.confirm_end = 0.0
        self.confirm_step = 0
        self.checking_id = False  # the next query compares the task found with this job
        self.query_by_task_id = False
        self.task_id: str | None = None
        self.adopted = False
        self.processing_seen = False  # processing_at is in the journal
        self.index = 0  # its place in the run's order of jobs
        self.accepted_at = 0.0  # clock reading of the first answer that showed the task
        self.estimate = 0.0  # the API's estimate counted in the run's committed credits
        self.retries = 0
        self.last_error: str | None = None
        self._waiter: anyio.Event | None = None
        self._outcome: BaseException | None = None

    def __repr__(self) -> str:
        return (
            f"TaskHandle(out_task_id={self.out_task_id!r}, model={self.model!r}, "
            f"state={self.state.value!r})"
        )

    @property
    def done(self) -> bool:
        """True once the job is finished for this tracker (completed, failed, cancelled or
        timed out)."""
        return self.delivered

    @property
    def stopped(self) -> bool:
        """True once nothing more is to be sent for this job (terminal, or given up on)."""
        return self.delivered or self.state.is_terminal

    async def result(self) -> Task:
        """Wait for the job and return its completed :class:`~aireiter.Task` (see the class
        docstring for what it raises)."""
        if not self.done:
            if self._waiter is None:
                self._waiter = anyio.Event()
            await self._waiter.wait()
        if self._outcome is not None:
            raise self._outcome
        task = self.task
        if self.state is JobState.CONFLICT:
            from .._exceptions import ConflictError

            raise ConflictError(
                self.last_error or f"out_task_id {self.out_task_id} belongs to another task",
                status_code=409,
                out_task_id=self.out_task_id,
            )
        if self.state is JobState.CANCELLED or task is None:
            raise JobCancelledError(self.out_task_id)
        if task.status is TaskStatus.FAILED or self.state is JobState.FAILED:
            raise TaskFailedError(task)
        return task

    async def download(self, directory: str | Path) -> tuple[Path, ...]:
        """Download the outputs of this (completed) job into ``directory``; the files written.

        Waits for the job first (raising as :meth:`result` does).
        """
        task = await self.result()
        return await self._engine.download(self, task, Path(directory))

    # --- engine side ------------------------------------------------------------------------
    def _finish(self, outcome: BaseException | None = None) -> None:
        """Mark the job done for this tracker and wake whoever awaits :meth:`result`."""
        self.delivered = True
        if outcome is not None:
            self._outcome = outcome
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            waiter.set()


def compact_task(task: Task) -> Task:
    """``task`` without ``raw`` and ``input``: what a handle keeps once ``as_completed`` has
    handed the full task out, so a long run holds little per finished job."""
    if not task.raw and task.input is None:
        return task
    outputs = tuple(TaskOutput(url=output.url) for output in task.outputs)
    return attrs.evolve(task, raw={}, input=None, outputs=outputs)


def placeholder_task(job: TaskHandle) -> Task:
    """The Task ``gather()`` lists for a job the API never answered for (cancelled or timed
    out before it was accepted): status ``unknown``, ``error`` saying why."""
    reason = "cancelled" if job.state is JobState.CANCELLED else "no answer (timed out)"
    return Task(
        out_task_id=job.out_task_id,
        status=TaskStatus.UNKNOWN,
        model=job.model,
        metadata=job.metadata,
        error=reason,
    )
