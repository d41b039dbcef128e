"""Channels: model names with a level suffix (``sora2_plus``), and how the SDK treats them.

The docs overview says every model comes in four channel levels, picked by a suffix on the
model name: ``base``, ``plus``, ``advanced``, ``max``. The per-model pages list only some of
them (``sora2``: base, plus, advanced), and most pages list none. So:

- a *listed* channel (in the model's ``channels``) is sent silently;
- an *unlisted* level is sent too, with a one-time :class:`UndocumentedChannelWarning` per
  model name (the API answers if the channel does not exist);
- ``face`` (seen only in third-party code, ``seedance2_face``) is not one of the levels: it is
  accepted as a pass-through the same way;
- ``<model>_<suffix>`` resolves to the base model, and its params are checked as that model's.

Nothing here talks to the network.
"""

from __future__ import annotations

import sys
import threading
import warnings
from types import FrameType
from typing import Final

import attrs

from .._exceptions import ParamIssue
from ._model import ModelSpec, Spec, load_spec

__all__ = [
    "ModelName",
    "UndocumentedChannelWarning",
    "channel_issue",
    "channels_text",
    "parse_model_name",
    "reset_channel_warnings",
    "warn_undocumented_channel",
]


class UndocumentedChannelWarning(UserWarning):
    """A model is sent on a channel its docs page does not list (``gpt_4o_plus``).

    The overview says every model comes in four levels, so the SDK sends it; the API answers
    with an error if the channel does not exist. Shown once per model name and process;
    silence it with ``warnings.filterwarnings("ignore", category=UndocumentedChannelWarning)``.
    """


@attrs.frozen
class ModelName:
    """A model name as sent, read against the spec: ``sora2_plus`` -> model ``sora2``,
    channel ``"plus"``; ``listed`` is true when the docs list that name."""

    name: str
    model: ModelSpec
    channel: str | None
    listed: bool


def parse_model_name(name: str) -> ModelName | None:
    """``name`` resolved to a spec model and channel, or ``None`` when it names no model.

    A bare id is the default channel; ``<id>_<suffix>`` with one of the four levels or an
    extra suffix (``face``) is that channel, listed or not.
    """
    spec = load_spec()
    cache = _PARSED.get(id(spec))
    if cache is None or cache[0] is not spec:
        cache = (spec, {})
        _PARSED.clear()  # one spec at a time (a test may load another)
        _PARSED[id(spec)] = cache
    names = cache[1]
    if name in names:
        return names[name]
    parsed = _parse(spec, name)
    if len(names) < _MAX_CACHED:
        names[name] = parsed
    return parsed


_MAX_CACHED: Final = 4096
_PARSED: dict[int, tuple[Spec, dict[str, ModelName | None]]] = {}


def _parse(spec: Spec, name: str) -> ModelName | None:
    model = spec.models.get(name)
    if model is not None:
        return ModelName(name, model, None, True)
    base, sep, suffix = name.rpartition("_")
    model = spec.models.get(base) if sep else None
    if model is None or suffix not in spec.all_channel_suffixes:
        return None
    return ModelName(name, model, suffix, name in model.channels)


def channels_text(model: ModelSpec) -> str:
    """What ``channel=`` accepts for ``model``, for error messages."""
    spec = load_spec()
    names = [*spec.channel_levels]
    names += [name for name in model.channel_names if name not in names]
    listed = ", ".join(repr(name) for name in model.channel_names) or "none"
    return (
        f"{', '.join(repr(name) for name in names)} or None (the default); "
        f"listed in the docs for {model.id}: {listed}"
    )


def channel_issue(model: ModelSpec, channel: object, field: str = "channel") -> ParamIssue | None:
    """The problem with sending ``model`` on ``channel``, or ``None`` when it may be sent.

    Accepted: ``None``, any of the four levels, a listed channel, an extra suffix (``face``).
    """
    if channel is None:
        return None
    if isinstance(channel, str) and (
        channel in load_spec().all_channel_suffixes or model.lists_channel(channel)
    ):
        return None
    return ParamIssue(field, channel, "is not a channel level", channels_text(model))


_warned: set[str] = set()
_warned_lock = threading.Lock()


def warn_undocumented_channel(model: ModelSpec, channel: str | None) -> None:
    """Warn (once per model name and process) when the docs do not list ``channel``."""
    if model.lists_channel(channel):
        return
    name = model.model_name(channel)
    with _warned_lock:
        if name in _warned:
            return
        _warned.add(name)
    warnings.warn(
        f"{name}: channel {channel!r} of {model.id} is not listed in the API docs; it is "
        "sent as asked (the overview says every model comes in four levels) and the API "
        "answers with an error if it does not exist",
        UndocumentedChannelWarning,
        stacklevel=_caller_stacklevel(),
    )


def reset_channel_warnings() -> None:
    """Forget which names were warned about, so each warns again (for tests)."""
    with _warned_lock:
        _warned.clear()


def _caller_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside the aireiter package (the user's call)."""
    level = 2  # 1 is warn_undocumented_channel itself
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("aireiter."):
        frame = frame.f_back
        level += 1
    return level
