"""The import-layer contract: imports inside ``aireiter`` run one way, down the layers.

Layers, lowest first (a module may import its own layer and the ones below, never above)::

    core (constants, errors, models) <- _transport <- _spec <- public values (params, types)
      <- _endpoints (what endpoints are built on) <- _generated (typed endpoints)
      <- resources, openai adapter <- client (_client, _sync) <- tracker <- report
      <- cli, testing

The emulator stands apart: it imports nothing of the SDK (it is a second reading of the docs),
and only the CLI and ``aireiter.testing`` import it.

Every import counts: at module level, inside ``if TYPE_CHECKING:``, and inside functions
(a lazy import is still a dependency). A lazy or type-only import that must point up is listed
in ``ALLOWED`` with its reason; a module-level one never can be. A new module must be given a
layer here. The checker is a plain ``ast`` walk, tested below on a synthetic package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import attrs
import pytest

from aireiter._codegen import repo_root

LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "aireiter._constants",
        "aireiter._types",
        "aireiter._version",
        "aireiter._exceptions",
        "aireiter._models",
        "aireiter._converter",
        "aireiter._timing",
        "aireiter._confirm",
        "aireiter._not_the_api",
        "aireiter._poll_schedule",
        "aireiter._files",
    ),
    ("aireiter._transport",),
    ("aireiter._spec",),
    ("aireiter._generated.params", "aireiter.types"),
    ("aireiter._endpoints",),
    ("aireiter._generated",),
    (
        "aireiter.resources",
        "aireiter.openai",
        "aireiter._openai_errors",
        "aireiter.webhooks",
        "aireiter._webhooks_asgi",
    ),
    ("aireiter._client", "aireiter._sync"),
    ("aireiter.tracker",),
    ("aireiter.report",),
    ("aireiter.cli", "aireiter.testing", "aireiter._codegen", "aireiter.__main__", "aireiter"),
)
"""Module prefixes per layer, lowest first. ``aireiter`` itself (the package facade) matches
only ``aireiter/__init__.py``."""

ISOLATED: Mapping[str, tuple[str, ...]] = {
    "aireiter.emulator": ("aireiter.cli", "aireiter.testing"),
}
"""Packages that import nothing of the SDK outside themselves, and who may import them."""

ALLOWED: Mapping[tuple[str, str], str] = {
    ("aireiter._client", "aireiter.tracker"): (
        "client.tracker() is the documented factory of the layer above (`async with "
        "client.tracker() as t`): imported inside the method and for its return annotation, "
        "never when aireiter._client is imported"
    ),
    ("aireiter._sync", "aireiter.tracker"): (
        "AIReiter.tracker() is the blocking twin of client.tracker(): the blocking tracker is "
        "imported inside the method and for its return annotation, never at import time"
    ),
    ("aireiter.resources.tasks", "aireiter.tracker._downloads"): (
        "client.tasks.download() reuses the tracker's streamed, atomic, verified Downloader: "
        "imported inside the method when a download is asked for, never at import time"
    ),
}
"""Lazy or type-only imports that point up, (importer, imported) -> why."""


@attrs.frozen
class Import:
    """One import statement's target, as the module it names."""

    importer: str
    imported: str
    line: int
    kind: str  # "module level", "lazy" (inside a function) or "type-only"


