"""The envelope rules: what is data and which typed error each failure becomes."""

from __future__ import annotations

from typing import Any

import pytest

from aireiter import (
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
)
from aireiter._transport._envelope import decode_json_body, unwrap_envelope


def _unwrap(body: Any, http_status: int = 200) -> Any:
    return unwrap_envelope(body, http_status=http_status, request_id="req-1")


def test_success_envelope_returns_data() -> None:
    """statusCode 200 gives the data object."""
    assert _unwrap({"statusCode": 200, "message": "", "data": {"a": 1}}) == {"a": 1}


def test_code_shape_and_list_data_are_accepted() -> None:
    """The ``code`` + list ``data`` shape of one documented page is a success too."""
    body = {"code": 200, "data": [{"status": "submitted", "task_id": "task_1"}]}
    assert _unwrap(body) == [{"status": "submitted", "task_id": "task_1"}]


@pytest.mark.parametrize(
    ("code", "message", "cls"),
    [
        (400, "api task not found", NotFoundError),
        (400, "params.aspect_ratio invalid", BadRequestError),
        (401, "invalid api key", AuthenticationError),
        (402, "payment required", InsufficientCreditsError),
        (433, "not enough credits", InsufficientCreditsError),
        (403, "forbidden", PermissionDeniedError),
        (404, "nope", NotFoundError),
        (409, "out_task_id already exists", ConflictError),
        (429, "slow down", RateLimitError),
        (500, "boom", InternalServerError),
        (503, "busy", InternalServerError),
        (418, "teapot", APIStatusError),
    ],
)
def test_business_errors_inside_http_200(
    code: int, message: str, cls: type[APIStatusError]
) -> None:
    """A non-2xx statusCode in an HTTP 200 body is the typed error for that code."""
    with pytest.raises(cls) as info:
        _unwrap({"ok": True, "statusCode": code, "message": message, "data": None})
    error = info.value
    assert type(error) is cls
    assert error.status_code == code
    assert error.http_status == 200
    assert error.message == message
    assert error.request_id == "req-1"
    assert message in str(error)
    assert "req-1" in str(error)


def test_envelope_without_status_is_a_validation_error() -> None:
    """JSON that is not an envelope is not silently taken as data."""
    with pytest.raises(APIResponseValidationError):
        _unwrap({"data": {}})
    with pytest.raises(APIResponseValidationError):
        _unwrap([1, 2])


def test_html_body_is_a_typed_error_with_preview() -> None:
    """An HTML page (wrong route) is APIResponseValidationError with status, type and preview."""
    html = b"<!DOCTYPE html><html><body>AIReiter - create with AI</body></html>"
    with pytest.raises(APIResponseValidationError) as info:
        decode_json_body(html, http_status=200, content_type="text/html", request_id=None)
    error = info.value
    assert error.status_code == 200
    assert error.content_type == "text/html"
    assert error.body_preview.startswith("<!DOCTYPE html>")
    assert "text/html" in str(error)
    assert not isinstance(error.__cause__, ValueError)


def test_truncated_json_is_a_typed_error() -> None:
    """Broken JSON never surfaces as a bare JSONDecodeError."""
    with pytest.raises(APIResponseValidationError) as info:
        decode_json_body(
            b'{"statusCode": 200, "da',
            http_status=200,
            content_type="application/json",
            request_id="r",
        )
    assert info.value.body_preview == '{"statusCode": 200, "da'
