"""Picking a run up from its journal: each job continues from the state it was written in.

==========================  ==========================================================
journal state               what a resumed tracker does
==========================  ==========================================================
QUEUED                      submits it (it was never sent)
SUBMITTING / IN_DOUBT       confirms over the confirm window first (from the time it was
                            written); submits again only after a window of "not found"
PENDING / PROCESSING        polls it (first query at once, then the usual schedule)
COMPLETED / FAILED          reports it through ``as_completed``/``gather``; nothing is sent
/ CONFLICT                  (a completed job whose files are missing is downloaded; a failed
                            job sent again under a new id is left out)
CANCELLED                   nothing (``result()`` raises :class:`JobCancelledError`)
==========================  ==========================================================

Resuming needs a journal that holds jobs: a missing path, an empty (0-byte) file, a file that
is no journal, or a journal (or a PostgreSQL batch name) with no jobs raise
:class:`~aireiter.JournalError` naming what was found, before anything is created in it (a
mistyped path would otherwise report "nothing left" while the real journal's jobs wait, and
a journal removed at the end of a run would start the same jobs again). ``join=True`` accepts
a journal with no jobs yet (a worker that waits for a batch to be filled).

Only the unfinished jobs this run *claims* are worked on (see :mod:`._claims`): two processes
resuming one journal take disjoint jobs, and a process that finds every unfinished job held by
another live run raises :class:`~aireiter.JournalBusyError` naming it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Final

from .._exceptions import JournalBusyError, JournalError
from .._models import Task, TaskOutput, TaskStatus
from ._engine import Engine
from ._handle import JobCancelledError, TaskHandle
from ._journal import JobRecord, JobState, Journal
from ._sqlite_journal import SQLiteJournal

__all__ = ["check_resumable", "load_journal", "place_records", "task_from_record"]

_STATUS_OF: Final = {
    JobState.QUEUED: TaskStatus.UNKNOWN,
    JobState.SUBMITTING: TaskStatus.UNKNOWN,
    JobState.IN_DOUBT: TaskStatus.UNKNOWN,
    JobState.CONFLICT: TaskStatus.FAILED,
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


def place_records(engine: Engine, records: list[JobRecord], *, downloads: bool) -> None:
    """Register each record's job and put it where its state says (see the module doc);
    records of jobs the engine already holds are skipped."""
    now = time.monotonic()
    wall = time.time()
    stats = engine.stats
    for record in records:
        if record.out_task_id in engine.jobs:
            continue
        job = handle_from_record(engine, record)
        state = record.state
        # Credits of the jobs an earlier run saw stay in this run's totals.
        if record.estimated_credits:
            stats.credits_estimated += record.estimated_credits
            job.estimated = True
            if not state.is_terminal:
                job.estimate = record.estimated_credits
                engine.committed += record.estimated_credits
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
        else:  # SUBMITTING / IN_DOUBT (confirm first), PENDING, PROCESSING (poll)
            engine.register(job)
            engine.take(job)
            seconds = engine.deadline_s(job)
            if seconds is not None:
                job.deadline = now + seconds
            if state is JobState.SUBMITTING or state is JobState.IN_DOUBT:
                written = now - max(0.0, wall - record.updated_at)
                engine.start_confirm(job, written, engine.request_timeout_s)
            else:
                engine.schedule(job, now)
    if records:
        engine.results_wake.set()


def handle_from_record(engine: Engine, record: JobRecord) -> TaskHandle:
    """A handle for ``record``, not yet registered."""
    state = record.state
    unsent = state in (JobState.QUEUED, JobState.SUBMITTING, JobState.IN_DOUBT)
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
    job.sent_before = record.submit_attempts > 0
    job.task_id = record.task_id
    job.adopted = record.adopted
    job.retries = record.retries
    job.processing_seen = record.processing_at is not None
    job.callback_url = record.callback_url
    job.last_error = record.error
    job.downloaded = tuple(Path(p) for p in record.downloaded)
    if not unsent:
        job.task = task_from_record(record)
    if (
        engine.retry_failed
        and job.params is None
        and state in (JobState.PENDING, JobState.PROCESSING)
    ):
        job.params = record.params  # kept to send it again if the API fails it
    return job


async def check_resumable(journal: Journal, *, allow_empty: bool = False) -> None:
    """Before the journal is opened: raise :class:`~aireiter.JournalError` when an SQLite
    journal's file holds no journal with jobs (see the module doc); nothing is created or
    changed in the file. Other journals are checked once open, by :func:`load_journal`."""
    if isinstance(journal, SQLiteJournal):
        await journal.check_resumable(allow_empty=allow_empty)


async def load_journal(
    engine: Engine, *, downloads: bool, request_timeout_s: float, busy_ok: bool = False
) -> int:
    """Claim the journal's unfinished jobs, register them and the finished ones, and put each
    where its state says (see the module doc); returns how many jobs were loaded. A journal
    with no jobs raises :class:`~aireiter.JournalError`, unless ``busy_ok`` (a run that joins).

    ``request_timeout_s`` is how long a submit written as SUBMITTING may have been on the
    wire: the confirm window of such a job is sized from it, starting when it was written.
    """
    journal = engine.journal
    if not busy_ok and not any((await journal.counts()).values()):
        where = getattr(journal, "path", None)
        raise JournalError(
            f"nothing to resume: the journal {where or journal!r} holds no jobs. Check the "
            "journal (and the batch name of a PostgreSQL journal); to start a new run, use a "
            "TaskTracker without resume.",
            path=None if where is None else str(where),
        )
    claimed = await journal.claim(engine.owner, lease_s=engine.lease_s)
    if not claimed and not busy_ok:
        holders = await journal.holders()
        holders.pop(engine.owner, None)
        if holders:
            owner, count = max(holders.items(), key=lambda item: item[1])
            where = getattr(journal, "path", None)
            raise JournalBusyError(
                f"journal {where or journal!r}: its {sum(holders.values())} unfinished jobs "
                f"are held by another live run ({owner}, {count} jobs). Wait for it to end, "
                "or stop it; a run that died releases its jobs when its lease runs out.",
                owner=owner,
                path=None if where is None else str(where),
            )
    mine = {record.out_task_id: record for record in claimed}
    records = [
        mine.get(record.out_task_id, record)
        for record in await journal.records()
        if record.out_task_id in mine or (record.state.is_terminal and record.retried_as is None)
    ]
    engine.request_timeout_s = request_timeout_s
    place_records(engine, records, downloads=downloads)
    if records:
        engine.results_wake.set()
    return len(records)
