"""``aireiter batch JOBS.jsonl``: many jobs through the task tracker, resumable.

1. Every line of the jobs file is checked first (nothing is sent if one is wrong, exit 2);
   ``--dry-run`` stops here and reports the jobs per model, without a single request.
2. Pre-flight: one ``balance`` request proves the key and the host before the first submit.
   A rejected key, an answer that is not the API's or a host that cannot be reached ends the
   run there (exit 3): nothing submitted, a journal of an earlier run kept.
3. The jobs go through a :class:`~aireiter.TaskTracker` with an SQLite journal (default
   ``<--out>.journal``), which writes each job down before it is submitted. Each finished job
   is appended to ``--out`` as one JSON line; outputs are downloaded to ``--download``.
   ``--resume`` continues from the journal: jobs already submitted are queried by their
   ``out_task_id``, never submitted again, and results already in ``--out`` are not written
   twice. Automatic ids come from each job's content (see :mod:`aireiter.cli._jobs`), so a
   jobs file edited between two runs is compared with the journal: added lines are
   submitted, removed ones are reported (cancelled if they were never sent). ``--resume``
   without a journal that holds jobs (missing, or the empty file ``sqlite3`` leaves when
   asked about a missing path) never starts afresh: when ``--out`` lists every job (the ids
   this batch derives under the salt found there), it says so and sends nothing; otherwise
   it is a usage error (exit 2), nothing sent.
4. The journal is removed only when every job is final and every requested file is on disk;
   otherwise the run exits 5 and says that ``--resume`` continues. A job the API answered
   ``completed`` without any output URL is counted apart ("completed without outputs", it
   may have been charged); with ``--download`` it fails the run (exit 1, not 5: a resume
   would fetch nothing for it, so the journal is removed).

Exit statuses: 0 every job completed (and downloaded); 1 a job failed (or, with
``--download``, completed without outputs); 2 usage error;
3 the run was stopped by a condition no retry fixes (key, host, not the API); 4 another live
run holds the journal; 5 work is left for ``--resume`` (held by ``--max-credits``, timed out,
files missing; this takes precedence over 1); 130 interrupted.
"""

from __future__ import annotations

import argparse
import inspect
import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._constants import DEFAULT_BASE_URL
from .._exceptions import (
    AIReiterError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    JournalBusyError,
    PermissionDeniedError,
    RunAbortedError,
)
from .._models import TaskStatus
from ._app import (
    EXIT_ABORTED,
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_INCOMPLETE,
    EXIT_OK,
    run_async,
)
from ._batch_report import Results, report_dry_run, summary_json, summary_rows, written_statuses
from ._commands_report import batch_report
from ._common import make_client, remove_journal
from ._jobs import IdScheme, Job, assign_ids, new_salt, read_jobs, recover_scheme
from ._output import Output, UsageError
from ._progress import ProgressDisplay

if TYPE_CHECKING:
    from .._client import AsyncAIReiter
    from ..tracker import JobRecord, ProgressSnapshot, TaskTracker

__all__ = ["ResumePlan", "journal_path_for", "run_batch"]

JOURNAL_SUFFIX = ".journal"  # default journal: the results file's name plus this
SUBMIT_CHUNK = 1000  # jobs written to the journal per transaction
SHOWN_IDS = 5  # ids listed by name when a resumed file lost lines
_RETRY_SUFFIX = re.compile(r"-r\d+$")  # ``retry_failed`` sends a job again as <id>-r<n>


def journal_path_for(args: argparse.Namespace) -> Path:
    """The journal file of this run: ``--journal``, else ``<--out>.journal``."""
    return Path(args.journal) if args.journal else Path(str(args.out) + JOURNAL_SUFFIX)


def _nothing_to_resume(journal: Path) -> str | None:
    """What is at ``journal`` when it holds no jobs to resume, else ``None`` (read-only)."""
    from ..tracker._sqlite_journal import nothing_to_resume

    return nothing_to_resume(journal)


def _check_paths(args: argparse.Namespace, journal: Path) -> None:
    if not args.resume and journal.exists():
        found = _nothing_to_resume(journal)
        if found is not None and journal.is_file():
            raise UsageError(
                f"journal path {journal} {found}: it holds nothing for --resume to continue; "
                "delete it to start a new run"
            )
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


