"""Turning an HTTP answer into data or a typed error.

Rules (the API reports most failures inside HTTP 200):

1. A body that is not JSON (an HTML page for a wrong route, broken JSON) is an
   :class:`APIResponseValidationError` showing the status, content type and first bytes.
2. HTTP non-2xx is an error mapped by the HTTP status; the message comes from the envelope's
   ``message``, an OpenAI-style ``error.message``, or the body text.
3. HTTP 2xx with an envelope: success iff ``statusCode`` (or, when absent, ``code``) is 2xx;
   otherwise an error mapped by that business code. ``ok`` is never looked at (the API sends
   ``"ok": true`` with errors).
4. HTTP 2xx JSON with neither ``statusCode`` nor ``code``: not an envelope; an error. A
   ``statusCode`` is read tolerantly (``200``, ``"200"``, ``200.0``); one that is no HTTP-like
   status at all (``-1``, ``10**30``, ``"ok"``) is an :class:`APIResponseValidationError`.

Nothing here raises anything but an ``aireiter`` error, whatever the body holds (deep nesting,
huge numbers, invalid UTF-8), and every text an error keeps from the answer (message, body,
preview) is redacted: a proxy that echoes the request's ``Authorization`` header does not put
the key into an exception.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from .._constants import ERROR_BODY_PREVIEW_BYTES
from .._exceptions import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._redact import redact

__all__ = [
    "decode_json_body",
    "error_message_from_body",
    "json_preview",
    "make_status_error",
    "redact_body",
    "unwrap_envelope",
]

_NOT_FOUND_HINTS = ("not found", "not exist", "no such")
_CREDIT_HINTS = ("credit", "balance", "insufficient")
_MAX_MESSAGE_CHARS = 1000  # a server message longer than this is cut in errors
_DECODE_ERRORS = (ValueError, UnicodeDecodeError, RecursionError, MemoryError)


def _preview(body: bytes) -> str:
    return redact(body[:ERROR_BODY_PREVIEW_BYTES].decode("utf-8", errors="replace"))


def json_preview(value: Any) -> str:
    """The start of ``value`` as JSON text, redacted; never raises."""
    try:
        text = json.dumps(value, default=str)
    except (ValueError, TypeError, RecursionError):
        text = f"<{type(value).__name__}>"
    return redact(text[:ERROR_BODY_PREVIEW_BYTES])


def redact_body(body: Any) -> Any:
    """``body`` unchanged when no secret is in it, else a redacted copy (or redacted text)."""
    if body is None or isinstance(body, (bool, int, float)):
        return body
    if isinstance(body, str):
        return redact(body)
    try:
        text = json.dumps(body, default=str)
    except (ValueError, TypeError, RecursionError):
        return json_preview(body)
    cleaned = redact(text)
    if cleaned == text:
        return body
    try:
        return json.loads(cleaned)
    except _DECODE_ERRORS:
        return cleaned


def decode_json_body(
    body: bytes,
    *,
    http_status: int,
    content_type: str | None,
    request_id: str | None,
    method: str | None = None,
    url: str | None = None,
    out_task_id: str | None = None,
) -> Any:
    """The decoded JSON of ``body``, or :class:`APIResponseValidationError` when it is not JSON.

    ``content_type`` may be the raw header (``text/html; charset=utf-8``): only its media type
    is reported, and it is parsed only on failure.
    """
    try:
        return json.loads(body)
    except _DECODE_ERRORS:
        pass  # raised below, outside ``except``: the decoder's error holds the whole body
    if content_type:
        content_type = content_type.split(";", 1)[0].strip().lower() or None
    kind = "an empty body" if not body else f"a non-JSON body ({content_type or 'no content type'})"
    raise APIResponseValidationError(
        f"Expected JSON from {method} {url} but got {kind} with HTTP {http_status}. "
        "A wrong base URL or route answers with an HTML page.",
        status_code=http_status,
        content_type=content_type,
        body_preview=_preview(body),
        request_id=None if request_id is None else redact(request_id),
        method=method,
        url=url,
        out_task_id=out_task_id,
    )


def error_message_from_body(body: Any) -> str:
    """The human message of an error body in any of the formats the API family uses, redacted
    and cut to a readable length."""
    message = _raw_message(body)
    if not message:
        return ""
    return redact(message[:_MAX_MESSAGE_CHARS])


def _raw_message(body: Any) -> str:
    if isinstance(body, Mapping):
        message = body.get("message")
        if isinstance(message, str) and message:
            return message
        error = body.get("error")
        if isinstance(error, Mapping):
            inner = error.get("message")
            if isinstance(inner, str):
                return inner
        if isinstance(error, str) and error:
            return error
        detail = body.get("detail")
        if isinstance(detail, str):
            return detail
    if isinstance(body, str):
        return body[:ERROR_BODY_PREVIEW_BYTES]
    return ""


def _error_class(code: int, message: str) -> type[APIStatusError]:
    lowered = message.lower()
    if code == 400:
        if any(hint in lowered for hint in _NOT_FOUND_HINTS):
            return NotFoundError
        return BadRequestError
    if code in (402, 433):
        return InsufficientCreditsError
    if code == 401:
        return AuthenticationError
    if code == 403:
        if any(hint in lowered for hint in _CREDIT_HINTS) and "not enough" in lowered:
            return InsufficientCreditsError
        return PermissionDeniedError
    if code == 404:
        return NotFoundError
    if code == 409:
        return ConflictError
    if code == 422:
        return UnprocessableEntityError
    if code == 429:
        return RateLimitError
    if code >= 500:
        return InternalServerError
    return APIStatusError


def make_status_error(
    code: int,
    message: str,
    *,
    http_status: int,
    request_id: str | None,
    body: Any,
    method: str | None = None,
    url: str | None = None,
    out_task_id: str | None = None,
    retry_after: float | None = None,
) -> APIStatusError:
    """The typed error for business or HTTP status ``code`` (see the error tree)."""
    cls = _error_class(code, message)
    error = cls(
        redact(message) if message else f"HTTP {http_status}",  # an answer may quote the key
        status_code=code,
        http_status=http_status,
        request_id=None if request_id is None else redact(request_id),
        body=redact_body(body),
        method=method,
        url=url,
        out_task_id=out_task_id,
    )
    error.retry_after = retry_after
    return error


def _as_int(value: Any) -> int | None:
    """An integer status from ``200``, ``"200"`` or ``200.0``; ``None`` for anything else."""
    if type(value) is int:  # the common case, first
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if text.isdecimal() and len(text) <= 6:
            return int(text)
    return None


def unwrap_envelope(
    body: Any,
    *,
    http_status: int,
    request_id: str | None,
    method: str | None = None,
    url: str | None = None,
    out_task_id: str | None = None,
) -> Any:
    """The ``data`` of a successful envelope, or the typed error its ``statusCode`` names."""
    if type(body) is not dict and not isinstance(body, Mapping):  # exact type first: hot path
        raise APIResponseValidationError(
            f"Expected a JSON object envelope, got {type(body).__name__}.",
            status_code=http_status,
            content_type="application/json",
            body_preview=json_preview(body),
            request_id=request_id,
            method=method,
            url=url,
            out_task_id=out_task_id,
        )
    code = _as_int(body.get("statusCode"))
    if code is None:
        code = _as_int(body.get("code"))
    if code is None or not 100 <= code <= 999:
        raw = body.get("statusCode", body.get("code"))
        problem = (
            "has neither statusCode nor code"
            if raw is None
            else f"has a statusCode that is not a status ({json_preview(raw)[:40]})"
        )
        raise APIResponseValidationError(
            f"Response envelope {problem}.",
            status_code=http_status,
            content_type="application/json",
            body_preview=json_preview(body),
            request_id=request_id,
            method=method,
            url=url,
            out_task_id=out_task_id,
        )
    if 200 <= code < 300:
        return body.get("data")
    raise make_status_error(
        code,
        error_message_from_body(body),
        http_status=http_status,
        request_id=request_id,
        body=body,
        method=method,
        url=url,
        out_task_id=out_task_id,
    )
