"""Purpose-built misbehaving servers on 127.0.0.1, for the tests of odd answers and broken
networks: each answers every request the same wrong way.

``garbage_server(mode)`` is an async context manager yielding the server's base URL:

- ``html``: HTTP 200 with a web page (a wrong base URL lands on the web site);
- ``html404``: HTTP 404 with a web page;
- ``broken_json``: HTTP 200, ``application/json``, a body that is not JSON;
- ``redirect_loop``: HTTP 302 to the very URL asked for, forever;
- ``malformed``: a status line and headers no HTTP parser accepts;
- ``reset``: reads the request, then resets the connection;
- ``silent``: accepts the connection, reads the request and never answers;
- ``refused``: nothing listens on the port (the URL of a port just closed);
- ``wrong_host_server(mode)``: every request answered ``301`` (to ``WRONG_HOST_REDIRECT``,
  as an ``http://`` base URL gets from a real host) or with a JSON HTTP ``404``/``405``/``400``,
  as a base URL that is not the API's; it yields its base URL and the paths it was asked for;
- ``echo_html`` / ``echo_json``: HTTP 200 with a web page / a JSON error object that quotes
  the request's ``Authorization`` header, which the request id header quotes too (a login
  page or a proxy that echoes what it got): for the tests that the key never shows.

HTTP answers carry ``X-Request-Id: req_garbage``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections import Counter
from collections.abc import AsyncIterator
from typing import Final

from aiohttp import web

__all__ = [
    "ECHO_MODES",
    "HTTP_MODES",
    "MODES",
    "RAW_MODES",
    "REQUEST_ID",
    "WRONG_HOST_REDIRECT",
    "garbage_server",
    "wrong_host_server",
]

REQUEST_ID: Final = "req_garbage"
WRONG_HOST_REDIRECT: Final = "https://127.0.0.1:8443"
HTTP_MODES: Final = ("html", "html404", "broken_json", "redirect_loop")
ECHO_MODES: Final = ("echo_html", "echo_json")
RAW_MODES: Final = ("malformed", "reset", "silent", "refused")
MODES: Final = HTTP_MODES + RAW_MODES
PAGE: Final = "<!DOCTYPE html><html><head><title>AIReiter</title></head><body>Hi</body></html>"


def _http_app(mode: str) -> web.Application:
    async def answer(request: web.Request) -> web.StreamResponse:
        headers = {"X-Request-Id": REQUEST_ID}
        if mode in ECHO_MODES:
            await request.read()
            said = request.headers.get("Authorization", "") or request.headers.get("x-api-key", "")
            headers["X-Request-Id"] = f"req {said}"
            if mode == "echo_html":
                page = f"<html><body>Signed in as {said}</body></html>"
                return web.Response(text=page, content_type="text/html", headers=headers)
            body = {"error": {"message": f"bad credentials: {said}", "type": "auth"}}
            return web.json_response(body, headers=headers)
        if mode == "html":
            return web.Response(text=PAGE, content_type="text/html", headers=headers)
        if mode == "html404":
            return web.Response(text=PAGE, content_type="text/html", status=404, headers=headers)
        if mode == "broken_json":
            body = '{"statusCode": 200, "data": {"ta'
            return web.Response(text=body, content_type="application/json", headers=headers)
        raise web.HTTPFound(location=str(request.rel_url), headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return app


async def _read_request(reader: asyncio.StreamReader) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        await reader.read(65536)


@contextlib.asynccontextmanager
async def _raw_server(mode: str) -> AsyncIterator[str]:
    release = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await _read_request(reader)
        if mode == "malformed":
            writer.write(b"HTTP/1.1 2OO OK\r\nContent-Length: banana\r\nX-Request-Id: r\r\n\r\n")
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            writer.close()
        elif mode == "reset":
            writer.transport.abort()
        else:  # silent
            await release.wait()
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        release.set()
        server.close()
        for writer in writers:
            writer.transport.abort()
        await server.wait_closed()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextlib.asynccontextmanager
async def garbage_server(mode: str) -> AsyncIterator[str]:
    """A server answering every request the ``mode`` way (module docstring); its base URL."""
    if mode == "refused":
        yield f"http://127.0.0.1:{_closed_port()}"
        return
    if mode in RAW_MODES:
        async with _raw_server(mode) as url:
            yield url
        return
    if mode not in HTTP_MODES + ECHO_MODES:
        raise ValueError(f"unknown mode {mode!r}")
    runner = web.AppRunner(_http_app(mode), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def wrong_host_server(mode: str) -> AsyncIterator[tuple[str, Counter[str]]]:
    """A host that is not the API (module docstring): ``mode`` is ``"301"`` or an HTTP status
    answered with a JSON body. Yields its base URL and the paths it was asked for."""
    asked: Counter[str] = Counter()

    async def answer(request: web.Request) -> web.StreamResponse:
        asked[request.path] += 1
        await request.read()
        if mode == "301":
            raise web.HTTPMovedPermanently(f"{WRONG_HOST_REDIRECT}{request.path}")
        status = int(mode)
        return web.json_response({"message": f"HTTP {status} here"}, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", asked
    finally:
        await runner.cleanup()
