"""What a bulk run writes and prints: the ``--out`` results file, the summary, the dry run.

The results file has one JSON line per finished job, flushed as it is written. With
``--download``, a completed job's line is written only once its files are on disk, so a
job whose download failed gets its line (with ``files``) from the ``--resume`` that fetches
them; a resumed run never writes a job twice. A job the API answered ``completed`` without
any output URL is written at once (its ``urls`` are ``[]``: a resume has nothing to fetch) and
counted apart as ``no_outputs``: it may have been charged, and with ``--download`` it fails
the run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .._models import Task, TaskStatus
from ._output import Output, task_to_json

if TYPE_CHECKING:
    from ..tracker import ProgressSnapshot
    from ._jobs import Job

__all__ = [
    "Results",
    "files_on_disk",
    "has_no_outputs",
    "report_dry_run",
    "summary_json",
    "summary_rows",
    "written_statuses",
]

ESTIMATE_UNKNOWN = "not known before submit (the API estimates each job when it accepts it)"


def written_statuses(path: Path) -> dict[str, str]:
    """``out_task_id`` -> ``status`` of every result already in ``path`` (the last line of an
    id wins; a line without a readable status gives ``""``)."""
    found: dict[str, str] = {}
    if not path.is_file():
        return found
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                record = json.loads(line)
                oid = record.get("out_task_id")
            except (ValueError, AttributeError):
                continue  # a line cut short by a crash: that job is written again
            if isinstance(oid, str):
                status = record.get("status")
                found[oid] = status if isinstance(status, str) else ""
    return found


def _written_ids(path: Path) -> set[str]:
    """``out_task_id`` of every result already in ``path`` (a resumed run skips them)."""
    return set(written_statuses(path))


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


def files_on_disk(task: Task, files: Sequence[Path]) -> bool:
    """True when ``task`` has outputs and every one has its file on disk (a task without any
    output URL has nothing on disk: see :func:`has_no_outputs`)."""
    if not task.urls:
        return False
    return len(files) >= len(task.urls) and all(Path(p).is_file() for p in files)


def has_no_outputs(task: Task) -> bool:
    """True for a task the API answered ``completed`` without any output URL."""
    return task.status is TaskStatus.COMPLETED and not task.urls


class Results:
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
        self.files_missing = 0
        """Completed jobs (this run) whose files are not on disk: their lines wait."""
        self.no_outputs = 0
        """Jobs (this run) answered ``completed`` without any output URL."""

    def write(
        self, task: Task, *, line: int | None, files: Sequence[Path], download: bool = False
    ) -> None:
        """Count ``task`` and write its line (unless written before, or, with ``download``,
        its files are not all on disk yet). A completed job without any output URL is
        written (a resume has nothing to fetch for it) and counted in :attr:`no_outputs`."""
        status = task.status.value
        self.counts[status] = self.counts.get(status, 0) + 1
        self.credits_used += task.credits_used or 0.0
        if has_no_outputs(task):
            self.no_outputs += 1
        elif download and task.status is TaskStatus.COMPLETED and not files_on_disk(task, files):
            self.files_missing += 1
            return
        self.files += len(files)
        if task.out_task_id in self.skip:
            return
        record = task_to_json(task, files=[str(p) for p in files])
        record["line"] = line
        self._file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def summary_rows(
    snap: ProgressSnapshot | None,
    results: Mapping[str, int],
    elapsed_s: float,
    *,
    jobs: int,
    credits_used: float,
    unfinished: int | None = None,
    files_missing: int = 0,
    no_outputs: int = 0,
) -> list[tuple[str, str]]:
    """The summary of a bulk run as (name, value) rows: jobs by outcome, credits charged,
    requests sent by this run (queries per job) and the time taken."""
    rows = [
        ("jobs", str(jobs)),
        ("completed", str(results.get(TaskStatus.COMPLETED.value, 0))),
        ("failed", str(results.get(TaskStatus.FAILED.value, 0))),
    ]
    if no_outputs:
        rows.append(("completed without outputs", f"{no_outputs} (may have been charged)"))
    others = jobs - sum(results.values()) if unfinished is None else unfinished
    held = snap.held_by_budget if snap is not None else 0
    if held:
        rows.append(("held by --max-credits", f"{held} (still queued in the journal)"))
    if others:
        rows.append(("not finished", f"{others} (run again with --resume)"))
    if files_missing:
        rows.append(("files missing", f"{files_missing} jobs (--resume fetches them)"))
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
    unfinished: int | None = None,
    files_missing: int = 0,
    no_outputs: int = 0,
) -> dict[str, Any]:
    """The summary as JSON (``--json``): the same facts as :func:`summary_rows`."""
    body: dict[str, Any] = {
        "jobs": jobs,
        "by_status": dict(results),
        "not_finished": jobs - sum(results.values()) if unfinished is None else unfinished,
        "files_missing": files_missing,
        "no_outputs": no_outputs,
        "credits_used": credits_used,
        "elapsed_s": round(elapsed_s, 3),
    }
    if snap is not None:
        body.update(
            submits_sent=snap.submits_sent,
            queries_sent=snap.queries_sent,
            queries_per_job=round(snap.queries_sent / jobs, 3) if jobs else 0.0,
            callbacks_received=snap.callbacks_received,
            held_by_budget=snap.held_by_budget,
        )
    return body


def report_dry_run(
    out: Output,
    source: Path,
    jobs: Sequence[Job],
    *,
    to_submit: int,
    known: int = 0,
    removed: int = 0,
) -> None:
    """What ``batch --dry-run`` prints: the jobs per model and what a real run would send."""
    by_model = Counter(job.model for job in jobs)
    unchecked = sum(1 for job in jobs if not job.validate)
    if out.json_mode:
        out.json(
            {
                "dry_run": True,
                "jobs": len(jobs),
                "by_model": dict(sorted(by_model.items())),
                "to_submit": to_submit,
                "known": known,
                "removed": removed,
                "unchecked": unchecked,
                "estimated_credits": None,
            }
        )
        return
    rows = [(model, str(count)) for model, count in sorted(by_model.items())]
    out.table(("Model", "Jobs"), rows, title=f"Dry run of {source}: every line is valid")
    fields = {
        "jobs": str(len(jobs)),
        "would submit": str(to_submit),
        "already in the journal": str(known) if known else None,
        "removed from the file": str(removed) if removed else None,
        "not checked (validate false)": str(unchecked) if unchecked else None,
        "estimated credits": ESTIMATE_UNKNOWN,
    }
    out.line()
    out.fields(fields)
    out.info("dry run: nothing was sent (no request at all)")
