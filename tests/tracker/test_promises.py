"""The tracker's promises under real-world faults: never pay twice, never lose a job, never hang.

Each test drives the tracker against the emulator over real HTTP with one nasty behaviour
switched on (a submit recorded after the client gave up, a reused id, a 429 storm, a wrong
key or host, a status nobody documented, odd timestamps) and checks the promise it threatens.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from aireiter import (
    AsyncAIReiter,
    AuthenticationError,
    ConflictError,
    JournalBusyError,
    RunAbortedError,
    TaskFailedError,
    TaskTimeoutError,
)
from aireiter._confirm import ConfirmPolicy
from aireiter.emulator import FAIL_MARKER, FaultConfig, RunningEmulator
from aireiter.tracker import JobRecord, JobState, PollPolicy, SQLiteJournal, TaskTracker
from aireiter.tracker._handle import BudgetHeldError
from tests.conftest import EmulatorFactory

MODEL = "seedream_v4_5"
POLICY = PollPolicy(fixed_duration_s=0.1, error_delay_s=0.02)
QUICK = ConfirmPolicy(min_window_s=0.3, in_flight_factor=1.0)


def client_for(emu: RunningEmulator, **options: Any) -> AsyncAIReiter:
    return AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url, **options)


async def test_a_submit_recorded_after_the_client_gave_up_is_not_sent_again(
    emulator_factory: EmulatorFactory,
) -> None:
    """The API holds the submit 1 s and records it after the client's 0.3 s timeout; queries
    before that say "not found". One "not found" is no proof: the window waits it out."""
    emu = await emulator_factory(default_duration_s=0.1)
    emu.state.inject("slow_record", path="/api/openapi/submit", count=1, seconds=1.0)
    confirm = ConfirmPolicy(min_window_s=1.5, in_flight_factor=1.0)
    async with (
        client_for(emu, timeout=0.3) as client,
        TaskTracker(client, poll_policy=POLICY, confirm=confirm) as tracker,
    ):
        handle = await tracker.submit(MODEL, {"prompt": "slow"}, out_task_id="slow-1")
        task = await handle.result()
    assert task.status.value == "completed"
    assert emu.state.submits_recorded["slow-1"] == 1
    assert emu.state.submit_requests["slow-1"] == 1
    assert emu.state.query_counts["slow-1"] >= 2  # confirmed over the window, then polled


async def test_a_reused_id_is_a_conflict_never_another_tasks_result(
    emulator_factory: EmulatorFactory,
) -> None:
    """An id that exists on the account from an earlier run, with other params, ends the job
    as CONFLICT (result() raises ConflictError, no credits counted); the same model and
    params are adopted, and the journal says so."""
    emu = await emulator_factory(default_duration_s=0.05)
    journal_records: dict[str, JobRecord] = {}
    async with client_for(emu) as client:
        await client.tasks.submit(MODEL, {"prompt": "old waves"}, out_task_id="waves-1")
        await client.tasks.submit(MODEL, {"prompt": "same"}, out_task_id="same-1")
        await client.tasks.wait("waves-1", poll_interval=0.05)
        async with TaskTracker(client, poll_policy=POLICY, confirm=QUICK) as tracker:
            other = await tracker.submit(MODEL, {"prompt": "new waves"}, out_task_id="waves-1")
            same = await tracker.submit(MODEL, {"prompt": "same"}, out_task_id="same-1")
            with pytest.raises(ConflictError, match="waves-1"):
                await other.result()
            adopted = await same.result()
            snapshot = tracker.progress()
            for record in await tracker.journal.records():
                journal_records[record.out_task_id] = record
    assert adopted.status.value == "completed"
    assert journal_records["waves-1"].state is JobState.CONFLICT
    assert journal_records["same-1"].adopted is True
    assert snapshot.conflict == 1
    assert snapshot.credits_used == pytest.approx(emu.state.tasks["same-1"].credits_used)


async def test_a_reused_id_answered_with_the_old_task_is_a_conflict(
    emulator_factory: EmulatorFactory,
) -> None:
    """An API that answers a reused id's submit with the existing (finished) task: that
    answer is not taken as this job's result."""
    emu = await emulator_factory(default_duration_s=0.05, duplicate_id="return_existing")
    async with client_for(emu) as client:
        await client.tasks.submit(MODEL, {"prompt": "old"}, out_task_id="old-1")
        await client.tasks.wait("old-1", poll_interval=0.05)
        async with TaskTracker(client, poll_policy=POLICY, confirm=QUICK) as tracker:
            handle = await tracker.submit(MODEL, {"prompt": "new"}, out_task_id="old-1")
            with pytest.raises(ConflictError):
                await handle.result()


