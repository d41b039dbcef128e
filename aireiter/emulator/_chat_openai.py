"""``POST /api/v1/chat/completions``: OpenAI Chat Completions, plain and streamed (SSE).

The answer is a standard ``chat.completion`` (or ``chat.completion.chunk`` events ending with
``data: [DONE]``) plus AIReiter's extra top-level ``task_id``, also on every chunk. Streams
send the role first, then one piece per chunk, then the finish reason, then (with
``stream_options.include_usage``) a usage chunk with no choices. What the model says is
decided in ``_chat_logic.py``.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import attrs
from aiohttp import web

from ._auth import check_key
from ._chat import (
    CHAT_STATE_KEY,
    known_model,
    openai_error,
    paced,
    read_json_object,
    stream_events,
)
from ._chat_logic import (
    STREAM_ERROR_MARKER,
    STREAM_FOREVER_MARKER,
    ToolCall,
    count_tokens,
    dummy_for_schema,
    echo_reply,
    forever_pieces,
    pick_tool,
    pieces,
    text_of,
)
from ._wire import json_response

__all__ = ["ChatRequest", "chat_completions", "parse_chat_request"]


class _Invalid(Exception):
    def __init__(self, message: str, param: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.param = param
        self.status = status


@attrs.frozen(kw_only=True)
class ChatRequest:
    """What the emulator reads from a chat completions body."""

    model: str
    messages: list[Mapping[str, Any]]
    stream: bool
    include_usage: bool
    max_tokens: int | None
    n: int
    tools: list[tuple[str, Any]]
    tool_choice: str | None
    response_format: Mapping[str, Any] | None


def _int_field(body: Mapping[str, Any], name: str, minimum: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _Invalid(f"Invalid '{name}': expected an integer >= {minimum}.", name)
    return value


def _tool_choice(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        function = value.get("function")
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            return str(function["name"])
    raise _Invalid("Invalid 'tool_choice'.", "tool_choice")


def parse_chat_request(body: Mapping[str, Any]) -> ChatRequest:
    """Check a chat completions body; raises ``_Invalid`` (answered with HTTP 400)."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise _Invalid("you must provide a model parameter", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _Invalid("Invalid 'messages': expected a non-empty array.", "messages")
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping) or message.get("role") not in (
            "system",
            "developer",
            "user",
            "assistant",
            "tool",
        ):
            raise _Invalid(f"Invalid 'messages[{index}]': unknown or missing role.", "messages")
    tools: list[tuple[str, Any]] = []
    for tool in body.get("tools") or []:
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            raise _Invalid("Invalid 'tools': each tool needs function.name.", "tools")
        tools.append((str(function["name"]), function.get("parameters")))
    stream_options = body.get("stream_options")
    max_tokens = _int_field(body, "max_completion_tokens", 1)
    response_format = body.get("response_format")
    return ChatRequest(
        model=model,
        messages=list(messages),
        stream=bool(body.get("stream")),
        include_usage=isinstance(stream_options, Mapping)
        and bool(stream_options.get("include_usage")),
        max_tokens=max_tokens if max_tokens is not None else _int_field(body, "max_tokens", 1),
        n=_int_field(body, "n", 1) or 1,
        tools=tools,
        tool_choice=_tool_choice(body.get("tool_choice")),
        response_format=response_format if isinstance(response_format, Mapping) else None,
    )


def _decide(req: ChatRequest) -> tuple[str | None, ToolCall | None, str]:
    """The reply text (or a tool call), and the last user text."""
    last = req.messages[-1]
    last_user = next(
        (text_of(m.get("content")) for m in reversed(req.messages) if m.get("role") == "user"),
        "",
    )
    if last.get("role") == "tool":
        return f"Tool result: {text_of(last.get('content'))}", None, last_user
    call = pick_tool(req.tools, req.tool_choice, last_user)
    if call is not None:
        return None, call, last_user
    fmt = req.response_format or {}
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        return json.dumps(dummy_for_schema(schema or {"type": "object"})), None, last_user
    if fmt.get("type") == "json_object":
        return json.dumps({"echo": last_user}), None, last_user
    return echo_reply(last_user), None, last_user


def _tool_call_json(call_id: str, call: ToolCall) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }


