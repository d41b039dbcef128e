"""Reading a Messages answer: the JSON object or the error inside it, and the checks that turn
an unreadable streamed answer (an HTML page, JSON instead of events) into a typed error."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import aiohttp

from .._constants import ERROR_BODY_PREVIEW_BYTES
from .._exceptions import APIResponseValidationError, APIStatusError
from .._not_the_api import media_type, not_the_api_error
from .._transport import APIResponse
from .._transport._envelope import make_status_error, unwrap_envelope
from .._transport._http import request_id_of  # redacted
from .._transport._redact import redact

_REDACT_MARGIN: Final = 256  # read this much past a preview, so no cut leaves part of a key


def _preview(body: bytes) -> str:
    """The start of ``body`` as an error shows it, redacted before it is cut."""
    text = body[: ERROR_BODY_PREVIEW_BYTES + _REDACT_MARGIN].decode("utf-8", errors="replace")
    return redact(text)[:ERROR_BODY_PREVIEW_BYTES]


__all__ = [
    "anthropic_error",
    "check_stream_answer",
    "checked_answer",
    "unreadable",
    "with_base_url_hint",
]

_MAX_NON_STREAM_BYTES: Final = 1024 * 1024  # read at most this of a non-stream answer to a stream
_ERROR_TYPE_STATUS: Final = {  # Anthropic error type -> HTTP status it stands for
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


def anthropic_error(
    data: Mapping[str, Any], *, http_status: int, request_id: str | None, url: str
) -> APIStatusError:
    """The typed error for an Anthropic ``{"type": "error", "error": {...}}`` object."""
    raw_error = data.get("error")
    error: Mapping[str, Any] = raw_error if isinstance(raw_error, Mapping) else {}
    kind = str(error.get("type", "api_error"))
    return make_status_error(
        _ERROR_TYPE_STATUS.get(kind, 500),
        str(error.get("message") or kind),
        http_status=http_status,
        request_id=request_id,
        body=dict(data),
        method="POST",
        url=url,
    )


def checked_answer(answer: APIResponse, url: str) -> Any:
    """The answer's JSON object, or the typed error it carries inside HTTP 2xx: an AIReiter
    envelope with an error ``statusCode`` (as the task API sends) or an Anthropic ``type:
    error``. JSON that is not an object is an :class:`APIResponseValidationError`."""
    data = answer.data
    if not isinstance(data, Mapping):
        raise APIResponseValidationError(
            f"Expected a JSON object from POST {url}, got {type(data).__name__}.",
            status_code=answer.http_status,
            content_type="application/json",
            body_preview=repr(data)[:ERROR_BODY_PREVIEW_BYTES],
            request_id=answer.request_id,
            method="POST",
            url=url,
        )
    if data.get("type") == "message":
        return data
    if data.get("type") == "error":
        raise anthropic_error(
            data, http_status=answer.http_status, request_id=answer.request_id, url=url
        )
    if "statusCode" in data or "code" in data:  # an envelope: its error, or its data
        data = unwrap_envelope(
            data,
            http_status=answer.http_status,
            request_id=answer.request_id,
            method="POST",
            url=url,
        )
        if not isinstance(data, Mapping) or data.get("type") == "message":
            return data
    if isinstance(data.get("error"), Mapping):  # an error object without its "type": "error"
        raise anthropic_error(
            data, http_status=answer.http_status, request_id=answer.request_id, url=url
        )
    if isinstance(data.get("content"), list):  # a message that does not say its type
        return data
    raise APIResponseValidationError(
        f"Expected a Messages answer from POST {url} (an object with 'type': 'message' and "
        f"'content'), got an object with keys {sorted(map(str, data))[:8]}.",
        status_code=answer.http_status,
        content_type="application/json",
        body_preview=redact(repr(dict(data)))[:ERROR_BODY_PREVIEW_BYTES],
        request_id=answer.request_id,
        method="POST",
        url=url,
    )


def unreadable(
    response: aiohttp.ClientResponse, message: str, preview: str
) -> APIResponseValidationError:
    """The error for a streamed answer that cannot be read (``message`` says why)."""
    return APIResponseValidationError(
        message,
        status_code=response.status,
        content_type=response.content_type,
        body_preview=preview[:ERROR_BODY_PREVIEW_BYTES],
        request_id=request_id_of(response.headers),
        method="POST",
        url=str(response.url),
    )


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """At most :data:`_MAX_NON_STREAM_BYTES` of the body (an error page needs no more)."""
    chunks: list[bytes] = []
    size = 0
    while size <= _MAX_NON_STREAM_BYTES and (chunk := await response.content.read(65536)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


async def check_stream_answer(response: aiohttp.ClientResponse, base_url: str) -> None:
    """Raise the right error when a 2xx answer to a stream request is not an event stream:
    an HTML page (the base URL is wrong) or JSON (an error in an envelope, or no stream)."""
    kind = media_type(response.headers.get("Content-Type"))
    if kind == "text/event-stream" or not ("html" in kind or kind.endswith("json")):
        return  # read it as events (a stream under another type still works)
    body = await _read_capped(response)
    url = str(response.url)
    if "html" in kind:
        raise not_the_api_error(
            method="POST",
            url=url,
            http_status=response.status,
            content_type=response.headers.get("Content-Type"),
            body=_preview(body).encode(),
            request_id=request_id_of(response.headers),
            configured_base_url=base_url,
        )
    preview = _preview(body)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise unreadable(response, f"The answer to POST {url} is not JSON.", preview) from None
    request_id = request_id_of(response.headers)
    answer = APIResponse(
        data=data, body=data, http_status=response.status, headers={}, request_id=request_id
    )
    checked_answer(answer, url)  # raises the error an error answer carries
    raise unreadable(
        response, f"Expected an event stream from POST {url}, got a JSON answer.", preview
    )


def with_base_url_hint(
    error: APIResponseValidationError, base_url: str
) -> APIResponseValidationError:
    """``error`` (an unreadable answer) as the "base URL looks wrong" error when the answer
    was not JSON at all (a page), else unchanged."""
    if type(error) is not APIResponseValidationError or (error.content_type or "").endswith("json"):
        return error  # broken JSON, or a subclass with its own meaning (an answer too large)
    return not_the_api_error(
        method=error.method or "POST",
        url=error.url or "",
        http_status=error.status_code,
        content_type=error.content_type,
        body=error.body_preview.encode(),
        request_id=error.request_id,
        configured_base_url=base_url,
    )
