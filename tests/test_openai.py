"""The openai adapter, and the emulator's faithfulness to the official client.

The chat tests run three times: on the unmodified official ``openai.AsyncOpenAI`` pointed at
the emulator, and on ``aireiter.openai.AsyncOpenAI`` with each HTTP backend. The same
assertions passing on the official client show the emulator speaks the real wire format,
not one tuned to our adapter.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import openai
import pydantic
import pytest
from openai._vendor.httpx_aiohttp import AiohttpTransport
from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolParam

import aireiter
import aireiter.openai as adapter
from aireiter import AsyncAIReiter
from aireiter.emulator import RunningEmulator
from aireiter.emulator._chat import CHAT_STATE_KEY
from tests.cli.conftest import cli_env, run_cli

from ._servers import REQUEST_ID, garbage_server

MODEL = "gpt-4o-mini"
CHAT_PATH = "/api/v1/chat/completions"
WEATHER_TOOL: ChatCompletionToolParam = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
            "required": ["city", "days"],
            "additionalProperties": False,
        },
    },
}


def user(text: str) -> list[ChatCompletionMessageParam]:
    """A one-message conversation."""
    return [{"role": "user", "content": text}]


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``predicate`` until it holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


@pytest.fixture(params=["official", "adapter-aiohttp", "adapter-httpx"])
async def oa(
    request: pytest.FixtureRequest, emulator: RunningEmulator
) -> AsyncIterator[openai.AsyncOpenAI]:
    """An OpenAI client on the emulator: the official one, or the adapter per backend."""
    client: openai.AsyncOpenAI
    if request.param == "official":
        client = openai.AsyncOpenAI(
            api_key=emulator.api_key, base_url=emulator.base_url + "/api/v1", max_retries=0
        )
    else:
        backend: adapter.HTTPBackend = "aiohttp" if request.param == "adapter-aiohttp" else "httpx"
        client = adapter.AsyncOpenAI(
            api_key=emulator.api_key,
            base_url=emulator.base_url,
            http_backend=backend,
            max_retries=0,
        )
    async with client:
        yield client


# -- the same chat tests on the official client and the adapter --------------------------------
async def test_chat_non_stream(oa: openai.AsyncOpenAI) -> None:
    """A plain completion: the echoed reply, counted usage and AIReiter's extra task_id."""
    answer = await oa.chat.completions.create(model=MODEL, messages=user("hello there world"))
    assert answer.choices[0].message.content == "Echo: hello there world"
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage is not None
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (3, 4)
    assert answer.usage.total_tokens == 7
    assert (answer.model_extra or {})["task_id"].startswith("task_")


