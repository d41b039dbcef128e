"""Output files of completed tasks: ``GET``/``HEAD /files/{out_task_id}/{name}``.

The bytes are deterministic: a plausible file header (a PNG signature and ``IHDR`` chunk, or
an MP4 ``ftyp`` box) followed by filler derived from the task id and file name, cut to the
configured size (``output_bytes_image`` / ``output_bytes_video``). The same URL always
serves the same bytes; different files differ. Files exist only once their task completed;
anything else is a 404. No key is needed (output URLs are public, as the API's CDN URLs are).
With ``gzip_outputs`` the body is gzip-compressed and sent with ``Content-Encoding: gzip``
(``Content-Length`` is then the compressed length), as some CDNs do.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import zlib
from typing import Final

from aiohttp import web

from ._state import STATE_KEY

__all__ = ["CONTENT_TYPES", "file_bytes", "serve_file"]

CONTENT_TYPES: Final = {"png": "image/png", "mp4": "video/mp4"}


def _png_header(width: int = 1024, height: int = 1024) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


_HEADERS: Final = {
    "png": _png_header(),
    "mp4": struct.pack(">I", 32) + b"ftypisom" + struct.pack(">I", 0x200) + b"isomiso2avc1mp41",
}


def file_bytes(out_task_id: str, name: str, size: int) -> bytes:
    """The ``size`` bytes of output file ``name`` of task ``out_task_id``."""
    ext = name.rpartition(".")[2]
    header = _HEADERS.get(ext, b"")
    block = hashlib.sha256(f"{out_task_id}/{name}".encode()).digest()
    filler_size = max(0, size - len(header))
    filler = block * (filler_size // len(block) + 1)
    return (header + filler)[:size]


def _not_found() -> web.Response:
    return web.Response(status=404, text="404: file not found")


async def serve_file(request: web.Request) -> web.Response:
    """Serve one output file (HEAD gets the same headers and no body)."""
    state = request.app[STATE_KEY]
    out_task_id = request.match_info["out_task_id"]
    name = request.match_info["name"]
    task = state.tasks.get(out_task_id)
    if task is None or name not in task.output_names:
        return _not_found()
    now = state.settle()
    if task.status_at(now) != "completed":
        return _not_found()
    ext = name.rpartition(".")[2]
    config = state.config
    size = config.output_bytes_video if task.kind == "video" else config.output_bytes_image
    body = file_bytes(out_task_id, name, size)
    response = web.Response(content_type=CONTENT_TYPES.get(ext, "application/octet-stream"))
    if config.gzip_outputs:
        body = gzip.compress(body, mtime=0)
        response.headers["Content-Encoding"] = "gzip"
    response.body = body
    return response
