"""Parsing Claude Messages answers and stream events into typed values, and the pure
accumulator that rebuilds a message from its events.

Parsing is hand-written (small, and on the hot path of a stream): a field of the wrong type
becomes its default, an unknown block, delta or event type an ``Unknown*`` value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from ._messages_values import (
    ContentBlock,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    Delta,
    InputJSONDelta,
    Message,
    MessageDeltaEvent,
    MessageStartEvent,
    MessageStopEvent,
    MessageStreamEvent,
    PingEvent,
    TextBlock,
    TextDelta,
    ThinkingBlock,
    ToolUseBlock,
    UnknownBlock,
    UnknownDelta,
    UnknownEvent,
    Usage,
)

__all__ = ["MessageAccumulator", "parse_event", "parse_message"]


# -- parsing (hand-written: small, and on the hot path of a stream) --------------------------
def _str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _usage(data: Any) -> Usage:
    if not isinstance(data, Mapping):
        return Usage()
    return Usage(
        input_tokens=_opt_int(data.get("input_tokens")) or 0,
        output_tokens=_opt_int(data.get("output_tokens")) or 0,
        cache_creation_input_tokens=_opt_int(data.get("cache_creation_input_tokens")),
        cache_read_input_tokens=_opt_int(data.get("cache_read_input_tokens")),
    )


def _block(data: Any) -> ContentBlock:
    if not isinstance(data, Mapping):
        return UnknownBlock(type="invalid", raw={"value": data})
    kind = _str(data.get("type"))
    raw = dict(data)
    if kind == "text":
        return TextBlock(text=_str(data.get("text")), raw=raw)
    if kind == "tool_use":
        tool_input = data.get("input")
        return ToolUseBlock(
            id=_str(data.get("id")),
            name=_str(data.get("name")),
            input=dict(tool_input) if isinstance(tool_input, Mapping) else {},
            raw=raw,
        )
    if kind == "thinking":
        return ThinkingBlock(
            thinking=_str(data.get("thinking")), signature=_str(data.get("signature")), raw=raw
        )
    return UnknownBlock(type=kind or "unknown", raw=raw)


def parse_message(data: Any) -> Message:
    """A :class:`Message` from the decoded JSON of an answer (unknown fields kept in ``raw``)."""
    raw: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    content = raw.get("content")
    return Message(
        id=_str(raw.get("id")),
        model=_str(raw.get("model")),
        content=tuple(_block(b) for b in content) if isinstance(content, list) else (),
        stop_reason=_opt_str(raw.get("stop_reason")),
        stop_sequence=_opt_str(raw.get("stop_sequence")),
        usage=_usage(raw.get("usage")),
        raw=dict(raw),
    )


def _delta(data: Any) -> Delta:
    if not isinstance(data, Mapping):
        return UnknownDelta(type="invalid", raw={"value": data})
    kind = _str(data.get("type"))
    if kind == "text_delta":
        return TextDelta(text=_str(data.get("text")))
    if kind == "input_json_delta":
        return InputJSONDelta(partial_json=_str(data.get("partial_json")))
    return UnknownDelta(type=kind or "unknown", raw=dict(data))


def parse_event(data: Mapping[str, Any]) -> MessageStreamEvent:
    """The typed event for one decoded SSE ``data`` object (``error`` events are handled by
    the caller, which raises them)."""
    kind = _str(data.get("type"))
    index = _opt_int(data.get("index")) or 0
    if kind == "content_block_delta":
        return ContentBlockDeltaEvent(index=index, delta=_delta(data.get("delta")))
    if kind == "content_block_start":
        return ContentBlockStartEvent(index=index, content_block=_block(data.get("content_block")))
    if kind == "content_block_stop":
        return ContentBlockStopEvent(index=index)
    if kind == "message_start":
        return MessageStartEvent(message=parse_message(data.get("message")))
    if kind == "message_delta":
        delta = _mapping(data.get("delta"))
        usage = _mapping(data.get("usage"))
        return MessageDeltaEvent(
            stop_reason=delta.get("stop_reason")
            if isinstance(delta.get("stop_reason"), str)
            else None,
            stop_sequence=delta.get("stop_sequence")
            if isinstance(delta.get("stop_sequence"), str)
            else None,
            output_tokens=_opt_int(usage.get("output_tokens")),
            raw=dict(data),
        )
    if kind == "message_stop":
        return MessageStopEvent()
    if kind == "ping":
        return PingEvent()
    return UnknownEvent(type=kind or "unknown", raw=dict(data))


# -- accumulation ----------------------------------------------------------------------------
class MessageAccumulator:
    """Rebuilds the :class:`Message` a stream describes, one event at a time (pure: no I/O).

    ``feed(event)`` for every event, then ``message`` is the message so far; after
    ``message_stop`` it equals the non-streamed answer (``raw`` aside).
    """

    __slots__ = ("_blocks", "_json", "_start", "_stop_reason", "_stop_sequence", "_usage")

    def __init__(self) -> None:
        self._start: Message | None = None
        self._blocks: dict[int, ContentBlock] = {}
        self._json: dict[int, list[str]] = {}
        self._stop_reason: str | None = None
        self._stop_sequence: str | None = None
        self._usage = Usage()

    def feed(self, event: MessageStreamEvent) -> None:
        """Apply one event."""
        if isinstance(event, ContentBlockDeltaEvent):
            self._apply_delta(event.index, event.delta)
        elif isinstance(event, ContentBlockStartEvent):
            self._blocks[event.index] = event.content_block
            if isinstance(event.content_block, ToolUseBlock):
                self._json[event.index] = []
        elif isinstance(event, ContentBlockStopEvent):
            self._finish_tool_input(event.index)
        elif isinstance(event, MessageStartEvent):
            self._start = event.message
            self._usage = event.message.usage
        elif isinstance(event, MessageDeltaEvent):
            self._stop_reason = event.stop_reason or self._stop_reason
            self._stop_sequence = event.stop_sequence or self._stop_sequence
            if event.output_tokens is not None:
                self._usage = attrs.evolve(self._usage, output_tokens=event.output_tokens)

    def _apply_delta(self, index: int, delta: Delta) -> None:
        block = self._blocks.get(index)
        if isinstance(delta, TextDelta):
            text = block.text if isinstance(block, TextBlock) else ""
            self._blocks[index] = TextBlock(text=text + delta.text)
        elif isinstance(delta, InputJSONDelta):
            self._json.setdefault(index, []).append(delta.partial_json)
        elif isinstance(block, ThinkingBlock) and delta.type == "thinking_delta":
            more = _str(delta.raw.get("thinking"))
            self._blocks[index] = attrs.evolve(block, thinking=block.thinking + more)
        elif isinstance(block, ThinkingBlock) and delta.type == "signature_delta":
            self._blocks[index] = attrs.evolve(block, signature=_str(delta.raw.get("signature")))

    def _finish_tool_input(self, index: int) -> None:
        """``content_block_stop``: the tool input is whole; parse it into the block for good."""
        parts = self._json.pop(index, None)
        block = self._blocks.get(index)
        if parts is not None and isinstance(block, ToolUseBlock):
            self._blocks[index] = _with_input(block, parts)

    def _current_block(self, index: int) -> ContentBlock:
        """Block ``index`` as it stands, a tool call's input parsed from what has arrived so
        far (without consuming it: later pieces still join the same input)."""
        block = self._blocks[index]
        parts = self._json.get(index)
        if parts is not None and isinstance(block, ToolUseBlock):
            return _with_input(block, parts)
        return block

    @property
    def message(self) -> Message:
        """The message as accumulated so far (reading it changes nothing)."""
        start = self._start
        content = tuple(self._current_block(i) for i in sorted(self._blocks))
        return Message(
            id=start.id if start else "",
            model=start.model if start else "",
            content=content,
            stop_reason=self._stop_reason,
            stop_sequence=self._stop_sequence,
            usage=self._usage,
            raw=start.raw if start else {},
        )


def _with_input(block: ToolUseBlock, parts: list[str]) -> ToolUseBlock:
    """``block`` with its input parsed from the streamed JSON ``parts`` (``{}`` until they
    make a whole JSON object)."""
    text = "".join(parts)
    try:
        value = json.loads(text) if text else {}
    except (ValueError, RecursionError):  # not whole yet, or nested past the parser's depth
        value = {}
    return attrs.evolve(block, input=value if isinstance(value, dict) else {})
