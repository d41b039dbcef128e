"""The transport over real HTTP: errors, retries, timeouts, headers, secrets, sessions."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from aireiter import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncAIReiter,
    AuthenticationError,
    InternalServerError,
    RateLimitError,
    Timeout,
)
from aireiter._constants import BALANCE_PATH, QUERY_PATH
from aireiter.emulator import FaultConfig, RunningEmulator
from aireiter.testing import recorded_sleeps
from tests.conftest import EmulatorFactory

SECRET = "sk-live-0123456789abcdef-SECRET"


async def test_wrong_key_is_authentication_error(emulator: RunningEmulator) -> None:
    """HTTP 401 becomes AuthenticationError; the key appears nowhere in the error."""
    async with AsyncAIReiter(api_key=SECRET, base_url=emulator.base_url) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.balance()
    error = info.value
    assert error.status_code == 401
    assert error.http_status == 401
    assert error.request_id
    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    assert SECRET not in repr(error.body)


async def test_retry_after_is_honoured_then_succeeds(
    client: AsyncAIReiter, emulator_factory: EmulatorFactory, testing_sleeps: None
) -> None:
    """429s are retried after exactly the server's Retry-After, up to max_retries."""
    emu = await emulator_factory(faults=FaultConfig(retry_after_s=1.5))
    emu.state.inject("rate_limit", path=BALANCE_PATH, count=2)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as c:
        balance = await c.balance()
    assert balance.credits is not None
    assert recorded_sleeps() == [1.5, 1.5]
    assert emu.state.request_counts[("GET", BALANCE_PATH)] == 3


async def test_rate_limit_gives_up_after_max_retries(
    emulator_factory: EmulatorFactory, testing_sleeps: None
) -> None:
    """With more 429s than retries, RateLimitError is raised with the server's hint."""
    emu = await emulator_factory(faults=FaultConfig(retry_after_s=2.0))
    emu.state.inject("rate_limit", path=BALANCE_PATH, count=5)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url, max_retries=1) as c:
        with pytest.raises(RateLimitError) as info:
            await c.balance()
    assert info.value.retry_after == 2.0
    assert info.value.status_code == 429
    assert emu.state.request_counts[("GET", BALANCE_PATH)] == 2
    assert recorded_sleeps() == [2.0]


async def test_server_errors_are_retried_with_backoff(
    client: AsyncAIReiter, emulator: RunningEmulator, testing_sleeps: None
) -> None:
    """A 5xx on an idempotent call is retried with jittered backoff, then raised."""
    emulator.state.inject("error_5xx", path=BALANCE_PATH, count=3)
    with pytest.raises(InternalServerError) as info:
        await client.balance()
    assert info.value.status_code >= 500
    assert info.value.request_id
    sleeps = recorded_sleeps()
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.5
    assert 0 <= sleeps[1] <= 1.0
    assert emulator.state.request_counts[("GET", BALANCE_PATH)] == 3


async def test_connection_reset_is_retried(
    client: AsyncAIReiter, emulator: RunningEmulator, testing_sleeps: None
) -> None:
    """A dropped connection on a query is retried and then succeeds."""
    task = await client.tasks.submit("gpt_4o", {"prompt": "x"})
    emulator.state.inject("reset_before", path=QUERY_PATH, count=1)
    found = await client.tasks.query(task.out_task_id)
    assert found.out_task_id == task.out_task_id
    assert len(recorded_sleeps()) == 1


