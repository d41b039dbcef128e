"""Checks of a model's ``params`` against its spec: every problem found, as ParamIssues.

Rules, per parameter of the spec (``validated=False`` fields are skipped):

- missing or ``None``: a problem only when the parameter is required;
- the JSON type must match exactly (``True`` is not an integer, ``10`` is not the string
  ``"10"``: Sora wants ``video_length="10"``, Seedance 1.5 Pro ``video_length=5``); a field
  with several types (``nano_banana.image_url``: a string or a list) takes any of them and the
  value is sent as given;
- ``enum`` membership, ``min``/``max`` for numbers, ``min_length`` for strings, ``max_items``
  and the item type for arrays;
- ``format="image"``: each value is an ``http(s)://`` URL or a ``data:image/<fmt>;base64,``
  URI;
- cross-field rules (``gpt_image_2_official``: 4K only for six aspect ratios);
- keys the spec does not know: a problem unless ``allow_unknown`` or the model's
  ``open_params`` (every model marked ``documented: false``, and documented ones whose page
  leaves fields open, such as ``seedance_1_5_pro``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .._exceptions import ParamIssue
from ._model import ModelSpec, ParamSpec

__all__ = ["allowed_text", "check_params", "is_image_ref", "shorten", "type_text"]

_DATA_IMAGE = re.compile(r"data:image/[A-Za-z0-9.+-]+;base64,\S")
_IMAGE_TEXT = "an http(s) URL or a data:image/...;base64, URI"
_TYPE_TEXT = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "a list",
}


def is_image_ref(value: Any) -> bool:
    """True for an ``http(s)://host/...`` URL or a ``data:image/<fmt>;base64,...`` URI."""
    if not isinstance(value, str) or not value:
        return False
    if _DATA_IMAGE.match(value):
        return True
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def type_text(param: ParamSpec) -> str:
    """``param``'s wire type(s) in words (``"a list of strings"``, ``"a string or a list of
    strings"``)."""
    return " or ".join(
        f"a list of {param.items or 'value'}s" if kind == "array" else _TYPE_TEXT[kind]
        for kind in param.types
    )


@functools.cache
def allowed_text(param: ParamSpec) -> str:
    """What ``param`` accepts, for error messages and docs (values JSON-quoted).

    Cached per parameter: every submit checks its params, and the text never changes.
    """
    if param.enum is not None:
        return ", ".join(_json(v) for v in param.enum)
    if param.types == ("string",) and param.format == "image":
        return _IMAGE_TEXT
    if param.types == ("string",) and param.min_length == 1:
        return "a non-empty string"
    parts = [type_text(param)]
    if param.min is not None and param.max is not None:
        parts.append(f"{param.min:g} to {param.max:g}")
    elif param.min is not None:
        parts.append(f">= {param.min:g}")
    elif param.max is not None:
        parts.append(f"<= {param.max:g}")
    if param.min_length and param.min_length > 1:
        parts.append(f"at least {param.min_length} characters")
    if param.max_items is not None:
        parts.append(f"at most {param.max_items} items")
    if param.format == "image":
        parts.append(f"each {_IMAGE_TEXT}")
        if "string" in param.types and "array" in param.types:
            parts.append("a string may join several URLs with commas")
    return ", ".join(parts)


def _is_type(value: Any, type_name: str | None) -> bool:
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "array":
        return isinstance(value, (list, tuple))
    return True


def _is_image_text(value: str) -> bool:
    """One image reference, or several http(s) URLs joined by commas (a data URI holds a
    comma itself, so it can only come alone)."""
    return is_image_ref(value) or all(
        is_image_ref(part.strip()) and not part.strip().startswith("data:")
        for part in value.split(",")
    )


def _matched_type(param: ParamSpec, value: Any) -> str | None:
    """The first of ``param``'s types that ``value`` has, else ``None``."""
    if _is_type(value, param.type):
        return param.type
    for kind in param.types[1:]:
        if _is_type(value, kind):
            return kind
    return None


def _check_value(param: ParamSpec, value: Any) -> list[ParamIssue]:
    # On every submit: the texts of an issue (allowed values, the value shortened for display)
    # are only built when there is one.
    name = param.name
    kind = _matched_type(param, value)
    if kind is None:
        issue = ParamIssue(name, shorten(value), f"must be {type_text(param)}", allowed_text(param))
        return [issue]
    if param.enum is not None:
        if value in param.enum:
            return []
        return [ParamIssue(name, shorten(value), "is not an allowed value", allowed_text(param))]
    issues: list[ParamIssue] = []
    if kind in ("integer", "number"):
        if param.min is not None and value < param.min:
            issues.append(ParamIssue(name, value, f"must be >= {param.min:g}", allowed_text(param)))
        if param.max is not None and value > param.max:
            issues.append(ParamIssue(name, value, f"must be <= {param.max:g}", allowed_text(param)))
    elif kind == "string":
        if param.min_length and len(value) < param.min_length:
            issues.append(ParamIssue(name, value, "must not be empty", allowed_text(param)))
        several = "array" in param.types
        if param.format == "image" and not (_is_image_text if several else is_image_ref)(value):
            problem = "is not an image URL or data URI"
            issues.append(ParamIssue(name, shorten(value), problem, allowed_text(param)))
    elif kind == "array":
        if param.max_items is not None and len(value) > param.max_items:
            problem = f"has {len(value)} items, more than {param.max_items}"
            issues.append(ParamIssue(name, shorten(value), problem, allowed_text(param)))
        item_allowed = _IMAGE_TEXT
        if param.format != "image":
            item_allowed = f"a {param.items}"
        for index, item in enumerate(value):
            where = f"{name}[{index}]"
            if not _is_type(item, param.items):
                issues.append(ParamIssue(where, shorten(item), "has the wrong type", item_allowed))
            elif param.format == "image" and not is_image_ref(item):
                problem = "is not an image URL or data URI"
                issues.append(ParamIssue(where, shorten(item), problem, item_allowed))
    return issues


def check_params(
    model: ModelSpec,
    params: Mapping[str, Any],
    *,
    allow_unknown: bool = False,
    unknown_hint: str = "pass fields the SDK does not know with extra_params={...}",
) -> list[ParamIssue]:
    """Every problem of ``params`` for ``model`` (an empty list when they are valid)."""
    issues: list[ParamIssue] = []
    for param in model.params:
        if not param.validated:
            continue
        value = params.get(param.name)
        if value is None:
            if param.required:
                issues.append(ParamIssue(param.name, value, "is required", allowed_text(param)))
            continue
        issues.extend(_check_value(param, value))
    for rule in model.rules:
        value = params.get(rule.field)
        if value is None or value in rule.enum:
            continue
        if all(params.get(key) == expected for key, expected in rule.when):
            condition = ", ".join(f"{key}={_json(v)}" for key, v in rule.when)
            issues.append(
                ParamIssue(
                    rule.field,
                    value,
                    f"is not allowed with {condition}",
                    ", ".join(_json(v) for v in rule.enum),
                )
            )
    if not model.open_params and not allow_unknown:
        known = model.param_name_set
        names = ", ".join(model.param_names)
        for key in sorted(k for k in params if k not in known):
            issues.append(
                ParamIssue(
                    key,
                    shorten(params[key]),
                    f"is not a parameter of {model.id} ({unknown_hint})",
                    names,
                )
            )
    return issues


def shorten(value: Any, limit: int = 120) -> Any:
    """``value`` for display: long strings (data URIs) cut to their start and length."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[: limit // 2]}...<{len(value)} chars>"
    if isinstance(value, (list, tuple)):
        return [shorten(item, limit) for item in value]
    return value
