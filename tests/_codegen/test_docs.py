"""docs/models.md: one row per model with kind, modes, allowed values and channels."""

from __future__ import annotations

from aireiter._codegen._docs import render_models_md
from aireiter._spec import load_spec


def test_every_model_has_a_row_and_a_section() -> None:
    """Each model id appears in the overview table and has its own section."""
    text = render_models_md(load_spec())
    for model_id in load_spec().models:
        assert f"| [`{model_id}`](#{model_id})" in text
        assert f"### `{model_id}`" in text


def test_rows_show_wire_values_and_channels() -> None:
    """Allowed values are shown as sent (strings quoted) and channels by full name."""
    text = render_models_md(load_spec())
    sora_row = next(line for line in text.splitlines() if line.startswith("| [`sora2`]"))
    assert '`video_length`: `"10"` `"15"`' in sora_row
    assert "`sora2_plus`" in sora_row
    assert "text-to-video" in sora_row


def test_not_fully_documented_models_are_marked() -> None:
    """Models without a parameter page are starred and say that fields pass through."""
    text = render_models_md(load_spec())
    assert "| [`seedance2`](#seedance2) \\* |" in text
    assert "Not fully documented" in text
    assert "passed through unchecked" in text
