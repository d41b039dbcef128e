"""Downloader: outputs of emulated tasks streamed to disk, atomically, retried, resumable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from aireiter import AsyncAIReiter
from aireiter.emulator import RunningEmulator, file_bytes
from aireiter.tracker._downloads import Downloader, DownloadError, output_filenames
from tests.conftest import EmulatorFactory

Serve = Callable[[web.Application], Awaitable[str]]


def entries(directory: Path) -> list[str]:
    """The names in ``directory``, sorted."""
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture
async def fast(emulator_factory: EmulatorFactory) -> RunningEmulator:
    """An emulator whose tasks finish at once, with small files."""
    return await emulator_factory(default_duration_s=0, output_bytes_image=200_000)


@pytest.fixture
async def api(fast: RunningEmulator) -> AsyncIterator[AsyncAIReiter]:
    """A client of the ``fast`` emulator."""
    async with AsyncAIReiter(api_key=fast.api_key, base_url=fast.base_url) as c:
        yield c


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Run throwaway aiohttp apps on 127.0.0.1; returns their base URL."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    yield start
    for runner in runners:
        await runner.cleanup()


async def finished(api: AsyncAIReiter, oid: str, **params: object) -> list[str]:
    """Submit a seedream_v4 task, wait for it, return its output URLs."""
    await api.tasks.submit("seedream_v4", {"prompt": "a fox", **params}, out_task_id=oid)
    task = await api.tasks.wait(oid, poll_interval=0.01, timeout=10)
    return task.urls


def test_output_filenames() -> None:
    """One output is <id><suffix>; several are <id>_<n><suffix> from 1; unsafe ids refused."""
    assert output_filenames("a", ["http://h/files/a/0.PNG?sig=1"]) == ["a.png"]
    assert output_filenames("a", ["http://h/x/0.png", "http://h/y/clip.mp4", "http://h/z"]) == [
        "a_1.png",
        "a_2.mp4",
        "a_3.bin",
    ]
    with pytest.raises(ValueError, match="cannot name a file"):
        output_filenames("../etc/passwd", ["http://h/x.png"])


async def test_downloads_every_output_with_exact_bytes(
    api: AsyncAIReiter, fast: RunningEmulator, tmp_path: Path
) -> None:
    """Each output lands under its derived name with the bytes the server sent."""
    urls = await finished(api, "multi", output_n="4")
    assert len(urls) == 4
    async with Downloader(tmp_path / "out") as downloader:
        paths = await downloader.download("multi", urls)
    assert [p.name for p in paths] == ["multi_1.png", "multi_2.png", "multi_3.png", "multi_4.png"]
    for n, path in enumerate(paths):
        assert path.read_bytes() == file_bytes("multi", f"{n}.png", 200_000)
    assert entries(tmp_path / "out") == [p.name for p in paths]
    assert downloader.files_downloaded == 4
    assert downloader.bytes_downloaded == 800_000


async def test_complete_file_is_skipped_on_resume(
    api: AsyncAIReiter, fast: RunningEmulator, tmp_path: Path
) -> None:
    """A file already on disk with the right size is checked by HEAD and not fetched again."""
    urls = await finished(api, "again")
    path = "/files/again/0.png"
    async with Downloader(tmp_path) as first:
        await first.download("again", urls)
    async with Downloader(tmp_path) as second:
        (final,) = await second.download("again", urls)
    assert second.files_skipped == 1
    assert second.files_downloaded == 0
    assert fast.state.request_counts[("GET", path)] == 1
    assert fast.state.request_counts[("HEAD", path)] == 1
    assert final.read_bytes() == file_bytes("again", "0.png", 200_000)


async def test_wrong_size_file_and_stale_part_are_replaced(
    api: AsyncAIReiter, fast: RunningEmulator, tmp_path: Path
) -> None:
    """A final file of the wrong size is fetched again; a leftover .part never becomes final."""
    urls = await finished(api, "stale")
    (tmp_path / "stale.png").write_bytes(b"truncated")
    (tmp_path / "stale.png.part").write_bytes(b"x" * 300_000)
    async with Downloader(tmp_path) as downloader:
        (final,) = await downloader.download("stale", urls)
    assert final.read_bytes() == file_bytes("stale", "0.png", 200_000)
    assert not (tmp_path / "stale.png.part").exists()
    assert downloader.files_downloaded == 1


@pytest.mark.usefixtures("testing_sleeps")
@pytest.mark.parametrize("fault", ["error_5xx", "reset_before"])
async def test_transient_failures_are_retried(
    api: AsyncAIReiter, fast: RunningEmulator, tmp_path: Path, fault: str
) -> None:
    """5xx answers and dropped connections are retried until the file arrives."""
    urls = await finished(api, "flaky")
    path = "/files/flaky/0.png"
    fast.state.inject(fault, path=path, count=2)  # type: ignore[arg-type]
    async with Downloader(tmp_path, max_retries=3) as downloader:
        (final,) = await downloader.download("flaky", urls)
    assert final.read_bytes() == file_bytes("flaky", "0.png", 200_000)
    assert downloader.retries == 2
    assert fast.state.request_counts[("GET", path)] == 3


@pytest.mark.usefixtures("testing_sleeps")
async def test_gives_up_after_max_retries_and_on_404(
    api: AsyncAIReiter, fast: RunningEmulator, tmp_path: Path
) -> None:
    """Persistent 5xx fails after max_retries; a 404 fails at once; no file is left behind."""
    urls = await finished(api, "broken")
    path = "/files/broken/0.png"
    fast.state.inject("error_5xx", path=path, count=10)
    async with Downloader(tmp_path, max_retries=2) as downloader:
        with pytest.raises(DownloadError) as info:
            await downloader.download("broken", urls)
        assert info.value.status in (500, 503)
        assert info.value.out_task_id == "broken"
        assert fast.state.request_counts[("GET", path)] == 3
        with pytest.raises(DownloadError) as missing:
            await downloader.download("nothing", [fast.url("/files/nothing/0.png")])
        assert missing.value.status == 404
        assert downloader.retries == 2
    assert entries(tmp_path) == []


@pytest.mark.usefixtures("testing_sleeps")
async def test_cut_body_is_retried_and_never_becomes_final(serve: Serve, tmp_path: Path) -> None:
    """A body cut off mid-stream is discarded and retried; only the full file gets the name."""
    body = bytes(range(256)) * 1000
    calls = 0

    async def cut(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        response = web.StreamResponse()
        response.content_length = len(body)
        await response.prepare(request)
        if calls <= 2:
            await response.write(body[: len(body) // 3])
            assert request.transport is not None
            request.transport.close()
            return response
        await response.write(body)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get("/f/video.mp4", cut)
    base = await serve(app)
    async with Downloader(tmp_path, max_retries=0) as strict:
        with pytest.raises(DownloadError):
            await strict.download("cut", [f"{base}/f/video.mp4"])
    assert entries(tmp_path) == []
    async with Downloader(tmp_path, max_retries=3) as downloader:
        (final,) = await downloader.download("cut", [f"{base}/f/video.mp4"])
    assert final.name == "cut.mp4"
    assert final.read_bytes() == body
    assert calls == 3
    assert downloader.retries == 1


async def test_concurrency_is_bounded_and_no_credentials_are_sent(
    serve: Serve, tmp_path: Path
) -> None:
    """No more than `concurrency` files transfer at once; requests carry no Authorization."""
    active = peak = 0
    headers: list[dict[str, str]] = []
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        nonlocal active, peak
        headers.append(dict(request.headers))
        active += 1
        peak = max(peak, active)
        if peak >= 3:
            release.set()
        await release.wait()
        active -= 1
        return web.Response(body=b"x" * 1000)

    app = web.Application()
    app.router.add_get("/o/{name}", slow)
    base = await serve(app)
    async with Downloader(tmp_path, concurrency=3) as downloader:
        results = await asyncio.gather(
            *(
                downloader.download(f"job{j}", [f"{base}/o/{j}-{n}.png" for n in range(4)])
                for j in range(5)
            )
        )
    assert peak == 3
    assert len(headers) == 20
    assert all("Authorization" not in h for h in headers)
    assert all(p.stat().st_size == 1000 for paths in results for p in paths)
