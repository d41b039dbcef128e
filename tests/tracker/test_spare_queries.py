"""Spare queries: a query budget the schedule leaves unused finds jobs sooner, never more.

Against the emulator over HTTP with durations spread 0.8x-1.2x: once the run has learned a
model's durations, jobs are queried early with the budget nothing due wants (at most once per
``spare_query_step`` x the median per job), which cuts the detection lag; without a query
budget, with ``spare_query_step=None`` or with webhooks there are none.
"""

from __future__ import annotations

import statistics
import time

import pytest

from aireiter import AsyncAIReiter, TaskTimeoutError
from aireiter.emulator import RunningEmulator
from aireiter.tracker import PollPolicy, ProgressSnapshot, TaskTracker
from tests.conftest import EmulatorFactory
from tests.tracker.test_tracker import TimedCounter

MODEL = "seedream_v4_5"
DURATION_S = 0.5
JOBS = 100


async def run(
    emu: RunningEmulator,
    *,
    query_rate: float | None,
    step: float | None,
    prefix: str,
    ignore_lateness: bool = False,
) -> tuple[list[float], ProgressSnapshot]:
    """``JOBS`` jobs at 200 submits/s; the detection lag of each, as a share of the mean
    duration, and the run's last progress snapshot. ``ignore_lateness``: spare queries go
    on even when due queries go out late (a loaded test machine), to show what they do."""
    lags: list[float] = []
    policy = PollPolicy(fixed_duration_s=DURATION_S, error_delay_s=0.02, spare_query_step=step)
    async with (
        AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client,
        TaskTracker(
            client, submit_rate=200.0, query_rate=query_rate, poll_policy=policy
        ) as tracker,
    ):
        if ignore_lateness:
            assert tracker._engine is not None
            tracker._engine.spare_max_late_s = float("inf")
        for n in range(JOBS):
            await tracker.submit(MODEL, {"prompt": f"p{n}"}, out_task_id=f"{prefix}{n:04d}")
        async for task in tracker.as_completed():
            assert task.completed_at is not None
            lags.append((time.time() - task.completed_at.timestamp()) / DURATION_S)
        snapshot = tracker.progress()
    return lags, snapshot


@pytest.fixture
async def spread_emulator(emulator_factory: EmulatorFactory) -> RunningEmulator:
    """Tasks of 0.4-0.6 s, drawn evenly."""
    return await emulator_factory(default_duration_s=DURATION_S, duration_spread=0.2, seed=7)


async def test_spare_queries_find_jobs_sooner_within_the_budget(
    spread_emulator: RunningEmulator,
) -> None:
    """With room in the query budget the median lag drops well below the schedule's own,
    no 0.5 s window holds more queries than the budget allows, and no job is queried more
    than its window over the step allows (no hammering of one job)."""
    counter = TimedCounter()
    spread_emulator.state.request_counts = counter
    lags, snap = await run(
        spread_emulator, query_rate=800.0, step=0.05, prefix="s", ignore_lateness=True
    )
    baseline, base_snap = await run(spread_emulator, query_rate=800.0, step=None, prefix="b")

    assert snap.completed == JOBS
    assert base_snap.completed == JOBS
    assert snap.spare_queries > 0
    assert base_snap.spare_queries == 0
    assert statistics.median(lags) < 0.7 * statistics.median(baseline), (lags, baseline)

    queries = sorted(t for t, key in counter.times if key[1] == "/api/openapi/query")
    worst = max(sum(1 for t in queries if start <= t < start + 0.5) for start in queries)
    assert worst <= 800.0 * 0.5 + 800.0 * 0.03 + 3  # the budget plus its 30 ms bank
    # a job's spare window is about 0.2 s (0.4-0.6 s durations) at one query per 25 ms
    spare_ids = [n for n in spread_emulator.state.query_counts if n.startswith("s")]
    assert max(spread_emulator.state.query_counts[n] for n in spare_ids) <= 12


@pytest.mark.parametrize(
    ("query_rate", "step"),
    [(None, 0.05), (800.0, None)],
    ids=["no-query-budget", "turned-off"],
)
async def test_no_spare_queries_without_budget_or_when_off(
    spread_emulator: RunningEmulator, query_rate: float | None, step: float | None
) -> None:
    """No query budget means no spare budget: nothing but the schedule's own queries."""
    _lags, snap = await run(spread_emulator, query_rate=query_rate, step=step, prefix="n")
    assert snap.completed == JOBS
    assert snap.spare_queries == 0
    assert snap.queries_sent < 2.5 * JOBS


def test_the_step_is_checked() -> None:
    """A step outside (0, 1] is refused when the policy is made."""
    for bad in (0.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="spare_query_step"):
            PollPolicy(spare_query_step=bad)
    assert PollPolicy(spare_query_step=None).spare_query_step is None


@pytest.mark.parametrize("step", [0.05, None], ids=["spare", "no-spare"])
async def test_a_stuck_job_gets_no_more_queries_than_its_own_schedule(
    emulator_factory: EmulatorFactory, step: float | None
) -> None:
    """A job the API keeps "processing" long past the learned durations is left to its own
    backing-off schedule: spare queries stop once it has run 1.25x the 98th percentile, so
    it is not queried more often than with spare queries off."""
    emu = await emulator_factory(default_duration_s=0.1, duration_spread=0.2, seed=3)
    emu.state.force_status("stuck", "processing")
    policy = PollPolicy(fixed_duration_s=0.1, error_delay_s=0.02, spare_query_step=step)
    async with (
        AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client,
        TaskTracker(
            client, submit_rate=200.0, query_rate=200.0, task_timeout=2.0, poll_policy=policy
        ) as tracker,
    ):
        for n in range(30):
            await tracker.submit(MODEL, {"prompt": f"p{n}"}, out_task_id=f"ok{n}")
        stuck = await tracker.submit(MODEL, {"prompt": "stuck"}, out_task_id="stuck")
        with pytest.raises(TaskTimeoutError):
            await stuck.result()
        snapshot = tracker.progress()
    assert snapshot.completed == 30
    # Its own schedule over 2 s: about 10 queries (every 10 % of 0.1 s, growing 1.5x). Spare
    # queries add at most one per 5 ms step over its spare window (the 2nd percentile to
    # 1.25x the 98th: about 0.07 s, so about 14), never one per budget token until the
    # deadline (a budget of 200/s over 2 s).
    assert emu.state.query_counts["stuck"] <= (14 if step is None else 30)


async def test_the_lateness_gate_forgets_a_burst(spread_emulator: RunningEmulator) -> None:
    """Due queries that went out late pause spare queries only while they keep coming: once
    no due query has gone out for half a second the average is stale and spare queries may
    go again (a burst must not switch them off for the rest of the run)."""
    async with (
        AsyncAIReiter(api_key=spread_emulator.api_key, base_url=spread_emulator.base_url) as c,
        TaskTracker(c, poll_policy=PollPolicy(fixed_duration_s=DURATION_S)) as tracker,
    ):
        engine = tracker._engine
        assert engine is not None
        now = time.monotonic()
        engine.due_late, engine._due_late_at = 0.3, now  # a burst just went out late
        assert not engine._on_time(now)
        assert not engine._on_time(now + 0.4)
        assert engine._on_time(now + 0.6)  # nothing due went out since: stale, forgotten
        assert engine.due_late == 0.0
