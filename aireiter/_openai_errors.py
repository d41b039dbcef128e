"""Translating the openai client's failures into aireiter's error tree.

The AIReiter clients' ``chat`` and ``responses`` run on the official openai client, whose
errors (``openai.APIStatusError`` ...) do not derive from :class:`~aireiter.AIReiterError`;
:func:`translate` maps each to the aireiter error of the same meaning, keeping the status,
the server's message and the request id. The original becomes the new error's ``__cause__``
(unless its text holds a secret: then a redacted stand-in does).

Connection failures are named from the real cause at the bottom of the chain, not from
openai's label: openai's aiohttp backend files a DNS failure, a refused connection, a TLS
failure and a reset alike under ``ConnectTimeout`` ("Request timed out."). The message names
the host and the kind (``DNS lookup failed``, ``connection refused``, ``TLS handshake
failed``, ``connection reset``, ``malformed HTTP answer``, ``redirect loop``, ``timed out``).

The response hooks (:func:`async_answer_check`, :func:`sync_answer_check`) read every answer
but an event stream as the client's transport does: never past ``max_response_bytes``
(counted after inflating), else :class:`~aireiter.ResponseTooLargeError`. A 2xx JSON answer is
then checked like the task API's: an AIReiter envelope with a non-2xx ``statusCode`` (the API
reports failures inside HTTP 200) raises the typed error that envelope names, and a body that
is not a chat completion (``choices``) or a response (``output``) on those routes is an
:class:`~aireiter.APIResponseValidationError` instead of an empty model.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
import httpx2
import openai
from aiohttp.http_exceptions import HttpProcessingError

from ._constants import ERROR_BODY_PREVIEW_BYTES
from ._exceptions import (
    AIReiterError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ResponseTooLargeError,
)
from ._not_the_api import media_type, not_the_api_error, wrong_base_url_hint
from ._transport._config import normalize_base_url
from ._transport._envelope import (
    error_message_from_body,
    json_preview,
    make_status_error,
    unwrap_envelope,
)
from ._transport._http import request_id_of  # redacted where it is read
from ._transport._redact import redact, sanitize_exception
from ._transport._retry import parse_retry_after

__all__ = [
    "CALL_DEADLINE",
    "TRANSPORT_ERRORS",
    "answer_problem",
    "async_answer_check",
    "connection_error",
    "exception_chain",
    "needs_answer_check",
    "redacted_start",
    "request_url",
    "scrub_chain",
    "sync_answer_check",
    "translate",
    "translate_for",
]

logger = logging.getLogger("aireiter")

_MAX_CHAIN: Final = 16  # links of a __cause__/__context__ chain looked at
# The ``type`` of an error object in a stream (OpenAI and Anthropic names) -> its HTTP status.
_ERROR_TYPE_STATUS: Final = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "rate_limit_error": 429,
    "rate_limit_exceeded": 429,
    "server_error": 500,
    "api_error": 500,
    "overloaded_error": 529,
}
_RESET_ERRORS: Final = (
    ConnectionResetError,
    BrokenPipeError,
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
    httpx2.ReadError,
    httpx2.WriteError,
)
_PROTOCOL_ERRORS: Final = (
    aiohttp.ClientResponseError,
    HttpProcessingError,
    httpx2.RemoteProtocolError,
    httpx2.LocalProtocolError,
    httpx2.DecodingError,
)
# Network failures openai's HTTP stack may raise without an openai wrapper (an aiohttp error
# it does not map, a read in the middle of a stream); translated like APIConnectionError.
TRANSPORT_ERRORS: Final = (
    httpx2.RequestError,
    aiohttp.ClientError,
    ConnectionError,
    TimeoutError,
    ssl.SSLError,
    socket.gaierror,
)
_SSE_FIELDS: Final = (b"data:", b"event:", b"id:", b"retry:", b":")
# POST routes whose 2xx JSON answer must be one object of a known shape: the list it must hold.
_SHAPES: Final = (
    ("/chat/completions", "choices", "a chat completion"),
    ("/responses", "output", "a response"),
)
_REDACT_MARGIN: Final = 1024  # bytes past the preview redacted with it (a key cut at its end)
CALL_DEADLINE: ContextVar[float | None] = ContextVar("aireiter_call_deadline", default=None)
"""The ``time.monotonic()`` by which the blocking adapter's current call must end (``None``:
no deadline); its response hook stops reading a body past it."""


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then its ``__cause__`` (else ``__context__``), and so on (cycles cut)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def scrub_chain(exc: BaseException) -> None:
    """Drop the request headers (the ``Authorization`` key) that aiohttp keeps on its response
    errors (``request_info``, also their first argument, shown by their ``repr``) from every
    exception reachable from ``exc`` through causes and contexts."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo and len(seen) < _MAX_CHAIN:
        link = todo.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        if isinstance(link, aiohttp.ClientResponseError):
            info = link.request_info
            clean = aiohttp.RequestInfo(
                info.url, info.method, _no_auth(info.headers), info.real_url
            )
            link.request_info = clean
            link.args = tuple(clean if arg is info else arg for arg in link.args)
        todo.extend(x for x in (link.__cause__, link.__context__) if x is not None)


