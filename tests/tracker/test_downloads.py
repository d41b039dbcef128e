"""Downloader: outputs of emulated tasks streamed to disk, atomically, retried, resumable."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from aireiter import AsyncAIReiter, ParamError
from aireiter.emulator import RunningEmulator, file_bytes
from aireiter.tracker._downloads import (
    DEFAULT_DOWNLOAD_MAX_REDIRECTS,
    Downloader,
    DownloadError,
    output_filenames,
)
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
    with pytest.raises(ParamError, match="cannot name a file"):
        output_filenames("../etc/passwd", ["http://h/x.png"])


@pytest.mark.parametrize(
    "options",
    [{"concurrency": 0}, {"max_retries": -1}, {"chunk_bytes": 0}, {"read_timeout_s": 0}],
)
def test_bad_downloader_options_are_param_errors(tmp_path: Path, options: dict[str, int]) -> None:
    """A bad option is a ParamError naming it, not a bare ValueError."""
    with pytest.raises(ParamError) as info:
        Downloader(tmp_path, **options)
    assert info.value.field == next(iter(options))


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


@pytest.mark.usefixtures("testing_sleeps")
@pytest.mark.parametrize(
    ("encoding", "compress"), [("gzip", gzip.compress), ("deflate", zlib.compress)]
)
async def test_compressed_output_is_decoded_and_sized_on_the_wire(
    serve: Serve, tmp_path: Path, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    """A server that compresses although asked for identity: Content-Length (the compressed
    length) is checked on the compressed bytes, the decoded file lands on disk; a compressed
    stream cut short is retried, never kept."""
    body = bytes(range(256)) * 2000  # 512 KB, compresses well
    packed = compress(body)
    calls = 0

    async def encoded(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        data = packed[: len(packed) // 2] if calls == 1 else packed  # the first one cut short
        assert request.headers.get("Accept-Encoding") == "identity"
        return web.Response(body=data, headers={"Content-Encoding": encoding})

    app = web.Application()
    app.router.add_get("/o/clip.mp4", encoded)
    base = await serve(app)
    async with Downloader(tmp_path, max_retries=2, chunk_bytes=4096) as downloader:
        (final,) = await downloader.download("zipped", [f"{base}/o/clip.mp4"])
    assert final.read_bytes() == body
    assert calls == 2
    assert downloader.retries == 1
    assert downloader.bytes_downloaded == len(body)
    assert entries(tmp_path) == ["zipped.mp4"]


async def test_an_encoding_it_cannot_decode_fails_at_once(serve: Serve, tmp_path: Path) -> None:
    """Content-Encoding br (never asked for) is a DownloadError after one request."""
    calls = 0

    async def brotli(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        return web.Response(body=b"\x8b\x02\x80abc\x03", headers={"Content-Encoding": "br"})

    app = web.Application()
    app.router.add_get("/o/a.png", brotli)
    base = await serve(app)
    async with Downloader(tmp_path, max_retries=3) as downloader:
        with pytest.raises(DownloadError, match="'br'"):
            await downloader.download("br", [f"{base}/o/a.png"])
    assert calls == 1
    assert entries(tmp_path) == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/out/a.png",
        "127.0.0.1/out/a.png",
        "//127.0.0.1/out/a.png",
        "file:///etc/passwd",
        "http:///no-host.png",
        "",
        "http://[::1/broken.png",
    ],
)
async def test_a_url_that_is_not_http_is_a_download_error(tmp_path: Path, url: str) -> None:
    """ftp://, file://, no scheme, no host, an unparsable URL: DownloadError, no request."""
    async with Downloader(tmp_path / "out") as downloader:
        with pytest.raises(DownloadError) as info:
            await downloader.download("odd", [url])
        assert downloader._session is None  # no HTTP session was even needed
    assert info.value.out_task_id == "odd"
    assert info.value.status is None
    assert not (tmp_path / "out").exists()


async def test_bad_redirects_are_download_errors(serve: Serve, tmp_path: Path) -> None:
    """A redirect to file:// or ftp://, and a redirect loop, fail at once as DownloadError
    (never a raw aiohttp error, never a retry, never a local file read)."""
    hits: dict[str, int] = {}

    async def redirect(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        hits[name] = hits.get(name, 0) + 1
        target = {
            "to-file": "file:///etc/passwd",
            "to-ftp": "ftp://127.0.0.1/x.png",
            "loop": "/r/loop",
        }[name]
        raise web.HTTPFound(target)

    app = web.Application()
    app.router.add_get("/r/{name}", redirect)
    base = await serve(app)
    async with Downloader(tmp_path, max_retries=3) as downloader:
        for name in ("to-file", "to-ftp", "loop"):
            with pytest.raises(DownloadError) as info:
                await downloader.download(name, [f"{base}/r/{name}"])
            assert info.value.out_task_id == name
        assert downloader.retries == 0
    assert hits["to-file"] == 1
    assert hits["to-ftp"] == 1
    assert hits["loop"] == DEFAULT_DOWNLOAD_MAX_REDIRECTS  # each redirect followed once
    assert entries(tmp_path) == []


@pytest.mark.usefixtures("testing_sleeps")
@pytest.mark.parametrize(
    "answer",
    [
        b"this is not HTTP at all\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
        b"HTTP/1.1 99999 Whatever\r\nContent-Length: 3\r\n\r\nabc",
    ],
)
async def test_a_malformed_answer_is_a_download_error(tmp_path: Path, answer: bytes) -> None:
    """An answer that is not valid HTTP is retried, then a DownloadError; no file is left."""
    hits = 0

    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal hits
        hits += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with Downloader(tmp_path, max_retries=1) as downloader:
            with pytest.raises(DownloadError) as info:
                await downloader.download("junk", [f"http://127.0.0.1:{port}/a.png"])
    finally:
        server.close()
        await server.wait_closed()
    assert info.value.out_task_id == "junk"
    assert hits == 2
    assert entries(tmp_path) == []
