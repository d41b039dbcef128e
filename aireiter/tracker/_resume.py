"""Picking a run up from its journal: each job continues from the state it was written in.

==========================  ==========================================================
journal state               what a resumed tracker does
==========================  ==========================================================
QUEUED                      submits it (it was never sent)
SUBMITTING                  queries its ``out_task_id`` first; submits only on "not found"
PENDING / PROCESSING        polls it (first query at once, then the usual schedule)
COMPLETED / FAILED          reports it through ``as_completed``/``gather``; nothing is sent
                            (a completed job whose files are missing is downloaded)
CANCELLED                   nothing (``result()`` raises :class:`JobCancelledError`)
==========================  ==========================================================

No job is ever submitted twice: a job is only submitted from QUEUED, or from SUBMITTING after
the API answered "not found" for its ``out_task_id``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Final

from .._models import Task, TaskOutput, TaskStatus
from ._engine import Engine
from ._handle import JobCancelledError, TaskHandle
from ._journal import JobRecord, JobState

__all__ = ["load_journal", "task_from_record"]

_STATUS_OF: Final = {
    JobState.QUEUED: TaskStatus.UNKNOWN,
    JobState.SUBMITTING: TaskStatus.UNKNOWN,
    JobState.PENDING: TaskStatus.PENDING,
    JobState.PROCESSING: TaskStatus.PROCESSING,
    JobState.COMPLETED: TaskStatus.COMPLETED,
    JobState.FAILED: TaskStatus.FAILED,
    JobState.CANCELLED: TaskStatus.UNKNOWN,
}


def task_from_record(record: JobRecord) -> Task:
    """The :class:`~aireiter.Task` a journal record describes (``raw`` is empty)."""
    return Task(
        out_task_id=record.out_task_id,
        status=_STATUS_OF[record.state],
        task_id=record.task_id,
        model=record.model,
        outputs=tuple(TaskOutput(url=url) for url in record.output_urls),
        estimated_credits=record.estimated_credits,
        credits_used=record.credits_used,
        error=record.error,
        metadata=record.metadata,
    )


def handle_from_record(engine: Engine, record: JobRecord) -> TaskHandle:
    """A handle for ``record``, not yet registered."""
    state = record.state
    unsent = state in (JobState.QUEUED, JobState.SUBMITTING)
    job = TaskHandle(
        engine,
        out_task_id=record.out_task_id,
        model=record.model,
        params=record.params if unsent else None,
        metadata=record.metadata,
        state=state,
        typical_s=engine.typical_s(record.model),
    )
    job.submit_attempts = record.submit_attempts
    job.downloaded = tuple(Path(p) for p in record.downloaded)
    if state is not JobState.QUEUED and state is not JobState.SUBMITTING:
        job.task = task_from_record(record)
    return job


async def load_journal(engine: Engine, *, downloads: bool) -> int:
    """Register every job of ``engine.journal`` and put each where its state says (see the
    module doc); returns how many jobs were loaded."""
    records = await engine.journal.records()
    now = time.monotonic()
    stats = engine.stats
    for record in records:
        job = handle_from_record(engine, record)
        state = record.state
        # Credits of the jobs an earlier run saw stay in this run's totals.
        if record.estimated_credits:
            stats.credits_estimated += record.estimated_credits
            job.estimated = True
        elif state.is_terminal and record.credits_used:
            stats.credits_estimated += record.credits_used
        stats.credits_used += record.credits_used or 0.0
        if state is JobState.CANCELLED:
            job._finish(JobCancelledError(job.out_task_id))
            engine.register(job)
        elif state is JobState.QUEUED:
            engine.register(job)
            engine.enqueue(job)
        elif state.is_terminal:
            task = job.task
            assert task is not None
            missing = downloads and state is JobState.COMPLETED and task.outputs
            if missing and not record.downloaded and engine.on_completed is not None:
                engine.register(job)
                engine.on_completed(job, task)
            else:
                job._finish()
                engine.results.append(job)
                engine.register(job)
        else:  # SUBMITTING (confirm first), PENDING, PROCESSING (poll)
            engine.register(job)
            engine.take(job)
            if engine.task_timeout is not None:
                job.deadline = now + engine.task_timeout
            engine.schedule(job, now)
    if records:
        engine.results_wake.set()
    return len(records)
