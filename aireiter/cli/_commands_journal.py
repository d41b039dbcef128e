"""One batch in PostgreSQL, worked on from several hosts.

- ``aireiter batch JOBS.jsonl --journal postgresql://... --name NAME`` loads the batch (each
  line once, by the same content ids as a file journal) and works on it like a worker; at the
  end it writes every job's result to ``--out``, whoever finished it.
- ``aireiter worker --journal postgresql://... --name NAME`` joins a batch from any host and
  works until every job is final: it claims jobs in chunks, takes over the jobs of a worker
  whose lease ran out, and shares the batch's ``--query-rate``/``--submit-rate`` with the
  other live workers.
- ``aireiter status --journal postgresql://... --name NAME`` shows the batch across workers:
  jobs by state, credits, live workers, pace and ETA (without ``--name``: every batch).
- ``aireiter journal migrate postgresql://...`` creates or upgrades the tables (``--sql``
  prints the statements for a DBA instead).

Leave the password out of the URL (argv is visible to other users): asyncpg reads
``PGPASSWORD`` and ``~/.pgpass``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._exceptions import JournalBusyError, RunAbortedError
from ._app import EXIT_ABORTED, EXIT_FAILED, EXIT_INCOMPLETE, EXIT_OK, run_async
from ._common import make_client
from ._output import Output, UsageError

if TYPE_CHECKING:
    from .._client import AsyncAIReiter
    from ..tracker import PostgresJournal
    from ..tracker._pg_status import BatchSummary

__all__ = [
    "WorkerTally",
    "is_shared_journal",
    "run_journal",
    "run_shared_batch",
    "run_status",
    "run_worker",
    "work_until_final",
]

PROGRESS_EVERY_S = 5.0  # a worker prints the batch's progress this often (not with --json)
IDLE_MAX_S = 5.0  # a worker with nothing to claim looks again at least this often


def is_shared_journal(value: str | None) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) journal URL."""
    return bool(value) and str(value).startswith(("postgresql://", "postgres://"))


def _journal(args: argparse.Namespace, *, need_name: bool = True) -> PostgresJournal:
    from ..tracker import PostgresJournal

    if not is_shared_journal(args.journal):
        raise UsageError("--journal must be a postgresql:// URL here")
    name = getattr(args, "name", None)
    if need_name and not name:
        raise UsageError("--name is required with a postgresql:// --journal (the batch's name)")
    options: dict[str, Any] = {"schema": getattr(args, "schema", None)}
    claim_limit = getattr(args, "claim_limit", None)
    if claim_limit is not None:
        options["claim_limit"] = claim_limit
    return PostgresJournal(args.journal, name=name or "default", **options)


# --- working on a batch --------------------------------------------------------------------
@attrs.define
class WorkerTally:
    """What one worker did over all its rounds."""

    rounds: int = 0
    finished: int = 0
    submits: int = 0
    queries: int = 0
    callbacks: int = 0
    waits: int = 0
    """Times every unfinished job was held by another live worker, so this one waited."""


async def work_until_final(
    client: AsyncAIReiter,
    journal: PostgresJournal,
    options: Mapping[str, Any],
    *,
    deadline: float | None = None,
    on_round: Callable[[WorkerTally], None] | None = None,
) -> WorkerTally:
    """Work on ``journal``'s batch until every job is final (or the monotonic ``deadline``):
    round after round, a :meth:`~aireiter.TaskTracker.resume` with ``options`` claims what is
    free (chunks of ``claim_limit`` unsent jobs, and whatever a dead worker held), works on
    it, takes over more while it runs, and ends when its jobs are done. While every unfinished
    job is held by a live worker, this one waits and looks again (it may outlive them)."""
    from ..tracker import TaskTracker
    from ..tracker._claims import DEFAULT_LEASE_S
    from ..tracker._journal import UNFINISHED_STATES

    lease_s = float(options.get("lease_s", DEFAULT_LEASE_S))
    idle_s = min(IDLE_MAX_S, lease_s / 3)
    tally = WorkerTally()
    while deadline is None or time.monotonic() < deadline:
        counts = await journal.counts()
        if not any(counts[state] for state in UNFINISHED_STATES):
            break
        try:
            async with TaskTracker.resume(client, journal, **options) as tracker:
                snap = await tracker.wait()
        except JournalBusyError:
            tally.waits += 1
            await asyncio.sleep(idle_s)
            continue
        finished = round(snap.throughput_per_s * snap.elapsed_s)  # jobs this round finished
        tally.rounds += 1
        tally.finished += finished
        tally.submits += snap.submits_sent
        tally.queries += snap.queries_sent
        tally.callbacks += snap.callbacks_received
        if on_round is not None:
            on_round(tally)
        if not finished:  # nothing was free: do not spin
            await asyncio.sleep(idle_s)
    return tally


