"""``aireiter batch JOBS.jsonl``: many jobs through the task tracker, resumable.

Every line of the jobs file is checked first (nothing is sent if one is wrong, exit 2). The
jobs then go through a :class:`~aireiter.TaskTracker` with an SQLite journal (default
``<--out>.journal``), which writes each job down before it is submitted. Each finished job is
appended to ``--out`` as one JSON line as soon as it finishes; outputs are downloaded to
``--download``. Ctrl-C stops cleanly (exit 130) and ``--resume`` continues from the journal:
jobs already submitted are queried by their ``out_task_id``, never submitted again, and
results already in ``--out`` are not written twice.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .._models import Task, TaskStatus
from ._app import EXIT_FAILED, EXIT_OK, run_async
from ._common import make_client, remove_journal
from ._jobs import Job, auto_out_task_id, new_run_id, read_jobs, recover_run_id
from ._output import Output, UsageError, task_to_json
from ._progress import ProgressDisplay

if TYPE_CHECKING:
    from ..tracker import ProgressSnapshot, TaskTracker

__all__ = ["journal_path_for", "run_batch", "summary_rows"]

JOURNAL_SUFFIX = ".journal"  # default journal: the results file's name plus this
SUBMIT_CHUNK = 1000  # jobs written to the journal per transaction


def journal_path_for(args: argparse.Namespace) -> Path:
    """The journal file of this run: ``--journal``, else ``<--out>.journal``."""
    return Path(args.journal) if args.journal else Path(str(args.out) + JOURNAL_SUFFIX)


def _check_paths(args: argparse.Namespace, journal: Path) -> None:
    if args.resume and not journal.exists():
        raise UsageError(f"nothing to resume: no journal at {journal} (start without --resume)")
    if not args.resume and journal.exists():
        raise UsageError(
            f"journal {journal} exists from an earlier run: pass --resume to continue it, "
            "or delete it (and --out) to start over"
        )
    out = Path(args.out)
    if not args.resume and out.exists() and out.stat().st_size > 0:
        # The journal of a finished run is gone, but its results are here: starting afresh
        # would overwrite them and submit (and pay for) every job again under new ids.
        raise UsageError(
            f"{out} holds results of an earlier run: pass another --out, or delete it to "
            "generate everything again"
        )


def _written_ids(path: Path) -> set[str]:
    """``out_task_id`` of every result already in ``path`` (a resumed run skips them)."""
    ids: set[str] = set()
    if not path.exists():
        return ids
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                oid = json.loads(line).get("out_task_id")
            except (ValueError, AttributeError):
                continue  # a line cut short by a crash: that job is written again
            if isinstance(oid, str):
                ids.add(oid)
    return ids


def _drop_partial_line(path: Path) -> None:
    """Cut ``path`` back to its last complete line: a line cut short by a crash is dropped (its
    job is written again) instead of having the next result glued onto it."""
    if not path.exists():
        return
    with path.open("r+b") as file:
        data = file.read()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            file.truncate(end)


class _Results:
    """The ``--out`` file: one JSON line per finished job, flushed as it is written."""

    def __init__(self, path: Path, *, resume: bool) -> None:
        self.path = path
        self.skip = _written_ids(path) if resume else set()
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume:
            _drop_partial_line(path)
        self._file: IO[str] = path.open("a" if resume else "w", encoding="utf-8")
        self.counts: dict[str, int] = {}
        self.credits_used = 0.0
        self.files = 0

    def write(self, task: Task, *, line: int | None, files: tuple[Path, ...]) -> None:
        status = task.status.value
        self.counts[status] = self.counts.get(status, 0) + 1
        self.credits_used += task.credits_used or 0.0
        self.files += len(files)
        if task.out_task_id in self.skip:
            return
        record = task_to_json(task, files=[str(p) for p in files])
        record["line"] = line
        self._file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def _tracker_options(
    args: argparse.Namespace, journal: Path, display: ProgressDisplay
) -> dict[str, Any]:
    options: dict[str, Any] = {
        "journal": str(journal),
        "max_in_flight": args.max_in_flight,
        "query_rate": args.query_rate,
        "on_progress": display.update,
    }
    if args.submit_rate is not None:
        options["submit_rate"] = args.submit_rate
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if args.download:
        options["download_dir"] = args.download
    if args.poll_scale is not None:
        from ..tracker import PollPolicy

        options["poll_policy"] = PollPolicy(duration_scale=args.poll_scale)
    return options


async def _submit_new(tracker: TaskTracker, jobs: list[Job]) -> int:
    """Hand the tracker every job it does not know yet (journal transactions of
    :data:`SUBMIT_CHUNK` jobs); the number handed over."""
    known = {handle.out_task_id for handle in tracker.handles()}
    run_id = recover_run_id(known) or new_run_id()
    new = [
        {
            "model": job.model,
            "params": job.params,
            "out_task_id": job.out_task_id or auto_out_task_id(run_id, job.line),
            "metadata": job.metadata,
        }
        for job in jobs
    ]
    new = [job for job in new if job["out_task_id"] not in known]
    for start in range(0, len(new), SUBMIT_CHUNK):
        await tracker.submit_many(new[start : start + SUBMIT_CHUNK])
    return len(new)


def _line_numbers(tracker: TaskTracker, jobs: list[Job]) -> dict[str, int]:
    known = [handle.out_task_id for handle in tracker.handles()]
    run_id = recover_run_id(known)
    lines: dict[str, int] = {}
    for job in jobs:
        if job.out_task_id is not None:
            lines[job.out_task_id] = job.line
        elif run_id is not None:
            lines[auto_out_task_id(run_id, job.line)] = job.line
    return lines


def summary_rows(
    snap: ProgressSnapshot | None,
    results: Mapping[str, int],
    elapsed_s: float,
    *,
    jobs: int,
    credits_used: float,
) -> list[tuple[str, str]]:
    """The summary of a bulk run as (name, value) rows: jobs by outcome, credits charged,
    requests sent by this run (queries per job) and the time taken."""
    rows = [
        ("jobs", str(jobs)),
        ("completed", str(results.get(TaskStatus.COMPLETED.value, 0))),
        ("failed", str(results.get(TaskStatus.FAILED.value, 0))),
    ]
    others = jobs - sum(results.values())
    if others:
        rows.append(("not finished", f"{others} (run again with --resume)"))
    rows.append(("credits used", f"{credits_used:g}"))
    if snap is not None:
        per_job = snap.queries_sent / jobs if jobs else 0.0
        rows += [
            ("submits sent", str(snap.submits_sent)),
            ("queries sent", f"{snap.queries_sent} ({per_job:.2f} per job)"),
        ]
        if snap.callbacks_received:
            rows.append(("callbacks received", str(snap.callbacks_received)))
    rows.append(("time", f"{elapsed_s:.1f} s"))
    return rows


def summary_json(
    snap: ProgressSnapshot | None,
    results: Mapping[str, int],
    elapsed_s: float,
    *,
    jobs: int,
    credits_used: float,
) -> dict[str, Any]:
    """The summary as JSON (``--json``): the same facts as :func:`summary_rows`."""
    body: dict[str, Any] = {
        "jobs": jobs,
        "by_status": dict(results),
        "not_finished": jobs - sum(results.values()),
        "credits_used": credits_used,
        "elapsed_s": round(elapsed_s, 3),
    }
    if snap is not None:
        body.update(
            submits_sent=snap.submits_sent,
            queries_sent=snap.queries_sent,
            queries_per_job=round(snap.queries_sent / jobs, 3) if jobs else 0.0,
            callbacks_received=snap.callbacks_received,
        )
    return body


async def _run(args: argparse.Namespace, out: Output) -> int:
    from ..tracker import TaskTracker

    journal = journal_path_for(args)
    _check_paths(args, journal)
    jobs = read_jobs(Path(args.jobs))
    started = time.monotonic()
    client = make_client(args)  # no key: exit 2 before any file is touched
    results = _Results(Path(args.out), resume=args.resume)
    display = ProgressDisplay(out, label="batch")
    try:
        async with client:
            options = _tracker_options(args, journal, display)
            if args.resume:
                tracker = TaskTracker.resume(client, options.pop("journal"), **options)
            else:
                tracker = client.tracker(**options)
            with display:
                async with tracker:
                    added = await _submit_new(tracker, jobs)
                    if args.resume and not out.json_mode:
                        out.info(f"resumed {journal}: {len(jobs) - added} known, {added} new")
                    lines = _line_numbers(tracker, jobs)
                    async for task in tracker.as_completed():
                        handle = tracker.handle(task.out_task_id)
                        files = handle.downloaded if handle is not None else ()
                        results.write(task, line=lines.get(task.out_task_id), files=files)
                    snap = tracker.progress()
    finally:
        results.close()
    elapsed = time.monotonic() - started
    ok = results.counts.get(TaskStatus.COMPLETED.value, 0) == len(jobs)
    kept: Path | None = journal
    if sum(results.counts.values()) == len(jobs) and not args.journal:
        remove_journal(journal)  # every job finished: nothing left to resume
        kept = None
    if out.json_mode:
        body = summary_json(
            snap, results.counts, elapsed, jobs=len(jobs), credits_used=results.credits_used
        )
        body.update(
            results=str(results.path),
            journal=str(kept) if kept else None,
            download=args.download,
        )
        out.json(body)
    else:
        rows = summary_rows(
            snap, results.counts, elapsed, jobs=len(jobs), credits_used=results.credits_used
        )
        rows.append(("results", str(results.path)))
        if kept is not None:
            rows.append(("journal", f"{kept} (--resume continues from it)"))
        if args.download:
            rows.append(("files", f"{results.files} in {args.download}"))
        out.line()
        out.fields(dict(rows), title="Batch summary")
    return EXIT_OK if ok else EXIT_FAILED


def run_batch(args: argparse.Namespace, out: Output) -> int:
    """``aireiter batch JOBS.jsonl --out results.jsonl [--download DIR] [--resume] ...``."""
    return run_async(_run(args, out))
