"""How a client reaches the network: proxies, TLS, and the aiohttp session it talks through.

The settings (arguments of :class:`~aireiter.AsyncAIReiter`, kept in
:class:`~aireiter._transport.ClientConfig`) apply alike to the task API, to output downloads
and to the chat adapter:

- ``proxy``: an ``http://`` (or ``https://``) proxy URL for every request, whatever the
  environment says (``NO_PROXY`` included), as ``httpx``'s ``proxy=`` does;
- ``trust_env`` (default ``True``, as in httpx and openai): without ``proxy=``, the
  environment's ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` and ``NO_PROXY`` choose, by
  the standard library's rules (:func:`urllib.request.getproxies` and ``proxy_bypass``, the
  ones aiohttp applies to downloads);
- ``ssl``: ``True`` (verify against the system's CAs), an :class:`ssl.SSLContext` (a private
  CA, a client certificate), or ``False`` (no verification);
- ``http_session``: an :class:`aiohttp.ClientSession` of the caller's, used as it is (its
  connector, proxy, TLS and trace settings) and never closed by the client.

The API host's proxy is resolved once, when the client is made (as httpx does), so a request
costs no more than a direct one. aiohttp's own ``trust_env`` is not used for the API: it looks
the environment up again on every request, in a worker thread, and reads ``~/.netrc``, whose
credentials it refuses to combine with the bearer header.

A session's default headers are not sent to the API alone: aiohttp also sends them to the proxy
(as the headers of a ``CONNECT``, an ``Authorization`` among them turned into
``Proxy-Authorization``). So a session that talks through a proxy, and a session that is not
the client's own, carries no headers of the client: the transport sends them with each request
instead (:func:`call_headers`).
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
import weakref
from collections.abc import Mapping
from ssl import SSLContext
from typing import TYPE_CHECKING, Any

import aiohttp
import attrs
import yarl

from .._exceptions import ConfigurationError, ParamError
from ._redact import register_secret

if TYPE_CHECKING:
    from ._config import ClientConfig

__all__ = [
    "NetworkSettings",
    "call_headers",
    "check_network",
    "check_proxy",
    "close_session",
    "download_session",
    "httpx_options",
    "open_session",
    "resolve_proxy",
]

_PROXY_SCHEMES = ("http", "https")
_BORROWED: weakref.WeakSet[aiohttp.ClientSession] = weakref.WeakSet()


@attrs.frozen(kw_only=True)
class NetworkSettings:
    """A client's ``proxy``, ``ssl``, ``trust_env`` and ``http_session``, without its key:
    what output downloads, which never see the key, are given."""

    proxy: str | None = attrs.field(default=None, repr=False)
    ssl: SSLContext | bool = True
    trust_env: bool = True
    http_session: aiohttp.ClientSession | None = attrs.field(default=None, repr=False, eq=False)


def check_proxy(proxy: object) -> str | None:
    """``proxy`` if it is ``None`` or an ``http(s)://host[:port]`` URL, else ParamError."""
    if proxy is None:
        return None
    try:
        url = yarl.URL(proxy) if isinstance(proxy, str) else None
    except (TypeError, ValueError):
        url = None
    if (
        url is None
        or not isinstance(proxy, str)
        or url.scheme not in _PROXY_SCHEMES
        or not url.host
    ):
        shown = _without_password(proxy) if isinstance(proxy, str) else type(proxy).__name__
        raise ParamError.single(
            "proxy", shown, "must be an http(s):// proxy URL", allowed="http://host:port"
        )
    register_secret(url.password)
    return proxy


def check_network(
    *,
    proxy: object,
    ssl: object,
    trust_env: object,
    http_session: object,
) -> None:
    """ParamError for a bad ``proxy``, ``ssl``, ``trust_env`` or ``http_session``, or for
    ``proxy``/``ssl`` given beside a session of the caller's (they belong on the session)."""
    check_proxy(proxy)
    if not isinstance(ssl, (bool, SSLContext)):
        raise ParamError.single(
            "ssl", type(ssl).__name__, "must be True, False or an ssl.SSLContext"
        )
    if not isinstance(trust_env, bool):
        raise ParamError.single("trust_env", trust_env, "must be True or False")
    if http_session is None:
        return
    if not isinstance(http_session, aiohttp.ClientSession):
        raise ParamError.single(
            "http_session", type(http_session).__name__, "must be an aiohttp.ClientSession"
        )
    if http_session.closed:
        raise ParamError.single("http_session", "<closed session>", "is closed")
    if proxy is not None or ssl is not True:
        raise ParamError.single(
            "proxy" if proxy is not None else "ssl",
            "<given>",
            "cannot be combined with http_session: set it on the session "
            "(ClientSession(proxy=...), TCPConnector(ssl=...))",
        )