def _no_auth(headers: Any) -> Any:
    from multidict import CIMultiDict, CIMultiDictProxy

    kept = CIMultiDict(headers)
    for name in ("Authorization", "Proxy-Authorization", "X-Api-Key"):
        kept.popall(name, None)
    return CIMultiDictProxy(kept)


def _first(chain: list[BaseException], *types: type[BaseException]) -> BaseException | None:
    """The deepest link of ``chain`` of one of ``types`` (the root cause says the most)."""
    return next((link for link in reversed(chain) if isinstance(link, types)), None)


def _reason(exc: BaseException) -> str:
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return text[:ERROR_BODY_PREVIEW_BYTES] if text else type(exc).__name__


def _classify(chain: list[BaseException]) -> tuple[str, BaseException | None, bool]:
    """(kind, the exception that shows it, whether the request may have been sent)."""
    if (found := _first(chain, socket.gaierror, aiohttp.ClientConnectorDNSError)) is not None:
        return "DNS lookup failed", found, False
    if found := _first(chain, ssl.SSLError, ssl.CertificateError, aiohttp.ClientSSLError):
        return "TLS handshake failed", found, False
    if (found := _first(chain, ConnectionRefusedError)) is not None:
        return "connection refused", found, False
    if (found := _first(chain, httpx2.TooManyRedirects, aiohttp.TooManyRedirects)) is not None:
        return "redirect loop", found, True
    if _first(chain, aiohttp.ClientError) is not None:
        # openai's aiohttp backend relabels every aiohttp error: trust aiohttp's own class.
        timeout = _first(chain, aiohttp.ServerTimeoutError, TimeoutError)
        connect = _first(chain, aiohttp.ConnectionTimeoutError) is not None
    else:
        timeout = _first(chain, httpx2.TimeoutException, TimeoutError)
        connect = _first(chain, httpx2.ConnectTimeout, httpx2.PoolTimeout) is not None
    if timeout is not None:
        return ("timed out connecting" if connect else "timed out"), timeout, not connect
    if (found := _first(chain, *_RESET_ERRORS)) is not None:
        return "connection reset", found, True
    if (found := _first(chain, *_PROTOCOL_ERRORS)) is not None:
        return "malformed HTTP answer", found, True
    root = chain[-1] if chain else None
    return "connection failed", root, True


def connection_error(exc: BaseException, *, method: str, url: str) -> APIConnectionError:
    """The :class:`APIConnectionError` (or :class:`APITimeoutError`) for a failure to get an
    answer; the message names the host and the kind."""
    chain = list(exception_chain(exc))
    kind, shown, sent = _classify(chain)
    parts = urlsplit(url)
    host = parts.netloc or url
    detail = f" ({_reason(shown)})" if shown is not None else ""
    if kind == "DNS lookup failed":
        text = f"DNS lookup failed for {parts.hostname or host}{detail}: check the host name."
    elif kind == "connection refused":
        text = f"Connection refused by {host}: nothing listens there; check the port."
    elif kind == "TLS handshake failed":
        text = f"TLS handshake failed with {host}{detail}: check https:// vs http://."
    elif kind == "timed out connecting":
        text = f"Timed out connecting to {host}."
    elif kind == "timed out":
        text = f"Timed out waiting for {host} to answer {method} {url}."
    elif kind == "redirect loop":
        text = f"Redirect loop: {host} redirected {method} {url} too many times."
    elif kind == "connection reset":
        text = f"Connection reset: {host} closed the connection before its answer was complete."
    elif kind == "malformed HTTP answer":
        text = f"Malformed HTTP answer from {host}{detail}."
    else:
        text = f"Connection to {host} failed{detail}."
    options: dict[str, Any] = {"method": method, "url": url, "request_sent": sent}
    options.update(host=host, kind="timed out" if kind.startswith("timed out") else kind)
    if kind.startswith("timed out"):
        return APITimeoutError(text, **options)
    return APIConnectionError(text, **options)


