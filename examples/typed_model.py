"""Typed model calls: every parameter is a checked keyword argument.

Run it against the local emulator (started for you when AIREITER_API_KEY is unset) or the real
API (export AIREITER_API_KEY=... first; that costs credits):

    python examples/typed_model.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import aireiter
from aireiter import AsyncAIReiter


@contextlib.asynccontextmanager
async def connect() -> AsyncIterator[AsyncAIReiter]:
    """The API named by AIREITER_API_KEY / AIREITER_BASE_URL, else a local emulator."""
    if os.environ.get("AIREITER_API_KEY"):
        async with AsyncAIReiter() as client:
            yield client
        return
    from aireiter.emulator import EmulatorConfig, run_emulator

    async with (
        run_emulator(EmulatorConfig(time_scale=0.01)) as emu,
        AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        yield client


async def main() -> None:
    async with connect() as client:
        local = client.base_url.startswith("http://127.0.0.1")
        poll_s = 0.1 if local else 5.0  # emulated tasks take a fraction of a second

        # Submit and wait in one call; your editor completes the model and its parameters.
        image = await client.images.seedream_v4_5.generate(
            prompt="a lighthouse in a storm, oil painting",
            aspect_ratio="16:9",
            resolution="high",
            poll_interval=poll_s,
        )
        print("image:", image.status.value, image.urls)

        # Submit only, on a cheaper channel, with your own id; wait later by that id. An id
        # names one task for good, so each run makes a fresh one (a reused id is refused).
        my_id = f"typed-demo-{uuid.uuid4().hex[:12]}"
        video = await client.videos.sora2.submit(
            prompt="waves at dusk", video_length="15", channel="plus", out_task_id=my_id
        )
        print("video submitted as", video.model, "id", video.out_task_id)
        video = await client.tasks.wait(video.out_task_id, poll_interval=poll_s)
        print("video:", video.status.value, video.urls, "credits", video.credits_used)

        # A bad value never reaches the API: ParamError names the field and what is allowed.
        try:
            await client.videos.sora2.submit(prompt="waves", video_length="12")  # type: ignore[arg-type]
        except aireiter.ParamError as error:
            print("rejected before sending:", error.field, "allowed:", error.allowed)


if __name__ == "__main__":
    asyncio.run(main())