def _check_supported(args: argparse.Namespace, jobs: Sequence[Job]) -> None:
    """Refuse (exit 2, nothing sent) what the installed tracker cannot do."""
    from ..tracker import TaskTracker

    options = inspect.signature(TaskTracker).parameters
    submit = inspect.signature(TaskTracker.submit).parameters
    missing = []
    if args.max_credits is not None and "max_credits" not in options:
        missing.append("--max-credits")
    if args.retry_failed and "retry_failed" not in options:
        missing.append("--retry-failed")
    if "validate" not in submit and any(not job.validate for job in jobs):
        missing.append('"validate": false (or --no-validate)')
    if "extra_params" not in submit and any(job.extra_params for job in jobs):
        missing.append('"extra_params"')
    if missing:
        raise UsageError(
            f"this installation's task tracker cannot do {', '.join(missing)}; nothing was sent"
        )


@attrs.frozen(kw_only=True)
class ResumePlan:
    """The jobs file against the journal: each job's id, which ids the journal already has,
    and the journal's jobs no longer in the file (split by whether they were ever sent)."""

    jobs: tuple[Job, ...]
    ids: tuple[str, ...]
    scheme: IdScheme
    lines: Mapping[str, int] = attrs.field(factory=dict, repr=False)
    known: frozenset[str] = frozenset()
    removed_unsent: tuple[str, ...] = ()
    removed_sent: tuple[str, ...] = ()

    @classmethod
    def make(cls, jobs: Sequence[Job], records: Sequence[JobRecord]) -> ResumePlan:
        """Compare ``jobs`` with a journal's ``records`` (none for a new run)."""
        from ..tracker import JobState

        known_ids = [record.out_task_id for record in records]
        scheme = recover_scheme(known_ids) or IdScheme(new_salt())
        ids = tuple(assign_ids(jobs, scheme))
        in_file = set(ids)
        copies = {getattr(r, "retried_as", None) for r in records}  # retry_failed's copies
        gone = [r for r in records if r.out_task_id not in in_file | copies]
        return cls(
            jobs=tuple(jobs),
            ids=ids,
            scheme=scheme,
            lines={oid: job.line for job, oid in zip(jobs, ids, strict=True)},
            known=frozenset(known_ids),
            removed_unsent=tuple(r.out_task_id for r in gone if r.state is JobState.QUEUED),
            removed_sent=tuple(r.out_task_id for r in gone if r.state is not JobState.QUEUED),
        )

    @property
    def added(self) -> list[tuple[Job, str]]:
        """The jobs (with their ids) the journal does not have yet."""
        pairs = zip(self.jobs, self.ids, strict=True)
        return [(job, oid) for job, oid in pairs if oid not in self.known]

    def line_of(self, out_task_id: str) -> int | None:
        """The jobs-file line of ``out_task_id`` (or of the job it retries), if any."""
        lines = self.lines
        oid = out_task_id
        while oid not in lines and _RETRY_SUFFIX.search(oid):
            oid = _RETRY_SUFFIX.sub("", oid)
        return lines.get(oid)

    def describe(self, journal: Path) -> str:
        """One line for stderr: what ``--resume`` found in the file and the journal."""
        added = len(self.added)
        text = f"resumed {journal}: {len(self.jobs) - added} jobs known, {added} added"
        removed = len(self.removed_unsent) + len(self.removed_sent)
        if removed:
            listed = (*self.removed_unsent, *self.removed_sent)[:SHOWN_IDS]
            more = ", ..." if removed > SHOWN_IDS else ""
            text += (
                f"; {removed} no longer in the file ({', '.join(listed)}{more}): "
                f"{len(self.removed_unsent)} never sent (cancelled), "
                f"{len(self.removed_sent)} already sent (tracked to the end and reported)"
            )
        if self.scheme.by_line:
            text += "; this journal names jobs by line number: do not edit the file until it ends"
        return text


async def _read_journal(path: Path) -> list[JobRecord]:
    """Every record of the journal at ``path`` (read before resuming, for the plan)."""
    from ..tracker import open_journal

    journal = open_journal(str(path))
    await journal.open()
    try:
        return list(await journal.records())
    finally:
        await journal.close()


def _best_scheme(jobs: Sequence[Job], written: Mapping[str, str]) -> tuple[list[str], IdScheme]:
    """The ids this batch derives under the salt of the results file that names the most of
    them (each automatic id there carries its run's salt), and that scheme."""
    schemes = {scheme for oid in written if (scheme := recover_scheme([oid])) is not None}
    best: tuple[int, list[str], IdScheme] | None = None
    for scheme in sorted(schemes, key=lambda s: (s.salt, s.by_line)):
        ids = assign_ids(jobs, scheme)
        hits = sum(1 for oid in ids if oid in written)
        if best is None or hits > best[0]:
            best = (hits, ids, scheme)
    if best is None:  # no automatic id there: only the jobs' own ids can match
        scheme = IdScheme(new_salt())
        return assign_ids(jobs, scheme), scheme
    return best[1], best[2]


