"""Drop-in OpenAI clients for AIReiter: change one import, keep every line of openai code.

>>> from aireiter.openai import AsyncOpenAI          # was: from openai import AsyncOpenAI
>>> client = AsyncOpenAI()                           # doctest: +SKIP
>>> await client.chat.completions.create(model="gpt-4o-mini", messages=[...])  # doctest: +SKIP

:class:`AsyncOpenAI` and :class:`OpenAI` subclass ``openai.AsyncOpenAI`` and ``openai.OpenAI``
and change only where they point and which key they send:

- ``base_url``: the argument, else ``AIREITER_BASE_URL``, else ``https://aireiter.com``; a bare
  host (or ``.../api``) gets AIReiter's OpenAI-compatible path ``/api/v1`` appended, any other
  URL is used as given. ``OPENAI_BASE_URL`` is never read.
- ``api_key``: the argument, else ``AIREITER_API_KEY``, else :class:`openai.OpenAIError`.
  ``OPENAI_API_KEY`` is deliberately *not* a fallback: it is a secret for api.openai.com and
  must never be sent to another host.
- HTTP backend (async only): aiohttp (openai's ``DefaultAioHttpClient``) by default, because it
  costs 16-24 % less client CPU per request in ``benchmarks/chat_backends.py``;
  ``http_backend="httpx"`` selects openai's own default, and an explicit ``http_client=``
  always wins. Close the client (``async with`` or ``await client.close()``): like any aiohttp
  session, one left open is reported as unclosed when the program exits.

Everything else (``chat.completions``, ``responses``, streaming, tools, ``parse``,
``with_raw_response``, ``with_options``, errors, retries) is the official client's own code.
Other ``OPENAI_*`` variables the official client reads (organization, project, custom
headers) keep their official meaning.

The adapter behind :class:`~aireiter.AsyncAIReiter`'s ``chat`` / ``responses`` / ``openai``
(and :class:`~aireiter.AIReiter`'s) is a private subclass that differs in these ways: its
failures, while a stream is read too, are aireiter errors (``aireiter._openai_errors``); a 2xx
answer that is not the API's JSON (an HTML page) is refused with an error that says the base
URL looks wrong, an AIReiter envelope with a failing ``statusCode`` in HTTP 200 raises the
error it names, and JSON that is no chat completion / response is refused; answers are not
read past the client's ``max_response_bytes``; and the client's ``timeout.total`` (or a call's
``timeout=`` number) bounds a whole call that is not a stream, retries included (the blocking
client: the reading of an answer's body). The drop-in classes here keep openai's errors and
behaviour.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, cast
from urllib.parse import urlsplit

import anyio
import httpx2
import openai
from openai import NOT_GIVEN as _OPENAI_NOT_GIVEN
from openai import NotGiven as _OpenAINotGiven

from ._constants import DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, OPENAI_COMPAT_PATH
from ._exceptions import ParamError
from ._openai_errors import (
    CALL_DEADLINE,
    async_answer_check,
    request_url,
    sync_answer_check,
    translate_for,
)
from ._transport._config import normalize_base_url
from ._transport._session import httpx_options

if TYPE_CHECKING:
    from ._transport import ClientConfig, Timeout

__all__ = [
    "DEFAULT_HTTP_BACKEND",
    "AsyncOpenAI",
    "HTTPBackend",
    "OpenAI",
    "make_async_http_client",
    "resolve_base_url",
]

HTTPBackend = Literal["aiohttp", "httpx"]
"""Which HTTP library carries the async client's requests."""

DEFAULT_HTTP_BACKEND: Final[HTTPBackend] = "aiohttp"  # cheaper per request: see the benchmark
_MAX_KEEPALIVE_FRACTION: Final = 5  # keep-alive pool = max_connections / this (httpx's ratio)
_BACKENDS: Final = "'aiohttp', 'httpx'"

_MISSING_KEY: Final = (
    "No AIReiter API key: pass api_key=... or set the AIREITER_API_KEY environment variable. "
    "OPENAI_API_KEY is deliberately not used: it belongs to api.openai.com and is never "
    "sent to AIReiter."
)


def resolve_base_url(base_url: str | httpx2.URL | None = None) -> str | httpx2.URL:
    """The OpenAI-compatible base URL for ``base_url`` (or ``AIREITER_BASE_URL``, or the
    default host).

    ``https://aireiter.com``, ``https://aireiter.com/api`` and ``https://aireiter.com/api/v1``
    all become ``https://aireiter.com/api/v1``; a URL with another path (a proxy's
    ``https://proxy.example/v1``) is kept as given.
    """
    url = base_url if base_url is not None else os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    if isinstance(url, httpx2.URL):
        url = str(url)
    host = normalize_base_url(url)
    if urlsplit(host).path in ("", "/"):
        return host.rstrip("/") + OPENAI_COMPAT_PATH
    return url


