"""Client configuration: timeouts and the resolved settings of one client."""

from __future__ import annotations

import os
from collections.abc import Mapping

import aiohttp
import attrs

from .._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_READ_TIMEOUT_S,
    DEFAULT_TOTAL_TIMEOUT_S,
    ENV_API_KEY,
    ENV_BASE_URL,
)
from .._exceptions import AuthenticationError, ParamError

__all__ = ["DEFAULT_TIMEOUT", "ClientConfig", "Timeout", "redact_key", "resolve_timeout"]


@attrs.frozen(kw_only=True)
class Timeout:
    """Timeouts in seconds; ``None`` disables one.

    - ``total``: the whole request, from connecting to the last byte of the body;
    - ``connect``: opening the connection (TCP and TLS);
    - ``read``: the longest silence between two reads (for streams, between two chunks).
    """

    total: float | None = DEFAULT_TOTAL_TIMEOUT_S
    connect: float | None = DEFAULT_CONNECT_TIMEOUT_S
    read: float | None = DEFAULT_READ_TIMEOUT_S

    def to_aiohttp(self) -> aiohttp.ClientTimeout:
        """The equivalent ``aiohttp.ClientTimeout``."""
        return aiohttp.ClientTimeout(
            total=self.total, sock_connect=self.connect, sock_read=self.read
        )


DEFAULT_TIMEOUT = Timeout()


def resolve_timeout(value: float | Timeout | None) -> Timeout:
    """A :class:`Timeout` from a number (the total), a ``Timeout``, or ``None`` (no limits)."""
    if isinstance(value, Timeout):
        return value
    if value is None:
        return Timeout(total=None, connect=None, read=None)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ParamError.single(
            "timeout", value, "must be a positive number of seconds, a Timeout, or None"
        )
    seconds = float(value)
    return Timeout(
        total=seconds,
        connect=min(DEFAULT_CONNECT_TIMEOUT_S, seconds),
        read=min(DEFAULT_READ_TIMEOUT_S, seconds),
    )


def redact_key(key: str | None) -> str:
    """A form of the key safe to show: its last four characters at most."""
    if not key:
        return "<none>"
    if len(key) <= 8:
        return "***"
    return f"***{key[-4:]}"


@attrs.frozen(kw_only=True)
class ClientConfig:
    """The resolved settings of one client. The key never appears in ``repr``."""

    api_key: str = attrs.field(repr=lambda key: redact_key(key))
    base_url: str
    timeout: Timeout = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    default_headers: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def from_arguments(
        cls,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float | Timeout | None,
        max_retries: int,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        default_headers: Mapping[str, str] | None = None,
    ) -> ClientConfig:
        """Resolve arguments and environment (``AIREITER_API_KEY``, ``AIREITER_BASE_URL``)."""
        key = api_key if api_key is not None else os.environ.get(ENV_API_KEY)
        if not key:
            raise AuthenticationError(
                "No API key: pass api_key=... or set the AIREITER_API_KEY environment variable.",
                status_code=401,
            )
        url = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        if not url.startswith(("http://", "https://")):
            raise ParamError.single(
                "base_url",
                url,
                "must be an http:// or https:// URL",
                allowed="http(s)://host[:port]",
            )
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ParamError.single("max_retries", max_retries, "must be an integer >= 0")
        if max_connections < 1:
            raise ParamError.single("max_connections", max_connections, "must be >= 1")
        return cls(
            api_key=key,
            base_url=normalize_base_url(url),
            timeout=resolve_timeout(timeout),
            max_retries=max_retries,
            max_connections=max_connections,
            default_headers=dict(default_headers or {}),
        )


def normalize_base_url(url: str) -> str:
    """The host part of a base URL: no trailing slash, and no ``/api/...`` suffix.

    Users copy either ``https://aireiter.com`` or ``https://aireiter.com/api/v1`` (the OpenAI
    base URL); both mean the same host.
    """
    url = url.rstrip("/")
    for suffix in ("/api/v1", "/api/openapi", "/api"):
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url