async def test_chat_stream(oa: openai.AsyncOpenAI) -> None:
    """A stream: role first, one piece per chunk, the finish reason, then a usage chunk."""
    stream = await oa.chat.completions.create(
        model=MODEL,
        messages=user("one two three"),
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Echo: one two three"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 4


async def test_chat_max_tokens_cuts_with_length(oa: openai.AsyncOpenAI) -> None:
    """max_tokens caps the reply and the finish reason says length."""
    answer = await oa.chat.completions.create(
        model=MODEL, messages=user("a b c d e f"), max_tokens=2
    )
    assert answer.choices[0].message.content == "Echo: a "
    assert answer.choices[0].finish_reason == "length"


async def test_tool_call_round_trip(oa: openai.AsyncOpenAI) -> None:
    """The model calls the named tool with schema-valid arguments; the tool's result comes
    back in the next answer."""
    messages = user("What's the weather? Use get_weather.")
    first = await oa.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert call.type == "function"
    assert call.function.name == "get_weather"
    arguments = json.loads(call.function.arguments)
    assert isinstance(arguments["city"], str)
    assert arguments["days"] >= 1
    follow_up: list[ChatCompletionMessageParam] = [
        *messages,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": call.function.arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call.id, "content": "sunny, 21 C"},
    ]
    second = await oa.chat.completions.create(model=MODEL, messages=follow_up, tools=[WEATHER_TOOL])
    assert second.choices[0].message.content == "Tool result: sunny, 21 C"
    assert second.choices[0].finish_reason == "stop"


async def test_streamed_tool_call_accumulates(oa: openai.AsyncOpenAI) -> None:
    """The official stream helper rebuilds a streamed tool call with its whole arguments."""
    # The helper parses tool arguments; openai 3.0 accepts only strict tools for that.
    strict_tool: ChatCompletionToolParam = {
        "type": "function",
        "function": {**WEATHER_TOOL["function"], "strict": True},
    }
    async with oa.chat.completions.stream(
        model=MODEL, messages=user("call get_weather"), tools=[strict_tool]
    ) as stream:
        final = await stream.get_final_completion()
    calls = final.choices[0].message.tool_calls
    assert calls is not None
    assert calls[0].function.name == "get_weather"
    assert set(json.loads(calls[0].function.arguments)) == {"city", "days"}


class Forecast(pydantic.BaseModel):
    """A structured-output target with nesting, a list, an enum-like literal and an optional."""

    city: str
    temperature_c: float
    tags: list[str]
    unit: str | None
    detail: Detail


class Detail(pydantic.BaseModel):
    """A nested model (reached through ``$ref``)."""

    humidity: int


Forecast.model_rebuild()


async def test_parse_with_pydantic_model(oa: openai.AsyncOpenAI) -> None:
    """``parse`` sends a strict json_schema; the emulator answers a schema-valid object."""
    answer = await oa.chat.completions.parse(
        model=MODEL, messages=user("forecast please"), response_format=Forecast
    )
    parsed = answer.choices[0].message.parsed
    assert isinstance(parsed, Forecast)
    assert isinstance(parsed.detail, Detail)
    assert parsed.tags


async def test_responses_non_stream(oa: openai.AsyncOpenAI) -> None:
    """Responses: output_text and usage of a plain request."""
    response = await oa.responses.create(model="gpt-5.5", input="hi responses", instructions="x")
    assert response.output_text == "Echo: hi responses"
    assert response.status == "completed"
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens) == (3, 3)


async def test_responses_stream(oa: openai.AsyncOpenAI) -> None:
    """Responses streamed: deltas in order, and the official helper's final response."""
    async with oa.responses.stream(model="gpt-5.5", input="stream this please") as stream:
        deltas = [e.delta async for e in stream if e.type == "response.output_text.delta"]
        final = await stream.get_final_response()
    assert "".join(deltas) == "Echo: stream this please"
    assert final.output_text == "Echo: stream this please"


async def test_responses_parse(oa: openai.AsyncOpenAI) -> None:
    """Responses structured output: ``text_format`` parses into the pydantic model."""
    response = await oa.responses.parse(model="gpt-5.5", input="x", text_format=Detail)
    assert isinstance(response.output_parsed, Detail)


async def test_models_list(oa: openai.AsyncOpenAI) -> None:
    """GET /models lists the documented text models."""
    models = [m.id async for m in oa.models.list()]
    assert "gpt-4o-mini" in models
    assert "claude-sonnet-4-6" in models


async def test_raw_response_carries_headers_and_task_id(oa: openai.AsyncOpenAI) -> None:
    """with_raw_response: the emulator's request id header and the raw task_id field."""
    raw = await oa.chat.completions.with_raw_response.create(model=MODEL, messages=user("x"))
    assert raw.headers["x-request-id"].startswith("req_")
    assert json.loads(raw.content)["task_id"].startswith("task_")
    assert raw.parse().choices[0].message.content == "Echo: x"


async def test_wrong_key_is_authentication_error(oa: openai.AsyncOpenAI) -> None:
    """401 with OpenAI's error body becomes openai.AuthenticationError."""
    with pytest.raises(openai.AuthenticationError) as caught:
        await oa.with_options(api_key="wrong").chat.completions.create(
            model=MODEL, messages=user("x")
        )
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"


