"""The emulated text API on the wire (raw aiohttp, no SDK): formats, auth, errors, streams."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from aireiter.emulator import RunningEmulator
from aireiter.emulator._chat import CHAT_STATE_KEY
from tests.emulator.conftest import Api

CHAT = "/api/v1/chat/completions"
RESPONSES = "/api/v1/responses"
MESSAGES = "/api/v1/messages"
ANTHROPIC = {"anthropic-version": "2023-06-01"}
TOOLS = [
    {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}},
    {"type": "function", "function": {"name": "search", "parameters": {"type": "object"}}},
]


def chat_body(text: str, **fields: Any) -> dict[str, Any]:
    """A chat completions body with one user message."""
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": text}], **fields}


def claude_body(text: str, **fields: Any) -> dict[str, Any]:
    """A messages body with one user message."""
    return {
        "model": "claude-sonnet-4-6",
        "max_tokens": 32,
        "messages": [{"role": "user", "content": text}],
        **fields,
    }


async def sse(
    http: aiohttp.ClientSession, emulator: RunningEmulator, path: str, body: Any, **headers: str
) -> list[tuple[str | None, str]]:
    """POST ``body`` and read the whole SSE answer as (event name, data) pairs."""
    all_headers = {"Authorization": f"Bearer {emulator.api_key}", **headers}
    async with http.post(emulator.url(path), json=body, headers=all_headers) as response:
        assert response.status == 200
        assert response.content_type == "text/event-stream"
        assert response.headers["X-Request-Id"].startswith("req_")
        text = (await response.read()).decode()
    events = []
    for block in text.strip().split("\n\n"):
        name = None
        data = []
        for line in block.splitlines():
            field, _, value = line.partition(": ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        events.append((name, "\n".join(data)))
    return events


async def test_chat_answer_shape_and_task_id(api: Api) -> None:
    """A chat completion carries the standard fields plus AIReiter's top-level task_id."""
    status, body, headers = await api.call("POST", CHAT, chat_body("hi"))
    assert status == 200
    assert body["object"] == "chat.completion"
    assert body["task_id"].startswith("task_")
    assert body["choices"][0]["message"] == {
        "role": "assistant",
        "content": "Echo: hi",
        "refusal": None,
    }
    assert body["usage"]["total_tokens"] == 1 + 2
    assert headers["X-Request-Id"].startswith("req_")


async def test_chat_stream_ends_with_done(
    http: aiohttp.ClientSession, emulator: RunningEmulator
) -> None:
    """Chat chunks are unnamed SSE events ending with ``data: [DONE]``."""
    events = await sse(http, emulator, CHAT, chat_body("a b", stream=True))
    assert events[-1] == (None, "[DONE]")
    chunks = [json.loads(data) for _, data in events[:-1]]
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == "Echo: a b"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert emulator.app[CHAT_STATE_KEY].streams_finished == 1


@pytest.mark.parametrize(
    ("text", "choice", "expected"),
    [
        ("please search", "auto", "search"),  # a mentioned tool is called
        ("nothing relevant", "auto", None),  # auto and no name mentioned: text
        ("nothing relevant", "required", "lookup"),  # required: the first tool
        ("please search", "none", None),  # none: never a tool
        ("x", {"type": "function", "function": {"name": "search"}}, "search"),  # named
    ],
)
async def test_tool_rule(api: Api, text: str, choice: Any, expected: str | None) -> None:
    """The deterministic tool rule of ``_chat_logic``."""
    _, body, _ = await api.call("POST", CHAT, chat_body(text, tools=TOOLS, tool_choice=choice))
    message = body["choices"][0]["message"]
    if expected is None:
        assert "tool_calls" not in message
        assert message["content"].startswith("Echo:")
    else:
        assert message["tool_calls"][0]["function"]["name"] == expected
        assert body["choices"][0]["finish_reason"] == "tool_calls"


async def test_json_schema_response_format(api: Api) -> None:
    """A json_schema response format makes the content a JSON object valid for the schema."""
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 5},
            "kind": {"enum": ["a", "b"]},
            "when": {"type": "string", "format": "date-time"},
            "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}, "minItems": 2},
            "maybe": {"anyOf": [{"type": "null"}, {"type": "boolean"}]},
        },
        "$defs": {"Item": {"type": "object", "properties": {"name": {"type": "string"}}}},
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema, "strict": True}}
    _, body, _ = await api.call("POST", CHAT, chat_body("x", response_format=fmt))
    value = json.loads(body["choices"][0]["message"]["content"])
    assert value["n"] == 5
    assert value["kind"] == "a"
    assert value["when"].endswith("Z")
    assert value["items"] == [{"name": "example"}, {"name": "example"}]
    assert value["maybe"] is True


