"""``POST /api/v1/responses``: the OpenAI Responses API, plain and streamed.

A plain request answers one ``response`` object. A streamed one sends named SSE events, each
with its ``type`` and a growing ``sequence_number``: ``response.created``,
``response.in_progress``, ``response.output_item.added``, then for text
``response.content_part.added``, ``response.output_text.delta`` (one per piece),
``response.output_text.done``, ``response.content_part.done`` (for a tool call
``response.function_call_arguments.delta`` / ``.done``), ``response.output_item.done`` and
last ``response.completed`` (or ``response.incomplete`` when ``max_output_tokens`` cut it).
There is no ``[DONE]``: the body just ends.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from aiohttp import web

from ._auth import check_key
from ._chat import (
    CHAT_STATE_KEY,
    ChatState,
    known_model,
    openai_error,
    paced,
    read_json_object,
    stream_events,
)
from ._chat_logic import (
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

__all__ = ["responses"]


def _items(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    if isinstance(value, list) and all(isinstance(item, Mapping) for item in value):
        return list(value)
    raise ValueError("Invalid 'input': expected a string or an array of input items.")


def _tools(body: Mapping[str, Any]) -> list[tuple[str, Any]]:
    tools: list[tuple[str, Any]] = []
    for tool in body.get("tools") or []:
        if isinstance(tool, Mapping) and tool.get("type") == "function":
            tools.append((str(tool.get("name", "")), tool.get("parameters")))
    return tools


def _tool_choice(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return str(value.get("name", "")) or None
    return value if isinstance(value, str) else None


def _decide(body: Mapping[str, Any], items: list[Mapping[str, Any]]) -> tuple[Any, str]:
    """A reply text or a :class:`ToolCall`, and the last user text."""
    last_user = next(
        (text_of(i.get("content")) for i in reversed(items) if i.get("role") == "user"), ""
    )
    last = items[-1] if items else {}
    if last.get("type") == "function_call_output":
        return f"Tool result: {text_of(last.get('output'))}", last_user
    call = pick_tool(_tools(body), _tool_choice(body.get("tool_choice")), last_user)
    if call is not None:
        return call, last_user
    text = body.get("text")
    fmt = text.get("format") if isinstance(text, Mapping) else None
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
        return json.dumps(dummy_for_schema(fmt.get("schema") or {"type": "object"})), last_user
    return echo_reply(last_user), last_user


async def responses(request: web.Request) -> web.StreamResponse:
    """``POST /api/v1/responses`` (see the module docstring)."""
    if not check_key(request):
        return openai_error(401, "Incorrect API key provided.", code="invalid_api_key")
    body = await read_json_object(request)
    if body is None:
        return openai_error(400, "We could not parse the JSON body of your request.")
    state = request.app[CHAT_STATE_KEY]
    state.record(request, body)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return openai_error(400, "Missing required parameter: 'model'.", param="model")
    if not known_model(request, model):
        return openai_error(
            404, f"The model `{model}` does not exist.", code="model_not_found", param="model"
        )
    max_out = body.get("max_output_tokens")
    if max_out is not None and (
        isinstance(max_out, bool) or not isinstance(max_out, int) or max_out < 1
    ):
        return openai_error(400, "Invalid 'max_output_tokens'.", param="max_output_tokens")
    try:
        items = _items(body.get("input"))
    except ValueError as error:
        return openai_error(400, str(error), param="input")
    decided, last_user = _decide(body, items)
    instructions = body.get("instructions")
    prompt = count_tokens(
        instructions if isinstance(instructions, str) else "",
        *(text_of(i.get("content", i.get("output"))) for i in items),
    )
    base = _base(state, body, model)
    if body.get("stream"):
        forever = isinstance(decided, str) and STREAM_FOREVER_MARKER in last_user
        return await stream_events(request, _stream(state, base, decided, prompt, max_out, forever))
    output, status, completion = _output(state, decided, max_out)
    return json_response(_finish(base, output, status, prompt, completion))


def _base(state: ChatState, body: Mapping[str, Any], model: str) -> dict[str, Any]:
    text = body.get("text")
    return {
        "id": state.next_id("resp"),
        "object": "response",
        "created_at": int(time.time()),
        "status": "in_progress",
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": model,
        "output": [],
        "parallel_tool_calls": True,
        "previous_response_id": body.get("previous_response_id"),
        "temperature": body.get("temperature", 1.0),
        "text": text if isinstance(text, Mapping) else {"format": {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "top_p": body.get("top_p", 1.0),
        "usage": None,
        "metadata": body.get("metadata") or {},
        "task_id": state.next_id("task"),
    }


def _message_item(item_id: str, text: str, status: str) -> dict[str, Any]:
    part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    return {
        "id": item_id,
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": [part],
    }


def _call_item(item_id: str, call_id: str, call: ToolCall, arguments: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "function_call",
        "status": "completed",
        "call_id": call_id,
        "name": call.name,
        "arguments": arguments,
    }


def _cut(text: str, max_out: int | None) -> tuple[list[str], str]:
    parts = pieces(text)
    if max_out is not None and len(parts) > max_out:
        return parts[:max_out], "incomplete"
    return parts, "completed"


def _output(state: ChatState, decided: Any, max_out: int | None) -> tuple[Any, str, int]:
    if isinstance(decided, ToolCall):
        item = _call_item(state.next_id("fc"), state.next_id("call"), decided, decided.arguments)
        return [item], "completed", len(pieces(decided.arguments))
    parts, status = _cut(decided, max_out)
    return [_message_item(state.next_id("msg"), "".join(parts), status)], status, len(parts)


def _finish(
    base: Mapping[str, Any], output: Any, status: str, prompt: int, completion: int
) -> dict[str, Any]:
    return {
        **base,
        "status": status,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        "output": output,
        "usage": {
            "input_tokens": prompt,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": completion,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": prompt + completion,
        },
    }


async def _stream(
    state: ChatState,
    base: dict[str, Any],
    decided: Any,
    prompt: int,
    max_out: int | None,
    forever: bool,
) -> AsyncGenerator[tuple[str | None, Any], None]:
    seq = 0

    def event(kind: str, **fields: Any) -> tuple[str, Any]:
        nonlocal seq
        seq += 1
        return kind, {"type": kind, "sequence_number": seq - 1, **fields}

    yield event("response.created", response=base)
    yield event("response.in_progress", response=base)
    where: dict[str, Any] = {"output_index": 0}
    if isinstance(decided, ToolCall):
        item_id, call_id = state.next_id("fc"), state.next_id("call")
        added = {**_call_item(item_id, call_id, decided, ""), "status": "in_progress"}
        yield event("response.output_item.added", item=added, **where)
        parts = pieces(decided.arguments)
        for piece in parts:
            yield event(
                "response.function_call_arguments.delta", item_id=item_id, delta=piece, **where
            )
        yield event(
            "response.function_call_arguments.done",
            item_id=item_id,
            name=decided.name,
            arguments=decided.arguments,
            **where,
        )
        item = _call_item(item_id, call_id, decided, decided.arguments)
        status, completion = "completed", len(parts)
    else:
        item_id = state.next_id("msg")
        added = {**_message_item(item_id, "", "in_progress"), "content": []}
        yield event("response.output_item.added", item=added, **where)
        at = {"item_id": item_id, "content_index": 0, **where}
        empty = {"type": "output_text", "text": "", "annotations": []}
        yield event("response.content_part.added", part=empty, **at)
        parts, status = _cut(decided, max_out)
        sent: list[str] = []
        async for piece in paced(iter(forever_pieces() if forever else parts), forever=forever):
            sent.append(piece)
            yield event("response.output_text.delta", delta=piece, logprobs=[], **at)
        text = "".join(sent)
        yield event("response.output_text.done", text=text, logprobs=[], **at)
        item = _message_item(item_id, text, status)
        yield event("response.content_part.done", part=item["content"][0], **at)
        completion = len(sent)
    yield event("response.output_item.done", item=item, **where)
    final = _finish(base, [item], status, prompt, completion)
    yield event(f"response.{status}", response=final)
