"""A resumed run pointed at a wrong host whose every route answers HTTP 404/405 (or redirects)
stops with ``RunAbortedError`` instead of polling its sent jobs until their deadline: the API
says "task not found" in an envelope with HTTP 200, never with a bare 404. The journal keeps
every job where it was, and a resume against the right host finishes each without a resend.

Over real HTTP on 127.0.0.1: the emulator, and a small aiohttp server here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aireiter import AsyncAIReiter, RunAbortedError, TaskTracker
from aireiter.emulator import RunningEmulator
from aireiter.tracker import JobState, PollPolicy, ProgressSnapshot, SQLiteJournal
from tests._servers import wrong_host_server
from tests.conftest import EmulatorFactory

MODEL = "gpt_4o"
POLICY = PollPolicy(fixed_duration_s=0.05, error_delay_s=0.02)
RUN_DEADLINE_S = 20.0


@pytest.mark.parametrize("mode", ["301", "404", "405"])
async def test_queries_to_a_wrong_host_stop_the_run(
    mode: str, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """Jobs sent to the emulator (which takes long) are resumed against a wrong host: the
    run stops after a few queries; resumed against the emulator they finish, each recorded
    once."""
    slow: RunningEmulator = await emulator_factory(default_duration_s=0.3)
    path = tmp_path / "run.db"
    all_accepted = asyncio.Event()

    def seen(snapshot: ProgressSnapshot) -> None:
        if snapshot.pending + snapshot.processing == 3:
            all_accepted.set()

    async with (
        AsyncAIReiter(api_key=slow.api_key, base_url=slow.base_url) as client,
        TaskTracker(
            client, journal=path, poll_policy=POLICY, on_progress=seen, progress_interval=0.02
        ) as tracker,
    ):
        for n in range(3):
            await tracker.submit(MODEL, {"prompt": f"p{n}"}, out_task_id=f"q-{n}")
        await asyncio.wait_for(all_accepted.wait(), RUN_DEADLINE_S)  # leave them in flight
    async with SQLiteJournal(path) as journal:
        sent = [r.state for r in await journal.records()]
    assert all(state in (JobState.PENDING, JobState.PROCESSING) for state in sent), sent
    async with (
        wrong_host_server(mode) as (base_url, asked),
        AsyncAIReiter(api_key="k", base_url=base_url) as client,
        TaskTracker.resume(client, path, poll_policy=POLICY) as tracker,
    ):
        with pytest.raises(RunAbortedError, match="base URL"):
            await asyncio.wait_for(tracker.gather(), RUN_DEADLINE_S)
    assert set(asked) == {"/api/openapi/query"}
    assert sum(asked.values()) <= 12
    async with (
        AsyncAIReiter(api_key=slow.api_key, base_url=slow.base_url) as client,
        TaskTracker.resume(client, path, poll_policy=POLICY) as tracker,
    ):
        tasks = await asyncio.wait_for(tracker.gather(), RUN_DEADLINE_S)
    assert [t.status.value for t in tasks] == ["completed"] * 3
    assert dict(slow.state.submits_recorded) == {f"q-{n}": 1 for n in range(3)}
