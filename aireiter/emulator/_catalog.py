"""What the emulator knows about a model, read from its own catalogue (``catalog.json``).

The catalogue is a second reading of the API docs, independent of the SDK's spec: this
module imports nothing from the SDK, so a rule that is wrong in the SDK is not wrong here too.
Its checker enforces only what the docs state and lets the rest through:

- a param the catalogue does not list passes (the API's handling is undocumented);
- a model or param marked ``"checked": false`` (third-party facts, inferred names, guessed
  ids) is accepted as sent;
- ``required``: a missing required param is refused;
- ``"string"`` with an ``enum``: the value (or a number whose text is in the enum, e.g.
  ``10`` for ``"10"``) must be listed; ``"string"`` alone: any string;
- ``"integer"`` with ``min``/``max``: an integer (or integer text) inside the bounds;
- ``"array"``: a list of strings, at most ``max_items``; a single string is accepted too
  (whether the API takes one is an open question of the docs);
- ``"string|array"``: either; ``"boolean"``: ``true`` or ``false``;
- ``rules``: ``{"if": {param: value}, "field": f, "enum": [...]}``, a combination the docs
  forbid (``gpt_image_2_official`` has no 4K at 1:1).

Model names: the bare id, or the id with a channel level suffix (``_base``, ``_plus``,
``_advanced``, ``_max``: every level on every model, the docs say each model has the four)
or a pass-through suffix (``_face``).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, Final, Literal

import attrs

__all__ = [
    "CATALOG_FILE",
    "Catalog",
    "ModelEntry",
    "ModelInfo",
    "load_catalog",
    "output_count",
    "params_problem",
    "resolve_model",
    "video_length_s",
]

CATALOG_FILE: Final = "catalog.json"
"""The catalogue's file name inside the ``aireiter.emulator`` package."""

Kind = Literal["image", "video"]
SubmitAnswer = Literal["envelope", "code_list"]

_VIDEO_HINTS = ("sora", "veo", "seedance", "video", "kling", "minimax", "grok_imagine", "wan")


@attrs.frozen(kw_only=True)
class ModelEntry:
    """One model of the catalogue, as read from the file."""

    id: str
    kind: Kind
    checked: bool
    params: Mapping[str, Mapping[str, Any]]
    rules: tuple[Mapping[str, Any], ...]
    video_length_s: tuple[float, float] | None
    outputs_param: str | None
    submit_answer: SubmitAnswer


@attrs.frozen(kw_only=True)
class Catalog:
    """The whole catalogue: models by id, channel suffixes, processing times."""

    models: Mapping[str, ModelEntry]
    suffixes: tuple[str, ...]
    processing_s: Mapping[str, float]
    default_video_length_s: float


@attrs.frozen(kw_only=True)
class ModelInfo:
    """A model name as sent, resolved: ``sora2_plus`` -> base ``sora2``, channel ``plus``.

    ``known`` is false for a name only accepted because of ``accept_unknown_models`` (kind
    guessed from the name, nothing checked).
    """

    name: str
    base: str
    channel: str | None
    kind: Kind
    typical_duration_s: float | None
    known: bool
    checked: bool = False
    submit_answer: SubmitAnswer = "envelope"


def _entry(model_id: str, raw: Mapping[str, Any]) -> ModelEntry:
    kind = raw["kind"]
    if kind not in ("image", "video"):
        raise ValueError(f"catalog: {model_id}: kind must be image or video, got {kind!r}")
    length = raw.get("video_length_s")
    answer = raw.get("submit_answer", "envelope")
    if answer not in ("envelope", "code_list"):
        raise ValueError(f"catalog: {model_id}: unknown submit_answer {answer!r}")
    return ModelEntry(
        id=model_id,
        kind=kind,
        checked=bool(raw.get("checked", True)),
        params=dict(raw.get("params", {})),
        rules=tuple(raw.get("rules", ())),
        video_length_s=(float(length[0]), float(length[1])) if length else None,
        outputs_param=raw.get("outputs_param"),
        submit_answer=answer,
    )


def parse_catalog(data: bytes) -> Catalog:
    """A :class:`Catalog` from the bytes of a catalogue file."""
    raw = json.loads(data)
    models = {model_id: _entry(model_id, entry) for model_id, entry in raw["models"].items()}
    processing = raw["processing_s"]
    return Catalog(
        models=models,
        suffixes=tuple(raw["channel_levels"]) + tuple(raw.get("pass_through_suffixes", ())),
        processing_s={"image": float(processing["image"]), "video": float(processing["video"])},
        default_video_length_s=float(raw["default_video_length_s"]),
    )


