"""Webhook callbacks: learn that a task finished without polling for it.

When a task submitted with a ``callback_url`` finishes, the API POSTs its final state (the
query ``data`` object, as JSON) to that URL. A callback is only a *hint*: anybody who can reach
the URL could send one, so the tracker confirms it with one query before trusting it. This
module only receives: it checks the request and tells listeners.

The pieces:

- :class:`WebhookRouter`, one per tracker: a per-tracker unguessable token, the callback URLs
  (``{base}/{token}/{out_task_id}``) and two ways in. :meth:`WebhookRouter.handle` is an
  aiohttp handler you can mount in your own app::

      router = WebhookRouter()
      app.router.add_post("/aireiter/callback/{token}/{out_task_id}", router.handle)
      async with client.tracker(webhook=router,
                                webhook_base_url="https://me.example/aireiter/callback") as t:
          ...

  :meth:`WebhookRouter.asgi_app` is a plain ASGI app (:class:`WebhookASGIApp`, no framework
  needed) to mount in FastAPI or Starlette, ``app.mount("/aireiter/callback",
  router.asgi_app())``, or to serve alone with any ASGI server;
- :class:`WebhookReceiver`, a small built-in server (for the CLI and scripts) that mounts a
  router on ``host:port`` and tells you its base URL;
- :func:`parse_callback`, for an app that submits with ``callback_url`` itself (URLs from
  :func:`callback_url`): the same checks on a request any framework received, returning the
  :class:`CallbackEvent` or raising :class:`CallbackRejected` with the status to answer.

What every way in answers: a wrong token or a bad ``out_task_id`` -> 404; a body over
``max_body_bytes`` -> 413; a body that is not a JSON object, or whose ``out_task_id``
contradicts the URL -> 400; otherwise 200, and every listener gets a :class:`CallbackEvent`
(the router and the ASGI app never raise). Rejections are logged on ``aireiter.webhooks``
(never the token). An accepted callback is still only a hint: the tracker confirms it with a
query before trusting it, and so should an app (``await client.tasks.query(out_task_id)``).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs, unquote, urlsplit

import attrs
from aiohttp import web

from ._constants import OUT_TASK_ID_PATTERN
from ._exceptions import AIReiterError, ParamError

if TYPE_CHECKING:
    from ._webhooks_asgi import WebhookASGIApp

__all__ = [
    "DEFAULT_CALLBACK_PATH",
    "DEFAULT_MAX_CALLBACK_BODY_BYTES",
    "CallbackEvent",
    "CallbackRejected",
    "WebhookASGIApp",
    "WebhookReceiver",
    "WebhookRouter",
    "callback_url",
    "parse_callback",
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


class CallbackRejected(AIReiterError):
    """A callback request that fails the checks: answer it with ``status_code`` (404 wrong
    token or ``out_task_id``, 413 too large, 400 a body that is no task) and drop it.
    ``reason`` says why (it never holds the token)."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason

    @property
    def status(self) -> int:
        """The HTTP status to answer (``status_code``)."""
        return self.status_code


def _check_token(token: str) -> str:
    if not isinstance(token, str) or not token or "/" in token:
        # the value is a secret: it is not shown
        raise ParamError.single("token", "<hidden>", "must be a non-empty string without '/'")
    return token


def _check_limit(max_body_bytes: object) -> int:
    if (
        isinstance(max_body_bytes, bool)
        or not isinstance(max_body_bytes, int)
        or max_body_bytes < 1
    ):
        raise ParamError.single("max_body_bytes", max_body_bytes, "must be an integer >= 1")
    return max_body_bytes


def callback_url(base_url: str, out_task_id: str, *, token: str) -> str:
    """The URL to submit ``out_task_id`` with: ``{base_url}/{token}/{out_task_id}`` (what
    :func:`parse_callback` and the routers read back)."""
    return f"{base_url.rstrip('/')}/{token}/{out_task_id}"


def check_target(expected_token: str, token: str, out_task_id: str) -> None:
    """:class:`CallbackRejected` (404) unless ``token`` is ``expected_token`` (compared in
    constant time) and ``out_task_id`` is a valid id."""
    if not secrets.compare_digest(token.encode(), expected_token.encode()):
        raise CallbackRejected(404, "unknown callback token")
    if not OUT_TASK_ID_PATTERN.fullmatch(out_task_id):
        raise CallbackRejected(404, "bad out_task_id")


def check_length(length: int | None, limit: int) -> None:
    """:class:`CallbackRejected` (413) when a declared body ``length`` is over ``limit``."""
    if length is not None and length > limit:
        raise CallbackRejected(413, f"body of {length} bytes is over the {limit} byte limit")


