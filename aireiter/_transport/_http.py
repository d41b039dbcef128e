"""The HTTP transport: one lazily created ``aiohttp.ClientSession`` per client and event loop.

It wraps the session (never subclasses it), adds auth and the User-Agent, decodes envelopes,
maps failures to typed errors and retries what is safe to retry. It knows nothing of tasks,
models or chat: resources above it pass a method, a path and a JSON body.

Retries: connection errors, 408, 409, 429 and 5xx are retried up to ``max_retries`` times with
exponential backoff and full jitter (``_retry.py``), honouring ``Retry-After``. A request marked
``idempotent=False`` (a submit) is retried only when it certainly did not take effect: a 429,
or a connection that failed before the request was sent. Every other failure is raised so the
caller can check (query by ``out_task_id``) before it repeats the request. Each retry is logged
at INFO with a :class:`~._logging.RetryNotice` attached (the CLI prints those).

Timeouts (:class:`~._config.Timeout`): ``total`` is one deadline for the whole call, every
attempt and every wait included; each attempt runs under one timer (the smaller of ``read`` and
the time left), plus aiohttp's connect limit when it opens a connection. No per-read timer runs
on a plain request (a stream keeps its per-chunk limit).

Event loops: a session belongs to the loop it was made in. A client used from another loop (a
second ``asyncio.run``, a loop in another thread) gets a session of its own for that loop; the
session of a loop is closed when that loop shuts down (``asyncio.run`` and ``asyncio.Runner``
finalise it through the loop's async-generator shutdown) or by :meth:`HTTPTransport.aclose`.

Secrets: no error this module raises holds the key, in its text or its ``__cause__`` chain; an
aiohttp exception whose text would show it (a ``ClientResponseError`` repr lists the request's
headers) is replaced by a redacted stand-in, and errors are raised outside the ``except``
block so the original is not kept as ``__context__`` either.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import platform
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from typing import Any

import aiohttp
import attrs
import yarl
from multidict import istr

from .. import _timing
from .._constants import REQUEST_ID_HEADERS
from .._exceptions import (
    AIReiterError,
    APIConnectionError,
    APIStatusError,
    ClientClosedError,
    RateLimitError,
    ResponseTooLargeError,
)
from .._types import NOT_GIVEN, NotGiven, NotGivenOr
from .._version import __version__
from ._config import ClientConfig, Timeout, redact_key, resolve_timeout
from ._deadlines import Deadlines
from ._envelope import decode_json_body, error_message_from_body, make_status_error, unwrap_envelope
from ._errors import connection_error
from ._logging import RETRY_RECORD_ATTRIBUTE, RetryNotice, logger
from ._redact import redact, sanitize_exception
from ._retry import calculate_retry_delay, parse_retry_after, should_retry_status
from ._session import call_headers, close_session, open_session

__all__ = ["USER_AGENT", "APIResponse", "HTTPTransport", "request_id_of"]

USER_AGENT = (
    f"aireiter-python/{__version__} "
    f"(Python {platform.python_version()}; aiohttp {aiohttp.__version__})"
)

_NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)
_DECODE_ERRORS = (ValueError, UnicodeDecodeError, RecursionError, MemoryError)
_UNREADABLE: Any = object()
_CONTENT_LENGTH = istr("Content-Length")
_CONTENT_ENCODING = istr("Content-Encoding")
_CHUNK = 1 << 16
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


class APIResponse:
    """A successful answer: the envelope's ``data`` (or the whole JSON for non-envelope
    routes), the HTTP status, the headers and the request id (read from the headers when
    first asked for). A plain slotted value: it is made for every answer."""

    __slots__ = ("_request_id", "body", "data", "headers", "http_status")

    def __init__(
        self,
        data: Any,
        body: Any,
        http_status: int,
        headers: Mapping[str, str],
        request_id: str | NotGiven | None = NOT_GIVEN,
    ) -> None:
        self.data = data
        self.body = body
        self.http_status = http_status
        self.headers = headers
        self._request_id = request_id

    @property
    def request_id(self) -> str | None:
        """The request id the answer's headers carry, if any."""
        request_id = self._request_id
        if request_id is NOT_GIVEN:
            request_id = self._request_id = request_id_of(self.headers)
        return request_id

    def __repr__(self) -> str:
        return (
            f"APIResponse(data={self.data!r}, http_status={self.http_status}, "
            f"request_id={self.request_id!r})"
        )


