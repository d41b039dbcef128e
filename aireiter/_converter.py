"""The one cattrs converter of aireiter, and the functions that use it.

Library code never calls ``cattrs.structure`` or the global converter; it calls the helpers here.

Hook rules (``configure_converter``):

- ``datetime``: ISO-8601 strings (``Z`` or an offset; a naive value is taken as UTC) and
  epoch numbers (or digit strings) in seconds, milliseconds, microseconds or nanoseconds (told
  apart by magnitude) become *aware* datetimes; anything else (garbage, out of range, NaN)
  becomes ``None``. The raw value always stays in ``raw``.
- ``TaskStatus``: any string; unknown values (and non-strings) become ``TaskStatus.UNKNOWN``.
- ``float | None`` credits: finite numbers and numeric strings; anything else becomes ``None``.
- ``TaskOutput``: ``{"url": ...}`` objects or bare URL strings; extra keys stay in ``raw``;
  an output whose URL is not a string is left out of ``outputs`` (it stays in ``raw``).
- ``str | None`` ids: numbers are turned into strings; empty strings become ``None``.
- request classes unstructure without ``None`` fields, so optional fields are left out; their
  ``params``/``metadata`` mappings are JSON values and pass through uncopied.
- Unknown response fields are never an error: response objects keep the whole input in ``raw``.

None of these ever raises on an odd value (huge numbers, deep nesting, wrong types): an answer
the SDK cannot read in full is kept as it came, with ``None`` where a typed field could not be
read. The request and task functions are written out by hand (no cattrs round trip): they are
on the hot path of every submit and query; the converter's hooks use the same per-field rules.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn

from ._models import Balance, QueryRequest, SubmitRequest, Task, TaskOutput, TaskStatus

__all__ = [
    "configure_converter",
    "make_converter",
    "other_task_in",
    "structure_balance",
    "structure_task",
    "unstructure_request",
]


# Epoch magnitudes: below 1e11 seconds (until year 5138), below 1e14 milliseconds, below 1e17
# microseconds, below 1e20 nanoseconds. Anything larger is not read as a time.
_EPOCH_DIVISORS = ((1e11, 1.0), (1e14, 1e3), (1e17, 1e6), (1e20, 1e9))


def _from_epoch(value: float) -> datetime | None:
    if not math.isfinite(value):
        return None
    magnitude = abs(value)
    for limit, divisor in _EPOCH_DIVISORS:
        if magnitude < limit:
            try:
                return datetime.fromtimestamp(value / divisor, tz=timezone.utc)
            except (OverflowError, OSError, ValueError):
                return None
    return None


def _iso_utc(text: str) -> datetime | None:
    """``parse_datetime`` for a string, with the common ISO form (``...Z``) first."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return parse_datetime(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from an ISO string or an epoch number (seconds, ms, us or ns), or
    ``None`` if it is not one. Never raises."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return _from_epoch(float(value))
        except OverflowError:
            return None
    if isinstance(value, str):
        try:  # the common case, tried first: Python 3.11+ reads a trailing "Z" itself
            parsed = datetime.fromisoformat(value)
        except ValueError:
            text = value.strip()
            if text and len(text) <= 24 and text.lstrip("-").replace(".", "", 1).isdecimal():
                return _from_epoch(float(text))
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def _to_float(value: Any) -> float | None:
    """A finite float from a number or numeric string; ``None`` for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, str)):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return None
        return number if math.isfinite(number) else None
    return None


def _to_opt_str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (ValueError, TypeError, RecursionError):
        return f"<{type(value).__name__}>"


def _to_output(value: Any) -> TaskOutput | None:
    if isinstance(value, str):
        return TaskOutput(url=value, raw={"url": value})
    if isinstance(value, Mapping):
        url = value.get("url")
        if isinstance(url, str) and url:
            return TaskOutput(url=url, raw=dict(value))
    return None


def _to_mapping(value: Any) -> Mapping[str, Any] | None:
    if value is None:
        return None
    return dict(value) if isinstance(value, Mapping) else None


_JSON_MAPPINGS: tuple[Any, ...] = (Mapping[str, Any], Mapping[str, Any] | None)


def _is_json_mapping(type_: Any) -> bool:
    return type_ in _JSON_MAPPINGS


def _identity(value: Any) -> Any:
    return value


_STATUS_BY_VALUE: dict[Any, TaskStatus] = {status.value: status for status in TaskStatus}


def _to_status(value: Any) -> TaskStatus:
    """The status for an API value; a dict lookup first (``Enum.__call__`` is slow)."""
    if type(value) is not str:
        return TaskStatus.UNKNOWN
    status = _STATUS_BY_VALUE.get(value)
    return status if status is not None else TaskStatus(value)


def make_converter() -> cattrs.Converter:
    """A fresh converter with every aireiter hook installed."""
    converter = cattrs.Converter()
    configure_converter(converter)
    return converter


def configure_converter(converter: cattrs.Converter) -> None:
    """Install aireiter's hooks (listed in the module docstring) on ``converter``."""
    converter.register_structure_hook(datetime, lambda v, _: parse_datetime(v))
    converter.register_structure_hook(TaskStatus, lambda v, _: _to_status(v))
    converter.register_structure_hook(TaskOutput, lambda v, _: _to_output(v))

    # Request mappings (params, metadata) are JSON values, encoded right after: passed through
    # as they are, not copied item by item.
    converter.register_unstructure_hook_func(_is_json_mapping, _identity)
    # Every optional request field defaults to None, so "omit if default" leaves out exactly
    # the None fields; cattrs generates straight-line code for it (a submit's hot path).
    for cls in (SubmitRequest, QueryRequest):
        converter.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True)
        )