def _status_error(
    exc: openai.APIStatusError, *, method: str, url: str, base_url: str
) -> APIStatusError:
    response = exc.response
    body = exc.body
    message = error_message_from_body(body)
    content_type = media_type(response.headers.get("content-type"))
    if "html" in content_type:
        message = f"the answer is an HTML page, not the API. {wrong_base_url_hint(base_url)}"
    return make_status_error(
        response.status_code,
        message or f"HTTP {response.status_code}",
        http_status=response.status_code,
        request_id=request_id_of(response.headers),
        body=body,
        method=method,
        url=url,
        retry_after=parse_retry_after(response.headers),
    )


def _error_object_status(error: Mapping[str, Any]) -> int:
    """The HTTP status an OpenAI / Anthropic error object stands for (by its ``type``, else
    its ``code`` when that is an HTTP error status; 500 when neither says)."""
    code = error.get("code")
    status = _ERROR_TYPE_STATUS.get(str(error.get("type")), 0)
    if not status and isinstance(code, int) and 400 <= code <= 599:
        status = code
    return status or 500


def _stream_error(
    exc: openai.APIError, *, method: str, url: str, response: httpx2.Response | None
) -> APIStatusError:
    """An error object sent inside a stream (openai raises ``APIError`` for it)."""
    body: Mapping[str, Any] = exc.body if isinstance(exc.body, Mapping) else {}
    return make_status_error(
        _error_object_status(body),
        exc.message,
        http_status=response.status_code if response is not None else 200,
        request_id=request_id_of(response.headers) if response is not None else None,
        body=exc.body,
        method=method,
        url=url,
    )


def invalid_answer(
    exc: BaseException, *, method: str, url: str, response: httpx2.Response | None
) -> APIResponseValidationError:
    """The error for an answer that came but cannot be read (broken JSON, bad UTF-8 ...)."""
    headers: Mapping[str, str] = response.headers if response is not None else {}
    return APIResponseValidationError(
        f"The answer to {method} {url} could not be read: {type(exc).__name__}: {_reason(exc)}",
        status_code=response.status_code if response is not None else 200,
        content_type=media_type(headers.get("content-type")) or None,
        request_id=request_id_of(headers),
        method=method,
        url=url,
    )


def needs_answer_check(response: httpx2.Response) -> bool:
    """True for a 2xx answer to a request that accepts JSON, unless it is an event stream
    (read that as it comes). Error statuses are openai's to read."""
    if not 200 <= response.status_code < 300:
        return False
    if "json" not in response.request.headers.get("accept", "").lower():
        return False  # a file download: any content type goes
    return media_type(response.headers.get("content-type")) != "text/event-stream"


def redacted_start(body: bytes) -> bytes:
    """The start of ``body`` (more than an error shows of it) with every secret redacted:
    redacted before it is cut, so that no cut leaves the first characters of a key."""
    text = body[: ERROR_BODY_PREVIEW_BYTES + _REDACT_MARGIN].decode("utf-8", errors="replace")
    return redact(text).encode()


def _looks_like_sse(body: bytes) -> bool:
    first = body.lstrip().split(b"\n", 1)[0]
    return first.startswith(_SSE_FIELDS)


def answer_problem(response: httpx2.Response, *, base_url: str) -> AIReiterError | None:
    """The error for a read 2xx answer (see :func:`needs_answer_check`) that is not the API's
    JSON: broken JSON, or a page from somewhere else (then the base URL looks wrong); an
    AIReiter envelope or an error object reporting a failure; a body that is not what the
    route answers (:func:`_shape_problem`)."""
    body = response.content
    kind = media_type(response.headers.get("content-type"))
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        if kind.endswith("json") and body.strip():
            return invalid_answer(
                exc,
                method=response.request.method,
                url=str(response.request.url),
                response=response,
            )
        if "html" not in kind and _looks_like_sse(body):
            return None  # an event stream under another content type
        return not_the_api_error(
            method=response.request.method,
            url=redact(str(response.request.url)),
            http_status=response.status_code,
            content_type=response.headers.get("content-type"),
            body=redacted_start(body),
            request_id=request_id_of(response.headers),
            configured_base_url=base_url,
        )
    return _envelope_problem(data, response) or _shape_problem(data, response)


