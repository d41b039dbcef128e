"""The model spec: every image and video model, its parameters, modes and channels.

The data lives in ``aireiter/_spec/models.json`` (shipped with the package, the single source
of truth); the typed endpoints in ``aireiter/_generated`` and ``docs/models.md`` are generated
from it by ``python -m aireiter._codegen``. This module is import-light (stdlib, attrs and
aireiter's errors) so that every layer, the emulator included, can use it.

Validation policy (:func:`validate_params`, used by ``client.tasks.submit``):

- a model name the spec does not know (or a channel it does not list, e.g. ``gpt_4o_plus``)
  is passed through unchecked: the API may know models the SDK does not;
- a documented model's params are checked in full, and a key the spec does not know is an
  error naming the allowed keys (send it with the typed endpoint's ``extra_params=`` or with
  ``client.tasks.submit(..., validate=False)``);
- a model marked ``documented: false`` has only ``prompt`` (and any other checked field)
  validated; every other key passes through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._exceptions import ParamError, ParamIssue
from ._checks import allowed_text, check_params, is_image_ref, type_text
from ._model import (
    SPEC_FILE,
    ModelKind,
    ModelSpec,
    ParamSpec,
    ParamType,
    RuleSpec,
    Spec,
    load_spec,
    parse_spec,
    spec_bytes,
)
from ._params import ModelParams

__all__ = [
    "SPEC_FILE",
    "ModelKind",
    "ModelParams",
    "ModelSpec",
    "ParamSpec",
    "ParamType",
    "RuleSpec",
    "Spec",
    "allowed_text",
    "channel_model_name",
    "check_params",
    "is_image_ref",
    "load_spec",
    "output_count",
    "parse_spec",
    "resolve_model",
    "spec_bytes",
    "type_text",
    "typical_duration_s",
    "validate_params",
]

_RAW_UNKNOWN_HINT = (
    "send it with the typed endpoint's extra_params={...} or with tasks.submit(validate=False)"
)


def resolve_model(name: str) -> tuple[ModelSpec | None, str | None]:
    """The base model and channel of a model name as sent: ``"sora2_plus"`` ->
    ``(<sora2>, "plus")``, ``"sora2"`` -> ``(<sora2>, None)``; ``(None, None)`` if unknown."""
    found = load_spec().by_model_name.get(name)
    return found if found is not None else (None, None)


def validate_params(
    model: str, params: Mapping[str, Any], *, allow_unknown: bool = False
) -> dict[str, Any]:
    """A copy of ``params`` after checking them against ``model``'s spec.

    Raises :class:`~aireiter.ParamError` listing every problem. An unknown model returns
    ``dict(params)`` unchecked. ``allow_unknown=True`` lets keys the spec does not know through
    (the emulator uses it: the real API's handling of unknown keys is not documented).
    """
    spec, _channel = resolve_model(model)
    if spec is None:
        return dict(params)
    if not isinstance(params, Mapping):
        raise ParamError.single("params", params, "must be a mapping", model=model)
    issues = check_params(spec, params, allow_unknown=allow_unknown, unknown_hint=_RAW_UNKNOWN_HINT)
    if issues:
        raise ParamError(issues, model=model)
    return dict(params)


def typical_duration_s(model: str) -> float | None:
    """The SDK's estimate of how long ``model`` (any channel) takes to finish, in seconds."""
    spec, _channel = resolve_model(model)
    return None if spec is None else spec.typical_duration_s


def output_count(model: str, params: Mapping[str, Any]) -> int:
    """How many output files a task should produce (``seedream_v4`` ``output_n``), else 1."""
    spec, _channel = resolve_model(model)
    if spec is None:
        return 1
    for param in spec.params:
        if not param.output_count:
            continue
        value = params.get(param.name, param.default)
        try:
            count = int(value) if value is not None else 1
        except (TypeError, ValueError):
            return 1
        return max(count, 1)
    return 1


def channel_model_name(model_id: str, channel: str | None) -> str:
    """The model name to send for ``model_id`` on ``channel`` (``"sora2", "plus"`` ->
    ``"sora2_plus"``; ``None``: the default channel, the bare id).

    Raises :class:`~aireiter.ParamError` for an unknown model or a channel it does not offer.
    """
    spec = load_spec().models.get(model_id)
    if spec is None:
        known = ", ".join(load_spec().models)
        raise ParamError.single("model", model_id, "is not a model in the spec", allowed=known)
    try:
        return spec.model_name(channel)
    except KeyError:
        offered = ", ".join(repr(name) for name in spec.channel_names)
        raise ParamError(
            [
                ParamIssue(
                    "channel",
                    channel,
                    f"is not offered by {model_id}",
                    f"{offered} or None (default)" if offered else "None (default channel only)",
                )
            ],
            model=model_id,
        ) from None
