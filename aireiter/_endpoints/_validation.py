"""Checks of the task API's own fields, run before anything is sent, and the ``out_task_id``
helpers: a fresh id, and :func:`task_id_for`, a valid id for any business key."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

from .._constants import OUT_TASK_ID_MAX_LENGTH, OUT_TASK_ID_PATTERN
from .._exceptions import ParamError, ParamIssue

__all__ = ["check_submit_fields", "new_out_task_id", "task_id_for", "validate_out_task_id"]

_OUT_TASK_ID_RULE = (
    "1 to 64 characters from A-Z a-z 0-9 _ -; "
    "aireiter.task_id_for(key) maps any other key (e.g. 'ORDER.2025.0001') to a valid id"
)
_HASH_CHARS = 16
_SLUG_CHARS = OUT_TASK_ID_MAX_LENGTH - _HASH_CHARS - 1
_NOT_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


def new_out_task_id() -> str:
    """A fresh, unique ``out_task_id`` (32 hex characters)."""
    return uuid.uuid4().hex


def task_id_for(business_key: str) -> str:
    """A valid ``out_task_id`` for any string, e.g. your order number: the same key gives the
    same id in every process, on every machine and in every version of the SDK.

    The id is ``<slug>-<hash>``: the slug is the key with accents dropped and each run of
    characters outside ``A-Z a-z 0-9 _ -`` turned into one ``-`` (trimmed, at most 47
    characters); the hash is the first 16 hex digits of the SHA-256 of the key's UTF-8 bytes,
    so keys with the same slug still get different ids. A key with no usable character gives
    the hash alone. The result always matches ``[A-Za-z0-9_-]{1,64}``::

        >>> task_id_for("ORDER.2025.0001")
        'ORDER-2025-0001-0a165b0cb98ee8f8'

    Keep the mapping in one place (this function) and query with its result: the API knows
    only the id.
    """
    if not isinstance(business_key, str):
        raise ParamError.single("business_key", business_key, "must be a string")
    digest = hashlib.sha256(business_key.encode("utf-8", "surrogatepass")).hexdigest()
    ascii_key = unicodedata.normalize("NFKD", business_key).encode("ascii", "ignore").decode()
    slug = _NOT_ID_CHARS.sub("-", ascii_key).strip("-")[:_SLUG_CHARS].rstrip("-")
    return f"{slug}-{digest[:_HASH_CHARS]}" if slug else digest[:_HASH_CHARS]


def validate_out_task_id(value: Any, field: str = "out_task_id") -> str:
    """``value`` if it is a valid ``out_task_id``, else :class:`ParamError` (whose message
    points at :func:`task_id_for`)."""
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