def _without_journal(
    args: argparse.Namespace, out: Output, journal: Path, jobs: Sequence[Job], found: str
) -> int:
    """``--resume`` with no journal holding jobs: never a fresh run (that would pay for every
    job again). The jobs ``--out`` already lists are reported, nothing is sent."""
    results = Path(args.out)
    written = written_statuses(results)
    ids, _ = _best_scheme(jobs, written)
    listed = [oid for oid in ids if oid in written]
    unlisted = len(ids) - len(listed)
    why = f"nothing to resume: the journal path {journal} {found}"
    if not listed:
        steps = [f"delete {journal}"] if journal.is_file() else []
        if results.exists() and results.stat().st_size > 0:
            steps.append(f"pass another --out (or delete {results})")
        todo = f"{' and '.join(steps)}, then " if steps else ""
        raise UsageError(
            f"{why}, and {results} lists none of the {len(ids)} jobs of {args.jobs}. Nothing "
            f"was sent. To start a new run, {todo}run the same command without --resume"
        )
    if unlisted:
        raise UsageError(
            f"{why} (a run whose jobs all finished removes it). {results} already lists "
            f"{len(listed)} of the {len(ids)} jobs of {args.jobs}: they are not sent again. "
            f"The other {unlisted} are not in it, and without the journal nothing shows "
            "whether they were sent. Nothing was sent. To send them, put their lines in a new "
            "jobs file and run it without --resume, with another --out"
        )
    statuses = Counter(written[oid] or "unknown" for oid in listed)
    code = EXIT_OK if statuses.get(TaskStatus.COMPLETED.value, 0) == len(listed) else EXIT_FAILED
    if out.json_mode:
        out.json(
            {
                "resumed": False,
                "journal": None,
                "results": str(results),
                "jobs": len(ids),
                "already_in_results": len(listed),
                "submitted": 0,
                "by_status": dict(statuses),
                "exit_code": code,
            }
        )
    else:
        counts = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        out.info(
            f"{why} (a run whose jobs all finished removes it), and {results} already lists "
            f"all {len(ids)} jobs of {args.jobs} ({counts}): none is sent again"
        )
    return code


_REDIRECT_TO = re.compile(r"redirect to (\S+):")  # the transport's message names the Location


def _wrong_route(error: APIStatusError) -> bool:
    """A redirect, or HTTP 404/405: the answer of a host that is not the API's."""
    from ..tracker._requests import is_wrong_route

    return is_wrong_route(error, submit=True)


def _preflight_problem(error: AIReiterError, base_url: str) -> tuple[str, str]:
    if isinstance(error, (AuthenticationError, PermissionDeniedError)):
        return (
            f"the API at {base_url} refused the key: {error}",
            "check AIREITER_API_KEY (or --api-key)",
        )
    if isinstance(error, APIResponseValidationError):
        return (
            f"{base_url} did not answer like the AIReiter API: {error}",
            "check --base-url / AIREITER_BASE_URL (the API is https://aireiter.com)",
        )
    if isinstance(error, APIConnectionError):
        return (
            f"cannot reach the API at {base_url}: {error}",
            "check the host, the port and the network",
        )
    if isinstance(error, APIStatusError) and _wrong_route(error):
        status = error.http_status
        found = _REDIRECT_TO.search(error.message)
        location = found.group(1) if found and found.group(1) != "?" else None
        if 300 <= status < 400:
            went = f" to {location}" if location else ""
            what = f"{base_url} redirected the balance request (HTTP {status}{went})"
            why = "the API does not redirect"
        else:
            what = f"{base_url} has no balance route (HTTP {status})"
            why = "the API answers on that route"
        return (
            f"{what}: {why}, so the base URL looks wrong",
            f"check --base-url / AIREITER_BASE_URL (the API is {DEFAULT_BASE_URL})",
        )
    return (
        f"the pre-flight balance request to {base_url} failed: {error}",
        "try again later (or pass --skip-preflight if only the balance request fails)",
    )


