"""The emulator is a second opinion: it shares no code with the SDK's validation, so a rule
that is wrong in the SDK's spec is caught by the emulator instead of passing on both sides."""

from __future__ import annotations

import ast
import importlib.util
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import aireiter._spec
import aireiter._spec._model
import aireiter.emulator
from aireiter import AsyncAIReiter, BadRequestError, ParamError
from aireiter._spec import load_spec, spec_bytes, validate_params
from aireiter.emulator import RunningEmulator

EMULATOR_DIR = Path(aireiter.emulator.__file__).parent
SDK_VALIDATION = ("aireiter._spec", "aireiter.resources", "aireiter._generated")


def _names_a_module(value: object) -> bool:
    """True for a string naming an importable aireiter module (a dynamic import's target)."""
    if not isinstance(value, str) or not value.startswith("aireiter."):
        return False
    try:
        return importlib.util.find_spec(value) is not None
    except (ImportError, ValueError):
        return False


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every module ``path`` imports, as an absolute name (relative ones resolved)."""
    package = "aireiter.emulator"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                yield node.lineno, node.module or ""
                continue
            parts = package.split(".")
            base = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
            if node.level - 1 > len(parts) - 1:
                base = []
            yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
        elif isinstance(node, ast.Constant) and _names_a_module(node.value):
            yield node.lineno, node.value  # importlib.import_module("aireiter....")


def test_the_emulator_imports_nothing_of_the_sdk() -> None:
    """No emulator module imports the SDK's spec, endpoints, generated code or any other SDK
    module: only its own package, the stdlib and third-party libraries."""
    files = sorted(EMULATOR_DIR.glob("*.py"))
    assert len(files) > 10
    offending = [
        f"{path.name}:{line}: {name}"
        for path in files
        for line, name in _imports(path)
        if (name == "aireiter" or name.startswith("aireiter."))
        and not name.startswith("aireiter.emulator")
    ]
    assert offending == [], f"the emulator must not import the SDK: {offending}"
    named = [name for name in offending if any(mod in name for mod in SDK_VALIDATION)]
    assert named == []


def test_the_scan_sees_relative_imports(tmp_path: Path) -> None:
    """The scan resolves ``from .._spec import x`` (the form a back-import would take)."""
    module = tmp_path / "m.py"
    module.write_text("from .._spec import validate_params\nfrom ._catalog import x\n")
    assert [name for _, name in _imports(module)] == [
        "aireiter._spec",
        "aireiter.emulator._catalog",
    ]


@contextmanager
def _sdk_spec_with(
    change: Callable[[dict[str, Any]], None], monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """While inside, the SDK reads its spec file with ``change`` applied to sora2's
    aspect_ratio (in memory: the file is not touched)."""
    raw = json.loads(spec_bytes())
    [sora2] = [model for model in raw["models"] if model["id"] == "sora2"]
    [aspect] = [param for param in sora2["params"] if param["name"] == "aspect_ratio"]
    change(aspect)
    changed = json.dumps(raw).encode()
    with monkeypatch.context() as patch:
        patch.setattr(aireiter._spec._model, "spec_bytes", lambda: changed)
        load_spec.cache_clear()
        try:
            yield
        finally:
            load_spec.cache_clear()


def _sdk_accepts(model: str, params: dict[str, Any]) -> bool:
    try:
        validate_params(model, params)
    except ParamError:
        return False
    return True


async def _emulator_accepts(client: AsyncAIReiter, model: str, params: dict[str, Any]) -> bool:
    try:
        await client.tasks.submit(model, params, validate=False)
    except BadRequestError:
        return False
    return True


CASES = [
    # The SDK's rule wrongly widened: it would send 4:3, which the docs do not list.
    (lambda p: p.update(enum=[*p["enum"], "4:3"]), {"prompt": "x", "aspect_ratio": "4:3"}),
    # The SDK's rule wrongly narrowed: it would refuse 9:16, which the docs list.
    (lambda p: p.update(enum=["16:9"]), {"prompt": "x", "aspect_ratio": "9:16"}),
]


@pytest.mark.parametrize(("change", "params"), CASES)
async def test_a_rule_changed_in_the_sdk_alone_is_caught(
    change: Callable[[dict[str, Any]], None],
    params: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    client: AsyncAIReiter,
    emulator: RunningEmulator,
) -> None:
    """SDK and emulator agree on a value with the shipped spec; with one rule of the SDK's
    spec changed in memory they disagree (the emulator's verdict does not move), so a
    cross-check of the two fails on the wrong rule."""
    agreed = _sdk_accepts("sora2", params)
    emulator_verdict = await _emulator_accepts(client, "sora2", params)
    assert agreed == emulator_verdict

    with _sdk_spec_with(change, monkeypatch):
        assert _sdk_accepts("sora2", params) != agreed  # the SDK now judges differently ...
        assert await _emulator_accepts(client, "sora2", params) == emulator_verdict  # ... not it
        assert _sdk_accepts("sora2", params) != emulator_verdict
    assert _sdk_accepts("sora2", params) == agreed  # the shipped spec is back
