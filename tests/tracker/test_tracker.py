"""TaskTracker against the emulator over HTTP: results, journal, limits, timeouts, cancel."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest

from aireiter import (
    AsyncAIReiter,
    InsufficientCreditsError,
    ParamError,
    RunAbortedError,
    TaskFailedError,
    TaskTimeoutError,
)
from aireiter._confirm import ConfirmPolicy
from aireiter.emulator import FAIL_MARKER, FaultConfig, RunningEmulator
from aireiter.tracker import (
    DuplicateJobError,
    JobCancelledError,
    JobState,
    MemoryJournal,
    PollPolicy,
    ProgressSnapshot,
    SQLiteJournal,
    TaskTracker,
)
from tests.conftest import EmulatorFactory

MODEL = "seedream_v4_5"
FAST: dict[str, Any] = {"submit_rate": 1000.0, "query_rate": 1000.0}


class TimedCounter(Counter[Any]):
    """A Counter that also notes when each key was incremented (put on the emulator's
    ``request_counts`` to see request timing from the server side)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[tuple[float, Any]] = []

    def __setitem__(self, key: Any, value: int) -> None:
        self.times.append((time.monotonic(), key))
        super().__setitem__(key, value)


class RecordingJournal(MemoryJournal):
    """A memory journal that keeps every state written, per job, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[str]] = {}
        self.on_update: Any = None

    async def add(self, records: Any) -> None:
        await super().add(records)
        for record in records:
            self.history.setdefault(record.out_task_id, []).append(record.state.value)

    async def update_owned(self, out_task_id: str, owner: str, **changes: Any) -> bool:
        await self.update(out_task_id, **changes)
        return True

    async def update(self, out_task_id: str, **changes: Any) -> None:
        if self.on_update is not None:
            await self.on_update(out_task_id, changes)
        await super().update(out_task_id, **changes)
        if "state" in changes:
            self.history[out_task_id].append(JobState(changes["state"]).value)


def policy(duration_s: float, **options: Any) -> PollPolicy:
    """A poll policy matching an emulator run with ``default_duration_s=duration_s``."""
    return PollPolicy(fixed_duration_s=duration_s, error_delay_s=0.02, **options)


def client_for(emu: RunningEmulator) -> AsyncAIReiter:
    """A client bound to ``emu`` (use it with ``async with``)."""
    return AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url)


async def test_jobs_complete_and_each_is_yielded_once(emulator: RunningEmulator) -> None:
    """Every job is submitted once, and as_completed yields each final Task exactly once."""
    async with (
        client_for(emulator) as client,
        client.tracker(poll_policy=policy(0.05), **FAST) as tracker,
    ):
        handles = [await tracker.submit(MODEL, {"prompt": f"p{n}"}) for n in range(40)]
        seen = [task async for task in tracker.as_completed()]
    assert sorted(t.out_task_id for t in seen) == sorted(h.out_task_id for h in handles)
    assert {t.status.value for t in seen} == {"completed"}
    assert all(emulator.state.submit_counts[h.out_task_id] == 1 for h in handles)
    assert all(h.state is JobState.COMPLETED for h in handles)


async def test_gather_keeps_submit_order_and_returns_failures(
    emulator: RunningEmulator,
) -> None:
    """gather() lists tasks in submit order; a failed one is returned, result() raises."""
    async with client_for(emulator) as client, TaskTracker(client, poll_policy=policy(0.05)) as t:
        ok = await t.submit(MODEL, {"prompt": "fine"}, out_task_id="a-ok", metadata={"n": 1})
        bad = await t.submit(MODEL, {"prompt": f"please {FAIL_MARKER}"}, out_task_id="b-bad")
        tasks = await t.gather()
        assert [task.out_task_id for task in tasks] == ["a-ok", "b-bad"]
        assert [task.status.value for task in tasks] == ["completed", "failed"]
        assert (await ok.result()).urls
        assert ok.metadata == {"n": 1}
        with pytest.raises(TaskFailedError):
            await bad.result()
        assert (await t.journal.get("b-bad")).state is JobState.FAILED  # type: ignore[union-attr]


async def test_bad_params_raise_before_anything_is_written(emulator: RunningEmulator) -> None:
    """A ParamError reaches the caller at submit(); nothing is journaled or sent."""
    journal = MemoryJournal()
    async with client_for(emulator) as client, TaskTracker(client, journal=journal) as tracker:
        with pytest.raises(ParamError):
            await tracker.submit(MODEL, {"prompt": "x", "aspect_ratio": "7:3"})
        with pytest.raises(ParamError):
            await tracker.submit(MODEL, {"prompt": "x"}, out_task_id="bad id!")
    assert len(journal) == 0
    assert sum(emulator.state.submit_requests.values()) == 0


async def test_a_duplicate_out_task_id_is_refused(emulator: RunningEmulator) -> None:
    """The same out_task_id twice in one tracker is a DuplicateJobError, not a second job."""
    async with client_for(emulator) as client, TaskTracker(client) as tracker:
        await tracker.submit(MODEL, {"prompt": "x"}, out_task_id="same")
        with pytest.raises(DuplicateJobError):
            await tracker.submit(MODEL, {"prompt": "y"}, out_task_id="same")
        tracker.cancel()
    assert len(tracker.handles()) == 1


async def test_journal_is_written_ahead_of_every_submit(emulator: RunningEmulator) -> None:
    """QUEUED -> SUBMITTING is durable before the API sees the submit; states end terminal."""
    journal = RecordingJournal()
    early: list[str] = []

    async def check(out_task_id: str, changes: dict[str, Any]) -> None:
        submitting = changes.get("state") is JobState.SUBMITTING
        if submitting and emulator.state.submit_requests[out_task_id] != 0:
            early.append(out_task_id)

    journal.on_update = check
    async with (
        client_for(emulator) as client,
        TaskTracker(client, journal=journal, poll_policy=policy(0.05), **FAST) as tracker,
    ):
        for n in range(20):
            await tracker.submit(MODEL, {"prompt": f"p{n}"}, out_task_id=f"j{n}")
        await tracker.gather()
    assert early == []
    for states in journal.history.values():
        assert states[:3] == ["queued", "submitting", "pending"]
        assert states[-1] == "completed"


async def test_max_in_flight_bounds_jobs_on_the_api(emulator_factory: EmulatorFactory) -> None:
    """No more than max_in_flight jobs are ever submitted and unfinished at once."""
    emu = await emulator_factory(default_duration_s=0.05)
    journal = RecordingJournal()
    peak = 0

    async def watch(_oid: str, changes: dict[str, Any]) -> None:
        nonlocal peak
        if changes.get("state") is JobState.SUBMITTING:
            counts = await journal.counts()
            busy = counts[JobState.SUBMITTING] + counts[JobState.PENDING]
            peak = max(peak, busy + counts[JobState.PROCESSING] + 1)

    journal.on_update = watch
    async with (
        client_for(emu) as client,
        TaskTracker(
            client, journal=journal, max_in_flight=4, poll_policy=policy(0.05), **FAST
        ) as tracker,
    ):
        for n in range(30):
            await tracker.submit(MODEL, {"prompt": f"p{n}"})
        await tracker.gather()
    assert 1 < peak <= 4


async def test_budgets_are_never_exceeded(emulator_factory: EmulatorFactory) -> None:
    """Queries reach the API at most query_rate per second, submits at most submit_rate
    (+1 token of burst each); without budgets these requests would arrive within
    milliseconds."""
    emu = await emulator_factory(default_duration_s=0.02)
    counter = TimedCounter()
    emu.state.request_counts = counter
    async with (
        client_for(emu) as client,
        TaskTracker(client, submit_rate=30.0, query_rate=40.0, poll_policy=policy(0.02)) as tracker,
    ):
        for n in range(40):
            await tracker.submit(MODEL, {"prompt": f"p{n}"})
        await tracker.gather()
    for path, rate in (("/api/openapi/query", 40.0), ("/api/openapi/submit", 30.0)):
        times = sorted(t for t, key in counter.times if key[1] == path)
        assert len(times) >= 40
        worst = max(sum(1 for t in times if start <= t < start + 0.5) for start in times)
        # the bucket allows rate * 0.5 + 1 per 0.5 s; +2 for requests bunched on their way
        assert worst <= rate * 0.5 + 3, path


async def test_submits_never_outrun_the_query_budget(emulator_factory: EmulatorFactory) -> None:
    """With a query budget below the submit budget, submits follow the query budget."""
    emu = await emulator_factory(default_duration_s=0.02)
    counter = TimedCounter()
    emu.state.request_counts = counter
    async with (
        client_for(emu) as client,
        TaskTracker(client, submit_rate=None, query_rate=40.0, poll_policy=policy(0.02)) as t,
    ):
        for n in range(30):
            await t.submit(MODEL, {"prompt": f"p{n}"})
        await t.gather()
    times = sorted(ts for ts, key in counter.times if key[1] == "/api/openapi/submit")
    assert times[-1] - times[0] >= 29 / 40 * 0.9


async def test_a_429_pauses_the_whole_tracker(emulator_factory: EmulatorFactory) -> None:
    """After a 429 with Retry-After, no submit and no query goes out until it has passed."""
    emu = await emulator_factory(default_duration_s=0.05, faults=FaultConfig(retry_after_s=1.5))
    counter = TimedCounter()
    emu.state.request_counts = counter
    async with (
        client_for(emu) as client,
        TaskTracker(client, submit_rate=100.0, query_rate=100.0, poll_policy=policy(0.05)) as t,
    ):
        for n in range(15):
            await t.submit(MODEL, {"prompt": f"p{n}"})
        emu.state.inject("rate_limit", "/api/openapi/query")
        await t.gather()
    faulted_at = next(ts for ts, key in counter.times if key[1] == "/api/openapi/query")
    retry_after = emu.state.config.faults.retry_after_s
    # requests already on the wire when the 429 came back may land just after it (later on a
    # loaded machine: the emulator shares the test's event loop)
    grace = 0.3
    quiet = [ts for ts, _ in counter.times if faulted_at + grace < ts < faulted_at + retry_after]
    assert quiet == []
    assert counter.times[-1][0] > faulted_at + retry_after  # and work resumed afterwards
    assert all(emu.state.submit_counts[h.out_task_id] == 1 for h in t.handles())


async def test_insufficient_credits_stops_the_run_and_keeps_the_rest_queued(
    emulator_factory: EmulatorFactory,
) -> None:
    """A 433 stops the run (no job is failed for it): the jobs that did not fit stay queued in
    the journal for a resume after a top-up, and nothing more is submitted."""
    emu = await emulator_factory(default_duration_s=0.05, initial_credits=25.0)
    journal = MemoryJournal()
    async with (
        client_for(emu) as client,
        TaskTracker(client, journal=journal, poll_policy=policy(0.05), submit_concurrency=1) as t,
    ):
        for n in range(5):
            await t.submit(MODEL, {"prompt": f"p{n}"})
        with pytest.raises(RunAbortedError, match="credits") as caught:
            await t.gather()
    assert isinstance(caught.value.cause, InsufficientCreditsError)
    counts = await journal.counts()
    assert counts[JobState.FAILED] == 0
    assert counts[JobState.QUEUED] == 5 - sum(emu.state.submits_recorded.values())
    assert sum(emu.state.submit_requests.values()) == sum(emu.state.submits_recorded.values()) + 1


async def test_task_timeout_stops_waiting_but_keeps_the_job_resumable(
    emulator_factory: EmulatorFactory,
) -> None:
    """A job past task_timeout raises TaskTimeoutError; its journal state stays unfinished."""
    emu = await emulator_factory(default_duration_s=30.0)
    async with (
        client_for(emu) as client,
        TaskTracker(client, task_timeout=0.3, poll_policy=policy(0.05)) as tracker,
    ):
        handle = await tracker.submit(MODEL, {"prompt": "slow"})
        started = time.monotonic()
        assert [task async for task in tracker.as_completed()] == []
        assert time.monotonic() - started < 5
        with pytest.raises(TaskTimeoutError):
            await handle.result()
        record = await tracker.journal.get(handle.out_task_id)
    assert record is not None
    assert record.state in (JobState.PENDING, JobState.PROCESSING)
    assert tracker.progress().timed_out == 1


async def test_run_timeout_ends_gather(emulator_factory: EmulatorFactory) -> None:
    """The whole-run timeout ends gather(); unsent jobs stay QUEUED in the journal."""
    emu = await emulator_factory(default_duration_s=30.0)
    async with (
        client_for(emu) as client,
        TaskTracker(client, timeout=0.3, max_in_flight=1, poll_policy=policy(0.05)) as tracker,
    ):
        first = await tracker.submit(MODEL, {"prompt": "a"})
        second = await tracker.submit(MODEL, {"prompt": "b"})
        tasks = await tracker.gather()
        assert [task.status.value for task in tasks] == ["pending", "unknown"]
        for handle in (first, second):
            with pytest.raises(TaskTimeoutError):
                await handle.result()
        assert (await tracker.journal.get(second.out_task_id)).state is JobState.QUEUED  # type: ignore[union-attr]
    assert emu.state.submit_requests[second.out_task_id] == 0


async def test_a_job_written_as_the_run_times_out_still_ends(
    emulator_factory: EmulatorFactory,
) -> None:
    """A job whose journal write is still on its way when the run's timeout runs out is timed
    out too, so gather() returns instead of waiting for a job nothing will ever send."""
    emu = await emulator_factory(default_duration_s=30.0)
    release = anyio.Event()

    class SlowAdds(MemoryJournal):
        async def add(self, records: Any) -> None:
            if records[0].out_task_id == "late":
                await release.wait()
            await super().add(records)

    async with (
        client_for(emu) as client,
        TaskTracker(client, journal=SlowAdds(), timeout=0.2, poll_policy=policy(0.05)) as tracker,
    ):
        first = await tracker.submit(MODEL, {"prompt": "a"})
        late: list[Any] = []

        async def submit_late() -> None:
            late.append(await tracker.submit(MODEL, {"prompt": "b"}, out_task_id="late"))

        async with anyio.create_task_group() as tg:
            tg.start_soon(submit_late)
            with pytest.raises(TaskTimeoutError):
                await first.result()  # the run's timeout has run out
            release.set()
        with anyio.fail_after(5):
            tasks = await tracker.gather()
        with pytest.raises(TaskTimeoutError):
            await late[0].result()
    assert len(tasks) == 2
    assert emu.state.submit_requests["late"] == 0


async def test_a_cancel_during_the_final_write_stands(emulator: RunningEmulator) -> None:
    """Cancelling a job while its COMPLETED record is being written leaves it cancelled for
    this run: result() says so, and its credits and files are not counted or fetched."""
    writing = anyio.Event()
    release = anyio.Event()
    landed = anyio.Event()

    class HeldFinalWrite(RecordingJournal):
        async def update(self, out_task_id: str, **changes: Any) -> None:
            await super().update(out_task_id, **changes)
            if changes.get("state") is JobState.COMPLETED:
                landed.set()  # what follows the write runs before this test resumes

    journal = HeldFinalWrite()

    async def hold_final_write(out_task_id: str, changes: dict[str, Any]) -> None:
        if changes.get("state") is JobState.COMPLETED:
            writing.set()
            await release.wait()

    journal.on_update = hold_final_write
    async with (
        client_for(emulator) as client,
        TaskTracker(client, journal=journal, poll_policy=policy(0.05), **FAST) as tracker,
    ):
        handle = await tracker.submit(MODEL, {"prompt": "a"})
        with anyio.fail_after(5):
            await writing.wait()
        tracker.cancel(handle.out_task_id)
        release.set()
        with anyio.fail_after(5):
            await landed.wait()
        with pytest.raises(JobCancelledError):
            await handle.result()
        await tracker.gather()
        assert handle.state is JobState.CANCELLED
        assert handle.downloaded == ()
        progress = tracker.progress()
        assert progress.completed == 0
        assert progress.credits_used == 0


async def test_cancel_a_queued_job_never_sends_it(emulator_factory: EmulatorFactory) -> None:
    """A cancelled job that was not sent yet is never sent; its result() says cancelled."""
    emu = await emulator_factory(default_duration_s=0.1)
    async with (
        client_for(emu) as client,
        TaskTracker(client, max_in_flight=1, poll_policy=policy(0.1)) as tracker,
    ):
        first = await tracker.submit(MODEL, {"prompt": "a"})
        second = await tracker.submit(MODEL, {"prompt": "b"})
        tracker.cancel(second.out_task_id)
        tasks = await tracker.gather()
        with pytest.raises(JobCancelledError):
            await second.result()
        assert (await first.result()).status.value == "completed"
        assert [task.status.value for task in tasks] == ["completed", "unknown"]
        assert (await tracker.journal.get(second.out_task_id)).state is JobState.CANCELLED  # type: ignore[union-attr]
    assert emu.state.submit_requests[second.out_task_id] == 0


async def test_leaving_early_stops_everything_and_resume_finishes(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """Exiting the block mid-run leaves no stray task; the journal resumes to completion."""
    emu = await emulator_factory(default_duration_s=0.2)
    path = tmp_path / "run.db"
    before = set(asyncio.all_tasks())
    async with client_for(emu) as client:
        async with TaskTracker(
            client, journal=path, submit_rate=50.0, poll_policy=policy(0.2)
        ) as tracker:
            ids = [
                (await tracker.submit(MODEL, {"prompt": f"p{n}"})).out_task_id for n in range(20)
            ]
            async for _task in tracker.as_completed():
                break  # leave with jobs queued, submitting and in flight
        server_side = "RequestHandler"  # the emulator's keep-alive connections
        stray = [
            t
            for t in asyncio.all_tasks()
            if t not in before and server_side not in t.get_coro().__qualname__  # type: ignore[union-attr]
        ]
        assert stray == [], stray
        # a submit cut off on the way out is confirmed over a window sized from the request
        # timeout (120 s by default) before it may be resent: shrink it for the test
        quick = ConfirmPolicy(min_window_s=0.2, in_flight_factor=0.002)
        async with TaskTracker.resume(
            client, path, submit_rate=None, query_rate=None, poll_policy=policy(0.2), confirm=quick
        ) as resumed:
            tasks = await resumed.gather()
    assert sorted(task.out_task_id for task in tasks) == sorted(ids)
    assert {task.status.value for task in tasks} == {"completed"}
    assert all(emu.state.submit_counts[oid] == 1 for oid in ids)


async def test_outer_cancellation_leaves_a_consistent_journal(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """Cancelling the code around a running tracker (as Ctrl-C does) stops it cleanly; every
    journal state is one resume can act on, and resuming pays for nothing twice."""
    emu = await emulator_factory(default_duration_s=0.2)
    path = tmp_path / "cancelled.db"
    async with client_for(emu) as client:
        with anyio.move_on_after(0.35) as scope:
            async with TaskTracker(
                client, journal=path, submit_rate=60.0, poll_policy=policy(0.2)
            ) as tracker:
                await tracker.submit_many(
                    {"model": MODEL, "params": {"prompt": f"p{n}"}, "out_task_id": f"c{n}"}
                    for n in range(30)
                )
                await tracker.gather()
        assert scope.cancelled_caught
        async with SQLiteJournal(path) as journal:
            counts = await journal.counts()
        assert counts[JobState.QUEUED] > 0  # it really was stopped mid-run
        assert counts[JobState.COMPLETED] + counts[JobState.PENDING] > 0
        quick = ConfirmPolicy(min_window_s=0.2, in_flight_factor=0.002)
        async with TaskTracker.resume(
            client, path, submit_rate=None, poll_policy=policy(0.2), confirm=quick
        ) as resumed:
            tasks = await resumed.gather()
    assert {task.status.value for task in tasks} == {"completed"}
    assert set(emu.state.submit_counts.values()) == {1}
    assert len(emu.state.submit_counts) == 30


async def test_completed_outputs_are_downloaded(emulator: RunningEmulator, tmp_path: Path) -> None:
    """With download_dir, each completed job's files are on disk and in the journal."""
    async with (
        client_for(emulator) as client,
        TaskTracker(client, download_dir=tmp_path, poll_policy=policy(0.05), **FAST) as tracker,
    ):
        handles = [await tracker.submit(MODEL, {"prompt": f"p{n}"}) for n in range(5)]
        await tracker.gather()
        for handle in handles:
            assert handle.downloaded
            assert all(p.stat().st_size > 0 for p in handle.downloaded)
            record = await tracker.journal.get(handle.out_task_id)
            assert record is not None
            assert record.downloaded == tuple(str(p) for p in handle.downloaded)
        other = await handles[0].download(tmp_path / "again")
        assert other[0].read_bytes() == handles[0].downloaded[0].read_bytes()