_CONVERTER = make_converter()


def unstructure_request(request: SubmitRequest | QueryRequest) -> dict[str, Any]:
    """The JSON body for a request object (``None`` fields left out).

    Written out by hand (a submit's hot path); the result equals what the converter's
    omit-if-default hook gives, which a test checks.
    """
    if type(request) is SubmitRequest:
        body: dict[str, Any] = {
            "model": request.model,
            "params": request.params,
            "out_task_id": request.out_task_id,
        }
        if request.callback_url is not None:
            body["callback_url"] = request.callback_url
        if request.metadata is not None:
            body["metadata"] = request.metadata
        return body
    if type(request) is QueryRequest:
        body = {}
        if request.out_task_id is not None:
            body["out_task_id"] = request.out_task_id
        if request.task_id is not None:
            body["task_id"] = request.task_id
        return body
    result: dict[str, Any] = _CONVERTER.unstructure(request)
    return result


def _first_object(data: Any) -> Mapping[str, Any] | None:
    """The task object of a ``data`` payload: a dict, or the first dict of a list."""
    if type(data) is dict or isinstance(data, Mapping):  # exact type first: hot path
        return data
    if isinstance(data, list):
        for item in data:
            if isinstance(item, Mapping):
                return item
    return None


def _raw_of(data: Any) -> dict[str, Any]:
    """What ``raw`` keeps of a payload: the object itself, or ``{"data": payload}`` when the
    payload is not an object (so an odd answer is never lost)."""
    found = _first_object(data)
    if found is not None:
        # A dict fresh from json.loads is nobody else's: keep it rather than copy it.
        return found if type(found) is dict else dict(found)
    return {} if data is None else {"data": data}


_BIG = 1e308  # a float strictly inside +/-_BIG is finite (NaN fails both comparisons)
_TASK_FIELDS = (
    "out_task_id",
    "status",
    "task_id",
    "model",
    "outputs",
    "estimated_credits",
    "credits_used",
    "error",
    "metadata",
    "input",
    "created_at",
    "completed_at",
    "raw",
    "request_id",
)
if tuple(field.name for field in attrs.fields(Task)) != _TASK_FIELDS:  # pragma: no cover
    raise ImportError("aireiter._converter is out of step with the fields of Task")
