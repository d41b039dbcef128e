"""What the emulator knows about a model: kind, base id, channel, typical duration, outputs.

Everything comes from the SDK's model spec (:mod:`aireiter._spec`). Should the spec package
be missing, every model name is accepted: its kind is guessed from the name, params are not
checked and each task has one output.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any, Literal

import attrs

__all__ = ["ModelInfo", "output_count", "params_problem", "resolve_model", "video_length_s"]

Kind = Literal["image", "video"]

_VIDEO_HINTS = ("sora", "veo", "seedance", "video", "kling", "minimax", "grok_imagine", "wan")
_CHANNEL_SUFFIXES = ("_base", "_plus", "_advanced", "_max")
DEFAULT_VIDEO_LENGTH_S = 5.0  # a video model whose length is neither sent nor documented


@attrs.frozen(kw_only=True)
class ModelInfo:
    """A model name as sent, resolved: ``sora2_plus`` -> base ``sora2``, channel ``plus``."""

    name: str
    base: str
    channel: str | None
    kind: Kind
    typical_duration_s: float | None
    in_spec: bool


def _guess(name: str) -> ModelInfo:
    base, channel = name, None
    for suffix in _CHANNEL_SUFFIXES:
        if name.endswith(suffix):
            base, channel = name[: -len(suffix)], suffix[1:]
            break
    kind: Kind = "video" if any(hint in name.lower() for hint in _VIDEO_HINTS) else "image"
    return ModelInfo(
        name=name, base=base, channel=channel, kind=kind, typical_duration_s=None, in_spec=False
    )


@functools.lru_cache(maxsize=512)
def resolve_model(name: str, *, accept_unknown: bool = False) -> ModelInfo | None:
    """The model ``name`` names, or ``None`` when the spec does not know it (unless
    ``accept_unknown``, which guesses from the name)."""
    try:
        from .._spec import resolve_model as spec_resolve
    except ImportError:  # pragma: no cover - the spec ships with the package
        return _guess(name)
    spec, channel = spec_resolve(name)
    if spec is None:
        return _guess(name) if accept_unknown else None
    return ModelInfo(
        name=name,
        base=spec.id,
        channel=channel,
        kind=spec.kind,
        typical_duration_s=spec.typical_duration_s,
        in_spec=True,
    )


def params_problem(model: str, params: Mapping[str, Any]) -> str | None:
    """Why ``params`` are invalid for ``model`` (naming the fields and what is allowed), or
    ``None`` when they pass. Keys the spec does not list are let through."""
    try:
        from .._exceptions import ParamError
        from .._spec import validate_params
    except ImportError:  # pragma: no cover - the spec ships with the package
        return None
    try:
        validate_params(model, params, allow_unknown=True)
    except ParamError as error:
        details = "; ".join(str(issue) for issue in error.issues)
        return f"invalid params for model {model}: {details}"
    return None


def output_count(model: str, params: Mapping[str, Any]) -> int:
    """How many files a task of ``model`` with ``params`` produces (at least 1)."""
    try:
        from .._spec import output_count as spec_output_count
    except ImportError:  # pragma: no cover - the spec ships with the package
        return 1
    return max(1, spec_output_count(model, params))


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def video_length_s(info: ModelInfo, params: Mapping[str, Any]) -> float:
    """The clip length a video task asks for: ``params["video_length"]``, else the spec's
    default or shortest documented length, else 5 s."""
    sent = _seconds(params.get("video_length"))
    if sent is not None:
        return sent
    if info.in_spec:
        from .._spec import load_spec

        spec = load_spec().models.get(info.base)
        if spec is not None:
            param = spec.param("video_length")
            default = _seconds(param.default) if param is not None else None
            if default is not None:
                return default
            if spec.video_length_s is not None:
                return float(spec.video_length_s[0])
    return DEFAULT_VIDEO_LENGTH_S
