"""What the unified client's chat adapter (``client.chat`` / ``client.responses``, and the
blocking twin's) makes of odd answers, over real HTTP from purpose-built servers on 127.0.0.1:

- an AIReiter envelope with a failing ``statusCode`` in HTTP 200 raises the typed error the
  task API raises for it, and JSON that is no chat completion / response is refused;
- no error keeps the API key a page echoed back;
- ``max_response_bytes`` holds (gzip counted after inflating), and ``timeout.total`` bounds a
  whole call that is not a stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

import aireiter
from aireiter import AsyncAIReiter
from tests.cli.conftest import cli_env, run_cli

KEY = "sk-live-VERYSECRET0123456789abcdef"
REQUEST_ID = "req_chat_answers"
MODEL = "gpt-4o"
COMPLETION: dict[str, Any] = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": MODEL,
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "hello"},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}
MiB = 1 << 20

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Served:
    """A running server: its base URL and what its handler counted."""

    def __init__(self) -> None:
        self.url = ""
        self.sent = 0  # body bytes the handler managed to write
        self.done = asyncio.Event()  # the handler returned (or failed writing)


@contextlib.asynccontextmanager
async def serve(make: Callable[[Served], Handler]) -> AsyncIterator[Served]:
    """A server on 127.0.0.1 answering every request with ``make(served)``."""
    served = Served()
    handler = make(served)

    async def answer(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        finally:
            served.done.set()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    served.url = f"http://127.0.0.1:{port}"
    try:
        yield served
    finally:
        await runner.cleanup()


def json_answer(body: Any, status: int = 200) -> Callable[[Served], Handler]:
    def make(served: Served) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.json_response(body, status=status, headers={"X-Request-Id": REQUEST_ID})

        return handler

    return make


def echo_key(kind: str) -> Callable[[Served], Handler]:
    """Answers 200 with the request's bearer key in the body: an HTML page, a JSON object that
    is no completion, or an envelope whose message holds it."""

    def make(served: Served) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            key = request.headers.get("Authorization", "").split(" ", 1)[-1]
            headers = {"X-Request-Id": f"rid-{key}"}
            if kind == "html":
                page = f"<html><body>signed in with {key}</body></html>"
                return web.Response(text=page, content_type="text/html", headers=headers)
            if kind == "json":
                return web.json_response({"detail": f"hello {key}"}, headers=headers)
            envelope = {"statusCode": 401, "message": f"{key} is not valid", "data": None}
            return web.json_response(envelope, headers=headers)

        return handler

    return make


async def chat(client: AsyncAIReiter, api: str, *, stream: bool = False, **options: Any) -> Any:
    """One chat or responses call; a stream is read to its end."""
    if api == "chat":
        messages: Any = [{"role": "user", "content": "x"}]
        answer: Any = await client.chat.completions.create(
            model=MODEL, messages=messages, stream=stream, **options
        )
    else:
        answer = await client.responses.create(model="gpt-5.5", input="x", stream=stream, **options)
    if stream:
        async with answer:
            return [event async for event in answer]
    return answer


def sync_chat(base_url: str, **client_options: Any) -> BaseException | Any:
    """A blocking ``AIReiter`` chat call: its answer, or the error it raised."""
    with aireiter.AIReiter(api_key=KEY, base_url=base_url, **client_options) as client:
        try:
            return client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "x"}]
            )
        except Exception as error:
            return error


APIS = [(api, stream) for api in ("chat", "responses") for stream in (False, True)]
ENVELOPES = [
    (433, "not enough credits", aireiter.InsufficientCreditsError),
    (401, "invalid api key", aireiter.AuthenticationError),
    (400, "api task not found", aireiter.NotFoundError),
    (429, "slow down", aireiter.RateLimitError),
    (500, "upstream failed", aireiter.InternalServerError),
]


# -- 1. business errors in HTTP 200 --------------------------------------------------------------
@pytest.mark.parametrize(("api", "stream"), APIS)
@pytest.mark.parametrize(("code", "message", "error_class"), ENVELOPES)
async def test_envelope_error_in_http_200_is_the_task_apis_error(
    api: str, code: int, message: str, error_class: type[aireiter.APIStatusError], *, stream: bool
) -> None:
    """``{"ok": true, "statusCode": 433, ...}`` with HTTP 200 (the API's documented form) is an
    InsufficientCreditsError on chat and responses, streamed or not, exactly as on the task
    API: same class, status, message and request id (it was an empty ChatCompletion)."""
    envelope = {"ok": True, "statusCode": code, "message": message, "data": None}
    async with (
        serve(json_answer(envelope)) as server,
        AsyncAIReiter(api_key=KEY, base_url=server.url, max_retries=0) as client,
    ):
        with pytest.raises(aireiter.APIStatusError) as on_chat:
            await chat(client, api, stream=stream)
        with pytest.raises(aireiter.APIStatusError) as on_tasks:
            await client.tasks.query("some-task")
    error, expected = on_chat.value, on_tasks.value
    assert type(error) is error_class
    assert type(expected) is error_class
    assert (error.status_code, error.http_status, error.request_id) == (code, 200, REQUEST_ID)
    assert error.message == expected.message == message
    assert error.body == envelope


async def test_blocking_client_raises_the_envelope_error_too() -> None:
    envelope = {"statusCode": 433, "message": "not enough credits", "data": None}
    async with serve(json_answer(envelope)) as server:
        error = await asyncio.to_thread(sync_chat, server.url, max_retries=0)
    assert type(error) is aireiter.InsufficientCreditsError
    assert (error.status_code, error.request_id) == (433, REQUEST_ID)
    assert "not enough credits" in str(error)


@pytest.mark.parametrize(
    "body",
    [
        {"hello": "world"},
        {"statusCode": 200, "message": "", "data": {"choices": []}},  # an envelope, no completion
        [1, 2, 3],
        "just a string",
    ],
)
@pytest.mark.parametrize("api", ["chat", "responses"])
async def test_json_that_is_no_completion_is_refused(api: str, body: Any) -> None:
    """JSON without ``choices`` (``output`` for responses) is an APIResponseValidationError
    with status and request id, not an empty model whose ``choices`` is None."""
    async with (
        serve(json_answer(body)) as server,
        AsyncAIReiter(api_key=KEY, base_url=server.url, max_retries=0) as client,
    ):
        with pytest.raises(aireiter.APIResponseValidationError) as caught:
            await chat(client, api)
    assert type(caught.value) is aireiter.APIResponseValidationError
    assert (caught.value.status_code, caught.value.request_id) == (200, REQUEST_ID)
    assert ("choices" if api == "chat" else "output") in str(caught.value)


async def test_an_error_object_in_http_200_is_typed() -> None:
    body = {"error": {"message": "model overloaded", "type": "rate_limit_error"}}
    async with (
        serve(json_answer(body)) as server,
        AsyncAIReiter(api_key=KEY, base_url=server.url, max_retries=0) as client,
    ):
        with pytest.raises(aireiter.RateLimitError, match="model overloaded"):
            await chat(client, "chat")


async def test_a_real_completion_still_passes() -> None:
    async with (
        serve(json_answer(COMPLETION)) as server,
        AsyncAIReiter(api_key=KEY, base_url=server.url, max_retries=0) as client,
    ):
        answer = await chat(client, "chat")
    assert answer.choices[0].message.content == "hello"


@pytest.mark.parametrize("json_mode", [False, True])
async def test_cli_chat_exits_1_on_an_envelope_error(*, json_mode: bool) -> None:
    """`aireiter chat hi` against a 433 envelope printed an empty line and exited 0."""
    envelope = {"ok": True, "statusCode": 433, "message": "not enough credits", "data": None}
    async with serve(json_answer(envelope)) as server:
        env = cli_env(AIREITER_BASE_URL=server.url, AIREITER_API_KEY=KEY)
        args = ("--json", "chat", "hi") if json_mode else ("chat", "hi")
        result = await run_cli(*args, env=env)
    assert result.code == 1
    assert result.stdout.strip() == ""
    assert "Traceback" not in result.stderr
    if json_mode:
        error = json.loads(result.stderr.strip().splitlines()[-1])["error"]
        assert error["type"] == "InsufficientCreditsError"
        assert "not enough credits" in error["message"]
    else:
        assert "InsufficientCreditsError" in result.stderr
        assert "not enough credits" in result.stderr


# -- 2. no key in errors --------------------------------------------------------------------------
def texts_of(error: BaseException) -> list[str]:
    """str, repr and the attributes of ``error`` and of each link of its chain."""
    texts: list[str] = []
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        link = todo.pop()
        if link is None or id(link) in seen:
            continue
        seen.add(id(link))
        texts += [str(link), repr(link), repr(vars(link)), repr(link.args)]
        todo += [link.__cause__, link.__context__]
    return texts


@pytest.mark.parametrize("kind", ["html", "json", "envelope"])
@pytest.mark.parametrize(("api", "stream"), APIS)
async def test_no_error_keeps_a_key_the_answer_echoed(api: str, kind: str, *, stream: bool) -> None:
    async with (
        serve(echo_key(kind)) as server,
        AsyncAIReiter(api_key=KEY, base_url=server.url, max_retries=0) as client,
    ):
        with pytest.raises(aireiter.AIReiterError) as caught:
            await chat(client, api, stream=stream)
    expected = (
        aireiter.AuthenticationError
        if kind == "envelope"
        else (aireiter.APIResponseValidationError)
    )
    assert type(caught.value) is expected
    texts = texts_of(caught.value)
    assert any("[REDACTED]" in text for text in texts)  # the echo was there, redacted
    assert not [text for text in texts if KEY in text]


@pytest.mark.parametrize("kind", ["html", "json", "envelope"])
async def test_no_blocking_error_keeps_the_key_either(kind: str) -> None:
    async with serve(echo_key(kind)) as server:
        error = await asyncio.to_thread(sync_chat, server.url, max_retries=0)
    assert isinstance(error, aireiter.AIReiterError)
    assert not [text for text in texts_of(error) if KEY in text]


# -- 3. answer size and whole-call deadline ------------------------------------------------------
def endless_json(total: int) -> Callable[[Served], Handler]:
    """A chunked JSON answer of ``total`` bytes (no Content-Length), counting what it sent."""

    def make(served: Served) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            await response.prepare(request)
            chunk = b"a" * (64 * 1024)
            with contextlib.suppress(ConnectionError):
                await response.write(b'{"x": "')
                while served.sent < total:
                    await response.write(chunk)
                    served.sent += len(chunk)
                await response.write(b'"}')
            return response

        return handler

    return make


def gzip_bomb(inflated: int, *, announce: bool) -> Callable[[Served], Handler]:
    """A gzip answer of ``inflated`` bytes once inflated (a few hundred KiB on the wire)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = b"0" * MiB
    parts = [packer.compress(b'{"x": "')]
    parts += [packer.compress(zeros) for _ in range(inflated // MiB)]
    parts.append(packer.compress(b'"}') + packer.flush())
    body = b"".join(parts)

    def make(served: Served) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
            if announce:
                return web.Response(body=body, headers=headers)
            response = web.StreamResponse(headers=headers)
            await response.prepare(request)
            with contextlib.suppress(ConnectionError):
                for start in range(0, len(body), 16 * 1024):
                    await response.write(body[start : start + 16 * 1024])
                    served.sent += 16 * 1024
            return response

        return handler

    return make


async def wait_for(event: asyncio.Event, timeout: float = 10.0) -> None:
    await asyncio.wait_for(event.wait(), timeout)


async def test_a_huge_chunked_answer_is_not_read_past_the_limit() -> None:
    """200 MiB of chunked JSON against max_response_bytes=1 MiB: ResponseTooLargeError, and
    the client closed the connection after a few MiB (socket buffers), not the whole body."""
    async with (
        serve(endless_json(200 * MiB)) as server,
        AsyncAIReiter(
            api_key=KEY, base_url=server.url, max_retries=0, max_response_bytes=MiB
        ) as client,
    ):
        started = time.monotonic()
        with pytest.raises(aireiter.ResponseTooLargeError) as caught:
            await chat(client, "chat")
        elapsed = time.monotonic() - started
        await wait_for(server.done)
    assert (caught.value.limit, caught.value.size, caught.value.status_code) == (MiB, None, 200)
    assert server.sent < 32 * MiB, server.sent
    assert elapsed < 5.0


async def test_an_announced_size_past_the_limit_is_refused_at_once() -> None:
    big = {**COMPLETION, "pad": "a" * (2 * MiB)}
    async with (
        serve(json_answer(big)) as server,
        AsyncAIReiter(
            api_key=KEY, base_url=server.url, max_retries=0, max_response_bytes=MiB
        ) as client,
    ):
        with pytest.raises(aireiter.ResponseTooLargeError) as caught:
            await chat(client, "responses")
    assert caught.value.size is not None
    assert caught.value.size > MiB


@pytest.mark.parametrize("announce", [False, True])
async def test_a_gzip_bomb_is_counted_after_inflating(*, announce: bool) -> None:
    """256 MiB inflated from ~256 KiB on the wire (chunked, or with its small Content-Length):
    ResponseTooLargeError, and the client's memory peak stays far below the inflated size."""
    async with (
        serve(gzip_bomb(256 * MiB, announce=announce)) as server,
        AsyncAIReiter(
            api_key=KEY, base_url=server.url, max_retries=0, max_response_bytes=MiB
        ) as client,
    ):
        tracemalloc.start()
        try:
            with pytest.raises(aireiter.ResponseTooLargeError) as caught:
                await chat(client, "chat")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert caught.value.limit == MiB
    assert peak < 48 * MiB, peak


async def test_a_small_gzip_answer_is_read() -> None:
    body = gzip.compress(json.dumps(COMPLETION).encode())

    def make(served: Served) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
            return web.Response(body=body, headers=headers)

        return handler

    async with (
        serve(make) as server,
        AsyncAIReiter(
            api_key=KEY, base_url=server.url, max_retries=0, max_response_bytes=1024
        ) as client,
    ):
        answer = await chat(client, "chat")
    assert answer.choices[0].message.content == "hello"


async def test_the_blocking_client_keeps_the_limit_too() -> None:
    async with serve(endless_json(200 * MiB)) as server:
        error = await asyncio.to_thread(
            sync_chat, server.url, max_retries=0, max_response_bytes=MiB
        )
        await wait_for(server.done)
    assert type(error) is aireiter.ResponseTooLargeError
    assert server.sent < 32 * MiB, server.sent


def drip(interval: float) -> Callable[[Served], Handler]:
    """Headers at once, then one byte of a completion every ``interval`` seconds."""

    def make(served: Served) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            await response.prepare(request)
            with contextlib.suppress(ConnectionError):
                for byte in json.dumps(COMPLETION).encode():
                    await response.write(bytes([byte]))
                    served.sent += 1
                    await asyncio.sleep(interval)
            return response

        return handler

    return make


async def test_a_dripping_answer_ends_at_the_total_timeout() -> None:
    """One byte every 0.1 s never trips the read timeout; ``total`` (1 s) ends the call, and a
    call's own ``timeout=`` number does the same for that call."""
    timeout = aireiter.Timeout(total=1.0, read=30.0)
    async with (
        serve(drip(0.1)) as server,
        AsyncAIReiter(api_key=KEY, base_url=server.url, max_retries=2, timeout=timeout) as client,
    ):
        for total, options in ((1.0, {}), (0.5, {"timeout": 0.5})):
            started = time.monotonic()
            with pytest.raises(aireiter.APITimeoutError) as caught:
                await chat(client, "chat", **options)
            elapsed = time.monotonic() - started
            assert total - 0.05 <= elapsed < total + 0.5, (total, elapsed)
            assert caught.value.kind == "timed out"


async def test_retries_stay_inside_the_total_timeout() -> None:
    """503 with Retry-After: 30 on every attempt: openai would wait 30 s before retrying; the
    call ends at ``total`` instead."""

    def make(served: Served) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            served.sent += 1
            return web.json_response({"message": "busy"}, status=503, headers={"Retry-After": "30"})

        return handler

    async with (
        serve(make) as server,
        AsyncAIReiter(api_key=KEY, base_url=server.url, max_retries=3, timeout=1.0) as client,
    ):
        started = time.monotonic()
        with pytest.raises(aireiter.APITimeoutError):
            await chat(client, "responses")
        elapsed = time.monotonic() - started
    assert server.sent == 1  # the first attempt came; the retry was still waiting
    assert elapsed < 1.5


async def test_a_stream_is_not_cut_by_the_total_timeout() -> None:
    """A stream has no total (only ``read``, the longest silence): events spread over 1.5 s
    with total=0.5 all arrive."""
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": MODEL,
        "choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": None}],
    }

    def make(served: Served) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await response.prepare(request)
            for _ in range(6):
                await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
                await asyncio.sleep(0.25)
            await response.write(b"data: [DONE]\n\n")
            return response

        return handler

    timeout = aireiter.Timeout(total=0.5, read=5.0)
    async with (
        serve(make) as server,
        AsyncAIReiter(api_key=KEY, base_url=server.url, max_retries=0, timeout=timeout) as client,
    ):
        events = await chat(client, "chat", stream=True)
    assert len(events) == 6


async def test_the_blocking_client_stops_reading_a_dripping_answer_at_total() -> None:
    timeout = aireiter.Timeout(total=1.0, read=30.0)
    async with serve(drip(0.1)) as server:
        started = time.monotonic()
        error = await asyncio.to_thread(sync_chat, server.url, max_retries=0, timeout=timeout)
        elapsed = time.monotonic() - started
    assert type(error) is aireiter.APITimeoutError
    assert 0.95 <= elapsed < 1.6, elapsed
