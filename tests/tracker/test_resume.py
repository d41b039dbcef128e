"""Resuming from a journal: each state picked up correctly, even after a SIGKILL mid-run."""

from __future__ import annotations

import asyncio
import random
import sys
import time
from pathlib import Path

import anyio
import pytest

from aireiter import AsyncAIReiter
from aireiter._confirm import ConfirmPolicy
from aireiter.emulator import EmulatorConfig, FaultConfig, RunningEmulator
from aireiter.tracker import JobRecord, JobState, PollPolicy, SQLiteJournal, TaskTracker
from tests.conftest import EmulatorFactory

MODEL = "seedream_v4_5"
POLICY = PollPolicy(fixed_duration_s=0.3, error_delay_s=0.02)
# A resumed SUBMITTING job is confirmed over a window sized from the request timeout: shrink it.
CONFIRM = ConfirmPolicy(min_window_s=0.2, in_flight_factor=0.002)

CHILD = """
import asyncio, sys
from aireiter import AsyncAIReiter
from aireiter._confirm import ConfirmPolicy
from aireiter._confirm import ConfirmPolicy
from aireiter.tracker import PollPolicy, TaskTracker

async def main(base_url, key, path, jobs):
    async with AsyncAIReiter(api_key=key, base_url=base_url) as client:
        async with TaskTracker(
            client, journal=path, submit_rate=150.0, query_rate=None, max_in_flight=100,
            poll_policy=PollPolicy(fixed_duration_s=0.3, error_delay_s=0.02),
            confirm=ConfirmPolicy(min_window_s=0.2, in_flight_factor=1.0),
        ) as tracker:
            await tracker.submit_many(
                {"model": "seedream_v4_5", "params": {"prompt": f"p{n}"},
                 "out_task_id": f"k{n:03d}"}
                for n in range(jobs)
            )
            await tracker.gather()

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
"""


def check_guarantees(emu: RunningEmulator, ids: list[str], records: list[JobRecord]) -> None:
    """Every job ended as the emulator decided, was created once, and credits reconcile."""
    state = emu.state
    assert {r.out_task_id for r in records} == set(ids)
    assert set(state.submit_counts) == set(ids)
    assert set(state.submit_counts.values()) == {1}
    for record in records:
        expected = JobState.FAILED if state.tasks[record.out_task_id].fails else JobState.COMPLETED
        assert record.state is expected, record
    ledger = {entry.out_task_id: entry.credits for entry in state.ledger}
    used = {r.out_task_id: r.credits_used for r in records if r.state is JobState.COMPLETED}
    assert used == pytest.approx(ledger)


async def test_resume_continues_each_state_without_paying_twice(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """QUEUED is submitted, SUBMITTING is queried first, in-flight is polled, done is reported."""
    emu = await emulator_factory(default_duration_s=0.1)
    path = tmp_path / "run.db"
    params = {"prompt": "x"}
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client:
        # what the API already has: an unsure submit that did arrive, one accepted, one done
        await client.tasks.submit(MODEL, params, out_task_id="arrived")
        await client.tasks.submit(MODEL, params, out_task_id="pending")
        await client.tasks.submit(MODEL, params, out_task_id="done")
        done = await client.tasks.wait("done", poll_interval=0.05)
        rows = [
            JobRecord(out_task_id="queued", model=MODEL, params=params),
            JobRecord(out_task_id="lost", model=MODEL, params=params, state="submitting"),
            JobRecord(out_task_id="arrived", model=MODEL, params=params, state="submitting"),
            JobRecord(out_task_id="pending", model=MODEL, params=params, state="pending"),
            JobRecord(
                out_task_id="done",
                model=MODEL,
                params=params,
                state="completed",
                credits_used=done.credits_used,
                output_urls=tuple(done.urls),
            ),
        ]
        async with SQLiteJournal(path) as journal:
            await journal.add(rows)
        emu.state.reset_counts()
        async with TaskTracker.resume(client, path, poll_policy=POLICY, confirm=CONFIRM) as tracker:
            first = [task.out_task_id async for task in tracker.as_completed()]
            tasks = await tracker.gather()
            records = await tracker.journal.records()
    assert first[0] == "done"  # reported from the journal before anything else
    assert [t.out_task_id for t in tasks] == ["queued", "lost", "arrived", "pending", "done"]
    assert {t.status.value for t in tasks} == {"completed"}
    assert {r.state for r in records} == {JobState.COMPLETED}
    submits = emu.state.submit_requests
    assert submits["queued"] == 1
    assert submits["lost"] == 1
    assert submits["arrived"] == 0
    assert submits["pending"] == 0
    assert submits["done"] == 0
    assert emu.state.query_counts["lost"] >= 1  # asked before it was sent again
    assert emu.state.query_counts["done"] == 0  # finished ones are not redone, nor asked
    assert set(emu.state.submit_counts.values()) == {1}


async def test_sigkill_mid_run_then_resume_keeps_every_guarantee(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """A tracker process SIGKILLed at a random point resumes: each job created once, ends
    as the emulator decided, credits reconcile with its ledger."""
    faults = FaultConfig.uniform(0.05, retry_after_s=0.05, seed=11)
    emu = await emulator_factory(
        EmulatorConfig(default_duration_s=0.3, failure_rate=0.1, faults=faults, seed=5)
    )
    jobs = 300
    ids = [f"k{n:03d}" for n in range(jobs)]
    path = tmp_path / "killed.db"
    seed = random.randrange(1_000_000)
    threshold = random.Random(seed).randint(20, 280)  # jobs past QUEUED when it dies
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, emu.base_url, emu.api_key, str(path), str(jobs)
    )
    try:
        deadline = time.monotonic() + 30
        reached = 0
        while time.monotonic() < deadline and proc.returncode is None:
            if path.exists():
                async with SQLiteJournal(path) as journal:
                    counts = await journal.counts()
                reached = sum(counts.values()) - counts[JobState.QUEUED]
                if reached >= threshold:
                    break
            await anyio.sleep(0.02)
        assert proc.returncode is None, f"the tracker ended before the kill (seed {seed})"
        proc.kill()  # SIGKILL: no cleanup, no flush, no goodbye
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
    async with SQLiteJournal(path) as journal:
        before = await journal.counts()
    assert sum(before.values()) == jobs
    async with (
        AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client,
        TaskTracker.resume(
            client, path, submit_rate=None, query_rate=None, poll_policy=POLICY, confirm=CONFIRM
        ) as tracker,
    ):
        tasks = await tracker.gather()
        records = await tracker.journal.records()
    assert len(tasks) == jobs, f"seed {seed}"
    check_guarantees(emu, ids, records)
