"""``client.messages``: Claude Messages on the core transport, against the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import typing
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import attrs
import hypothesis
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aireiter import (
    AIReiterError,
    APIResponseValidationError,
    APIStatusError,
    AsyncAIReiter,
    AuthenticationError,
    InsufficientCreditsError,
    InternalServerError,
    ParamError,
    RateLimitError,
)
from aireiter._transport import APIResponse
from aireiter.emulator import RunningEmulator
from aireiter.emulator._chat import CHAT_STATE_KEY
from aireiter.resources._messages_answers import checked_answer
from aireiter.resources.messages import AsyncMessageStream
from aireiter.testing import clear_recorded_sleeps, recorded_sleeps
from aireiter.types.messages import (
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    InputJSONDelta,
    Message,
    MessageAccumulator,
    MessageDeltaEvent,
    MessageParam,
    MessageStartEvent,
    MessageStreamEvent,
    TextBlock,
    TextDelta,
    ToolParam,
    ToolUseBlock,
    UnknownEvent,
    parse_event,
    parse_message,
)

_EVENT_CLASSES = typing.get_args(MessageStreamEvent)

MODEL = "claude-sonnet-4-6"
PATH = "/api/v1/messages"
HELLO: list[MessageParam] = [{"role": "user", "content": "hello claude"}]
WEATHER: ToolParam = {
    "name": "get_weather",
    "description": "Weather in a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``predicate`` until it holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


async def test_create_returns_a_typed_message(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """A plain request: typed text block, stop reason, usage; the version header is sent."""
    message = await client.messages.create(
        model=MODEL, max_tokens=64, messages=HELLO, system="be brief"
    )
    assert isinstance(message, Message)
    assert message.content == (TextBlock(text="Echo: hello claude"),)
    assert message.text == "Echo: hello claude"
    assert message.stop_reason == "end_turn"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (4, 3)
    assert message.raw["type"] == "message"
    chat = emulator.app[CHAT_STATE_KEY]
    assert chat.last_headers[PATH]["anthropic-version"] == "2023-06-01"
    assert chat.last_body[PATH]["system"] == "be brief"
    assert "stream" not in chat.last_body[PATH]


async def test_stream_yields_the_real_event_sequence(client: AsyncAIReiter) -> None:
    """A stream is an async iterator of typed events in Anthropic's order."""
    stream = await client.messages.create(model=MODEL, max_tokens=64, messages=HELLO, stream=True)
    assert isinstance(stream, AsyncMessageStream)
    async with stream:
        events = [event async for event in stream]
    kinds = [event.type for event in events]
    assert kinds[:3] == ["message_start", "content_block_start", "ping"]
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(kinds[3:-3]) == {"content_block_delta"}
    assert isinstance(events[0], MessageStartEvent)
    deltas = [e.delta for e in events if isinstance(e, ContentBlockDeltaEvent)]
    assert "".join(d.text for d in deltas if isinstance(d, TextDelta)) == "Echo: hello claude"


async def test_stream_accumulated_equals_non_stream(client: AsyncAIReiter) -> None:
    """The message accumulated from a stream equals the non-streamed answer (ids aside)."""
    plain = await client.messages.create(model=MODEL, max_tokens=64, messages=HELLO)
    async with client.messages.stream(model=MODEL, max_tokens=64, messages=HELLO) as stream:
        streamed = await stream.get_final_message()
    assert streamed.id != plain.id
    assert attrs.evolve(streamed, id=plain.id) == plain


async def test_streamed_tool_use_accumulates_its_input(client: AsyncAIReiter) -> None:
    """A streamed tool call arrives as input_json_delta pieces and accumulates to the same
    tool_use block as the plain answer."""
    ask: list[MessageParam] = [{"role": "user", "content": "use get_weather"}]
    plain = await client.messages.create(model=MODEL, max_tokens=64, messages=ask, tools=[WEATHER])
    async with client.messages.stream(
        model=MODEL, max_tokens=64, messages=ask, tools=[WEATHER]
    ) as stream:
        events = [event async for event in stream]
        streamed = stream.current_message
    assert any(
        isinstance(e, ContentBlockDeltaEvent) and isinstance(e.delta, InputJSONDelta)
        for e in events
    )
    assert plain.stop_reason == streamed.stop_reason == "tool_use"
    (use,) = plain.tool_uses
    assert use.name == "get_weather"
    assert use.input == {"city": "example"}
    assert attrs.evolve(streamed, id=plain.id, content=plain.content) == plain
    (streamed_use,) = streamed.tool_uses
    assert streamed_use.input == use.input


