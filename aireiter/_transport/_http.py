"""The HTTP transport: one lazily created ``aiohttp.ClientSession`` per client.

It wraps the session (never subclasses it), adds auth and the User-Agent, decodes envelopes,
maps failures to typed errors and retries what is safe to retry. It knows nothing of tasks,
models or chat: resources above it pass a method, a path and a JSON body.

Retries: connection errors, 408, 409, 429 and 5xx are retried up to ``max_retries`` times with
exponential backoff and full jitter (``_retry.py``), honouring ``Retry-After``. A request marked
``idempotent=False`` (a submit) is retried only when it certainly did not take effect: a 429,
or a connection that failed before the request was sent. Every other failure is raised so the
caller can check (query by ``out_task_id``) before it repeats the request.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import platform
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import attrs

from .. import _timing
from .._constants import REQUEST_ID_HEADERS
from .._exceptions import (
    AIReiterError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
)
from .._types import NOT_GIVEN, NotGiven, NotGivenOr
from .._version import __version__
from ._config import ClientConfig, Timeout, redact_key, resolve_timeout
from ._envelope import decode_json_body, error_message_from_body, make_status_error, unwrap_envelope
from ._retry import calculate_retry_delay, parse_retry_after, should_retry_status

__all__ = ["USER_AGENT", "APIResponse", "HTTPTransport", "request_id_of"]

logger = logging.getLogger("aireiter")

USER_AGENT = (
    f"aireiter-python/{__version__} "
    f"(Python {platform.python_version()}; aiohttp {aiohttp.__version__})"
)


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


@attrs.frozen(kw_only=True)
class APIResponse:
    """A successful answer: the envelope's ``data`` (or the whole JSON for non-envelope
    routes), the HTTP status, the headers and the request id."""

    data: Any
    body: Any = attrs.field(repr=False)
    http_status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    request_id: str | None = None


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The request id an answer's headers carry (the first of ``REQUEST_ID_HEADERS``)."""
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def _connection_error(
    exc: BaseException, *, method: str, url: str, out_task_id: str | None
) -> APIConnectionError:
    """The typed error for an aiohttp/OS failure, with ``request_sent`` set conservatively."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return APITimeoutError(
            "Timed out connecting to the API.",
            method=method,
            url=url,
            request_sent=False,
            out_task_id=out_task_id,
        )
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return APITimeoutError(
            "Timed out waiting for the API's answer.",
            method=method,
            url=url,
            request_sent=True,
            out_task_id=out_task_id,
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        return APIConnectionError(
            f"Could not connect to the API: {exc.os_error or exc}",
            method=method,
            url=url,
            request_sent=False,
            out_task_id=out_task_id,
        )
    return APIConnectionError(
        f"Connection to the API failed: {type(exc).__name__}: {exc}".rstrip(": "),
        method=method,
        url=url,
        request_sent=True,
        out_task_id=out_task_id,
    )


class HTTPTransport:
    """Sends requests for one client. Create it anywhere; the session is made on first use,
    inside the running event loop, and closed by :meth:`aclose`."""

    def __init__(self, config: ClientConfig) -> None:
        self._config = config
        self._session: aiohttp.ClientSession | None = None
        self._state = _State.UNOPENED
        self._headers = {
            "Authorization": f"Bearer {config.api_key}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            # Every body this client sends is JSON; on a GET the header is simply unused. Set
            # once here, so a request with no headers of its own merges nothing.
            "Content-Type": "application/json",
            **config.default_headers,
        }

    @property
    def config(self) -> ClientConfig:
        """The settings this transport was made with."""
        return self._config

    @property
    def is_closed(self) -> bool:
        """True once :meth:`aclose` ran."""
        return self._state is _State.CLOSED

    def __repr__(self) -> str:
        return (
            f"HTTPTransport(base_url={self._config.base_url!r}, "
            f"api_key={redact_key(self._config.api_key)!r}, state={self._state.value})"
        )

    def _get_session(self) -> aiohttp.ClientSession:
        if self._state is _State.CLOSED:
            raise RuntimeError("This aireiter client is closed; create a new one.")
        session = self._session
        if session is None:
            connector = aiohttp.TCPConnector(limit=self._config.max_connections)
            session = aiohttp.ClientSession(
                connector=connector,
                headers=self._headers,
                timeout=self._config.timeout.to_aiohttp(),
                json_serialize=json.dumps,
            )
            # aiohttp silently resends an idempotent request once when a connection drops
            # (its own test client turns this off the same way). Retries are this transport's
            # policy alone, so ``max_retries`` and the retry log stay exact.
            if hasattr(session, "_retry_connection"):
                session._retry_connection = False
            self._session = session
            self._state = _State.OPENED
        return session

    async def aclose(self) -> None:
        """Close the session and its connections. Safe to call more than once."""
        session, self._session = self._session, None
        self._state = _State.CLOSED
        if session is not None and not session.closed:
            await session.close()

    def url(self, path: str) -> str:
        """The absolute URL of an API path."""
        return self._config.base_url + path

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
    ) -> APIResponse:
        """Send a request, retrying per the policy above; the decoded answer or a typed error.

        ``envelope=False`` returns the whole JSON body as ``data`` (routes without the
        ``{statusCode, message, data}`` envelope). ``content`` is a body already encoded as
        JSON (it wins over ``json_body``).
        """
        retries = self._config.max_retries if isinstance(max_retries, NotGiven) else max_retries
        client_timeout = (
            None if isinstance(timeout, NotGiven) else resolve_timeout(timeout).to_aiohttp()
        )
        data = content
        if data is None and json_body is not None:
            data = json.dumps(json_body).encode()
        url = self._config.base_url + path
        attempt = 0
        while True:
            try:
                return await self._send_once(
                    method, url, data, client_timeout, envelope, out_task_id, headers
                )
            except AIReiterError as error:
                retry_after = getattr(error, "retry_after", None)
                if attempt >= retries or not self._may_retry(error, idempotent=idempotent):
                    raise
                attempt += 1
                delay = calculate_retry_delay(attempt, retry_after=retry_after)
                logger.info(
                    "retrying %s %s in %.2f s (retry %d of %d) after %s",
                    method,
                    path,
                    delay,
                    attempt,
                    retries,
                    type(error).__name__,
                )
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

    async def _send_once(
        self,
        method: str,
        url: str,
        data: bytes | None,
        client_timeout: aiohttp.ClientTimeout | None,
        envelope: bool,
        out_task_id: str | None,
        headers: Mapping[str, str] | None,
    ) -> APIResponse:
        session = self._get_session()
        started = time.perf_counter()
        try:
            async with session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=client_timeout if client_timeout is not None else aiohttp.helpers.sentinel,
            ) as response:
                body = await response.read()
                status = response.status
                response_headers = response.headers
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            logger.debug(
                "%s %s failed after %.3f s: %r", method, url, time.perf_counter() - started, exc
            )
            raise _connection_error(exc, method=method, url=url, out_task_id=out_task_id) from exc
        request_id = request_id_of(response_headers)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> HTTP %d in %.3f s (request_id=%s)",
                method,
                url,
                status,
                time.perf_counter() - started,
                request_id,
            )
        if status >= 300:
            raise self._http_error(
                status, body, response_headers, request_id, method, url, out_task_id
            )
        decoded = decode_json_body(
            body,
            http_status=status,
            content_type=response_headers.get("Content-Type"),
            request_id=request_id,
            method=method,
            url=url,
            out_task_id=out_task_id,
        )
        if not envelope:
            return APIResponse(
                data=decoded,
                body=decoded,
                http_status=status,
                headers=response_headers,
                request_id=request_id,
            )
        try:
            payload = unwrap_envelope(
                decoded,
                http_status=status,
                request_id=request_id,
                method=method,
                url=url,
                out_task_id=out_task_id,
            )
        except RateLimitError as error:
            error.retry_after = parse_retry_after(response_headers)
            raise
        return APIResponse(
            data=payload,
            body=decoded,
            http_status=status,
            headers=response_headers,
            request_id=request_id,
        )

    @staticmethod
    def _http_error(
        status: int,
        body: bytes,
        headers: Mapping[str, str],
        request_id: str | None,
        method: str,
        url: str,
        out_task_id: str | None,
    ) -> APIStatusError:
        try:
            decoded: Any = json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError):
            decoded = body[:200].decode("utf-8", errors="replace")
        message = error_message_from_body(decoded) or f"HTTP {status}"
        return make_status_error(
            status,
            message,
            http_status=status,
            request_id=request_id,
            body=decoded,
            method=method,
            url=url,
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
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """Open a streaming request; yields the live response once its status is 2xx.

        An error status is read and raised as a typed error before anything is yielded.
        Leaving the block (normally, by an exception, or by cancellation) releases the
        connection. Streams are not retried: the caller sees every failure.
        """
        session = self._get_session()
        url = self._config.base_url + path
        request_headers = {"Accept": "text/event-stream"}
        if json_body is not None:
            request_headers["Content-Type"] = "application/json"
        if headers:
            request_headers.update(headers)
        client_timeout = (
            aiohttp.helpers.sentinel
            if isinstance(timeout, NotGiven)
            else _stream_timeout(resolve_timeout(timeout))
        )
        try:
            response = await session.request(
                method,
                url,
                data=None if json_body is None else json.dumps(json_body).encode(),
                headers=request_headers,
                timeout=client_timeout,
            )
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise _connection_error(exc, method=method, url=url, out_task_id=None) from exc
        try:
            if response.status >= 300:
                body = await response.read()
                raise self._http_error(
                    response.status,
                    body,
                    response.headers,
                    request_id_of(response.headers),
                    method,
                    url,
                    None,
                )
            yield response
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _connection_error(exc, method=method, url=url, out_task_id=None) from exc
        finally:
            response.close()


def _stream_timeout(timeout: Timeout) -> aiohttp.ClientTimeout:
    # A stream may legitimately last long: only connect and per-read limits apply.
    return aiohttp.ClientTimeout(total=None, sock_connect=timeout.connect, sock_read=timeout.read)
