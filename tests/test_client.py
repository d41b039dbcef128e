"""Client lifecycle: lazy session, clean close, clear errors on misuse."""

from __future__ import annotations

import asyncio
import gc
import queue
import threading
import warnings
from collections.abc import AsyncIterator, Iterator

import pytest
from aiohttp import web

from aireiter import (
    AIReiter,
    AsyncAIReiter,
    AuthenticationError,
    ClientClosedError,
    ConfigurationError,
    InternalServerError,
    ParamError,
    Timeout,
)
from aireiter.emulator import RunningEmulator


def test_missing_key_is_a_configuration_error() -> None:
    """No key anywhere: ConfigurationError naming AIREITER_API_KEY, before any I/O; not a
    fake 401."""
    with pytest.raises(ConfigurationError, match="AIREITER_API_KEY") as info:
        AsyncAIReiter()
    assert not isinstance(info.value, AuthenticationError)
    assert info.value.setting == "api_key"
    assert info.value.env == "AIREITER_API_KEY"
    with pytest.raises(ConfigurationError):
        AsyncAIReiter(api_key="  ")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"base_url": "aireiter.com"}, "base_url"),
        ({"base_url": 42}, "base_url"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": "3"}, "max_retries"),
        ({"max_connections": 0}, "max_connections"),
        ({"max_connections": None}, "max_connections"),
        ({"max_response_bytes": 10}, "max_response_bytes"),
        ({"timeout": -1}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": "30"}, "timeout"),
        ({"default_headers": ["X-A"]}, "default_headers"),
        ({"api_key": 12345678}, "api_key"),
        ({"api_key": "sk-123456\n"}, "api_key"),
        ({"proxy": "socks5://127.0.0.1:1080"}, "proxy"),
        ({"proxy": "127.0.0.1:3128"}, "proxy"),
        ({"proxy": 3128}, "proxy"),
        ({"ssl": "yes"}, "ssl"),
        ({"trust_env": "1"}, "trust_env"),
        ({"http_session": object()}, "http_session"),
    ],
)
def test_bad_settings_are_param_errors(arguments: dict[str, object], field: str) -> None:
    """Every bad client argument is a ParamError naming it (never a ValueError/TypeError
    from deeper down), raised before any request."""
    options: dict[str, object] = {"api_key": "k-123456789", **arguments}
    with pytest.raises(ParamError) as info:
        AsyncAIReiter(**options)  # type: ignore[arg-type]
    assert info.value.field == field
    assert "123456789" not in str(info.value)


def test_bad_timeout_object_is_a_param_error() -> None:
    """A Timeout with a negative or non-numeric field is refused where it is made."""
    with pytest.raises(ParamError) as info:
        Timeout(total=-1)
    assert info.value.field == "Timeout.total"
    with pytest.raises(ParamError):
        Timeout(read="60")  # type: ignore[arg-type]


def test_construction_does_no_io() -> None:
    """A client can be built outside any event loop; the session comes later."""
    client = AsyncAIReiter(api_key="k")
    assert client._transport._session is None


async def test_close_is_idempotent_and_final(emulator: RunningEmulator) -> None:
    """aclose() closes the session; a second close is harmless; reuse is a clear error."""
    client = AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url)
    await client.balance()
    session = client._transport._session
    assert session is not None
    assert not session.closed
    await client.aclose()
    await client.aclose()
    assert session.closed
    assert client.is_closed
    with pytest.raises(ClientClosedError, match="closed") as info:
        await client.balance()
    assert isinstance(info.value, RuntimeError)


async def test_context_manager_closes_on_error(emulator: RunningEmulator) -> None:
    """Leaving ``async with`` by an exception still closes the session."""
    client = AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url)

    async def use_then_fail() -> None:
        async with client:
            await client.balance()
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await use_then_fail()
    assert client.is_closed


async def test_no_unclosed_session_warning(emulator: RunningEmulator) -> None:
    """A used and closed client leaves no ResourceWarning behind."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url) as client:
            await client.balance()
        del client
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


# -- more than one event loop --------------------------------------------------------------
@pytest.fixture
def thread_server() -> Iterator[str]:
    """A balance-answering aiohttp server on its own loop in a background thread, so that
    synchronous tests can drive clients with ``asyncio.run``."""
    ready: queue.Queue[str] = queue.Queue()
    loop = asyncio.new_event_loop()

    async def balance(request: web.Request) -> web.Response:
        return web.json_response({"statusCode": 200, "message": "", "data": {"credits": 5}})

    async def start() -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/api/openapi/balance", balance)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner

    def run() -> None:
        asyncio.set_event_loop(loop)
        runner = loop.run_until_complete(start())
        ready.put(f"http://127.0.0.1:{runner.addresses[0][1]}")
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield ready.get(timeout=10)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


def test_client_works_across_two_asyncio_runs(thread_server: str) -> None:
    """One client, two ``asyncio.run`` calls: both work (no "Event loop is closed"), and the
    first loop's connections were closed when that loop shut down."""
    client = AsyncAIReiter(api_key="k-123456789", base_url=thread_server)
    first = asyncio.run(client.balance())
    binding = client._transport._current
    assert binding is not None
    assert binding.session.closed  # closed by the first loop's shutdown, not leaked
    assert client._transport._session is None
    second = asyncio.run(client.balance())
    assert first.credits == second.credits == 5
    assert client._transport._current is not binding
    asyncio.run(client.aclose())
    assert client.is_closed