async def test_a_429_storm_slows_the_run_and_fails_no_job(
    emulator_factory: EmulatorFactory,
) -> None:
    """60 submits answered 429 in a row: every job still completes, the submit rate was
    lowered (AIMD), and each id was recorded once."""
    emu = await emulator_factory(default_duration_s=0.05, faults=FaultConfig(retry_after_s=0.02))
    emu.state.inject("rate_limit", path="/api/openapi/submit", count=60)
    async with (
        client_for(emu) as client,
        TaskTracker(client, poll_policy=POLICY, submit_rate=200.0, query_rate=400.0) as tracker,
    ):
        engine = tracker._running()
        for n in range(20):
            await tracker.submit(MODEL, {"prompt": f"p{n}"})
        lowest = engine.submit_bucket.rate
        tasks = []
        async for task in tracker.as_completed():
            tasks.append(task)
            rate = engine.submit_bucket.rate
            lowest = rate if lowest is None or (rate is not None and rate < lowest) else lowest
    assert len(tasks) == 20
    assert {task.status.value for task in tasks} == {"completed"}
    assert lowest is not None
    assert lowest < 200.0
    assert set(emu.state.submits_recorded.values()) == {1}


async def test_retry_failed_sends_a_failed_job_again_under_new_ids(
    emulator_factory: EmulatorFactory,
) -> None:
    """A task the API failed is final by default; with retry_failed=2 it is sent twice more,
    each time under a new journaled id, and the old ids stay FAILED in the journal."""
    emu = await emulator_factory(default_duration_s=0.05)
    async with (
        client_for(emu) as client,
        TaskTracker(client, poll_policy=POLICY, retry_failed=2) as tracker,
    ):
        handle = await tracker.submit(MODEL, {"prompt": FAIL_MARKER}, out_task_id="bad")
        with pytest.raises(TaskFailedError):
            await handle.result()
        records = {r.out_task_id: r for r in await tracker.journal.records()}
    assert handle.out_task_id == "bad-r2"
    assert records["bad"].retried_as == "bad-r1"
    assert records["bad-r1"].retried_as == "bad-r2"
    assert records["bad-r2"].state is JobState.FAILED
    assert {k: v for k, v in emu.state.submit_requests.items() if v} == {
        "bad": 1,
        "bad-r1": 1,
        "bad-r2": 1,
    }


async def test_a_wrong_key_stops_the_run_at_once_and_keeps_the_journal(
    emulator_factory: EmulatorFactory,
) -> None:
    """401 is fatal: one clear RunAbortedError, nothing more submitted, jobs stay queued."""
    emu = await emulator_factory(default_duration_s=0.05)
    async with (
        AsyncAIReiter(api_key="sk-wrong", base_url=emu.base_url) as client,
        TaskTracker(client, poll_policy=POLICY, submit_concurrency=2) as tracker,
    ):
        for n in range(50):
            await tracker.submit(MODEL, {"prompt": f"p{n}"})
        with pytest.raises(RunAbortedError, match="API key") as caught:
            await tracker.gather()
        counts = await tracker.journal.counts()
    assert isinstance(caught.value.cause, AuthenticationError)
    assert "sk-wrong" not in str(caught.value)
    assert counts[JobState.QUEUED] == 50
    assert emu.state.request_counts[("POST", "/api/openapi/submit")] <= 2


async def test_a_host_that_is_not_the_api_stops_the_run(
    emulator_factory: EmulatorFactory,
) -> None:
    """Every route answers an HTML page (a wrong base URL): the run stops, naming the base URL."""
    emu = await emulator_factory(default_duration_s=0.05, html_everywhere=True)
    async with (
        client_for(emu) as client,
        TaskTracker(client, poll_policy=POLICY, confirm=QUICK) as tracker,
    ):
        for n in range(30):
            await tracker.submit(MODEL, {"prompt": f"p{n}"})
        with pytest.raises(RunAbortedError, match="base URL"):
            await asyncio.wait_for(tracker.gather(), 20)