async def test_reading_the_message_mid_stream_changes_nothing(client: AsyncAIReiter) -> None:
    """current_message read after every event (a progress display) leaves the final tool
    input whole: reading the accumulation does not consume the JSON pieces."""
    ask: list[MessageParam] = [{"role": "user", "content": "use get_weather"}]
    async with client.messages.stream(
        model=MODEL, max_tokens=64, messages=ask, tools=[WEATHER]
    ) as stream:
        async for _ in stream:
            _ = stream.current_message
        final = stream.current_message
    (use,) = final.tool_uses
    assert use.input == {"city": "example"}


async def test_tool_result_round_trip(client: AsyncAIReiter) -> None:
    """A tool_result block in the next turn is answered with the tool's result."""
    ask: list[MessageParam] = [{"role": "user", "content": "use get_weather"}]
    first = await client.messages.create(model=MODEL, max_tokens=64, messages=ask, tools=[WEATHER])
    (use,) = first.tool_uses
    turns: list[MessageParam] = [
        *ask,
        {"role": "assistant", "content": [dict(use.raw)]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "rain"}],
        },
    ]
    second = await client.messages.create(
        model=MODEL, max_tokens=64, messages=turns, tools=[WEATHER]
    )
    assert second.text == "Tool result: rain"


async def test_text_stream_and_max_tokens(client: AsyncAIReiter) -> None:
    """text_stream yields only text; max_tokens cuts the reply with stop reason max_tokens."""
    turns: list[MessageParam] = [{"role": "user", "content": "a b c d"}]
    async with client.messages.stream(model=MODEL, max_tokens=2, messages=turns) as stream:
        pieces = [piece async for piece in stream.text_stream]
        final = await stream.get_final_message()
    assert pieces == ["Echo: ", "a "]
    assert final.stop_reason == "max_tokens"
    assert final.usage.output_tokens == 2


async def test_bad_arguments_fail_before_the_wire(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """A missing model, max_tokens < 1 and no messages are reported together, unsent."""
    with pytest.raises(ParamError) as caught:
        await client.messages.create(model="", max_tokens=0, messages=[])
    assert {issue.field for issue in caught.value.issues} == {"model", "max_tokens", "messages"}
    assert emulator.state.request_counts[("POST", PATH)] == 0


async def test_wrong_key_is_authentication_error(emulator: RunningEmulator) -> None:
    """401 in Anthropic's error format becomes AuthenticationError with its message."""
    async with AsyncAIReiter(api_key="wrong-key", base_url=emulator.base_url) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.messages.create(model=MODEL, max_tokens=8, messages=HELLO)
        with pytest.raises(AuthenticationError):
            await client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)
    assert caught.value.status_code == 401
    assert caught.value.body["error"]["type"] == "authentication_error"


