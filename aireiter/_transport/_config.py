"""Client configuration: timeouts and the resolved settings of one client."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from ssl import SSLContext
from typing import Any

import aiohttp
import attrs

from .._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_READ_TIMEOUT_S,
    DEFAULT_TOTAL_TIMEOUT_S,
    ENV_API_KEY,
    ENV_BASE_URL,
)
from .._exceptions import ConfigurationError, ParamError
from .._types import NotGiven, NotGivenOr
from ._redact import redact, register_secret
from ._session import NetworkSettings, check_network, resolve_proxy

__all__ = ["DEFAULT_TIMEOUT", "ClientConfig", "Timeout", "redact_key", "resolve_timeout"]


def _check_seconds(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ParamError.single(
            f"Timeout.{attribute.name}", value, "must be a positive number of seconds or None"
        )


@attrs.frozen(kw_only=True)
class Timeout:
    """Timeouts in seconds; ``None`` disables one.

    - ``total``: one call from start to end: every attempt *and* the waits between retries.
      A retry is made only when it can start before this runs out, and an attempt never runs
      past it, so a call returns or raises within ``total`` seconds (plus a few milliseconds).
    - ``connect``: opening one connection (TCP and TLS), per attempt.
    - ``read``: one attempt, from its start to the last byte of the answer; past it the
      attempt is abandoned (and retried, when allowed, inside ``total``). For a stream:
      the longest silence between two chunks instead (a stream has no ``total``).
    """

    total: float | None = attrs.field(default=DEFAULT_TOTAL_TIMEOUT_S, validator=_check_seconds)
    connect: float | None = attrs.field(default=DEFAULT_CONNECT_TIMEOUT_S, validator=_check_seconds)
    read: float | None = attrs.field(default=DEFAULT_READ_TIMEOUT_S, validator=_check_seconds)

    def to_aiohttp(self) -> aiohttp.ClientTimeout:
        """An ``aiohttp.ClientTimeout`` for one attempt (``total`` = the smaller of ``read``
        and ``total``; the call-wide deadline is the transport's job)."""
        return aiohttp.ClientTimeout(
            total=_smaller(self.read, self.total), sock_connect=self.connect
        )


def _smaller(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


DEFAULT_TIMEOUT = Timeout()


def resolve_timeout(value: float | Timeout | None) -> Timeout:
    """A :class:`Timeout` from a number (the total), a ``Timeout``, or ``None`` (no limits)."""
    if isinstance(value, Timeout):
        return value
    if value is None:
        return Timeout(total=None, connect=None, read=None)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
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


def _positive_int(name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ParamError.single(name, value, f"must be an integer >= {minimum}")
    return value


def _safe_url(url: str | None) -> str:
    return repr(None if url is None else redact(url))


@attrs.frozen(kw_only=True)
class ClientConfig:
    """The resolved settings of one client. The key never appears in ``repr``.

    The network settings are described in :mod:`aireiter._transport._session`: ``proxy``
    (as given), ``ssl``, ``trust_env``, ``http_session`` (the caller's session, if any) and
    ``api_proxy``, the proxy requests to ``base_url`` go through (``proxy``, else the
    environment's when ``trust_env``; read once, when the client is made).
    """

    api_key: str = attrs.field(repr=lambda key: redact_key(key))
    base_url: str
    timeout: Timeout = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    default_headers: Mapping[str, str] = attrs.field(factory=dict)
    proxy: str | None = attrs.field(default=None, repr=_safe_url)
    ssl: SSLContext | bool = True
    trust_env: bool = True
    http_session: aiohttp.ClientSession | None = attrs.field(default=None, repr=False, eq=False)
    api_proxy: str | None = attrs.field(default=None, repr=_safe_url)

    @classmethod
    def from_arguments(
        cls,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float | Timeout | None,
        max_retries: int,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        default_headers: Mapping[str, str] | None = None,
        proxy: str | None = None,
        ssl: SSLContext | bool = True,
        trust_env: bool = True,
        http_session: aiohttp.ClientSession | None = None,
    ) -> ClientConfig:
        """Resolve arguments and environment (``AIREITER_API_KEY``, ``AIREITER_BASE_URL``,
        and with ``trust_env`` the proxy variables).

        Raises :class:`ConfigurationError` when no API key is set anywhere and
        :class:`ParamError` for a bad argument, both before any request.
        """
        key = api_key if api_key is not None else os.environ.get(ENV_API_KEY)
        if key is not None and not isinstance(key, str):
            raise ParamError.single("api_key", type(key).__name__, "must be a string")
        if not key or not key.strip():
            raise ConfigurationError(
                "No API key: pass api_key=... or set the AIREITER_API_KEY environment variable "
                "(the key comes from the API Key page of the AIReiter console).",
                setting="api_key",
                env=ENV_API_KEY,
            )
        if any(c in key for c in "\r\n"):
            raise ParamError.single(
                "api_key", "<redacted>", "must not contain line breaks (check for a stray newline)"
            )
        register_secret(key)
        url = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ParamError.single(
                "base_url",
                url,
                "must be an http:// or https:// URL",
                allowed="http(s)://host[:port]",
            )
        _check_headers(default_headers)
        check_network(proxy=proxy, ssl=ssl, trust_env=trust_env, http_session=http_session)
        host = normalize_base_url(url)
        return cls(
            api_key=key,
            base_url=host,
            timeout=resolve_timeout(timeout),
            max_retries=_positive_int("max_retries", max_retries, minimum=0),
            max_connections=_positive_int("max_connections", max_connections, minimum=1),
            max_response_bytes=_positive_int(
                "max_response_bytes", max_response_bytes, minimum=1024
            ),
            default_headers=dict(default_headers or {}),
            proxy=proxy,
            ssl=ssl,
            trust_env=trust_env,
            http_session=http_session,
            api_proxy=None
            if http_session is not None
            else resolve_proxy(host, proxy=proxy, trust_env=trust_env),
        )

    @property
    def network(self) -> NetworkSettings:
        """The proxy, TLS, ``trust_env`` and ``http_session`` settings alone (no key)."""
        return NetworkSettings(
            proxy=self.proxy, ssl=self.ssl, trust_env=self.trust_env, http_session=self.http_session
        )

    def with_options(
        self,
        *,
        timeout: NotGivenOr[float | Timeout | None],
        max_retries: NotGivenOr[int],
        default_headers: Mapping[str, str] | None,
    ) -> ClientConfig:
        """These settings with another ``timeout``, ``max_retries`` (when given) and more
        ``default_headers`` (merged over the current ones); ParamError for a bad one."""
        _check_headers(default_headers)
        return attrs.evolve(
            self,
            timeout=self.timeout if isinstance(timeout, NotGiven) else resolve_timeout(timeout),
            max_retries=self.max_retries
            if isinstance(max_retries, NotGiven)
            else _positive_int("max_retries", max_retries, minimum=0),
            default_headers={**self.default_headers, **(default_headers or {})},
        )


def _check_headers(headers: object, name: str = "default_headers") -> None:
    if headers is not None and not (
        isinstance(headers, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    ):
        raise ParamError.single(name, headers, "must be a mapping of str to str")


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
