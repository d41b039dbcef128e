"""Render ``docs/models.md``: every model, its modes, parameters and channels, from the spec."""

from __future__ import annotations

import json

from .._spec import ModelSpec, ParamSpec, Spec, allowed_text
from ._python import header

__all__ = ["render_models_md"]

_PLURAL = {"image": "images", "video": "videos"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _value(value: object) -> str:
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _allowed(param: ParamSpec) -> str:
    if not param.validated:
        return "not checked"
    if param.enum is not None:
        return ", ".join(_value(v) for v in param.enum)
    return allowed_text(param)


def _short_type(param: ParamSpec, kind: str) -> str:
    if kind == "array":
        text = f"list of {'URLs' if param.format == 'image' else param.items or 'values'}"
        return text if param.max_items is None else f"{text}, ≤ {param.max_items}"
    if param.format == "image":
        return "URLs, comma-joined" if "array" in param.types else "URL"
    text = kind
    if param.min is not None:
        text += f" ≥ {param.min:g}"
    if param.max is not None:
        text += f" ≤ {param.max:g}"
    return text


def _short_allowed(param: ParamSpec) -> str:
    if param.enum is not None:
        return " ".join(_value(v) for v in param.enum)
    return " or ".join(_short_type(param, kind) for kind in param.types)


def _type(param: ParamSpec) -> str:
    return " or ".join(
        f"array of {param.items}" if kind == "array" else kind for kind in param.types
    )


def _param_summary(param: ParamSpec) -> str:
    text = f"`{param.name}`"
    if param.name_inferred:
        text += " †"
    if param.required:
        text += " (required)"
    if param.validated and param.name != "prompt":
        text += ": " + _short_allowed(param)
    return text


def _channels(model: ModelSpec) -> str:
    return ", ".join(f"`{name}`" for name in model.channels)


def _channel_line(spec: Spec, model: ModelSpec) -> str:
    listed = ", ".join(f'`"{name}"`' for name in model.channel_names)
    unlisted = [level for level in spec.channel_levels if level not in model.channel_names]
    if model.channels_confirmed:
        text = f"listed in the docs: {_channels(model)}"
    else:
        text = f"{_channels(model)}; no docs page lists this model's channels"
    text += f" (`channel=` {listed})" if listed else " (`channel=None`)"
    if unlisted:
        levels = ", ".join(f'`"{level}"`' for level in unlisted)
        text += f". Not listed, sent with a one-time `UndocumentedChannelWarning`: {levels}"
    return text


def _overview(models: list[ModelSpec]) -> list[str]:
    lines = [
        "| Model | Kind | Modes | Parameters (allowed values) | Channels |",
        "|---|---|---|---|---|",
    ]
    for model in models:
        name = f"[`{model.id}`](#{model.id})" + ("" if model.documented else " \\*")
        name += " ‡" if model.id_inferred else ""
        params = "<br>".join(_cell(_param_summary(p)) for p in model.params)
        lines.append(
            f"| {name} | {model.kind} | {_cell(', '.join(model.modes))} | {params} "
            f"| {_channels(model)} |"
        )
    return lines


_DOCS_DURATION = {
    "image": "images take a few seconds to tens of seconds",
    "video": "videos typically take 1-5 minutes",
}


def _model_section(spec: Spec, model: ModelSpec) -> list[str]:
    lines = [f"### `{model.id}`", "", f"**{_cell(model.title)}** ({model.kind})."]
    if model.id_inferred:
        lines += [
            "",
            f"> ‡ The model id `{model.id}` is a guess from the naming pattern: the overview "
            "names the model, no source gives its id.",
        ]
    if not model.documented:
        lines += [
            "",
            "> Not fully documented: no parameter page is available. `prompt` is required and "
            "checked; every other field is passed through unchecked (the ones listed come from "
            "third-party client code).",
        ]
    elif model.open_params:
        lines += [
            "",
            "> Not fully documented: the parameters marked † have inferred names and are sent "
            "unchecked; keys the spec does not list pass through too.",
        ]
    lines += [
        "",
        f"- Call: `client.{_PLURAL[model.kind]}.{model.id}.generate(...)` / `.submit(...)`",
        f"- Modes: {', '.join(model.modes) or 'not documented'}",
        f"- Channels: {_channel_line(spec, model)}",
    ]
    if model.video_length_s is not None:
        low, high = model.video_length_s
        lines.append(f"- Clip length: {low}-{high} s")
    if model.typical_duration_s is not None:
        lines.append(
            f"- Typical processing time: ~{model.typical_duration_s:g} s (SDK estimate; the "
            f"docs: {_DOCS_DURATION[model.kind]})"
        )
    lines.append(f"- Source: {model.source} (confidence: {model.confidence})")
    if model.doc_url:
        lines.append(f"- Docs: <{model.doc_url}>")
    lines += [
        "",
        "| Parameter | Type | Required | Default | Allowed | Description |",
        "|---|---|---|---|---|---|",
    ]
    for param in model.params:
        default = _value(param.default) if param.has_default else ""
        name = f"`{param.name}`" + (" †" if param.name_inferred else "")
        lines.append(
            f"| {name} | {_type(param)} | {'yes' if param.required else 'no'} | {default} "
            f"| {_cell(_allowed(param))} | {_cell(param.description)} |"
        )
    for rule in model.rules:
        lines += ["", f"Rule: {_cell(rule.description)}"]
    if model.notes:
        lines += ["", f"Note: {_cell(model.notes)}"]
    return [*lines, ""]


def render_models_md(spec: Spec) -> str:
    """The whole of ``docs/models.md``."""
    models = list(spec.models.values())
    out = [header(spec, "<!--").replace("\n", " -->\n").rstrip("\n"), "", "# Models", ""]
    out += [
        "Every image and video model the SDK knows, generated from the spec "
        "(`aireiter/_spec/models.json`). Values are shown exactly as sent on the wire: "
        '`video_length` is the string `"10"` on Sora but the integer `5` on Seedance 1.5 Pro.',
        "",
        "- Typed endpoints send a documented default explicitly; a parameter without a "
        "documented default is left out when not given, so the API's own default applies.",
        "- A bad value raises `aireiter.ParamError` before anything is sent, listing every "
        "problem. Fields the spec does not know go in `extra_params={...}`.",
        '- `channel=` picks a channel (`sora2` + `channel="plus"` sends `sora2_plus`); '
        "channels differ in price and stability, never in output. The overview says every "
        "model comes in four levels (`base`, `plus`, `advanced`, `max`), while the model pages "
        "list only some: a listed channel is sent silently, an unlisted level with a one-time "
        "`aireiter.UndocumentedChannelWarning` (the API answers if it does not exist). A model "
        "name with a level suffix (`gpt_4o_plus`) is checked as its base model. `face` "
        "(third-party code only) passes through the same way. `fallback_channels=[...]` "
        "tries the next channel when one is turned away for load.",
        "- Processing times: the docs say images take a few seconds to tens of seconds and "
        "videos typically 1-5 minutes; the per-model figures below are the SDK's estimates "
        "within those ranges (they time the first poll). Failed tasks are free (the docs FAQ).",
        "- \\* Not fully documented: no parameter page is available. What is known is typed "
        "(id, kind, modes, clip length); `prompt` is required; every other parameter is "
        "passed through unchecked.",
        "- ‡ The model id is a guess: the overview names the model, but no source gives its "
        f"id ({', '.join(f'`{m.id}`' for m in models if m.id_inferred)}).",
        "- † The field name is not documented: it is inferred by analogy with a sibling model.",
        "",
        "## Overview",
        "",
        *_overview(models),
        "",
    ]
    for kind in ("image", "video"):
        out += [f"## {kind.capitalize()} models", ""]
        for model in models:
            if model.kind == kind:
                out += _model_section(spec, model)
    return "\n".join(out).rstrip("\n") + "\n"