_REQUEST_ID_KEYS = tuple(istr(name) for name in REQUEST_ID_HEADERS)  # case-folded once


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The request id an answer's headers carry (the first of ``REQUEST_ID_HEADERS``),
    redacted: a proxy or a login page may echo the key in any header, and the id ends up in
    errors, logs and every ``Task``."""
    get = headers.get
    for name in _REQUEST_ID_KEYS:
        value = get(name)
        if value:
            return redact(value)
    return None


def _host_of(base_url: str) -> str:
    url = yarl.URL(base_url)
    host = url.host or "?"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{url.port}" if url.port is not None else host


@attrs.frozen
class _Plan:
    """A call's timeouts, resolved once: the call's deadline (``total``), each attempt's limit
    (``attempt_s``: the smaller of ``read`` and ``total``, kept by the loop's
    :class:`~._deadlines.Deadlines`), and what aiohttp itself enforces (``attempt``: the
    connect limit only, so aiohttp arms no timer of its own per request)."""

    total: float | None
    attempt_s: float | None
    attempt: aiohttp.ClientTimeout

    @classmethod
    def of(cls, timeout: Timeout) -> _Plan:
        return cls(
            timeout.total,
            _smaller(timeout.read, timeout.total),
            aiohttp.ClientTimeout(total=None, sock_connect=timeout.connect),
        )

    def for_remaining(self, remaining: float) -> float:
        """The attempt's limit when only ``remaining`` seconds of the call are left."""
        if self.attempt_s is not None and self.attempt_s <= remaining:
            return self.attempt_s
        return max(remaining, 0.001)


