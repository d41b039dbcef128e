"""Webhook callbacks: delivered to a local receiver, retried, and never sent off-machine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from aireiter.emulator import SCHEDULER_KEY, CallbackRecord, ManualClock, is_loopback_url
from tests.conftest import EmulatorFactory
from tests.emulator.conftest import Api


class Receiver:
    """A local webhook endpoint answering the queued statuses (then 200), recording bodies."""

    def __init__(self) -> None:
        self.url = ""
        self.statuses: list[int] = []
        self.bodies: list[Any] = []
        self.delivered = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200:
            self.delivered.set()
        return web.Response(status=status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A webhook receiver on a free loopback port."""
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    rec.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield rec
    await runner.cleanup()


async def _until(condition: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


async def test_callback_posts_the_query_data_when_the_task_finishes(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    """A finished task's query data is POSTed to its callback_url without any polling."""
    emu = await emulator_factory(default_duration_s=0.05)
    api = Api(http, emu)
    await api.submit("cb-1", callback_url=receiver.url, metadata={"job": 1})
    await asyncio.wait_for(receiver.delivered.wait(), 5)
    await _until(lambda: emu.state.callbacks_sent)
    body = receiver.bodies[0]
    assert body["out_task_id"] == "cb-1"
    assert body["status"] == "completed"
    assert body["metadata"] == {"job": 1}
    assert body["output"][0]["url"].startswith(emu.base_url + "/files/cb-1/")
    assert emu.state.callbacks_sent == [CallbackRecord("cb-1", "completed", 200)]
    assert emu.state.query_counts["cb-1"] == 0


async def test_failed_receiver_is_retried(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    """A 500 from the receiver is retried after a short backoff until a 2xx."""
    clock = ManualClock()
    emu = await emulator_factory(clock=clock, default_duration_s=1, callback_backoff_s=0.01)
    receiver.statuses = [500, 503]
    await Api(http, emu).submit("cb-2", model="sora2", callback_url=receiver.url)
    await asyncio.sleep(0)
    assert receiver.bodies == []  # not finished yet: nothing sent
    clock.advance(1)
    await asyncio.wait_for(receiver.delivered.wait(), 5)
    await _until(lambda: len(emu.state.callbacks_sent) == 3)
    assert [record.outcome for record in emu.state.callbacks_sent] == [500, 503, 200]
    assert len(receiver.bodies) == 3
    assert receiver.bodies[0] == receiver.bodies[2]


async def test_retries_stop_after_callback_attempts(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    """A receiver that keeps failing gets exactly callback_attempts POSTs."""
    emu = await emulator_factory(default_duration_s=0, callback_attempts=2, callback_backoff_s=0.01)
    receiver.statuses = [500, 500, 500]
    await Api(http, emu).submit("cb-3", params={"prompt": "FAIL_ME"}, callback_url=receiver.url)
    scheduler = emu.app[SCHEDULER_KEY]
    await _until(lambda: len(emu.state.callbacks_sent) == 2 and scheduler.pending == 0)
    assert emu.state.callbacks_sent == [
        CallbackRecord("cb-3", "failed", 500),
        CallbackRecord("cb-3", "failed", 500),
    ]
    assert receiver.bodies[0]["status"] == "failed"
    assert receiver.bodies[0]["error"]


async def test_unreachable_receiver_is_recorded_as_error(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """A connection error to the receiver is recorded and retried like a 5xx."""
    emu = await emulator_factory(default_duration_s=0, callback_attempts=2, callback_backoff_s=0.01)
    await Api(http, emu).submit("cb-4", callback_url="http://127.0.0.1:9/hook")
    await _until(lambda: len(emu.state.callbacks_sent) == 2)
    assert all(str(r.outcome).startswith("error: ") for r in emu.state.callbacks_sent)


async def test_non_loopback_callback_is_refused(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """A callback_url off this machine is accepted at submit but never contacted."""
    clock = ManualClock()
    emu = await emulator_factory(clock=clock, default_duration_s=1)
    api = Api(http, emu)
    envelope = await api.submit("cb-5", callback_url="https://example.com/hook")
    assert envelope["statusCode"] == 200
    clock.advance(1)  # settles at once: no query needed to notice the finish
    assert emu.state.callbacks_sent == [
        CallbackRecord("cb-5", "completed", "refused: non-loopback host")
    ]


def test_loopback_detection() -> None:
    """Only localhost, 127.0.0.0/8 and ::1 count as loopback."""
    assert is_loopback_url("http://localhost:1/x")
    assert is_loopback_url("http://127.0.0.1:8080/hook")
    assert is_loopback_url("http://127.9.9.9/")
    assert is_loopback_url("http://[::1]:80/")
    assert not is_loopback_url("http://10.0.0.1/")
    assert not is_loopback_url("http://localhost.example.com/")
    assert not is_loopback_url("not a url")
