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
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterator, Mapping
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
)
from ._not_the_api import media_type, not_the_api_error, wrong_base_url_hint
from ._transport._config import normalize_base_url
from ._transport._envelope import error_message_from_body, make_status_error
from ._transport._http import request_id_of
from ._transport._redact import sanitize_exception
from ._transport._retry import parse_retry_after

__all__ = [
    "TRANSPORT_ERRORS",
    "answer_problem",
    "async_answer_check",
    "connection_error",
    "exception_chain",
    "needs_answer_check",
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


def _stream_error(
    exc: openai.APIError, *, method: str, url: str, response: httpx2.Response | None
) -> APIStatusError:
    """An error object sent inside a stream (openai raises ``APIError`` for it)."""
    body: Mapping[str, Any] = exc.body if isinstance(exc.body, Mapping) else {}
    code = body.get("code")
    status = _ERROR_TYPE_STATUS.get(str(body.get("type")), 0)
    if not status and isinstance(code, int) and 400 <= code <= 599:
        status = code
    return make_status_error(
        status or 500,
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


def _looks_like_sse(body: bytes) -> bool:
    first = body.lstrip().split(b"\n", 1)[0]
    return first.startswith(_SSE_FIELDS)


def answer_problem(response: httpx2.Response, *, base_url: str) -> AIReiterError | None:
    """The error for a read 2xx answer (see :func:`needs_answer_check`) that is not the API's
    JSON: broken JSON, or a page from somewhere else (then the base URL looks wrong)."""
    body = response.content
    kind = media_type(response.headers.get("content-type"))
    try:
        json.loads(body)
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
            url=str(response.request.url),
            http_status=response.status_code,
            content_type=response.headers.get("content-type"),
            body=body,
            request_id=request_id_of(response.headers),
            configured_base_url=base_url,
        )
    return None


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
def async_answer_check(base_url: str) -> Callable[[httpx2.Response], Awaitable[None]]:
    """An httpx response hook refusing a 2xx answer that is not the API's JSON."""

    async def check(response: httpx2.Response) -> None:
        if needs_answer_check(response):
            await response.aread()
            error = answer_problem(response, base_url=base_url)
            if error is not None:
                raise error

    return check


def sync_answer_check(base_url: str) -> Callable[[httpx2.Response], None]:
    """The blocking twin of :func:`async_answer_check`."""

    def check(response: httpx2.Response) -> None:
        if needs_answer_check(response):
            response.read()
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
