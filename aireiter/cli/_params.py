"""``--param KEY=VALUE`` on the command line, turned into a model's ``params``.

A value is read as JSON when it is valid JSON (``5``, ``true``, ``["a", "b"]``), else as the
text typed. The model's spec then decides: a ``string`` parameter keeps the text exactly as
typed (Sora's ``video_length=10`` stays the string ``"10"``), an ``integer`` one gets a whole
number, an ``array`` one gets a list (a single value becomes a one-item list, and repeating
``--param image_url=...`` appends). Whatever is still wrong is left for the spec's checks,
which raise :class:`~aireiter.ParamError` naming the field.

A ``batch`` line's JSON values go through the same typing (:func:`coerce_json_params`), so
``"video_length": 10`` in a jobs file and ``--param video_length=10`` send the same value:
a number for a ``string`` parameter becomes its text, a numeric string for an ``integer`` one
a number, ``"true"``/``"false"`` for a ``boolean`` one a boolean. Strings stay strings where
the spec wants strings, and keys the spec does not know are left exactly as written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .._exceptions import ParamError
from .._spec import ModelSpec, ParamSpec, ParamType, resolve_model

__all__ = ["build_params", "coerce_json_params", "coerce_json_value", "coerce_value", "split_param"]

_MISSING = object()


def split_param(text: str) -> tuple[str, str]:
    """``"aspect_ratio=16:9"`` -> ``("aspect_ratio", "16:9")``; ParamError without ``=``."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ParamError.single("--param", text, "must be KEY=VALUE", allowed="e.g. resolution=2K")
    return key, value


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _scalar(kind: ParamType | None, raw: str, parsed: Any) -> Any:
    if kind == "string":
        return parsed if isinstance(parsed, str) else raw
    if kind == "integer":
        if isinstance(parsed, bool):
            return raw
        if isinstance(parsed, int):
            return parsed
        if isinstance(parsed, float) and parsed.is_integer():
            return int(parsed)
        return raw
    if kind == "number":
        return parsed if isinstance(parsed, (int, float)) and not isinstance(parsed, bool) else raw
    if kind == "boolean":
        lowered = raw.strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        return raw
    return parsed


def coerce_value(param: ParamSpec | None, raw: str) -> Any:
    """The value to send for ``raw`` (the text after ``=``), typed by ``param`` when known."""
    parsed = _json_or_text(raw)
    if param is None:
        return parsed
    if param.type == "array":
        if isinstance(parsed, list):
            return [
                _scalar(param.items, item, item) if isinstance(item, str) else item
                for item in parsed
            ]
        return [_scalar(param.items, raw, parsed)]
    return _scalar(param.type, raw, parsed)


def _json_scalar(kind: ParamType | None, value: Any) -> Any:
    if isinstance(value, str):
        return value if kind in ("string", None) else _scalar(kind, value, _json_or_text(value))
    if isinstance(value, (bool, int, float)):
        return _scalar(kind, json.dumps(value), value)
    return value  # null, objects: the spec's checks have the last word


def coerce_json_value(param: ParamSpec | None, value: Any) -> Any:
    """``value`` (from a JSON jobs file) typed by ``param`` as ``--param`` would type the same
    text; unchanged when the spec does not know the key."""
    if param is None or value is None:
        return value
    if param.type == "array":
        if isinstance(value, list):
            return [_json_scalar(param.items, item) for item in value]
        if isinstance(value, (str, bool, int, float)):
            return [_json_scalar(param.items, value)]
        return value
    if isinstance(value, (list, dict)):
        return value
    return _json_scalar(param.type, value)


def coerce_json_params(spec: ModelSpec, params: Mapping[str, Any]) -> dict[str, Any]:
    """Every value of ``params`` typed by ``spec`` (see :func:`coerce_json_value`)."""
    return {key: coerce_json_value(spec.param(key), value) for key, value in params.items()}


def build_params(
    model: str, param_args: Sequence[str], *, prompt: str | None = None
) -> dict[str, Any]:
    """The ``params`` for ``model`` from ``--prompt`` and every ``--param KEY=VALUE``.

    Raises :class:`ParamError` for a malformed ``--param`` or a non-array key given twice;
    the values themselves are checked later against the spec (on submit).
    """
    spec, _channel = resolve_model(model)
    params: dict[str, Any] = {}
    if prompt is not None:
        params["prompt"] = prompt
    for text in param_args:
        key, raw = split_param(text)
        param = spec.param(key) if spec is not None else None
        value = coerce_value(param, raw)
        previous = params.get(key, _MISSING)
        if previous is _MISSING:
            params[key] = value
        elif param is not None and param.type == "array" and isinstance(previous, list):
            params[key] = [*previous, *value]
        else:
            where = "--prompt and --param" if key == "prompt" else "--param"
            raise ParamError.single(key, raw, f"is given twice ({where})", model=model)
    return params
