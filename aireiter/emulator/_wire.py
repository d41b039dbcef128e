"""The emulator's answers on the wire: envelopes, error bodies, timestamps.

Envelopes are what the API sends: ``{"statusCode": 200, "message": "", "data": {...}}`` on
success and a non-200 ``statusCode`` inside HTTP 200 for business errors (with the
misleading ``"ok": true`` on "not enough credits", as observed).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Final

from aiohttp import web

__all__ = [
    "INSUFFICIENT_CREDITS",
    "JSON_HEADERS",
    "REQUEST_ID_HEADER",
    "TASK_NOT_FOUND",
    "error_envelope",
    "format_time",
    "iso_utc",
    "json_bytes",
    "json_response",
    "ok_envelope",
    "unauthorized_response",
]

REQUEST_ID_HEADER: Final = "X-Request-Id"
JSON_HEADERS: Final = {"Content-Type": "application/json; charset=utf-8"}
TASK_NOT_FOUND: Final = "api task not found"
INSUFFICIENT_CREDITS: Final = "not enough credits"

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return _dumps(value).encode()


def json_response(value: Any, *, status: int = 200) -> web.Response:
    """An ``application/json`` answer, serialised once."""
    return web.Response(body=json_bytes(value), status=status, headers=JSON_HEADERS)


def ok_envelope(data: Any) -> web.Response:
    """HTTP 200, ``statusCode`` 200, empty ``message``."""
    return json_response({"statusCode": 200, "message": "", "data": data})


def error_envelope(status_code: int, message: str, *, http_status: int = 200) -> web.Response:
    """A business error: ``statusCode``/``message`` with ``data: null`` (HTTP 200 unless told).

    ``433`` carries ``"ok": true`` first, exactly as the API was seen to send it.
    """
    body: dict[str, Any] = {"ok": True} if status_code == 433 else {}
    body.update(statusCode=status_code, message=message, data=None)
    return json_response(body, status=http_status)


def unauthorized_response() -> web.Response:
    """HTTP 401 for a missing or wrong API key."""
    return json_response({"statusCode": 401, "message": "invalid api key"}, status=401)


def iso_utc(epoch_s: float) -> str:
    """``2025-12-22T06:03:28.242Z`` for a Unix time in seconds."""
    moment = datetime.fromtimestamp(epoch_s, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def format_time(epoch_s: float, fmt: str) -> str | int:
    """A Unix time as the config's ``timestamp_format`` writes it: ``"iso"`` (see
    :func:`iso_utc`), ``"epoch_ms"`` or ``"epoch_us"`` (integers)."""
    if fmt == "epoch_ms":
        return round(epoch_s * 1_000)
    if fmt == "epoch_us":
        return round(epoch_s * 1_000_000)
    return iso_utc(epoch_s)
