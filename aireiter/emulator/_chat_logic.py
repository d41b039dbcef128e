"""The deterministic "model" behind the emulated chat routes, shared by all three formats.

Rules (the same for Chat Completions, Responses and Messages):

- **Reply text**: ``Echo: <the last user text>`` (``Hello from the AIReiter emulator.`` when
  there is none). After a tool result it is ``Tool result: <the result's text>``.
- **Tokens** are whitespace-separated words: ``prompt`` counts the words of every message,
  the system prompt and the instructions; ``completion`` counts the reply's pieces. A piece is
  one word with the whitespace after it, so the pieces joined are exactly the reply; a stream
  sends one piece per delta. A ``max_tokens`` cap cuts the reply and finishes it with
  ``length`` / ``max_tokens`` / ``incomplete``.
- **Tool calls**: when tools are given, tool choice is not ``none``, and the conversation does
  not end with a tool result, the model calls one tool: the named one if tool choice names
  it, else the first tool whose name appears in the last user text, else (``required`` /
  ``any``) the first tool. With ``auto`` and no name mentioned it answers in text. The
  arguments are a dummy object valid for the tool's parameter schema (:func:`dummy_for_schema`).
- **Structured output**: a JSON-schema response format makes the reply the JSON of a dummy
  object valid for the schema.
- **Endless streams**: a last user text containing ``STREAM_FOREVER`` streams ``tick``
  pieces every :data:`STREAM_TICK_S` until the client goes away (at most
  :data:`STREAM_FOREVER_LIMIT_S`), so tests can cancel a stream mid-way.
- **Errors mid-stream**: a last user text containing ``STREAM_ERROR`` makes a stream fail
  after its first piece, the way each API reports it (chat: a ``data: {"error": ...}`` chunk;
  messages: an ``error`` event with ``overloaded_error``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

__all__ = [
    "DEFAULT_REPLY",
    "STREAM_ERROR_MARKER",
    "STREAM_FOREVER_LIMIT_S",
    "STREAM_FOREVER_MARKER",
    "STREAM_TICK_S",
    "TEXT_MODELS",
    "ToolCall",
    "count_tokens",
    "dummy_for_schema",
    "echo_reply",
    "forever_pieces",
    "pick_tool",
    "pieces",
    "text_of",
]

DEFAULT_REPLY: Final = "Hello from the AIReiter emulator."
STREAM_FOREVER_MARKER: Final = "STREAM_FOREVER"
STREAM_ERROR_MARKER: Final = "STREAM_ERROR"
STREAM_TICK_S: Final = 0.01  # pause between two pieces of an endless stream
STREAM_FOREVER_LIMIT_S: Final = 30.0  # an endless stream stops after this long anyway
TEXT_MODELS: Final = (
    "gpt-4o-mini",
    "gpt-4o",
    "gpt-5.2",
    "gpt-5.5",
    "claude-haiku-4-5-20251001",
    "claude-sonnet-4-5-20250929",
    "claude-sonnet-4-6",
    "claude-opus-4-5-20251101",
    "claude-opus-4-6",
)
"""The text models the emulator lists at ``GET /api/v1/models`` (from the API docs)."""

_PIECE: Final = re.compile(r"\S+\s*")
_MAX_SCHEMA_DEPTH: Final = 12  # a recursive schema is cut off (with null/empty) past this


def text_of(content: Any) -> str:
    """The plain text of a message ``content`` in any of the three formats (a string, or a
    list of ``text`` / ``input_text`` / ``output_text`` / ``tool_result`` parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        if isinstance(content.get("text"), str):
            return str(content["text"])
        if "content" in content:
            return text_of(content["content"])
        return ""
    if isinstance(content, Sequence):
        return " ".join(filter(None, (text_of(part) for part in content)))
    return ""


def count_tokens(*texts: str) -> int:
    """Whitespace-separated words in ``texts``: the emulator's token count."""
    return sum(len(text.split()) for text in texts)


def pieces(text: str) -> list[str]:
    """``text`` cut into stream pieces (a word and its trailing whitespace); joined, they are
    exactly ``text`` minus any leading whitespace."""
    return _PIECE.findall(text)


def echo_reply(last_user_text: str) -> str:
    """The reply to a conversation whose last user text is ``last_user_text``."""
    text = " ".join(last_user_text.split())
    return f"Echo: {text}" if text else DEFAULT_REPLY


def forever_pieces() -> Iterator[str]:
    """The pieces of an endless stream (the caller paces them and stops)."""
    while True:
        yield "tick "


class ToolCall:
    """The tool the emulated model decided to call, and its arguments as JSON text."""

    __slots__ = ("arguments", "name")

    def __init__(self, name: str, arguments: str) -> None:
        self.name = name
        self.arguments = arguments


def pick_tool(
    tools: Sequence[tuple[str, Any]], choice: str | None, last_user_text: str
) -> ToolCall | None:
    """Apply the tool rule of the module docstring.

    ``tools`` are ``(name, parameters schema)`` pairs; ``choice`` is ``"none"``, ``"auto"``,
    ``"required"`` (``"any"`` in Messages) or a tool name.
    """
    if not tools or choice == "none":
        return None
    by_name = dict(tools)
    name: str | None = None
    if choice is not None and choice not in ("auto", "required", "any"):
        name = choice if choice in by_name else None
    if name is None:
        name = next((n for n, _ in tools if n and n in last_user_text), None)
    if name is None and choice in ("required", "any"):
        name = tools[0][0]
    if name is None:
        return None
    arguments = dummy_for_schema(by_name.get(name) or {"type": "object", "properties": {}})
    return ToolCall(name, json.dumps(arguments))


def dummy_for_schema(schema: Any, root: Any = None, depth: int = 0) -> Any:
    """A value that validates against JSON schema ``schema`` (the subset structured outputs
    and tool parameters use: types, ``properties``, ``items``, ``enum``, ``const``,
    ``anyOf``/``oneOf``/``allOf``, ``$ref`` into ``$defs``, lengths, bounds, common formats)."""
    root = schema if root is None else root
    if not isinstance(schema, Mapping) or depth > _MAX_SCHEMA_DEPTH:
        return None
    if "$ref" in schema:
        return dummy_for_schema(_resolve_ref(root, str(schema["$ref"])), root, depth + 1)
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, Sequence) and not isinstance(enum, str) and enum:
        return enum[0]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, Sequence) and options:
            non_null = [
                o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")
            ]
            return dummy_for_schema((non_null or list(options))[0], root, depth + 1)
    if isinstance(schema.get("allOf"), Sequence):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = dummy_for_schema(part, root, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
            elif value is not None:
                return value
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    return _dummy_of_type(str(kind), schema, root, depth)


def _dummy_of_type(kind: str, schema: Mapping[str, Any], root: Any, depth: int) -> Any:
    if kind == "object":
        properties = schema.get("properties")
        if not isinstance(properties, Mapping):
            return {}
        return {
            str(name): dummy_for_schema(sub, root, depth + 1) for name, sub in properties.items()
        }
    if kind == "array":
        count = int(schema.get("minItems", 1) or 0)
        item = schema.get("items", {})
        return [dummy_for_schema(item, root, depth + 1) for _ in range(count)]
    if kind == "string":
        return _dummy_string(schema)
    if kind in ("integer", "number"):
        return _dummy_number(kind, schema)
    if kind == "boolean":
        return True
    return None


_FORMATS: Final = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "duration": "P1D",
}


