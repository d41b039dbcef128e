"""A small forwarding HTTP proxy, run as its own process by the proxy tests.

``python tests/_transport/_forward_proxy.py`` listens on 127.0.0.1 (a free port), prints
``listening <port>`` and serves until it is terminated. It handles what a client sends to an
HTTP proxy:

- an absolute-URI request (``GET http://127.0.0.1:8000/path HTTP/1.1``): forwarded to that
  host in origin form, with ``Connection: close``, and the answer piped back;
- ``CONNECT host:port``: a tunnel (what a client opens for an ``https://`` URL).

Each one is logged (method, target, headers); ``GET /__log`` (asked of the proxy itself, in
origin form) answers the log as JSON, ``DELETE /__log`` clears it. Only the standard library is
used, so the proxy shares nothing with the SDK under test.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any
from urllib.parse import urlsplit

_LOG: list[dict[str, Any]] = []
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "upgrade"}
)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        if not writer.is_closing():
            writer.close()


def _answer(writer: asyncio.StreamWriter, status: str, body: bytes) -> None:
    writer.write(
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        writer.close()
        return
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    lowered = {name.lower(): value for name, value in headers}
    if method == "CONNECT":
        _LOG.append({"method": method, "target": target, "headers": lowered})
        host, _, port = target.rpartition(":")
        up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        return
    if not target.startswith("http://"):  # asked of the proxy itself
        if target == "/__log" and method == "GET":
            _answer(writer, "200 OK", json.dumps(_LOG).encode())
        elif target == "/__log" and method == "DELETE":
            _LOG.clear()
            _answer(writer, "200 OK", b"[]")
        else:
            _answer(writer, "400 Bad Request", b'{"error": "not a proxy request"}')
        await writer.drain()
        writer.close()
        return
    _LOG.append({"method": method, "target": target, "headers": lowered})
    url = urlsplit(target)
    body = b""
    length = lowered.get("content-length")
    if length:
        body = await reader.readexactly(int(length))
    up_reader, up_writer = await asyncio.open_connection(url.hostname, url.port or 80)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    forwarded = [f"{method} {path} HTTP/1.1"]
    forwarded += [f"{name}: {value}" for name, value in headers if name.lower() not in _HOP_BY_HOP]
    forwarded.append("Connection: close")
    up_writer.write(("\r\n".join(forwarded) + "\r\n\r\n").encode("latin-1") + body)
    await up_writer.drain()
    await _pipe(up_reader, writer)
    up_writer.close()


async def _main() -> None:
    server = await asyncio.start_server(_handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"listening {port}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_main())