# The slot setters of Task (what attrs' __init__ reaches through object.__setattr__, one
# field at a time): a Task is built from them directly on the hot path, in ``_new_task``.
(
    _set_out_task_id,
    _set_status,
    _set_task_id,
    _set_model,
    _set_outputs,
    _set_estimated_credits,
    _set_credits_used,
    _set_error,
    _set_metadata,
    _set_input,
    _set_created_at,
    _set_completed_at,
    _set_raw,
    _set_request_id,
) = (Task.__dict__[name].__set__ for name in _TASK_FIELDS)


def _new_task(
    out_task_id: str,
    status: TaskStatus,
    task_id: str | None,
    model: str | None,
    outputs: tuple[TaskOutput, ...],
    estimated_credits: float | None,
    credits_used: float | None,
    error: str | None,
    metadata: Mapping[str, Any] | None,
    input: Mapping[str, Any] | None,
    created_at: datetime | None,
    completed_at: datetime | None,
    raw: Mapping[str, Any],
    request_id: str | None = None,
) -> Task:
    """A :class:`Task` equal to ``Task(out_task_id=..., ...)`` (a test checks it), made
    without attrs' keyword-argument ``__init__``: ``Task`` has no validators, converters or
    post-init, so setting its slots is all that ``__init__`` does."""
    task: Task = object.__new__(Task)
    _set_out_task_id(task, out_task_id)
    _set_status(task, status)
    _set_task_id(task, task_id)
    _set_model(task, model)
    _set_outputs(task, outputs)
    _set_estimated_credits(task, estimated_credits)
    _set_credits_used(task, credits_used)
    _set_error(task, error)
    _set_metadata(task, metadata)
    _set_input(task, input)
    _set_created_at(task, created_at)
    _set_completed_at(task, completed_at)
    _set_raw(task, raw)
    _set_request_id(task, request_id)
    return task


def structure_task(
    data: Any,
    *,
    out_task_id: str | None = None,
    model: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    request_id: str | None = None,
) -> Task:
    """A :class:`Task` from a submit or query ``data`` payload; never raises.

    ``out_task_id`` is the id the caller sent (a submit) or asked about (a query): it is
    authoritative, and the task keeps it whatever the payload echoes (the payload's own id is
    used only when none is given). Whether the payload is about another task is for the
    caller to check, with :func:`other_task_in`. ``model`` and ``metadata`` fill in what the
    payload leaves out (a submit answer does not always echo them, a query answer may carry no
    ``model``); ``request_id`` is the answer's. A payload that is not an object (``null``, a
    string, a list without an object) gives a task of status ``UNKNOWN`` with the payload
    kept as ``raw["data"]``. This is on the hot path of the tracker, so it is written out by
    hand rather than through cattrs' generic machinery, with the converter's per-field rules.
    """
    found = data if type(data) is dict else _first_object(data)
    raw: dict[str, Any]
    if type(found) is dict:
        raw = found
    else:
        raw = _raw_of(data)
        found = raw if found is not None else {}
    get = found.get
    # Each field: the common JSON type inline, anything else through the general rule.
    value = get("out_task_id")
    oid = value if type(value) is str and value else _to_opt_str(value)
    value = get("status")
    status = _STATUS_BY_VALUE.get(value) if type(value) is str else None
    if status is None:
        status = _to_status(value)
    value = get("task_id")
    task_id = value if type(value) is str and value else _to_opt_str(value)
    value = get("input")
    input_obj = value if type(value) is dict else _to_mapping(value)
    value = get("model")
    if value is None and input_obj is not None:
        value = input_obj.get("model")
    raw_model = value if type(value) is str and value else _to_opt_str(value)
    value = get("output")
    if value is None:
        value = get("outputs")
    outputs: tuple[TaskOutput, ...] = ()
    if value:
        if isinstance(value, (list, tuple)):
            outputs = tuple(o for o in map(_to_output, value) if o is not None)
        else:
            single = _to_output(value)
            outputs = (single,) if single is not None else ()
    value = get("estimated_credits")
    estimated = (
        value
        if value is None or (type(value) is float and -_BIG < value < _BIG)
        else _to_float(value)
    )
    value = get("credits_used")
    used = (
        value
        if value is None or (type(value) is float and -_BIG < value < _BIG)
        else _to_float(value)
    )
    created = get("created_at")
    if created is not None:
        created = _iso_utc(created) if type(created) is str else parse_datetime(created)
    completed = get("completed_at")
    if completed is not None:
        completed = _iso_utc(completed) if type(completed) is str else parse_datetime(completed)
    value = get("metadata")
    raw_metadata = value if value is None or type(value) is dict else _to_mapping(value)
    error = get("error") or get("error_message") or get("fail_reason")
    return _new_task(
        out_task_id or oid or "",
        status,
        task_id,
        raw_model or model,
        outputs,
        estimated,
        used,
        None if error is None else _to_opt_str(error),
        raw_metadata if raw_metadata is not None else metadata,
        input_obj,
        created,
        completed,
        raw,
        request_id,
    )