def _envelope_problem(data: Any, response: httpx2.Response) -> AIReiterError | None:
    """The typed error of an AIReiter envelope (``statusCode``, else ``code``) whose status is
    no success, or of an OpenAI-style error object (``{"error": {...}}`` with no ``object``),
    sent with HTTP 2xx; the task API's rules and error classes."""
    if not isinstance(data, Mapping):
        return None
    method, url = response.request.method, str(response.request.url)
    request_id = request_id_of(response.headers)
    if "statusCode" in data or ("code" in data and "object" not in data):
        try:
            unwrap_envelope(
                data,
                http_status=response.status_code,
                request_id=request_id,
                method=method,
                url=url,
            )
        except AIReiterError as failure:
            return failure
        return None  # a successful envelope: the shape check says whether it will do
    error_object = data.get("error")
    if isinstance(error_object, Mapping) and "object" not in data:
        return make_status_error(
            _error_object_status(error_object),
            error_message_from_body(data) or "an error object in a 2xx answer",
            http_status=response.status_code,
            request_id=request_id,
            body=data,
            method=method,
            url=url,
        )
    return None


def _shape_problem(data: Any, response: httpx2.Response) -> AIReiterError | None:
    """An :class:`APIResponseValidationError` when a ``POST .../chat/completions`` answer is no
    object with a ``choices`` list (a ``POST .../responses`` one with an ``output`` list):
    openai would make an empty model of it."""
    request = response.request
    if request.method != "POST":
        return None
    path = request.url.path.rstrip("/")
    for suffix, field, what in _SHAPES:
        if path.endswith(suffix):
            if isinstance(data, Mapping) and isinstance(data.get(field), list):
                return None
            return APIResponseValidationError(
                f"The answer to POST {request.url} is JSON but not {what} (no {field!r} "
                f"list): {json_preview(data)[:80]}",
                status_code=response.status_code,
                content_type=media_type(response.headers.get("content-type")) or None,
                body_preview=json_preview(data),
                request_id=request_id_of(response.headers),
                method="POST",
                url=str(request.url),
            )
    return None


def _too_large(response: httpx2.Response, limit: int, size: int | None) -> ResponseTooLargeError:
    request = response.request
    announced = f" ({size} bytes)" if size is not None else ""
    return ResponseTooLargeError(
        f"The answer to {request.method} {request.url}{announced} is larger than "
        f"max_response_bytes={limit}; it was not read. Raise the limit with "
        "AsyncAIReiter(max_response_bytes=...) if the answer is expected to be this large.",
        status_code=response.status_code,
        limit=limit,
        size=size,
        content_type=media_type(response.headers.get("content-type")) or None,
        request_id=request_id_of(response.headers),
        method=request.method,
        url=str(request.url),
    )


def _announced_too_large(response: httpx2.Response, limit: int) -> ResponseTooLargeError | None:
    """The error for an answer whose ``Content-Length`` is past ``limit`` (even compressed)."""
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        return _too_large(response, limit, int(length))
    return None


def _reads_whole(response: httpx2.Response) -> bool:
    """True for every answer but an event stream (that one is read as it comes)."""
    return media_type(response.headers.get("content-type")) != "text/event-stream"


def _keep(response: httpx2.Response, body: bytes) -> None:
    # What ``Response.aread()`` / ``read()`` store: openai then reads the body from memory.
    response._content = body


def _sync_timed_out(response: httpx2.Response) -> APIConnectionError:
    request = response.request
    return connection_error(TimeoutError(), method=request.method, url=str(request.url))


async def _aread_capped(response: httpx2.Response, limit: int) -> None:
    """Read ``response`` (inflated) into memory, never more than ``limit`` bytes of it."""
    error = _announced_too_large(response, limit)
    if error is not None:
        raise error
    chunks: list[bytes] = []
    size = 0
    async with contextlib.aclosing(response.aiter_bytes()) as parts:
        async for chunk in parts:
            size += len(chunk)
            if size > limit:
                raise _too_large(response, limit, None)
            chunks.append(chunk)
    _keep(response, b"".join(chunks))


