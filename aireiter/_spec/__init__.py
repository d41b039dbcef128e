"""The model spec: every image and video model, its parameters, modes and channels.

The data lives in ``aireiter/_spec/models.json`` (shipped with the package, the single source
of truth); the typed endpoints in ``aireiter/_generated`` and ``docs/models.md`` are generated
from it by ``python -m aireiter._codegen``. This module is import-light (stdlib, attrs and
aireiter's errors) so that every layer, the emulator included, can use it.

Validation policy (:func:`validate_params`, used by ``client.tasks.submit`` and the tracker):

- a model name is read as ``<model id>`` or ``<model id>_<channel>``, the channel being one of
  the four levels (``base``, ``plus``, ``advanced``, ``max``) or ``face``: ``gpt_4o_plus`` is
  checked as ``gpt_4o``, and a channel the docs do not list for the model is sent with a
  one-time :class:`UndocumentedChannelWarning`;
- a name the spec does not know at all is passed through unchecked: the API may know models
  the SDK does not;
- a model's params are checked in full, and a key the spec does not know is an error naming
  the allowed keys (pass it in ``extra_params=``, or ``client.tasks.submit(...,
  validate=False)``), except on a model with ``open_params`` (every model marked
  ``documented: false``, and ``seedance_1_5_pro``), where such keys pass through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._exceptions import ParamError, ParamIssue
from ._channels import (
    ModelName,
    UndocumentedChannelWarning,
    channel_issue,
    channels_text,
    parse_model_name,
    warn_undocumented_channel,
)
from ._checks import allowed_text, check_params, is_image_ref, shorten, type_text
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
    "ModelName",
    "ModelParams",
    "ModelSpec",
    "ParamSpec",
    "ParamType",
    "RuleSpec",
    "Spec",
    "UndocumentedChannelWarning",
    "allowed_text",
    "channel_issue",
    "channel_model_name",
    "channels_text",
    "check_params",
    "extra_params_issues",
    "is_image_ref",
    "load_spec",
    "output_count",
    "parse_model_name",
    "parse_spec",
    "resolve_model",
    "shorten",
    "spec_bytes",
    "type_text",
    "typical_duration_s",
    "validate_params",
    "warn_undocumented_channel",
]

_RAW_UNKNOWN_HINT = (
    "send it with the typed endpoint's extra_params={...} or with tasks.submit(validate=False)"
)


def resolve_model(name: str) -> tuple[ModelSpec | None, str | None]:
    """The base model and channel of a model name as sent: ``"sora2_plus"`` ->
    ``(<sora2>, "plus")``, ``"gpt_4o_max"`` -> ``(<gpt_4o>, "max")`` (listed or not),
    ``"sora2"`` -> ``(<sora2>, None)``; ``(None, None)`` if the name is no model's."""
    found = parse_model_name(name)
    return (None, None) if found is None else (found.model, found.channel)


def extra_params_issues(
    spec: ModelSpec, extra_params: object
) -> tuple[dict[str, Any], list[ParamIssue]]:
    """``extra_params`` as a dict to send unchecked, and its problems: not a mapping, a key
    that is not a string, or a key the model types (it must go through the checks)."""
    if extra_params is None:
        return {}, []
    if not isinstance(extra_params, Mapping):
        return {}, [ParamIssue("extra_params", extra_params, "must be a mapping")]
    extra: dict[str, Any] = {}
    issues: list[ParamIssue] = []
    key: Any
    for key, value in extra_params.items():
        if not isinstance(key, str):
            issues.append(ParamIssue("extra_params", key, "keys must be strings"))
        elif key in spec.param_name_set:
            issues.append(
                ParamIssue(
                    f"extra_params[{key!r}]",
                    value,
                    f"is a typed parameter of this model: pass it as {key}=... so it is checked",
                )
            )
        else:
            extra[key] = value
    return extra, issues


def validate_params(
    model: str,
    params: Mapping[str, Any],
    *,
    allow_unknown: bool = False,
    extra_params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A copy of ``params`` after checking them against ``model``'s spec, with
    ``extra_params`` (sent unchecked) merged in.

    ``model`` may carry a channel (``sora2_plus``, ``gpt_4o_max``): the params are checked as
    the base model's, and a channel the docs do not list warns once
    (:class:`UndocumentedChannelWarning`). Raises :class:`~aireiter.ParamError` listing every
    problem. A name the spec does not know returns the params unchecked. ``allow_unknown=True``
    lets keys the spec does not know through; ``extra_params`` does the same for named keys
    (a key the model types is refused there: it belongs in ``params``, checked).
    """
    found = parse_model_name(model) if isinstance(model, str) else None
    if found is None:
        result = dict(params)
        if extra_params:
            result.update(extra_params)
        return result
    if not isinstance(params, Mapping):
        raise ParamError.single("params", params, "must be a mapping", model=model)
    issues = check_params(
        found.model, params, allow_unknown=allow_unknown, unknown_hint=_RAW_UNKNOWN_HINT
    )
    extra, extra_issues = extra_params_issues(found.model, extra_params)
    issues += extra_issues
    if issues:
        raise ParamError(issues, model=model)
    warn_undocumented_channel(found.model, found.channel)
    result = dict(params)
    result.update(extra)
    return result


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

    Any of the four levels (and ``face``) is accepted for every model, listed in its docs or
    not (see :func:`validate_params` for the warning). Raises :class:`~aireiter.ParamError`
    for an unknown model or a channel that is no level.
    """
    spec = load_spec().models.get(model_id)
    if spec is None:
        known = ", ".join(load_spec().models)
        raise ParamError.single("model", model_id, "is not a model in the spec", allowed=known)
    issue = channel_issue(spec, channel)
    if issue is not None:
        raise ParamError([issue], model=model_id)
    return spec.model_name(channel)
