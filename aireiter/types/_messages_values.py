"""Typed values of the Claude Messages format (``client.messages``): request parameters,
answers and stream events.

Values are frozen attrs classes. Every answer object keeps what the server sent in ``raw``
(left out of ``==`` and ``repr``), so a field the SDK does not know yet is never lost, and a
block, delta or event type it does not know becomes an ``Unknown*`` value, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias, TypedDict

import attrs

__all__ = [
    "ContentBlock",
    "ContentBlockDeltaEvent",
    "ContentBlockStartEvent",
    "ContentBlockStopEvent",
    "Delta",
    "InputJSONDelta",
    "Message",
    "MessageDeltaEvent",
    "MessageParam",
    "MessageStartEvent",
    "MessageStopEvent",
    "MessageStreamEvent",
    "PingEvent",
    "TextBlock",
    "TextDelta",
    "ThinkingBlock",
    "ToolParam",
    "ToolUseBlock",
    "UnknownBlock",
    "UnknownDelta",
    "UnknownEvent",
    "Usage",
]


def _raw() -> Any:
    """The ``raw`` field: what the server sent, kept out of ``==`` and ``repr``."""
    return attrs.field(factory=dict, repr=False, eq=False)


# -- request parameters (TypedDicts: plain dicts with editor help) ----------------------------
class MessageParam(TypedDict):
    """One turn: ``{"role": "user" | "assistant", "content": str | [blocks]}``."""

    role: Literal["user", "assistant"]
    content: str | Sequence[Mapping[str, Any]]


class _ToolParamRequired(TypedDict):
    name: str
    input_schema: Mapping[str, Any]


class ToolParam(_ToolParamRequired, total=False):
    """A tool the model may call: ``name``, JSON-schema ``input_schema``, ``description``."""

    description: str


# -- answer values ------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class Usage:
    """Token counts of one message."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None


@attrs.frozen(kw_only=True)
class TextBlock:
    """Text the model wrote."""

    type: Literal["text"] = "text"
    text: str = ""
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class ToolUseBlock:
    """A call of the tool ``name`` with ``input`` (answer it with a ``tool_result`` block)."""

    type: Literal["tool_use"] = "tool_use"
    id: str = ""
    name: str = ""
    input: Mapping[str, Any] = attrs.field(factory=dict)
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class ThinkingBlock:
    """Extended thinking, with its ``signature``."""

    type: Literal["thinking"] = "thinking"
    thinking: str = ""
    signature: str = ""
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class UnknownBlock:
    """A content block of a type this SDK does not know; ``raw`` holds it."""

    type: str
    raw: Mapping[str, Any] = _raw()


ContentBlock: TypeAlias = TextBlock | ToolUseBlock | ThinkingBlock | UnknownBlock


@attrs.frozen(kw_only=True)
class Message:
    """A model's answer: ``content`` blocks, why it stopped, and token ``usage``."""

    id: str
    model: str
    content: tuple[ContentBlock, ...] = ()
    role: Literal["assistant"] = "assistant"
    type: Literal["message"] = "message"
    stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: Usage = Usage()
    raw: Mapping[str, Any] = _raw()

    @property
    def text(self) -> str:
        """The text of every text block, joined."""
        return "".join(block.text for block in self.content if isinstance(block, TextBlock))

    @property
    def tool_uses(self) -> tuple[ToolUseBlock, ...]:
        """The tool calls in ``content``."""
        return tuple(block for block in self.content if isinstance(block, ToolUseBlock))


# -- stream deltas and events ---------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class TextDelta:
    """More text for a text block."""

    type: Literal["text_delta"] = "text_delta"
    text: str = ""


@attrs.frozen(kw_only=True)
class InputJSONDelta:
    """A piece of a tool call's input, as JSON text (whole only once the block stops)."""

    type: Literal["input_json_delta"] = "input_json_delta"
    partial_json: str = ""


@attrs.frozen(kw_only=True)
class UnknownDelta:
    """A delta of a type this SDK does not know (thinking, signature, ...); ``raw`` holds it."""

    type: str
    raw: Mapping[str, Any] = _raw()


Delta: TypeAlias = TextDelta | InputJSONDelta | UnknownDelta


@attrs.frozen(kw_only=True)
class MessageStartEvent:
    """First event: the message with empty content and the input token count."""

    message: Message
    type: Literal["message_start"] = "message_start"


@attrs.frozen(kw_only=True)
class ContentBlockStartEvent:
    """A content block begins at ``index``."""

    index: int
    content_block: ContentBlock
    type: Literal["content_block_start"] = "content_block_start"


@attrs.frozen(kw_only=True)
class ContentBlockDeltaEvent:
    """More of the content block at ``index``."""

    index: int
    delta: Delta
    type: Literal["content_block_delta"] = "content_block_delta"


@attrs.frozen(kw_only=True)
class ContentBlockStopEvent:
    """The content block at ``index`` is complete."""

    index: int
    type: Literal["content_block_stop"] = "content_block_stop"


@attrs.frozen(kw_only=True)
class MessageDeltaEvent:
    """Top-level changes: ``stop_reason``, ``stop_sequence``, final ``output_tokens``."""

    stop_reason: str | None = None
    stop_sequence: str | None = None
    output_tokens: int | None = None
    type: Literal["message_delta"] = "message_delta"
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class MessageStopEvent:
    """Last event of a stream."""

    type: Literal["message_stop"] = "message_stop"


@attrs.frozen(kw_only=True)
class PingEvent:
    """A keep-alive."""

    type: Literal["ping"] = "ping"


@attrs.frozen(kw_only=True)
class UnknownEvent:
    """An event type this SDK does not know; ``raw`` holds it."""

    type: str
    raw: Mapping[str, Any] = _raw()


MessageStreamEvent: TypeAlias = (
    MessageStartEvent
    | ContentBlockStartEvent
    | ContentBlockDeltaEvent
    | ContentBlockStopEvent
    | MessageDeltaEvent
    | MessageStopEvent
    | PingEvent
    | UnknownEvent
)