def _smaller(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


class _Binding:
    """One session and the event loop it belongs to. ``finaliser`` is an async generator the
    loop knows about: when the loop shuts down it closes the session."""

    __slots__ = ("deadlines", "disposed", "finaliser", "loop", "session")

    def __init__(self, loop: asyncio.AbstractEventLoop, session: aiohttp.ClientSession) -> None:
        self.loop = loop
        self.session = session
        self.deadlines = Deadlines(loop)
        self.disposed = False
        self.finaliser = _close_at_loop_shutdown(self)
        with suppress(StopIteration):  # runs to its ``yield``; the loop now tracks it
            self.finaliser.asend(None).send(None)

    async def close(self) -> None:
        """Close the session (in its own loop) and retire the finaliser."""
        if not self.disposed:
            self.disposed = True
            await close_session(self.session)
        self.retire()

    def retire(self) -> None:
        """Mark the binding done and end the finaliser without running anything."""
        self.disposed = True
        if not self.loop.is_closed():
            self.deadlines.close()
        closer = self.finaliser.aclose()
        try:
            closer.send(None)
        except (StopIteration, RuntimeError):
            pass
        else:  # pragma: no cover - the finaliser never awaits once disposed
            closer.close()


async def _close_at_loop_shutdown(binding: _Binding) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        if not binding.disposed:
            binding.disposed = True
            binding.deadlines.close()
            await close_session(binding.session)


class HTTPTransport:
    """Sends requests for one client. Create it anywhere; a session is made on first use,
    inside the running event loop, and closed by :meth:`aclose`."""

    def __init__(self, config: ClientConfig) -> None:
        self._config = config
        self._base_url = config.base_url
        self._safe_base_url = redact(config.base_url)
        self._host = _host_of(config.base_url)
        self._plan = _Plan.of(config.timeout)
        self._max_bytes = config.max_response_bytes
        self._max_retries = config.max_retries
        self._state = _State.UNOPENED
        self._lock = threading.Lock()
        self._bindings: dict[asyncio.AbstractEventLoop, _Binding] = {}
        self._current: _Binding | None = None
        self._headers = {
            "Authorization": f"Bearer {config.api_key}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            # Every body this client sends is JSON; on a GET the header is simply unused. Set
            # once here, so a request with no headers of its own merges nothing.
            "Content-Type": "application/json",
            **config.default_headers,
        }
        # What the session does not send by itself (it goes through a proxy, or it is the
        # caller's): sent with each request. None for the usual direct session.
        self._call_headers = call_headers(config, self._headers)

    @property
    def config(self) -> ClientConfig:
        """The settings this transport was made with."""
        return self._config

    @property
    def host(self) -> str:
        """``host:port`` of the API, as errors name it."""
        return self._host

    @property
    def is_closed(self) -> bool:
        """True once :meth:`aclose` ran."""
        return self._state is _State.CLOSED

    @property
    def _session(self) -> aiohttp.ClientSession | None:
        """The session of the loop used last (``None`` before the first request)."""
        binding = self._current
        return None if binding is None or binding.disposed else binding.session

    def __repr__(self) -> str:
        return (
            f"HTTPTransport(base_url={self._safe_base_url!r}, "
            f"api_key={redact_key(self._config.api_key)!r}, state={self._state.value})"
        )

    # -- sessions --------------------------------------------------------------------------
    def _get_session(self) -> aiohttp.ClientSession:
        binding = self._current
        if (
            binding is not None
            and binding.loop is asyncio.get_running_loop()
            and not binding.disposed
        ):
            return binding.session
        return self._bind(asyncio.get_running_loop())

    def _bind(self, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
        with self._lock:
            if self._state is _State.CLOSED:
                raise ClientClosedError("This aireiter client is closed; create a new one.")
            for old_loop, old in list(self._bindings.items()):
                if old.disposed or old_loop.is_closed():
                    del self._bindings[old_loop]
                    old.retire()
            binding = self._bindings.get(loop)
            if binding is None:
                binding = _Binding(loop, self._new_session())
                self._bindings[loop] = binding
            self._current = binding
            self._state = _State.OPENED
            return binding.session

    def _new_session(self) -> aiohttp.ClientSession:
        # Pool size, TLS, proxy, or the caller's own session: see ``_session.py``.
        return open_session(self._config, self._headers, self._plan.attempt)

    async def aclose(self) -> None:
        """Close every session this client opened. Safe to call more than once.

        The session of the running loop is closed here; one of a loop still running in another
        thread is closed in that loop (waited for up to 5 s); one of a loop already closed
        needs nothing more.
        """
        with self._lock:
            self._state = _State.CLOSED
            bindings = list(self._bindings.values())
            self._bindings.clear()
            self._current = None
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for binding in bindings:
            if binding.loop is running:
                await binding.close()
            elif binding.loop.is_closed() or binding.disposed:
                binding.retire()
            elif binding.loop.is_running():
                future = asyncio.run_coroutine_threadsafe(binding.close(), binding.loop)
                with suppress(Exception):
                    await asyncio.wait_for(asyncio.wrap_future(future), 5.0)
            # else: a loop that is stopped but not closed closes it when it shuts down.

    def url(self, path: str) -> str:
        """The absolute URL of an API path."""
        return self._base_url + path

    # -- requests --------------------------------------------------------------------------
    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
        idempotent: bool = True,
        envelope: bool = True,
        out_task_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str | int | float] | None = None,
    ) -> APIResponse:
        """Send a request, retrying per the policy above; the decoded answer or a typed error.

        ``envelope=False`` returns the whole JSON body as ``data`` (routes without the
        ``{statusCode, message, data}`` envelope). ``content`` is a body already encoded as
        JSON (it wins over ``json_body``). ``timeout`` replaces the client's for this call.
        ``headers`` are added to the client's (a name given here wins); ``query`` is added to
        the URL's query string.
        """
        # The hot path of every call is written out here, in one coroutine: the common case
        # (a pooled session, a small announced answer, a 2xx envelope with an integer
        # statusCode) runs inline; anything else goes to the general functions below.
        retries = self._max_retries if max_retries is NOT_GIVEN else max_retries
        plan = self._plan if timeout is NOT_GIVEN else _Plan.of(resolve_timeout(timeout))
        data = content
        if data is None and json_body is not None:
            data = json.dumps(json_body).encode()
        if self._call_headers is not None:  # headers the session does not send by itself
            headers = self._call_headers if not headers else {**self._call_headers, **headers}
        url = self._base_url + path
        total = plan.total
        call_started = 0.0 if total is None else time.monotonic()
        limit = plan.attempt_s  # this attempt's limit, cut to the call's deadline
        attempt = 0
        while True:
            binding = self._current
            if (
                binding is None
                or binding.disposed
                or binding.loop is not asyncio.get_running_loop()
            ):
                self._bind(asyncio.get_running_loop())
                binding = self._current
                assert binding is not None
            debug = logger.isEnabledFor(logging.DEBUG)
            started = time.perf_counter() if debug else 0.0
            failure: BaseException | None = None
            error: AIReiterError | None = None
            deadline = None if limit is None else binding.deadlines.arm(limit)
            try:
                # Awaited and released by hand rather than through ``async with``: the same
                # work, without the five coroutines aiohttp's context managers add per request.
                response = await binding.session.request(
                    method,
                    url,
                    data=data,
                    headers=headers,
                    params=query,
                    timeout=plan.attempt,
                    allow_redirects=False,
                )
                try:
                    status = response.status
                    response_headers = response.headers
                    length = response_headers.get(_CONTENT_LENGTH)
                    if (
                        length is not None
                        and length.isdigit()
                        and int(length) <= self._max_bytes
                        and _CONTENT_ENCODING not in response_headers
                    ):
                        body = await response.read()  # a small, announced, plain body
                    else:
                        body = await self._read_body(response, method, path, out_task_id)
                finally:
                    response.release()
            except _NETWORK_ERRORS as exc:
                failure = exc
            except ResponseTooLargeError as exc:
                error = exc
            except asyncio.CancelledError:
                if deadline is None or not binding.deadlines.withdraw(deadline):
                    raise  # a cancellation of the caller's (or of both): never swallowed
                failure = asyncio.TimeoutError()  # this attempt's deadline cancelled it
            finally:
                if deadline is not None:
                    binding.deadlines.end(deadline)
            # Errors are raised below, outside any ``except``: no __context__ to leak.
            if failure is not None:
                error = self._failed(failure, method, path, limit, out_task_id, started)
            elif error is None:
                if debug:
                    self._log_answer(method, path, status, response_headers, started)
                if status < 300:
                    try:
                        decoded = json.loads(body)
                    except _DECODE_ERRORS:
                        decoded = _UNREADABLE
                    if type(decoded) is dict and envelope:
                        code = decoded.get("statusCode")
                        if type(code) is int and 200 <= code < 300:
                            return APIResponse(
                                decoded.get("data"), decoded, status, response_headers
                            )
                try:
                    if status >= 300:
                        raise self._http_error(
                            status,
                            body,
                            response_headers,
                            request_id_of(response_headers),
                            method,
                            path,
                            out_task_id,
                        )
                    return self._answer(
                        status, response_headers, body, decoded, envelope, method, path, out_task_id
                    )
                except AIReiterError as exc:
                    error = exc
            assert error is not None  # every path above returned or set it
            if attempt >= retries or not self._may_retry(error, idempotent=idempotent):
                raise error
            attempt += 1
            delay = calculate_retry_delay(
                attempt,
                retry_after=error.retry_after if isinstance(error, APIStatusError) else None,
            )
            if total is not None:
                remaining = total - (time.monotonic() - call_started) - delay
                if remaining <= 0:
                    raise error  # no time left for another attempt: the call's deadline rules
                limit = plan.for_remaining(remaining)
            self._log_retry(method, path, delay, attempt, retries, error)
            await _timing.sleep(delay)

    @staticmethod
    def _may_retry(error: AIReiterError, *, idempotent: bool) -> bool:
        if isinstance(error, APIConnectionError):
            return idempotent or not error.request_sent
        if isinstance(error, APIStatusError):
            if not should_retry_status(error.status_code):
                return False
            return idempotent or isinstance(error, RateLimitError)
        return False

    @staticmethod
    def _log_retry(
        method: str, path: str, delay: float, retry: int, retries: int, error: AIReiterError
    ) -> None:
        if isinstance(error, APIStatusError):
            reason = f"HTTP {error.status_code} {type(error).__name__}"
        elif isinstance(error, APIConnectionError):
            reason = f"{error.kind or 'connection error'} ({type(error).__name__})"
        else:
            reason = type(error).__name__
        notice = RetryNotice(
            method=method,
            path=path,
            delay_s=delay,
            retry=retry,
            max_retries=retries,
            reason=reason,
        )
        logger.info(
            "retrying in %.1f s after %s (retry %d of %d): %s %s",
            delay,
            reason,
            retry,
            retries,
            method,
            path,
            extra={RETRY_RECORD_ATTRIBUTE: notice},
        )

    def _log_answer(
        self,
        method: str,
        path: str,
        status: int,
        headers: Mapping[str, str],
        started: float,
    ) -> None:
        logger.debug(
            "%s %s -> HTTP %d in %.3f s (request_id=%s)",
            method,
            self._safe_base_url + path,
            status,
            time.perf_counter() - started,
            request_id_of(headers),
        )

    def _answer(
        self,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        decoded: Any,
        envelope: bool,
        method: str,
        path: str,
        out_task_id: str | None,
    ) -> APIResponse:
        """A 2xx answer off the fast path: not JSON, not an envelope, an envelope whose
        statusCode is not a plain 2xx integer (an error, or ``"200"``)."""
        url = self._safe_base_url + path
        if decoded is _UNREADABLE:
            decoded = decode_json_body(  # not JSON: this raises the typed error
                body,
                http_status=status,
                content_type=headers.get("Content-Type"),
                request_id=request_id_of(headers),
                method=method,
                url=url,
                out_task_id=out_task_id,
            )
        if not envelope:
            return APIResponse(decoded, decoded, status, headers)
        try:
            payload = unwrap_envelope(
                decoded,
                http_status=status,
                request_id=request_id_of(headers),
                method=method,
                url=url,
                out_task_id=out_task_id,
            )
        except APIStatusError as error:
            error.retry_after = parse_retry_after(headers)
            raise
        return APIResponse(payload, decoded, status, headers)

    def _failed(
        self,
        failure: BaseException,
        method: str,
        path: str,
        limit: float | None,
        out_task_id: str | None,
        started: float,
    ) -> APIConnectionError:
        """The typed error for a failed attempt, with a sanitised cause."""
        error = connection_error(
            failure,
            method=method,
            url=self._safe_base_url + path,
            host=self._host,
            out_task_id=out_task_id,
            timeout_s=limit,
        )
        if started:
            logger.debug("%s failed after %.3f s", error, time.perf_counter() - started)
        else:
            logger.debug("%s failed", error)
        error.__cause__ = sanitize_exception(failure)
        error.__suppress_context__ = True
        return error

    async def _read_body(
        self,
        response: aiohttp.ClientResponse,
        method: str,
        path: str,
        out_task_id: str | None,
    ) -> bytes:
        """The whole body, or :class:`ResponseTooLargeError` past ``max_response_bytes``."""
        limit = self._max_bytes
        length = response.content_length
        if length is not None and length <= limit and "Content-Encoding" not in response.headers:
            return await response.read()  # the common case: a small, announced, plain body
        if length is not None and length > limit:
            raise self._too_large(response, method, path, out_task_id, length)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise self._too_large(response, method, path, out_task_id, None)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(
        self,
        response: aiohttp.ClientResponse,
        method: str,
        path: str,
        out_task_id: str | None,
        size: int | None,
    ) -> ResponseTooLargeError:
        announced = f" ({size} bytes)" if size is not None else ""
        content_type = response.headers.get("Content-Type")
        return ResponseTooLargeError(
            f"The answer to {method} {path}{announced} is larger than max_response_bytes="
            f"{self._max_bytes}; it was not read. Raise the limit with "
            "AsyncAIReiter(max_response_bytes=...) if the answer is expected to be this large.",
            status_code=response.status,
            limit=self._max_bytes,
            size=size,
            content_type=None if content_type is None else content_type.split(";", 1)[0],
            request_id=request_id_of(response.headers),
            method=method,
            url=self._safe_base_url + path,
            out_task_id=out_task_id,
        )

    def _http_error(
        self,
        status: int,
        body: bytes,
        headers: Mapping[str, str],
        request_id: str | None,
        method: str,
        path: str,
        out_task_id: str | None,
    ) -> APIStatusError:
        try:
            decoded: Any = json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            decoded = body[:200].decode("utf-8", errors="replace")
        message = error_message_from_body(decoded) or f"HTTP {status}"
        if status in _REDIRECTS:
            location = redact(headers.get("Location", "?"))
            message = (
                f"HTTP {status} redirect to {location}: the API does not redirect, so base_url "
                f"({self._safe_base_url}) is likely wrong (expected e.g. https://aireiter.com)"
            )
        return make_status_error(
            status,
            message,
            http_status=status,
            request_id=request_id,
            body=decoded,
            method=method,
            url=self._safe_base_url + path,
            out_task_id=out_task_id,
            retry_after=parse_retry_after(headers),
        )

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str | int | float] | None = None,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """Open a streaming request; yields the live response once its status is 2xx.

        An error status is read and raised as a typed error before anything is yielded.
        Leaving the block (normally, by an exception, or by cancellation) releases the
        connection. Streams are not retried: the caller sees every failure.
        """
        session = self._get_session()
        url = self._base_url + path
        safe_url = self._safe_base_url + path
        request_headers = {**(self._call_headers or {}), "Accept": "text/event-stream"}
        if json_body is not None:
            request_headers["Content-Type"] = "application/json"
        if headers:
            request_headers.update(headers)
        stream_timeout = _stream_timeout(
            self._config.timeout if isinstance(timeout, NotGiven) else resolve_timeout(timeout)
        )
        failure: BaseException | None = None
        try:
            response = await session.request(
                method,
                url,
                data=None if json_body is None else json.dumps(json_body).encode(),
                headers=request_headers,
                params=query,
                timeout=stream_timeout,
                allow_redirects=False,
            )
        except _NETWORK_ERRORS as exc:
            failure = exc
        if failure is not None:
            raise connection_error(
                failure, method=method, url=safe_url, host=self._host, out_task_id=None
            ) from sanitize_exception(failure)
        try:
            if response.status >= 300:
                body = await self._read_body(response, method, path, None)
                raise self._http_error(
                    response.status,
                    body,
                    response.headers,
                    request_id_of(response.headers),
                    method,
                    path,
                    None,
                )
            try:
                yield response
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                failure = exc
            if failure is not None:
                raise connection_error(
                    failure, method=method, url=safe_url, host=self._host, out_task_id=None
                ) from sanitize_exception(failure)
        finally:
            response.close()


def _stream_timeout(timeout: Timeout) -> aiohttp.ClientTimeout:
    # A stream may legitimately last long: only connect and per-read limits apply.
    return aiohttp.ClientTimeout(total=None, sock_connect=timeout.connect, sock_read=timeout.read)
