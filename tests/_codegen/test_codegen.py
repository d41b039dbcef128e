"""The generator: committed files match the spec, drift is caught, output is deterministic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aireiter._codegen import GENERATED_DIR, MODELS_DOC, check, render_all, repo_root, write
from aireiter._codegen.__main__ import main
from aireiter._spec import load_spec, parse_spec, spec_bytes


def test_committed_files_match_the_spec() -> None:
    """`python -m aireiter._codegen --check` exits 0 on the committed tree."""
    result = subprocess.run(
        [sys.executable, "-m", "aireiter._codegen", "--check"],
        capture_output=True,
        text=True,
        cwd=repo_root(),
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_check_reports_edits_missing_and_stale_files(tmp_path: Path) -> None:
    """An edited, a deleted and an extra generated file are each reported; --check exits 1."""
    write(tmp_path)
    assert check(tmp_path) == []
    edited = tmp_path / GENERATED_DIR / "videos" / "sora2.py"
    edited.write_text(edited.read_text() + "# hand edit\n")
    (tmp_path / MODELS_DOC).unlink()
    (tmp_path / GENERATED_DIR / "images" / "old_model.py").write_text("")
    problems = check(tmp_path)
    assert f"{GENERATED_DIR}/videos/sora2.py: differs" in problems
    assert f"{MODELS_DOC}: missing" in problems
    assert any(p.startswith(f"{GENERATED_DIR}/images/old_model.py: stale") for p in problems)
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert main(["--root", str(tmp_path)]) == 0
    assert check(tmp_path) == []
    assert not (tmp_path / GENERATED_DIR / "images" / "old_model.py").exists()


def test_output_is_deterministic_and_headed_with_the_spec_hash() -> None:
    """Two renders are identical and every file names the spec and its SHA-256."""
    first, second = render_all(), render_all()
    assert first == second
    sha = load_spec().sha256
    for path, text in first.items():
        assert "Do not edit" in text.splitlines()[0], path
        assert sha in text.splitlines()[1], path


def _spec_plus(model: dict[str, object]) -> bytes:
    raw = json.loads(spec_bytes())
    raw["models"].append(model)
    return json.dumps(raw).encode()


def test_adding_a_model_is_a_spec_edit() -> None:
    """A new spec entry yields a compilable module, a namespace attribute and a docs row."""
    spec = parse_spec(
        _spec_plus(
            {
                "id": "new_model_v1",
                "kind": "image",
                "title": "New Model",
                "channels": ["new_model_v1", "new_model_v1_plus"],
                "params": [
                    {"name": "prompt", "type": "string", "required": True},
                    {"name": "style", "type": "string", "enum": ["a", "b"], "default": "a"},
                ],
            }
        )
    )
    files = render_all(spec)
    module = files[f"{GENERATED_DIR}/images/new_model_v1.py"]
    params = files[f"{GENERATED_DIR}/params/new_model_v1.py"]
    compile(module, "new_model_v1.py", "exec")
    compile(params, "params/new_model_v1.py", "exec")
    assert 'style: Literal["a", "b"] = "a"' in module
    assert 'style: Literal["a", "b"] = "a"' in params
    levels = '"base", "plus", "advanced", "max"'
    assert f"NewModelV1Channel: TypeAlias = Literal[{levels}]" in params
    assert "NewModelV1Params" in files[f"{GENERATED_DIR}/params/__init__.py"]
    assert (
        "def new_model_v1(self) -> NewModelV1Endpoint"
        in files[f"{GENERATED_DIR}/images/__init__.py"]
    )
    assert "[`new_model_v1`]" in files[MODELS_DOC]


def test_params_modules_import_only_the_spec() -> None:
    """A params module imports attrs, typing and aireiter._spec, nothing of the endpoints, so
    aireiter.types stays light and below the endpoint layer."""
    for path, text in render_all().items():
        if f"{GENERATED_DIR}/params/" not in path:
            continue
        imports = [line for line in text.splitlines() if line.startswith(("from ", "import "))]
        internal = [line for line in imports if line.startswith("from .")]
        assert all(line.startswith(("from ..._spec ", "from .")) for line in internal), path
        assert not any("_endpoints" in line or "resources" in line for line in imports), path


def test_channel_type_lists_the_four_levels_and_listed_extras() -> None:
    """Every model's channel alias takes the four levels; seedance2 adds its listed 'face'."""
    files = render_all()
    levels = '"base", "plus", "advanced", "max"'
    assert (
        f"Gpt4oChannel: TypeAlias = Literal[{levels}]" in files[f"{GENERATED_DIR}/params/gpt_4o.py"]
    )
    assert (
        f'Seedance2Channel: TypeAlias = Literal[{levels}, "face"]'
        in files[f"{GENERATED_DIR}/params/seedance2.py"]
    )


def test_reserved_parameter_names_are_refused() -> None:
    """A spec parameter that would shadow submit()'s own arguments stops the generator."""
    spec = parse_spec(
        _spec_plus(
            {
                "id": "bad_model",
                "kind": "video",
                "title": "Bad",
                "params": [{"name": "timeout", "type": "integer"}],
            }
        )
    )
    with pytest.raises(ValueError, match="reserved"):
        render_all(spec)
