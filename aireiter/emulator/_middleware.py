"""The one middleware in front of every route: request ids, request counts, faults.

Every answer (errors, faults and the HTML page included) carries a unique ``X-Request-Id``.
Every request that reaches the server is counted in ``state.request_counts`` before any
fault applies, so a test can tell how many attempts a client made. Then, in order:
``html_everywhere`` (the HTML page on every ``/api/`` route), an outage in progress (task API
routes only), forced or random faults.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any, Final

from aiohttp import web

from ._config import TASK_PATHS, FaultKind
from ._faults import DropConnection, rate_limited, server_error
from ._html import html_page
from ._state import STATE_KEY, EmulatorState
from ._wire import JSON_HEADERS, REQUEST_ID_HEADER

__all__ = ["HOLD_KEY", "REQUEST_ID_KEY", "add_request_id", "front_middleware"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

REQUEST_ID_KEY: Any
"""Where the middleware keeps a request's id (``request[REQUEST_ID_KEY]``)."""
if hasattr(web, "RequestKey"):  # typed request keys, where this aiohttp has them
    REQUEST_ID_KEY = web.RequestKey("request_id", str)
else:  # pragma: no cover - older aiohttp: a plain, namespaced string key
    REQUEST_ID_KEY = "aireiter.request_id"

HOLD_KEY: Any
"""Seconds a ``slow_record`` submit is held before it is recorded (``request.get(HOLD_KEY)``)."""
if hasattr(web, "RequestKey"):
    HOLD_KEY = web.RequestKey("slow_record_hold_s", float)
else:  # pragma: no cover - older aiohttp
    HOLD_KEY = "aireiter.slow_record_hold_s"

CLIENT_CHECK_S: Final = 0.05  # how often a request held by a silent outage looks for its client
_FALLBACK_BODY: Final = b'{"statusCode":200,"message":"","data":{"status":"pending"}}'


def _truncated(response: web.StreamResponse) -> web.Response:
    body = response.body if isinstance(response, web.Response) else None
    if not isinstance(body, bytes) or not body:
        body = _FALLBACK_BODY
    return web.Response(body=body[: max(1, len(body) // 2)], headers=JSON_HEADERS)


async def _faulted(
    kind: FaultKind, request: web.Request, handler: Handler, state: EmulatorState
) -> web.StreamResponse:
    if kind == "error_5xx":
        return server_error(state.faults.server_error_status())
    if kind == "rate_limit":
        return rate_limited(state.config.faults.retry_after_s)
    if kind == "reset_before":
        return DropConnection()
    if kind == "html":
        return html_page()
    response = await handler(request)
    if kind == "reset_after":
        return DropConnection()
    return _truncated(response)  # "malformed"


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def _outage(request: web.Request, state: EmulatorState) -> web.StreamResponse | None:
    """The outage's answer, or ``None`` once a silent outage has ended with the client still
    there (the request is then handled)."""
    kind = state.outage_kind
    if kind == "5xx":
        return server_error(503)
    if kind == "reset":
        return DropConnection()
    state.held_requests += 1
    try:
        while state.outage_kind is not None:
            if _client_gone(request):
                return DropConnection()
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(state.wait_outage_over(), CLIENT_CHECK_S)
    finally:
        state.held_requests -= 1
    return DropConnection() if _client_gone(request) else None


@web.middleware
async def front_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Assign the request id, count the request, apply any fault, then handle it."""
    state = request.app[STATE_KEY]
    request[REQUEST_ID_KEY] = state.next_request_id()  # sent by add_request_id, below
    path = request.path
    state.request_counts[(request.method, path)] += 1
    if state.config.html_everywhere and path.startswith("/api/"):
        return html_page()
    if state.outage_kind is not None and path in TASK_PATHS:
        answer = await _outage(request, state)
        if answer is not None:
            return answer
    faults = state.faults
    if faults.active:
        kind, delay, hold = faults.pick(path)
        if delay > 0:
            await asyncio.sleep(delay)
        if kind == "slow_record":
            if request.method == "POST" and path == TASK_PATHS[0]:
                request[HOLD_KEY] = hold  # the submit handler holds, then records
            elif hold > 0:
                await asyncio.sleep(hold)
            return await handler(request)
        if kind is not None:
            return await _faulted(kind, request, handler, state)
    return await handler(request)


async def add_request_id(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: every answer gets the request's ``X-Request-Id`` as its
    headers go out, streamed answers (prepared by their handler) and error pages included."""
    request_id = request.get(REQUEST_ID_KEY)
    if request_id is not None:
        response.headers[REQUEST_ID_HEADER] = request_id
