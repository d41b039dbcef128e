"""Typed values of the Claude Messages format (``client.messages``): request parameters,
answers, stream events, their parsers, and the accumulator that rebuilds a message from its
events.

Values are frozen attrs classes. Every answer object keeps what the server sent in ``raw``
(left out of ``==`` and ``repr``), so a field the SDK does not know yet is never lost, and a
block, delta or event type it does not know becomes an ``Unknown*`` value, never an error.
"""

from ._messages_parse import MessageAccumulator, parse_event, parse_message
from ._messages_values import (
    ContentBlock,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    Delta,
    InputJSONDelta,
    Message,
    MessageDeltaEvent,
    MessageParam,
    MessageStartEvent,
    MessageStopEvent,
    MessageStreamEvent,
    PingEvent,
    TextBlock,
    TextDelta,
    ThinkingBlock,
    ToolParam,
    ToolUseBlock,
    UnknownBlock,
    UnknownDelta,
    UnknownEvent,
    Usage,
)

__all__ = [
    "ContentBlock",
    "ContentBlockDeltaEvent",
    "ContentBlockStartEvent",
    "ContentBlockStopEvent",
    "Delta",
    "InputJSONDelta",
    "Message",
    "MessageAccumulator",
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
    "parse_event",
    "parse_message",
]

# Reprs and tracebacks say ``aireiter.types.messages.Message``, not a private module path.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("aireiter.types._"):
        _obj.__module__ = __name__
del _name, _obj