@attrs.frozen
class Violation:
    """An import the contract forbids."""

    found: Import
    problem: str

    def __str__(self) -> str:
        i = self.found
        return f"{i.importer}:{i.line} imports {i.imported} ({i.kind}): {self.problem}"


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``root``, by dotted name."""
    names: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(tree: ast.AST) -> Iterator[tuple[ast.stmt, str]]:
    """Every import statement of a module, with how it runs."""

    def walk(nodes: Iterable[ast.AST], kind: str) -> Iterator[tuple[ast.stmt, str]]:
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield node, kind
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield from walk(ast.iter_child_nodes(node), "lazy")
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                yield from walk(node.body, "type-only" if kind == "module level" else kind)
                yield from walk(node.orelse, kind)
            else:
                yield from walk(ast.iter_child_nodes(node), kind)

    yield from walk(ast.iter_child_nodes(tree), "module level")


def imports_of(module: str, path: Path, known: Mapping[str, Path], package: str) -> list[Import]:
    """The imports of ``module`` that name a module of ``package`` (resolved to that module:
    ``from . import _timing`` is ``<package>._timing``, ``from .x import Y`` is ``<pkg>.x``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []
    for node, kind in _statements(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base_parts = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                child = f"{base}.{alias.name}"
                targets.append(child if child in known else base)
        for target in dict.fromkeys(targets):  # once per statement and module
            if target == package or target.startswith(package + "."):
                found.append(Import(module, target, node.lineno, kind))
    return found


def _layer(name: str, layers: Sequence[Sequence[str]], package: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer)
    for index, prefixes in enumerate(layers):
        for prefix in prefixes:
            exact_only = prefix == package
            matches = name == prefix or (not exact_only and name.startswith(prefix + "."))
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def _owner(name: str, isolated: Mapping[str, Sequence[str]]) -> str | None:
    return next((p for p in isolated if name == p or name.startswith(p + ".")), None)


def check_layers(
    root: Path,
    package: str,
    layers: Sequence[Sequence[str]],
    isolated: Mapping[str, Sequence[str]],
    allowed: Mapping[tuple[str, str], str],
) -> tuple[list[Violation], list[str]]:
    """The forbidden imports under ``root/package``, and the modules no layer claims."""
    known = module_names(root, package)
    violations: list[Violation] = []
    unplaced: list[str] = []
    for module, path in known.items():
        owner = _owner(module, isolated)
        layer = _layer(module, layers, package)
        if owner is None and layer is None:
            unplaced.append(module)
            continue
        for found in imports_of(module, path, known, package):
            target_owner = _owner(found.imported, isolated)
            if owner is not None:
                if target_owner != owner:
                    violations.append(Violation(found, f"{owner} imports nothing of the SDK"))
                continue
            if target_owner is not None:
                importers = isolated[target_owner]
                if not any(module == p or module.startswith(p + ".") for p in importers):
                    violations.append(Violation(found, f"only {importers} import {target_owner}"))
                continue
            target = _layer(found.imported, layers, package)
            if target is None or layer is None or target <= layer:
                continue
            pair = next(
                (
                    key
                    for key in allowed
                    if (module == key[0] or module.startswith(key[0] + "."))
                    and (found.imported == key[1] or found.imported.startswith(key[1] + "."))
                ),
                None,
            )
            if pair is not None and found.kind != "module level":
                continue
            problem = f"layer {layer} imports layer {target} (upward)"
            if pair is not None:
                problem += "; an allowed upward import must stay lazy or type-only"
            violations.append(Violation(found, problem))
    return violations, unplaced


# -- the contract ---------------------------------------------------------------------------


def test_aireiter_imports_run_one_way() -> None:
    """No module imports a layer above its own (lazy and type-only imports included, bar the
    listed exceptions), the emulator imports nothing of the SDK, and every module is placed."""
    violations, unplaced = check_layers(repo_root(), "aireiter", LAYERS, ISOLATED, ALLOWED)
    assert not unplaced, f"give these modules a layer in {__file__}: {unplaced}"
    assert not violations, "\n".join(str(v) for v in violations)


def test_every_allowed_exception_is_still_needed_and_explained() -> None:
    """An allow-list entry that no import uses any more is removed; each has a reason."""
    root = repo_root()
    known = module_names(root, "aireiter")
    seen = {
        (found.importer, found.imported)
        for module, path in known.items()
        for found in imports_of(module, path, known, "aireiter")
    }
    for (importer, imported), reason in ALLOWED.items():
        assert len(reason) > 30, (importer, imported)
        assert any(
            (a == importer or a.startswith(importer + "."))
            and (b == imported or b.startswith(imported + "."))
            for a, b in seen
        ), f"unused allow-list entry {(importer, imported)}"


# -- the checker, on a synthetic package ----------------------------------------------------

_SYNTHETIC = {
    "pkg/__init__.py": "from .app import run\n",
    "pkg/_core.py": "X = 1\n",
    "pkg/low/__init__.py": "from .._core import X\n",
    "pkg/low/mod.py": "from .. import _core\n",
    "pkg/high.py": "from .low import mod\nfrom pkg.low import mod as again\n",
    "pkg/app.py": "import pkg.high\n",
    "pkg/iso/__init__.py": "from . import inner\n",
    "pkg/iso/inner.py": "X = 2\n",
}
_LAYERS = (("pkg._core",), ("pkg.low",), ("pkg.high",), ("pkg.app", "pkg.iso.user", "pkg"))


def _synthetic(tmp_path: Path, extra: Mapping[str, str]) -> Path:
    for name, text in {**_SYNTHETIC, **extra}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _check(
    tmp_path: Path,
    extra: Mapping[str, str],
    allowed: Mapping[tuple[str, str], str] | None = None,
) -> list[str]:
    root = _synthetic(tmp_path, extra)
    violations, unplaced = check_layers(
        root, "pkg", _LAYERS, {"pkg.iso": ("pkg.app",)}, allowed or {}
    )
    assert unplaced == []
    return [str(v) for v in violations]


def test_checker_passes_a_package_whose_imports_run_down(tmp_path: Path) -> None:
    """The synthetic package, imports all downward, is clean."""
    assert _check(tmp_path, {}) == []


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("from ..high import run\n", "module level"),
        ("import pkg.high\n", "module level"),
        ("def f():\n    from .. import high\n    return high\n", "lazy"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..app import run\n",
            "type-only",
        ),
        ("async def f():\n    import pkg.app\n", "lazy"),
    ],
)
def test_checker_catches_a_back_import(tmp_path: Path, source: str, kind: str) -> None:
    """A lower module importing a higher one fails, at module level, lazily or for types."""
    problems = _check(tmp_path, {"pkg/low/back.py": source})
    assert len(problems) == 1, problems
    assert problems[0].startswith("pkg.low.back:")
    assert f"({kind})" in problems[0]
    assert "upward" in problems[0]


