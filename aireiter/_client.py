"""``AsyncAIReiter``: the asyncio client, one per application, shared by every task."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from ssl import SSLContext
from types import TracebackType
from typing import TYPE_CHECKING, Any

import aiohttp

from ._constants import DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRIES
from ._models import Balance
from ._transport import ClientConfig, HTTPTransport, Timeout
from ._transport._config import DEFAULT_TIMEOUT, redact_key
from ._transport._logging import setup_logging_from_env
from ._transport._redact import redact
from ._transport._shared import SharedPoolTransport
from ._types import NOT_GIVEN, NotGiven, NotGivenOr
from .resources.tasks import AsyncTasks

if TYPE_CHECKING:
    from openai.resources.chat import AsyncChat
    from openai.resources.responses import AsyncResponses

    from .openai import AsyncOpenAI
    from .resources.images import AsyncImages
    from .resources.messages import AsyncMessages
    from .resources.videos import AsyncVideos
    from .tracker import TaskTracker

__all__ = ["AsyncAIReiter"]

setup_logging_from_env()  # AIREITER_LOG=debug|info, and redaction on the aireiter logger


class AsyncAIReiter:
    """The asyncio client for the AIReiter API.

    Create one per application and share it; it opens its connection pool on first use
    inside the running event loop. Close it with ``await client.close()`` (or ``aclose()``)
    or use it as ``async with AsyncAIReiter() as client: ...``. A client may be used from more
    than one event loop (a second ``asyncio.run``, a loop in another thread): each loop gets
    its own connection pool, closed when that loop shuts down or by ``close()``.

    Arguments (each falls back to the environment, then to the default):

    - ``api_key``: ``AIREITER_API_KEY``; required (:class:`ConfigurationError` when missing,
      raised here, before any request).
    - ``base_url``: ``AIREITER_BASE_URL``, else ``https://aireiter.com``.
    - ``timeout``: seconds (the deadline of one call, retries included) or a :class:`Timeout`;
      ``None`` disables timeouts.
    - ``max_retries``: retries after the first attempt for retryable failures (default 2).
    - ``max_connections``: size of the connection pool (default 100).
    - ``max_response_bytes``: the largest JSON answer read (default 16 MiB); a larger one
      raises :class:`ResponseTooLargeError` without being read.
    - ``default_headers``: extra headers sent with every request.

    Network (the task API, output downloads and the chat adapter alike):

    - ``proxy``: an ``http://`` proxy URL for every request (``NO_PROXY`` does not apply).
    - ``trust_env`` (default ``True``, as in httpx and openai): without ``proxy``, use the
      environment's ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY``, except for the hosts
      ``NO_PROXY`` names. The API host's proxy is read once, here.
    - ``ssl``: ``True`` (verify certificates against the system's CAs), an
      :class:`ssl.SSLContext` (a private CA, a client certificate) or ``False`` (no checks).
    - ``http_session``: an :class:`aiohttp.ClientSession` of yours for the task API and
      downloads, used as it is (its connector, proxy, TLS and trace settings) and never
      closed by the client. It must belong to the event loop that uses the client;
      ``proxy`` and ``ssl`` then go on the session itself.

    Bad arguments raise :class:`ParamError` naming the argument.
    """

    _origin: AsyncAIReiter | None = None  # set on a copy made by with_options()

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        default_headers: Mapping[str, str] | None = None,
        proxy: str | None = None,
        ssl: SSLContext | bool = True,
        trust_env: bool = True,
        http_session: aiohttp.ClientSession | None = None,
    ) -> None:
        config = ClientConfig.from_arguments(
            api_key=api_key,
            base_url=base_url,
            timeout=DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else timeout,
            max_retries=max_retries,
            max_connections=max_connections,
            max_response_bytes=max_response_bytes,
            default_headers=default_headers,
            proxy=proxy,
            ssl=ssl,
            trust_env=trust_env,
            http_session=http_session,
        )
        self._setup(config, HTTPTransport(config))

    def _setup(self, config: ClientConfig, transport: HTTPTransport) -> None:
        self._config = config
        self._transport = transport
        self._openai_client: AsyncOpenAI | None = None
        # The API answered a balance request: a tracker on this client then takes requests
        # that time out as a slow API, never as a host that is not there.
        self._reached_api = False
        self.tasks = AsyncTasks(self)
        """Generation tasks: ``submit``, ``query``, ``wait``."""

    def with_options(
        self,
        *,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
        default_headers: Mapping[str, str] | None = None,
    ) -> AsyncAIReiter:
        """A light copy of this client with another ``timeout``, ``max_retries`` or more
        ``default_headers`` (merged over this client's), sharing its connection pool::

            slow = client.with_options(timeout=120, max_retries=5)
            task = await slow.tasks.submit(...)

        Making one costs no connection. The copy has this client's other settings (key,
        host, proxy, confirm policy) and its own namespaces; its chat adapter shares this
        client's too. The pool stays this client's: closing the copy (``close()``, leaving
        ``async with``) closes nothing, and once this client is closed the copy cannot send.
        Raises :class:`ParamError` for a bad setting.
        """
        config = self._config.with_options(
            timeout=timeout, max_retries=max_retries, default_headers=default_headers
        )
        origin = self._origin or self
        copy = type(self).__new__(type(self))
        copy._setup(config, SharedPoolTransport(config, origin._transport))
        copy._origin = origin
        copy.tasks.confirm_policy = self.tasks._confirm_policy
        return copy

    # -- configuration ---------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The API host, e.g. ``https://aireiter.com``."""
        return self._config.base_url

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration (the key is redacted in its repr)."""
        return self._config

    @property
    def is_closed(self) -> bool:
        """True once :meth:`close` ran (for a copy made by :meth:`with_options`: once the
        client it came from is closed)."""
        return self._transport.is_closed

    def __repr__(self) -> str:
        return (
            f"AsyncAIReiter(base_url={redact(self._config.base_url)!r}, "
            f"api_key={redact_key(self._config.api_key)!r})"
        )

    # -- namespaces ------------------------------------------------------------------------
    @cached_property
    def images(self) -> AsyncImages:
        """Image models, typed: ``client.images.seedream_v4_5.submit(prompt=...)``."""
        from .resources.images import AsyncImages

        return AsyncImages(self)

    @cached_property
    def videos(self) -> AsyncVideos:
        """Video models, typed: ``client.videos.sora2.generate(prompt=...)``."""
        from .resources.videos import AsyncVideos

        return AsyncVideos(self)

    @cached_property
    def messages(self) -> AsyncMessages:
        """Claude Messages format (``POST /api/v1/messages``), with streaming."""
        from .resources.messages import AsyncMessages

        return AsyncMessages(self)

    @property
    def openai(self) -> AsyncOpenAI:
        """The OpenAI-compatible client (a subclass of ``openai.AsyncOpenAI``), made on first
        use from this client's key, base URL, timeout and retries, closed with this client."""
        if self._openai_client is None:
            from .openai import AsyncOpenAI, _from_config, _httpx_timeout

            if self._origin is not None:  # a copy: the origin's adapter, with these settings
                self._openai_client = self._origin.openai.with_options(
                    timeout=_httpx_timeout(self._config.timeout),
                    max_retries=self._config.max_retries,
                    default_headers=dict(self._config.default_headers),
                )
            else:
                self._openai_client = _from_config(AsyncOpenAI, self._config)
        return self._openai_client

    @property
    def chat(self) -> AsyncChat:
        """OpenAI Chat Completions: ``await client.chat.completions.create(...)``."""
        return self.openai.chat

    @property
    def responses(self) -> AsyncResponses:
        """OpenAI Responses: ``await client.responses.create(...)``."""
        return self.openai.responses

    # -- actions ---------------------------------------------------------------------------
    async def balance(
        self,
        *,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Balance:
        """The account's points balance and per-model free quota (:class:`Balance`); the
        extras as in :meth:`~aireiter.resources.tasks.AsyncTasks.balance`."""
        balance = await self.tasks.balance(
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        self._reached_api = True
        return balance

    def tracker(self, **options: Any) -> TaskTracker:
        """A :class:`~aireiter.TaskTracker` for many tasks at once, bound to this client.

        Use it as ``async with client.tracker(max_in_flight=500) as tracker: ...``; the
        options are those of :class:`~aireiter.TaskTracker`.
        """
        from .tracker import TaskTracker

        return TaskTracker(self, **options)

    # -- lifecycle -------------------------------------------------------------------------
    async def close(self) -> None:
        """Close the connection pool (and the OpenAI adapter, if it was used). Safe to call
        more than once; the client cannot be used afterwards. A copy made by
        :meth:`with_options` closes nothing: the pool is its origin's."""
        await self.aclose()

    async def aclose(self) -> None:
        """The same as :meth:`close` (the name ``contextlib.aclosing`` looks for)."""
        if self._origin is not None:
            return  # a copy: the pool and the adapter are the origin's
        openai_client, self._openai_client = self._openai_client, None
        try:
            if openai_client is not None:
                await openai_client.close()
        finally:
            await self._transport.aclose()

    async def __aenter__(self) -> AsyncAIReiter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
