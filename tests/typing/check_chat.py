"""Typing contract of chat: ``client.messages`` and the openai adapter. Type-checked by mypy
(strict), never run."""

from __future__ import annotations

import openai
from openai.types.chat import ChatCompletion
from typing_extensions import assert_type

from aireiter import AsyncAIReiter
from aireiter.openai import AsyncOpenAI, OpenAI
from aireiter.resources.messages import AsyncMessageStream
from aireiter.types.messages import (
    ContentBlockDeltaEvent,
    Message,
    MessageParam,
    MessageStreamEvent,
    TextDelta,
    ToolParam,
)


async def typed_messages(client: AsyncAIReiter) -> None:
    """``create`` returns a Message, or a stream of typed events with ``stream=True``."""
    turns: list[MessageParam] = [{"role": "user", "content": "hi"}]
    tools: list[ToolParam] = [{"name": "f", "input_schema": {"type": "object"}}]
    message = await client.messages.create(
        model="claude-sonnet-4-6", max_tokens=64, messages=turns, system="s", tools=tools
    )
    assert_type(message, Message)
    assert_type(message.text, str)
    stream = await client.messages.create(
        model="claude-sonnet-4-6", max_tokens=64, messages=turns, stream=True
    )
    assert_type(stream, AsyncMessageStream)
    async with stream:
        async for event in stream:
            assert_type(event, MessageStreamEvent)
            if isinstance(event, ContentBlockDeltaEvent) and isinstance(event.delta, TextDelta):
                assert_type(event.delta.text, str)
    async with client.messages.stream(
        model="claude-sonnet-4-6", max_tokens=64, messages=turns
    ) as managed:
        async for text in managed.text_stream:
            assert_type(text, str)
        assert_type(await managed.get_final_message(), Message)


async def typed_adapter(client: AsyncAIReiter) -> None:
    """The adapter is an ``openai.AsyncOpenAI``; chat answers are openai's own types."""
    oa: openai.AsyncOpenAI = AsyncOpenAI(api_key="k", http_backend="httpx")
    sync: openai.OpenAI = OpenAI(api_key="k")
    completion = await oa.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
    )
    assert_type(completion, ChatCompletion)
    assert_type(
        await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        ),
        ChatCompletion,
    )
    sync.close()
