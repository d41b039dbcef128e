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


def _section(text: str, model_id: str) -> str:
    start = text.index(f"### `{model_id}`")
    end = text.find("\n### ", start + 1)
    return text[start : end if end != -1 else None]


def test_guessed_ids_are_marked_and_only_they() -> None:
    """The Seedance ids no source gives carry the guess mark, in the table and their section;
    seedance2 (an id from third-party code) does not."""
    text = render_models_md(load_spec())
    for model_id in ("seedance_pro", "seedance_pro_fast", "seedance2_fast"):
        assert f"| [`{model_id}`](#{model_id}) \\* ‡ |" in text
        assert "is a guess" in _section(text, model_id)
    assert "‡" not in _section(text, "seedance2")
    assert "| [`seedance2`](#seedance2) \\* |" in text


def test_seedance_modes_and_clip_lengths_are_the_overviews() -> None:
    """Pro, Pro Fast and 2.0 Fast list only the modes the overview states and no clip length;
    1.5 Pro is 4-12 s with frame and audio modes, 2.0 keeps its 4-15 s."""
    text = render_models_md(load_spec())
    assert "- Modes: first-last-frame\n" in _section(text, "seedance_pro")
    assert "- Modes: image-to-video\n" in _section(text, "seedance_pro_fast")
    assert "- Modes: reference-images, first-last-frame\n" in _section(text, "seedance2_fast")
    for model_id in ("seedance_pro", "seedance_pro_fast", "seedance2_fast"):
        assert "Clip length" not in _section(text, model_id)
    assert "- Clip length: 4-12 s" in _section(text, "seedance_1_5_pro")
    assert "first-last-frame, audio" in _section(text, "seedance_1_5_pro")
    assert "- Clip length: 4-15 s" in _section(text, "seedance2")


def test_inferred_names_channels_and_durations_are_explained() -> None:
    """Inferred field names carry †; each model says which channels the docs list and that
    the other levels warn; processing times quote the docs."""
    text = render_models_md(load_spec())
    assert "| `image_url` † |" in _section(text, "seedream_v4")
    assert "| `generate_audio` † |" in _section(text, "seedance_1_5_pro")
    sora = _section(text, "sora2")
    assert "listed in the docs: `sora2`, `sora2_base`, `sora2_plus`, `sora2_advanced`" in sora
    assert 'UndocumentedChannelWarning`: `"max"`' in sora
    assert "no docs page lists this model's channels" in _section(text, "gpt_4o")
    assert "videos typically take 1-5 minutes" in sora
    assert "images take a few seconds to tens of seconds" in _section(text, "gpt_4o")
    assert "Failed tasks are free" in text
