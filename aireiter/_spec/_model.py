"""The spec's value objects and its loader: what ``models.json`` says about every model.

``load_spec()`` reads ``aireiter/_spec/models.json`` once (via :mod:`importlib.resources`) and
returns a frozen :class:`Spec`. Nothing here talks to the network or imports the rest of the SDK.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

import attrs

__all__ = [
    "SPEC_FILE",
    "ModelKind",
    "ModelSpec",
    "ParamSpec",
    "ParamType",
    "RuleSpec",
    "Spec",
    "load_spec",
    "parse_spec",
    "spec_bytes",
]

SPEC_FILE = "models.json"
"""The spec's file name inside the ``aireiter._spec`` package."""

ModelKind = Literal["image", "video"]
ParamType = Literal["string", "integer", "number", "boolean", "array"]

_KINDS = ("image", "video")
_TYPES = ("string", "integer", "number", "boolean", "array")
_FORMATS = ("image",)


@attrs.frozen(kw_only=True, cache_hash=True)  # hashed on every check (allowed_text's cache)
class ParamSpec:
    """One parameter of a model, as sent inside ``params``.

    ``type`` is the primary JSON type; ``types`` every type accepted (``("string", "array")``
    for a field the docs show both ways), ``type`` first. ``enum``/``min``/``max``/
    ``min_length``/``max_items`` are ``None`` when the docs give no limit. ``format="image"``
    means the value (or each item) must be an http(s) URL or a ``data:image/...;base64,`` URI.
    ``validated=False`` marks a field whose values the docs do not pin down (third-party code
    only, or a name inferred by analogy): it is listed and passed through, never checked.
    ``name_inferred=True``: the docs do not give the field's name; it is a suggestion.
    """

    name: str
    type: ParamType
    types: tuple[ParamType, ...] = attrs.field()
    required: bool = False
    default: str | int | float | bool | None = None
    enum: tuple[str | int | float, ...] | None = None
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_items: int | None = None
    items: ParamType | None = None
    format: str | None = None
    description: str = ""
    validated: bool = True
    output_count: bool = False
    name_inferred: bool = False

    @types.default
    def _types_default(self) -> tuple[ParamType, ...]:
        return (self.type,)

    @property
    def has_default(self) -> bool:
        """True when the docs state a default value."""
        return self.default is not None


@attrs.frozen(kw_only=True)
class RuleSpec:
    """A cross-field limit: when every ``when`` field has its value, ``field`` must be in
    ``enum`` (checked only when ``field`` is given)."""

    when: tuple[tuple[str, Any], ...]
    field: str
    enum: tuple[str | int | float, ...]
    description: str = ""


