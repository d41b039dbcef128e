"""``--param KEY=VALUE`` on the command line, turned into a model's ``params``.

A value is read as JSON when it is valid JSON (``5``, ``true``, ``["a", "b"]``), else as the
text typed. The model's spec then decides: a ``string`` parameter keeps the text exactly as
typed (Sora's ``video_length=10`` stays the string ``"10"``), an ``integer`` one gets a whole
number, an ``array`` one gets a list (a single value becomes a one-item list, and repeating
``--param image_url=...`` appends). Whatever is still wrong is left for the spec's checks,
which raise :class:`~aireiter.ParamError` naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .._exceptions import ParamError
from .._spec import ParamSpec, ParamType, resolve_model

__all__ = ["build_params", "coerce_value", "split_param"]

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
