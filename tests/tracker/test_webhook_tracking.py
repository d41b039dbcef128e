"""Webhooks wired into the tracker: callbacks finish jobs, confirmed by one query each."""

from __future__ import annotations

import time

import aiohttp
import anyio
from aiohttp import web

from aireiter import AsyncAIReiter
from aireiter.emulator import RunningEmulator
from aireiter.tracker import JobState, PollPolicy, TaskTracker
from aireiter.webhooks import WebhookRouter
from tests.conftest import EmulatorFactory

MODEL = "seedream_v4_5"


async def wait_until(condition: object, seconds: float = 10.0) -> None:
    """Poll ``condition()`` until it is true or the deadline passes (then fail)."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        await anyio.sleep(0.01)


async def test_callbacks_finish_jobs_with_at_most_one_query_each(
    emulator_factory: EmulatorFactory,
) -> None:
    """With webhooks on, each job is resolved by its callback and one confirming query."""
    emu = await emulator_factory(default_duration_s=0.2)
    async with (
        AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client,
        TaskTracker(
            client,
            webhook=True,
            submit_rate=None,
            query_rate=None,
            poll_policy=PollPolicy(fixed_duration_s=0.2),
        ) as tracker,
    ):
        handles = [await tracker.submit(MODEL, {"prompt": f"p{n}"}) for n in range(50)]
        tasks = await tracker.gather()
        snapshot = tracker.progress()
    assert {task.status.value for task in tasks} == {"completed"}
    queries = [emu.state.query_counts[h.out_task_id] for h in handles]
    assert max(queries) <= 1, queries
    assert snapshot.callbacks_received == 50
    assert all(record.outcome == 200 for record in emu.state.callbacks_sent)


async def test_a_forged_callback_does_not_finish_a_job(emulator_factory: EmulatorFactory) -> None:
    """A callback claiming "completed" for a running job triggers a query, which says no."""
    emu = await emulator_factory(default_duration_s=30.0)
    async with (
        AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client,
        TaskTracker(client, webhook=True, poll_policy=PollPolicy(fixed_duration_s=30.0)) as t,
    ):
        handle = await t.submit(MODEL, {"prompt": "slow"})
        await wait_until(lambda: handle.state is JobState.PENDING)
        record = await t.journal.get(handle.out_task_id)
        assert record is not None
        assert record.callback_url
        forged = {
            "out_task_id": handle.out_task_id,
            "status": "completed",
            "output": [{"url": "http://127.0.0.1:9/evil.png"}],
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(record.callback_url, json=forged) as answer,
        ):
            assert answer.status == 200
        await wait_until(lambda: emu.state.query_counts[handle.out_task_id] == 1)
        await wait_until(lambda: not handle.busy)
        assert not handle.done
        assert handle.state is JobState.PENDING
        assert t.progress().callbacks_received == 1


async def test_a_router_mounted_in_the_users_app(emulator: RunningEmulator) -> None:
    """A WebhookRouter mounted in the user's own aiohttp app drives the tracker."""
    router = WebhookRouter()
    app = web.Application()
    app.router.add_post("/hooks/{token}/{out_task_id}", router.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
        async with (
            AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url) as client,
            client.tracker(
                webhook=router, webhook_base_url=base, poll_policy=PollPolicy(fixed_duration_s=0.05)
            ) as tracker,
        ):
            handles = [await tracker.submit(MODEL, {"prompt": f"p{n}"}) for n in range(5)]
            await tracker.gather()
    finally:
        await runner.cleanup()
    assert router.accepted == 5
    assert all(emulator.state.query_counts[h.out_task_id] <= 1 for h in handles)


async def test_lost_callbacks_are_covered_by_the_slow_poll(emulator: RunningEmulator) -> None:
    """When callbacks never arrive, the slowed-down polling still finishes every job."""
    async with (
        AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url) as client,
        client.tracker(
            webhook=WebhookRouter(),
            webhook_base_url="http://127.0.0.1:9/nobody-listens",
            poll_policy=PollPolicy(fixed_duration_s=0.05),
        ) as tracker,
    ):
        for n in range(5):
            await tracker.submit(MODEL, {"prompt": f"p{n}"})
        tasks = await tracker.gather()
        snapshot = tracker.progress()
    assert {task.status.value for task in tasks} == {"completed"}
    assert snapshot.callbacks_received == 0
    assert all(
        isinstance(r.outcome, str) or r.outcome != 200 for r in emulator.state.callbacks_sent
    )
