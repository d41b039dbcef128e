"""The emulated text API under ``/api/v1``: chat completions, responses, messages, models.

Routes (mounted by :func:`add_chat_routes`, before the HTML catch-all):

- ``POST /api/v1/chat/completions`` (OpenAI Chat Completions, ``_chat_openai.py``);
- ``POST /api/v1/responses`` (OpenAI Responses, ``_chat_responses.py``);
- ``POST /api/v1/messages`` (Anthropic Messages, ``_chat_messages.py``);
- ``GET /api/v1/models`` (``{"object": "list", "data": [{"id": ...}]}``).

What the "model" answers is deterministic (``_chat_logic.py``). Errors use each API's own
format: OpenAI ``{"error": {"message", "type", "param", "code"}}`` on the OpenAI routes,
Anthropic ``{"type": "error", "error": {"type", "message"}}`` on messages; faults injected
through ``state.inject(..., path="/api/v1/...")`` are rewritten to the route's format too.
Auth: ``Authorization: Bearer <key>`` everywhere; messages also accept ``x-api-key`` (as
Anthropic's API does; whether AIReiter does is undocumented).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import aclosing
from typing import Any, Final

from aiohttp import web

from ._auth import check_bearer
from ._chat_logic import STREAM_FOREVER_LIMIT_S, STREAM_TICK_S, TEXT_MODELS
from ._config import MESSAGES_PATH, OPENAI_COMPAT_PATH
from ._state import STATE_KEY
from ._wire import json_bytes, json_response

__all__ = [
    "CHAT_STATE_KEY",
    "ChatState",
    "add_chat_routes",
    "anthropic_error",
    "known_model",
    "openai_error",
    "paced",
    "read_json_object",
    "sse_response",
    "stream_events",
    "write_sse",
]

_SSE_HEADERS: Final = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
}
_SECRET_HEADERS: Final = frozenset({"authorization", "x-api-key"})
_OPENAI_ERROR_TYPES: Final = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    429: "rate_limit_exceeded",
}
_ANTHROPIC_ERROR_TYPES: Final = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}


class ChatState:
    """What the chat routes remember, for tests: ``app[CHAT_STATE_KEY]``.

    - ``requests[path]``: requests that passed auth;
    - ``last_body[path]`` / ``last_headers[path]``: the latest JSON body and headers
      (``Authorization`` and ``x-api-key`` removed);
    - ``active_streams``: streams being written now; ``streams_started``,
      ``streams_finished`` (sent to the end) and ``client_disconnects`` (the client went away
      mid-stream).
    """

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.last_body: dict[str, Any] = {}
        self.last_headers: dict[str, dict[str, str]] = {}
        self.active_streams = 0
        self.streams_started = 0
        self.streams_finished = 0
        self.client_disconnects = 0
        self._seq = 0

    def next_id(self, prefix: str) -> str:
        """A new id such as ``chatcmpl_000001`` (sequential per emulator)."""
        self._seq += 1
        return f"{prefix}_{self._seq:06d}"

    def record(self, request: web.Request, body: Any) -> None:
        """Remember a request that passed auth."""
        path = request.path
        self.requests[path] += 1
        self.last_body[path] = body
        self.last_headers[path] = {
            k: v for k, v in request.headers.items() if k.lower() not in _SECRET_HEADERS
        }


CHAT_STATE_KEY: Final = web.AppKey("aireiter_chat_state", ChatState)


def openai_error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    param: str | None = None,
    error_type: str | None = None,
) -> web.Response:
    """An error in OpenAI's format."""
    kind = (
        error_type
        or _OPENAI_ERROR_TYPES.get(status)
        or ("server_error" if status >= 500 else "invalid_request_error")
    )
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return json_response(body, status=status)


def anthropic_error(status: int, message: str, *, error_type: str | None = None) -> web.Response:
    """An error in Anthropic's format."""
    kind = (
        error_type
        or _ANTHROPIC_ERROR_TYPES.get(status)
        or ("api_error" if status >= 500 else "invalid_request_error")
    )
    return json_response(
        {"type": "error", "error": {"type": kind, "message": message}}, status=status
    )


def known_model(request: web.Request, model: str) -> bool:
    """True for a listed text model (any model when the emulator accepts unknown ones)."""
    return model in TEXT_MODELS or request.app[STATE_KEY].config.accept_unknown_models