def resolve_proxy(url: str, *, proxy: str | None, trust_env: bool) -> str | None:
    """The proxy a request to ``url`` goes through: ``proxy`` when given; else, with
    ``trust_env``, the environment's proxy for the URL's scheme unless ``NO_PROXY`` exempts
    its host; else none."""
    if proxy is not None:
        return proxy
    if not trust_env:
        return None
    target = yarl.URL(url)
    if target.host is not None and urllib.request.proxy_bypass(target.host):
        return None
    proxies = urllib.request.getproxies()
    found = proxies.get(target.scheme) or proxies.get("all")
    if not found:
        return None
    if "://" not in found:  # HTTP_PROXY=host:3128 means http://host:3128
        found = f"http://{found}"
    try:
        return check_proxy(found)
    except ParamError:
        variable = f"{target.scheme.upper()}_PROXY"
        raise ConfigurationError(
            f"The environment's proxy for {target.scheme}:// URLs ({variable} or ALL_PROXY: "
            f"{_without_password(found)!r}) is not an http(s):// URL. Fix the variable, or "
            "pass proxy=... or trust_env=False.",
            setting="proxy",
            env=variable,
        ) from None


def call_headers(config: ClientConfig, headers: Mapping[str, str]) -> Mapping[str, str] | None:
    """What the transport must send with each request because the session does not carry it:
    ``None`` for the client's own session talking to the API directly (the session has the
    headers), else every header (a proxy, or a session of the caller's)."""
    if config.http_session is None and config.api_proxy is None:
        return None
    return headers


def open_session(
    config: ClientConfig, headers: Mapping[str, str], timeout: aiohttp.ClientTimeout
) -> aiohttp.ClientSession:
    """The session for one event loop: the caller's (when it belongs to the running loop),
    or a new one of the client's with its pool size, TLS setting and proxy."""
    borrowed = config.http_session
    if borrowed is not None:
        if borrowed.closed:
            raise ParamError.single("http_session", "<closed session>", "is closed")
        if getattr(borrowed, "_loop", None) is not asyncio.get_running_loop():
            raise ParamError.single(
                "http_session",
                "<session of another event loop>",
                "belongs to another event loop: an aiohttp session works only in the loop it "
                "was made in (make it inside the loop that uses the client)",
            )
        _BORROWED.add(borrowed)
        return borrowed
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=config.max_connections, ssl=config.ssl),
        headers=headers if call_headers(config, headers) is None else None,
        timeout=timeout,
        json_serialize=json.dumps,
        proxy=config.api_proxy,
    )
    # aiohttp silently resends an idempotent request once when a connection drops (its own
    # test client turns this off the same way). Retries are the transport's policy alone, so
    # ``max_retries`` and the retry log stay exact.
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False
    return session


async def close_session(session: aiohttp.ClientSession) -> None:
    """Close ``session`` unless it is a caller's (``http_session=``): that one stays open."""
    if session not in _BORROWED:
        await session.close()


def download_session(
    network: NetworkSettings, headers: Mapping[str, str], timeout: aiohttp.ClientTimeout
) -> tuple[aiohttp.ClientSession, bool]:
    """The session output downloads use and whether the caller must close it: the client's
    ``http_session`` (not closed), else a new one with the client's TLS setting and proxy
    (``proxy=`` for every host; with ``trust_env``, the environment's proxy per host, as
    aiohttp looks it up for each request and each redirect)."""
    if network.http_session is not None:
        return network.http_session, False
    proxy = network.proxy
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=network.ssl),
        headers=headers,
        timeout=timeout,
        proxy=proxy,
        trust_env=network.trust_env and proxy is None,
        raise_for_status=False,
    )
    # aiohttp silently resends a GET once when a pooled connection drops; retries are the
    # downloader's own policy (counted, backed off), as in the API transport.
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False
    return session, True


def httpx_options(config: ClientConfig) -> dict[str, Any]:
    """The same settings for the chat adapter's httpx client (``proxy``, ``verify``,
    ``trust_env``); empty when they are httpx's defaults."""
    options: dict[str, Any] = {}
    if config.proxy is not None:
        options["proxy"] = config.proxy
    if config.ssl is not True:
        options["verify"] = config.ssl
    if not config.trust_env:
        options["trust_env"] = False
    return options


def _without_password(url: str) -> str:
    try:
        parsed = yarl.URL(url)
    except (TypeError, ValueError):
        return "<not a URL>"
    return str(parsed.with_password(None)) if parsed.password else url
