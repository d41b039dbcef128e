"""The blocking twins' building blocks: the ParamSpec wrapper and the namespace base."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from aireiter import AsyncAIReiter
from aireiter._endpoints import blocking
from aireiter._generated.images import SyncImageModels
from aireiter._generated.images.gpt_4o import Gpt4oSyncEndpoint

T = TypeVar("T")


def run_now(func: Callable[[], Awaitable[T]]) -> T:
    """A portal call that runs the coroutine on a fresh loop (no client needed)."""

    async def main() -> T:
        return await func()

    return asyncio.run(main())


async def scaled(value: int, *, factor: int = 2) -> int:
    """Multiply ``value`` by ``factor``."""
    if value < 0:
        raise ValueError("negative")
    return value * factor


def test_blocking_passes_arguments_returns_results_and_raises() -> None:
    """The wrapper keeps the function's name and doc, forwards every argument, returns the
    coroutine's result and raises its error in the caller."""
    sync_scaled = blocking(run_now, scaled)
    assert sync_scaled(3) == 6
    assert sync_scaled(3, factor=5) == 15
    assert sync_scaled.__name__ == "scaled"
    assert sync_scaled.__doc__ == "Multiply ``value`` by ``factor``."
    with pytest.raises(ValueError, match="negative"):
        sync_scaled(-1)


async def test_namespace_knows_every_model_of_its_kind() -> None:
    """The generated sync namespace lists, counts and finds its models, and gives each one
    a typed twin bound to the async endpoint."""
    async with AsyncAIReiter(api_key="k", base_url="http://127.0.0.1:9") as client:
        images = SyncImageModels(run_now, client.images)
        assert len(images) == len(client.images.list()) == 9
        assert "gpt_4o" in images
        assert "sora2" not in images
        assert [spec.id for spec in images] == [spec.id for spec in client.images.list()]
        endpoint = images.gpt_4o
        assert isinstance(endpoint, Gpt4oSyncEndpoint)
        assert endpoint is images.gpt_4o  # made once
        assert endpoint.model_id == endpoint.spec.id == "gpt_4o"
        assert repr(endpoint) == "<Gpt4oSyncEndpoint model='gpt_4o'>"