@pytest.mark.usefixtures("testing_sleeps")
async def test_rate_limit_is_retried_then_raised(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """429 is retried (max_retries=2, honouring Retry-After), then RateLimitError."""
    emulator.state.inject("rate_limit", path=PATH, count=3)
    clear_recorded_sleeps()
    with pytest.raises(RateLimitError) as caught:
        await client.messages.create(model=MODEL, max_tokens=8, messages=HELLO)
    assert caught.value.retry_after is not None
    assert caught.value.body["error"]["type"] == "rate_limit_error"
    assert emulator.state.request_counts[("POST", PATH)] == 3
    assert recorded_sleeps() == [1.0, 1.0]  # the emulator's Retry-After


@pytest.mark.usefixtures("testing_sleeps")
async def test_server_error_is_retried_then_succeeds(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """One 500 is retried and the next attempt answers."""
    emulator.state.inject("error_5xx", path=PATH)
    message = await client.messages.create(model=MODEL, max_tokens=8, messages=HELLO)
    assert message.text == "Echo: hello claude"
    assert emulator.state.request_counts[("POST", PATH)] == 2


async def test_stream_error_status_raises_before_the_first_event(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """A 5xx on a stream request is raised by create (streams are not retried)."""
    emulator.state.inject("error_5xx", path=PATH)
    with pytest.raises(InternalServerError) as caught:
        await client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)
    assert caught.value.body["type"] == "error"
    assert emulator.state.request_counts[("POST", PATH)] == 1


async def test_cancelling_a_stream_midway_closes_the_connection(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """Cancelling the reader of an endless stream releases the connection: the server sees
    the client leave and the pool has nothing checked out."""
    chat = emulator.app[CHAT_STATE_KEY]
    first = asyncio.Event()
    endless: list[MessageParam] = [{"role": "user", "content": "STREAM_FOREVER"}]

    async def consume() -> None:
        stream = await client.messages.create(
            model=MODEL, max_tokens=8, messages=endless, stream=True
        )
        async for event in stream:
            if isinstance(event, ContentBlockDeltaEvent):
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_until(lambda: chat.active_streams == 0)
    assert chat.client_disconnects == 1
    session = client._transport._session
    assert session is not None
    assert session.connector is not None
    assert not session.connector._acquired
    assert (await client.messages.create(model=MODEL, max_tokens=8, messages=HELLO)).text


async def test_leaving_the_block_early_closes_the_stream(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """Breaking out of an ``async with`` stream closes it; iterating again yields nothing."""
    chat = emulator.app[CHAT_STATE_KEY]
    endless: list[MessageParam] = [{"role": "user", "content": "STREAM_FOREVER"}]
    async with client.messages.stream(model=MODEL, max_tokens=8, messages=endless) as stream:
        async for event in stream:
            if isinstance(event, ContentBlockStartEvent):
                break
    await wait_until(lambda: chat.active_streams == 0)
    assert [e async for e in stream] == []


def test_unknown_events_and_blocks_are_kept_not_fatal() -> None:
    """Unknown event and block types become Unknown* values holding the raw data."""
    event = parse_event({"type": "content_block_reasoning", "x": 1})
    assert isinstance(event, UnknownEvent)
    assert event.raw["x"] == 1
    message = parse_message(
        {"id": "m", "model": "x", "content": [{"type": "server_tool_use", "id": "s"}]}
    )
    assert message.content[0].type == "server_tool_use"
    assert message.text == ""


def test_accumulator_builds_tool_input_from_json_pieces() -> None:
    """Pieces of input JSON become the block's input when the block stops."""
    acc = MessageAccumulator()
    acc.feed(parse_event({"type": "message_start", "message": {"id": "m", "model": "x"}}))
    acc.feed(
        ContentBlockStartEvent(index=0, content_block=ToolUseBlock(id="t", name="f", input={}))
    )
    for piece in ('{"a": ', "[1, 2]", "}"):
        acc.feed(ContentBlockDeltaEvent(index=0, delta=InputJSONDelta(partial_json=piece)))
    acc.feed(parse_event({"type": "content_block_stop", "index": 0}))
    acc.feed(MessageDeltaEvent(stop_reason="tool_use", output_tokens=5))
    message = acc.message
    assert message.tool_uses[0].input == {"a": [1, 2]}
    assert message.usage.output_tokens == 5
    assert message.stop_reason == "tool_use"


async def test_error_event_mid_stream_raises_typed_error(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """An ``error`` event mid-stream raises the mapped error (overloaded: 529) and releases
    the connection; what came before it is kept."""
    turns: list[MessageParam] = [{"role": "user", "content": "STREAM_ERROR please"}]
    async with client.messages.stream(model=MODEL, max_tokens=8, messages=turns) as stream:
        with pytest.raises(InternalServerError) as caught:
            await stream.get_final_message()
        assert stream.current_message.text == "Echo: "
    assert caught.value.status_code == 529
    assert caught.value.body["error"]["type"] == "overloaded_error"
    chat = emulator.app[CHAT_STATE_KEY]
    await wait_until(lambda: chat.active_streams == 0)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"ok": True, "statusCode": 433, "message": "not enough credits"},
            InsufficientCreditsError,
        ),
        (
            {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}},
            RateLimitError,
        ),
    ],
)
def test_errors_inside_http_200_are_raised(body: dict[str, Any], error: type[Exception]) -> None:
    """An AIReiter envelope error or an Anthropic error object inside HTTP 200 is raised."""
    answer = APIResponse(data=body, body=body, http_status=200, headers={}, request_id="r1")
    with pytest.raises(error):
        checked_answer(answer, "http://127.0.0.1/api/v1/messages")


