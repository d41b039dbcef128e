"""An answer that is not the API's (an HTML page on a JSON route): the error that says so.

The usual cause is a base URL with a path (``https://aireiter.com/v1``): the SDK appends
``/api/v1/...`` and ``/api/openapi/...`` itself, so the request lands on the web site, which
answers with a page. The error names the URL it used, what came back, and the base URL it
expected (the configured URL's scheme and host; for a bare host, AIReiter's own).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ._constants import DEFAULT_BASE_URL, ERROR_BODY_PREVIEW_BYTES
from ._exceptions import APIResponseValidationError

__all__ = ["expected_base_url", "media_type", "not_the_api_error", "wrong_base_url_hint"]


def media_type(content_type: str | None) -> str:
    """``text/html; charset=utf-8`` -> ``text/html`` (``""`` when there is none)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def expected_base_url(configured: str) -> str:
    """The base URL the SDK expects instead of ``configured``: its scheme and host alone when
    it has a path, else AIReiter's host."""
    parts = urlsplit(configured)
    if parts.scheme and parts.netloc and parts.path not in ("", "/"):
        return f"{parts.scheme}://{parts.netloc}"
    return DEFAULT_BASE_URL


def wrong_base_url_hint(configured: str) -> str:
    """One sentence: the base URL looks wrong, what it is and what it should be."""
    expected = expected_base_url(configured)
    return (
        f"The base URL looks wrong: it is {configured!r}; set base_url / AIREITER_BASE_URL to "
        f"the API host alone, e.g. {expected!r} (the SDK adds /api/v1 and /api/openapi itself)."
    )


def _what(body: bytes, content_type: str) -> str:
    if not body:
        return "an empty body"
    if "html" in content_type or body.lstrip()[:15].lower().startswith((b"<!doctype", b"<html")):
        return f"an HTML page ({content_type or 'no content type'})"
    return f"a non-JSON body ({content_type or 'no content type'})"


def not_the_api_error(
    *,
    method: str,
    url: str,
    http_status: int,
    content_type: str | None,
    body: bytes,
    request_id: str | None,
    configured_base_url: str,
) -> APIResponseValidationError:
    """The :class:`APIResponseValidationError` for a 2xx answer that is not JSON (nor an event
    stream) on a route that only answers those.

    ``body`` (its start is kept as ``body_preview``) and ``request_id`` must come redacted
    (``aireiter._transport._redact.redact``): a page may echo the request's key, and this
    module sits below the transport, so it cannot redact them itself.
    """
    kind = media_type(content_type)
    return APIResponseValidationError(
        f"Expected JSON from {method} {url} but got {_what(body, kind)} with HTTP "
        f"{http_status}: this is not the AIReiter API. {wrong_base_url_hint(configured_base_url)}",
        status_code=http_status,
        content_type=kind or None,
        body_preview=body[:ERROR_BODY_PREVIEW_BYTES].decode("utf-8", errors="replace"),
        request_id=request_id,
        method=method,
        url=url,
    )