@pytest.mark.parametrize(
    ("kind", "error", "status"),
    [("rate_limit", openai.RateLimitError, 429), ("error_5xx", openai.InternalServerError, 500)],
)
async def test_injected_faults_map_to_openai_errors(
    oa: openai.AsyncOpenAI,
    emulator: RunningEmulator,
    kind: Any,
    error: type[openai.APIStatusError],
    status: int,
) -> None:
    """Injected 429 / 5xx come back in OpenAI's error format and map to the openai errors."""
    emulator.state.inject(kind, path=CHAT_PATH)
    with pytest.raises(error) as caught:
        await oa.chat.completions.create(model=MODEL, messages=user("x"))
    assert caught.value.status_code // 100 == status // 100
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["message"]
    if status == 429:
        assert caught.value.response.headers["retry-after"]


async def test_unknown_model_is_not_found(oa: openai.AsyncOpenAI) -> None:
    """An unknown model is a 404 model_not_found, as OpenAI answers."""
    with pytest.raises(openai.NotFoundError) as caught:
        await oa.chat.completions.create(model="no-such-model", messages=user("x"))
    assert caught.value.code == "model_not_found"


async def test_cancelling_a_stream_midway_closes_the_connection(
    oa: openai.AsyncOpenAI, emulator: RunningEmulator
) -> None:
    """Cancelling the task that reads an endless stream closes its connection: the server
    sees the client go away, no stream stays open, and the client still works."""
    chat = emulator.app[CHAT_STATE_KEY]
    first_chunk = asyncio.Event()

    async def consume() -> None:
        stream = await oa.chat.completions.create(
            model=MODEL, messages=user("STREAM_FOREVER"), stream=True
        )
        async for _ in stream:
            first_chunk.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_chunk.wait(), 5)
    assert chat.active_streams == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_until(lambda: chat.active_streams == 0)
    assert chat.client_disconnects == 1
    answer = await oa.chat.completions.create(model=MODEL, messages=user("after"))
    assert answer.choices[0].message.content == "Echo: after"


async def test_error_chunk_mid_stream_raises(oa: openai.AsyncOpenAI) -> None:
    """An error chunk after the first piece raises openai.APIError from the iteration."""
    stream = await oa.chat.completions.create(
        model=MODEL, messages=user("STREAM_ERROR now"), stream=True
    )
    seen: list[str] = []

    async def read_all() -> None:
        async for chunk in stream:
            seen.append(chunk.choices[0].delta.content or "")

    with pytest.raises(openai.APIError, match="server had an error"):
        await read_all()
    assert "".join(seen) == "Echo: "


# -- adapter only ------------------------------------------------------------------------------
def test_adapter_subclasses_the_official_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """isinstance checks against openai's classes hold; the default URL is AIReiter's."""
    monkeypatch.setenv("AIREITER_API_KEY", "env-key-123456")
    client = adapter.AsyncOpenAI()
    assert isinstance(client, openai.AsyncOpenAI)
    assert str(client.base_url) == "https://aireiter.com/api/v1/"
    assert client.api_key == "env-key-123456"
    sync = adapter.OpenAI()
    assert isinstance(sync, openai.OpenAI)
    assert str(sync.base_url) == "https://aireiter.com/api/v1/"
    sync.close()


def test_missing_key_is_a_clear_error_and_openai_key_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without AIREITER_API_KEY the adapter refuses, even when OPENAI_API_KEY is set."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-secret")
    with pytest.raises(openai.OpenAIError, match="AIREITER_API_KEY") as caught:
        adapter.AsyncOpenAI()
    assert "sk-openai-secret" not in str(caught.value)
    with pytest.raises(openai.OpenAIError, match="AIREITER_API_KEY"):
        adapter.OpenAI()