def test_a_message_wrapped_in_a_success_envelope_is_unwrapped() -> None:
    """``{"statusCode": 200, "data": {message}}`` yields the message inside."""
    inner = {
        "type": "message",
        "id": "m1",
        "model": "x",
        "content": [{"type": "text", "text": "t"}],
    }
    body = {"statusCode": 200, "message": "", "data": inner}
    answer = APIResponse(data=body, body=body, http_status=200, headers={}, request_id=None)
    assert parse_message(checked_answer(answer, "http://127.0.0.1/x")).text == "t"


# -- answers that cannot be read, over real HTTP -------------------------------------------------
@attrs.define
class SSEServer:
    """A server answering every POST with ``body`` under ``content_type`` (and
    ``X-Request-Id: req_sse``); ``cut`` resets the connection after the body instead of
    ending it cleanly. ``base_url`` is set while it runs."""

    body: bytes = b""
    content_type: str | None = "text/event-stream"
    status: int = 200
    cut: bool = False
    base_url: str = ""

    async def answer(self, request: web.Request) -> web.StreamResponse:
        """Send the configured answer."""
        await request.read()
        response = web.StreamResponse(status=self.status, headers={"X-Request-Id": "req_sse"})
        if self.content_type is not None:
            response.headers["Content-Type"] = self.content_type
        await response.prepare(request)
        await response.write(self.body)
        if self.cut and request.transport is not None:
            request.transport.abort()
            return response
        await response.write_eof()
        return response


@contextlib.asynccontextmanager
async def sse_server() -> AsyncIterator[SSEServer]:
    """An :class:`SSEServer` on 127.0.0.1 for the duration of the block."""
    server = SSEServer()
    app = web.Application()
    app.router.add_post(PATH, server.answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        yield server
    finally:
        await runner.cleanup()


async def read_stream(client: AsyncAIReiter) -> list[Any]:
    """``messages.create(stream=True)`` read to its end: the events."""
    stream = await client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)
    async with stream:
        events = [event async for event in stream]
        assert isinstance(stream.current_message, Message)
    return events


START = b'event: message_start\ndata: {"type": "message_start", "message": {"id": "m"}}\n\n'


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        (START + b'data: {"type": "ping"}\xff\n\n', "text/event-stream", "UnicodeDecodeError"),
        (START + b"data: {not json\n\n", "text/event-stream", "not JSON"),
        (START + b"data: " + b"[" * 100_000 + b"\n\n", "text/event-stream", "not JSON"),
        (b"", "text/event-stream", "without a single event"),
        (b"no fields at all\n\n", None, "without a single event"),
        (b'{"type": "message", "content": []}', "application/json", "got a JSON answer"),
        (b"{broken", "application/json", "not JSON"),
    ],
    ids=["bad-utf8", "not-json", "deep-nesting", "empty", "no-fields", "json-answer", "broken"],
)
async def test_unreadable_stream_is_a_validation_error(
    body: bytes, content_type: str | None, says: str
) -> None:
    """An invalid UTF-8 byte, an event that is not JSON (or nested past the parser), a stream
    with no event, or JSON instead of a stream: APIResponseValidationError with the status
    and the request id, never UnicodeDecodeError/ValueError/RecursionError or nothing."""
    async with (
        sse_server() as server,
        AsyncAIReiter(api_key="key-123456", base_url=server.base_url) as client,
    ):
        server.body, server.content_type = body, content_type
        with pytest.raises(APIResponseValidationError, match=says) as caught:
            await read_stream(client)
    assert (caught.value.status_code, caught.value.request_id) == (200, "req_sse")


async def test_error_envelope_on_a_stream_request_is_raised() -> None:
    """An AIReiter error envelope inside HTTP 200 on a stream request raises its error."""
    async with (
        sse_server() as server,
        AsyncAIReiter(api_key="key-123456", base_url=server.base_url) as client,
    ):
        server.content_type = "application/json"
        server.body = b'{"statusCode": 401, "message": "bad key", "data": null}'
        with pytest.raises(AuthenticationError, match="bad key") as caught:
            await read_stream(client)
    assert caught.value.request_id == "req_sse"