def _resolve_key(api_key: Any, options: dict[str, Any]) -> Any:
    if api_key is not None:
        return api_key
    env_key = os.environ.get(ENV_API_KEY)
    if env_key:
        return env_key
    if options.get("workload_identity") is not None or options.get("admin_api_key") is not None:
        return None  # another credential the official client understands
    raise openai.OpenAIError(_MISSING_KEY)


_DATA_RESIDENCY: Final = (
    "data_residency selects one of api.openai.com's regional hosts, which would receive the "
    "AIReiter key; aireiter.openai does not support it. Use openai.OpenAI for api.openai.com."
)


def _refuse_data_residency(options: Mapping[str, Any]) -> None:
    """openai turns ``data_residency`` into an api.openai.com base URL: never with our key."""
    if options.get("data_residency") is not None:
        raise openai.OpenAIError(_DATA_RESIDENCY)


def _base_url_option(base_url: Any) -> str | httpx2.URL:
    if isinstance(base_url, _OpenAINotGiven) or base_url is None:
        return resolve_base_url(None)
    if isinstance(base_url, (str, httpx2.URL)):
        return resolve_base_url(base_url)
    raise ParamError.single(
        "base_url", type(base_url).__name__, "must be a string or an httpx2.URL"
    )


def _aiohttp_usable() -> bool:
    """True when openai's aiohttp backend can be built (its vendored module imports)."""
    try:
        from openai._vendor.httpx_aiohttp import Httpx2AiohttpClient  # noqa: F401
    except ImportError:
        return False
    return True


def make_async_http_client(
    backend: HTTPBackend = DEFAULT_HTTP_BACKEND,
    *,
    timeout: httpx2.Timeout | float | _OpenAINotGiven | None = _OPENAI_NOT_GIVEN,
    max_connections: int | None = None,
    event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
    network: Mapping[str, Any] | None = None,
) -> httpx2.AsyncClient | None:
    """An ``http_client`` for :class:`AsyncOpenAI` on ``backend``, with openai's defaults.

    ``None`` means "openai's own default client" (httpx with its connection limits); aiohttp
    falls back to it when it is not usable. ``event_hooks`` are httpx's; ``network`` holds
    httpx's ``proxy``, ``verify`` and ``trust_env`` options.
    """
    if backend not in ("aiohttp", "httpx"):
        raise ParamError.single("http_backend", backend, "is not a backend", allowed=_BACKENDS)
    options: dict[str, Any] = {}
    if not isinstance(timeout, _OpenAINotGiven):
        options["timeout"] = timeout
    if max_connections is not None:
        options["limits"] = _limits(max_connections)
    if event_hooks:
        options["event_hooks"] = dict(event_hooks)
    options.update(network or {})
    if backend == "aiohttp" and _aiohttp_usable():
        return openai.DefaultAioHttpClient(**options)
    return openai.DefaultAsyncHttpxClient(**options) if options else None


_AsyncT = TypeVar("_AsyncT", bound="AsyncOpenAI")
_SyncT = TypeVar("_SyncT", bound="OpenAI")


class AsyncOpenAI(openai.AsyncOpenAI):
    """``openai.AsyncOpenAI`` pointed at AIReiter (see the module docstring for the defaults).

    Every argument of ``openai.AsyncOpenAI`` is accepted and means the same; ``http_backend``
    (``"aiohttp"`` or ``"httpx"``) picks the HTTP library when no ``http_client`` is given.
    """

    def __init__(
        self,
        *,
        api_key: str | Callable[[], Awaitable[str]] | None = None,
        base_url: str | httpx2.URL | _OpenAINotGiven | None = _OPENAI_NOT_GIVEN,
        timeout: float | httpx2.Timeout | _OpenAINotGiven | None = _OPENAI_NOT_GIVEN,
        max_retries: int = openai.DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx2.AsyncClient | None = None,
        http_backend: HTTPBackend = DEFAULT_HTTP_BACKEND,
        **options: Any,
    ) -> None:
        if options.get("provider") is not None:  # a provider owns auth and routing
            super().__init__(
                timeout=timeout,
                max_retries=max_retries,
                default_headers=default_headers,
                http_client=http_client,
                **options,
            )
            return
        _refuse_data_residency(options)
        api_key = _resolve_key(api_key, options)
        if http_client is None:
            http_client = make_async_http_client(http_backend, timeout=timeout)
        super().__init__(
            api_key=api_key,
            base_url=_base_url_option(base_url),
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
            **options,
        )

    def copy(self: _AsyncT, *args: Any, **options: Any) -> _AsyncT:
        """openai's ``copy`` / ``with_options``, refusing ``data_residency`` (it would point
        this client, key included, at api.openai.com)."""
        _refuse_data_residency(options)
        return super().copy(*args, **options)

    with_options = copy


