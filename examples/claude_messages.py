"""Claude's Messages format on AIReiter: `client.messages.create` and streaming.

The SDK speaks Anthropic's native format (`POST /api/v1/messages`) on its own transport, so
you get typed content blocks and the real event stream. Without AIREITER_API_KEY a local
emulator answers:

    python examples/claude_messages.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from aireiter import AsyncAIReiter

MODEL = "claude-sonnet-4-6"


@contextlib.asynccontextmanager
async def connect() -> AsyncIterator[AsyncAIReiter]:
    """The API named by AIREITER_API_KEY / AIREITER_BASE_URL, else a local emulator."""
    if os.environ.get("AIREITER_API_KEY"):
        async with AsyncAIReiter() as client:
            yield client
        return
    from aireiter.emulator import run_emulator

    async with (
        run_emulator() as emu,
        AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        yield client


async def main() -> None:
    async with connect() as client:
        message = await client.messages.create(
            model=MODEL,
            max_tokens=256,
            system="You answer in one short sentence.",
            messages=[{"role": "user", "content": "What is a lighthouse for?"}],
        )
        print("answer:", message.text)
        print("usage:", message.usage.input_tokens, "in,", message.usage.output_tokens, "out")

        # Streaming: text pieces as they arrive, then the whole message.
        async with client.messages.stream(
            model=MODEL,
            max_tokens=256,
            messages=[{"role": "user", "content": "Name three colours of the sea."}],
        ) as stream:
            print("streamed: ", end="")
            async for piece in stream.text_stream:
                print(piece, end="", flush=True)
            print()
            final = await stream.get_final_message()
        print("stop reason:", final.stop_reason)


if __name__ == "__main__":
    asyncio.run(main())
