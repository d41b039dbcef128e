"""The generator: turns the model spec into typed modules and ``docs/models.md``.

``python -m aireiter._codegen`` writes ``aireiter/_generated/**`` and ``docs/models.md`` from
``aireiter/_spec/models.json``; ``python -m aireiter._codegen --check`` writes nothing and
exits 1 when the committed files differ from what the spec produces (a test runs it). Output
is deterministic: models in spec order, fixed formatting, the spec's SHA-256 in every header.
"""

from __future__ import annotations

from pathlib import Path

from .._spec import ModelKind, Spec, load_spec
from ._docs import render_models_md
from ._python import (
    render_endpoints_module,
    render_kind_package,
    render_model_module,
    render_params_module,
    render_params_package,
    render_root_package,
)

__all__ = ["GENERATED_DIR", "MODELS_DOC", "check", "render_all", "repo_root", "write"]

GENERATED_DIR = "aireiter/_generated"
"""Where the generated package lives, relative to the repository root."""
MODELS_DOC = "docs/models.md"
"""The generated model reference, relative to the repository root."""

_PLURAL: dict[ModelKind, str] = {"image": "images", "video": "videos"}


def repo_root() -> Path:
    """The directory holding the ``aireiter`` package (the repository root in a checkout)."""
    return Path(__file__).resolve().parent.parent.parent


def render_all(spec: Spec | None = None) -> dict[str, str]:
    """Every generated file's text, by path relative to the repository root."""
    spec = spec if spec is not None else load_spec()
    files: dict[str, str] = {
        f"{GENERATED_DIR}/__init__.py": render_root_package(spec),
        f"{GENERATED_DIR}/endpoints.py": render_endpoints_module(spec),
        f"{GENERATED_DIR}/params/__init__.py": render_params_package(spec),
    }
    for model in spec.models.values():
        files[f"{GENERATED_DIR}/params/{model.id}.py"] = render_params_module(spec, model)
    for kind, plural in _PLURAL.items():
        models = spec.of_kind(kind)
        files[f"{GENERATED_DIR}/{plural}/__init__.py"] = render_kind_package(spec, kind, models)
        for model in models:
            files[f"{GENERATED_DIR}/{plural}/{model.id}.py"] = render_model_module(spec, model)
    files[MODELS_DOC] = render_models_md(spec)
    return dict(sorted(files.items()))


def _stale(root: Path, expected: dict[str, str]) -> list[str]:
    """Generated-looking files on disk that the spec no longer produces."""
    base = root / GENERATED_DIR
    if not base.is_dir():
        return []
    found = (p.relative_to(root).as_posix() for p in base.rglob("*.py"))
    return sorted(path for path in found if path not in expected)


def check(root: Path | None = None, spec: Spec | None = None) -> list[str]:
    """What differs from the spec's output: ``"<path>: differs"``, ``missing`` or ``stale``."""
    root = root if root is not None else repo_root()
    expected = render_all(spec)
    problems = []
    for path, text in expected.items():
        target = root / path
        if not target.is_file():
            problems.append(f"{path}: missing")
        elif target.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: differs")
    problems += [f"{path}: stale (no model produces it)" for path in _stale(root, expected)]
    return problems


def write(root: Path | None = None, spec: Spec | None = None) -> list[str]:
    """Write every generated file (and delete stale ones); the paths that changed."""
    root = root if root is not None else repo_root()
    expected = render_all(spec)
    changed = []
    for path, text in expected.items():
        target = root / path
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        changed.append(path)
    for path in _stale(root, expected):
        (root / path).unlink()
        changed.append(path)
    return changed
