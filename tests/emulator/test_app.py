"""The application as a whole: request ids, the HTML fallback, chat routes, start and stop."""

from __future__ import annotations

import importlib.util
import sys
import types

import aiohttp
import pytest
from aiohttp import web

from aireiter.emulator import STATE_KEY, EmulatorConfig, check_bearer, create_app, run_emulator
from tests.emulator.conftest import Api


async def test_every_answer_has_a_unique_request_id(api: Api) -> None:
    """Successes, errors, 401s and the HTML page all carry distinct X-Request-Id headers."""
    ids = [
        (await api.call("GET", "/api/openapi/balance"))[2]["X-Request-Id"],
        (await api.call("POST", "/api/openapi/query", {"out_task_id": "x"}))[2]["X-Request-Id"],
        (await api.call("GET", "/api/openapi/balance", headers={}))[2]["X-Request-Id"],
        (await api.call("GET", "/pricing"))[2]["X-Request-Id"],
    ]
    assert all(ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/api/openapi/nothing"), ("DELETE", "/api/openapi/submit")],
)
async def test_unknown_routes_answer_the_html_page(
    api: Api, http: aiohttp.ClientSession, method: str, path: str
) -> None:
    """Any unknown path or method answers HTTP 200 text/html, never 404/405."""
    async with http.request(method, api.emulator.url(path)) as response:
        text = await response.text()
    assert response.status == 200
    assert response.content_type == "text/html"
    assert "AIReiter" in text


async def test_run_emulator_binds_loopback_and_stops(http: aiohttp.ClientSession) -> None:
    """run_emulator serves on a free 127.0.0.1 port and closes it on exit."""
    async with run_emulator(EmulatorConfig(api_keys=("k1", "k2"))) as emu:
        assert emu.base_url.startswith("http://127.0.0.1:")
        assert emu.api_key == "k1"
        assert "k1" not in repr(emu)
        for key in ("k1", "k2"):
            headers = {"Authorization": f"Bearer {key}"}
            async with http.get(emu.url("/api/openapi/balance"), headers=headers) as response:
                assert response.status == 200
    with pytest.raises(aiohttp.ClientConnectionError):
        async with http.get(emu.url("/api/openapi/balance")):
            pass


async def test_chat_routes_are_mounted_before_the_fallback(
    monkeypatch: pytest.MonkeyPatch, http: aiohttp.ClientSession
) -> None:
    """When the chat module exists, its routes win over the HTML catch-all and share auth."""

    async def models(request: web.Request) -> web.Response:
        if not check_bearer(request):
            return web.json_response({"error": "no"}, status=401)
        return web.json_response({"object": "list", "data": []})

    def add_chat_routes(app: web.Application) -> None:
        app.router.add_get("/api/v1/models", models)

    name = "aireiter.emulator._chat"
    fake = types.ModuleType(name)
    fake.__spec__ = importlib.util.spec_from_loader(name, loader=None)
    fake.add_chat_routes = add_chat_routes  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, fake)
    app = create_app()
    assert isinstance(app[STATE_KEY].api_keys, frozenset)
    async with run_emulator() as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with http.get(emu.url("/api/v1/models"), headers=headers) as response:
            assert (await response.json())["object"] == "list"
        async with http.get(emu.url("/api/v1/models")) as response:
            assert response.status == 401