@attrs.frozen(kw_only=True)
class ModelSpec:
    """One image or video model.

    ``channels`` are the model names a docs page lists, as sent (``sora2``, ``sora2_plus``...),
    the bare id first; ``channels_confirmed`` is true when a page lists this model's channels.
    Any of the four levels may be sent on every model (see :mod:`aireiter._spec._channels`).
    ``typical_duration_s`` is the SDK's estimate of processing time (the tracker's first poll);
    ``video_length_s`` the documented clip-length range. ``documented=False`` marks a model
    without a parameter page: only ``prompt`` is checked. ``open_params=True`` (always so for an
    undocumented model) lets keys the spec does not list pass through unchecked.
    ``id_inferred=True``: no source gives the model id; it is a guess.
    """

    id: str
    kind: ModelKind
    title: str
    params: tuple[ParamSpec, ...]
    modes: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    typical_duration_s: float | None = None
    video_length_s: tuple[int, int] | None = None
    documented: bool = True
    open_params: bool = False
    id_inferred: bool = False
    channels_confirmed: bool = False
    source: str = ""
    confidence: str = ""
    doc_url: str | None = None
    rules: tuple[RuleSpec, ...] = ()
    notes: str = ""
    _param_names: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)
    _param_name_set: frozenset[str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        names = tuple(param.name for param in self.params)
        object.__setattr__(self, "_param_names", names)
        object.__setattr__(self, "_param_name_set", frozenset(names))

    def param(self, name: str) -> ParamSpec | None:
        """The parameter called ``name``, or ``None``."""
        for param in self.params:
            if param.name == name:
                return param
        return None

    @property
    def param_names(self) -> tuple[str, ...]:
        """Every parameter name, in spec order."""
        return self._param_names

    @property
    def param_name_set(self) -> frozenset[str]:
        """Every parameter name, as a set (checked on every submit, so computed once)."""
        return self._param_name_set

    @property
    def required_params(self) -> tuple[str, ...]:
        """The names of the required parameters."""
        return tuple(param.name for param in self.params if param.required)

    @property
    def channel_names(self) -> tuple[str, ...]:
        """The channel suffixes a docs page lists besides the default (``("base", "plus")``)."""
        prefix = self.id + "_"
        return tuple(name[len(prefix) :] for name in self.channels if name.startswith(prefix))

    def model_name(self, channel: str | None = None) -> str:
        """The model name to send for ``channel`` (``None``: the default, the bare id)."""
        return self.id if channel is None else f"{self.id}_{channel}"

    def lists_channel(self, channel: str | None) -> bool:
        """True when the docs list ``channel`` for this model (the default always is)."""
        return channel is None or f"{self.id}_{channel}" in self.channels


@attrs.frozen(kw_only=True)
class Spec:
    """Every model the SDK knows, by id, plus the spec file's SHA-256 (``sha256``).

    ``channel_suffixes`` are the four documented channel levels (``base``, ``plus``,
    ``advanced``, ``max``) with their meaning; ``extra_channel_suffixes`` the suffixes seen
    outside them (``face``), passed through. ``by_model_name`` maps every *listed* model name
    to its model and channel.
    """

    models: Mapping[str, ModelSpec]
    channel_suffixes: Mapping[str, str]
    extra_channel_suffixes: Mapping[str, str] = attrs.field(factory=dict)
    sha256: str
    by_model_name: Mapping[str, tuple[ModelSpec, str | None]] = attrs.field(repr=False)

    @property
    def channel_levels(self) -> tuple[str, ...]:
        """The four channel levels, cheapest first: ``("base", "plus", "advanced", "max")``."""
        return tuple(self.channel_suffixes)

    @property
    def all_channel_suffixes(self) -> tuple[str, ...]:
        """Every suffix a model name may carry: the levels, then the extra ones."""
        return (*self.channel_suffixes, *self.extra_channel_suffixes)

    def of_kind(self, kind: ModelKind) -> tuple[ModelSpec, ...]:
        """The models of ``kind``, in spec order."""
        return tuple(model for model in self.models.values() if model.kind == kind)


def _choices(value: Any) -> tuple[str | int | float, ...] | None:
    return None if value is None else tuple(value)


def _param(raw: Mapping[str, Any], model_id: str) -> ParamSpec:
    where = f"{model_id}.{raw.get('name')}"
    raw_type = raw.get("type")
    types = tuple(raw_type) if isinstance(raw_type, list) else (raw_type,)
    if not types or any(kind not in _TYPES for kind in types) or len(set(types)) != len(types):
        raise ValueError(f"spec: {where}: unknown type {raw_type!r}")
    if raw.get("format") not in (None, *_FORMATS):
        raise ValueError(f"spec: {where}: unknown format {raw.get('format')!r}")
    return ParamSpec(
        name=raw["name"],
        type=types[0],
        types=types,
        required=bool(raw.get("required", False)),
        default=raw.get("default"),
        enum=_choices(raw.get("enum")),
        min=raw.get("min"),
        max=raw.get("max"),
        min_length=raw.get("min_length"),
        max_items=raw.get("max_items"),
        items=raw.get("items"),
        format=raw.get("format"),
        description=raw.get("description", ""),
        validated=bool(raw.get("validated", True)),
        output_count=bool(raw.get("output_count", False)),
        name_inferred=bool(raw.get("name_inferred", False)),
    )


def _rule(raw: Mapping[str, Any]) -> RuleSpec:
    return RuleSpec(
        when=tuple(sorted(raw["when"].items())),
        field=raw["field"],
        enum=tuple(raw["enum"]),
        description=raw.get("description", ""),
    )


def _model(raw: Mapping[str, Any], suffixes: tuple[str, ...]) -> ModelSpec:
    model_id = raw["id"]
    if raw.get("kind") not in _KINDS:
        raise ValueError(f"spec: {model_id}: unknown kind {raw.get('kind')!r}")
    channels = tuple(raw.get("channels") or (model_id,))
    names = tuple(f"{model_id}_{suffix}" for suffix in suffixes)
    if channels[0] != model_id or any(name not in names for name in channels[1:]):
        raise ValueError(
            f"spec: {model_id}: channels must be the id, then '<id>_<suffix>' names with a "
            f"known suffix ({', '.join(suffixes)})"
        )
    documented = bool(raw.get("documented", True))
    length = raw.get("video_length_s")
    duration = raw.get("typical_duration_s")
    return ModelSpec(
        id=model_id,
        kind=raw["kind"],
        title=raw["title"],
        params=tuple(_param(p, model_id) for p in raw.get("params", ())),
        modes=tuple(raw.get("modes", ())),
        channels=channels,
        typical_duration_s=None if duration is None else float(duration),
        video_length_s=None if length is None else (int(length[0]), int(length[1])),
        documented=documented,
        open_params=bool(raw.get("open_params", not documented)),
        id_inferred=bool(raw.get("id_inferred", False)),
        channels_confirmed=bool(raw.get("channels_confirmed", False)),
        source=raw.get("source", ""),
        confidence=raw.get("confidence", ""),
        doc_url=raw.get("doc_url"),
        rules=tuple(_rule(r) for r in raw.get("rules", ())),
        notes=raw.get("notes", ""),
    )


def parse_spec(data: bytes) -> Spec:
    """A :class:`Spec` from the bytes of a spec file (checked for internal consistency)."""
    raw = json.loads(data)
    levels = dict(raw.get("channel_suffixes", {}))
    extra = dict(raw.get("extra_channel_suffixes", {}))
    suffixes = (*levels, *extra)
    models: dict[str, ModelSpec] = {}
    by_name: dict[str, tuple[ModelSpec, str | None]] = {}
    for entry in raw["models"]:
        model = _model(entry, suffixes)
        if model.id in models:
            raise ValueError(f"spec: duplicate model id {model.id!r}")
        models[model.id] = model
    for model_id in models:
        # "<id>_<suffix>" must read one way only: no model id may look like a channel name.
        base, _, suffix = model_id.rpartition("_")
        if suffix in suffixes and base in models:
            raise ValueError(f"spec: model id {model_id!r} reads as a channel of {base!r}")
    for model in models.values():
        for name, channel in zip(model.channels, (None, *model.channel_names), strict=True):
            if name in by_name:
                raise ValueError(f"spec: model name {name!r} is claimed twice")
            by_name[name] = (model, channel)
    return Spec(
        models=MappingProxyType(models),
        channel_suffixes=MappingProxyType(levels),
        extra_channel_suffixes=MappingProxyType(extra),
        sha256=hashlib.sha256(data).hexdigest(),
        by_model_name=MappingProxyType(by_name),
    )


def spec_bytes() -> bytes:
    """The raw bytes of the packaged spec file."""
    return resources.files("aireiter._spec").joinpath(SPEC_FILE).read_bytes()


@functools.lru_cache(maxsize=1)
def load_spec() -> Spec:
    """The packaged spec, read once and cached."""
    return parse_spec(spec_bytes())
