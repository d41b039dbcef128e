"""``aireiter models`` (the spec as a table), ``aireiter balance`` (points and free quota) and
``aireiter emulator`` (the local API)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._models import Balance
from .._spec import ModelSpec, ParamSpec, allowed_text, load_spec, resolve_model
from ._app import EXIT_OK, run_async
from ._common import make_client
from ._output import Output, UsageError

__all__ = ["balance_to_json", "model_to_json", "run_balance", "run_emulator", "run_models"]


def _value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def param_to_json(param: ParamSpec) -> dict[str, Any]:
    """One parameter as JSON (``aireiter models MODEL --json``)."""
    return {
        "name": param.name,
        "type": param.type,
        "items": param.items,
        "required": param.required,
        "default": param.default,
        "enum": list(param.enum) if param.enum is not None else None,
        "min": param.min,
        "max": param.max,
        "max_items": param.max_items,
        "format": param.format,
        "validated": param.validated,
        "description": param.description,
    }


def model_to_json(model: ModelSpec, *, with_params: bool = True) -> dict[str, Any]:
    """One model as JSON."""
    result: dict[str, Any] = {
        "id": model.id,
        "kind": model.kind,
        "title": model.title,
        "modes": list(model.modes),
        "channels": list(model.channels),
        "documented": model.documented,
        "typical_duration_s": model.typical_duration_s,
    }
    if with_params:
        result["params"] = [param_to_json(p) for p in model.params]
    return result


def _show_model(out: Output, model: ModelSpec) -> None:
    if out.json_mode:
        out.json(model_to_json(model))
        return
    out.fields(
        {
            "model": f"{model.id} ({model.kind})",
            "title": model.title,
            "modes": ", ".join(model.modes),
            "channels": ", ".join(model.channels),
            "typical time": f"~{model.typical_duration_s:g} s"
            if model.typical_duration_s is not None
            else None,
            "documented": "yes" if model.documented else "no: only prompt is checked",
            "docs": model.doc_url,
        }
    )
    rows = []
    for param in model.params:
        kind = param.type if param.type != "array" else f"array of {param.items}"
        default = _value(param.default) if param.has_default else ""
        allowed = allowed_text(param) if param.validated else "not checked"
        rows.append(
            (param.name, kind, "yes" if param.required else "", default, allowed, param.description)
        )
    out.line()
    out.table(
        ("Parameter", "Type", "Required", "Default", "Allowed", "Description"),
        rows,
        title=f"Parameters (aireiter {model.kind} {model.id} --prompt ... --param KEY=VALUE)",
    )


def run_models(args: argparse.Namespace, out: Output) -> int:
    """``aireiter models [--kind image|video] [MODEL]``."""
    spec = load_spec()
    if args.model:
        model, _channel = resolve_model(args.model)
        if model is None:
            raise UsageError(f"unknown model {args.model!r}; see `aireiter models`")
        _show_model(out, model)
        return EXIT_OK
    models = [m for m in spec.models.values() if args.kind in (None, m.kind)]
    if out.json_mode:
        out.json([model_to_json(m, with_params=False) for m in models])
        return EXIT_OK
    rows = [
        (
            m.id + ("" if m.documented else " *"),
            m.kind,
            ", ".join(m.modes),
            ", ".join(p.name for p in m.params),
            ", ".join(m.channel_names) or "-",
        )
        for m in models
    ]
    out.table(
        ("Model", "Kind", "Modes", "Parameters", "Channels"),
        rows,
        title="Models (channel: MODEL_<channel>, e.g. sora2_plus)",
    )
    out.line("* not fully documented: only prompt is checked, other fields pass through.")
    out.line("Details: aireiter models MODEL")
    return EXIT_OK


def run_emulator(args: argparse.Namespace, out: Output) -> int:
    """``aireiter emulator [--port N] [--fault-rate F] ...``: the emulator's own options, parsed
    with the rest of the command line."""
    from ..emulator.__main__ import config_from_args, serve

    try:
        config = config_from_args(args)
    except ValueError as error:
        raise UsageError(str(error)) from None
    return serve(config, args.host, args.port)


def balance_to_json(balance: Balance) -> dict[str, Any]:
    """A balance as JSON (``aireiter balance --json``): typed fields and every raw field."""
    return {
        "credits": balance.credits,
        "free_quota": dict(balance.free_quota),
        "raw": dict(balance.raw),
    }


def _number(value: float) -> str:
    """``1000000.0`` -> ``1,000,000``; ``12.5`` -> ``12.5`` (no exponent, no float noise)."""
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _show_balance(out: Output, balance: Balance) -> None:
    if out.json_mode:
        out.json(balance_to_json(balance))
        return
    credits = balance.credits
    out.fields({"credits": _number(credits) if credits is not None else "unknown"})
    if balance.free_quota:
        out.line()
        out.table(
            ("Model", "Free quota left"),
            [(model, _number(amount)) for model, amount in sorted(balance.free_quota.items())],
            title="Free quota per model",
        )


async def _balance(args: argparse.Namespace, out: Output) -> int:
    async with make_client(args) as client:
        balance = await client.balance()
    _show_balance(out, balance)
    return EXIT_OK


def run_balance(args: argparse.Namespace, out: Output) -> int:
    """``aireiter balance``: the points balance and, when the API reports it, the free quota
    left per model."""
    return run_async(_balance(args, out))
