"""client.videos: typed attributes, run-time model choice, listing."""

from __future__ import annotations

import pytest

from aireiter import AsyncAIReiter, ParamError
from aireiter._generated.videos.sora2 import Sora2Endpoint
from aireiter._spec import load_spec
from aireiter.emulator import RunningEmulator


def test_models_are_cached_typed_attributes() -> None:
    """client.videos.sora2 is one Sora2Endpoint per client; endpoint() finds it by id."""
    client = AsyncAIReiter(api_key="k", base_url="http://127.0.0.1:1")
    assert isinstance(client.videos.sora2, Sora2Endpoint)
    assert client.videos.sora2 is client.videos.sora2
    assert client.videos.endpoint("sora2") is client.videos.sora2
    assert repr(client.videos.sora2) == "<Sora2Endpoint model='sora2'>"


def test_listing_gives_every_video_model_spec() -> None:
    """list(), iteration, len and `in` cover exactly the spec's video models."""
    client = AsyncAIReiter(api_key="k", base_url="http://127.0.0.1:1")
    expected = [m.id for m in load_spec().of_kind("video")]
    assert [m.id for m in client.videos.list()] == expected
    assert [m.id for m in client.videos] == expected
    assert len(client.videos) == len(expected)
    assert "seedance2" in client.videos
    assert "seedream_v4_5" not in client.videos


async def test_dynamic_submit_checks_like_the_typed_endpoint(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """submit(model_id, **params) refuses unknown models, image models and bad values."""
    with pytest.raises(ParamError, match="not a video model"):
        await client.videos.submit("seedream_v4_5", prompt="x")
    with pytest.raises(ParamError) as info:
        await client.videos.submit("sora2", prompt="x", video_length=10, duration=5)
    assert {issue.field for issue in info.value.issues} == {"video_length", "duration"}
    assert "extra_params" in str(info.value)
    with pytest.raises(ParamError, match="conflicts"):
        await client.videos.submit("sora2_plus", prompt="x", channel="base")
    assert sum(emulator.state.request_counts.values()) == 0


async def test_dynamic_submit_understands_channel_names(client: AsyncAIReiter) -> None:
    """A model name with a channel suffix is sent as that channel."""
    task = await client.videos.submit("sora2_pro_plus", prompt="x", resolution="high")
    assert task.model == "sora2_pro_plus"
    stored = (await client.tasks.query(task.out_task_id)).input
    assert stored is not None
    assert stored["params"]["resolution"] == "high"


async def test_not_fully_documented_models_pass_unknown_fields(client: AsyncAIReiter) -> None:
    """seedance2: prompt is checked; other fields, listed or not, are sent unchecked."""
    task = await client.videos.seedance2.submit(
        prompt="x", type="all_reference", extra_params={"camera_fixed": True}
    )
    dynamic = await client.videos.submit("seedance2", prompt="y", video_length="8", seed=3)
    first = (await client.tasks.query(task.out_task_id)).input
    second = (await client.tasks.query(dynamic.out_task_id)).input
    assert first is not None
    assert first["params"] == {
        "prompt": "x",
        "type": "all_reference",
        "camera_fixed": True,
    }
    assert second is not None
    assert second["params"] == {
        "prompt": "y",
        "video_length": "8",
        "seed": 3,
    }


async def test_dynamic_generate_waits_for_completion(client: AsyncAIReiter) -> None:
    """generate(model_id, ...) returns the completed task."""
    task = await client.videos.generate("veo3_1_fast", prompt="x", poll_interval=0.01)
    assert task.is_done
    assert task.urls


async def test_seedance_1_5_pro_frames_and_audio_are_sent_as_given(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """Start/end frames and audio (field names inferred, values unchecked) and a 4-12 s
    length go out as given; 13 s is refused before sending."""
    task = await client.videos.seedance_1_5_pro.submit(
        prompt="x",
        image_url="https://example.com/first.png",
        end_image_url="https://example.com/last.png",
        generate_audio=True,
        video_length=12,
    )
    stored = (await client.tasks.query(task.out_task_id)).input
    assert stored is not None
    assert stored["params"] == {
        "prompt": "x",
        "image_url": "https://example.com/first.png",
        "end_image_url": "https://example.com/last.png",
        "generate_audio": True,
        "video_length": 12,
    }
    dynamic = await client.videos.submit("seedance_1_5_pro", prompt="y", camera_fixed=True)
    echoed = (await client.tasks.query(dynamic.out_task_id)).input
    assert echoed is not None
    assert echoed["params"] == {"prompt": "y", "camera_fixed": True}
    sent = sum(emulator.state.request_counts.values())
    with pytest.raises(ParamError, match="video_length"):
        await client.videos.seedance_1_5_pro.submit(prompt="x", video_length=13)
    assert sum(emulator.state.request_counts.values()) == sent