def other_task_in(
    task: Task, *, out_task_id: str | None = None, task_id: str | None = None
) -> tuple[str, str, str] | None:
    """``(field, asked, echoed)`` when the answer ``task`` was read from names another task
    than the one asked about: a non-empty ``out_task_id`` in ``task.raw`` other than
    ``out_task_id``, or a non-empty ``task_id`` other than ``task_id`` (an id not given is not
    compared; ids are compared as :func:`structure_task` reads them). ``None`` when nothing
    in the answer names another task. Never raises."""
    raw = task.raw
    if out_task_id is not None:
        value = raw.get("out_task_id")
        echoed = value if type(value) is str and value else _to_opt_str(value)
        if echoed is not None and echoed != out_task_id:
            return ("out_task_id", out_task_id, echoed)
    if task_id is not None:
        value = raw.get("task_id")
        echoed = value if type(value) is str and value else _to_opt_str(value)
        if echoed is not None and echoed != task_id:
            return ("task_id", task_id, echoed)
    return None


# Where the balance answer may keep the per-model free quota, in the order looked at.
_QUOTA_FIELDS = ("free_quota", "free_quotas", "model_quota", "quota")
_QUOTA_VALUE_FIELDS = ("remaining", "free", "quota", "count", "left")


def _quota_value(value: Any) -> float | None:
    if isinstance(value, Mapping):
        for name in _QUOTA_VALUE_FIELDS:
            number = _to_float(value.get(name))
            if number is not None:
                return number
        return None
    return _to_float(value)


def _free_quota(raw: Mapping[str, Any]) -> dict[str, float]:
    """Per-model free quota from ``{"model": n}`` or ``[{"model": ..., "remaining": n}]``."""
    for field in _QUOTA_FIELDS:
        value = raw.get(field)
        quota: dict[str, float] = {}
        if isinstance(value, Mapping):
            for name, amount in value.items():
                number = _quota_value(amount)
                if isinstance(name, str) and number is not None:
                    quota[name] = number
        elif isinstance(value, list):
            for item in value:
                if not isinstance(item, Mapping):
                    continue
                name = item.get("model") or item.get("name")
                number = _quota_value(item)
                if isinstance(name, str) and number is not None:
                    quota[name] = number
        if quota:
            return quota
    return {}


def structure_balance(data: Any) -> Balance:
    """A :class:`Balance` from the balance ``data`` payload; never raises.

    ``credits`` is read from ``credits`` or ``balance`` (or ``points``); ``free_quota`` from
    ``free_quota`` (a ``{model: amount}`` object, or a list of ``{model, remaining}``
    objects). Every field of the answer stays in ``raw``.
    """
    raw = _raw_of(data)
    credits = None
    for field in ("credits", "balance", "points"):
        credits = _to_float(raw.get(field))
        if credits is not None:
            break
    return Balance(credits=credits, free_quota=_free_quota(raw), raw=dict(raw))
