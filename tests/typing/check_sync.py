"""Typing contract of the blocking client: type-checked, never run.

Its methods are derived from the async ones, so they take exactly the async parameters
(inferred from the async signatures) and return the result instead of a coroutine: a
``Task`` for a model endpoint, a plain iterator for ``tasks.watch`` and the tracker's
``as_completed``, a context manager for ``messages.stream`` and the tracker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from typing_extensions import assert_type

from aireiter import AIReiter, Balance, Task
from aireiter._generated.videos.sora2 import Sora2SyncEndpoint
from aireiter._sync import MessageStream
from aireiter.tracker import ProgressSnapshot
from aireiter.tracker._blocking import SyncTaskHandle, SyncTaskTracker
from aireiter.types.messages import Message


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
    assert_type(client.images.generate("seedream_v4_5", prompt="x", channel="plus"), Task)


def typed_sync_constructor() -> None:
    """The constructor takes the async client's arguments, all of them."""
    with AIReiter(api_key="k", timeout=30, max_response_bytes=1 << 20) as client:
        assert_type(client, AIReiter)


def typed_sync_tasks(client: AIReiter) -> None:
    """``client.tasks`` takes what ``AsyncTasks`` takes; ``watch`` is a plain iterator."""
    task = client.tasks.submit("sora2", {"prompt": "x"}, max_retries=0)
    assert_type(client.tasks.query(task.out_task_id, max_retries=0), Task)
    assert_type(client.tasks.wait(task.out_task_id, timeout=60), Task)
    assert_type(client.tasks.watch(task), Iterator[Task])
    assert_type(client.tasks.download(task, Path("out")), tuple[Path, ...])
    assert_type(client.balance(), Balance)


def typed_sync_messages(client: AIReiter) -> None:
    """``create`` returns the message; ``stream`` is a context manager of a typed stream."""
    message = client.messages.create(
        model="claude-sonnet-4-6", max_tokens=64, messages=[{"role": "user", "content": "hi"}]
    )
    assert_type(message, Message)
    with client.messages.stream(
        model="claude-sonnet-4-6", max_tokens=64, messages=[{"role": "user", "content": "hi"}]
    ) as stream:
        assert_type(stream, MessageStream)
        for text in stream.text_stream:
            assert_type(text, str)
        assert_type(stream.get_final_message(), Message)


def typed_sync_tracker(client: AIReiter) -> None:
    """The blocking tracker: handles that block, plain iterators of results."""
    with client.tracker(journal="run.db") as tracker:
        assert_type(tracker, SyncTaskTracker)
        handle = tracker.submit("seedream_v4_5", {"prompt": "x"}, out_task_id="a")
        assert_type(handle, SyncTaskHandle)
        assert_type(handle.result(), Task)
        assert_type(tracker.submit_many([{"model": "sora2", "params": {}}]), list[SyncTaskHandle])
        for task in tracker.as_completed():
            assert_type(task, Task)
        assert_type(tracker.gather(), list[Task])
        assert_type(tracker.progress(), ProgressSnapshot)
        assert_type(tracker.handle("a"), SyncTaskHandle | None)