async def chat_completions(request: web.Request) -> web.StreamResponse:
    """``POST /api/v1/chat/completions`` (see the module docstring)."""
    if not check_key(request):
        return openai_error(401, "Incorrect API key provided.", code="invalid_api_key")
    body = await read_json_object(request)
    if body is None:
        return openai_error(400, "We could not parse the JSON body of your request.")
    state = request.app[CHAT_STATE_KEY]
    state.record(request, body)
    try:
        req = parse_chat_request(body)
    except _Invalid as error:
        return openai_error(error.status, str(error), param=error.param)
    if not known_model(request, req.model):
        return openai_error(
            404,
            f"The model `{req.model}` does not exist or you do not have access to it.",
            code="model_not_found",
            param="model",
        )
    content, call, last_user = _decide(req)
    prompt_tokens = count_tokens(*(text_of(m.get("content")) for m in req.messages))
    common = {
        "id": state.next_id("chatcmpl"),
        "created": int(time.time()),
        "model": req.model,
        "system_fingerprint": None,
        "task_id": state.next_id("task"),
    }
    call_id = state.next_id("call") if call is not None else ""
    if req.stream:
        forever = call is None and STREAM_FOREVER_MARKER in last_user
        events = _stream(req, common, content, call, call_id, prompt_tokens, forever=forever)
        if STREAM_ERROR_MARKER in last_user:
            events = _fail_after_first_piece(events)
        return await stream_events(request, events)
    return _complete(req, common, content, call, call_id, prompt_tokens)


def _cap(req: ChatRequest, content: str) -> tuple[list[str], str]:
    parts = pieces(content)
    if req.max_tokens is not None and len(parts) > req.max_tokens:
        return parts[: req.max_tokens], "length"
    return parts, "stop"


def _usage(prompt: int, completion: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }


def _complete(
    req: ChatRequest,
    common: Mapping[str, Any],
    content: str | None,
    call: ToolCall | None,
    call_id: str,
    prompt_tokens: int,
) -> web.Response:
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
    if call is not None:
        message["tool_calls"] = [_tool_call_json(call_id, call)]
        finish, completion = "tool_calls", len(pieces(call.arguments))
    else:
        parts, finish = _cap(req, content or "")
        message["content"] = "".join(parts)
        completion = len(parts)
    choices = [
        {"index": i, "message": message, "logprobs": None, "finish_reason": finish}
        for i in range(req.n)
    ]
    return json_response(
        {
            **common,
            "object": "chat.completion",
            "choices": choices,
            "usage": _usage(prompt_tokens, completion * req.n),
        }
    )


async def _stream(
    req: ChatRequest,
    common: Mapping[str, Any],
    content: str | None,
    call: ToolCall | None,
    call_id: str,
    prompt_tokens: int,
    *,
    forever: bool,
) -> AsyncGenerator[tuple[str | None, Any], None]:
    def chunk(index: int, delta: Mapping[str, Any], finish: str | None = None) -> Any:
        return {
            **common,
            "object": "chat.completion.chunk",
            "choices": [
                {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
            ],
            "usage": None,  # usage comes in its own final chunk, when asked for
        }

    completion = 0
    for index in range(req.n):
        if call is not None:
            first = {**_tool_call_json(call_id, call), "index": 0}
            first["function"] = {"name": call.name, "arguments": ""}
            yield None, chunk(index, {"role": "assistant", "content": None, "tool_calls": [first]})
            for piece in pieces(call.arguments):
                completion += 1
                delta = {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
                yield None, chunk(index, delta)
            yield None, chunk(index, {}, "tool_calls")
            continue
        yield None, chunk(index, {"role": "assistant", "content": "", "refusal": None})
        parts, finish = _cap(req, content or "")
        async for piece in paced(iter(forever_pieces() if forever else parts), forever=forever):
            completion += 1
            yield None, chunk(index, {"content": piece})
        yield None, chunk(index, {}, finish)
    if req.include_usage:
        usage = _usage(prompt_tokens, completion)
        yield None, {**common, "object": "chat.completion.chunk", "choices": [], "usage": usage}
    yield None, "[DONE]"


async def _fail_after_first_piece(
    events: AsyncGenerator[tuple[str | None, Any], None],
) -> AsyncGenerator[tuple[str | None, Any], None]:
    """``events`` up to the first content piece, then an error chunk as OpenAI sends one."""
    async for name, data in events:
        yield name, data
        choices = data.get("choices") if isinstance(data, dict) else None
        if choices and choices[0]["delta"].get("content"):
            break
    error = {"message": "The server had an error.", "type": "server_error", "param": None}
    yield None, {"error": {**error, "code": None}}
