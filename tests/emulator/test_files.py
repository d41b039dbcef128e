"""Output files: deterministic bytes of the configured size, HEAD, and 404s."""

from __future__ import annotations

from typing import Any

import aiohttp

from aireiter.emulator import ManualClock, file_bytes
from tests.conftest import EmulatorFactory
from tests.emulator.conftest import Api


async def _get(
    http: aiohttp.ClientSession, url: str, method: str = "GET"
) -> tuple[int, Any, bytes]:
    async with http.request(method, url) as response:
        return response.status, response.headers, await response.read()


async def test_files_have_the_configured_size_and_stable_bytes(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """Image and video files have a real header, the configured size, and the same bytes."""
    emu = await emulator_factory(
        default_duration_s=0, output_bytes_image=1000, output_bytes_video=5000
    )
    api = Api(http, emu)
    await api.submit("img")
    await api.submit("vid", model="sora2")
    image_url = (await api.query("img"))["data"]["output"][0]["url"]
    video_url = (await api.query("vid"))["data"]["output"][0]["url"]

    status, headers, image = await _get(http, image_url)
    assert status == 200
    assert headers["Content-Type"] == "image/png"
    assert len(image) == 1000
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert image == (await _get(http, image_url))[2]
    assert image == file_bytes("img", "0.png", 1000)

    status, headers, video = await _get(http, video_url)
    assert status == 200
    assert headers["Content-Type"] == "video/mp4"
    assert len(video) == 5000
    assert video[4:8] == b"ftyp"
    assert file_bytes("other", "0.mp4", 5000) != video


async def test_head_gives_length_without_body(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """HEAD answers the Content-Length of the file and no body."""
    emu = await emulator_factory(default_duration_s=0)
    api = Api(http, emu)
    await api.submit("h")
    url = (await api.query("h"))["data"]["output"][0]["url"]
    status, headers, body = await _get(http, url, "HEAD")
    assert status == 200
    assert headers["Content-Length"] == "4096"
    assert body == b""


async def test_missing_and_unfinished_files_are_404(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """Unknown tasks, unknown names and tasks not yet completed have no files."""
    clock = ManualClock()
    emu = await emulator_factory(clock=clock, default_duration_s=10)
    api = Api(http, emu)
    await api.submit("wip")
    for path in ("/files/unknown/0.png", "/files/wip/7.png", "/files/wip/0.png"):
        assert (await _get(http, emu.url(path)))[0] == 404, path
    clock.advance(10)
    assert (await _get(http, emu.url("/files/wip/0.png")))[0] == 200


def test_tiny_sizes_cut_the_header() -> None:
    """A size smaller than the header yields exactly that many bytes."""
    assert file_bytes("t", "0.png", 4) == b"\x89PNG"
    assert file_bytes("t", "0.mp4", 0) == b""