async def test_progress_is_reported_to_the_callback_and_the_iterator(
    emulator: RunningEmulator,
) -> None:
    """on_progress gets snapshots and a final one; credits match what the API charged."""
    snapshots: list[ProgressSnapshot] = []
    async with (
        client_for(emulator) as client,
        TaskTracker(
            client,
            on_progress=snapshots.append,
            progress_interval=0.05,
            poll_policy=policy(0.05),
            **FAST,
        ) as tracker,
    ):
        for n in range(10):
            await tracker.submit(MODEL, {"prompt": f"p{n}"})
        updates = [snap async for snap in tracker.progress_updates(interval=0.05)]
    assert updates[-1].done == updates[-1].total == 10
    final = snapshots[-1]
    assert final.completed == 10
    assert final.in_flight == 0
    assert final.eta_s == 0.0
    assert final.credits_used == pytest.approx(emulator.state.charged)
    assert final.credits_estimated == pytest.approx(emulator.state.charged)
    assert final.submits_sent == 10
    assert final.queries_sent >= 10
    assert "10/10 done" in str(final)


async def test_credit_totals_hold_when_submit_answers_are_lost(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    """A job whose submit answer was lost (confirmed by a query, which carries no estimate)
    counts its charge as its estimate, live and after a resume: used never exceeds estimated."""
    emulator.state.inject("reset_after", path="/api/openapi/submit", count=3)
    journal = tmp_path / "run.db"
    async with client_for(emulator) as client:
        async with client.tracker(journal=journal, poll_policy=policy(0.05), **FAST) as tracker:
            for n in range(6):
                await tracker.submit(MODEL, {"prompt": f"p{n}"})
            await tracker.gather()
            live = tracker.progress()
        async with TaskTracker.resume(client, journal, poll_policy=policy(0.05)) as resumed:
            await resumed.gather()
            again = resumed.progress()
    assert emulator.state.faults.pending_injections == 0
    for snapshot in (live, again):
        assert snapshot.completed == 6
        assert snapshot.credits_used == pytest.approx(emulator.state.charged)
        assert snapshot.credits_estimated == pytest.approx(emulator.state.charged)


async def test_a_tracker_is_used_once(emulator: RunningEmulator) -> None:
    """Entering a tracker twice, or using it outside its block, is a clear error."""
    async with client_for(emulator) as client:
        tracker = client.tracker()
        with pytest.raises(RuntimeError):
            await tracker.submit(MODEL, {"prompt": "x"})
        async with tracker:
            pass
        with pytest.raises(RuntimeError):
            async with tracker:
                pass


async def test_the_journal_keeps_each_jobs_timeline(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """submitted_at (first submit sent) <= processing_at (first answer saying processing) <=
    the final update: what the HTML report's timeline draws."""
    emu = await emulator_factory(default_duration_s=0.4)
    early = PollPolicy(fixed_duration_s=0.4, first_factor=0.5, error_delay_s=0.02)
    async with (
        client_for(emu) as client,
        TaskTracker(client, journal=tmp_path / "run.db", poll_policy=early) as tracker,
    ):
        for n in range(3):
            await tracker.submit(MODEL, {"prompt": f"p{n}"})
        await tracker.gather()
        records = await tracker.journal.records()
    for record in records:
        assert record.state is JobState.COMPLETED
        assert record.submitted_at is not None
        assert record.processing_at is not None
        assert record.created_at <= record.submitted_at <= record.processing_at
        assert record.processing_at <= record.updated_at


@pytest.mark.parametrize(
    ("max_connections", "submits", "queries", "expected"),
    [
        (100, 8, 16, (8, 16)),  # fits: as configured
        (10, 8, 16, (1, 9)),  # queries keep theirs, submits keep one
        (20, 8, 16, (4, 16)),
        (2, 4, 4, (1, 1)),
    ],
)
async def test_workers_fit_the_connection_pool_with_queries_first(
    emulator: RunningEmulator,
    max_connections: int,
    submits: int,
    queries: int,
    expected: tuple[int, int],
) -> None:
    """Worker pools larger than the client's connection pool are fitted into it: queries keep
    their connections (a due query never waits behind new submits for one), submits keep at
    least one; the run still finishes with the pool never over its limit."""
    async with (
        AsyncAIReiter(
            api_key=emulator.api_key, base_url=emulator.base_url, max_connections=max_connections
        ) as client,
        client.tracker(
            poll_policy=policy(0.05),
            submit_concurrency=submits,
            query_concurrency=queries,
            **FAST,
        ) as tracker,
    ):
        assert tracker._engine is not None
        assert tracker._engine.workers() == expected
        for n in range(30):
            await tracker.submit(MODEL, {"prompt": f"p{n}"})
        tasks = await tracker.gather()
    assert {t.status.value for t in tasks} == {"completed"}
