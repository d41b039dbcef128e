"""Outages (5xx, reset, silent) and forced statuses: whole-API faults on the emulator's clock."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

from aireiter._constants import BALANCE_PATH, QUERY_PATH, SUBMIT_PATH
from aireiter.emulator import ManualClock, RunningEmulator
from tests.conftest import EmulatorFactory
from tests.emulator.conftest import PROMPT, Api

BODY: dict[str, Any] = {"model": "gpt_4o", "params": PROMPT, "out_task_id": "o-1"}


async def _eventually(check: Any, deadline_s: float = 10.0) -> None:
    """Poll ``check()`` until it is true, failing after ``deadline_s``."""
    deadline = time.monotonic() + deadline_s
    while not check():
        assert time.monotonic() < deadline, "condition not reached before the deadline"
        await asyncio.sleep(0.01)


@pytest.fixture
def clock() -> ManualClock:
    """A clock that moves only when the test advances it."""
    return ManualClock()


@pytest.fixture
async def manual(emulator_factory: EmulatorFactory, clock: ManualClock) -> RunningEmulator:
    """An emulator on a manual clock; gpt_4o tasks take 10 s."""
    return await emulator_factory(clock=clock, durations={"gpt_4o": 10})


async def test_5xx_outage_fails_every_task_route_until_it_ends(
    manual: RunningEmulator, clock: ManualClock, http: aiohttp.ClientSession
) -> None:
    """A "5xx" outage answers 503 on submit, query and balance for its seconds, then clears."""
    api = Api(http, manual)
    manual.state.start_outage(30, kind="5xx")
    for method, path, body in (
        ("POST", SUBMIT_PATH, BODY),
        ("POST", QUERY_PATH, {"out_task_id": "o-1"}),
        ("GET", BALANCE_PATH, None),
    ):
        status, answer, headers = await api.call(method, path, body)
        assert status == 503, path
        assert answer["statusCode"] == 503
        assert headers["X-Request-Id"]
    assert manual.state.submit_requests["o-1"] == 0
    assert manual.state.tasks == {}
    clock.advance(29.9)
    assert (await api.call("GET", BALANCE_PATH))[0] == 503
    clock.advance(0.1)
    assert manual.state.outage_kind is None
    assert (await api.submit("o-1"))["statusCode"] == 200


async def test_outage_spares_other_routes_and_end_outage_ends_it(
    manual: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    """Only the task API is out; end_outage() restores it at once."""
    api = Api(http, manual)
    manual.state.start_outage(3600, kind="5xx")
    status, _, _ = await api.call("GET", "/files/none/0.png", headers={})
    assert status == 404
    manual.state.end_outage()
    assert (await api.balance())["statusCode"] == 200


async def test_reset_outage_drops_connections(
    manual: RunningEmulator, clock: ManualClock, http: aiohttp.ClientSession
) -> None:
    """A "reset" outage drops every task API connection without processing the request."""
    api = Api(http, manual)
    manual.state.start_outage(5, kind="reset")
    for _ in range(2):
        with pytest.raises(aiohttp.ClientConnectionError):
            await api.call("POST", SUBMIT_PATH, BODY)
    assert manual.state.submit_requests["o-1"] == 0
    assert manual.state.request_counts[("POST", SUBMIT_PATH)] == 2
    clock.advance(5)
    assert (await api.submit("o-1"))["statusCode"] == 200


async def test_silent_outage_holds_requests_until_it_ends(
    manual: RunningEmulator, clock: ManualClock, http: aiohttp.ClientSession
) -> None:
    """A "silent" outage accepts the request and answers nothing until the clock passes its
    end; the request is then handled."""
    api = Api(http, manual)
    manual.state.start_outage(60, kind="silent")
    held = asyncio.ensure_future(api.submit("o-1"))
    await _eventually(lambda: manual.state.request_counts[("POST", SUBMIT_PATH)] == 1)
    assert not held.done()
    assert manual.state.held_requests == 1
    assert manual.state.submit_requests["o-1"] == 0
    clock.advance(59)
    await asyncio.sleep(0)  # let the listener run: the outage is not over yet
    assert not held.done()
    clock.advance(1)
    assert (await asyncio.wait_for(held, 10))["statusCode"] == 200
    assert manual.state.submits_recorded["o-1"] == 1


async def test_silent_outage_forgets_a_client_that_left(
    manual: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    """A held request whose client timed out is dropped when the outage ends, never recorded."""
    api = Api(http, manual)
    manual.state.start_outage(60, kind="silent")
    with pytest.raises(asyncio.TimeoutError):
        async with http.post(
            manual.url(SUBMIT_PATH),
            json=BODY,
            headers=api.auth,
            timeout=aiohttp.ClientTimeout(total=0.1),
        ) as response:
            await response.read()
    await _eventually(lambda: manual.state.held_requests == 0)  # it noticed the client left
    manual.state.end_outage()
    assert (await api.submit("after"))["statusCode"] == 200
    assert (await api.query("after"))["statusCode"] == 200
    assert manual.state.submits_recorded["o-1"] == 0
    assert manual.state.submit_requests["o-1"] == 0


async def test_outage_on_the_real_clock_ends_by_itself(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """With the monotonic clock a silent outage ends after its seconds of wall time."""
    emu = await emulator_factory(default_duration_s=0.05)
    emu.state.start_outage(0.3, kind="silent")
    started = time.monotonic()
    assert (await Api(http, emu).balance())["statusCode"] == 200
    assert time.monotonic() - started >= 0.25


def test_outage_arguments_are_checked(clock: ManualClock) -> None:
    """start_outage refuses an unknown kind and a non-positive duration."""
    from aireiter.emulator import EmulatorConfig, EmulatorState

    state = EmulatorState(EmulatorConfig(clock=clock))
    with pytest.raises(ValueError, match="outage kind"):
        state.start_outage(5, kind="teapot")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seconds"):
        state.start_outage(0)


async def test_forced_status_is_reported_forever_and_never_charged(
    manual: RunningEmulator, clock: ManualClock, http: aiohttp.ClientSession
) -> None:
    """force_status makes queries report any status string for good: no outputs, no charge."""
    api = Api(http, manual)
    await api.submit("odd")
    await api.submit("normal")
    manual.state.force_status("odd", "cancelled")
    assert (await api.query("odd"))["data"]["status"] == "cancelled"
    clock.advance(1000)
    data = (await api.query("odd"))["data"]
    assert data["status"] == "cancelled"
    assert data["output"] == []
    assert data["completed_at"] is None
    assert data["credits_used"] == 0
    assert manual.state.task_status("odd") == "cancelled"
    assert (await api.query("normal"))["data"]["status"] == "completed"
    assert [entry.out_task_id for entry in manual.state.ledger] == ["normal"]


async def test_forced_status_may_precede_the_submit(
    manual: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    """A status forced for an id not submitted yet applies once it is."""
    api = Api(http, manual)
    manual.state.force_status("later", "timeout")
    await api.submit("later")
    assert (await api.query("later"))["data"]["status"] == "timeout"
