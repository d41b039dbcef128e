"""Soak: 1,000 jobs through 20 % mixed faults, slow-recording submits and an outage, a SIGKILL
once a random 10-50 % of them reached the server, then two processes resuming the one journal
at once. Every job ends, each ``out_task_id`` is recorded by the server exactly once, the
credits reconcile, and nothing hangs.

Every duration is scaled to the emulator's 0.3 s tasks, the longest wait between two queries
of a job (``max_interval_s``) too: after a run of faults a job waits about a second at most
for its next query, not the 60 s meant for a real API."""

from __future__ import annotations

import asyncio
import random
import sys
import time
from pathlib import Path

import pytest

from aireiter.emulator import EmulatorConfig, FaultConfig
from aireiter.tracker import JobState, SQLiteJournal
from tests.conftest import EmulatorFactory

JOBS = 1000
RUN = """
import asyncio, sys
from aireiter import AsyncAIReiter, JournalBusyError
from aireiter._confirm import ConfirmPolicy
from aireiter.tracker import PollPolicy, TaskTracker

async def main(base_url, key, path, jobs):
    options = dict(
        submit_rate=None, query_rate=None, max_in_flight=400, lease_s=5.0,
        poll_policy=PollPolicy(fixed_duration_s=0.3, error_delay_s=0.05, max_interval_s=1.0),
        confirm=ConfirmPolicy(min_window_s=1.5, in_flight_factor=1.0),
    )
    async with AsyncAIReiter(api_key=key, base_url=base_url, timeout=0.6) as client:
        try:
            if jobs:
                async with TaskTracker(client, journal=path, **options) as tracker:
                    await tracker.submit_many(
                        {"model": "seedream_v4_5", "params": {"prompt": f"p{n}"},
                         "out_task_id": f"soak-{n:04d}"}
                        for n in range(jobs)
                    )
                    await tracker.gather()
            else:
                async with TaskTracker.resume(client, path, **options) as tracker:
                    tasks = await tracker.gather()
                print("done", len(tasks), flush=True)
        except JournalBusyError as error:
            print("busy", error.owner, flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
"""


async def _start(emu_url: str, key: str, path: Path, jobs: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUN,
        emu_url,
        key,
        str(path),
        str(jobs),
        stdout=asyncio.subprocess.PIPE,
    )


@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_soak_faults_outage_sigkill_and_two_resumers(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    seed = random.randrange(1_000_000)
    faults = FaultConfig(
        error_rate=0.04,
        rate_limit_rate=0.03,
        reset_before_rate=0.03,
        reset_after_rate=0.03,
        malformed_rate=0.03,
        html_rate=0.01,
        slow_record_rate=0.03,
        slow_record_s=1.0,
        retry_after_s=0.05,
        seed=seed,
    )
    emu = await emulator_factory(
        EmulatorConfig(default_duration_s=0.3, failure_rate=0.1, faults=faults, seed=seed)
    )
    path = tmp_path / "soak.db"
    ids = [f"soak-{n:04d}" for n in range(JOBS)]

    # 1. A run that is SIGKILLed mid-way: once the server recorded a random share of the jobs.
    first = await _start(emu.base_url, emu.api_key, path, JOBS)
    try:
        target = random.uniform(0.1, 0.5) * JOBS
        deadline = time.monotonic() + 60
        while len(emu.state.submits_recorded) < target:
            assert first.returncode is None, (seed, "the first run ended before its kill")
            assert time.monotonic() < deadline, (seed, len(emu.state.submits_recorded))
            await asyncio.sleep(0.02)
        first.kill()
    finally:
        await first.wait()
    assert len(emu.state.submits_recorded) < JOBS, seed  # killed with work left

    # 2. The API goes down for a while, and two processes resume the journal at once.
    emu.state.start_outage(3.0, kind="5xx")
    resumers = [await _start(emu.base_url, emu.api_key, path, 0) for _ in range(2)]
    outputs = [
        (await asyncio.wait_for(proc.communicate(), 180))[0].decode().strip() for proc in resumers
    ]
    assert all(proc.returncode == 0 for proc in resumers), (seed, outputs)
    assert any(out.startswith("done") for out in outputs), (seed, outputs)

    # 3. A last resume picks up whatever the first resumer left (nothing, normally).
    async with SQLiteJournal(path) as journal:
        records = {r.out_task_id: r for r in await journal.records()}
    assert set(records) == set(ids), seed
    state = emu.state
    unfinished = [r for r in records.values() if not r.state.is_terminal]
    assert unfinished == [], (seed, unfinished[:3])
    # every id recorded by the server exactly once
    assert {oid: state.submits_recorded[oid] for oid in ids} == dict.fromkeys(ids, 1), seed
    for oid, record in records.items():
        expected = JobState.FAILED if state.tasks[oid].fails else JobState.COMPLETED
        assert record.state is expected, (seed, record)
    ledger = {entry.out_task_id: entry.credits for entry in state.ledger}
    used = {o: r.credits_used for o, r in records.items() if r.state is JobState.COMPLETED}
    assert used == pytest.approx(ledger), seed
