"""Failures named and bounded: connection errors say which host and what kind, one deadline
bounds a whole call (retries included), each retry is announced, answers are capped in size,
and a redirect is an error rather than a silent hop."""

from __future__ import annotations

import asyncio
import gzip
import logging
import socket
import sys
import time
import types
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import attrs
import pytest
from aiohttp import web

from aireiter import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncAIReiter,
    InternalServerError,
    ResponseTooLargeError,
    Timeout,
)
from aireiter._constants import BALANCE_PATH
from aireiter._transport._errors import describe_failure
from aireiter._transport._logging import RETRY_RECORD_ATTRIBUTE, RetryNotice
from aireiter.emulator import RunningEmulator
from aireiter.testing import recorded_sleeps

ENVELOPE = b'{"statusCode": 200, "message": "", "data": {"credits": 5}}'

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Start small aiohttp servers (``await serve(handler)`` -> base URL); all stopped after."""
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    yield start
    for runner in runners:
        await runner.cleanup()


@attrs.define
class Silent:
    """The silent server: its URL, the connections it accepted, a request arrived."""

    base_url: str = ""
    accepted: int = 0
    arrived: asyncio.Event = attrs.field(factory=asyncio.Event)


@pytest.fixture
async def silent() -> AsyncIterator[Silent]:
    """A server that accepts connections, reads a request on each and never answers."""
    stop = asyncio.Event()
    state = Silent()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.accepted += 1
        await reader.readuntil(b"\r\n\r\n")
        state.arrived.set()
        await stop.wait()
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    state.base_url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield state
    finally:
        stop.set()
        server.close()
        await server.wait_closed()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# -- connection errors name the host and the kind ------------------------------------------
async def test_refused_connection_names_host_and_kind() -> None:
    """Nothing listening: "Could not connect to 127.0.0.1:PORT (connection refused)"."""
    port = _free_port()
    async with AsyncAIReiter(
        api_key="k-123456789", base_url=f"http://127.0.0.1:{port}", max_retries=0
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.balance()
    error = info.value
    assert f"Could not connect to 127.0.0.1:{port} (connection refused)" in str(error)
    assert error.host == f"127.0.0.1:{port}"
    assert error.kind == "connection refused"
    assert error.request_sent is False


async def test_tls_to_a_plain_server_names_tls(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    """https:// to a plain-HTTP port fails as a TLS error naming the host, not sent."""

    async def ok(request: web.Request) -> web.Response:
        return web.Response(body=ENVELOPE, content_type="application/json")

    base_url = (await serve(ok)).replace("http://", "https://")
    async with AsyncAIReiter(api_key="k-123456789", base_url=base_url, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.balance()
    host = base_url.removeprefix("https://")
    assert f"Could not connect to {host} (TLS handshake failed)" in str(info.value)
    assert info.value.request_sent is False


async def test_silent_server_is_a_named_timeout(silent: Silent) -> None:
    """A server that never answers: APITimeoutError naming the host, "timed out"."""
    base_url = silent.base_url
    async with AsyncAIReiter(
        api_key="k-123456789",
        base_url=base_url,
        max_retries=0,
        timeout=Timeout(total=0.3, connect=0.3, read=0.3),
    ) as client:
        with pytest.raises(APITimeoutError) as info:
            await client.balance()
    host = base_url.removeprefix("http://")
    assert f"No answer from {host} (timed out" in str(info.value)
    assert info.value.host == host


async def test_reset_names_host_and_kind() -> None:
    """A server that hangs up after reading the request: the host and what happened."""

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with AsyncAIReiter(
            api_key="k-123456789", base_url=f"http://127.0.0.1:{port}", max_retries=0
        ) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.balance()
    finally:
        server.close()
        await server.wait_closed()
    assert f"127.0.0.1:{port} failed (server closed the connection)" in str(info.value)
    assert info.value.request_sent is True


@pytest.mark.parametrize(
    ("error", "kind", "sent"),
    [
        (
            aiohttp.ClientConnectorDNSError(
                types.SimpleNamespace(host="api.example", port=443, ssl=True),  # type: ignore[arg-type]
                OSError(-2, "Name or service not known"),
            ),
            "DNS lookup failed",
            False,
        ),
        (
            aiohttp.ClientConnectorError(
                types.SimpleNamespace(host="h", port=1, ssl=False),  # type: ignore[arg-type]
                ConnectionRefusedError(111, "refused"),
            ),
            "connection refused",
            False,
        ),
        (aiohttp.ConnectionTimeoutError("t"), "timed out connecting", False),
        (aiohttp.SocketTimeoutError("t"), "timed out reading the answer", True),
        (asyncio.TimeoutError(), "timed out", True),
        (aiohttp.ServerDisconnectedError(), "server closed the connection", True),
        (aiohttp.ClientPayloadError("cut"), "answer cut off", True),
        (ConnectionResetError(104, "reset"), "connection reset", True),
    ],
)
def test_failure_kinds(error: BaseException, kind: str, sent: bool) -> None:
    """Each aiohttp/OS failure maps to a kind in words and a conservative request_sent."""
    found_kind, found_sent, _ = describe_failure(error)
    assert found_kind == kind
    assert found_sent is sent


# -- one deadline per call ----------------------------------------------------------------
async def test_total_timeout_bounds_every_attempt_together(
    silent: Silent,
) -> None:
    """With many retries allowed, a silent host still fails within Timeout.total: the
    deadline covers every attempt and every backoff wait, not each attempt alone."""
    base_url = silent.base_url
    async with AsyncAIReiter(
        api_key="k-123456789",
        base_url=base_url,
        max_retries=10,
        timeout=Timeout(total=1.0, connect=1.0, read=0.3),
    ) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await client.balance()
        elapsed = time.monotonic() - started
    assert elapsed < 1.5, elapsed
    assert 1 <= silent.accepted <= 4


async def test_no_retry_that_cannot_start_before_the_deadline(
    serve: Callable[[Handler], Awaitable[str]], testing_sleeps: None
) -> None:
    """A Retry-After longer than the time left ends the call at once with the error, rather
    than sleeping past the deadline."""
    calls: list[int] = []

    async def busy(request: web.Request) -> web.Response:
        calls.append(1)
        return web.json_response({"message": "busy"}, status=503, headers={"Retry-After": "5"})

    base_url = await serve(busy)
    async with AsyncAIReiter(
        api_key="k-123456789", base_url=base_url, max_retries=3, timeout=2.0
    ) as client:
        with pytest.raises(InternalServerError):
            await client.balance()
    assert calls == [1]
    assert recorded_sleeps() == []


async def test_each_retry_is_logged_with_a_notice(
    client: AsyncAIReiter,
    emulator: RunningEmulator,
    caplog: pytest.LogCaptureFixture,
    testing_sleeps: None,
) -> None:
    """A retried 5xx leaves one INFO record "retrying in ... after HTTP 5xx" carrying a
    RetryNotice (what the CLI prints without -v)."""
    caplog.set_level(logging.INFO, logger="aireiter")
    emulator.state.inject("error_5xx", path=BALANCE_PATH, count=1)
    await client.balance()
    notices = [r for r in caplog.records if hasattr(r, RETRY_RECORD_ATTRIBUTE)]
    assert len(notices) == 1
    notice = getattr(notices[0], RETRY_RECORD_ATTRIBUTE)
    assert isinstance(notice, RetryNotice)
    assert notice.path == BALANCE_PATH
    assert notice.retry == 1
    assert notice.reason.startswith("HTTP 5")
    assert notices[0].getMessage().startswith("retrying in ")
    assert "after HTTP 5" in notices[0].getMessage()


# -- answers are capped -------------------------------------------------------------------
async def test_announced_large_answer_is_refused_unread(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    """A Content-Length past the cap (default 16 MiB) fails at once, before the body."""
    sent: list[int] = []

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = 150 * 1024 * 1024
        await response.prepare(request)
        for _ in range(4):
            await response.write(b" " * 65536)
            sent.append(1)
        return response

    base_url = await serve(huge)
    async with AsyncAIReiter(api_key="k-123456789", base_url=base_url, max_retries=0) as client:
        with pytest.raises(ResponseTooLargeError) as info:
            await client.balance()
    assert info.value.limit == 16 * 1024 * 1024
    assert info.value.size == 150 * 1024 * 1024
    assert "max_response_bytes" in str(info.value)


@pytest.mark.parametrize("mode", ["chunked", "gzip"])
async def test_unannounced_large_answer_is_cut_at_the_cap(
    serve: Callable[[Handler], Awaitable[str]], mode: str
) -> None:
    """A chunked body, or a small gzip body that inflates past the cap, stops being read at
    ``max_response_bytes``; an answer under the cap still parses."""
    size = {"n": 2 * 1024 * 1024}

    async def big(request: web.Request) -> web.StreamResponse:
        body = b'{"statusCode": 200, "data": {"credits": 5}}' + b" " * size["n"]
        if mode == "gzip":
            return web.Response(
                body=gzip.compress(body),
                headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            )
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), 65536):
            await response.write(body[start : start + 65536])
        await response.write_eof()
        return response

    base_url = await serve(big)
    async with AsyncAIReiter(
        api_key="k-123456789",
        base_url=base_url,
        max_retries=0,
        max_response_bytes=1024 * 1024,
    ) as client:
        with pytest.raises(ResponseTooLargeError) as info:
            await client.balance()
        assert info.value.size is None
        size["n"] = 900 * 1024
        assert (await client.balance()).credits == 5


