"""Typing contract of the blocking client's model endpoints: type-checked, never run.

``AIReiter().videos.sora2.generate(...)`` takes exactly the keyword arguments of the async
endpoint (inferred from its signature) and returns a ``Task`` instead of a coroutine.
"""

from __future__ import annotations

from typing_extensions import assert_type

from aireiter import AIReiter, Task
from aireiter._generated.videos.sora2 import Sora2SyncEndpoint


def typed_sync_endpoints(client: AIReiter) -> None:
    """The blocking endpoints are typed per model, like the async ones."""
    assert_type(client.videos.sora2, Sora2SyncEndpoint)
    task = client.videos.sora2.generate(prompt="x", aspect_ratio="16:9", video_length="10")
    assert_type(task, Task)
    assert_type(client.videos.sora2.submit(prompt="x", channel="plus"), Task)
    assert_type(
        client.videos.seedance_1_5_pro.submit(prompt="x", video_length=5, resolution="1080p"),
        Task,
    )
    assert_type(client.images.nano_banana_pro.generate(prompt="x", resolution="4K"), Task)
    assert_type(client.images.submit("seedream_v4_5", prompt="x"), Task)
