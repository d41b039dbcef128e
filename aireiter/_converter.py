"""The one cattrs converter of aireiter, and the functions that use it.

Library code never calls ``cattrs.structure`` or the global converter; it calls the helpers here.

Hook rules (``configure_converter``):

- ``datetime``: ISO-8601 strings (``Z`` or an offset; a naive value is taken as UTC) and
  epoch seconds/milliseconds become *aware* datetimes; unparseable values become ``None``.
- ``TaskStatus``: any string; unknown values become ``TaskStatus.UNKNOWN``.
- ``float | None`` credits: numbers and numeric strings; anything else becomes ``None``.
- ``TaskOutput``: ``{"url": ...}`` objects or bare URL strings; extra keys stay in ``raw``.
- ``str | None`` ids: numbers are turned into strings; empty strings become ``None``.
- request classes unstructure without ``None`` fields, so optional fields are left out; their
  ``params``/``metadata`` mappings are JSON values and pass through uncopied.
- Unknown response fields are never an error: response objects keep the whole input in ``raw``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import cattrs
from cattrs.gen import make_dict_unstructure_fn

from ._models import Balance, QueryRequest, SubmitRequest, Task, TaskOutput, TaskStatus

__all__ = [
    "configure_converter",
    "make_converter",
    "structure_balance",
    "structure_task",
    "unstructure_request",
]


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from an ISO string or epoch number, or ``None`` if it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000.0 if value > 1e11 else float(value)
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    if isinstance(value, str):
        try:  # the common case, tried first: Python 3.11+ reads a trailing "Z" itself
            parsed = datetime.fromisoformat(value)
        except ValueError:
            text = value.strip()
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def _to_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _to_opt_str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


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
    if value is None:
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
    """The JSON body for a request object (``None`` fields left out)."""
    result: dict[str, Any] = _CONVERTER.unstructure(request)
    return result


def _first_object(data: Any) -> Mapping[str, Any]:
    """The task object of a ``data`` payload: a dict, or the first dict of a list."""
    if type(data) is dict or isinstance(data, Mapping):  # exact type first: hot path
        return data
    if isinstance(data, list):
        for item in data:
            if isinstance(item, Mapping):
                return item
    return {}


def structure_task(
    data: Any,
    *,
    out_task_id: str | None = None,
    model: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Task:
    """A :class:`Task` from a submit or query ``data`` payload.

    ``out_task_id``, ``model`` and ``metadata`` fill in what the payload leaves out (a submit
    answer does not always echo them). This is on the hot path of the tracker, so it is written
    out by hand rather than through cattrs' generic machinery; the converter's hooks are the
    single place the per-field rules live.
    """
    raw = _first_object(data)
    get = raw.get
    input_obj = _to_mapping(get("input"))
    status_value = get("status")
    outputs_value = get("output")
    if outputs_value is None:
        outputs_value = get("outputs")
    outputs: tuple[TaskOutput, ...] = ()
    if isinstance(outputs_value, (list, tuple)):
        outputs = tuple(o for o in map(_to_output, outputs_value) if o is not None)
    elif outputs_value is not None:
        single = _to_output(outputs_value)
        outputs = (single,) if single is not None else ()
    raw_model = get("model")
    if raw_model is None and input_obj is not None:
        raw_model = input_obj.get("model")
    raw_metadata = _to_mapping(get("metadata"))
    return Task(
        out_task_id=_to_opt_str(get("out_task_id")) or out_task_id or "",
        status=_to_status(status_value),
        task_id=_to_opt_str(get("task_id")),
        model=_to_opt_str(raw_model) or model,
        outputs=outputs,
        estimated_credits=_to_float(get("estimated_credits")),
        credits_used=_to_float(get("credits_used")),
        error=_to_opt_str(get("error") or get("error_message") or get("fail_reason")),
        metadata=raw_metadata if raw_metadata is not None else metadata,
        input=input_obj,
        created_at=parse_datetime(get("created_at")),
        completed_at=parse_datetime(get("completed_at")),
        # A dict fresh from json.loads is nobody else's: keep it rather than copy it.
        raw=raw if type(raw) is dict else dict(raw),
    )


def structure_balance(data: Any) -> Balance:
    """A :class:`Balance` from the balance ``data`` payload (``credits`` or ``balance``)."""
    raw = _first_object(data)
    credits = _to_float(raw.get("credits"))
    if credits is None:
        credits = _to_float(raw.get("balance"))
    return Balance(credits=credits, raw=dict(raw))
