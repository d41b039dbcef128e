"""Network failures in words: which host, what kind, and a typed error for each.

:func:`connection_error` turns an aiohttp/OS exception into an :class:`APIConnectionError`
(or :class:`APITimeoutError`) whose message names the host and the kind of failure, e.g.
``Could not connect to 127.0.0.1:9 (connection refused)``, and whose ``request_sent`` is set
conservatively (``False`` only when the request certainly never left).
"""

from __future__ import annotations

import asyncio
import errno

import aiohttp

from .._exceptions import APIConnectionError, APITimeoutError

__all__ = ["connection_error", "describe_failure"]

_ERRNO_KINDS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.ECONNABORTED: "connection aborted",
    errno.EPIPE: "connection reset",
    errno.EHOSTUNREACH: "no route to host",
    errno.ENETUNREACH: "network unreachable",
    errno.ETIMEDOUT: "timed out",
}


def _os_kind(error: OSError | None) -> str | None:
    if error is None:
        return None
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if error.errno in _ERRNO_KINDS:
        return _ERRNO_KINDS[error.errno]
    return (error.strerror or "").lower() or None


def describe_failure(exc: BaseException) -> tuple[str, bool, bool]:
    """``(kind, request_sent, is_timeout)`` for a failed attempt."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "timed out connecting", False, True
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return "timed out reading the answer", True, True
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return "timed out", True, True
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "DNS lookup failed", False, False
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return "TLS certificate rejected", False, False
    if isinstance(exc, (aiohttp.ClientConnectorSSLError, aiohttp.ClientSSLError)):
        return "TLS handshake failed", False, False
    if isinstance(exc, aiohttp.ClientConnectorError):
        return _os_kind(exc.os_error) or "connection failed", False, False
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "server closed the connection", True, False
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "answer cut off", True, False
    if isinstance(exc, aiohttp.ClientResponseError):
        return "malformed HTTP answer", True, False
    if isinstance(exc, OSError):
        return _os_kind(exc) or "connection failed", True, False
    if isinstance(exc, aiohttp.ClientConnectionError):
        return "connection failed", True, False
    return f"{type(exc).__name__}", True, False


def connection_error(
    exc: BaseException,
    *,
    method: str,
    url: str,
    host: str,
    out_task_id: str | None,
    timeout_s: float | None = None,
) -> APIConnectionError:
    """The typed error for one failed attempt at ``host`` (``host:port``)."""
    kind, sent, is_timeout = describe_failure(exc)
    request = f"{method} {url}"
    if is_timeout:
        after = f" after {timeout_s:g} s" if timeout_s is not None and sent else ""
        if sent:
            message = f"No answer from {host} ({kind}{after}) to {request}."
        else:
            message = f"Could not connect to {host} ({kind}) for {request}."
        return APITimeoutError(
            message,
            method=method,
            url=url,
            request_sent=sent,
            out_task_id=out_task_id,
            host=host,
            kind=kind,
        )
    if sent:
        message = f"Connection to {host} failed ({kind}) during {request}."
    else:
        message = f"Could not connect to {host} ({kind}) for {request}."
    return APIConnectionError(
        message,
        method=method,
        url=url,
        request_sent=sent,
        out_task_id=out_task_id,
        host=host,
        kind=kind,
    )
