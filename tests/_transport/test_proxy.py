"""Proxies, TLS and a session of the caller's, through a real proxy process on 127.0.0.1.

The proxy (``_forward_proxy.py``) runs as its own process and logs every request it carries:
absolute-URI requests (``http://``) and ``CONNECT`` tunnels (``https://``). Each test sends
task calls, an output download and chat calls, then reads the proxy's log: the task API, the
downloader and the chat adapter all go the same way.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from aireiter import APIConnectionError, AsyncAIReiter, ConfigurationError, ParamError
from aireiter.emulator import STATE_KEY, EmulatorConfig, RunningEmulator, create_app
from aireiter.tracker import PollPolicy
from tests._servers import _closed_port

_PROXY_SCRIPT = Path(__file__).with_name("_forward_proxy.py")
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
MODEL = "seedream_v4_5"
CHAT_MODEL = "gpt-5.5"


class ForwardProxy:
    """The proxy process: its URL, and its log read over a direct connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def _ask(self, method: str) -> list[dict[str, Any]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, "/__log")
            answer = connection.getresponse()
            log: list[dict[str, Any]] = json.loads(answer.read())
            return log
        finally:
            connection.close()

    def log(self) -> list[dict[str, Any]]:
        """Every request carried since the last :meth:`clear`."""
        return self._ask("GET")

    def clear(self) -> None:
        """Forget what was carried so far."""
        self._ask("DELETE")

    def paths(self) -> list[str]:
        """The path of each request carried (``CONNECT`` tunnels give ``host:port``)."""
        out = []
        for entry in self.log():
            target = entry["target"]
            out.append(target if entry["method"] == "CONNECT" else "/" + target.split("/", 3)[3])
        return out


