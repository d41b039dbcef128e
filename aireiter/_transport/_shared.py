"""A transport with settings of its own on another transport's connection pool.

``client.with_options(timeout=..., max_retries=..., default_headers=...)`` makes one: the copy
sends through the sessions of the transport it came from (one per event loop, opened by either
of them), with its own timeouts, retries and headers. It never closes them: they are the
origin's, closed when the origin is; a copy used after that raises as the origin does.
"""

from __future__ import annotations

import asyncio

import aiohttp

from ._config import ClientConfig
from ._http import HTTPTransport

__all__ = ["SharedPoolTransport"]


class SharedPoolTransport(HTTPTransport):
    """An :class:`HTTPTransport` made from ``config`` that borrows ``origin``'s sessions."""

    def __init__(self, config: ClientConfig, origin: HTTPTransport) -> None:
        while isinstance(origin, SharedPoolTransport):  # a copy of a copy: the one pool
            origin = origin.origin
        super().__init__(config)
        self._origin = origin
        if origin._call_headers is None:
            # The origin's session sends the origin's headers by itself: send what differs.
            own = {k: v for k, v in self._headers.items() if origin._headers.get(k) != v}
            self._call_headers = own or None

    @property
    def origin(self) -> HTTPTransport:
        """The transport whose pool this one uses."""
        return self._origin

    @property
    def is_closed(self) -> bool:
        """True once the origin is closed."""
        return self._origin.is_closed

    def _bind(self, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
        session = self._origin._bind(loop)
        self._current = self._origin._bindings.get(loop)
        self._state = self._origin._state
        return session

    async def aclose(self) -> None:
        """Nothing to close: the pool is the origin's (closing the origin closes it)."""