def _tracker_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {"max_in_flight": args.max_in_flight, "query_rate": args.query_rate}
    if args.submit_rate is not None:
        options["submit_rate"] = args.submit_rate
    if getattr(args, "download", None):
        options["download_dir"] = args.download
    if args.poll_scale is not None:
        from ..tracker import PollPolicy

        options["poll_policy"] = PollPolicy(duration_scale=args.poll_scale)
    if getattr(args, "lease", None) is not None:
        options["lease_s"] = args.lease
    if getattr(args, "retry_failed", 0):
        options["retry_failed"] = args.retry_failed
    return options


async def _progress(journal: PostgresJournal, out: Output, every_s: float) -> None:
    """Print the batch's progress every ``every_s`` seconds (stderr)."""
    while True:
        await asyncio.sleep(every_s)
        summary = await journal.summary()
        out.info(f"batch {journal.name}: {_progress_text(summary)}")


def _progress_text(summary: BatchSummary) -> str:
    final = summary.total - summary.unfinished
    eta = summary.eta_s
    eta_text = "?" if eta is None else f"{eta:.0f}s"
    return (
        f"{final}/{summary.total} final, {summary.live_workers} live workers, "
        f"{summary.finished_per_s:.1f}/s, ETA {eta_text}"
    )


async def _work(
    client: AsyncAIReiter,
    journal: PostgresJournal,
    args: argparse.Namespace,
    out: Output,
) -> WorkerTally:
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    options = _tracker_options(args)
    reporter = None
    if not out.json_mode:
        reporter = asyncio.get_running_loop().create_task(_progress(journal, out, PROGRESS_EVERY_S))
    try:
        return await work_until_final(client, journal, options, deadline=deadline)
    finally:
        if reporter is not None:
            reporter.cancel()
            await asyncio.gather(reporter, return_exceptions=True)


def _aborted(error: RunAbortedError, out: Output, journal: PostgresJournal) -> int:
    out.error(
        f"the run was stopped: {error}",
        kind="RunAbortedError",
        hint=f"nothing more was submitted; batch {journal.name} keeps every job: fix the "
        "cause, then start the worker again",
    )
    return EXIT_ABORTED


def _exit_code(summary: BatchSummary) -> int:
    from ..tracker import JobState

    if summary.unfinished:
        return EXIT_INCOMPLETE
    failed = summary.total - summary.counts[JobState.COMPLETED] - summary.counts[JobState.CANCELLED]
    return EXIT_FAILED if failed else EXIT_OK


def _summary_fields(summary: BatchSummary) -> dict[str, Any]:
    counts = {state.value: n for state, n in summary.counts.items() if n}
    fields: dict[str, Any] = {
        "batch": summary.name,
        "jobs": summary.total,
        "by state": ", ".join(f"{name} {n}" for name, n in counts.items()) or "none",
        "credits used": f"{summary.credits_used:g}",
        "credits estimated": f"{summary.credits_estimated:g}",
        "live workers": str(summary.live_workers),
        "pace": f"{summary.finished_per_s:.2f} jobs/s (last {summary.window_s:g} s)",
    }
    eta = summary.eta_s
    fields["ETA"] = "done" if eta == 0 else ("?" if eta is None else f"{eta:.0f} s")
    return fields