async def test_data_residency_never_points_the_key_at_openai() -> None:
    """data_residency (openai's switch to api.openai.com regional hosts) is refused, at
    construction and in with_options/copy; other options still copy with the class kept."""
    base = "http://127.0.0.1:9/api/v1"
    async with adapter.AsyncOpenAI(api_key="air-key", base_url=base) as client:
        with pytest.raises(openai.OpenAIError, match="data_residency"):
            client.with_options(data_residency="eu")
        with pytest.raises(openai.OpenAIError, match="data_residency"):
            client.copy(data_residency="eu")
        faster = client.with_options(timeout=5.0)
        assert isinstance(faster, adapter.AsyncOpenAI)
        assert str(faster.base_url) == base + "/"
    with pytest.raises(openai.OpenAIError, match="data_residency"):
        adapter.OpenAI(api_key="air-key", data_residency="eu")
    with (
        adapter.OpenAI(api_key="air-key", base_url=base) as sync_client,
        pytest.raises(openai.OpenAIError, match="data_residency"),
    ):
        sync_client.with_options(data_residency="eu")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:9", "http://127.0.0.1:9/api/v1/"),
        ("http://127.0.0.1:9/", "http://127.0.0.1:9/api/v1/"),
        ("http://127.0.0.1:9/api", "http://127.0.0.1:9/api/v1/"),
        ("http://127.0.0.1:9/api/v1", "http://127.0.0.1:9/api/v1/"),
        ("https://proxy.example/openai/v1", "https://proxy.example/openai/v1/"),
    ],
)
def test_base_url_resolution(given: str, expected: str) -> None:
    """A bare host gets /api/v1; any other path is used as given."""
    assert str(adapter.AsyncOpenAI(api_key="k", base_url=given).base_url) == expected


def test_env_base_url_is_used_and_openai_base_url_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """AIREITER_BASE_URL sets the host; OPENAI_BASE_URL is ignored; an argument wins."""
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    monkeypatch.setenv("AIREITER_BASE_URL", "https://test.aireiter.com")
    assert str(adapter.AsyncOpenAI(api_key="k").base_url) == "https://test.aireiter.com/api/v1/"
    explicit = adapter.AsyncOpenAI(api_key="k", base_url="http://127.0.0.1:1")
    assert str(explicit.base_url) == "http://127.0.0.1:1/api/v1/"


async def test_with_options_keeps_the_adapter(emulator: RunningEmulator) -> None:
    """with_options returns the adapter class, same host and key, sharing the HTTP client."""
    async with adapter.AsyncOpenAI(api_key=emulator.api_key, base_url=emulator.base_url) as client:
        copy = client.with_options(timeout=5, max_retries=1)
        assert type(copy) is adapter.AsyncOpenAI
        assert copy.base_url == client.base_url
        assert copy._client is client._client
        answer = await copy.chat.completions.create(model=MODEL, messages=user("copy"))
        assert answer.choices[0].message.content == "Echo: copy"


async def test_default_backend_is_aiohttp_and_httpx_is_selectable() -> None:
    """The measured-faster aiohttp backend is the default; httpx stays selectable."""
    default = adapter.AsyncOpenAI(api_key="k")
    httpx_client = adapter.AsyncOpenAI(api_key="k", http_backend="httpx")
    assert adapter.DEFAULT_HTTP_BACKEND == "aiohttp"
    assert isinstance(default._client._transport, AiohttpTransport)
    assert not isinstance(httpx_client._client._transport, AiohttpTransport)
    await default.close()
    await httpx_client.close()


async def test_retried_server_error_then_success(emulator: RunningEmulator) -> None:
    """openai's own retry policy runs: one injected 500 is retried and the call succeeds."""
    emulator.state.inject("error_5xx", path=CHAT_PATH)
    async with adapter.AsyncOpenAI(
        api_key=emulator.api_key, base_url=emulator.base_url, max_retries=1
    ) as client:
        answer = await client.chat.completions.create(model=MODEL, messages=user("retry"))
    assert answer.choices[0].message.content == "Echo: retry"
    assert emulator.state.request_counts[("POST", CHAT_PATH)] == 2


async def test_unified_client_builds_the_adapter_from_its_config(
    emulator: RunningEmulator,
) -> None:
    """AsyncAIReiter().chat / .responses use one adapter made from the client's key, host,
    retries and timeout; closing the client closes it."""
    client = AsyncAIReiter(
        api_key=emulator.api_key, base_url=emulator.base_url, max_retries=1, timeout=30
    )
    async with client:
        answer = await client.chat.completions.create(model=MODEL, messages=user("unified"))
        response = await client.responses.create(model="gpt-5.5", input="unified")
        oa = client.openai
        assert client.openai is oa
        assert isinstance(oa, adapter.AsyncOpenAI)
        assert str(oa.base_url) == emulator.base_url + "/api/v1/"
        assert oa.max_retries == 1
        assert oa.timeout.read == 30  # type: ignore[union-attr]
        assert client.chat is oa.chat
    assert answer.choices[0].message.content == "Echo: unified"
    assert response.output_text == "Echo: unified"
    assert oa.is_closed()