async def test_redirect_is_an_error_not_followed(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    """A 302 is not followed (the key would go along): a status error that names base_url."""
    calls: list[str] = []

    async def moved(request: web.Request) -> web.Response:
        calls.append(request.path)
        return web.Response(status=302, headers={"Location": "https://elsewhere.example/x"})

    base_url = await serve(moved)
    async with AsyncAIReiter(api_key="k-123456789", base_url=base_url, max_retries=0) as client:
        with pytest.raises(APIStatusError) as info:
            await client.balance()
    assert info.value.status_code == 302
    assert "base_url" in str(info.value)
    assert calls == [BALANCE_PATH]


# -- the loop's deadline timer --------------------------------------------------------------
async def test_a_deadline_leaves_no_cancellation_behind(silent: Silent) -> None:
    """An attempt ended by its deadline raises APITimeoutError and leaves the task clean: no
    pending cancellation, nothing counted as cancelling (3.11+), later awaits run."""
    base_url = silent.base_url
    async with AsyncAIReiter(
        api_key="k-123456789",
        base_url=base_url,
        max_retries=0,
        timeout=Timeout(total=0.2, connect=0.2, read=0.2),
    ) as client:
        with pytest.raises(APITimeoutError):
            await client.balance()
        await asyncio.sleep(0.01)
        task = asyncio.current_task()
        assert task is not None
        if sys.version_info >= (3, 11):
            assert task.cancelling() == 0


async def test_callers_cancellation_is_never_swallowed(silent: Silent) -> None:
    """Cancelling a call in flight cancels it (CancelledError), with or without a deadline
    due at the same time; an outer timeout of the caller's works around the SDK's."""
    base_url = silent.base_url
    async with AsyncAIReiter(
        api_key="k-123456789",
        base_url=base_url,
        max_retries=0,
        timeout=Timeout(total=0.15, connect=1.0, read=0.15),
    ) as client:
        call = asyncio.ensure_future(client.balance())
        await asyncio.wait_for(silent.arrived.wait(), 5)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(client.balance(timeout=5.0), 0.1)
        assert time.monotonic() - started < 1.0


async def test_deadline_entries_do_not_pile_up(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    """Finished requests' deadlines are dropped: after hundreds of calls the loop's deadline
    heap holds a bounded number of entries, not one per call made."""

    async def ok(request: web.Request) -> web.Response:
        return web.Response(body=ENVELOPE, content_type="application/json")

    base_url = await serve(ok)
    async with AsyncAIReiter(api_key="k-123456789", base_url=base_url) as client:
        await asyncio.gather(*(client.balance() for _ in range(400)))
        binding = client._transport._current
        assert binding is not None
        assert len(binding.deadlines._heap) <= 200
