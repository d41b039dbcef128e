"""What a failed submit says about its task: pure rules shared by submit and the tracker.

- :func:`is_ambiguous_submit_error`: a failed submit may still have created the task;
- :func:`request_mismatch`: how a task found under an ``out_task_id`` differs from the request
  this call sent (a task this call did not create is a conflict, never a result);
- :func:`note_outcome_unknown`: the words an ambiguous submit's error gains when nothing can
  tell whether the task exists.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from .._exceptions import (
    AIReiterError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    ConflictError,
)
from .._models import Task

__all__ = [
    "ECHO_ONLY_PARAMS",
    "conflict_error",
    "is_ambiguous_submit_error",
    "note_outcome_unknown",
    "request_mismatch",
]

ECHO_ONLY_PARAMS: Final = frozenset({"show_public"})
"""Keys the API adds to a task's ``input.params`` echo on its own (the documented example
shows ``show_public``); they are not a sign of another request."""

_NOTED = "_aireiter_outcome_noted"


def is_ambiguous_submit_error(error: BaseException) -> bool:
    """True when a failed submit may still have created the task on the server: the request
    went out but no answer came, a 408/5xx, or a 2xx whose body could not be read."""
    if isinstance(error, APIConnectionError):
        return error.request_sent
    if isinstance(error, APIResponseValidationError):
        # The server answered 2xx but the body was unreadable: it most likely did the work.
        return 200 <= error.status_code < 300
    if isinstance(error, APIStatusError):
        return error.status_code == 408 or error.status_code >= 500
    return False


def _json_value(value: Any) -> Any:
    """``value`` as it travels (tuples become lists ...), for comparing with an echo."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return value


def request_mismatch(task: Task, model: str | None, params: Mapping[str, Any] | None) -> str | None:
    """How ``task`` (found under this call's ``out_task_id``) differs from the request this
    call sent, or ``None`` when nothing shows it is another request's.

    Only what the task's ``input`` echo carries is compared: its ``model`` with ``model``,
    its ``params`` with ``params`` key by key (a sent key missing from the echo, a different
    value, or a key the echo has that was not sent, apart from :data:`ECHO_ONLY_PARAMS`). A
    task without an echo cannot be told apart and is taken as this call's.
    """
    echo = task.input
    if echo is None:
        return None
    found_model = echo.get("model")
    if model is not None and isinstance(found_model, str) and found_model != model:
        return f"its model is {found_model!r}, this call sent {model!r}"
    found_params = echo.get("params")
    if params is None or not isinstance(found_params, Mapping):
        return None
    sent = _json_value(dict(params))
    for key, value in sent.items():
        if key not in found_params:
            if value is not None:
                return f"its params lack {key!r}"
        elif found_params[key] != value:
            return f"its params[{key!r}] is {found_params[key]!r}, this call sent {value!r}"
    for key in found_params:
        if key not in sent and key not in ECHO_ONLY_PARAMS:
            return f"its params have {key!r}, which this call did not send"
    return None


def conflict_error(task: Task, out_task_id: str, why: str) -> ConflictError:
    """The error for an ``out_task_id`` that already names a task this call did not create."""
    return ConflictError(
        f"out_task_id {out_task_id!r} already names another task ({why}); this call did not "
        "create it and returns none of its results. Use a new out_task_id, or query "
        f"{out_task_id!r} to see that task",
        status_code=409,
        body=dict(task.raw),
        out_task_id=out_task_id,
    )


def note_outcome_unknown(error: AIReiterError, out_task_id: str, reason: str) -> AIReiterError:
    """``error`` (an ambiguous submit's), its message extended once to name ``out_task_id``
    and say the outcome is unknown, for ``reason``; returned for ``raise``."""
    if getattr(error, _NOTED, False):
        return error
    note = (
        f"{error.message} -- submit of out_task_id {out_task_id!r}: {reason}; the task may "
        f"exist: query out_task_id {out_task_id!r} later before sending it again"
    )
    error.message = note
    error.args = (note, *error.args[1:])
    if getattr(error, "out_task_id", None) is None:
        error.out_task_id = out_task_id  # type: ignore[attr-defined]
    setattr(error, _NOTED, True)
    return error
