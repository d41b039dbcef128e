"""The OpenAI drop-in: change one import, keep every line of openai code.

`aireiter.openai.AsyncOpenAI` is the official `openai.AsyncOpenAI`, pointed at AIReiter's
OpenAI-compatible endpoint with AIREITER_API_KEY (never OPENAI_API_KEY). Without
AIREITER_API_KEY this example starts a local emulator and talks to it:

    python examples/openai_dropin.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from aireiter.openai import AsyncOpenAI  # was: from openai import AsyncOpenAI


@contextlib.asynccontextmanager
async def openai_client() -> AsyncIterator[AsyncOpenAI]:
    """The drop-in client for AIREITER_API_KEY / AIREITER_BASE_URL, else a local emulator."""
    if os.environ.get("AIREITER_API_KEY"):
        async with AsyncOpenAI() as client:
            yield client
        return
    from aireiter.emulator import run_emulator

    async with run_emulator() as emu, AsyncOpenAI(api_key=emu.api_key, base_url=emu.base_url) as c:
        yield c


async def main() -> None:
    async with openai_client() as client:
        # Unchanged openai code from here on.
        reply = await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Say hello in five words."}],
        )
        print("reply:", reply.choices[0].message.content)

        stream = await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Count from one to five."}],
            stream=True,
        )
        print("streamed: ", end="")
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="", flush=True)
        print()


if __name__ == "__main__":
    asyncio.run(main())
