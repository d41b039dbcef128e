"""One batch shared by 1, 2, 4 worker processes through the PostgreSQL journal, against one
process with the SQLite journal in the same run.

The emulator (another process) adds ``--latency`` to every request, so a worker is bound by
its submits on the wire (``submit_concurrency`` / latency), as against a real API: more
workers, more submits at once. No rate budget is set. Measured per run:

- wall time from the workers' start to the last job final (load not included);
- CPU per job: user + system seconds of every worker process, divided by the jobs;
- PostgreSQL statements per job: every statement the journals sent (the loader's included),
  divided by the jobs (target <= 6 over a job's life);
- peak RSS per worker process;
- for SQLite: commits per job instead of statements.

    python benchmarks/tracker_workers.py [--jobs 20000] [--workers 1,2,4] [--latency 0.05]
    python benchmarks/tracker_scale.py --journal postgres --workers 1,2,4   (the same)

Needs PostgreSQL: ``AIREITER_TEST_POSTGRES_DSN`` (default postgresql://postgres@127.0.0.1/test).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator_process import API_KEY, emulator_process

MODEL = "seedream_v4_5"
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"
OPTIONS = {  # the tracker settings of every run, PostgreSQL and SQLite alike
    "submit_rate": None,
    "query_rate": None,
    "max_in_flight": 2000,
    "submit_concurrency": 16,
    "query_concurrency": 32,
    "lease_s": 3.0,  # a worker claims more every lease_s / 3
}
WORKER = """
import asyncio, json, resource, sys, time
from aireiter import AsyncAIReiter
from aireiter.cli._commands_journal import work_until_final
from aireiter.tracker import PollPolicy, PostgresJournal

async def main(base_url, key, dsn, schema, duration, options, claim_limit):
    options = dict(json.loads(options), poll_policy=PollPolicy(fixed_duration_s=float(duration)))
    journal = PostgresJournal(dsn, name="bench", schema=schema, claim_limit=int(claim_limit))
    async with AsyncAIReiter(api_key=key, base_url=base_url) as client, journal:
        start = time.monotonic()
        tally = await work_until_final(client, journal, options)
        elapsed = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "finished": tally.finished, "rounds": tally.rounds, "elapsed_s": elapsed,
        "cpu_s": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss,
        "statements": journal.statements,
    }), flush=True)

asyncio.run(main(*sys.argv[1:]))
"""
SQLITE = """
import asyncio, json, resource, sys, time
from aireiter import AsyncAIReiter
from aireiter.tracker import PollPolicy, SQLiteJournal, TaskTracker

async def main(base_url, key, path, duration, options, jobs):
    options = dict(json.loads(options), poll_policy=PollPolicy(fixed_duration_s=float(duration)))
    options.pop("lease_s")
    client = AsyncAIReiter(api_key=key, base_url=base_url)
    async with client, SQLiteJournal(path) as journal:
        start = time.monotonic()
        async with TaskTracker(client, journal=journal, **options) as tracker:
            batch = [{"model": "seedream_v4_5", "params": {"prompt": f"p {n}"},
                      "out_task_id": f"s{n:06d}"} for n in range(int(jobs))]
            for at in range(0, len(batch), 1000):
                await tracker.submit_many(batch[at : at + 1000])
            await tracker.wait()
        elapsed = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"finished": int(jobs), "elapsed_s": elapsed,
                      "cpu_s": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss,
                      "commits": journal.commits}), flush=True)