def _summary_json(summary: BatchSummary) -> dict[str, Any]:
    return {
        "batch": summary.name,
        "jobs": summary.total,
        "counts": {state.value: n for state, n in summary.counts.items()},
        "unfinished": summary.unfinished,
        "credits_used": summary.credits_used,
        "credits_estimated": summary.credits_estimated,
        "live_workers": summary.live_workers,
        "finished_per_s": summary.finished_per_s,
        "eta_s": summary.eta_s,
        "workers": [
            {
                "owner": w.owner,
                "live": w.live,
                "held": w.held,
                "heartbeat_age_s": max(0.0, time.time() - w.heartbeat_at),
            }
            for w in summary.workers
        ],
    }


async def _worker(args: argparse.Namespace, out: Output) -> int:
    journal = _journal(args)
    client = make_client(args)
    started = time.monotonic()
    async with client, journal:
        if not (await journal.summary()).total:
            raise UsageError(
                f"batch {journal.name!r} has no jobs in this journal: load it with "
                "`aireiter batch JOBS.jsonl --journal URL --name NAME` first"
            )
        try:
            tally = await _work(client, journal, args, out)
        except RunAbortedError as error:
            return _aborted(error, out, journal)
        summary = await journal.summary()
    code = _exit_code(summary)
    elapsed = time.monotonic() - started
    if out.json_mode:
        body = _summary_json(summary)
        body["worker"] = {**attrs.asdict(tally), "elapsed_s": elapsed}
        body["exit_code"] = code
        out.json(body)
        return code
    fields = _summary_fields(summary)
    fields["this worker"] = (
        f"{tally.finished} jobs finished in {tally.rounds} rounds, {tally.submits} submits, "
        f"{tally.queries} queries, {elapsed:.1f} s"
    )
    out.fields(fields, title="Worker summary")
    return code


def run_worker(args: argparse.Namespace, out: Output) -> int:
    """``aireiter worker --journal URL --name NAME``: work on a shared batch until it is done."""
    return run_async(_worker(args, out))


# --- status --------------------------------------------------------------------------------
async def _status(args: argparse.Namespace, out: Output) -> int:
    journal = _journal(args, need_name=False)
    async with journal:
        if not args.name:
            batches = await journal.batches()
            if out.json_mode:
                out.json({"batches": batches})
            else:
                out.table(["batch", "jobs"], [(name, str(n)) for name, n in batches.items()])
            return EXIT_OK
        summary = await journal.summary()
    if not summary.total:
        raise UsageError(f"batch {args.name!r} has no jobs in this journal")
    if out.json_mode:
        out.json(_summary_json(summary))
        return EXIT_OK
    out.fields(_summary_fields(summary), title="Batch")
    now = time.time()
    rows = [
        (w.owner, "live" if w.live else "gone", str(w.held), f"{now - w.heartbeat_at:.0f}s")
        for w in summary.workers
    ]
    if rows:
        out.line()
        out.table(["worker", "state", "holds", "heartbeat"], rows)
    return EXIT_OK


def run_status(args: argparse.Namespace, out: Output) -> int:
    """``aireiter status OUT_TASK_ID`` (one task), or ``--journal URL [--name NAME]`` (a
    shared batch's progress across workers, or the list of batches)."""
    if getattr(args, "journal", None):
        if getattr(args, "out_task_id", None):
            raise UsageError("give either OUT_TASK_ID or --journal, not both")
        return run_async(_status(args, out))
    if not getattr(args, "out_task_id", None):
        raise UsageError("aireiter status needs OUT_TASK_ID, or --journal URL --name NAME")
    from ._commands_tasks import run_status as run_task_status

    return run_task_status(args, out)


# --- journal migrate -----------------------------------------------------------------------
async def _migrate(args: argparse.Namespace, out: Output) -> int:
    import asyncpg

    from ..tracker._pg_schema import SCHEMA_VERSION, Tables, migrate
    from ..tracker._postgres_journal import redact_dsn

    where = redact_dsn(args.url)
    try:
        conn = await asyncpg.connect(args.url, timeout=10)
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError) as exc:
        out.error(f"cannot connect to {where}: {type(exc).__name__}: {redact_dsn(str(exc))}")
        return EXIT_FAILED
    try:
        before = await migrate(conn, Tables(args.schema))
    finally:
        await conn.close()
    if out.json_mode:
        out.json({"url": where, "schema": args.schema, "version": SCHEMA_VERSION, "was": before})
    elif before == SCHEMA_VERSION:
        out.info(f"{where}: the journal tables are at version {SCHEMA_VERSION} already")
    else:
        out.info(f"{where}: journal tables migrated from version {before} to {SCHEMA_VERSION}")
    return EXIT_OK