class OpenAI(openai.OpenAI):
    """``openai.OpenAI`` (blocking) pointed at AIReiter; same defaults as :class:`AsyncOpenAI`
    except the HTTP backend, which is always openai's own (httpx)."""

    def __init__(
        self,
        *,
        api_key: str | Callable[[], str] | None = None,
        base_url: str | httpx2.URL | _OpenAINotGiven | None = _OPENAI_NOT_GIVEN,
        **options: Any,
    ) -> None:
        if options.get("provider") is not None:
            super().__init__(**options)
            return
        _refuse_data_residency(options)
        super().__init__(
            api_key=_resolve_key(api_key, options), base_url=_base_url_option(base_url), **options
        )

    def copy(self: _SyncT, *args: Any, **options: Any) -> _SyncT:
        """openai's ``copy`` / ``with_options``, refusing ``data_residency`` (it would point
        this client, key included, at api.openai.com)."""
        _refuse_data_residency(options)
        return super().copy(*args, **options)

    with_options = copy


_ClientT = TypeVar("_ClientT", AsyncOpenAI, OpenAI)


class _CallTimeout(httpx2.Timeout):
    """httpx's timeouts of an :class:`~aireiter.Timeout`, keeping its ``total``: httpx has no
    whole-request deadline, so the adapter's ``request`` enforces it (``total`` also bounds
    each write and pool wait)."""

    total: float | None = None


def _httpx_timeout(timeout: Timeout) -> httpx2.Timeout:
    converted = _CallTimeout(timeout.total, connect=timeout.connect, read=timeout.read)
    converted.total = timeout.total
    return converted


def _call_total(client: openai.AsyncOpenAI | openai.OpenAI, options: Any) -> float | None:
    """The whole-call deadline, in seconds, of a request: the call's ``timeout=`` when it is a
    number, else the adapter's ``total``; ``None`` for none (an ``httpx.Timeout`` given to a
    call keeps httpx's per-phase meaning only)."""
    timeout = client.timeout if isinstance(options.timeout, _OpenAINotGiven) else options.timeout
    if isinstance(timeout, _CallTimeout):
        return timeout.total
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return float(timeout)
    return None


def _from_config(cls: type[_ClientT], config: ClientConfig) -> _ClientT:
    """The adapter of an :class:`~aireiter.AsyncAIReiter` (``cls`` :class:`AsyncOpenAI`) or
    :class:`~aireiter.AIReiter` (``cls`` :class:`OpenAI`), built from its config: the same
    key, host, timeouts, retries, pool size and extra headers. Unlike the drop-in classes it
    raises aireiter errors, and refuses an answer that is not the API's (an HTML page)."""
    timeout = _httpx_timeout(config.timeout)
    network = httpx_options(config)  # the proxy, TLS and trust_env settings of the client
    common: dict[str, Any] = {
        "api_key": config.api_key,
        "base_url": config.base_url + OPENAI_COMPAT_PATH,
        "timeout": timeout,
        "max_retries": config.max_retries,
        "default_headers": dict(config.default_headers) or None,
    }
    if issubclass(cls, AsyncOpenAI):
        check = async_answer_check(config.base_url, max_bytes=config.max_response_bytes)
        http_client = make_async_http_client(
            timeout=timeout,
            max_connections=config.max_connections,
            event_hooks={"response": [check]},
            network=network,
        )
        return cast("_ClientT", _AIReiterAsyncOpenAI(http_client=http_client, **common))
    sync_check = sync_answer_check(config.base_url, max_bytes=config.max_response_bytes)
    sync_http_client = openai.DefaultHttpxClient(
        timeout=timeout,
        limits=_limits(config.max_connections),
        event_hooks={"response": [sync_check]},
        **network,
    )
    return cast("_ClientT", _AIReiterOpenAI(http_client=sync_http_client, **common))