async def read_json_object(request: web.Request) -> dict[str, Any] | None:
    """The request body as a JSON object, or ``None`` when it is not one."""
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


async def sse_response(request: web.Request) -> web.StreamResponse:
    """A prepared ``text/event-stream`` response."""
    response = web.StreamResponse(status=200, headers=_SSE_HEADERS)
    await response.prepare(request)
    return response


async def write_sse(response: web.StreamResponse, data: Any, event: str | None = None) -> None:
    """Write one SSE event (``data`` as compact JSON, or as is when it is a string)."""
    payload = data.encode() if isinstance(data, str) else json_bytes(data)
    head = b"event: " + event.encode() + b"\n" if event else b""
    await response.write(head + b"data: " + payload + b"\n\n")


async def list_models(request: web.Request) -> web.Response:
    """``GET /api/v1/models``: the text models, OpenAI's list format."""
    if not check_bearer(request):
        return openai_error(401, "Incorrect API key provided.", code="invalid_api_key")
    request.app[CHAT_STATE_KEY].record(request, None)
    data = [
        {"id": model, "object": "model", "created": 1_735_689_600, "owned_by": "aireiter"}
        for model in TEXT_MODELS
    ]
    return json_response({"object": "list", "data": data})


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def chat_error_format(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Rewrite envelope-style error bodies (injected faults) on ``/api/v1`` to the route's
    own error format, keeping status and headers (``Retry-After``, ``X-Request-Id``)."""
    response = await handler(request)
    path = request.path
    if (
        response.status < 400
        or not path.startswith(OPENAI_COMPAT_PATH + "/")
        or not isinstance(response, web.Response)
        or not isinstance(response.body, bytes)
    ):
        return response
    try:
        body = json.loads(response.body)
    except ValueError:
        return response
    if not isinstance(body, Mapping) or "statusCode" not in body:
        return response
    message = str(body.get("message") or f"HTTP {response.status}")
    if path == MESSAGES_PATH:
        rewritten = anthropic_error(response.status, message)
    else:
        rewritten = openai_error(response.status, message)
    for name, value in response.headers.items():
        if name.lower() not in ("content-type", "content-length"):
            rewritten.headers[name] = value
    return rewritten


def add_chat_routes(app: web.Application) -> None:
    """Mount the text API routes on ``app`` and put the error-format rewriter in front."""
    from ._chat_messages import messages
    from ._chat_openai import chat_completions
    from ._chat_responses import responses

    app[CHAT_STATE_KEY] = ChatState()
    app.middlewares.insert(0, chat_error_format)
    app.router.add_post(OPENAI_COMPAT_PATH + "/chat/completions", chat_completions)
    app.router.add_post(OPENAI_COMPAT_PATH + "/responses", responses)
    app.router.add_post(MESSAGES_PATH, messages)
    app.router.add_get(OPENAI_COMPAT_PATH + "/models", list_models, allow_head=False)


async def stream_events(
    request: web.Request, events: AsyncGenerator[tuple[str | None, Any], None]
) -> web.StreamResponse:
    """Send ``(event name, data)`` pairs as SSE, counting the stream in :class:`ChatState`;
    a client that goes away mid-stream ends it quietly (counted in ``client_disconnects``)."""
    state = request.app[CHAT_STATE_KEY]
    response = await sse_response(request)
    state.active_streams += 1
    state.streams_started += 1
    try:
        async with aclosing(events):  # a client gone mid-stream also ends the generator
            async for event, data in events:
                await write_sse(response, data, event)
        await response.write_eof()
        state.streams_finished += 1
    except ConnectionError:
        state.client_disconnects += 1
    finally:
        state.active_streams -= 1
    return response


async def paced(texts: Iterator[str], *, forever: bool) -> AsyncIterator[str]:
    """``texts`` as an async iterator; an endless stream is paced by ``STREAM_TICK_S`` and
    stops after ``STREAM_FOREVER_LIMIT_S``."""
    if not forever:
        for text in texts:
            yield text
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_FOREVER_LIMIT_S
    for text in texts:
        if loop.time() >= deadline:
            return
        yield text
        await asyncio.sleep(STREAM_TICK_S)
