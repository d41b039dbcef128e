"""client.images: typed attributes, run-time model choice, listing."""

from __future__ import annotations

import pytest

from aireiter import AsyncAIReiter, ParamError
from aireiter._generated.images.seedream_v4_5 import SeedreamV45Endpoint
from aireiter._spec import load_spec
from aireiter.emulator import RunningEmulator


def test_models_are_cached_typed_attributes() -> None:
    """client.images.seedream_v4_5 is one SeedreamV45Endpoint per client."""
    client = AsyncAIReiter(api_key="k", base_url="http://127.0.0.1:1")
    assert isinstance(client.images.seedream_v4_5, SeedreamV45Endpoint)
    assert client.images.seedream_v4_5 is client.images.endpoint("seedream_v4_5")


def test_listing_gives_every_image_model_spec() -> None:
    """list() covers exactly the spec's image models, in spec order."""
    client = AsyncAIReiter(api_key="k", base_url="http://127.0.0.1:1")
    assert [m.id for m in client.images.list()] == [m.id for m in load_spec().of_kind("image")]
    assert len(client.images) == 9


async def test_dynamic_submit_and_output_count(client: AsyncAIReiter) -> None:
    """submit('seedream_v4', output_n='2') sends the string "2" and yields two outputs."""
    task = await client.images.submit("seedream_v4", prompt="x", output_n="2")
    done = await client.tasks.wait(task.out_task_id, poll_interval=0.01)
    assert done.input is not None
    assert done.input["params"]["output_n"] == "2"
    assert len(done.urls) == 2


async def test_dynamic_submit_refuses_unknown_models(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """An id that is not an image model is a ParamError listing the image models."""
    with pytest.raises(ParamError) as info:
        await client.images.submit("sora2", prompt="x")
    assert info.value.allowed is not None
    assert "seedream_v4_5" in info.value.allowed
    assert sum(emulator.state.request_counts.values()) == 0


async def test_cross_field_rule_is_checked_before_sending(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """gpt_image_2_official refuses 4K with 1:1 before any request."""
    with pytest.raises(ParamError, match='resolution="4K"'):
        await client.images.gpt_image_2_official.submit(
            prompt="x", resolution="4K", aspect_ratio="1:1"
        )
    assert sum(emulator.state.request_counts.values()) == 0


async def test_seedream_v4_image_to_image_sends_references_and_defaults(
    client: AsyncAIReiter,
) -> None:
    """seedream_v4 takes reference images (image_url, up to 9) and sends its documented
    defaults; both reach the API as given."""
    refs = [f"https://example.com/{n}.png" for n in range(9)]
    task = await client.images.seedream_v4.submit(prompt="x", image_url=refs)
    stored = (await client.tasks.query(task.out_task_id)).input
    assert stored is not None
    assert stored["params"] == {
        "prompt": "x",
        "image_url": refs,
        "aspect_ratio": "1:1",
        "resolution": "1K",
        "output_n": "1",
    }


async def test_nano_banana_image_url_goes_out_as_given(client: AsyncAIReiter) -> None:
    """nano_banana's comma-joined string (the documented form) and a list are both sent
    unchanged."""
    joined = "https://example.com/a.png,https://example.com/b.png"
    as_string = await client.images.nano_banana.submit(prompt="x", image_url=joined)
    as_list = await client.images.submit(
        "nano_banana", prompt="x", image_url=["https://example.com/a.png"]
    )
    first = (await client.tasks.query(as_string.out_task_id)).input
    second = (await client.tasks.query(as_list.out_task_id)).input
    assert first is not None
    assert first["params"]["image_url"] == joined
    assert second is not None
    assert second["params"]["image_url"] == ["https://example.com/a.png"]