@pytest.fixture(scope="module")
def forward_proxy() -> Iterator[ForwardProxy]:
    """The proxy, started once for this module, in a process of its own."""
    environment = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    process = subprocess.Popen(
        [sys.executable, str(_PROXY_SCRIPT)],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening "), f"the proxy did not start: {line!r}"
        yield ForwardProxy(int(line.split()[1]))
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def proxy(forward_proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch) -> ForwardProxy:
    """The proxy with an empty log, and no proxy variable set unless the test sets one."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    forward_proxy.clear()
    return forward_proxy


async def _use_everything(client: AsyncAIReiter, directory: Path) -> None:
    """A submit, the polls of a wait, an output download, a chat completion, a message."""
    task = await client.tasks.submit(MODEL, {"prompt": "a fox"})
    done = await client.tasks.wait(task, poll_interval=0.02)
    paths = await client.tasks.download(done, directory)
    assert paths
    assert all(path.stat().st_size > 0 for path in paths)
    answer = await client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": "hi"}]
    )
    assert answer.choices[0].message.content
    message = await client.messages.create(
        model="claude-sonnet-4-6", max_tokens=16, messages=[{"role": "user", "content": "hi"}]
    )
    assert message.text


def _assert_all_carried(paths: list[str]) -> None:
    assert "/api/openapi/submit" in paths
    assert "/api/openapi/query" in paths
    assert any(path.startswith("/files/") for path in paths)  # the download
    assert "/api/v1/chat/completions" in paths  # the chat adapter
    assert "/api/v1/messages" in paths


async def test_http_proxy_variable_carries_task_calls_downloads_and_chat(
    emulator: RunningEmulator,
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """With HTTP_PROXY set (trust_env is on by default), the task API, the downloader and
    the chat adapter all go through the proxy, and the key never becomes a proxy credential."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    async with AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url) as client:
        assert client.config.api_proxy == proxy.url
        await _use_everything(client, tmp_path)
    _assert_all_carried(proxy.paths())
    for entry in proxy.log():
        assert entry["target"].startswith(emulator.base_url)
        assert "proxy-authorization" not in entry["headers"]


async def test_no_proxy_exempts_the_host_for_every_part(
    emulator: RunningEmulator,
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """NO_PROXY=127.0.0.1 beside HTTP_PROXY: nothing goes through the proxy, and every call
    still works (directly)."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url) as client:
        assert client.config.api_proxy is None
        await _use_everything(client, tmp_path)
    assert proxy.log() == []


async def test_proxy_argument_wins_over_the_environment(
    emulator: RunningEmulator,
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """proxy= sends everything through that proxy, whatever HTTP_PROXY (here a dead port)
    and NO_PROXY say, as httpx's proxy= does."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with AsyncAIReiter(
        api_key=emulator.api_key, base_url=emulator.base_url, proxy=proxy.url
    ) as client:
        await _use_everything(client, tmp_path)
    _assert_all_carried(proxy.paths())


async def test_trust_env_false_ignores_the_proxy_variables(
    emulator: RunningEmulator,
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """trust_env=False: HTTP_PROXY (a dead port here, which would fail every call) is not
    used by any part."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    async with AsyncAIReiter(
        api_key=emulator.api_key, base_url=emulator.base_url, trust_env=False
    ) as client:
        await _use_everything(client, tmp_path)


async def test_the_tracker_downloads_through_the_clients_proxy(
    emulator: RunningEmulator, proxy: ForwardProxy, tmp_path: Path
) -> None:
    """A tracker's downloads use the client's proxy= too."""
    async with (
        AsyncAIReiter(
            api_key=emulator.api_key, base_url=emulator.base_url, proxy=proxy.url
        ) as client,
        client.tracker(
            download_dir=tmp_path,
            poll_policy=PollPolicy(fixed_duration_s=0.05, error_delay_s=0.02),
            submit_rate=1000.0,
            query_rate=1000.0,
        ) as tracker,
    ):
        handle = await tracker.submit(MODEL, {"prompt": "a fox"})
        async for _ in tracker.as_completed():
            pass
    assert handle.downloaded
    assert handle.downloaded[0].exists()
    assert any(path.startswith("/files/") for path in proxy.paths())


def test_a_bad_proxy_variable_is_a_configuration_error(
    proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An environment proxy that is not an http(s) URL fails when the client is made, naming
    the variable and the way out (no password shown)."""
    monkeypatch.setenv("HTTP_PROXY", "socks5://user:pw-123456@127.0.0.1:1080")
    with pytest.raises(ConfigurationError, match="HTTP_PROXY") as info:
        AsyncAIReiter(api_key="k-123456789", base_url="http://127.0.0.1:9")
    assert info.value.env == "HTTP_PROXY"
    assert "trust_env=False" in str(info.value)
    assert "pw-123456" not in str(info.value)
    AsyncAIReiter(api_key="k-123456789", base_url="http://127.0.0.1:9", trust_env=False)


def test_a_proxy_password_never_shows() -> None:
    """The password of a proxy URL is redacted in the client's settings."""
    client = AsyncAIReiter(
        api_key="k-123456789",
        base_url="http://127.0.0.1:9",
        proxy="http://me:hunter2-proxy-secret@127.0.0.1:3128",
    )
    assert "hunter2-proxy-secret" not in repr(client.config)
    assert "hunter2-proxy-secret" not in repr(client.config.network)


# -- TLS -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    openssl = shutil.which("openssl")
    if openssl is None:  # pragma: no cover - the CI image has openssl
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@asynccontextmanager
async def _tls_emulator(cert: Path, key: Path) -> AsyncIterator[RunningEmulator]:
    """The emulator served over https:// (its output URLs too)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    config = EmulatorConfig(default_duration_s=0.05)
    app = create_app(config)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        base_url = f"https://127.0.0.1:{runner.addresses[0][1]}"
        app[STATE_KEY].base_url = base_url
        yield RunningEmulator(
            base_url=base_url, api_key=config.api_keys[0], state=app[STATE_KEY], app=app
        )
    finally:
        await runner.cleanup()


async def test_https_through_a_connect_tunnel_with_a_private_ca(
    certificate: tuple[Path, Path], proxy: ForwardProxy, tmp_path: Path
) -> None:
    """ssl=<SSLContext trusting a private CA> with proxy=: every part reaches the https://
    API through CONNECT tunnels, and no CONNECT carries the API key (aiohttp would send a
    session's default headers to the proxy, Authorization turned into Proxy-Authorization)."""
    cert, key = certificate
    trusting = ssl.create_default_context(cafile=str(cert))
    async with (
        _tls_emulator(cert, key) as emulator,
        AsyncAIReiter(
            api_key=emulator.api_key, base_url=emulator.base_url, proxy=proxy.url, ssl=trusting
        ) as client,
    ):
        await _use_everything(client, tmp_path)
    log = proxy.log()
    port = emulator.base_url.rsplit(":", 1)[1]
    assert log
    assert all(entry["method"] == "CONNECT" for entry in log)
    assert {entry["target"] for entry in log} == {f"127.0.0.1:{port}"}
    for entry in log:
        assert emulator.api_key not in json.dumps(entry["headers"])
        assert "authorization" not in entry["headers"]
        assert "proxy-authorization" not in entry["headers"]


async def test_certificates_are_verified_unless_ssl_false(
    certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    """By default an unknown certificate fails the call (a connection error naming the
    host); ssl=False turns verification off for the API and the downloads."""
    cert, key = certificate
    async with _tls_emulator(cert, key) as emulator:
        async with AsyncAIReiter(
            api_key=emulator.api_key, base_url=emulator.base_url, max_retries=0
        ) as strict:
            with pytest.raises(APIConnectionError, match=r"127\.0\.0\.1"):
                await strict.balance()
        async with AsyncAIReiter(
            api_key=emulator.api_key, base_url=emulator.base_url, ssl=False
        ) as lax:
            task = await lax.tasks.submit(MODEL, {"prompt": "a fox"})
            done = await lax.tasks.wait(task, poll_interval=0.02)
            assert (await lax.tasks.download(done, tmp_path))[0].stat().st_size > 0


# -- a session of the caller's -------------------------------------------------------------------
async def test_a_session_of_yours_is_used_for_everything_and_left_open(
    emulator: RunningEmulator, proxy: ForwardProxy, tmp_path: Path
) -> None:
    """http_session=: the task calls and the downloads go through that session (its trace
    hooks see them, its own proxy carries them), the client's headers (the key) are sent with
    each request, and closing the client leaves the session open and usable."""
    seen: list[str] = []

    async def on_request_start(
        session: aiohttp.ClientSession,
        context: Any,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        seen.append(params.url.path)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    async with aiohttp.ClientSession(trace_configs=[trace], proxy=proxy.url) as session:
        async with AsyncAIReiter(
            api_key=emulator.api_key, base_url=emulator.base_url, http_session=session
        ) as client:
            task = await client.tasks.submit(MODEL, {"prompt": "a fox"})
            done = await client.tasks.wait(task, poll_interval=0.02)
            await client.tasks.download(done, tmp_path)
            await client.balance()
        assert client.is_closed
        assert not session.closed
        assert "/api/openapi/submit" in seen
        assert "/api/openapi/query" in seen
        assert "/api/openapi/balance" in seen
        assert any(path.startswith("/files/") for path in seen)
        carried = proxy.paths()
        assert "/api/openapi/submit" in carried
        assert any(path.startswith("/files/") for path in carried)
        async with session.get(emulator.base_url + "/api/openapi/balance") as answer:
            assert answer.status in (200, 401)  # still usable after the client closed


async def test_http_session_is_refused_where_it_cannot_work(emulator: RunningEmulator) -> None:
    """proxy=/ssl= beside http_session=, a closed session, and the blocking client (which
    runs its own loop) are ParamErrors before any request."""
    from aireiter import AIReiter

    async with aiohttp.ClientSession() as session:
        key, url = emulator.api_key, emulator.base_url
        with pytest.raises(ParamError, match="proxy"):
            AsyncAIReiter(
                api_key=key, base_url=url, http_session=session, proxy="http://127.0.0.1:3128"
            )
        with pytest.raises(ParamError, match="ssl"):
            AsyncAIReiter(api_key=key, base_url=url, http_session=session, ssl=False)
        with pytest.raises(ParamError, match="event loop"):
            AIReiter(api_key=key, base_url=url, http_session=session)
        client = AsyncAIReiter(api_key=key, base_url=url, http_session=session)
        with pytest.raises(ParamError, match="another event loop"):  # used from a second loop
            await asyncio.to_thread(asyncio.run, client.balance())
        assert (await client.balance()).credits is not None  # in its own loop it works
        await client.close()
    with pytest.raises(ParamError, match="closed"):
        AsyncAIReiter(api_key="k-123456789", http_session=session)
