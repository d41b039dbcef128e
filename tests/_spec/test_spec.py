"""The spec module's public helpers: resolve, validate, durations, output counts, channels."""

from __future__ import annotations

import pytest

from aireiter import ParamError
from aireiter._spec import (
    channel_model_name,
    output_count,
    resolve_model,
    typical_duration_s,
    validate_params,
)


def test_resolve_model_understands_channel_suffixes() -> None:
    """sora2_plus resolves to sora2 + plus; an unknown name to (None, None)."""
    model, channel = resolve_model("sora2_plus")
    assert model is not None
    assert model.id == "sora2"
    assert channel == "plus"
    model, channel = resolve_model("sora2")
    assert model is not None
    assert model.id == "sora2"
    assert channel is None
    assert resolve_model("no_such_model") == (None, None)
    assert resolve_model("gpt_4o_plus") == (None, None)


def test_validate_params_returns_a_copy() -> None:
    """Valid params come back as a new dict with the same content."""
    params = {"prompt": "x", "aspect_ratio": "16:9"}
    result = validate_params("sora2_plus", params)
    assert result == params
    assert result is not params


def test_validate_params_raises_with_every_issue() -> None:
    """A ParamError names the model, and lists each bad field with value and allowed values."""
    with pytest.raises(ParamError) as info:
        validate_params("sora2", {"aspect_ratio": 3, "video_length": "12"})
    error = info.value
    assert error.model == "sora2"
    assert [issue.field for issue in error.issues] == ["prompt", "aspect_ratio", "video_length"]
    assert error.issues[1].value == 3
    assert error.issues[2].allowed == '"10", "15"'
    assert "model 'sora2'" in str(error)


def test_validate_params_unknown_keys() -> None:
    """Documented models refuse unknown keys (naming extra_params), unless allow_unknown."""
    with pytest.raises(ParamError, match="extra_params"):
        validate_params("veo3_1", {"prompt": "x", "duration": 8})
    assert validate_params("veo3_1", {"prompt": "x", "duration": 8}, allow_unknown=True)


def test_validate_params_passes_unknown_models_through() -> None:
    """A model the spec does not know is not checked at all."""
    assert validate_params("brand_new_model", {"anything": object}) == {"anything": object}


def test_typical_duration_and_output_count() -> None:
    """Durations resolve through channels; output_n drives seedream_v4's output count."""
    assert typical_duration_s("sora2_plus") == typical_duration_s("sora2")
    assert typical_duration_s("unknown") is None
    assert output_count("seedream_v4", {"output_n": "4"}) == 4
    assert output_count("seedream_v4", {}) == 1
    assert output_count("seedream_v4", {"output_n": "many"}) == 1
    assert output_count("sora2", {"prompt": "x"}) == 1


def test_channel_model_name() -> None:
    """A channel maps to the suffixed name; one the model does not offer is a ParamError."""
    assert channel_model_name("sora2", "plus") == "sora2_plus"
    assert channel_model_name("nano_banana_pro", "max") == "nano_banana_pro_max"
    assert channel_model_name("gpt_4o", None) == "gpt_4o"
    with pytest.raises(ParamError) as info:
        channel_model_name("sora2", "max")
    assert info.value.field == "channel"
    assert "'plus'" in str(info.value)
    with pytest.raises(ParamError, match="default channel only"):
        channel_model_name("gpt_4o", "plus")
    with pytest.raises(ParamError, match="not a model"):
        channel_model_name("nope", None)
