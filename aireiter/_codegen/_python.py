"""Render the typed Python modules of ``aireiter/_generated`` from the spec.

Per model, a params module (``_generated/params/<id>.py``: the channel alias and the params
class, attrs, keyword-only, checked against the spec when built; it imports only
:mod:`aireiter._spec`) and an endpoint module (``_generated/<kind>s/<id>.py``: the endpoint
class whose ``submit`` / ``generate`` take the parameters as typed keyword arguments, with
``Literal`` types for enums, and its blocking twin). Per kind, a package ``__init__`` with the
namespace class listing every model as a typed, cached attribute. All behaviour lives in
hand-written code (:mod:`aireiter._endpoints`, :mod:`aireiter._spec`); generated code only
declares. ``aireiter.types`` publishes the params classes and channel aliases.
"""

from __future__ import annotations

import json
import keyword
import textwrap
from collections.abc import Iterable

from .._files import DATA_URI_FIELDS
from .._spec import ModelSpec, ParamSpec, Spec, allowed_text

__all__ = [
    "RESERVED_NAMES",
    "class_prefix",
    "header",
    "render_endpoints_module",
    "render_kind_package",
    "render_model_module",
    "render_params_module",
    "render_params_package",
    "render_root_package",
]

SPEC_PATH = "aireiter/_spec/models.json"

RESERVED_NAMES = frozenset(
    {
        "self",
        "channel",
        "fallback_channels",
        "extra_params",
        "out_task_id",
        "callback_url",
        "metadata",
        "timeout",
        "max_retries",
        "extra_headers",
        "extra_query",
        "extra_body",
        "wait_timeout",
        "poll_interval",
        "on_update",
        "download_dir",
        "model",
        "model_id",
        "params",
    }
)
"""Keyword arguments of ``submit``/``generate`` themselves: no model parameter may use them."""

_WIDTH = 96
_KIND_PLURAL = {"image": "images", "video": "videos"}


def header(spec: Spec, comment: str = "#") -> str:
    """The first lines of every generated file: where it comes from and the spec's hash."""
    return (
        f"{comment} Generated from {SPEC_PATH} by `python -m aireiter._codegen`. Do not edit.\n"
        f"{comment} spec sha256: {spec.sha256}\n"
    )


def class_prefix(model_id: str) -> str:
    """``"seedream_v4_5"`` -> ``"SeedreamV45"``."""
    return "".join(part[:1].upper() + part[1:] for part in model_id.split("_"))