# -- the AIReiter clients' adapter: aireiter errors ------------------------------------------
_T = TypeVar("_T")


class _TranslatingAsyncStream(openai.AsyncStream[_T]):
    """An openai stream whose failures while it is read are aireiter errors."""

    async def __stream__(self) -> AsyncIterator[_T]:
        error: BaseException
        try:
            async for item in super().__stream__():
                yield item
            return
        except Exception as exc:
            request = self.response.request
            error = translate_for(
                self._client,
                exc,
                method=request.method,
                url=str(request.url),
                response=self.response,
            )
            if error is exc:
                raise
        raise error  # outside the except block: the original is the cause, not the context


class _TranslatingStream(openai.Stream[_T]):
    """The blocking twin of :class:`_TranslatingAsyncStream`."""

    def __stream__(self) -> Iterator[_T]:
        error: BaseException
        try:
            yield from super().__stream__()
            return
        except Exception as exc:
            request = self.response.request
            error = translate_for(
                self._client,
                exc,
                method=request.method,
                url=str(request.url),
                response=self.response,
            )
            if error is exc:
                raise
        raise error


@functools.cache
def _translating_stream_class(stream_cls: Any) -> Any:
    """``AsyncStream[Chunk]`` -> ``_TranslatingAsyncStream[Chunk]`` (and the sync twin); any
    other stream class is kept as it is."""
    args = typing.get_args(stream_cls)
    origin = typing.get_origin(stream_cls)
    if len(args) != 1:
        return stream_cls
    if origin is openai.AsyncStream:
        return _TranslatingAsyncStream[args[0]]  # type: ignore[valid-type]
    if origin is openai.Stream:
        return _TranslatingStream[args[0]]  # type: ignore[valid-type]
    return stream_cls


class _AIReiterAsyncOpenAI(AsyncOpenAI):
    """:class:`AsyncOpenAI` as :class:`~aireiter.AsyncAIReiter` uses it (``client.chat``,
    ``client.responses``, ``client.openai``): every failure, while streaming too, is an
    aireiter error (the openai one as its ``__cause__``)."""

    _default_stream_cls = _TranslatingAsyncStream

    @property
    def user_agent(self) -> str:
        """openai's User-Agent, naming the public class (as before the subclass)."""
        return f"AsyncOpenAI/Python {self._version}"

    async def request(
        self, cast_to: Any, options: Any, *, stream: bool = False, stream_cls: Any = None
    ) -> Any:
        """openai's ``request`` (every call goes through it), failures translated; a call that
        is not a stream ends within its whole-call deadline (:func:`_call_total`)."""
        if stream_cls is not None:
            stream_cls = _translating_stream_class(stream_cls)
        total = None if stream else _call_total(self, options)
        error: BaseException
        try:
            with anyio.fail_after(total) if total is not None else contextlib.nullcontext():
                return await super().request(cast_to, options, stream=stream, stream_cls=stream_cls)
        except Exception as exc:
            error = translate_for(self, exc, method=options.method, url=request_url(self, options))
            if error is exc:
                raise
        raise error


class _AIReiterOpenAI(OpenAI):
    """:class:`OpenAI` as :class:`~aireiter.AIReiter` uses it: failures are aireiter errors."""

    _default_stream_cls = _TranslatingStream

    @property
    def user_agent(self) -> str:
        """openai's User-Agent, naming the public class (as before the subclass)."""
        return f"OpenAI/Python {self._version}"

    def request(
        self, cast_to: Any, options: Any, *, stream: bool = False, stream_cls: Any = None
    ) -> Any:
        """openai's ``request`` (every call goes through it), failures translated; the body of
        an answer to a call that is not a stream is not read past its whole-call deadline."""
        if stream_cls is not None:
            stream_cls = _translating_stream_class(stream_cls)
        total = None if stream else _call_total(self, options)
        deadline = CALL_DEADLINE.set(None if total is None else time.monotonic() + total)
        error: BaseException
        try:
            try:
                return super().request(cast_to, options, stream=stream, stream_cls=stream_cls)
            except Exception as exc:
                url = request_url(self, options)
                error = translate_for(self, exc, method=options.method, url=url)
                if error is exc:
                    raise
        finally:
            CALL_DEADLINE.reset(deadline)
        raise error


def _limits(max_connections: int) -> httpx2.Limits:
    """An httpx pool of ``max_connections``, keeping httpx's share of them alive."""
    return httpx2.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max(1, max_connections // _MAX_KEEPALIVE_FRACTION),
    )
