"""Fixtures for the report tests: a real headless chromium, or a skip with the reason.

``AIREITER_REQUIRE_BROWSER=1`` (set by ``.ci/run``) turns a missing browser into a failure,
so CI can never pass by skipping the browser tests.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ._browser import Browser, find_chromium, launch

ENV_REQUIRE_BROWSER = "AIREITER_REQUIRE_BROWSER"


@pytest.fixture
def chromium_path() -> str:
    """The chromium executable; skips (or fails, under ``AIREITER_REQUIRE_BROWSER=1``)
    when there is none."""
    found = find_chromium()
    if found is None:
        reason = "no chromium on PATH (apt-get install chromium, or set AIREITER_CHROMIUM)"
        if os.environ.get(ENV_REQUIRE_BROWSER) == "1":
            pytest.fail(f"{reason}; {ENV_REQUIRE_BROWSER}=1 makes the browser tests mandatory")
        pytest.skip(reason)
    return found


@pytest.fixture
async def browser(chromium_path: str, tmp_path: Path) -> AsyncIterator[Browser]:
    """A headless chromium with a fresh profile, stopped after the test."""
    async with launch(chromium_path, tmp_path / "chromium-profile") as running:
        yield running