async def test_sync_client_works_against_the_emulator(emulator: RunningEmulator) -> None:
    """The blocking adapter (run in a thread, the emulator serves on this loop) chats too."""

    def call() -> str | None:
        with adapter.OpenAI(api_key=emulator.api_key, base_url=emulator.base_url) as client:
            answer = client.chat.completions.create(model=MODEL, messages=user("sync"))
        return answer.choices[0].message.content

    assert await asyncio.to_thread(call) == "Echo: sync"


def test_from_config_builds_the_sync_client_too(emulator: RunningEmulator) -> None:
    """``_from_config(OpenAI, config)`` (the sync facade's path) keeps key, host, retries,
    timeouts and extra headers."""
    config = AsyncAIReiter(
        api_key=emulator.api_key,
        base_url=emulator.base_url,
        max_retries=4,
        timeout=12,
        default_headers={"X-Team": "a"},
    ).config
    with adapter._from_config(adapter.OpenAI, config) as client:
        assert isinstance(client, adapter.OpenAI)
        assert str(client.base_url) == emulator.base_url + "/api/v1/"
        assert client.api_key == emulator.api_key
        assert client.max_retries == 4
        assert isinstance(client.timeout, httpx2.Timeout)
        assert (client.timeout.read, client.timeout.connect) == (12, 10)
        assert client.default_headers["X-Team"] == "a"


# -- the AIReiter client's adapter: one error family --------------------------------------------
async def test_unified_client_raises_aireiter_errors_with_status_and_request_id(
    emulator: RunningEmulator,
) -> None:
    """On AsyncAIReiter, chat and responses failures are aireiter errors: the class of the
    status, the server's message, the request id, and the openai error as the cause."""
    async with AsyncAIReiter(api_key="wrong-key-123456", base_url=emulator.base_url) as client:
        with pytest.raises(aireiter.AuthenticationError) as caught:
            await client.chat.completions.create(model=MODEL, messages=user("x"))
        with pytest.raises(aireiter.AuthenticationError) as caught_responses:
            await client.responses.create(model="gpt-5.5", input="x")
    for error in (caught.value, caught_responses.value):
        assert error.status_code == 401
        assert error.request_id
        assert error.request_id.startswith("req_")
        assert error.message
        assert "Error code" not in error.message
        assert isinstance(error.__cause__, openai.AuthenticationError)
        assert error.url is not None
        assert error.url.endswith(("/chat/completions", "/responses"))
    async with AsyncAIReiter(
        api_key=emulator.api_key, base_url=emulator.base_url, max_retries=0
    ) as client:
        with pytest.raises(aireiter.NotFoundError):
            await client.chat.completions.create(model="no-such-model", messages=user("x"))
        emulator.state.inject("rate_limit", path=CHAT_PATH)
        with pytest.raises(aireiter.RateLimitError) as limited:
            await client.chat.completions.create(model=MODEL, messages=user("x"))
        emulator.state.inject("error_5xx", path=CHAT_PATH)
        with pytest.raises(aireiter.InternalServerError):
            await client.chat.completions.create(model=MODEL, messages=user("x"), stream=True)
    assert limited.value.retry_after is not None


async def test_unified_client_raises_aireiter_errors_mid_stream(
    client: AsyncAIReiter,
) -> None:
    """An error chunk while a chat stream is read is an aireiter error too, its cause the
    openai one; the text before it was delivered."""
    seen: list[str] = []
    stream = await client.chat.completions.create(
        model=MODEL, messages=user("STREAM_ERROR now"), stream=True
    )

    async def read_all() -> None:
        async for chunk in stream:
            seen.append(chunk.choices[0].delta.content or "")

    with pytest.raises(aireiter.APIStatusError, match="server had an error") as caught:
        await read_all()
    assert "".join(seen) == "Echo: "
    assert isinstance(caught.value.__cause__, openai.APIError)
    assert caught.value.status_code >= 500


