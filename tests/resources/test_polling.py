"""The rules of wait(): which failed queries it polls through, its schedule, its arguments."""

from __future__ import annotations

import pytest

from aireiter import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    ParamError,
    PermissionDeniedError,
    RateLimitError,
)
from aireiter._exceptions import ResponseTooLargeError
from aireiter.resources._polling import (
    check_wait_arguments,
    is_transient_poll_error,
    poll_delays,
)
from aireiter.testing import time_scale


def _status(cls: type[Exception], code: int) -> Exception:
    return cls("x", status_code=code)


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (APIConnectionError("reset"), True),
        (APIConnectionError("refused", request_sent=False), True),
        (APITimeoutError(), True),
        (_status(InternalServerError, 500), True),
        (_status(InternalServerError, 503), True),
        (_status(RateLimitError, 429), True),
        (_status(BadRequestError, 408), True),
        (APIResponseValidationError("cut", status_code=200, content_type="application/json"), True),
        (APIResponseValidationError("page", status_code=200, content_type="text/html"), False),
        (APIResponseValidationError("empty", status_code=200, content_type=None), False),
        (
            ResponseTooLargeError(
                "big", status_code=200, limit=10, content_type="application/json"
            ),
            False,
        ),
        (_status(AuthenticationError, 401), False),
        (_status(PermissionDeniedError, 403), False),
        (_status(NotFoundError, 400), False),
        (_status(BadRequestError, 400), False),
        (ParamError.single("x", 1, "bad"), False),
    ],
)
def test_which_failed_queries_a_wait_polls_through(error: Exception, transient: bool) -> None:
    """No answer, 408/429/5xx and a cut JSON answer pass; a refused key, "not found", a
    refused request and an answer that is not the API's end the wait."""
    assert is_transient_poll_error(error) is transient


def test_poll_delays_grow_to_their_cap_with_jitter() -> None:
    """interval, then times backoff up to the cap, each within +/-10%."""
    delays = poll_delays(1.0, 2.0, 5.0)
    seen = [next(delays) for _ in range(6)]
    for got, base in zip(seen, [1, 2, 4, 5, 5, 5], strict=True):
        assert base * 0.9 <= got <= base * 1.1


def test_time_scale_is_read_by_the_schedule_helper() -> None:
    """time_scale() reads the SDK's switch (1.0 unless set)."""
    from aireiter.resources._polling import time_scale as read_scale

    assert read_scale() == 1.0
    with time_scale(0.01):
        assert read_scale() == 0.01


def test_every_bad_wait_argument_is_named() -> None:
    """All problems at once, each naming its argument."""
    with pytest.raises(ParamError) as info:
        check_wait_arguments(None, "", "soon", 0, -1, True)
    fields = [issue.field for issue in info.value.issues]
    assert fields == [
        "task_id",
        "timeout",
        "poll_interval",
        "max_poll_interval",
        "backoff",
    ]
    with pytest.raises(ParamError) as neither:
        check_wait_arguments(None, None, 1, 1, 1, 1)
    assert neither.value.field == "out_task_id"
    check_wait_arguments("ok-1", None, None, 0.1, 1, 1)  # all good: no error
