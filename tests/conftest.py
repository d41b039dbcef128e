"""Shared fixtures: a real emulator on 127.0.0.1 and clients bound to it.

Every test that talks to "the API" talks to :mod:`aireiter.emulator` over real HTTP. Nothing
here patches the transport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest

from aireiter import AsyncAIReiter
from aireiter.emulator import EmulatorConfig, RunningEmulator, run_emulator
from aireiter.testing import set_testing

EmulatorFactory = Callable[..., Awaitable[RunningEmulator]]


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real key, host or proxy from the environment."""
    for name in ("AIREITER_API_KEY", "AIREITER_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    # Nor a proxy: traffic to the emulator on 127.0.0.1 goes straight there.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def testing_sleeps() -> Iterator[None]:
    """Retry/poll sleeps return at once (and are recorded) for the test's duration."""
    set_testing(True)
    try:
        yield
    finally:
        set_testing(False)


@pytest.fixture
async def emulator_factory() -> AsyncIterator[EmulatorFactory]:
    """Start emulators with custom configs (``await emulator_factory(time_scale=0.01)``);
    all are stopped at the end of the test."""
    async with AsyncExitStack() as stack:

        async def start(config: EmulatorConfig | None = None, **options: Any) -> RunningEmulator:
            cfg = config if config is not None else EmulatorConfig(**options)
            return await stack.enter_async_context(run_emulator(cfg))

        yield start


@pytest.fixture
async def emulator(emulator_factory: EmulatorFactory) -> RunningEmulator:
    """An emulator with fast tasks (about 0.05 s each) and no faults."""
    return await emulator_factory(default_duration_s=0.05)


@pytest.fixture
async def client(emulator: RunningEmulator) -> AsyncIterator[AsyncAIReiter]:
    """A client bound to ``emulator``, closed after the test."""
    async with AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url) as c:
        yield c
