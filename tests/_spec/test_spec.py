"""The spec module's public helpers: resolve, validate, durations, output counts, channels."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from aireiter import ParamError, UndocumentedChannelWarning
from aireiter._spec import (
    channel_model_name,
    output_count,
    parse_model_name,
    resolve_model,
    typical_duration_s,
    validate_params,
)
from aireiter._spec._channels import reset_channel_warnings


@pytest.fixture(autouse=True)
def _fresh_channel_warnings() -> Iterator[None]:
    """Each test sees the one-time channel warnings afresh."""
    reset_channel_warnings()
    yield
    reset_channel_warnings()


def test_resolve_model_understands_channel_suffixes() -> None:
    """sora2_plus resolves to sora2 + plus, gpt_4o_plus (a level the docs do not list for
    gpt_4o) to gpt_4o + plus; a name that is no model's to (None, None)."""
    model, channel = resolve_model("sora2_plus")
    assert model is not None
    assert model.id == "sora2"
    assert channel == "plus"
    model, channel = resolve_model("sora2")
    assert model is not None
    assert model.id == "sora2"
    assert channel is None
    model, channel = resolve_model("gpt_4o_plus")
    assert model is not None
    assert (model.id, channel) == ("gpt_4o", "plus")
    assert resolve_model("no_such_model") == (None, None)
    assert resolve_model("gpt_4o_turbo") == (None, None)


def test_parse_model_name_tells_listed_from_unlisted() -> None:
    """A listed name is marked listed; an unlisted level or 'face' resolves but is not."""
    listed = parse_model_name("sora2_advanced")
    unlisted = parse_model_name("sora2_max")
    face = parse_model_name("veo3_1_face")
    assert listed is not None
    assert listed.listed
    assert unlisted is not None
    assert (unlisted.model.id, unlisted.channel, unlisted.listed) == ("sora2", "max", False)
    assert face is not None
    assert (face.model.id, face.channel, face.listed) == ("veo3_1", "face", False)
    seedance_face = parse_model_name("seedance2_face")
    assert seedance_face is not None
    assert seedance_face.listed
    pro_plus = parse_model_name("sora2_pro_plus")
    assert pro_plus is not None
    assert (pro_plus.model.id, pro_plus.channel) == ("sora2_pro", "plus")


def test_a_suffixed_name_is_validated_as_its_base_model() -> None:
    """gpt_4o_plus is checked as gpt_4o: a bad aspect_ratio is refused (it used to pass
    unchecked), and valid params pass with a one-time warning about the channel."""
    with pytest.raises(ParamError) as info:
        validate_params("gpt_4o_plus", {"prompt": "x", "aspect_ratio": "16:9"})
    assert info.value.field == "aspect_ratio"
    assert info.value.model == "gpt_4o_plus"
    with pytest.warns(UndocumentedChannelWarning, match="gpt_4o_plus.*not listed"):
        assert validate_params("gpt_4o_plus", {"prompt": "x"}) == {"prompt": "x"}


def test_the_channel_warning_comes_once_per_name() -> None:
    """A second submit to the same unlisted name is silent; another name warns again."""
    with pytest.warns(UndocumentedChannelWarning):
        validate_params("sora2_max", {"prompt": "x"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validate_params("sora2_max", {"prompt": "x"})
    with pytest.warns(UndocumentedChannelWarning, match="veo3_1_max"):
        validate_params("veo3_1_max", {"prompt": "x"})


def test_listed_channels_and_bare_ids_never_warn() -> None:
    """sora2_plus, seedance2_face and bare ids are documented: no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validate_params("sora2_plus", {"prompt": "x"})
        validate_params("seedance2_face", {"prompt": "x"})
        validate_params("gpt_4o", {"prompt": "x"})


def test_face_is_a_pass_through_suffix_still_checked() -> None:
    """sora2_face (face is no level) is accepted with the warning, and checked as sora2."""
    with pytest.raises(ParamError, match="video_length"):
        validate_params("sora2_face", {"prompt": "x", "video_length": 10})
    with pytest.warns(UndocumentedChannelWarning, match="sora2_face"):
        validate_params("sora2_face", {"prompt": "x"})


def test_extra_params_are_merged_unchecked() -> None:
    """extra_params pass through validate_params unchecked; a typed key there is refused."""
    result = validate_params("veo3_1", {"prompt": "x"}, extra_params={"duration": 8})
    assert result == {"prompt": "x", "duration": 8}
    with pytest.raises(ParamError) as info:
        validate_params("veo3_1", {"prompt": "x"}, extra_params={"aspect_ratio": "1:1"})
    assert info.value.field == "extra_params['aspect_ratio']"
    assert validate_params("brand_new", {"a": 1}, extra_params={"b": 2}) == {"a": 1, "b": 2}


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
    """Any level maps to the suffixed name on every model; a string that is no level, or an
    unknown model, is a ParamError."""
    assert channel_model_name("sora2", "plus") == "sora2_plus"
    assert channel_model_name("nano_banana_pro", "max") == "nano_banana_pro_max"
    assert channel_model_name("gpt_4o", None) == "gpt_4o"
    assert channel_model_name("sora2", "max") == "sora2_max"
    assert channel_model_name("gpt_4o", "plus") == "gpt_4o_plus"
    with pytest.raises(ParamError) as info:
        channel_model_name("sora2", "turbo")
    assert info.value.field == "channel"
    assert "'advanced'" in str(info.value)
    with pytest.raises(ParamError, match="not a model"):
        channel_model_name("nope", None)