async def test_a_closed_port_stops_the_run() -> None:
    """Nothing listens on the port: the run stops after a few refused connections."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with (
        AsyncAIReiter(api_key="k", base_url=f"http://127.0.0.1:{port}") as client,
        TaskTracker(client, poll_policy=POLICY) as tracker,
    ):
        for n in range(10):
            await tracker.submit(MODEL, {"prompt": f"p{n}"})
        with pytest.raises(RunAbortedError, match="cannot reach"):
            await asyncio.wait_for(tracker.gather(), 20)


async def test_an_unknown_status_is_polled_until_the_deadline_then_timed_out(
    emulator_factory: EmulatorFactory,
) -> None:
    """A status the docs never mention ("cancelled") is neither success nor failure: the job
    is polled until its deadline, then ends timed out, its journal state left resumable."""
    emu = await emulator_factory(default_duration_s=0.05)
    emu.state.force_status("odd-1", "cancelled")
    async with (
        client_for(emu) as client,
        TaskTracker(client, poll_policy=POLICY, task_timeout=0.6) as tracker,
    ):
        handle = await tracker.submit(MODEL, {"prompt": "x"}, out_task_id="odd-1")
        with pytest.raises(TaskTimeoutError, match="odd-1"):
            await handle.result()
        record = await tracker.journal.get("odd-1")
    assert record is not None
    assert not record.state.is_terminal
    assert emu.state.query_counts["odd-1"] >= 2


async def test_odd_timestamps_touch_nothing_and_resume_works(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """created_at in epoch microseconds: every job completes, and a resume of the journal
    reports them."""
    emu = await emulator_factory(default_duration_s=0.05, timestamp_format="epoch_us")
    path = tmp_path / "run.db"
    async with client_for(emu) as client:
        async with TaskTracker(client, journal=path, poll_policy=POLICY) as tracker:
            for n in range(5):
                await tracker.submit(MODEL, {"prompt": f"p{n}"})
            tasks = await tracker.gather()
        assert {task.status.value for task in tasks} == {"completed"}
        async with TaskTracker.resume(client, path, poll_policy=POLICY) as again:
            assert len(await again.gather()) == 5


async def test_max_credits_holds_the_rest_queued(emulator_factory: EmulatorFactory) -> None:
    """No submit once estimated + used credits would pass max_credits: the run ends cleanly,
    the held jobs stay QUEUED in the journal (10 credits an image: 2 fit in 25)."""
    emu = await emulator_factory(default_duration_s=0.05)
    async with (
        client_for(emu) as client,
        TaskTracker(client, poll_policy=POLICY, max_credits=25, submit_concurrency=1) as t,
    ):
        handles = [await t.submit(MODEL, {"prompt": f"p{n}"}) for n in range(5)]
        await t.wait()
        counts = await t.journal.counts()
        snapshot = t.progress()
    outcomes = []
    for handle in handles:
        try:
            await handle.result()
            outcomes.append("ok")
        except BudgetHeldError:
            outcomes.append("held")
    assert outcomes.count("ok") == 2
    assert outcomes.count("held") == 3
    assert counts[JobState.QUEUED] == 3
    assert snapshot.held_by_budget == 3
    assert emu.state.charged <= 25


CHILD = """
import asyncio, sys
from aireiter import AsyncAIReiter, JournalBusyError
from aireiter._confirm import ConfirmPolicy
from aireiter.tracker import PollPolicy, TaskTracker

