"""Helpers for the emulator's own tests: a plain aiohttp session speaking to a running emulator.

These tests deliberately do not use the SDK: they pin the emulator's wire behaviour.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDictProxy

from aireiter._constants import BALANCE_PATH, QUERY_PATH, SUBMIT_PATH
from aireiter.emulator import RunningEmulator

PROMPT: dict[str, Any] = {"prompt": "a lighthouse at dawn"}


class Api:
    """Raw calls to one emulator; each returns (HTTP status, decoded JSON body, headers)."""

    def __init__(self, session: aiohttp.ClientSession, emulator: RunningEmulator) -> None:
        self.session = session
        self.emulator = emulator
        self.auth = {"Authorization": f"Bearer {emulator.api_key}"}

    async def call(
        self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, CIMultiDictProxy[str]]:
        """Send one request with the emulator's key (unless ``headers`` replace it)."""
        async with self.session.request(
            method,
            self.emulator.url(path),
            json=body,
            headers=self.auth if headers is None else headers,
        ) as response:
            raw = await response.read()
            try:
                data = json.loads(raw)
            except ValueError:
                data = raw.decode(errors="replace")
            return response.status, data, response.headers

    async def submit(self, out_task_id: str, model: str = "gpt_4o", **fields: Any) -> Any:
        """POST a submit; the decoded envelope."""
        body = {"model": model, "params": dict(PROMPT), "out_task_id": out_task_id, **fields}
        return (await self.call("POST", SUBMIT_PATH, body))[1]

    async def query(self, out_task_id: str) -> Any:
        """POST a query by out_task_id; the decoded envelope."""
        return (await self.call("POST", QUERY_PATH, {"out_task_id": out_task_id}))[1]

    async def balance(self) -> Any:
        """GET the balance; the decoded envelope."""
        return (await self.call("GET", BALANCE_PATH))[1]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, closed after the test."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def api(http: aiohttp.ClientSession, emulator: RunningEmulator) -> Api:
    """Raw API calls to the shared ``emulator`` fixture."""
    return Api(http, emulator)