async def test_non_object_answer_is_a_validation_error() -> None:
    """A JSON answer that is not an object (a list, a number) is not a message."""
    async with (
        sse_server() as server,
        AsyncAIReiter(api_key="key-123456", base_url=server.base_url) as client,
    ):
        server.content_type, server.body = "application/json", b"[1, 2]"
        with pytest.raises(APIResponseValidationError, match="JSON object") as caught:
            await client.messages.create(model=MODEL, max_tokens=8, messages=HELLO)
    assert caught.value.request_id == "req_sse"


# -- property: any answer is parsed events or an aireiter error ----------------------------------
_EVENT_TYPES = [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
    "error",
    "weird",
]
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def _event_json(draw: st.DrawFn) -> bytes:
    """A Messages event whose fields hold random (often wrong) JSON values."""
    event: dict[str, Any] = {"type": draw(st.sampled_from(_EVENT_TYPES))}
    for field in draw(
        st.lists(
            st.sampled_from(
                ["index", "message", "content_block", "delta", "usage", "error", "text"]
            ),
            max_size=4,
        )
    ):
        event[field] = draw(
            _json_values
            | st.fixed_dictionaries(
                {"type": st.sampled_from(["text", "tool_use", "text_delta", "input_json_delta"])},
                optional={
                    "text": _json_values,
                    "partial_json": _json_values,
                    "input": _json_values,
                },
            )
        )
    return json.dumps(event).encode()


_data = st.one_of(
    _event_json(),
    _json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=30),
    st.integers(min_value=1, max_value=3000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.just(b"[DONE]"),
)
_line = st.one_of(
    _data.map(lambda data: b"data: " + data),
    st.sampled_from(_EVENT_TYPES).map(lambda name: b"event: " + name.encode()),
    st.sampled_from([b"", b": comment", b"id: 7", b"retry: 10", b"nonsense", b"data"]),
)
_bodies = st.lists(
    st.tuples(_line, st.sampled_from([b"\n", b"\n\n", b"\r\n", b"\r\n\r\n"])), max_size=12
).map(lambda lines: b"".join(line + end for line, end in lines))


@pytest.fixture(scope="module")
def fuzz_loop() -> Iterator[tuple[asyncio.AbstractEventLoop, SSEServer, AsyncAIReiter]]:
    """One event loop, SSE server and client for every generated case (hypothesis calls the
    test many times; a fresh server per case would measure setup, not parsing)."""
    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()

    async def start() -> tuple[SSEServer, AsyncAIReiter]:
        server = await stack.enter_async_context(sse_server())
        client = await stack.enter_async_context(
            AsyncAIReiter(api_key="key-123456", base_url=server.base_url, max_retries=0)
        )
        return server, client

    server, client = loop.run_until_complete(start())
    try:
        yield loop, server, client
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()


FUZZ_CASES = 400


@settings(
    max_examples=FUZZ_CASES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    body=_bodies,
    content_type=st.sampled_from(
        ["text/event-stream", "text/event-stream; charset=utf-8", "text/plain", None]
    ),
    cut=st.booleans(),
)
def test_any_stream_is_events_or_an_aireiter_error(
    fuzz_loop: tuple[asyncio.AbstractEventLoop, SSEServer, AsyncAIReiter],
    body: bytes,
    content_type: str | None,
    *,
    cut: bool,
) -> None:
    """Generated SSE bodies (random JSON in every field, wrong types, huge numbers, deep
    nesting, bad UTF-8, stray lines, cut connections) at ``messages.create(stream=True)``
    over real HTTP: every outcome is a list of typed events or an AIReiterError."""
    loop, server, client = fuzz_loop
    server.body, server.content_type, server.cut = body, content_type, cut
    outcome = loop.run_until_complete(_outcome(client))
    hypothesis.event(
        "outcome: " + (type(outcome).__name__ if isinstance(outcome, Exception) else "events")
    )
    if isinstance(outcome, AIReiterError):
        if isinstance(outcome, (APIResponseValidationError, APIStatusError)):
            assert outcome.request_id == "req_sse"
    else:
        assert all(isinstance(event, _EVENT_CLASSES) for event in outcome)


async def _outcome(client: AsyncAIReiter) -> list[Any] | AIReiterError:
    """The events of one streamed call, or the aireiter error it raised (any other exception
    propagates and fails the test)."""
    try:
        return await read_stream(client)
    except AIReiterError as error:
        return error
