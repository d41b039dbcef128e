"""Webhook callbacks in any ASGI app: FastAPI, Starlette, or an ASGI server alone.

:class:`WebhookASGIApp` is a plain ASGI 3 application (no framework imported) around a
:class:`~aireiter.webhooks.WebhookRouter`, built by :meth:`WebhookRouter.asgi_app`::

    router = WebhookRouter()
    app = FastAPI()
    app.mount("/aireiter/callback", router.asgi_app())
    async with client.tracker(webhook=router,
                              webhook_base_url="https://me.example/aireiter/callback") as t:
        ...

It answers ``POST .../{token}/{out_task_id}`` exactly as the aiohttp handler does (the same
checks, counters, logs and listeners; see :mod:`aireiter.webhooks`): it reads the last two
segments of the path below its mount point, so it works under any prefix, and the body in
chunks, refusing it (413) as soon as it passes ``router.max_body_bytes``. Any other method
is answered 405. It also completes the ``lifespan`` protocol, so ``uvicorn`` can serve it
alone, and closes websocket connections it is offered.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ._exceptions import ParamError
from .webhooks import (
    CallbackRejected,
    WebhookRouter,
    check_length,
    check_target,
    event_from_body,
    target_of,
)

__all__ = ["WebhookASGIApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_POLICY_VIOLATION = 1008  # websocket close code: not a websocket endpoint


class WebhookASGIApp:
    """An ASGI app receiving callbacks for ``router`` (see the module doc)."""

    def __init__(self, router: WebhookRouter) -> None:
        given: object = router
        if not isinstance(given, WebhookRouter):
            raise ParamError.single("router", given, "must be a WebhookRouter")
        self.router = router

    def __repr__(self) -> str:
        return f"WebhookASGIApp({self.router!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await _lifespan(receive, send)
        elif kind == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": _POLICY_VIOLATION})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") != "POST":
            body = {"ok": False, "error": "method not allowed: callbacks are POSTed"}
            await _respond(send, 405, body, extra=[(b"allow", b"POST")])
            return
        path = str(scope.get("path", ""))
        root = str(scope.get("root_path", ""))
        if root and path.startswith(root):
            path = path[len(root) :]
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        token, out_task_id = target_of(path, query, encoded=False)
        client = scope.get("client")
        remote = str(client[0]) if client else None
        router = self.router
        try:
            check_target(router.token, token, out_task_id)
            raw = await _read_body(scope, receive, router.max_body_bytes)
            event = event_from_body(raw, out_task_id)
        except CallbackRejected as rejected:
            router.note_rejected(rejected, remote, out_task_id)
            await _respond(send, rejected.status_code, {"ok": False, "error": rejected.reason})
            return
        except Exception:  # a bug here must not take the user's app down
            router.note_failure(out_task_id)
            await _respond(send, 500, {"ok": False, "error": "internal error"})
            return
        router.deliver(event)
        await _respond(send, 200, {"ok": True})


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The request body, refused (413) once over ``limit`` bytes or when its
    ``Content-Length`` says so; 400 when the client goes away first."""
    for name, value in scope.get("headers", ()):
        if bytes(name).lower() == b"content-length":
            text = bytes(value).decode("latin-1").strip()
            if text.isdigit():
                check_length(int(text), limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message.get("type") == "http.disconnect":
            raise CallbackRejected(400, "body could not be read (the client went away)")
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > limit:
            raise CallbackRejected(413, f"body is over the {limit} byte limit")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _respond(
    send: Send,
    status: int,
    body: dict[str, Any],
    *,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(payload)).encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _lifespan(receive: Receive, send: Send) -> None:
    """Complete startup and shutdown (the app holds nothing to open or close)."""
    while True:
        message = await receive()
        if message.get("type") == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message.get("type") == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