async def test_openai_errors_use_openai_format(api: Api) -> None:
    """Auth, validation and unknown-model errors use OpenAI's error object."""
    status, body, _ = await api.call("POST", CHAT, chat_body("x"), headers={})
    assert status == 401
    assert body["error"]["code"] == "invalid_api_key"
    status, body, _ = await api.call("POST", CHAT, {"model": "gpt-4o", "messages": []})
    assert (status, body["error"]["param"]) == (400, "messages")
    status, body, _ = await api.call("POST", RESPONSES, {"model": "nope", "input": "x"})
    assert (status, body["error"]["code"]) == (404, "model_not_found")


async def test_injected_fault_is_rewritten_to_the_route_format(api: Api) -> None:
    """An injected 429 keeps its status and Retry-After but speaks each API's error format."""
    api.emulator.state.inject("rate_limit", path=CHAT)
    status, body, headers = await api.call("POST", CHAT, chat_body("x"))
    assert status == 429
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert headers["Retry-After"]
    assert headers["X-Request-Id"]
    api.emulator.state.inject("error_5xx", path=MESSAGES)
    status, body, _ = await api.call(
        "POST", MESSAGES, claude_body("x"), headers={**api.auth, **ANTHROPIC}
    )
    assert status in (500, 503)
    assert body["type"] == "error"
    assert body["error"]["type"] == "api_error"


async def test_messages_auth_and_version(api: Api) -> None:
    """Messages accept a bearer key or x-api-key, answer Anthropic errors, and require
    anthropic-version."""
    key = api.emulator.api_key
    status, body, _ = await api.call("POST", MESSAGES, claude_body("x"), headers=ANTHROPIC)
    assert (status, body["error"]["type"]) == (401, "authentication_error")
    status, body, _ = await api.call(
        "POST", MESSAGES, claude_body("x"), headers={"x-api-key": key, **ANTHROPIC}
    )
    assert (status, body["content"][0]["text"]) == (200, "Echo: x")
    status, body, _ = await api.call("POST", MESSAGES, claude_body("x"))
    assert (status, body["error"]["type"]) == (400, "invalid_request_error")
    assert "anthropic-version" in body["error"]["message"]
    status, _, _ = await api.call("POST", CHAT, chat_body("x"), headers={"x-api-key": key})
    assert status == 401  # x-api-key is for the messages route only


async def test_messages_stream_event_sequence(
    http: aiohttp.ClientSession, emulator: RunningEmulator
) -> None:
    """The messages stream sends Anthropic's named events in order, data matching names."""
    events = await sse(http, emulator, MESSAGES, claude_body("p q", stream=True), **ANTHROPIC)
    names = [name for name, _ in events]
    assert names == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert all(json.loads(data)["type"] == name for name, data in events)
    delta = json.loads(events[-2][1])
    assert delta["delta"]["stop_reason"] == "end_turn"
    assert delta["usage"]["output_tokens"] == 3


async def test_responses_stream_events(
    http: aiohttp.ClientSession, emulator: RunningEmulator
) -> None:
    """Responses events are named, numbered in sequence, and end with response.completed."""
    events = await sse(
        http, emulator, RESPONSES, {"model": "gpt-5.5", "input": "x", "stream": True}
    )
    datas = [json.loads(data) for _, data in events]
    assert [d["sequence_number"] for d in datas] == list(range(len(datas)))
    assert events[0][0] == "response.created"
    assert events[-1][0] == "response.completed"
    assert datas[-1]["response"]["output"][0]["content"][0]["text"] == "Echo: x"


async def test_responses_function_call_round_trip(api: Api) -> None:
    """Responses call a mentioned function tool and answer its function_call_output."""
    tools = [{"type": "function", "name": "lookup", "parameters": {"type": "object"}}]
    _, first, _ = await api.call(
        "POST", RESPONSES, {"model": "gpt-5.5", "input": "lookup it", "tools": tools}
    )
    call = first["output"][0]
    assert (call["type"], call["name"]) == ("function_call", "lookup")
    items = [
        {"role": "user", "content": "lookup it"},
        call,
        {"type": "function_call_output", "call_id": call["call_id"], "output": "42"},
    ]
    _, second, _ = await api.call(
        "POST", RESPONSES, {"model": "gpt-5.5", "input": items, "tools": tools}
    )
    assert second["output"][0]["content"][0]["text"] == "Tool result: 42"


async def test_models_route(api: Api) -> None:
    """GET /api/v1/models lists text models in OpenAI's list format, behind auth."""
    status, body, _ = await api.call("GET", "/api/v1/models")
    assert status == 200
    assert body["object"] == "list"
    assert {"gpt-4o-mini", "claude-opus-4-6"} <= {m["id"] for m in body["data"]}
    status, _, _ = await api.call("GET", "/api/v1/models", headers={})
    assert status == 401