async def test_drop_in_client_keeps_raising_openai_errors(emulator: RunningEmulator) -> None:
    """aireiter.openai.AsyncOpenAI is a drop-in: the same failure stays an openai error."""
    async with adapter.AsyncOpenAI(api_key="wrong-key", base_url=emulator.base_url) as client:
        with pytest.raises(openai.AuthenticationError) as caught:
            await client.chat.completions.create(model=MODEL, messages=user("x"))
    assert not isinstance(caught.value, aireiter.AIReiterError)


HTML_CALLS: list[tuple[str, bool]] = [
    (api, stream) for api in ("chat", "responses", "messages") for stream in (False, True)
]


async def _call(client: AsyncAIReiter, api: str, *, stream: bool) -> Any:
    """One chat / responses / messages call (a stream is read to its end)."""
    if api == "chat":
        answer: Any = await client.chat.completions.create(
            model=MODEL, messages=user("x"), stream=stream
        )
    elif api == "responses":
        answer = await client.responses.create(model="gpt-5.5", input="x", stream=stream)
    else:
        answer = await client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=5,
            messages=[{"role": "user", "content": "x"}],
            stream=stream,
        )
    if stream:
        async with answer:
            return [event async for event in answer]
    return answer


@pytest.mark.parametrize(("api", "stream"), HTML_CALLS)
async def test_html_answer_says_the_base_url_looks_wrong(api: str, *, stream: bool) -> None:
    """AIREITER_BASE_URL=<host>/v1 (a natural mistake) gets the web site's page: chat,
    responses and messages (streamed or not) raise a typed error naming the expected base URL,
    with the status and the request id, instead of returning the page."""
    async with (
        garbage_server("html") as host,
        AsyncAIReiter(api_key="key-123456", base_url=host + "/v1") as client,
    ):
        with pytest.raises(aireiter.APIResponseValidationError) as caught:
            await _call(client, api, stream=stream)
    error = caught.value
    assert "base URL looks wrong" in str(error)
    assert repr(host) in str(error)  # the expected base URL
    assert repr(host + "/v1") in str(error)  # the configured one
    assert (error.status_code, error.request_id) == (200, REQUEST_ID)
    assert error.content_type == "text/html"
    assert "<!DOCTYPE html>" in error.body_preview


async def test_html_error_page_and_broken_json_are_typed_too() -> None:
    """A 404 page is a NotFoundError with the same hint; broken JSON under application/json
    is an APIResponseValidationError with status and request id (not a JSONDecodeError)."""
    async with (
        garbage_server("html404") as host,
        AsyncAIReiter(api_key="key-123456", base_url=host + "/v1", max_retries=0) as client,
    ):
        with pytest.raises(aireiter.NotFoundError, match="base URL looks wrong") as missing:
            await client.chat.completions.create(model=MODEL, messages=user("x"))
    assert missing.value.request_id == REQUEST_ID
    async with (
        garbage_server("broken_json") as host,
        AsyncAIReiter(api_key="key-123456", base_url=host) as client,
    ):
        for stream in (False, True):
            with pytest.raises(aireiter.APIResponseValidationError) as broken:
                await client.chat.completions.create(model=MODEL, messages=user("x"), stream=stream)
            assert (broken.value.status_code, broken.value.request_id) == (200, REQUEST_ID)
            assert "JSONDecodeError" in str(broken.value)


async def test_sync_client_translates_too() -> None:
    """The blocking AIReiter (openai's httpx client underneath): a refused connection and an
    HTML page are aireiter errors that say what happened."""

    def chat(base_url: str) -> BaseException:
        with aireiter.AIReiter(api_key="key-123456", base_url=base_url, max_retries=0) as sync:
            try:
                sync.chat.completions.create(model=MODEL, messages=user("x"), stream=True)
            except Exception as error:
                return error
        raise AssertionError("no error")

    async with garbage_server("refused") as refused, garbage_server("html") as html:
        closed = await asyncio.to_thread(chat, refused)
        page = await asyncio.to_thread(chat, html + "/v1")
    assert isinstance(closed, aireiter.APIConnectionError)
    assert closed.kind == "connection refused"
    assert refused.removeprefix("http://") in str(closed)
    assert isinstance(page, aireiter.APIResponseValidationError)
    assert "base URL looks wrong" in str(page)


