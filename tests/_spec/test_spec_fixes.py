"""The spec follows the corrected API docs: never refuse what the docs accept.

One test (or group) per correction: seedream_v4's reference images and defaults, Seedance
1.5 Pro's frames, audio and 4-12 s, nano_banana's string-or-list image_url, and the Seedance
models the overview names without a page (modes and clip lengths as stated, guessed ids
marked).
"""

from __future__ import annotations

from typing import Any

import pytest

from aireiter import ParamError
from aireiter._spec import load_spec, validate_params
from aireiter.types import NanoBananaParams, Seedance15ProParams, SeedreamV4Params

URL = "https://example.com/ref.png"


def test_seedream_v4_takes_up_to_nine_reference_images() -> None:
    """seedream_v4 has image_url (a list of up to 9 image URLs, name inferred): image-to-image
    is no longer refused; a tenth image or a non-URL item is."""
    param = load_spec().models["seedream_v4"].param("image_url")
    assert param is not None
    assert (param.type, param.max_items, param.format) == ("array", 9, "image")
    assert param.name_inferred
    assert validate_params("seedream_v4", {"prompt": "x", "image_url": [URL] * 9})
    with pytest.raises(ParamError, match="more than 9"):
        validate_params("seedream_v4", {"prompt": "x", "image_url": [URL] * 10})
    with pytest.raises(ParamError, match=r"image_url\[0\]"):
        validate_params("seedream_v4", {"prompt": "x", "image_url": ["not-a-url"]})


def test_seedream_v4_sends_its_documented_defaults() -> None:
    """aspect_ratio 1:1, resolution 1K and output_n "1" are documented defaults, so sent."""
    assert SeedreamV4Params(prompt="x").to_wire() == {
        "prompt": "x",
        "aspect_ratio": "1:1",
        "resolution": "1K",
        "output_n": "1",
    }
    wire = SeedreamV4Params(prompt="x", image_url=(URL, URL)).to_wire()
    assert wire["image_url"] == [URL, URL]


@pytest.mark.parametrize(("length", "ok"), [(3, False), (4, True), (12, True), (13, False)])
def test_seedance_1_5_pro_clip_length_is_4_to_12(length: int, ok: bool) -> None:
    """video_length is an integer from 4 to 12 seconds (it used to accept 1 to anything)."""
    params = {"prompt": "x", "video_length": length}
    if ok:
        assert validate_params("seedance_1_5_pro", params) == params
    else:
        with pytest.raises(ParamError, match="video_length"):
            validate_params("seedance_1_5_pro", params)


@pytest.mark.parametrize(
    "extra",
    [
        {"image_url": URL, "end_image_url": URL, "generate_audio": True},
        {"image_url": [URL], "generate_audio": "yes"},  # types are not documented: sent as given
        {"camera_fixed": True, "seed": 7},  # keys the page does not list pass through
    ],
)
def test_seedance_1_5_pro_frames_and_audio_pass_through(extra: dict[str, Any]) -> None:
    """Start/end frame and audio fields (names inferred) are typed keyword arguments whose
    values are never rejected, and other keys pass through: the page leaves them open."""
    params = {"prompt": "x", **extra}
    assert validate_params("seedance_1_5_pro", params) == params
    model = load_spec().models["seedance_1_5_pro"]
    assert set(model.modes) == {"text-to-video", "first-last-frame", "audio"}
    assert model.video_length_s == (4, 12)
    for name in ("image_url", "end_image_url", "generate_audio"):
        param = model.param(name)
        assert param is not None
        assert param.name_inferred
        assert not param.validated


def test_seedance_1_5_pro_params_class_has_the_frame_and_audio_fields() -> None:
    """The params class takes the inferred fields and sends them as given."""
    wire = Seedance15ProParams(
        prompt="x", image_url=URL, end_image_url=URL, generate_audio=True, video_length=8
    ).to_wire()
    assert wire == {
        "prompt": "x",
        "image_url": URL,
        "end_image_url": URL,
        "generate_audio": True,
        "video_length": 8,
    }


@pytest.mark.parametrize(
    "image_url",
    [
        f"{URL},https://example.com/b.png",  # the only documented value: comma-joined
        f"{URL}, https://example.com/b.png",
        URL,
        [URL, "https://example.com/b.png"],
        (URL,),
    ],
)
def test_nano_banana_image_url_is_a_string_or_a_list_sent_as_given(image_url: Any) -> None:
    """nano_banana.image_url takes one (comma-joined) string or a list; the wire value is
    exactly what was given (a tuple becomes a JSON list)."""
    params = {"prompt": "x", "image_url": image_url}
    assert validate_params("nano_banana", params) == params
    expected = list(image_url) if isinstance(image_url, tuple) else image_url
    assert NanoBananaParams(prompt="x", image_url=image_url).to_wire()["image_url"] == expected


@pytest.mark.parametrize("image_url", ["not a url", "https://a.png, not a url", 7, [7]])
def test_nano_banana_image_url_still_refuses_what_is_no_image(image_url: Any) -> None:
    """A string or item that is no image URL is still refused, naming the field (a comma
    inside one URL is allowed: some image hosts use them)."""
    with pytest.raises(ParamError, match="image_url"):
        validate_params("nano_banana", {"prompt": "x", "image_url": image_url})


@pytest.mark.parametrize(
    ("model_id", "modes"),
    [
        ("seedance_pro", ("first-last-frame",)),
        ("seedance_pro_fast", ("image-to-video",)),
        ("seedance2_fast", ("reference-images", "first-last-frame")),
    ],
)
def test_seed_only_seedance_models_claim_no_more_than_the_overview(
    model_id: str, modes: tuple[str, ...]
) -> None:
    """Seedance Pro, Pro Fast and 2.0 Fast: the overview's modes only, no clip length (its
    4-15 s is Seedance 2.0's), and their ids marked as guesses."""
    model = load_spec().models[model_id]
    assert model.modes == modes
    assert model.video_length_s is None
    assert model.id_inferred
    assert not model.documented


def test_seedance2_keeps_its_stated_clip_length_and_a_real_id() -> None:
    """Seedance 2.0 has the overview's 4-15 s; its id comes from client code, not a guess."""
    model = load_spec().models["seedance2"]
    assert model.video_length_s == (4, 15)
    assert not model.id_inferred
    assert {"reference-images", "reference-videos", "first-last-frame"} <= set(model.modes)
    assert "image-to-video" not in model.modes


def test_channel_listing_is_recorded_per_model() -> None:
    """The six models whose page lists channels are confirmed; the others are unknown."""
    models = load_spec().models
    confirmed = {m.id for m in models.values() if m.channels_confirmed}
    assert confirmed == {
        "nano_banana",
        "nano_banana_pro",
        "nano_banana_v2",
        "sora2",
        "sora2_pro",
        "veo3_1",
    }
    assert load_spec().channel_levels == ("base", "plus", "advanced", "max")
    assert "face" not in load_spec().channel_levels
    assert "face" in load_spec().all_channel_suffixes