def _read_capped(response: httpx2.Response, limit: int) -> None:
    """The blocking twin of :func:`_aread_capped`, which also stops at :data:`CALL_DEADLINE`
    (checked as each piece of the body comes)."""
    error = _announced_too_large(response, limit)
    if error is not None:
        raise error
    deadline = CALL_DEADLINE.get()
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():  # httpx closes the answer when the hook raises
        size += len(chunk)
        if size > limit:
            raise _too_large(response, limit, None)
        if deadline is not None and time.monotonic() > deadline:
            raise _sync_timed_out(response)
        chunks.append(chunk)
    _keep(response, b"".join(chunks))


def _translated(
    exc: BaseException,
    *,
    method: str,
    url: str,
    base_url: str,
    response: httpx2.Response | None,
) -> AIReiterError | None:
    if isinstance(exc, openai.APIStatusError):
        return _status_error(exc, method=method, url=url, base_url=base_url)
    if isinstance(exc, openai.APIResponseValidationError):
        return invalid_answer(exc, method=method, url=url, response=exc.response)
    if isinstance(exc, (openai.APIConnectionError, *TRANSPORT_ERRORS)):
        return connection_error(exc, method=method, url=url)
    if isinstance(exc, openai.APIError):
        return _stream_error(exc, method=method, url=url, response=response)
    if isinstance(exc, openai.OpenAIError):
        return AIReiterError(str(exc))
    if isinstance(exc, (ValueError, RecursionError)):  # broken JSON or UTF-8 in an answer
        return invalid_answer(exc, method=method, url=url, response=response)
    return None


def translate(
    exc: BaseException,
    *,
    method: str,
    url: str,
    base_url: str,
    response: httpx2.Response | None = None,
) -> BaseException:
    """The aireiter error for ``exc`` (raised by openai's client for ``method url``), or
    ``exc`` itself when it is already one or is not an API failure (a bug, a cancellation).

    ``base_url`` is the AIReiter base URL configured (named in the hint of an HTML answer);
    ``response`` the streamed answer being read, if any (its status and request id).
    """
    if isinstance(exc, AIReiterError):
        return exc
    error = _translated(exc, method=method, url=url, base_url=base_url, response=response)
    if error is None:
        return exc
    scrub_chain(exc)
    error.__cause__ = sanitize_exception(exc)
    error.__suppress_context__ = True
    logger.debug("%s %s failed: %s (from %s)", method, url, error, type(exc).__name__)
    return error


# -- hooks for the adapter's clients -----------------------------------------------------------
def async_answer_check(
    base_url: str, *, max_bytes: int
) -> Callable[[httpx2.Response], Awaitable[None]]:
    """An httpx response hook reading each answer but an event stream, never past
    ``max_bytes``, and refusing a 2xx one that is not the API's JSON (:func:`answer_problem`)."""

    async def check(response: httpx2.Response) -> None:
        if not _reads_whole(response):
            return
        await _aread_capped(response, max_bytes)
        if needs_answer_check(response):
            error = answer_problem(response, base_url=base_url)
            if error is not None:
                raise error

    return check


def sync_answer_check(base_url: str, *, max_bytes: int) -> Callable[[httpx2.Response], None]:
    """The blocking twin of :func:`async_answer_check`; it also stops reading a body past the
    call's :data:`CALL_DEADLINE`."""

    def check(response: httpx2.Response) -> None:
        if not _reads_whole(response):
            return
        _read_capped(response, max_bytes)
        if needs_answer_check(response):
            error = answer_problem(response, base_url=base_url)
            if error is not None:
                raise error

    return check


def translate_for(
    client: openai.AsyncOpenAI | openai.OpenAI,
    exc: BaseException,
    *,
    method: str,
    url: str,
    response: httpx2.Response | None = None,
) -> BaseException:
    """``exc`` as an aireiter error (itself when it is none of openai's or the network's)."""
    return translate(
        exc,
        method=method.upper(),
        url=url,
        base_url=normalize_base_url(str(client.base_url)),
        response=response,
    )


def request_url(client: openai.AsyncOpenAI | openai.OpenAI, options: Any) -> str:
    """The absolute URL of a request's ``options`` (openai's ``FinalRequestOptions``)."""
    path = str(options.url)
    if "://" in path:
        return path
    return str(client.base_url).rstrip("/") + "/" + path.lstrip("/")