CONNECTION_CASES = [
    # (server mode, the URL scheme, error class, kind)
    ("refused", "http", aireiter.APIConnectionError, "connection refused"),
    ("html", "https", aireiter.APIConnectionError, "TLS handshake failed"),
    ("silent", "http", aireiter.APITimeoutError, "timed out"),
    ("reset", "http", aireiter.APIConnectionError, "connection reset"),
    ("malformed", "http", aireiter.APIConnectionError, "malformed HTTP answer"),
    ("redirect_loop", "http", aireiter.APIConnectionError, "redirect loop"),
]


@pytest.mark.parametrize(("mode", "scheme", "error", "kind"), CONNECTION_CASES)
@pytest.mark.parametrize("stream", [False, True])
async def test_connection_errors_name_the_host_and_the_kind(
    mode: str, scheme: str, error: type[aireiter.APIConnectionError], kind: str, *, stream: bool
) -> None:
    """A refused connection, a TLS mismatch, a reset or a malformed answer through the chat
    client is not "Request timed out." (openai's aiohttp backend says so for all of them):
    the error names the host and the kind; only a real timeout is an APITimeoutError."""
    async with garbage_server(mode) as url:
        base_url = url.replace("http://", f"{scheme}://")
        async with AsyncAIReiter(
            api_key="key-123456", base_url=base_url, max_retries=0, timeout=1.0
        ) as client:
            with pytest.raises(aireiter.APIConnectionError) as caught:
                await client.chat.completions.create(model=MODEL, messages=user("x"), stream=stream)
    assert type(caught.value) is error
    assert caught.value.kind == kind
    host = base_url.split("://")[1]
    assert caught.value.host == host
    assert host in str(caught.value)
    assert "Request timed out" not in str(caught.value)
    assert caught.value.request_sent is (kind not in ("connection refused", "TLS handshake failed"))


async def test_dns_failure_is_named() -> None:
    """A host name that cannot be resolved is a DNS error naming it (the name is rejected by
    the local resolver: no query leaves the machine)."""
    async with AsyncAIReiter(
        api_key="key-123456", base_url="http://-bad-.invalid", max_retries=0
    ) as client:
        with pytest.raises(aireiter.APIConnectionError) as caught:
            await client.responses.create(model="gpt-5.5", input="x")
    assert type(caught.value) is aireiter.APIConnectionError
    assert caught.value.kind == "DNS lookup failed"
    assert "-bad-.invalid" in str(caught.value)
    assert caught.value.request_sent is False


@pytest.mark.parametrize("api", ["openai", "messages"])
async def test_cli_chat_on_a_wrong_base_url_fails_with_the_reason(api: str) -> None:
    """`aireiter chat` against a base URL that answers with a web page exits 1 and says the
    base URL looks wrong (it printed nothing and exited 0); with --json the error is JSON on
    stderr, no traceback."""
    async with garbage_server("html") as host:
        env = cli_env(AIREITER_BASE_URL=host + "/v1", AIREITER_API_KEY="key-123456")
        text = await run_cli("chat", "hi", "--api", api, env=env)
        as_json = await run_cli("--json", "chat", "hi", "--api", api, env=env)
    assert text.code == 1
    assert "base URL looks wrong" in text.stderr
    assert repr(host) in text.stderr
    assert text.stdout.strip() == ""
    assert as_json.code == 1
    assert "Traceback" not in as_json.stderr
    error = json.loads(as_json.stderr.strip().splitlines()[-1])["error"]
    assert error["type"] == "APIResponseValidationError"
    assert "base URL looks wrong" in error["message"]


@pytest.mark.parametrize(
    ("options", "field"),
    [({"http_backend": "curl"}, "http_backend"), ({"base_url": 8080}, "base_url")],
)
def test_bad_adapter_arguments_are_param_errors(options: dict[str, Any], field: str) -> None:
    """A bad http_backend or base_url is a ParamError naming it, before any request."""
    with pytest.raises(aireiter.ParamError) as caught:
        adapter.AsyncOpenAI(api_key="key-123456", **options)
    assert caught.value.field == field