async def test_connection_reset_without_retries_is_connection_error(
    emulator: RunningEmulator,
) -> None:
    """With retries off, a reset surfaces as APIConnectionError that says it was sent."""
    emulator.state.inject("reset_before", path=BALANCE_PATH, count=1)
    async with AsyncAIReiter(
        api_key=emulator.api_key, base_url=emulator.base_url, max_retries=0
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.balance()
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.request_sent


async def test_refused_connection_is_not_marked_as_sent() -> None:
    """Nothing listening: APIConnectionError with request_sent False (safe to resend)."""
    async with AsyncAIReiter(api_key="k", base_url="http://127.0.0.1:9", max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.balance()
    assert info.value.request_sent is False


async def test_read_timeout_per_call(emulator_factory: EmulatorFactory) -> None:
    """A per-call timeout shorter than the server's latency raises APITimeoutError."""
    emu = await emulator_factory(faults=FaultConfig(latency_s=1.0, paths=(BALANCE_PATH,)))
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url, max_retries=0) as client:
        with pytest.raises(TimeoutError) as info:
            await client.balance(timeout=Timeout(total=0.2, connect=0.2, read=0.2))
    assert isinstance(info.value, APITimeoutError)


async def test_client_timeout_applies_by_default(emulator_factory: EmulatorFactory) -> None:
    """The client-wide timeout applies when a call gives none."""
    emu = await emulator_factory(faults=FaultConfig(latency_s=1.0, paths=(BALANCE_PATH,)))
    async with AsyncAIReiter(
        api_key=emu.api_key, base_url=emu.base_url, timeout=0.2, max_retries=0
    ) as client:
        with pytest.raises(APITimeoutError):
            await client.balance()


async def test_malformed_json_is_typed(client: AsyncAIReiter, emulator: RunningEmulator) -> None:
    """A truncated JSON body raises APIResponseValidationError, not JSONDecodeError."""
    emulator.state.inject("malformed", path=BALANCE_PATH, count=1)
    with pytest.raises(APIResponseValidationError) as info:
        await client.balance()
    assert info.value.status_code == 200
    assert info.value.content_type == "application/json"


async def test_html_page_for_wrong_method_is_typed(client: AsyncAIReiter) -> None:
    """The API's HTML answer to a wrong method becomes a typed error with a preview."""
    with pytest.raises(APIResponseValidationError) as info:
        await client._transport.request("POST", BALANCE_PATH, json_body={})
    assert info.value.content_type == "text/html"
    assert "<" in info.value.body_preview


@pytest.fixture
async def header_echo() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """A tiny local server that records request headers and answers a success envelope."""
    seen: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response(
            {"statusCode": 200, "message": "", "data": {"credits": 5}},
            headers={"X-Request-Id": "echo-1"},
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


async def test_auth_and_user_agent_headers(
    header_echo: tuple[str, list[dict[str, str]]],
) -> None:
    """Requests carry the bearer key, the SDK User-Agent and any default headers."""
    base_url, seen = header_echo
    async with AsyncAIReiter(
        api_key=SECRET, base_url=base_url, default_headers={"X-App": "demo"}
    ) as client:
        await client.balance()
    headers = seen[0]
    assert headers["Authorization"] == f"Bearer {SECRET}"
    assert headers["User-Agent"].startswith("aireiter-python/")
    assert headers["X-App"] == "demo"


async def test_environment_configures_the_client(
    header_echo: tuple[str, list[dict[str, str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """AIREITER_API_KEY and AIREITER_BASE_URL are used when no arguments are given."""
    base_url, seen = header_echo
    monkeypatch.setenv("AIREITER_API_KEY", "env-key-123456")
    monkeypatch.setenv("AIREITER_BASE_URL", base_url + "/api/v1/")
    async with AsyncAIReiter() as client:
        assert client.base_url == base_url
        await client.balance()
    assert seen[0]["Authorization"] == "Bearer env-key-123456"


async def test_key_never_logged(
    emulator: RunningEmulator, caplog: pytest.LogCaptureFixture, testing_sleeps: None
) -> None:
    """Debug logs of successes, retries and failures never contain the API key."""
    caplog.set_level(logging.DEBUG, logger="aireiter")
    emulator.state.inject("error_5xx", path=BALANCE_PATH, count=1)
    async with AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url) as client:
        await client.balance()
        assert emulator.api_key not in repr(client)
        assert emulator.api_key not in repr(client.config)
        assert emulator.api_key not in repr(client._transport)
    assert caplog.records, "expected debug logs"
    assert all(emulator.api_key not in record.getMessage() for record in caplog.records)