def event_from_body(raw: bytes, out_task_id: str) -> CallbackEvent:
    """The :class:`CallbackEvent` a callback body for ``out_task_id`` carries (an
    ``{"statusCode", "data"}`` envelope is unwrapped); :class:`CallbackRejected` (400) for a
    body that is not a JSON object, names another id, or has a status that is no string."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CallbackRejected(400, f"body is not JSON ({type(exc).__name__})") from None
    if isinstance(body, dict) and "statusCode" in body and isinstance(body.get("data"), dict):
        body = body["data"]  # an envelope, as the query endpoint answers
    if not isinstance(body, dict):
        raise CallbackRejected(400, "body is not a JSON object")
    claimed = body.get("out_task_id")
    if claimed is not None and claimed != out_task_id:
        raise CallbackRejected(400, "out_task_id in the body does not match the URL")
    status = body.get("status")
    if status is not None and not isinstance(status, str):
        raise CallbackRejected(400, "status is not a string")
    return CallbackEvent(out_task_id=out_task_id, status=status, body=body)


def target_of(path: str, query: str = "", *, encoded: bool = True) -> tuple[str, str]:
    """``(token, out_task_id)`` from a callback URL's path and query: ``?token=`` and the
    last path segment when the query has a token, else the last two path segments
    (``.../{token}/{out_task_id}``). ``encoded=False``: the path is already percent-decoded
    (as ASGI gives it)."""
    segments = [unquote(part) if encoded else part for part in path.split("/") if part]
    last = segments[-1] if segments else ""
    tokens = parse_qs(query).get("token")
    if tokens:
        return tokens[0], last
    return (segments[-2], last) if len(segments) >= 2 else ("", last)


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if headers is None:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def parse_callback(
    body: bytes | bytearray | memoryview | str,
    headers: Mapping[str, str] | None = None,
    *,
    token: str,
    url: str,
    max_body_bytes: int = DEFAULT_MAX_CALLBACK_BODY_BYTES,
) -> CallbackEvent:
    """Check one callback your own app received and return what it says.

    For apps that submit with ``callback_url=callback_url(base, out_task_id, token=SECRET)``
    and receive the POST in any framework::

        try:
            event = parse_callback(await request.body(), request.headers,
                                   token=SECRET, url=str(request.url))
        except CallbackRejected as rejected:
            return Response(status_code=rejected.status_code)
        task = await client.tasks.query(event.out_task_id)  # the callback is only a hint

    ``url`` is the URL the request came to (full, or path and query): the token and the
    ``out_task_id`` are read from it (``.../{token}/{out_task_id}``, or ``?token=`` with the id
    as the last segment). ``headers`` (optional): a ``Content-Length`` over the limit is refused
    before the body is looked at. The checks are the routers': wrong token or id -> 404,
    a body over ``max_body_bytes`` -> 413, a body that is no task object -> 400, each raised
    as :class:`CallbackRejected` with the status to answer. Nothing in the event is verified:
    query the task before acting on it.
    """
    _check_token(token)
    limit = _check_limit(max_body_bytes)
    parts = urlsplit(url)
    received, out_task_id = target_of(parts.path, parts.query)
    check_target(token, received, out_task_id)
    declared = _header(headers, "content-length")
    if declared is not None and declared.strip().isdigit():
        check_length(int(declared), limit)
    raw = body.encode() if isinstance(body, str) else bytes(body)
    check_length(len(raw), limit)
    return event_from_body(raw, out_task_id)


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
        self.token = (
            _check_token(token) if token is not None else secrets.token_urlsafe(_TOKEN_BYTES)
        )
        self.max_body_bytes = _check_limit(max_body_bytes)
        self.accepted = 0
        self.rejected = 0
        self._listeners: list[Listener] = []

    def __repr__(self) -> str:
        return f"WebhookRouter(accepted={self.accepted}, rejected={self.rejected})"

    def callback_url(self, base_url: str, out_task_id: str) -> str:
        """The URL to submit ``out_task_id`` with: ``{base_url}/{token}/{out_task_id}``."""
        return callback_url(base_url, out_task_id, token=self.token)

    def asgi_app(self) -> WebhookASGIApp:
        """This router as a plain ASGI app (:class:`WebhookASGIApp`): mount it in FastAPI or
        Starlette (``app.mount("/aireiter/callback", router.asgi_app())``) or serve it with
        any ASGI server; it answers ``POST .../{token}/{out_task_id}`` like :meth:`handle`."""
        from ._webhooks_asgi import WebhookASGIApp

        return WebhookASGIApp(self)

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
            token = request.match_info.get("token") or request.query.get("token", "")
            check_target(self.token, token, out_task_id)
            event = event_from_body(await self._read_body(request), out_task_id)
        except CallbackRejected as rejected:
            self.note_rejected(rejected, request.remote, out_task_id)
            return web.json_response(
                {"ok": False, "error": rejected.reason}, status=rejected.status_code
            )
        except Exception:  # a handler bug must not take the receiver down
            self.note_failure(out_task_id)
            return web.json_response({"ok": False, "error": "internal error"}, status=500)
        self.deliver(event)
        return web.json_response({"ok": True})

    def note_rejected(
        self, rejected: CallbackRejected, remote: str | None, out_task_id: str
    ) -> None:
        """Count and log a rejected callback (never the token)."""
        self.rejected += 1
        logger.warning(
            "webhook callback rejected (%d %s) from %s for out_task_id=%r",
            rejected.status_code,
            rejected.reason,
            remote,
            out_task_id[:80],
        )

    def note_failure(self, out_task_id: str) -> None:
        """Count and log a callback that failed inside the receiver (a bug, answered 500)."""
        self.rejected += 1
        logger.exception("webhook callback for out_task_id=%r failed", out_task_id[:80])

    def deliver(self, event: CallbackEvent) -> None:
        """Count an accepted callback and hand it to every listener (a listener's exception
        is logged, never raised)."""
        self.accepted += 1
        logger.debug("webhook callback: %s is %s", event.out_task_id, event.status)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("webhook listener failed for %s", event.out_task_id)

    async def _read_body(self, request: web.Request) -> bytes:
        limit = self.max_body_bytes
        check_length(request.content_length, limit)
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := await request.content.read(_READ_CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise CallbackRejected(413, f"body is over the {limit} byte limit")
                chunks.append(chunk)
        except (ConnectionError, web.HTTPException) as exc:
            raise CallbackRejected(400, f"body could not be read ({type(exc).__name__})") from None
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


def __getattr__(name: str) -> Any:
    # WebhookASGIApp lives in its own module, which builds on this one: loaded on first use.
    if name == "WebhookASGIApp":
        from ._webhooks_asgi import WebhookASGIApp

        return WebhookASGIApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
