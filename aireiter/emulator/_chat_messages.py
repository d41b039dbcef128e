"""``POST /api/v1/messages``: Anthropic's Messages format, plain and streamed.

Requests need ``anthropic-version`` (``400 invalid_request_error`` without it, as Anthropic's
API answers), a key as ``Authorization: Bearer`` or ``x-api-key``, ``model``,
``max_tokens`` >= 1 and a non-empty ``messages`` list. A streamed answer is the real event
sequence: ``message_start``, then per content block ``content_block_start``, ``ping`` (after
the first), ``content_block_delta`` (``text_delta`` or ``input_json_delta`` pieces),
``content_block_stop``, then ``message_delta`` (stop reason, output tokens) and
``message_stop``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from aiohttp import web

from ._auth import check_key
from ._chat import (
    CHAT_STATE_KEY,
    ChatState,
    anthropic_error,
    known_model,
    paced,
    read_json_object,
    stream_events,
)
from ._chat_logic import (
    STREAM_ERROR_MARKER,
    STREAM_FOREVER_MARKER,
    ToolCall,
    count_tokens,
    echo_reply,
    forever_pieces,
    pick_tool,
    pieces,
    text_of,
)
from ._wire import json_response

__all__ = ["messages"]


def _problem(body: Mapping[str, Any]) -> str | None:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required"
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        return "max_tokens: Field required and must be an integer >= 1"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: Field required and must be a non-empty list"
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping) or message.get("role") not in ("user", "assistant"):
            return f"messages.{index}.role: Input should be 'user' or 'assistant'"
    return None


def _tool_choice(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return None
    kind = value.get("type")
    if kind == "tool":
        return str(value.get("name", ""))
    return str(kind) if kind in ("auto", "any", "none") else None


def _tool_results(content: Any) -> list[str]:
    if not isinstance(content, list):
        return []
    return [
        text_of(block.get("content"))
        for block in content
        if isinstance(block, Mapping) and block.get("type") == "tool_result"
    ]


def _decide(body: Mapping[str, Any]) -> tuple[str | ToolCall, str]:
    messages: list[Mapping[str, Any]] = body["messages"]
    last = messages[-1]
    results = _tool_results(last.get("content")) if last.get("role") == "user" else []
    last_user = next(
        (text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), ""
    )
    if results:
        return f"Tool result: {' '.join(results)}", last_user
    tools = [
        (str(t.get("name", "")), t.get("input_schema"))
        for t in body.get("tools") or []
        if isinstance(t, Mapping)
    ]
    call = pick_tool(tools, _tool_choice(body.get("tool_choice")), last_user)
    return (call if call is not None else echo_reply(last_user)), last_user


async def messages(request: web.Request) -> web.StreamResponse:
    """``POST /api/v1/messages`` (see the module docstring)."""
    if not check_key(request, allow_x_api_key=True):
        return anthropic_error(401, "invalid x-api-key")
    if not request.headers.get("anthropic-version"):
        return anthropic_error(400, "anthropic-version: header is required")
    body = await read_json_object(request)
    if body is None:
        return anthropic_error(400, "There was an issue with your request body: invalid JSON")
    state = request.app[CHAT_STATE_KEY]
    state.record(request, body)
    problem = _problem(body)
    if problem is not None:
        return anthropic_error(400, problem)
    model: str = body["model"]
    if not known_model(request, model):
        return anthropic_error(404, f"model: {model}")
    decided, last_user = _decide(body)
    system = body.get("system")
    prompt = count_tokens(
        text_of(system) if system is not None else "",
        *(text_of(m.get("content")) for m in body["messages"]),
    )
    message_id = state.next_id("msg")
    if body.get("stream"):
        forever = isinstance(decided, str) and STREAM_FOREVER_MARKER in last_user
        events = _stream(state, message_id, model, decided, prompt, body["max_tokens"], forever)
        if STREAM_ERROR_MARKER in last_user:
            events = _fail_after_first_delta(events)
        return await stream_events(request, events)
    content, stop_reason, completion = _content(state, decided, body["max_tokens"])
    return json_response(
        _message(
            message_id,
            model,
            content,
            stop_reason,
            {"input_tokens": prompt, "output_tokens": completion},
        )
    )


def _usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }


def _message(
    message_id: str,
    model: str,
    content: list[Any],
    stop_reason: str | None,
    usage: Mapping[str, int],
) -> dict[str, Any]:
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": _usage(usage["input_tokens"], usage["output_tokens"]),
    }


def _cut(text: str, max_tokens: int) -> tuple[list[str], str]:
    parts = pieces(text)
    if len(parts) > max_tokens:
        return parts[:max_tokens], "max_tokens"
    return parts, "end_turn"


def _content(
    state: ChatState, decided: str | ToolCall, max_tokens: int
) -> tuple[list[Any], str, int]:
    if isinstance(decided, ToolCall):
        block = {
            "type": "tool_use",
            "id": state.next_id("toolu"),
            "name": decided.name,
            "input": json.loads(decided.arguments),
        }
        return [block], "tool_use", len(pieces(decided.arguments))
    parts, stop_reason = _cut(decided, max_tokens)
    return [{"type": "text", "text": "".join(parts)}], stop_reason, len(parts)


async def _stream(
    state: ChatState,
    message_id: str,
    model: str,
    decided: str | ToolCall,
    prompt: int,
    max_tokens: int,
    forever: bool,
) -> AsyncGenerator[tuple[str | None, Any], None]:
    def event(kind: str, **fields: Any) -> tuple[str, Any]:
        return kind, {"type": kind, **fields}

    start = _message(message_id, model, [], None, {"input_tokens": prompt, "output_tokens": 1})
    yield event("message_start", message=start)
    completion = 0
    if isinstance(decided, ToolCall):
        block = {
            "type": "tool_use",
            "id": state.next_id("toolu"),
            "name": decided.name,
            "input": {},
        }
        yield event("content_block_start", index=0, content_block=block)
        yield event("ping")
        for piece in pieces(decided.arguments):
            completion += 1
            delta = {"type": "input_json_delta", "partial_json": piece}
            yield event("content_block_delta", index=0, delta=delta)
        stop_reason = "tool_use"
    else:
        yield event("content_block_start", index=0, content_block={"type": "text", "text": ""})
        yield event("ping")
        parts, stop_reason = _cut(decided, max_tokens)
        async for piece in paced(iter(forever_pieces() if forever else parts), forever=forever):
            completion += 1
            yield event("content_block_delta", index=0, delta={"type": "text_delta", "text": piece})
    yield event("content_block_stop", index=0)
    yield event(
        "message_delta",
        delta={"stop_reason": stop_reason, "stop_sequence": None},
        usage={"output_tokens": completion},
    )
    yield event("message_stop")


async def _fail_after_first_delta(
    events: AsyncGenerator[tuple[str | None, Any], None],
) -> AsyncGenerator[tuple[str | None, Any], None]:
    """``events`` up to the first delta, then Anthropic's mid-stream ``overloaded_error``."""
    async for name, data in events:
        yield name, data
        if name == "content_block_delta":
            break
    error = {"type": "overloaded_error", "message": "Overloaded"}
    yield "error", {"type": "error", "error": error}
