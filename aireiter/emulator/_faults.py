"""Fault injection: which request gets which fault, and how each fault looks on the wire.

Two sources, checked in order for every request:

1. forced faults, queued by ``state.inject(kind, path=None, count=1)``: the next ``count``
   requests on ``path`` (any method; ``None``: any of ``FaultConfig.paths``) get ``kind``;
2. random faults, drawn from a ``random.Random(FaultConfig.seed)`` for requests on
   ``FaultConfig.paths``, by the configured rates.

What each kind does:

- ``error_5xx``: HTTP 500 or 503 with a JSON body; the request is not processed;
- ``rate_limit``: HTTP 429 with ``Retry-After: <retry_after_s>``; not processed;
- ``reset_before``: the TCP connection is dropped (RST) before the request is processed;
- ``reset_after``: the request is processed in full (a submit creates its task), then the
  connection is dropped instead of answering;
- ``malformed``: the request is processed, then HTTP 200 ``application/json`` comes back with
  the answer cut in half (broken JSON);
- ``html``: HTTP 200 with the HTML marketing page; not processed;
- ``latency``: the request waits ``latency_s`` (or the ``seconds`` given to ``inject``, 1 s by
  default) and is then handled normally. ``FaultConfig.latency_s`` delays every matching
  request on top of that;
- ``slow_record``: a submit is held ``seconds`` (default ``FaultConfig.slow_record_s``) and
  only then recorded, even when the client has gone away meanwhile; until then a query for
  its ``out_task_id`` answers "api task not found". On any other path it is plain latency.
"""

from __future__ import annotations

import random
import socket
import struct
from collections import deque
from contextlib import suppress
from typing import Final, NamedTuple

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.web_request import BaseRequest

from ._config import DEFAULT_INJECTED_LATENCY_S, FAULT_KINDS, FaultConfig, FaultKind
from ._wire import json_response

__all__ = [
    "DropConnection",
    "FaultPick",
    "FaultPlan",
    "path_matches",
    "rate_limited",
    "server_error",
]

_LINGER_RESET: Final = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends a RST
_RANDOM_KINDS: Final[tuple[FaultKind, ...]] = (
    "error_5xx",
    "rate_limit",
    "reset_before",
    "reset_after",
    "malformed",
    "html",
    "slow_record",
)


class FaultPick(NamedTuple):
    """A request's fault: its kind (``None``: none), the seconds to delay it first, and for
    ``slow_record`` the seconds to hold the submit before recording it."""

    kind: FaultKind | None
    delay_s: float
    hold_s: float = 0.0


def path_matches(path: str, pattern: str) -> bool:
    """True when ``path`` is ``pattern`` or lies under it (``/api/v1`` covers ``/api/v1/x``)."""
    base = pattern.rstrip("/")
    return not base or path == base or path.startswith(base + "/")


class _Forced:
    __slots__ = ("kind", "path", "remaining", "seconds")

    def __init__(self, kind: FaultKind, path: str | None, count: int, seconds: float) -> None:
        self.kind = kind
        self.path = path
        self.remaining = count
        self.seconds = seconds


class FaultPlan:
    """Decides each request's fault. One per emulator; see the module docstring."""

    __slots__ = ("_forced", "_paths", "_rng", "config")

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._paths = config.paths
        self._rng = random.Random(config.seed)
        self._forced: deque[_Forced] = deque()

    @property
    def active(self) -> bool:
        """True when some request could get a fault (a fast path for the usual case)."""
        config = self.config
        return bool(self._forced) or config.total_rate > 0 or config.latency_s > 0

    @property
    def pending_injections(self) -> int:
        """How many forced faults are still queued."""
        return sum(f.remaining for f in self._forced)

    def inject(
        self, kind: FaultKind, path: str | None = None, count: int = 1, seconds: float | None = None
    ) -> None:
        """Force ``kind`` on the next ``count`` requests on ``path``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; allowed: {', '.join(FAULT_KINDS)}")
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count!r}")
        if seconds is None:
            if kind == "slow_record":
                seconds = self.config.slow_record_s
            else:
                seconds = self.config.latency_s or DEFAULT_INJECTED_LATENCY_S
        elif seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        self._forced.append(_Forced(kind, path, count, seconds))

    def clear(self) -> None:
        """Drop every queued forced fault."""
        self._forced.clear()

    def _in_paths(self, path: str) -> bool:
        return any(path_matches(path, pattern) for pattern in self._paths)

    def pick(self, path: str) -> FaultPick:
        """The fault for a request on ``path``: kind (or ``None``), delay, hold."""
        in_paths = self._in_paths(path)
        delay = self.config.latency_s if in_paths else 0.0
        for forced in self._forced:
            if (forced.path is None and in_paths) or (
                forced.path is not None and path_matches(path, forced.path)
            ):
                forced.remaining -= 1
                if forced.remaining <= 0:
                    self._forced.remove(forced)
                if forced.kind == "latency":
                    return FaultPick(None, delay + forced.seconds)
                if forced.kind == "slow_record":
                    return FaultPick("slow_record", delay, forced.seconds)
                return FaultPick(forced.kind, delay)
        config = self.config
        if not in_paths or config.total_rate <= 0:
            return FaultPick(None, delay)
        draw = self._rng.random()
        rates = (
            config.error_rate,
            config.rate_limit_rate,
            config.reset_before_rate,
            config.reset_after_rate,
            config.malformed_rate,
            config.html_rate,
            config.slow_record_rate,
        )
        for kind, rate in zip(_RANDOM_KINDS, rates, strict=True):
            if draw < rate:
                hold = config.slow_record_s if kind == "slow_record" else 0.0
                return FaultPick(kind, delay, hold)
            draw -= rate
        return FaultPick(None, delay)

    def server_error_status(self) -> int:
        """500 or 503, drawn from the plan's seeded generator."""
        return 503 if self._rng.random() < 0.5 else 500


def server_error(status: int) -> web.Response:
    """The JSON answer of an injected 5xx."""
    message = "service unavailable" if status == 503 else "internal server error"
    return json_response({"statusCode": status, "message": message, "data": None}, status=status)


def rate_limited(retry_after_s: float) -> web.Response:
    """The JSON answer of an injected 429, with ``Retry-After`` in seconds."""
    response = json_response(
        {"statusCode": 429, "message": "too many requests", "data": None}, status=429
    )
    response.headers["Retry-After"] = f"{retry_after_s:g}"
    return response


class DropConnection(web.StreamResponse):
    """A "response" that resets the TCP connection instead of answering.

    aiohttp prepares a handler's response after the handler returns; this one aborts the
    transport (with ``SO_LINGER`` 0, so the peer sees a reset) and raises
    ``ConnectionResetError``, which aiohttp's server treats as a client gone away: nothing is
    written, nothing is logged as an error, and the connection is not reused.
    """

    async def prepare(self, request: BaseRequest) -> AbstractStreamWriter | None:
        """Drop the connection; never returns."""
        transport = request.transport
        if transport is not None:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
            transport.abort()
        raise ConnectionResetError("connection dropped by the emulator's fault injection")
