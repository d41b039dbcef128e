"""A thousand jobs through 10 % injected faults: nothing lost, nothing paid twice."""

from __future__ import annotations

from collections import Counter

import pytest

from aireiter import AsyncAIReiter
from aireiter._confirm import ConfirmPolicy
from aireiter.emulator import EmulatorConfig, FaultConfig
from aireiter.tracker import JobState, PollPolicy, TaskTracker
from tests.conftest import EmulatorFactory

MODEL = "seedream_v4_5"
JOBS = 1000


async def test_thousand_jobs_through_faults_end_as_the_emulator_decided(
    emulator_factory: EmulatorFactory,
) -> None:
    """Every job ends completed/failed as the emulator decided, each out_task_id was created
    exactly once, and the credits in the journal equal the emulator's ledger."""
    faults = FaultConfig.uniform(0.10, retry_after_s=0.05, seed=7)  # 5xx, 429, resets, broken
    config = EmulatorConfig(default_duration_s=0.2, failure_rate=0.1, faults=faults, seed=3)
    emu = await emulator_factory(config)
    ids = [f"job-{n:04d}" for n in range(JOBS)]
    async with (
        AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client,
        TaskTracker(
            client,
            max_in_flight=400,
            submit_rate=None,
            query_rate=None,
            poll_policy=PollPolicy(fixed_duration_s=0.2, error_delay_s=0.02),
            confirm=ConfirmPolicy(min_window_s=0.3, in_flight_factor=1.0),
        ) as tracker,
    ):
        await tracker.submit_many(
            {"model": MODEL, "params": {"prompt": f"p{n}"}, "out_task_id": oid}
            for n, oid in enumerate(ids)
        )
        tasks = await tracker.gather()
        records = {r.out_task_id: r for r in await tracker.journal.records()}
        snapshot = tracker.progress()
    state = emu.state
    # the faults really happened, on both endpoints
    assert state.request_counts[("POST", "/api/openapi/submit")] > JOBS * 1.03
    assert state.request_counts[("POST", "/api/openapi/query")] > JOBS * 1.03
    # every job created exactly once on the API side; no submit was even repeated once the
    # API had processed one (an unsure submit is confirmed by a query, not sent again)
    assert set(state.submit_counts) == set(ids)
    assert set(state.submit_counts.values()) == {1}
    assert set(state.submit_requests.values()) == {1}
    # ... and ended as the emulator decided
    assert [t.out_task_id for t in tasks] == ids
    for task in tasks:
        expected = "failed" if state.tasks[task.out_task_id].fails else "completed"
        assert task.status.value == expected, task
        assert records[task.out_task_id].state.value == expected
    fates = Counter(task.status.value for task in tasks)
    assert fates["failed"] > 0
    assert fates["completed"] > 0
    # credits reconcile with the ledger, job by job
    ledger = {entry.out_task_id: entry.credits for entry in state.ledger}
    journal_credits = {
        oid: r.credits_used for oid, r in records.items() if r.state is JobState.COMPLETED
    }
    assert journal_credits == pytest.approx(ledger)
    assert snapshot.credits_used == pytest.approx(state.charged)
    assert snapshot.completed == fates["completed"]
    assert snapshot.failed == fates["failed"]