async def test_client_shared_with_a_loop_in_another_thread(emulator: RunningEmulator) -> None:
    """A loop in another thread may use the same client while this loop does: each loop gets
    its own pool; both work, and aclose() leaves nothing open."""
    client = AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url)
    await client.balance()

    def in_thread() -> float | None:
        return asyncio.run(client.balance()).credits

    mine, theirs = await asyncio.gather(client.balance(), asyncio.to_thread(in_thread))
    assert mine.credits == theirs
    assert (await client.balance()).credits == mine.credits
    session = client._transport._session
    await client.aclose()
    assert session is not None
    assert session.closed


# -- close(), with_options() ---------------------------------------------------------------
async def test_close_is_a_coroutine_like_aclose(emulator: RunningEmulator) -> None:
    """``await client.close()`` closes the pool, as aclose() and ``async with`` do; a second
    close is harmless."""
    client = AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url)
    await client.balance()
    session = client._transport._session
    await client.close()
    await client.close()
    assert session is not None
    assert session.closed
    assert client.is_closed


class RecordingServer:
    """A balance route that records each request's headers and client port, and answers 503
    to the first ``failures`` requests."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], int]] = []
        self.failures = 0

    async def balance(self, request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.requests.append((dict(request.headers), peer[1] if peer else 0))
        if self.failures:
            self.failures -= 1
            return web.json_response({"message": "busy"}, status=503)
        return web.json_response({"statusCode": 200, "message": "", "data": {"credits": 5}})


@pytest.fixture
async def recording_server() -> AsyncIterator[tuple[str, RecordingServer]]:
    """A :class:`RecordingServer` on 127.0.0.1."""
    server = RecordingServer()
    app = web.Application()
    app.router.add_get("/api/openapi/balance", server.balance)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", server
    finally:
        await runner.cleanup()


@pytest.mark.usefixtures("testing_sleeps")
async def test_with_options_changes_settings_and_shares_the_pool(
    recording_server: tuple[str, RecordingServer],
) -> None:
    """A copy made by with_options() sends with its own headers, retries and timeout over the
    origin's pool (the very same keep-alive connection), and leaves the origin unchanged."""
    url, server = recording_server
    async with AsyncAIReiter(
        api_key="k-123456789", base_url=url, default_headers={"X-App": "demo"}
    ) as client:
        copy = client.with_options(timeout=5, max_retries=0, default_headers={"X-Team": "render"})
        assert copy.config.timeout.total == 5
        assert copy.config.max_retries == 0
        assert copy.config.default_headers == {"X-App": "demo", "X-Team": "render"}
        assert client.config.max_retries == 2
        await client.balance()
        await copy.balance()
        await client.balance()
        (first, port1), (second, port2), (third, port3) = server.requests
        assert port1 == port2 == port3  # one connection: the copy used the origin's pool
        assert copy._transport._session is client._transport._session
        assert second["X-Team"] == "render"
        assert second["X-App"] == "demo"
        assert second["Authorization"] == "Bearer k-123456789"
        assert "X-Team" not in first
        assert "X-Team" not in third
        server.failures = 1
        with pytest.raises(InternalServerError):
            await copy.balance()  # max_retries=0: one attempt
        server.failures = 1
        assert (await client.balance()).credits == 5  # the origin retried
        again = copy.with_options(max_retries=1)
        assert again.config.default_headers["X-Team"] == "render"  # a copy of a copy
        assert again._origin is client


async def test_closing_a_copy_leaves_the_pool_open(
    recording_server: tuple[str, RecordingServer],
) -> None:
    """close() or ``async with`` on a copy closes nothing: the origin and other copies go
    on; closing the origin ends the copies too (a clear error)."""
    url, _server = recording_server
    client = AsyncAIReiter(api_key="k-123456789", base_url=url)
    copy = client.with_options(timeout=30)
    async with copy:
        await copy.balance()
    await copy.close()
    assert not copy.is_closed
    session = client._transport._session
    assert session is not None
    assert not session.closed
    assert (await client.balance()).credits == 5
    assert (await copy.balance()).credits == 5
    await client.close()
    assert session.closed
    assert copy.is_closed
    with pytest.raises(RuntimeError, match="closed"):
        await copy.balance()


async def test_a_copy_chats_through_the_origins_adapter(emulator: RunningEmulator) -> None:
    """A copy's chat adapter is the origin's with the copy's settings: one httpx pool, and
    closing the copy leaves it open."""
    async with AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url) as client:
        copy = client.with_options(max_retries=0, default_headers={"X-Team": "chat"})
        assert copy.openai._client is client.openai._client
        assert copy.openai.max_retries == 0
        assert copy.openai.default_headers["X-Team"] == "chat"
        answer = await copy.chat.completions.create(
            model="gpt-5.5", messages=[{"role": "user", "content": "hi"}]
        )
        assert answer.choices[0].message.content
        await copy.close()
        assert not client.openai._client.is_closed


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"timeout": -1}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": "2"}, "max_retries"),
        ({"default_headers": {"X": 1}}, "default_headers"),
    ],
)
def test_bad_with_options_are_param_errors(arguments: dict[str, object], field: str) -> None:
    """with_options() checks its arguments like the constructor does."""
    client = AsyncAIReiter(api_key="k-123456789")
    with pytest.raises(ParamError) as info:
        client.with_options(**arguments)  # type: ignore[arg-type]
    assert info.value.field == field


def test_blocking_with_options_shares_the_loop_and_the_pool(thread_server: str) -> None:
    """AIReiter.with_options() gives a blocking copy on the same loop thread and pool;
    closing the copy leaves the origin working."""
    with AIReiter(api_key="k-123456789", base_url=thread_server) as client:
        copy = client.with_options(max_retries=0)
        assert isinstance(copy, AIReiter)
        assert copy.config.max_retries == 0
        assert copy.balance().credits == client.balance().credits == 5
        assert copy.async_client._transport._session is client.async_client._transport._session
        copy.close()
        assert client.balance().credits == 5
