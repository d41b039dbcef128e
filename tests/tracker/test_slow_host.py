"""A slow API is not a missing host: requests that time out after they were sent stop a run
only while the API has never answered, and the stop says what it saw. Once the API has
answered (a balance request, as ``aireiter batch``'s pre-flight makes), timeouts are waited
out: the submits the API recorded late are confirmed by query, each sent once.

Against the emulator over HTTP, its submits held 1 s past the client's 0.3 s timeout and its
first queries slowed past it too.
"""

from __future__ import annotations

import pytest

from aireiter import AsyncAIReiter, RunAbortedError
from aireiter._confirm import ConfirmPolicy
from aireiter.tracker import PollPolicy, TaskTracker
from tests.conftest import EmulatorFactory

MODEL = "seedream_v4_5"
POLICY = PollPolicy(fixed_duration_s=0.1, error_delay_s=0.02)
CONFIRM = ConfirmPolicy(min_window_s=1.5, in_flight_factor=1.0)
JOBS = 4


@pytest.mark.parametrize("answered_first", [True, False], ids=["after-balance", "never-answered"])
async def test_submits_that_time_out_after_sending(
    emulator_factory: EmulatorFactory, answered_first: bool
) -> None:
    """Every submit held past the timeout: after a balance answer the run waits them out
    and completes each job with one recorded submit; with no answer ever, the run stops
    naming a server that never answered in time (not "cannot reach"), nothing sent twice."""
    emu = await emulator_factory(default_duration_s=0.1)
    emu.state.inject("slow_record", path="/api/openapi/submit", count=JOBS, seconds=1.0)
    emu.state.inject("latency", path="/api/openapi/query", count=2 * JOBS, seconds=1.0)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url, timeout=0.3) as client:
        if answered_first:
            await client.balance()
        async with TaskTracker(client, poll_policy=POLICY, confirm=CONFIRM) as tracker:
            for n in range(JOBS):
                await tracker.submit(MODEL, {"prompt": f"p{n}"}, out_task_id=f"slow-{n}")
            if answered_first:
                tasks = await tracker.gather()
                assert [t.status.value for t in tasks] == ["completed"] * JOBS
            else:
                with pytest.raises(RunAbortedError, match="never answered in time"):
                    await tracker.gather()
    assert all(emu.state.submit_requests[f"slow-{n}"] == 1 for n in range(JOBS))
    assert all(emu.state.submits_recorded[f"slow-{n}"] <= 1 for n in range(JOBS))
