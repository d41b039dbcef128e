"""Checks of the task API's own fields, run before anything is sent."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from .._constants import OUT_TASK_ID_PATTERN
from .._exceptions import ParamError, ParamIssue

__all__ = ["check_submit_fields", "new_out_task_id", "validate_out_task_id"]

_OUT_TASK_ID_RULE = "1 to 64 characters from A-Z a-z 0-9 _ -"


def new_out_task_id() -> str:
    """A fresh, unique ``out_task_id`` (32 hex characters)."""
    return uuid.uuid4().hex


def validate_out_task_id(value: Any, field: str = "out_task_id") -> str:
    """``value`` if it is a valid ``out_task_id``, else :class:`ParamError`."""
    if not isinstance(value, str) or OUT_TASK_ID_PATTERN.fullmatch(value) is None:
        raise ParamError.single(field, value, "is not a valid task id", allowed=_OUT_TASK_ID_RULE)
    return value


def check_submit_fields(
    *,
    model: Any,
    params: Any,
    out_task_id: Any,
    callback_url: Any,
    metadata: Any,
    check_json: bool = True,
) -> None:
    """Every problem with a submit's top-level fields, raised together as one ParamError.

    ``check_json=False`` skips encoding ``params`` to prove they are JSON: for a caller that
    encodes the request body right after and reports that failure itself.
    """
    issues: list[ParamIssue] = []
    if not isinstance(model, str) or not model.strip():
        issues.append(ParamIssue("model", model, "must be a non-empty model id", "e.g. 'sora2'"))
    if not isinstance(params, Mapping):
        issues.append(
            ParamIssue("params", params, "must be a mapping of parameter names to values")
        )
    elif check_json:
        try:
            json.dumps(params)
        except (TypeError, ValueError) as exc:
            issues.append(ParamIssue("params", params, f"is not JSON-serialisable: {exc}"))
    if out_task_id is not None and (
        not isinstance(out_task_id, str) or OUT_TASK_ID_PATTERN.fullmatch(out_task_id) is None
    ):
        issues.append(
            ParamIssue("out_task_id", out_task_id, "is not a valid task id", _OUT_TASK_ID_RULE)
        )
    if callback_url is not None and (
        not isinstance(callback_url, str) or not callback_url.startswith(("http://", "https://"))
    ):
        issues.append(ParamIssue("callback_url", callback_url, "must be an http(s) URL"))
    if metadata is not None:
        if not isinstance(metadata, Mapping):
            issues.append(ParamIssue("metadata", metadata, "must be a mapping (a JSON object)"))
        else:
            try:
                json.dumps(metadata)
            except (TypeError, ValueError) as exc:
                issues.append(ParamIssue("metadata", metadata, f"is not JSON-serialisable: {exc}"))
    if issues:
        raise ParamError(issues, model=model if isinstance(model, str) else None)