async def _preflight(client: AsyncAIReiter, out: Output, journal: Path | None) -> int | None:
    """``balance()`` before the first submit; an exit status if the run must not start."""
    try:
        balance = await client.balance()
    except AIReiterError as error:
        message, hint = _preflight_problem(error, client.base_url)
        kept = f"; the journal {journal} is kept" if journal is not None else ""
        out.error(f"{message} (nothing was submitted{kept})", kind="preflight", hint=hint)
        return EXIT_ABORTED
    if not out.json_mode:
        credits = "unknown" if balance.credits is None else f"{balance.credits:g}"
        out.info(f"pre-flight: {client.base_url} answered, balance {credits} credits")
    return None


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
    if args.max_credits is not None:
        options["max_credits"] = args.max_credits
    if args.retry_failed:
        options["retry_failed"] = args.retry_failed
    return options


async def _submit_new(tracker: TaskTracker, plan: ResumePlan) -> int:
    """Hand the tracker every job it does not know yet (journal transactions of
    :data:`SUBMIT_CHUNK` jobs); the number handed over."""
    new: list[dict[str, Any]] = []
    for job, oid in plan.added:
        entry: dict[str, Any] = {
            "model": job.model,
            "params": job.params,
            "out_task_id": oid,
            "metadata": job.metadata,
        }
        if not job.validate:
            entry["validate"] = False
        if job.extra_params:
            entry["extra_params"] = job.extra_params
        new.append(entry)
    for start in range(0, len(new), SUBMIT_CHUNK):
        await tracker.submit_many(new[start : start + SUBMIT_CHUNK])
    return len(new)


@attrs.frozen
class _Left:
    """What the journal says is left to do once the tracker stopped."""

    unfinished: int
    files_missing: int


def _files_missing(record: JobRecord) -> bool:
    """True for a completed job whose output files are not all on disk."""
    if record.state.value != TaskStatus.COMPLETED.value or not record.output_urls:
        return False
    files = record.downloaded
    return len(files) < len(record.output_urls) or not all(Path(p).is_file() for p in files)


async def _left_to_do(tracker: TaskTracker, *, download: bool) -> _Left:
    """Read from the journal itself: the proof the journal may be removed."""
    records = await tracker.journal.records()
    unfinished = sum(1 for r in records if not r.state.is_terminal)
    missing = sum(1 for r in records if _files_missing(r)) if download else 0
    return _Left(unfinished, missing)


def _find(error: BaseException, kind: type[BaseException]) -> BaseException | None:
    """``error`` or the first ``kind`` inside it (exception groups of the task group)."""
    if isinstance(error, kind):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _find(inner, kind)
        if found is not None:
            return found
    return None


def _stopped(error: BaseException, out: Output, journal: Path) -> int | None:
    """The exit status for a run the tracker refused or stopped, after saying why."""
    busy = _find(error, JournalBusyError)
    if isinstance(busy, JournalBusyError):
        out.error(
            f"journal {journal} is in use by {busy.owner}: another run is working on its jobs "
            "(nothing was submitted)",
            kind="JournalBusyError",
            hint="wait for that run to end (or stop it), then run this command again",
        )
        return EXIT_BUSY
    aborted = _find(error, RunAbortedError)
    if aborted is not None:
        out.error(
            f"the run was stopped: {aborted}",
            kind="RunAbortedError",
            hint=f"nothing more was submitted and the journal {journal} keeps every job: "
            "fix the cause, then run the same command with --resume",
        )
        return EXIT_ABORTED
    return None


def _say_what_is_left(
    out: Output, snap: ProgressSnapshot, left: _Left, args: argparse.Namespace
) -> None:
    if out.json_mode:
        return
    if snap.held_by_budget:
        out.info(
            f"{snap.held_by_budget} jobs were not sent: --max-credits {args.max_credits:g} "
            "would have been passed. They wait in the journal: raise --max-credits and run "
            "the same command with --resume"
        )
    others = left.unfinished - snap.held_by_budget
    if others > 0:
        out.info(f"{others} jobs did not finish: run the same command with --resume")
    if left.files_missing:
        out.info(
            f"{left.files_missing} completed jobs have files missing in {args.download}: run "
            "the same command with --resume to fetch them (nothing is paid again)"
        )


