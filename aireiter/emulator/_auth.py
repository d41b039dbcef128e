"""Key checks shared by every emulated ``/api`` route (task API and chat alike): the one place
that knows which keys the emulator accepts and where a request may carry one."""

from __future__ import annotations

from aiohttp import web

from ._state import STATE_KEY
from ._wire import unauthorized_response

__all__ = ["check_bearer", "check_key", "unauthorized_response"]

_BEARER = "bearer "


def check_bearer(request: web.Request) -> bool:
    """True when ``Authorization: Bearer <key>`` carries one of the emulator's API keys."""
    header = request.headers.get("Authorization")
    if header is None or header[:7].lower() != _BEARER:
        return False
    return header[7:].strip() in request.app[STATE_KEY].api_keys


def check_key(request: web.Request, *, allow_x_api_key: bool = False) -> bool:
    """True when the request carries a valid key: a bearer key, or (where Anthropic's header is
    allowed, the Messages route) ``x-api-key``."""
    if check_bearer(request):
        return True
    if allow_x_api_key:
        key = request.headers.get("x-api-key")
        return key is not None and key.strip() in request.app[STATE_KEY].api_keys
    return False
