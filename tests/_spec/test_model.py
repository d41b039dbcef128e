"""The packaged spec: loading, per-model wire facts, channels, and consistency checks."""

from __future__ import annotations

import json

import pytest

from aireiter._spec import load_spec, parse_spec, spec_bytes

DOCUMENTED = {
    "image": {
        "gpt_4o",
        "nano_banana",
        "nano_banana_pro",
        "nano_banana_v2",
        "seedream_v4",
        "seedream_v4_5",
        "seedream_v5_lite",
        "gpt_image_2",
        "gpt_image_2_official",
    },
    "video": {"sora2", "sora2_pro", "veo3_1", "veo3_1_fast", "seedance_1_5_pro"},
}
NOT_FULLY_DOCUMENTED = {
    "seedance_pro",
    "seedance_pro_fast",
    "seedance2",
    "seedance2_fast",
    "grok_imagine_1_5",
    "minimax_h3",
}


def test_spec_lists_every_model_with_its_kind() -> None:
    """The 14 documented models and the 6 not fully documented ones are all in the spec."""
    spec = load_spec()
    for kind, ids in DOCUMENTED.items():
        for model_id in ids:
            assert spec.models[model_id].kind == kind
            assert spec.models[model_id].documented
    for model_id in NOT_FULLY_DOCUMENTED:
        model = spec.models[model_id]
        assert model.kind == "video"
        assert not model.documented
        assert model.required_params == ("prompt",)
    assert len(spec.models) == 20


def test_load_spec_is_cached_and_hashes_the_file() -> None:
    """load_spec returns one cached object whose sha256 is the file's."""
    import hashlib

    assert load_spec() is load_spec()
    assert load_spec().sha256 == hashlib.sha256(spec_bytes()).hexdigest()


def test_wire_types_follow_each_model() -> None:
    """video_length is a string enum on Sora, an integer on Seedance 1.5 Pro; image_url is one
    URL on Sora and a list on Seedream 4.5."""
    models = load_spec().models
    sora = models["sora2"].param("video_length")
    seedance = models["seedance_1_5_pro"].param("video_length")
    assert sora is not None
    assert sora.type == "string"
    assert sora.enum == ("10", "15")
    assert sora.default == "10"
    assert seedance is not None
    assert seedance.type == "integer"
    assert seedance.enum is None
    sora_image = models["sora2"].param("image_url")
    seedream_image = models["seedream_v4_5"].param("image_url")
    assert sora_image is not None
    assert sora_image.type == "string"
    assert seedream_image is not None
    assert seedream_image.type == "array"
    assert seedream_image.max_items == 9
    assert seedream_image.format == "image"


def test_documented_defaults_and_limits() -> None:
    """Spot checks of defaults and limits exactly as the docs give them."""
    models = load_spec().models
    nbp = models["nano_banana_pro"]
    assert [nbp.param(n).default for n in ("aspect_ratio", "resolution", "format")] == [  # type: ignore[union-attr]
        "1:1",
        "1K",
        "png",
    ]
    assert models["seedream_v4_5"].param("resolution").enum == ("basic", "high")  # type: ignore[union-attr]
    assert models["seedream_v5_lite"].param("resolution").default == "2K"  # type: ignore[union-attr]
    assert models["seedream_v4"].param("output_n").enum == ("1", "2", "4")  # type: ignore[union-attr]
    assert models["gpt_image_2_official"].rules[0].field == "aspect_ratio"


def test_channels_are_full_model_names() -> None:
    """Channels list the names as sent, the bare id first; channel_names are the suffixes."""
    models = load_spec().models
    assert models["sora2"].channels == ("sora2", "sora2_base", "sora2_plus", "sora2_advanced")
    assert models["sora2"].channel_names == ("base", "plus", "advanced")
    assert models["sora2"].model_name("plus") == "sora2_plus"
    assert models["sora2"].model_name(None) == "sora2"
    assert models["gpt_4o"].channel_names == ()
    assert models["gpt_4o"].model_name("plus") == "gpt_4o_plus"
    assert models["sora2"].lists_channel("plus")
    assert not models["sora2"].lists_channel("max")
    assert not models["gpt_4o"].lists_channel("plus")
    assert models["gpt_4o"].lists_channel(None)


def test_every_model_has_a_typical_duration_and_videos_their_clip_length() -> None:
    """Every model carries an SDK duration estimate; Sora and Seedance carry clip lengths."""
    models = load_spec().models
    assert all(m.typical_duration_s and m.typical_duration_s > 0 for m in models.values())
    assert models["sora2"].video_length_s == (10, 15)
    assert models["seedance2"].video_length_s == (4, 15)


def test_model_names_resolve_to_one_model_only() -> None:
    """sora2_pro_plus belongs to sora2_pro, never to sora2 with a 'pro_plus' channel."""
    by_name = load_spec().by_model_name
    model, channel = by_name["sora2_pro_plus"]
    assert (model.id, channel) == ("sora2_pro", "plus")


def _spec_with(models: list[dict[str, object]]) -> bytes:
    levels = {"base": "", "plus": "", "advanced": "", "max": ""}
    return json.dumps({"channel_suffixes": levels, "models": models}).encode()


@pytest.mark.parametrize(
    ("models", "message"),
    [
        (
            [
                {"id": "a", "kind": "image", "title": "A", "params": []},
                {"id": "a", "kind": "image", "title": "A", "params": []},
            ],
            "duplicate model id",
        ),
        ([{"id": "a", "kind": "audio", "title": "A", "params": []}], "unknown kind"),
        (
            [{"id": "a", "kind": "image", "title": "A", "params": [{"name": "x", "type": "str"}]}],
            "unknown type",
        ),
        (
            [{"id": "a", "kind": "image", "title": "A", "channels": ["a", "b_plus"]}],
            "channels must be",
        ),
        (
            [{"id": "a", "kind": "image", "title": "A", "channels": ["a", "a_turbo"]}],
            "channels must be",
        ),
        (
            [
                {"id": "a", "kind": "image", "title": "A", "params": []},
                {"id": "a_plus", "kind": "image", "title": "A+", "params": []},
            ],
            "reads as a channel",
        ),
    ],
)
def test_parse_spec_rejects_inconsistent_specs(
    models: list[dict[str, object]], message: str
) -> None:
    """A broken spec fails loudly at load time, naming the problem."""
    with pytest.raises(ValueError, match=message):
        parse_spec(_spec_with(models))