async def _track(
    client: AsyncAIReiter,
    args: argparse.Namespace,
    out: Output,
    journal: Path,
    plan: ResumePlan,
) -> int:
    from ..tracker import TaskTracker

    started = time.monotonic()
    display = ProgressDisplay(out, label="batch")
    options = _tracker_options(args, journal, display)
    if args.resume:
        tracker = TaskTracker.resume(client, options.pop("journal"), **options)
    else:
        tracker = client.tracker(**options)
    results: Results | None = None
    download = bool(args.download)
    try:
        with display:
            async with tracker, batch_report(args, tracker):  # --report: the page, kept fresh
                for oid in plan.removed_unsent:  # before the first await: never sent
                    tracker.cancel(oid)
                results = Results(Path(args.out), resume=args.resume)
                await _submit_new(tracker, plan)
                if args.resume:
                    out.info(plan.describe(journal))
                async for task in tracker.as_completed():
                    handle = tracker.handle(task.out_task_id)
                    files = handle.downloaded if handle is not None else ()
                    line = plan.line_of(task.out_task_id)
                    results.write(task, line=line, files=files, download=download)
                snap = tracker.progress()
                left = await _left_to_do(tracker, download=download)
    except Exception as error:
        code = _stopped(error, out, journal)
        if code is None:
            raise
        return code
    finally:
        if results is not None:
            results.close()
    elapsed = time.monotonic() - started
    jobs = len(plan.jobs) + len(plan.removed_sent)
    if left.unfinished or left.files_missing:
        code = EXIT_INCOMPLETE
    elif results.counts.get(TaskStatus.COMPLETED.value, 0) < sum(results.counts.values()):
        code = EXIT_FAILED
    elif download and results.no_outputs:
        code = EXIT_FAILED  # no file to put on disk; a resume would fetch nothing either
    else:
        code = EXIT_OK
    kept: Path | None = journal
    if code != EXIT_INCOMPLETE and not args.journal:
        remove_journal(journal)  # every job final, every file on disk: nothing to resume
        kept = None
    _say_what_is_left(out, snap, left, args)
    if download and results.no_outputs and not out.json_mode:
        out.info(
            f"{results.no_outputs} jobs completed without any output: nothing to put in "
            f"{args.download} (credits may have been charged; their lines in {results.path} "
            "have urls [])"
        )
    counts = dict(results.counts)
    facts: dict[str, Any] = {
        "jobs": jobs,
        "credits_used": results.credits_used,
        "unfinished": left.unfinished,
        "files_missing": left.files_missing,
        "no_outputs": results.no_outputs,
    }
    if out.json_mode:
        body = summary_json(snap, counts, elapsed, **facts)
        body.update(
            results=str(results.path),
            journal=str(kept) if kept else None,
            download=args.download,
            added=len(plan.added),
            removed=len(plan.removed_unsent) + len(plan.removed_sent),
            exit_code=code,
        )
        out.json(body)
        return code
    rows = summary_rows(snap, counts, elapsed, **facts)
    rows.append(("results", str(results.path)))
    if kept is not None:
        rows.append(("journal", f"{kept} (--resume continues from it)"))
    if args.download:
        rows.append(("files", f"{results.files} in {args.download}"))
    out.line()
    out.fields(dict(rows), title="Batch summary")
    return code


async def _run(args: argparse.Namespace, out: Output) -> int:
    journal = journal_path_for(args)
    _check_paths(args, journal)
    jobs = read_jobs(Path(args.jobs), validate=not args.no_validate)
    _check_supported(args, jobs)
    if args.resume:
        found = _nothing_to_resume(journal)
        if found is not None:
            return _without_journal(args, out, journal, jobs, found)
    records = await _read_journal(journal) if args.resume else []
    plan = ResumePlan.make(jobs, records)
    if args.dry_run:
        removed = len(plan.removed_unsent) + len(plan.removed_sent)
        added = len(plan.added)
        known = len(jobs) - added
        report_dry_run(out, Path(args.jobs), jobs, to_submit=added, known=known, removed=removed)
        return EXIT_OK
    client = make_client(args)  # no key: exit 2 before any file is touched
    async with client:
        if not args.skip_preflight:
            stop = await _preflight(client, out, journal if args.resume else None)
            if stop is not None:
                return stop
        return await _track(client, args, out, journal, plan)


def run_batch(args: argparse.Namespace, out: Output) -> int:
    """``aireiter batch JOBS.jsonl --out results.jsonl [--download DIR] [--resume] ...``."""
    from ._commands_journal import is_shared_journal, run_shared_batch

    if is_shared_journal(args.journal):  # one batch in PostgreSQL, shared with workers
        return run_shared_batch(args, out)
    return run_async(_run(args, out))