def run_journal(args: argparse.Namespace, out: Output) -> int:
    """``aireiter journal migrate URL [--schema S] [--sql]``."""
    if args.sql:
        from ..tracker._pg_schema import migration_sql

        out.write(migration_sql(args.schema))
        return EXIT_OK
    if not is_shared_journal(args.url):
        raise UsageError("the journal URL must start with postgresql://")
    return run_async(_migrate(args, out))


# --- aireiter batch with a shared journal --------------------------------------------------
async def _shared_batch(args: argparse.Namespace, out: Output) -> int:
    from ..tracker import JobRecord, JobState
    from ..tracker._resume import task_from_record
    from ._batch import ResumePlan, _check_supported, _preflight
    from ._batch_report import Results, report_dry_run
    from ._jobs import read_jobs

    jobs = read_jobs(Path(args.jobs), validate=not args.no_validate)
    _check_supported(args, jobs)
    journal = _journal(args)
    started = time.monotonic()
    async with journal:
        known = await journal.records()
        if known and not args.resume:
            raise UsageError(
                f"batch {journal.name!r} is in the journal already: pass --resume to continue "
                "it (workers may be on it), or choose another --name"
            )
        if args.resume and not known:
            raise UsageError(f"nothing to resume: batch {journal.name!r} has no jobs")
        plan = ResumePlan.make(jobs, known)
        if args.dry_run:
            added = len(plan.added)
            removed = len(plan.removed_unsent) + len(plan.removed_sent)
            known_jobs = len(jobs) - added
            path = Path(args.jobs)
            report_dry_run(out, path, jobs, to_submit=added, known=known_jobs, removed=removed)
            return EXIT_OK
        client = make_client(args)
        async with client:
            if not args.skip_preflight:
                stop = await _preflight(client, out, None)
                if stop is not None:
                    return stop
            records = [
                JobRecord(
                    out_task_id=oid,
                    model=job.model,
                    params={**job.params, **(job.extra_params or {})},
                    metadata=job.metadata,
                )
                for job, oid in plan.added
            ]
            for start in range(0, len(records), 1000):
                await journal.add(records[start : start + 1000])
            if plan.removed_unsent:
                cancel = {"state": JobState.CANCELLED, "error": "no longer in the jobs file"}
                await journal.update_many([(oid, cancel) for oid in plan.removed_unsent])
            if args.resume:
                out.info(plan.describe(Path(f"batch {journal.name}")))
            try:
                tally = await _work(client, journal, args, out)
            except RunAbortedError as error:
                return _aborted(error, out, journal)
        final = await journal.records()
        summary = await journal.summary()
    results = Results(Path(args.out), resume=args.resume)
    try:
        for record in final:
            if not record.state.is_terminal or record.state is JobState.CANCELLED:
                continue
            if record.retried_as is None:  # a failed job sent again is reported by its copy
                line = plan.line_of(record.out_task_id)
                files = [Path(p) for p in record.downloaded]
                results.write(task_from_record(record), line=line, files=files)
    finally:
        results.close()
    code = _exit_code(summary)
    elapsed = time.monotonic() - started
    if out.json_mode:
        body = _summary_json(summary)
        body.update(results=str(results.path), exit_code=code, added=len(plan.added))
        body["worker"] = {**attrs.asdict(tally), "elapsed_s": elapsed}
        out.json(body)
        return code
    fields = _summary_fields(summary)
    fields["results"] = str(results.path)
    fields["this process"] = (
        f"{tally.finished} jobs finished, {tally.submits} submits, {tally.queries} queries, "
        f"{elapsed:.1f} s"
    )
    out.line()
    out.fields(fields, title="Batch summary")
    return code


def run_shared_batch(args: argparse.Namespace, out: Output) -> int:
    """``aireiter batch JOBS.jsonl --journal postgresql://... --name NAME``."""
    return run_async(_shared_batch(args, out))
