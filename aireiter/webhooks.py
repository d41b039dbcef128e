"""Webhook callbacks: learn that a task finished without polling for it.

When a task submitted with a ``callback_url`` finishes, the API POSTs its final state (the
query ``data`` object, as JSON) to that URL. A callback is only a *hint*: anybody who can reach
the URL could send one, so the tracker confirms it with one query before trusting it. This
module only receives: it checks the request and tells listeners.

Two pieces:

- :class:`WebhookRouter`, one per tracker: a per-tracker unguessable token, the callback URLs
  (``{base}/{token}/{out_task_id}``) and :meth:`WebhookRouter.handle`, an aiohttp handler
  you can mount in your own app::

      router = WebhookRouter()
      app.router.add_post("/aireiter/callback/{token}/{out_task_id}", router.handle)
      async with client.tracker(webhook=router,
                                webhook_base_url="https://me.example/aireiter/callback") as t:
          ...

- :class:`WebhookReceiver`, a small built-in server (for the CLI and scripts) that mounts a
  router on ``host:port`` and tells you its base URL.

What the handler answers (it never raises): a wrong token or a bad ``out_task_id`` -> 404; a
body over ``max_body_bytes`` -> 413; a body that is not a JSON object, or whose
``out_task_id`` contradicts the URL -> 400; otherwise 200, and every listener gets a
:class:`CallbackEvent`. Rejections are logged on ``aireiter.webhooks`` (never the token).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Final

import attrs
from aiohttp import web

from ._constants import OUT_TASK_ID_PATTERN
from ._exceptions import ParamError

__all__ = [
    "DEFAULT_CALLBACK_PATH",
    "DEFAULT_MAX_CALLBACK_BODY_BYTES",
    "CallbackEvent",
    "WebhookReceiver",
    "WebhookRouter",
]

logger = logging.getLogger("aireiter.webhooks")

DEFAULT_MAX_CALLBACK_BODY_BYTES: Final = 256 * 1024  # a task's data object is a few KB
DEFAULT_CALLBACK_PATH: Final = "/aireiter/callback"  # where WebhookReceiver mounts its router
_TOKEN_BYTES: Final = 24  # secrets.token_urlsafe(24): 32 characters, 192 bits
_READ_CHUNK_BYTES: Final = 16 * 1024
_MAX_PORT: Final = 65535


@attrs.frozen(kw_only=True)
class CallbackEvent:
    """One accepted callback: which job, the status it claims, and the decoded body.

    ``body`` is the task's ``data`` object as sent (an ``{"statusCode", "data"}`` envelope is
    unwrapped). Nothing in it is verified: confirm with a query before acting on it.
    """

    out_task_id: str
    status: str | None
    body: Mapping[str, Any]


Listener = Callable[[CallbackEvent], None]


class _Rejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class WebhookRouter:
    """Checks callbacks for one tracker and hands them to its listeners (see module doc).

    ``token`` defaults to a fresh :func:`secrets.token_urlsafe` value; it is kept out of the
    repr and the logs. ``accepted`` and ``rejected`` count requests.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        max_body_bytes: int = DEFAULT_MAX_CALLBACK_BODY_BYTES,
    ) -> None:
        if token is not None and (not isinstance(token, str) or not token or "/" in token):
            # the value is a secret: it is not shown
            raise ParamError.single("token", "<hidden>", "must be a non-empty string without '/'")
        if (
            isinstance(max_body_bytes, bool)
            or not isinstance(max_body_bytes, int)
            or max_body_bytes < 1
        ):
            raise ParamError.single("max_body_bytes", max_body_bytes, "must be an integer >= 1")
        self.token = token if token is not None else secrets.token_urlsafe(_TOKEN_BYTES)
        self.max_body_bytes = max_body_bytes
        self.accepted = 0
        self.rejected = 0
        self._listeners: list[Listener] = []

    def __repr__(self) -> str:
        return f"WebhookRouter(accepted={self.accepted}, rejected={self.rejected})"

    def callback_url(self, base_url: str, out_task_id: str) -> str:
        """The URL to submit ``out_task_id`` with: ``{base_url}/{token}/{out_task_id}``."""
        return f"{base_url.rstrip('/')}/{self.token}/{out_task_id}"

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every accepted callback; returns the unsubscribe function.

        Listeners run on the event loop inside the request; keep them quick (set an event,
        put on a queue). An exception in one is logged and does not reach the sender.
        """
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp handler: mount it on a POST route with ``{token}`` and
        ``{out_task_id}`` in the path. Never raises; see the module doc for the answers."""
        out_task_id = request.match_info.get("out_task_id", "")
        try:
            event = await self._check(request, out_task_id)
        except _Rejected as rejected:
            self.rejected += 1
            logger.warning(
                "webhook callback rejected (%d %s) from %s for out_task_id=%r",
                rejected.status,
                rejected.reason,
                request.remote,
                out_task_id[:80],
            )
            return web.json_response(
                {"ok": False, "error": rejected.reason}, status=rejected.status
            )
        except Exception:  # a handler bug must not take the receiver down
            self.rejected += 1
            logger.exception("webhook callback for out_task_id=%r failed", out_task_id[:80])
            return web.json_response({"ok": False, "error": "internal error"}, status=500)
        self.accepted += 1
        logger.debug("webhook callback: %s is %s", event.out_task_id, event.status)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("webhook listener failed for %s", event.out_task_id)
        return web.json_response({"ok": True})

    async def _check(self, request: web.Request, out_task_id: str) -> CallbackEvent:
        token = request.match_info.get("token") or request.query.get("token", "")
        if not secrets.compare_digest(token.encode(), self.token.encode()):
            raise _Rejected(404, "unknown callback token")
        if not OUT_TASK_ID_PATTERN.fullmatch(out_task_id):
            raise _Rejected(404, "bad out_task_id")
        raw = await self._read_body(request)
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            raise _Rejected(400, f"body is not JSON ({type(exc).__name__})") from None
        if isinstance(body, dict) and "statusCode" in body and isinstance(body.get("data"), dict):
            body = body["data"]  # an envelope, as the query endpoint answers
        if not isinstance(body, dict):
            raise _Rejected(400, "body is not a JSON object")
        claimed = body.get("out_task_id")
        if claimed is not None and claimed != out_task_id:
            raise _Rejected(400, "out_task_id in the body does not match the URL")
        status = body.get("status")
        if status is not None and not isinstance(status, str):
            raise _Rejected(400, "status is not a string")
        return CallbackEvent(out_task_id=out_task_id, status=status, body=body)

    async def _read_body(self, request: web.Request) -> bytes:
        limit = self.max_body_bytes
        length = request.content_length
        if length is not None and length > limit:
            raise _Rejected(413, f"body of {length} bytes is over the {limit} byte limit")
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := await request.content.read(_READ_CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise _Rejected(413, f"body is over the {limit} byte limit")
                chunks.append(chunk)
        except (ConnectionError, web.HTTPException) as exc:
            raise _Rejected(400, f"body could not be read ({type(exc).__name__})") from None
        return b"".join(chunks)


class WebhookReceiver:
    """A small HTTP server receiving callbacks for ``router`` (for the CLI and scripts).

    It listens on ``host``:``port`` (0: a free port) and mounts the router at
    ``{path}/{token}/{out_task_id}``. :meth:`start` returns the base URL to give
    ``router.callback_url``; pass ``public_url`` when the API must reach it through a proxy or
    tunnel (the default, ``http://{host}:{port}{path}``, only works on this machine).
    """

    def __init__(
        self,
        router: WebhookRouter,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = DEFAULT_CALLBACK_PATH,
        public_url: str | None = None,
    ) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= _MAX_PORT:
            raise ParamError.single("port", port, f"must be an integer from 0 to {_MAX_PORT}")
        if public_url is not None and not (
            isinstance(public_url, str) and public_url.startswith(("http://", "https://"))
        ):
            raise ParamError.single("public_url", public_url, "must be an http(s):// URL")
        if not isinstance(path, str):
            raise ParamError.single("path", path, "must be a string")
        self.router = router
        self.host = host
        self.port = port
        self.path = "/" + path.strip("/")
        self.public_url = public_url
        self.base_url: str | None = None
        """The base URL once started."""
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:
        return f"WebhookReceiver(base_url={self.base_url!r})"

    async def start(self) -> str:
        """Start listening; returns the base URL for :meth:`WebhookRouter.callback_url`."""
        if self.base_url is not None:
            return self.base_url
        app = web.Application(client_max_size=self.router.max_body_bytes + 1)
        app.router.add_post(f"{self.path}/{{token}}/{{out_task_id}}", self.router.handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        port = runner.addresses[0][1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        local = f"http://{host}:{port}{self.path}"
        self.base_url = self.public_url.rstrip("/") if self.public_url else local
        logger.info("webhook receiver listening on http://%s:%d%s", host, port, self.path)
        return self.base_url

    async def aclose(self) -> None:
        """Stop listening. Idempotent."""
        runner, self._runner = self._runner, None
        self.base_url = None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> WebhookReceiver:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
