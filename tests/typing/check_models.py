"""Typing contract of the model endpoints: type-checked by mypy (strict), never run.

Each call here must type-check; ``tests/typing/test_typing.py`` runs mypy on this file and on
a snippet that must be rejected.
"""

from __future__ import annotations

from typing_extensions import assert_type

from aireiter import AsyncAIReiter, Task, task_id_for
from aireiter._generated.images.seedream_v4_5 import SeedreamV45Endpoint
from aireiter._generated.videos.sora2 import Sora2Endpoint
from aireiter._spec import ModelParams, ModelSpec
from aireiter.types import PARAMS_CLASSES, Sora2Channel, Sora2Params


async def typed_endpoints(client: AsyncAIReiter) -> None:
    """Keyword arguments are typed per model, with the wire types of that model."""
    assert_type(client.videos.sora2, Sora2Endpoint)
    assert_type(client.images.seedream_v4_5, SeedreamV45Endpoint)
    task = await client.videos.sora2.generate(prompt="x", aspect_ratio="16:9", video_length="10")
    assert_type(task, Task)
    await client.videos.sora2.submit(
        prompt="x", channel="plus", fallback_channels=["advanced", None]
    )
    await client.videos.seedance_1_5_pro.submit(prompt="x", video_length=5, resolution="1080p")
    await client.images.seedream_v4_5.submit(
        prompt="x", image_url=["https://example.com/a.png"], resolution="high"
    )
    await client.images.gpt_4o.submit(prompt="x", image_url="https://example.com/a.png")
    await client.images.seedream_v4.submit(prompt="x", output_n="2", extra_params={"seed": 1})
    await client.videos.seedance2.submit(prompt="x", type="all_reference", channel="face")
    await client.videos.sora2.generate(prompt="x", wait_timeout=None, poll_interval=0.5)
    await client.images.gpt_4o.submit(prompt="x", channel="max")  # every model has the levels
    await client.images.nano_banana.submit(prompt="x", image_url="https://e.com/a,https://e.com/b")
    await client.images.nano_banana.submit(prompt="x", image_url=["https://e.com/a"])
    await client.images.seedream_v4.submit(prompt="x", image_url=["https://e.com/a"])
    await client.videos.seedance_1_5_pro.submit(
        prompt="x",
        image_url="https://e.com/a",
        end_image_url="https://e.com/b",
        generate_audio=True,
    )
    await client.videos.sora2.submit(prompt="x", out_task_id=task_id_for("ORDER.2025.0001"))


async def dynamic_use(client: AsyncAIReiter) -> None:
    """Run-time model choice and spec listing are typed too."""
    task = await client.images.submit("seedream_v4_5", prompt="x", aspect_ratio="1:1")
    assert_type(task, Task)
    for model in client.videos:
        assert_type(model, ModelSpec)
    assert_type(client.images.list(), tuple[ModelSpec, ...])
    params = Sora2Params(prompt="x", video_length="15")
    await client.videos.sora2.submit_params(params, channel="base")
    channel: Sora2Channel = "max"
    await client.videos.sora2.submit(prompt="x", channel=channel)
    assert_type(PARAMS_CLASSES["sora2"], type[ModelParams])
