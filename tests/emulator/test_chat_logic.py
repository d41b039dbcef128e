"""The emulated model's pure rules: pieces, tokens, the tool rule and schema dummies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aireiter.emulator._chat_logic import (
    count_tokens,
    dummy_for_schema,
    echo_reply,
    pick_tool,
    pieces,
    text_of,
)


def test_pieces_rebuild_the_text_and_count_as_tokens() -> None:
    """Pieces joined give the text back; their number is the token count."""
    text = "Echo:  several   spaced words\n"
    assert "".join(pieces(text)) == text
    assert len(pieces(text)) == count_tokens(text) == 4


def test_text_of_reads_every_content_shape() -> None:
    """Strings, text parts of all three formats and tool_result blocks are read."""
    content = [
        {"type": "input_text", "text": "a"},
        {"type": "tool_result", "content": [{"type": "text", "text": "b"}]},
        {"type": "image", "source": {}},
    ]
    assert text_of(content) == "a b"
    assert text_of(None) == ""
    assert echo_reply("  ") == "Hello from the AIReiter emulator."


def test_unknown_named_tool_choice_falls_back_to_the_rule() -> None:
    """A tool choice naming no given tool is ignored; an empty tool list never calls."""
    tools = [("alpha", None), ("beta", None)]
    call = pick_tool(tools, "missing", "say beta")
    assert call is not None
    assert call.name == "beta"
    assert json.loads(call.arguments) == {}
    assert pick_tool([], "required", "x") is None


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": ["null", "integer"], "exclusiveMinimum": 3}, 4),
        ({"type": "number", "maximum": -2}, -2.0),
        ({"type": "string", "minLength": 9}, "examplexx"),
        ({"type": "string", "maxLength": 3}, "exa"),
        ({"const": "fixed"}, "fixed"),
        (
            {"allOf": [{"properties": {"a": {"type": "boolean"}}}, {"properties": {"b": {}}}]},
            {"a": True, "b": "example"},
        ),
        ({"type": "array", "items": {"type": "integer"}, "minItems": 0}, []),
        ({"$ref": "#/missing"}, "example"),
    ],
)
def test_dummy_for_schema(schema: dict[str, Any], expected: Any) -> None:
    """Each keyword's dummy honours its constraint."""
    assert dummy_for_schema(schema) == expected


def test_recursive_schema_is_cut_off() -> None:
    """A self-referencing schema ends instead of recursing forever."""
    schema = {
        "$ref": "#/$defs/Node",
        "$defs": {"Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}},
    }
    value = dummy_for_schema(schema)
    depth = 0
    while isinstance(value, dict):
        value = value["child"]
        depth += 1
    assert value is None
    assert depth > 1