def _dummy_string(schema: Mapping[str, Any]) -> str:
    text = _FORMATS.get(str(schema.get("format", "")), "example")
    min_length = int(schema.get("minLength", 0) or 0)
    max_length = schema.get("maxLength")
    if len(text) < min_length:
        text = text + "x" * (min_length - len(text))
    if isinstance(max_length, int) and len(text) > max_length:
        text = text[:max_length]
    return text


def _dummy_number(kind: str, schema: Mapping[str, Any]) -> int | float:
    value: float = 1
    if isinstance(schema.get("minimum"), (int, float)):
        value = max(value, schema["minimum"])
    if isinstance(schema.get("exclusiveMinimum"), (int, float)):
        value = max(value, schema["exclusiveMinimum"] + 1)
    if isinstance(schema.get("maximum"), (int, float)):
        value = min(value, schema["maximum"])
    if isinstance(schema.get("exclusiveMaximum"), (int, float)):
        value = min(value, schema["exclusiveMaximum"] - 1)
    return int(value) if kind == "integer" else float(value)


def _resolve_ref(root: Any, ref: str) -> Any:
    if not ref.startswith("#"):
        return {}
    node = root
    for part in ref.lstrip("#").strip("/").split("/"):
        if not part:
            continue
        if not isinstance(node, Mapping):
            return {}
        node = node.get(part.replace("~1", "/").replace("~0", "~"), {})
    return node