@functools.lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The packaged catalogue, read once."""
    return parse_catalog(resources.files(__package__).joinpath(CATALOG_FILE).read_bytes())


def _guess(name: str, catalog: Catalog) -> ModelInfo:
    base, channel = name, None
    head, _, tail = name.rpartition("_")
    if head and tail in catalog.suffixes:
        base, channel = head, tail
    kind: Kind = "video" if any(hint in name.lower() for hint in _VIDEO_HINTS) else "image"
    return ModelInfo(
        name=name, base=base, channel=channel, kind=kind, typical_duration_s=None, known=False
    )


@functools.lru_cache(maxsize=512)
def resolve_model(name: str, *, accept_unknown: bool = False) -> ModelInfo | None:
    """The model ``name`` names, or ``None`` when the catalogue does not know it (unless
    ``accept_unknown``, which guesses the kind from the name)."""
    catalog = load_catalog()
    entry = catalog.models.get(name)
    channel: str | None = None
    if entry is None:
        head, _, tail = name.rpartition("_")
        if head and tail in catalog.suffixes:
            entry, channel = catalog.models.get(head), tail
    if entry is None:
        return _guess(name, catalog) if accept_unknown else None
    return ModelInfo(
        name=name,
        base=entry.id,
        channel=channel,
        kind=entry.kind,
        typical_duration_s=catalog.processing_s[entry.kind],
        known=True,
        checked=entry.checked,
        submit_answer=entry.submit_answer,
    )


def _text(value: Any) -> str | None:
    """The text of a string, or of an integral number (``10`` and ``10.0`` -> ``"10"``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return str(int(value))


def _integer(value: Any) -> int | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _param_problem(name: str, value: Any, spec: Mapping[str, Any]) -> str | None:
    kind = spec.get("type", "string")
    shown = f"{name}={value!r}"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{shown}: must be true or false"
    if kind == "integer":
        number = _integer(value)
        if number is None:
            return f"{shown}: must be an integer"
        low, high = spec.get("min"), spec.get("max")
        if (low is not None and number < low) or (high is not None and number > high):
            return f"{shown}: out of range (allowed: {low}..{high})"
        return None
    if kind in ("array", "string|array"):
        if isinstance(value, str):
            return None
        if not _is_strings(value):
            return f"{shown}: must be a list of strings"
        limit = spec.get("max_items")
        if limit is not None and len(value) > limit:
            return f"{name}: {len(value)} items, at most {limit} allowed"
        return None
    enum: Sequence[str] | None = spec.get("enum")
    if enum is None:
        return None if isinstance(value, str) else f"{shown}: must be a string"
    if _text(value) not in enum:
        return f"{shown}: not allowed (allowed: {', '.join(enum)})"
    return None


def _rule_problem(rule: Mapping[str, Any], params: Mapping[str, Any]) -> str | None:
    condition: Mapping[str, Any] = rule["if"]
    if any(_text(params.get(key)) != wanted for key, wanted in condition.items()):
        return None
    field = rule["field"]
    if field not in params or _text(params[field]) in rule["enum"]:
        return None
    when = ", ".join(f"{key}={wanted}" for key, wanted in condition.items())
    allowed = ", ".join(rule["enum"])
    return f"{field}={params[field]!r}: not allowed with {when} (allowed: {allowed})"


def params_problem(info: ModelInfo, params: Mapping[str, Any]) -> str | None:
    """Why the catalogue refuses ``params`` for ``info`` (every problem, naming the fields
    and what is allowed), or ``None`` when they pass."""
    if not info.known or not info.checked:
        return None
    entry = load_catalog().models[info.base]
    problems: list[str] = []
    for name, spec in entry.params.items():
        if not spec.get("checked", True):
            continue
        if name not in params or params[name] is None:
            if spec.get("required"):
                problems.append(f"{name}: required")
            continue
        problem = _param_problem(name, params[name], spec)
        if problem is not None:
            problems.append(problem)
    for rule in entry.rules:
        problem = _rule_problem(rule, params)
        if problem is not None:
            problems.append(problem)
    if not problems:
        return None
    return f"invalid params for model {info.name}: {'; '.join(problems)}"


def output_count(info: ModelInfo, params: Mapping[str, Any]) -> int:
    """How many files a task of ``info`` with ``params`` produces (at least 1)."""
    if not info.known or info.kind != "image":
        return 1
    entry = load_catalog().models[info.base]
    name = entry.outputs_param
    if name is None:
        return 1
    spec = entry.params.get(name, {})
    count = _integer(params.get(name, spec.get("default")))
    return max(1, count) if count is not None else 1


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def video_length_s(info: ModelInfo, params: Mapping[str, Any]) -> float:
    """The clip length a video task asks for: ``params["video_length"]``, else the model's
    documented default, else its shortest documented length, else 5 s."""
    sent = _seconds(params.get("video_length"))
    if sent is not None:
        return sent
    catalog = load_catalog()
    entry = catalog.models.get(info.base) if info.known else None
    if entry is not None:
        default = _seconds(entry.params.get("video_length", {}).get("default"))
        if default is not None:
            return default
        if entry.video_length_s is not None:
            return entry.video_length_s[0]
    return catalog.default_video_length_s
