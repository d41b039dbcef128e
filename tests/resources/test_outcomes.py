"""The rules of an ambiguous submit: is it ambiguous, is a found task this call's."""

from __future__ import annotations

from typing import Any

import pytest

from aireiter import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    RateLimitError,
)
from aireiter._models import Task, TaskStatus
from aireiter.resources._outcomes import (
    conflict_error,
    is_ambiguous_submit_error,
    note_outcome_unknown,
    request_mismatch,
)


@pytest.mark.parametrize(
    ("error", "ambiguous"),
    [
        (APIConnectionError("reset after send"), True),
        (APIConnectionError("refused", request_sent=False), False),
        (APITimeoutError(), True),
        (InternalServerError("x", status_code=503), True),
        (BadRequestError("x", status_code=408), True),
        (APIResponseValidationError("cut", status_code=200), True),
        (APIResponseValidationError("page", status_code=404), False),
        (RateLimitError("x", status_code=429), False),
        (ConflictError("x", status_code=409), False),
    ],
)
def test_which_failed_submits_may_have_created_the_task(error: Exception, ambiguous: bool) -> None:
    """Sent without an answer, 408, 5xx, an unreadable 2xx: the task may exist."""
    assert is_ambiguous_submit_error(error) is ambiguous


def _task(echo: dict[str, Any] | None) -> Task:
    return Task(out_task_id="t-1", status=TaskStatus.PENDING, input=echo, raw={"x": 1})


SENT = {"prompt": "a fox", "n": (1, 2)}


@pytest.mark.parametrize(
    ("echo", "differs"),
    [
        (None, None),
        ({"model": "gpt_4o"}, None),
        ({"model": "gpt_4o", "params": {"prompt": "a fox", "n": [1, 2]}}, None),
        ({"model": "gpt_4o", "params": {"prompt": "a fox", "n": [1, 2], "show_public": 0}}, None),
        ({"model": "sora2", "params": {"prompt": "a fox", "n": [1, 2]}}, "model"),
        ({"model": "gpt_4o", "params": {"prompt": "a cat", "n": [1, 2]}}, "prompt"),
        ({"model": "gpt_4o", "params": {"prompt": "a fox"}}, "'n'"),
        ({"model": "gpt_4o", "params": {"prompt": "a fox", "n": [1, 2], "seed": 7}}, "seed"),
    ],
)
def test_a_found_task_is_this_calls_only_when_its_echo_matches(
    echo: dict[str, Any] | None, differs: str | None
) -> None:
    """Model and params are compared as sent (JSON values); the API's own echo fields and a
    missing echo do not count; anything else different names what differs."""
    why = request_mismatch(_task(echo), "gpt_4o", SENT)
    if differs is None:
        assert why is None
    else:
        assert why is not None
        assert differs in why


def test_the_conflict_and_the_unknown_outcome_name_the_id() -> None:
    """Both errors name the out_task_id; the note is added once."""
    conflict = conflict_error(_task({"model": "sora2"}), "t-1", "its model is 'sora2'")
    assert "t-1" in str(conflict)
    assert conflict.out_task_id == "t-1"
    error = APITimeoutError()
    note_outcome_unknown(error, "t-1", "why")
    note_outcome_unknown(error, "t-1", "why")
    assert str(error).count("t-1") == 2  # "submit of 't-1'" and "query out_task_id 't-1'"
    assert error.out_task_id == "t-1"
    assert "later" in str(error)
