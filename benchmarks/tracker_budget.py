"""The tracker against its budget and against a bare ``gather(submit + wait())``, same script.

Jobs take ``--duration`` seconds on average, spread uniformly over 0.8x-1.2x (the emulator's
``--duration-spread 0.2``), in another process. For each budget the tracker runs ``--jobs``
jobs with the submit rate set to it and the query rate set to it times each ``--query-factors``
(1: both budgets equal, the query budget is the limit; 4: the query budget has room, which
spare queries spend on finding jobs sooner), and reports:

- budget use: the most submits and the most queries in any 1 s window, as a share of the
  budget (target >= 95 %, never above 100 %);
- client CPU per job (``time.process_time`` of this process over the run, divided by jobs),
  against a bare ``asyncio.gather`` of ``submit`` + ``wait()`` for the same jobs in this same
  script (target <= 1.2x);
- detection lag p50 as a share of the mean job time (target <= 5 %) and queries per job
  (of which spare), against the ideal of one.

    python benchmarks/tracker_budget.py [--jobs 2000] [--budgets 250,500,1000] [--duration 2]
        [--query-factors 1,4]
    python benchmarks/tracker_budget.py --memory [--jobs 20000] [--sqlite]

``--memory`` runs ``--jobs`` and twice as many jobs, each in a fresh process (peak RSS is a
process's high-water mark), at ``max_in_flight`` 2,000, and prints the peak RSS growth per job
of each and the marginal cost of a job: (growth at 2N - growth at N) / N. Memory in proportion
to the work in flight shows as a marginal cost far below the per-job figure at N (what a
finished job leaves behind: its id, kept for ``gather()``'s order, and allocator slack).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator_process import API_KEY, emulator_process

from aireiter import AsyncAIReiter
from aireiter.tracker import PollPolicy, TaskTracker
from aireiter.tracker._poll_policy import DEFAULT_SPARE_QUERY_STEP

MODEL = "seedream_v4_5"
SAMPLE_S = 0.01


def rss_kb() -> int:
    """Peak resident set size of this process so far, in KiB (Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def window_max(samples: list[tuple[float, int, int]]) -> tuple[int, int]:
    """The most queries and submits counted in any 1 s window of the samples."""
    best_q = best_s = 0
    start = 0
    for end in range(len(samples)):
        while samples[end][0] - samples[start][0] > 1.0:
            start += 1
        best_q = max(best_q, samples[end][1] - samples[start][1])
        best_s = max(best_s, samples[end][2] - samples[start][2])
    return best_q, best_s


async def run_tracker(
    base_url: str,
    jobs: int,
    budget: float,
    duration: float,
    prefix: str,
    max_in_flight: int,
    journal: str | None = None,
    query_budget: float | None = None,
    spare_step: float | None = DEFAULT_SPARE_QUERY_STEP,
) -> dict[str, float]:
    """One tracker run at ``budget`` submits per second and ``query_budget`` (default: the
    same) queries per second."""
    query_budget = budget if query_budget is None else query_budget
    async with AsyncAIReiter(api_key=API_KEY, base_url=base_url) as client:
        await client.balance()
        gc.collect()
        rss_before = rss_kb()
        samples: list[tuple[float, int, int]] = []
        lags: list[float] = []
        cpu0 = time.process_time()
        started = time.monotonic()
        async with TaskTracker(
            client,
            journal=journal,
            max_in_flight=max_in_flight,
            submit_concurrency=32,
            query_concurrency=64,
            submit_rate=budget,
            query_rate=query_budget,
            poll_policy=PollPolicy(fixed_duration_s=duration, spare_query_step=spare_step),
        ) as tracker:

            async def sample() -> None:
                while True:
                    snap = tracker.progress()
                    samples.append((time.monotonic(), snap.queries_sent, snap.submits_sent))
                    await asyncio.sleep(SAMPLE_S)

            async def submit_all() -> None:
                for n in range(jobs):
                    await tracker.submit(MODEL, {"prompt": f"p{n}"}, out_task_id=f"{prefix}{n:06d}")

            sampler = asyncio.create_task(sample())
            submitter = asyncio.create_task(submit_all())
            await asyncio.sleep(0)
            async for task in tracker.as_completed():
                if task.completed_at is not None:
                    lags.append(time.time() - task.completed_at.timestamp())
            await submitter
            sampler.cancel()
            snapshot = tracker.progress()
        elapsed = time.monotonic() - started
        cpu = time.process_time() - cpu0
        rss_after = rss_kb()
    max_q, max_s = window_max(samples)
    return {
        "elapsed_s": elapsed,
        "cpu_per_job_ms": cpu * 1000 / jobs,
        "use_queries": max_q / query_budget,
        "jobs_per_s": jobs / elapsed,
        "spare_per_job": snapshot.spare_queries / jobs,
        "use_submits": max_s / budget,
        "queries_per_job": snapshot.queries_sent / jobs,
        "lag_p50": statistics.median(lags) / duration,
        "rss_per_job_kb": (rss_after - rss_before) / jobs,
    }


async def run_bare(base_url: str, jobs: int, duration: float, prefix: str) -> dict[str, float]:
    """The baseline: every job as its own coroutine, ``submit`` then ``wait()``."""
    async with AsyncAIReiter(api_key=API_KEY, base_url=base_url) as client:
        await client.balance()
        sem = asyncio.Semaphore(500)  # as many in flight as the tracker allows

        async def one(n: int) -> None:
            async with sem:
                task = await client.tasks.submit(
                    MODEL, {"prompt": f"p{n}"}, out_task_id=f"{prefix}{n:06d}"
                )
                await client.tasks.wait(
                    task.out_task_id, poll_interval=duration * 1.25, timeout=duration * 20
                )

        cpu0 = time.process_time()
        started = time.monotonic()
        await asyncio.gather(*(one(n) for n in range(jobs)))
        return {
            "elapsed_s": time.monotonic() - started,
            "cpu_per_job_ms": (time.process_time() - cpu0) * 1000 / jobs,
        }


def main() -> None:
    """Run the budgets (or the memory run) and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--budgets", default="250,500,1000")
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--query-factors", default="1,4", help="query budget / submit budget")
    parser.add_argument(
        "--spare-step", type=float, default=DEFAULT_SPARE_QUERY_STEP, help="0: no spare queries"
    )
    parser.add_argument("--memory", action="store_true", help="RSS at --jobs and 2x --jobs")
    parser.add_argument("--memory-one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite", action="store_true", help="with --memory: a SQLite journal")
    args = parser.parse_args()
    if args.memory_one:  # a child of --memory: one run against its emulator, growth in KB
        with tempfile.TemporaryDirectory() as tmp:
            journal = str(Path(tmp) / "bench.db") if args.sqlite else None
            prefix = f"m{args.jobs}-"
            r = asyncio.run(
                run_tracker(args.base_url, args.jobs, 1000.0, args.duration, prefix, 2000, journal)
            )
        print(r["rss_per_job_kb"] * args.jobs)
        return
    with emulator_process("--duration", str(args.duration), "--duration-spread", "0.2") as base_url:
        if args.memory:
            growth: list[float] = []
            for jobs in (args.jobs, 2 * args.jobs):  # prefixes differ: one emulator for both
                command = [sys.executable, __file__, "--memory-one", "--jobs", str(jobs)]
                command += ["--duration", str(args.duration), "--base-url", base_url]
                command += ["--sqlite"] if args.sqlite else []
                out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
                growth.append(float(out.split()[0]))
                print(f"jobs {jobs:,}: peak RSS growth {growth[-1] / jobs:.2f} KB per job")
            marginal = (growth[1] - growth[0]) / args.jobs
            kind = "a SQLite file" if args.sqlite else "memory"
            print(f"journal in {kind}: marginal cost {marginal:.3f} KB per job")
            return
        bare = asyncio.run(run_bare(base_url, args.jobs, args.duration, "bare"))
        print(
            f"bare gather: {args.jobs:,} jobs, {bare['elapsed_s']:.1f} s, "
            f"CPU {bare['cpu_per_job_ms']:.3f} ms/job"
        )
        print(
            f"{'submit/s':>8} {'query/s':>8} {'wall':>7} {'jobs/s':>7} {'submits':>8} "
            f"{'queries':>8} {'CPU/job':>9} {'vs bare':>8} {'lag p50':>8} {'q/job':>6} "
            f"{'spare':>6}"
        )
        for factor in (float(f) for f in args.query_factors.split(",")):
            for budget in (float(b) for b in args.budgets.split(",")):
                in_flight = int(budget * args.duration * 1.6)
                r = asyncio.run(
                    run_tracker(
                        base_url,
                        args.jobs,
                        budget,
                        args.duration,
                        f"b{budget:g}x{factor * 100:.0f}-",
                        in_flight,
                        query_budget=budget * factor,
                        spare_step=args.spare_step or None,
                    )
                )
                print(
                    f"{budget:>8g} {budget * factor:>8g} {r['elapsed_s']:>6.1f}s "
                    f"{r['jobs_per_s']:>7.0f} {r['use_submits']:>8.1%} "
                    f"{r['use_queries']:>8.1%} {r['cpu_per_job_ms']:>7.3f}ms "
                    f"{r['cpu_per_job_ms'] / bare['cpu_per_job_ms']:>7.2f}x "
                    f"{r['lag_p50']:>8.1%} {r['queries_per_job']:>6.2f} "
                    f"{r['spare_per_job']:>6.2f}"
                )


if __name__ == "__main__":
    main()
