"""Fault injection over real sockets: every kind, forced and random."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest

from aireiter._constants import BALANCE_PATH, QUERY_PATH, SUBMIT_PATH
from aireiter.emulator import FaultConfig, RunningEmulator
from aireiter.emulator._faults import FaultPlan, path_matches
from tests.conftest import EmulatorFactory
from tests.emulator.conftest import PROMPT, Api

SUBMIT_BODY: dict[str, Any] = {"model": "gpt_4o", "params": PROMPT, "out_task_id": "f-1"}


async def _raw_submit(api: Api, body: dict[str, Any] = SUBMIT_BODY) -> aiohttp.ClientResponse:
    async with api.session.post(
        api.emulator.url(SUBMIT_PATH), json=body, headers=api.auth
    ) as response:
        await response.read()
        return response


async def test_error_5xx_does_not_create_the_task(api: Api) -> None:
    """error_5xx answers 500/503 JSON with a request id; the submit is not processed."""
    api.emulator.state.inject("error_5xx", path=SUBMIT_PATH)
    status, body, headers = await api.call("POST", SUBMIT_PATH, SUBMIT_BODY)
    assert status in (500, 503)
    assert body["statusCode"] == status
    assert headers["X-Request-Id"]
    state = api.emulator.state
    assert state.tasks == {}
    assert state.submit_requests["f-1"] == 0
    assert state.request_counts[("POST", SUBMIT_PATH)] == 1


async def test_rate_limit_sends_retry_after(emulator_factory: EmulatorFactory, http: Any) -> None:
    """rate_limit answers 429 with Retry-After in seconds; the request is not processed."""
    emu = await emulator_factory(faults=FaultConfig(retry_after_s=2.5))
    api = Api(http, emu)
    emu.state.inject("rate_limit", path=SUBMIT_PATH, count=2)
    for _ in range(2):
        status, body, headers = await api.call("POST", SUBMIT_PATH, SUBMIT_BODY)
        assert status == 429
        assert body["statusCode"] == 429
        assert headers["Retry-After"] == "2.5"
    assert emu.state.tasks == {}
    assert (await api.submit("f-1"))["statusCode"] == 200  # the injection is used up


async def test_reset_before_drops_without_processing(api: Api) -> None:
    """reset_before drops the connection: the client sees a connection error, no task exists."""
    api.emulator.state.inject("reset_before", path=SUBMIT_PATH)
    with pytest.raises(aiohttp.ClientConnectionError):
        await _raw_submit(api)
    state = api.emulator.state
    assert state.tasks == {}
    assert state.submit_requests["f-1"] == 0
    assert state.request_counts[("POST", SUBMIT_PATH)] == 1


async def test_reset_after_creates_the_task_but_drops_the_answer(api: Api) -> None:
    """reset_after processes the submit (the task exists), then drops the connection."""
    api.emulator.state.inject("reset_after", path=SUBMIT_PATH)
    with pytest.raises(aiohttp.ClientConnectionError):
        await _raw_submit(api)
    state = api.emulator.state
    assert state.submit_counts["f-1"] == 1
    assert state.submit_requests["f-1"] == 1
    assert (await api.query("f-1"))["data"]["out_task_id"] == "f-1"


async def test_malformed_creates_the_task_and_breaks_the_json(api: Api) -> None:
    """malformed answers HTTP 200 application/json that does not parse; the task exists."""
    api.emulator.state.inject("malformed", path=SUBMIT_PATH)
    async with api.session.post(
        api.emulator.url(SUBMIT_PATH), json=SUBMIT_BODY, headers=api.auth
    ) as response:
        raw = await response.read()
    assert response.status == 200
    assert response.content_type == "application/json"
    assert raw.startswith(b'{"statusCode":200')
    with pytest.raises(ValueError):
        json.loads(raw)
    assert api.emulator.state.submit_counts["f-1"] == 1


async def test_html_fault_is_the_marketing_page(api: Api) -> None:
    """html answers HTTP 200 text/html and does not process the request."""
    api.emulator.state.inject("html", path=QUERY_PATH)
    async with api.session.post(
        api.emulator.url(QUERY_PATH), json={"out_task_id": "x"}, headers=api.auth
    ) as response:
        text = await response.text()
    assert response.status == 200
    assert response.content_type == "text/html"
    assert "<html" in text
    assert api.emulator.state.query_counts["x"] == 0


async def test_latency_delays_the_answer(api: Api) -> None:
    """latency holds the request for the given seconds, then answers normally."""
    api.emulator.state.inject("latency", path=BALANCE_PATH, seconds=0.2)
    started = time.monotonic()
    envelope = await api.balance()
    assert time.monotonic() - started >= 0.19
    assert envelope["statusCode"] == 200


async def test_injection_without_path_uses_configured_paths(api: Api) -> None:
    """inject(kind) with no path hits the next request on any configured fault path only."""
    state = api.emulator.state
    state.inject("error_5xx")
    status, _, _ = await api.call("GET", "/files/none/0.png", headers={})
    assert status == 404  # not a fault path: untouched
    status, _, _ = await api.call("GET", BALANCE_PATH)
    assert status in (500, 503)
    assert state.faults.pending_injections == 0


async def test_random_faults_follow_the_seed(emulator_factory: EmulatorFactory, http: Any) -> None:
    """With rates set, faults hit about that share of requests, the same way for a seed."""

    async def statuses(emu: RunningEmulator) -> list[int]:
        api = Api(http, emu)
        return [(await api.call("POST", QUERY_PATH, {"out_task_id": "x"}))[0] for _ in range(60)]

    config = FaultConfig(error_rate=0.25, rate_limit_rate=0.25, retry_after_s=0, seed=7)
    first = await statuses(await emulator_factory(faults=config))
    second = await statuses(await emulator_factory(faults=config))
    assert first == second
    assert {200, 429} <= set(first)
    assert set(first) - {200, 429} <= {500, 503}
    assert 15 < sum(status != 200 for status in first) < 45


def test_unknown_kind_and_bad_count_are_refused() -> None:
    """inject() refuses a kind it does not know and a count below 1."""
    plan = FaultPlan(FaultConfig())
    with pytest.raises(ValueError, match="unknown fault kind"):
        plan.inject("teapot")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        plan.inject("html", count=0)


def test_paths_match_exactly_or_as_prefix() -> None:
    """A fault path covers itself and what lies under it, not look-alike siblings."""
    assert path_matches("/api/v1/chat/completions", "/api/v1")
    assert path_matches("/api/v1", "/api/v1/")
    assert path_matches("/api/openapi/submit", "/api/openapi/submit")
    assert not path_matches("/api/v10", "/api/v1")
    with pytest.raises(ValueError):
        FaultConfig(error_rate=0.6, malformed_rate=0.6)


async def _eventually(check: Any, deadline_s: float = 10.0) -> None:
    """Poll ``check()`` until it is true, failing after ``deadline_s``."""
    deadline = time.monotonic() + deadline_s
    while not check():
        assert time.monotonic() < deadline, "condition not reached before the deadline"
        await asyncio.sleep(0.01)


async def test_slow_record_is_recorded_after_the_client_gave_up(api: Api) -> None:
    """slow_record holds a submit, answers "not found" meanwhile, records it even after the
    client timed out and left."""
    state = api.emulator.state
    state.inject("slow_record", path=SUBMIT_PATH, count=1, seconds=0.5)
    with pytest.raises(asyncio.TimeoutError):
        async with api.session.post(
            api.emulator.url(SUBMIT_PATH),
            json={**SUBMIT_BODY, "out_task_id": "slow-1"},
            headers=api.auth,
            timeout=aiohttp.ClientTimeout(total=0.1),
        ) as response:
            await response.read()
    assert state.submit_requests["slow-1"] == 1
    assert state.submits_recorded["slow-1"] == 0
    _, body, _ = await api.call("POST", QUERY_PATH, {"out_task_id": "slow-1"})
    assert body == {"statusCode": 400, "message": "api task not found", "data": None}
    await _eventually(lambda: state.submits_recorded["slow-1"] == 1)
    assert (await api.query("slow-1"))["data"]["status"] in ("pending", "processing", "completed")
    assert state.tasks["slow-1"].estimated_credits == 10


async def test_slow_record_answers_a_patient_client(api: Api) -> None:
    """A client that waits out the hold gets the normal answer; only forced submits are held."""
    state = api.emulator.state
    state.inject("slow_record", path=SUBMIT_PATH, seconds=0.2)
    started = time.monotonic()
    envelope = await api.submit("slow-2")
    assert time.monotonic() - started >= 0.19
    assert envelope["statusCode"] == 200
    assert state.submits_recorded["slow-2"] == 1
    started = time.monotonic()
    assert (await api.submit("quick"))["statusCode"] == 200
    assert time.monotonic() - started < 0.19


async def test_slow_record_checks_the_request_after_the_hold(api: Api) -> None:
    """A held submit is judged when it is recorded: a duplicate id found then is a 409."""
    state = api.emulator.state
    state.inject("slow_record", path=SUBMIT_PATH, seconds=0.3)
    held = asyncio.ensure_future(api.submit("race"))
    await _eventually(lambda: state.submit_requests["race"] == 1)
    assert (await api.submit("race"))["statusCode"] == 200  # the resend overtakes the first
    assert (await held)["statusCode"] == 409
    assert state.submits_recorded["race"] == 1


async def test_random_slow_record_rate(emulator_factory: EmulatorFactory, http: Any) -> None:
    """slow_record_rate=1 holds every submit slow_record_s; a query is only delayed."""
    emu = await emulator_factory(faults=FaultConfig(slow_record_rate=1.0, slow_record_s=0.2))
    api = Api(http, emu)
    started = time.monotonic()
    assert (await api.submit("r-1"))["statusCode"] == 200
    assert time.monotonic() - started >= 0.19
    started = time.monotonic()
    assert (await api.query("r-1"))["statusCode"] == 200
    assert time.monotonic() - started >= 0.19
    assert emu.state.submits_recorded["r-1"] == 1


def test_slow_record_default_hold_and_bad_seconds() -> None:
    """An injected slow_record without seconds holds FaultConfig.slow_record_s; negative
    seconds are refused."""
    plan = FaultPlan(FaultConfig(slow_record_s=3.5))
    plan.inject("slow_record", path=SUBMIT_PATH)
    assert plan.pick(SUBMIT_PATH) == ("slow_record", 0.0, 3.5)
    with pytest.raises(ValueError, match="seconds"):
        plan.inject("latency", seconds=-1)