def _literal(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _text(value: str) -> str:
    """Text made safe for a docstring."""
    return value.replace("\\", "\\\\").replace('"""', "'''")


def _wrap(text: str, indent: str, first: str = "", *, hang: bool = True) -> list[str]:
    lines = textwrap.wrap(
        _text(text),
        width=_WIDTH,
        initial_indent=indent + first,
        subsequent_indent=indent + "    " if first and hang else indent,
        break_on_hyphens=False,
        break_long_words=False,
    )
    return lines or [indent + first.rstrip()]


_PY_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def py_type(param: ParamSpec) -> str:
    """The Python annotation of ``param`` (without ``| None``)."""
    if not param.validated:
        return "Any"
    if param.enum is not None:
        return "Literal[" + ", ".join(_literal(v) for v in param.enum) + "]"
    return " | ".join(
        f"Sequence[{_PY_TYPES.get(param.items or '', 'Any')}]"
        if kind == "array"
        else _PY_TYPES[kind]
        for kind in param.types
    )


def _takes_files(model: ModelSpec, param: ParamSpec) -> bool:
    """True when ``param`` also takes a local image (encoded as a data URI, see
    :mod:`aireiter._files`)."""
    return param.validated and (model.id, param.name) in DATA_URI_FIELDS


def _annotation(param: ParamSpec, *, files: bool = False) -> str:
    """``name: type = default`` as it appears in a signature or a class body; ``files``: the
    parameter takes local images too (``str`` becomes ``str | ImageFile``)."""
    kind = py_type(param)
    if files:
        kind = kind.replace("str", "str | ImageFile")
    if param.required:
        return f"{param.name}: {kind}"
    if param.has_default:
        return f"{param.name}: {kind} = {_literal(param.default)}"
    if kind == "Any":
        return f"{param.name}: Any = None"
    return f"{param.name}: {kind} | None = None"


def _param_doc(param: ParamSpec) -> str:
    parts = [param.description.rstrip(".") + "."]
    if not param.validated:
        if param.name_inferred:
            parts.append("Not checked (sent as given): its name is inferred, not documented.")
        else:
            parts.append("Not checked: known only from third-party code.")
    else:
        if param.name_inferred:
            parts.append("Field name inferred (not documented).")
        parts.append(f"Allowed: {allowed_text(param)}.")
    if param.required:
        parts.append("Required.")
    elif param.has_default:
        parts.append(f"Default {_literal(param.default)} (documented, sent).")
    else:
        parts.append("Left out when None (the API's default applies).")
    return " ".join(parts)


_NAMESPACE_NAMES = frozenset({"submit", "generate", "list", "endpoint", "kind", "endpoint_classes"})


def _check_names(model: ModelSpec) -> None:
    if not model.id.isidentifier() or keyword.iskeyword(model.id) or model.id.startswith("_"):
        raise ValueError(f"spec: model id {model.id!r} is not a usable Python name")
    if model.id in _NAMESPACE_NAMES:
        raise ValueError(f"spec: model id {model.id!r} would shadow a namespace method")
    for param in model.params:
        if param.name in RESERVED_NAMES or keyword.iskeyword(param.name):
            raise ValueError(f"spec: {model.id}.{param.name}: the name is reserved")
        if not param.name.isidentifier():
            raise ValueError(f"spec: {model.id}.{param.name}: not a Python identifier")


def channel_values(spec: Spec, model: ModelSpec) -> tuple[str, ...]:
    """What ``channel=`` is typed to take: the four levels, then the model's other listed
    channels (``face`` on seedance2)."""
    levels = spec.channel_levels
    return (*levels, *(name for name in model.channel_names if name not in levels))


def _channel_alias(spec: Spec, model: ModelSpec, prefix: str) -> list[str]:
    """The channel alias lines of the params module."""
    values = ", ".join(_literal(name) for name in channel_values(spec, model))
    return [f"{prefix}Channel: TypeAlias = Literal[{values}]", *_channel_alias_doc(model)]


def _channel_alias_doc(model: ModelSpec) -> list[str]:
    listed = ", ".join(f'"{name}"' for name in model.channel_names) or "none"
    text = (
        f"Channels of ``{model.id}``: the four levels (the overview: every model has them) and "
        f"any other listed one. Listed in the docs: {listed}; an unlisted one is sent with a "
        "one-time UndocumentedChannelWarning."
    )
    return [*_wrap(text, "", '"""', hang=False), '"""']


def _summary(model: ModelSpec) -> str:
    modes = ", ".join(model.modes) or "not documented"
    text = f"{model.title} (``{model.id}``, {model.kind}; modes: {modes})."
    if not model.documented:
        text += " Not fully documented: only prompt is checked, other fields pass through."
    elif model.open_params:
        text += " Not fully documented: fields the spec does not list pass through unchecked."
    if model.id_inferred:
        text += " The model id is a guess: no source gives it."
    return text


def _signature(model: ModelSpec, channel_type: str, generate: bool) -> list[str]:
    lines = ["        self,", "        *,"]
    lines += [f"        {_annotation(p, files=_takes_files(model, p))}," for p in model.params]
    optional = f"{channel_type} | None"
    lines += [
        f"        channel: {optional} = None,",
        f"        fallback_channels: Sequence[{optional}] | None = None,",
        "        extra_params: Mapping[str, Any] | None = None,",
        "        out_task_id: str | None = None,",
        "        callback_url: str | None = None,",
        "        metadata: Mapping[str, Any] | None = None,",
        "        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,",
        "        max_retries: NotGivenOr[int] = NOT_GIVEN,",
        "        extra_headers: Mapping[str, str] | None = None,",
        "        extra_query: Mapping[str, str | int | float] | None = None,",
        "        extra_body: Mapping[str, Any] | None = None,",
    ]
    if generate:
        lines += [
            "        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT_S,",
            "        poll_interval: float | None = None,",
            "        on_update: Callable[[Task], object] | None = None,",
            "        download_dir: str | PathLike[str] | None = None,",
        ]
    return lines


def _method_doc(model: ModelSpec, generate: bool) -> list[str]:
    ind = "        "
    if generate:
        first = f"Submit a task to {model.title} and wait until it completes; returns it."
    else:
        first = f"Submit a task to {model.title}; returns it as accepted (``pending``)."
    lines = [f'{ind}"""{_text(first)}', "", f"{ind}Args:"]
    for param in model.params:
        doc = _param_doc(param)
        if _takes_files(model, param):
            doc += " A local image (a Path, bytes, a binary file) is sent as a data URI."
        lines += _wrap(doc, ind + "    ", f"{param.name}: ")
    listed = ", ".join(f'"{name}"' for name in model.channel_names) or "none"
    channel_doc = (
        f"Channel to send to (``{model.id}_<channel>``); None: ``{model.id}``. Listed in the "
        f"docs: {listed}; another level is sent with a one-time UndocumentedChannelWarning."
    )
    common = [
        ("channel", channel_doc),
        (
            "fallback_channels",
            "Channels (None: the default) to try in order when the API turns the submit away "
            "for load (429, or a 5xx once a query shows no task was created); the same "
            "out_task_id is used.",
        ),
        ("extra_params", "Fields the spec does not know, sent unchecked."),
        ("out_task_id", "Your id for the task (default: a fresh one); the idempotency key."),
        ("callback_url", "Receives a POST when the task finishes."),
        ("metadata", "Returned unchanged with the task."),
        ("timeout", "Per-request timeout (default: the client's)."),
        ("max_retries", "Retries of the submit request (default: the client's)."),
        ("extra_headers", "Headers added to every request of the call (openai's name)."),
        ("extra_query", "Query parameters added to every request of the call."),
        (
            "extra_body",
            "Top-level fields added to the submit's JSON body (not those of the arguments "
            "above; model fields go in extra_params).",
        ),
    ]
    if generate:
        common += [
            ("wait_timeout", "Seconds to wait for the result (None: forever)."),
            (
                "poll_interval",
                "None: the tracker's schedule (the first query near the model's typical "
                "duration); else seconds before the first query, then growing.",
            ),
            (
                "on_update",
                "Called with the task at each new status, the submitted one first (plain or "
                "async).",
            ),
            (
                "download_dir",
                "Download the outputs there (as client.tasks.download) before returning.",
            ),
        ]
    for name, doc in common:
        lines += _wrap(doc, ind + "    ", f"{name}: ")
    raises = "ParamError (nothing sent) for bad input; the API's errors otherwise"
    if generate:
        raises += "; TaskFailedError, TaskTimeoutError"
    lines += ["", f"{ind}Raises:", *_wrap(raises + ".", ind + "    "), f'{ind}"""']
    return lines


def _call(model: ModelSpec, generate: bool) -> list[str]:
    target = "_generate" if generate else "_submit"
    lines = [f"        return await self.{target}(", "            {"]
    lines += [f'                "{p.name}": {p.name},' for p in model.params]
    lines += [
        "            },",
        "            channel=channel,",
        "            fallback_channels=fallback_channels,",
        "            extra_params=extra_params,",
        "            out_task_id=out_task_id,",
        "            callback_url=callback_url,",
        "            metadata=metadata,",
        "            timeout=timeout,",
        "            max_retries=max_retries,",
        "            extra_headers=extra_headers,",
        "            extra_query=extra_query,",
        "            extra_body=extra_body,",
    ]
    if generate:
        lines += [
            "            wait_timeout=wait_timeout,",
            "            poll_interval=poll_interval,",
            "            on_update=on_update,",
            "            download_dir=download_dir,",
        ]
    lines.append("        )")
    return lines


def _uses_sequence(model: ModelSpec) -> bool:
    return any(p.validated and p.enum is None and "array" in p.types for p in model.params)


def render_params_module(spec: Spec, model: ModelSpec) -> str:
    """``_generated/params/<id>.py``: the channel alias and the params class of one model."""
    _check_names(model)
    prefix = class_prefix(model.id)
    names = [f"{prefix}Channel", f"{prefix}Params"]
    typing_names = ["ClassVar", "Literal", "TypeAlias"]
    if any(not p.validated for p in model.params):
        typing_names.insert(0, "Any")
    out = [header(spec).rstrip("\n")]
    out += [*_wrap(f"Parameters and channels of {_summary(model)}", "", '"""', hang=False)]
    out += ['"""', "", "from __future__ import annotations", ""]
    if _uses_sequence(model):
        out += ["from collections.abc import Sequence"]
    out += ["from typing import " + ", ".join(typing_names), "", "import attrs", ""]
    out += ["from ..._spec import ModelParams", ""]
    out += ["__all__ = [" + ", ".join(f'"{name}"' for name in names) + "]", ""]
    out += _channel_alias(spec, model, prefix)
    out += [
        "",
        "",
        "@attrs.frozen(kw_only=True)",
        f"class {prefix}Params(ModelParams):",
        f'    """Parameters of {_text(model.title)} (``{model.id}``), as sent in ``params``.',
        "",
        "    Building one checks every field; a bad value raises ParamError listing every",
        "    problem. Fields left None are not sent.",
        "",
        "    Attributes:",
    ]
    for param in model.params:
        out += _wrap(_param_doc(param), "        ", f"{param.name}: ")
    out += ['    """', "", f'    model_id: ClassVar[str] = "{model.id}"']
    out += [f"    {_annotation(p)}" for p in model.params]
    return "\n".join(out) + "\n"


def render_model_module(spec: Spec, model: ModelSpec) -> str:
    """``_generated/<kind>s/<id>.py``: the endpoint class of one model and its blocking twin."""
    _check_names(model)
    prefix = class_prefix(model.id)
    channel_type = f"{prefix}Channel"
    names = [f"{prefix}Endpoint", f"{prefix}SyncEndpoint"]
    typing_names = ["Any", "ClassVar"]
    if any(p.enum is not None and p.validated for p in model.params):
        typing_names.append("Literal")
    out = [header(spec).rstrip("\n")]
    out += [*_wrap(_summary(model), "", '"""', hang=False), '"""', ""]
    out += [
        "from __future__ import annotations",
        "",
        "from collections.abc import Callable, Mapping, Sequence",
        "from os import PathLike",
        "from typing import " + ", ".join(typing_names),
        "",
        "from ..._constants import DEFAULT_WAIT_TIMEOUT_S",
        "from ..._endpoints import ModelEndpoint, PortalCall, SyncModelEndpoint, blocking",
        *(
            ["from ..._files import ImageFile"]
            if any(_takes_files(model, p) for p in model.params)
            else []
        ),
        "from ..._models import Task",
        "from ..._spec import ModelParams",
        "from ..._transport import Timeout",
        "from ..._types import NOT_GIVEN, NotGivenOr",
        f"from ..params.{model.id} import {channel_type}, {prefix}Params",
    ]
    out += ["", "__all__ = [" + ", ".join(f'"{name}"' for name in names) + "]", ""]
    out += [
        "",
        f"class {prefix}Endpoint(ModelEndpoint[{prefix}Params]):",
        *_wrap(_summary(model), "    ", '"""', hang=False),
        "",
        *_wrap(
            f"Reached as ``client.{_KIND_PLURAL[model.kind]}.{model.id}``. "
            "``submit`` returns the pending task, ``generate`` the completed one.",
            "    ",
        ),
        '    """',
        "",
        f'    model_id: ClassVar[str] = "{model.id}"',
        f"    params_class: ClassVar[type[ModelParams]] = {prefix}Params",
    ]
    for generate in (False, True):
        name = "generate" if generate else "submit"
        out += ["", f"    async def {name}("]
        out += _signature(model, channel_type, generate)
        out += ["    ) -> Task:"]
        out += _method_doc(model, generate)
        out += _call(model, generate)
    out += _sync_endpoint(model, prefix)
    return "\n".join(out) + "\n"


def _sync_endpoint(model: ModelSpec, prefix: str) -> list[str]:
    """The blocking twin of the endpoint: its methods are typed from the async ones."""
    where = f"AIReiter().{_KIND_PLURAL[model.kind]}.{model.id}"
    return [
        "",
        "",
        f"class {prefix}SyncEndpoint(SyncModelEndpoint):",
        *_wrap(
            f"The blocking twin of :class:`{prefix}Endpoint`, reached as ``{where}``: "
            "``submit`` and ``generate`` take the same arguments and block.",
            "    ",
            '"""',
            hang=False,
        ),
        '    """',
        "",
        f"    def __init__(self, call: PortalCall, endpoint: {prefix}Endpoint) -> None:",
        "        super().__init__(call, endpoint)",
        "        self.submit = blocking(call, endpoint.submit)",
        f'        """Blocking :meth:`{prefix}Endpoint.submit`: returns the pending task."""',
        "        self.generate = blocking(call, endpoint.generate)",
        f'        """Blocking :meth:`{prefix}Endpoint.generate`: returns the completed task."""',
    ]


def render_kind_package(spec: Spec, kind: str, models: Iterable[ModelSpec]) -> str:
    """``_generated/<kind>s/__init__.py``: the namespace class with one attribute per model."""
    models = list(models)
    plural = _KIND_PLURAL[kind]
    cls = f"{kind.capitalize()}Models"
    out = [header(spec).rstrip("\n")]
    out += [f'"""Every {kind} model of the spec as a typed attribute of ``client.{plural}``."""']
    out += ["", "from __future__ import annotations", "", "from collections.abc import Mapping"]
    out += ["from functools import cached_property", "from typing import Any, ClassVar", ""]
    out += ["from ..._endpoints import ModelEndpoint, ModelNamespace, SyncModelNamespace"]
    for model in models:
        prefix = class_prefix(model.id)
        out.append(f"from .{model.id} import {prefix}Endpoint, {prefix}SyncEndpoint")
    sync_cls = f"Sync{cls}"
    out += ["", f'__all__ = ["{cls}", "{sync_cls}"]', "", ""]
    out += [f"class {cls}(ModelNamespace):"]
    out += [f'    """The {kind} models, one typed attribute each (generated from the spec)."""']
    out += ["", f'    kind: ClassVar[str] = "{kind}"']
    out += ["    endpoint_classes: ClassVar[Mapping[str, type[ModelEndpoint[Any]]]] = {"]
    out += [f'        "{m.id}": {class_prefix(m.id)}Endpoint,' for m in models]
    out += ["    }"]
    for model in models:
        prefix = class_prefix(model.id)
        out += ["", "    @cached_property", f"    def {model.id}(self) -> {prefix}Endpoint:"]
        out += _wrap(_summary(model), "        ", '"""', hang=False)
        out[-1] += '"""'
        out += [f"        return {prefix}Endpoint(self._client)"]
    out += ["", "", f"class {sync_cls}(SyncModelNamespace):"]
    out += [f'    """The {kind} models of the blocking client, one typed attribute each."""']
    out += ["", f"    _models: {cls}"]
    for model in models:
        prefix = class_prefix(model.id)
        out += ["", "    @cached_property", f"    def {model.id}(self) -> {prefix}SyncEndpoint:"]
        out += _wrap(_summary(model), "        ", '"""', hang=False)
        out[-1] += '"""'
        out += [f"        return {prefix}SyncEndpoint(self._call, self._models.{model.id})"]
    return "\n".join(out) + "\n"


def render_params_package(spec: Spec) -> str:
    """``_generated/params/__init__.py``: every params class and channel alias, by name, and
    ``PARAMS_CLASSES`` by model id (``aireiter.types`` re-exports them)."""
    models = list(spec.models.values())
    out = [header(spec).rstrip("\n")]
    out += ['"""The params class and channel alias of every model, generated from the spec."""']
    out += ["", "from __future__ import annotations", "", "from collections.abc import Mapping", ""]
    out += ["from ..._spec import ModelParams"]
    exported: list[str] = []
    for model in models:
        prefix = class_prefix(model.id)
        names = [f"{prefix}Channel", f"{prefix}Params"]
        exported += names
        out.append(f"from .{model.id} import {', '.join(names)}")
    out += ["", "PARAMS_CLASSES: Mapping[str, type[ModelParams]] = {"]
    out += [f'    "{m.id}": {class_prefix(m.id)}Params,' for m in models]
    out += ["}", '"""The params class of every model, by model id."""', ""]
    out += ["__all__ = ["]
    out += [f'    "{name}",' for name in sorted([*exported, "PARAMS_CLASSES"])]
    out += ["]"]
    return "\n".join(out) + "\n"


def render_root_package(spec: Spec) -> str:
    """``_generated/__init__.py``: the spec's hash only, so that importing one subpackage
    (``params``) does not import the others."""
    out = [header(spec).rstrip("\n")]
    out += [
        '"""Typed modules generated from the model spec.',
        "",
        "- ``params``: each model's params class and channel alias (public: ``aireiter.types``);",
        "- ``images`` / ``videos``: the typed endpoints and the namespaces listing them;",
        "- ``endpoints``: every endpoint class, by model id.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f'SPEC_SHA256 = "{spec.sha256}"',
        '"""SHA-256 of the spec these modules were generated from."""',
        "",
        '__all__ = ["SPEC_SHA256"]',
    ]
    return "\n".join(out) + "\n"


def render_endpoints_module(spec: Spec) -> str:
    """``_generated/endpoints.py``: every endpoint class, by name and by model id."""
    models = list(spec.models.values())
    out = [header(spec).rstrip("\n")]
    out += ['"""Every model\'s endpoint class, generated from the spec."""']
    out += ["", "from __future__ import annotations", "", "from collections.abc import Mapping"]
    out += ["from typing import Any", "", "from .._endpoints import ModelEndpoint"]
    exported: list[str] = []
    for model in models:
        prefix = class_prefix(model.id)
        exported.append(f"{prefix}Endpoint")
        out.append(f"from .{_KIND_PLURAL[model.kind]}.{model.id} import {prefix}Endpoint")
    out += ["", "ENDPOINT_CLASSES: Mapping[str, type[ModelEndpoint[Any]]] = {"]
    out += [f'    "{m.id}": {class_prefix(m.id)}Endpoint,' for m in models]
    out += ["}", '"""The endpoint class of every model, by model id."""', ""]
    out += ["__all__ = ["]
    out += [f'    "{name}",' for name in sorted([*exported, "ENDPOINT_CLASSES"])]
    out += ["]"]
    return "\n".join(out) + "\n"
