"""Field names the docs do not give are marked as inferred (†) in the spec, in the generated
params classes and in docs/models.md; the committed docs page says so too."""

from __future__ import annotations

import pytest

from aireiter._codegen import MODELS_DOC, repo_root
from aireiter._codegen._docs import render_models_md
from aireiter._spec import load_spec

INFERRED_IMAGE_URL = ("sora2", "sora2_pro", "gpt_image_2_official")


def _section(text: str, model_id: str) -> str:
    start = text.index(f"### `{model_id}`")
    end = text.find("\n### ", start + 1)
    return text[start : end if end != -1 else None]


@pytest.mark.parametrize("model_id", INFERRED_IMAGE_URL)
def test_image_url_name_is_marked_inferred(model_id: str) -> None:
    """The API reference marks these image_url names as inferred: so do the spec, the
    overview row and the model's own table, in the rendered and the committed page."""
    param = load_spec().models[model_id].param("image_url")
    assert param is not None
    assert param.name_inferred
    committed = (repo_root() / MODELS_DOC).read_text(encoding="utf-8")
    for text in (render_models_md(load_spec()), committed):
        row = next(line for line in text.splitlines() if line.startswith(f"| [`{model_id}`]"))
        assert "`image_url` †" in row
        assert "| `image_url` † |" in _section(text, model_id)


def test_a_description_that_says_the_name_is_inferred_has_the_flag() -> None:
    """Every parameter whose description says its field name is inferred carries
    ``name_inferred`` (the flag is what the docs and classes are generated from)."""
    missing = [
        f"{model.id}.{param.name}"
        for model in load_spec().models.values()
        for param in model.params
        if "name inferred" in param.description.lower() and not param.name_inferred
    ]
    assert missing == []
