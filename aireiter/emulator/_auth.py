"""Bearer-key checks shared by every emulated ``/api`` route (task API and chat alike)."""

from __future__ import annotations

from aiohttp import web

from ._state import STATE_KEY
from ._wire import unauthorized_response

__all__ = ["check_bearer", "unauthorized_response"]

_BEARER = "bearer "


def check_bearer(request: web.Request) -> bool:
    """True when ``Authorization: Bearer <key>`` carries one of the emulator's API keys."""
    header = request.headers.get("Authorization")
    if header is None or header[:7].lower() != _BEARER:
        return False
    return header[7:].strip() in request.app[STATE_KEY].api_keys