def test_allow_list_covers_lazy_imports_only(tmp_path: Path) -> None:
    """A listed lazy back-import passes; the same pair at module level still fails."""
    allowed = {("pkg.low.back", "pkg.high"): "a factory of the layer above, called late"}
    lazy = "def f():\n    from .. import high\n    return high\n"
    assert _check(tmp_path, {"pkg/low/back.py": lazy}, allowed) == []
    eager = _check(tmp_path, {"pkg/low/back.py": "from .. import high\n"}, allowed)
    assert len(eager) == 1
    assert "must stay lazy or type-only" in eager[0]


def test_isolated_packages_import_nothing_and_few_import_them(tmp_path: Path) -> None:
    """The isolated package may not import the SDK; only its listed users may import it."""
    problems = _check(
        tmp_path,
        {"pkg/iso/bad.py": "from .._core import X\n", "pkg/high.py": "from .iso import inner\n"},
    )
    assert any(p.startswith("pkg.iso.bad:") and "imports nothing" in p for p in problems)
    assert any(p.startswith("pkg.high:") and "only" in p for p in problems)
    assert len(problems) == 2


def test_unplaced_modules_are_reported(tmp_path: Path) -> None:
    """A module no layer claims is listed, so a new module must be placed on purpose."""
    root = _synthetic(tmp_path, {"pkg/stray.py": "X = 3\n"})
    _violations, unplaced = check_layers(root, "pkg", _LAYERS, {}, {})
    assert unplaced == ["pkg.iso", "pkg.iso.inner", "pkg.stray"]
