"""TaskTracker at scale: 10,000 jobs against the emulator (in another process) in one run.

Measured, each against its baseline from the same run:

- peak RSS growth per job: ``ru_maxrss`` after the run minus before the tracker started
  (client and emulator already warm), divided by the jobs (target <= 2 KB);
- queries per job against the ideal of one query right at completion (target <= 1.3x with the
  default poll schedule, its typical duration set to the emulator's);
- detection lag: when ``as_completed`` yielded a task minus the ``completed_at`` the emulator
  stamped on it, p50 and p95, as a share of the job duration (target p50 <= 10 %);
- the largest number of queries in any 1 s window (sampled every 20 ms from the tracker's
  counter) against the query budget (must never exceed it).

    python benchmarks/tracker_scale.py [--jobs 10000] [--duration 2.0] [--quick] [--sqlite]
                                       [--spread 0.2] [--vs-gather]
    python benchmarks/tracker_scale.py --journal postgres --workers 1,2,4  (tracker_workers.py)

``--spread`` draws each job's duration from 1 +/- spread of ``--duration``; ``--vs-gather``
first runs a bare ``asyncio.gather(submit + wait())`` of the same jobs and prints the tracker's
client CPU per job against it. ``benchmarks/tracker_budget.py`` holds the budget-use runs.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator_process import API_KEY, emulator_process

from aireiter import AsyncAIReiter
from aireiter.tracker import PollPolicy, TaskTracker

MODEL = "seedream_v4_5"
SAMPLE_S = 0.02


def rss_kb() -> int:
    """Peak resident set size of this process so far, in KiB (Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def run(
    base_url: str,
    jobs: int,
    duration: float,
    submit_rate: float,
    query_rate: float,
    prefix: str,
    journal: str | None = None,
):
    """One tracker run; returns the figures."""
    async with AsyncAIReiter(api_key=API_KEY, base_url=base_url) as client:
        await client.balance()  # open the connection pool before the baseline
        gc.collect()
        rss_before = rss_kb()
        samples: list[tuple[float, int, int]] = []
        lags: list[float] = []
        statuses: dict[str, int] = {}
        started = time.monotonic()
        async with TaskTracker(
            client,
            journal=journal,
            max_in_flight=max(500, int(submit_rate * duration * 2)),
            submit_concurrency=16,
            query_concurrency=32,
            submit_rate=submit_rate,
            query_rate=query_rate,
            poll_policy=PollPolicy(fixed_duration_s=duration),
        ) as tracker:

            async def sample() -> None:
                while True:
                    snap = tracker.progress()
                    samples.append((time.monotonic(), snap.queries_sent, snap.submits_sent))
                    await asyncio.sleep(SAMPLE_S)

            async def submit_all() -> None:
                for n in range(jobs):
                    await tracker.submit(
                        MODEL, {"prompt": f"prompt {n}"}, out_task_id=f"{prefix}{n:06d}"
                    )

            sampler = asyncio.create_task(sample())
            submitter = asyncio.create_task(submit_all())
            await asyncio.sleep(0)  # the submitter is inside submit(): as_completed waits for it
            async for task in tracker.as_completed():
                now = time.time()
                statuses[task.status.value] = statuses.get(task.status.value, 0) + 1
                if task.completed_at is not None:
                    lags.append(now - task.completed_at.timestamp())
            sampler.cancel()
            await submitter
            elapsed = time.monotonic() - started
            snapshot = tracker.progress()
            rss_after = rss_kb()
    max_queries = max_submits = 0
    start = 0
    for end in range(len(samples)):
        while samples[end][0] - samples[start][0] > 1.0:
            start += 1
        max_queries = max(max_queries, samples[end][1] - samples[start][1])
        max_submits = max(max_submits, samples[end][2] - samples[start][2])
    lags.sort()
    return {
        "jobs": jobs,
        "elapsed_s": elapsed,
        "statuses": statuses,
        "rss_growth_per_job_b": (rss_after - rss_before) * 1024 / jobs,
        "queries_per_job": snapshot.queries_sent / jobs,
        "submits_per_job": snapshot.submits_sent / jobs,
        "lag_p50_s": statistics.median(lags),
        "lag_p95_s": lags[int(len(lags) * 0.95) - 1],
        "max_queries_1s": max_queries,
        "max_submits_1s": max_submits,
        "query_rate": query_rate,
        "submit_rate": min(submit_rate, query_rate),  # the tracker caps submits at queries
        "duration": duration,
    }


def table(r: dict) -> None:
    """Print one run's figures."""
    growth = r["rss_growth_per_job_b"]
    rss = "n/a (second run)" if growth is None else f"{growth / 1024:.2f} KB"
    rows = [
        ("jobs", f"{r['jobs']:,}", ""),
        ("wall time", f"{r['elapsed_s']:.1f} s", f"job duration {r['duration']:g} s"),
        ("outcomes", str(r["statuses"]), ""),
        ("peak RSS growth / job", rss, "target <= 2 KB"),
        ("submits / job", f"{r['submits_per_job']:.3f}", "ideal 1"),
        ("queries / job", f"{r['queries_per_job']:.3f}x ideal", "target <= 1.3x"),
        (
            "detection lag p50",
            f"{r['lag_p50_s'] * 1000:.0f} ms = {r['lag_p50_s'] / r['duration']:.1%} of duration",
            "target <= 10 %",
        ),
        ("detection lag p95", f"{r['lag_p95_s'] * 1000:.0f} ms", ""),
        (
            "max queries in 1 s",
            f"{r['max_queries_1s']} (budget {r['query_rate']:g}/s)",
            "must not exceed",
        ),
        (
            "max submits in 1 s",
            f"{r['max_submits_1s']} (budget {r['submit_rate']:g}/s)",
            "must not exceed",
        ),
    ]
    for name, value, note in rows:
        print(f"{name:<24}{value:<44}{note}")


def main() -> None:
    """Parse arguments, start the emulator, run, print the tables."""
    if "--journal" in sys.argv:  # --journal postgres --workers 1,2,4: several worker processes
        from tracker_workers import main as workers_main

        workers_main(sys.argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=2.0, help="seconds every job takes")
    parser.add_argument("--submit-rate", type=float, default=400.0)
    parser.add_argument("--query-rate", type=float, default=600.0)
    parser.add_argument("--tight-query-rate", type=float, default=100.0)
    parser.add_argument("--quick", action="store_true", help="2,000 jobs")
    parser.add_argument("--sqlite", action="store_true", help="journal in a SQLite file")
    parser.add_argument("--spread", type=float, default=0.0, help="durations 1 +/- this")
    parser.add_argument("--vs-gather", action="store_true", help="CPU against a bare gather")
    args = parser.parse_args()
    jobs = 2_000 if args.quick else args.jobs
    spread = ("--duration-spread", str(args.spread))
    with emulator_process("--duration", str(args.duration), *spread) as base_url:
        cpu0 = time.process_time()
        with tempfile.TemporaryDirectory() as tmp:
            journal = str(Path(tmp) / "bench.db") if args.sqlite else None
            r = asyncio.run(
                run(
                    base_url,
                    jobs,
                    args.duration,
                    args.submit_rate,
                    args.query_rate,
                    "main",
                    journal,
                )
            )
        kind = "SQLite file" if args.sqlite else "in memory"
        print(f"## main run: budgets above what the jobs need; journal {kind}")
        table(r)
        if args.vs_gather:  # after the main run: ru_maxrss is a high-water mark
            from tracker_budget import run_bare

            cpu = (time.process_time() - cpu0) * 1000 / jobs
            bare = asyncio.run(run_bare(base_url, jobs, args.duration, "bare"))
            bare_cpu = bare["cpu_per_job_ms"]
            print(f"{'client CPU / job':<24}{cpu:.3f} ms = {cpu / bare_cpu:.2f}x a bare gather")
        tight = asyncio.run(
            run(
                base_url, jobs // 5, args.duration, args.submit_rate, args.tight_query_rate, "tight"
            )
        )
        tight["rss_growth_per_job_b"] = None  # ru_maxrss is a high-water mark: first run only
        print("\n## budget-bound run: the query budget is the bottleneck")
        table(tight)


if __name__ == "__main__":
    main()