async def main(base_url, key, path):
    async with AsyncAIReiter(api_key=key, base_url=base_url) as client:
        try:
            async with TaskTracker.resume(
                client, path, submit_rate=None, query_rate=None, lease_s=5.0,
                poll_policy=PollPolicy(fixed_duration_s=0.3, error_delay_s=0.02),
                confirm=ConfirmPolicy(min_window_s=0.3, in_flight_factor=0.01),
            ) as tracker:
                tasks = await tracker.gather()
        except JournalBusyError as error:
            print("busy", error.owner, flush=True)
            return
        print("done", len(tasks), flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
"""


async def test_two_processes_resuming_one_journal_never_send_a_job_twice(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """Two real processes resume the same journal at once: the jobs are claimed atomically,
    so each id is submitted exactly once; a process that finds them held says who holds them."""
    emu = await emulator_factory(default_duration_s=0.3)
    path = tmp_path / "run.db"
    ids = [f"two-{n:03d}" for n in range(80)]
    async with SQLiteJournal(path) as journal:
        await journal.add(
            [JobRecord(out_task_id=i, model=MODEL, params={"prompt": i}) for i in ids]
        )
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CHILD,
            emu.base_url,
            emu.api_key,
            str(path),
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [
        (await asyncio.wait_for(proc.communicate(), 60))[0].decode().strip() for proc in procs
    ]
    assert all(proc.returncode == 0 for proc in procs), outputs
    assert {k: v for k, v in emu.state.submit_requests.items() if v} == dict.fromkeys(ids, 1)
    for out in outputs:
        assert out.startswith(("done", "busy")), out
        if out.startswith("busy"):
            assert ":" in out.split()[1]  # host:pid:token of the holder
    async with SQLiteJournal(path) as journal:
        counts = await journal.counts()
    assert counts[JobState.COMPLETED] == len(ids)


async def test_a_second_run_is_refused_while_the_first_holds_the_jobs(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """In one process too: a resume while another live run holds every unfinished job raises
    JournalBusyError naming the holder, before anything is sent."""
    emu = await emulator_factory(default_duration_s=5.0)
    path = tmp_path / "run.db"
    async with (
        client_for(emu) as client,
        TaskTracker(client, journal=path, poll_policy=POLICY) as first,
    ):
        await first.submit(MODEL, {"prompt": "x"})
        with pytest.raises(JournalBusyError) as caught:
            async with TaskTracker.resume(client, path, poll_policy=POLICY):
                pass
        assert caught.value.owner == first.owner
        first.cancel()


async def test_jobs_reported_by_as_completed_leave_memory_and_gather_reads_them_back(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """Memory follows the work in flight: once as_completed has handed a job out, the tracker
    no longer holds it; gather() still lists every job in submit order, from the journal."""
    emu = await emulator_factory(default_duration_s=0.05)
    async with (
        client_for(emu) as client,
        TaskTracker(client, journal=tmp_path / "run.db", poll_policy=POLICY) as tracker,
    ):
        ids = [f"mem-{n}" for n in range(30)]
        for oid in ids:
            await tracker.submit(MODEL, {"prompt": oid}, out_task_id=oid)
        seen = []
        async for task in tracker.as_completed():
            assert tracker.handle(task.out_task_id) is not None  # inside the loop body: yes
            seen.append(task.out_task_id)
        assert tracker.handles() == []  # every one was handed out and let go
        tasks = await tracker.gather()
    assert sorted(seen) == sorted(ids)
    assert [t.out_task_id for t in tasks] == ids
    assert {t.status.value for t in tasks} == {"completed"}
    assert all(t.urls for t in tasks)


async def test_a_running_resume_takes_over_jobs_whose_lease_runs_out(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """Jobs held by a run on another host (alive for now) are left alone; when its lease runs
    out, the running resume claims them at its next heartbeat and finishes them, each sent
    once."""
    import time

    emu = await emulator_factory(default_duration_s=0.05)
    path = tmp_path / "run.db"
    theirs = [f"theirs-{n}" for n in range(5)]
    mine = [f"mine-{n}" for n in range(5)]
    async with SQLiteJournal(path) as journal:
        await journal.add(
            [
                JobRecord(
                    out_task_id=oid,
                    model=MODEL,
                    params={"prompt": oid},
                    owner="elsewhere:1:abcd",
                    lease_until=time.time() + 4.0,
                )
                for oid in theirs
            ]
            + [JobRecord(out_task_id=oid, model=MODEL, params={"prompt": oid}) for oid in mine]
        )
    async with (
        client_for(emu) as client,
        TaskTracker.resume(client, path, poll_policy=POLICY, lease_s=0.6) as tracker,
    ):
        first = await tracker.gather()
        assert [t.out_task_id for t in first] == mine  # the others were still held
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            counts = await tracker.journal.counts()
            if counts[JobState.COMPLETED] == len(theirs) + len(mine):
                break
            await asyncio.sleep(0.05)
    assert counts[JobState.COMPLETED] == len(theirs) + len(mine)
    assert {k: v for k, v in emu.state.submit_requests.items() if v} == dict.fromkeys(
        mine + theirs, 1
    )


async def test_a_server_that_records_late_gets_one_submit_from_the_tracker() -> None:
    """Not the emulator: a small server whose first submit answers 503 while it is still being
    recorded, and whose queries say "not found" until the third one. The tracker waits out
    its confirm window, finds the task and adopts it; the server records it once. (One "not
    found" followed by a resend used to record it twice.)"""
    from aiohttp import web

    from tests.resources._scripted_api import ScriptedAPI, envelope, unavailable

    api = ScriptedAPI()
    held: list[dict[str, Any]] = []

    async def hold_first(body: dict[str, Any]) -> web.StreamResponse:
        if not held and not api.recorded:
            held.append(body)
            return unavailable()  # the answer is lost; the request is still being recorded
        return await api.default_submit(body)

    async def record_late(body: dict[str, Any]) -> web.StreamResponse:
        if held and len(api.queries) >= 3:
            api.record(held.pop())
        task = api.tasks.get(body.get("out_task_id", ""))
        if task is not None and len(api.queries) >= 4:
            task.update(status="completed", output=[{"url": "http://127.0.0.1:9/x.png"}])
            return envelope(task)
        return await api.default_query(body)

    api.on_submit, api.on_query = hold_first, record_late
    confirm = ConfirmPolicy(min_window_s=0.8, in_flight_factor=1.0, queries=4)
    async with (
        api.serve() as base_url,
        AsyncAIReiter(api_key="k", base_url=base_url, max_retries=0) as client,
        TaskTracker(client, poll_policy=POLICY, confirm=confirm) as tracker,
    ):
        handle = await tracker.submit("gpt_4o", {"prompt": "x"}, out_task_id="late-1")
        task = await asyncio.wait_for(handle.result(), 30)
    assert task.status.value == "completed"
    assert api.submits["late-1"] == 1
    assert api.recorded["late-1"] == 1