asyncio.run(main(*sys.argv[1:]))
"""


async def _schema(dsn: str, drop: str | None = None) -> str:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        if drop is not None:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{drop}" CASCADE')
            return drop
        name = f"aireiter_bench_{secrets.token_hex(4)}"
        await conn.execute(f'CREATE SCHEMA "{name}"')
        return name
    finally:
        await conn.close()


async def _load(dsn: str, schema: str, jobs: int) -> int:
    from aireiter.tracker import JobRecord, PostgresJournal

    async with PostgresJournal(dsn, name="bench", schema=schema) as journal:
        records = [
            JobRecord(out_task_id=f"p{n:06d}", model=MODEL, params={"prompt": f"p {n}"})
            for n in range(jobs)
        ]
        for start in range(0, jobs, 1000):
            await journal.add(records[start : start + 1000])
        return journal.statements


def _run_processes(commands: list[list[str]]) -> tuple[float, list[dict[str, float]]]:
    started = time.monotonic()
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE) for cmd in commands]
    results = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"a worker failed with exit status {proc.returncode}")
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    return time.monotonic() - started, results


def run_postgres(base_url: str, dsn: str, workers: int, jobs: int, duration: float) -> dict:
    """One batch of ``jobs`` loaded, then worked on by ``workers`` processes."""
    schema = asyncio.run(_schema(dsn))
    try:
        load_statements = asyncio.run(_load(dsn, schema, jobs))
        claim_limit = max(500, min(2000, jobs // (workers * 4)))
        command = [
            sys.executable,
            "-c",
            WORKER,
            base_url,
            API_KEY,
            dsn,
            schema,
            str(duration),
            json.dumps(OPTIONS),
            str(claim_limit),
        ]
        wall, results = _run_processes([command] * workers)
    finally:
        asyncio.run(_schema(dsn, drop=schema))
    statements = load_statements + sum(r["statements"] for r in results)
    return {
        "journal": f"postgres x{workers}",
        "wall_s": wall,
        "cpu_ms_per_job": sum(r["cpu_s"] for r in results) * 1000 / jobs,
        "writes_per_job": statements / jobs,
        "rss_mb": max(r["rss_kb"] for r in results) / 1024,
        "finished": sum(r["finished"] for r in results),
    }


def run_sqlite(base_url: str, jobs: int, duration: float) -> dict:
    """The same batch in one process with the SQLite journal."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-c",
            SQLITE,
            base_url,
            API_KEY,
            str(Path(tmp) / "bench.db"),
            str(duration),
            json.dumps(OPTIONS),
            str(jobs),
        ]
        wall, (result,) = _run_processes([command])
    return {
        "journal": "sqlite x1",
        "wall_s": wall,
        "cpu_ms_per_job": result["cpu_s"] * 1000 / jobs,
        "writes_per_job": result["commits"] / jobs,
        "rss_mb": result["rss_kb"] / 1024,
        "finished": result["finished"],
    }


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, start the emulator, run every configuration, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--duration", type=float, default=1.0, help="seconds every job takes")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--journal", default="postgres", help=argparse.SUPPRESS)
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    args = parser.parse_args(argv)
    dsn = os.environ.get("AIREITER_TEST_POSTGRES_DSN", DEFAULT_DSN)
    counts = [int(n) for n in args.workers.split(",")]
    rows = []
    extra = ("--duration", str(args.duration), "--latency", str(args.latency))
    with emulator_process(*extra, "--initial-credits", "1e12") as base_url:
        if not args.no_sqlite:
            rows.append(run_sqlite(base_url, args.jobs, args.duration))
        for workers in counts:
            rows.append(run_postgres(base_url, dsn, workers, args.jobs, args.duration))
    one = next((r["wall_s"] for r in rows if r["journal"] == "postgres x1"), None)
    print(
        f"## {args.jobs:,} jobs of {args.duration:g} s, {args.latency * 1000:.0f} ms per "
        f"request, submit_concurrency {OPTIONS['submit_concurrency']} per process"
    )
    print(
        f"{'journal':<14}{'wall':>9}{'vs 1':>7}{'CPU/job':>10}{'writes/job':>12}"
        f"{'RSS/proc':>10}{'final':>8}"
    )
    for r in rows:
        ratio = f"{r['wall_s'] / one:.2f}x" if one and r["journal"].startswith("postgres") else ""
        print(
            f"{r['journal']:<14}{r['wall_s']:>8.1f}s{ratio:>7}{r['cpu_ms_per_job']:>8.2f}ms"
            f"{r['writes_per_job']:>12.2f}{r['rss_mb']:>8.0f}MB{r['finished']:>8}"
        )
    print("writes/job: PostgreSQL statements (all processes), SQLite commits")


if __name__ == "__main__":
    main()
