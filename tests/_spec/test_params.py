"""ModelParams: generated params classes check themselves and build the wire object."""

from __future__ import annotations

import attrs
import pytest

from aireiter import ParamError
from aireiter.types import PARAMS_CLASSES, SeedreamV45Params, Sora2Params


def test_to_wire_sends_set_fields_and_documented_defaults() -> None:
    """Documented defaults are sent; unset fields without a default are left out."""
    assert Sora2Params(prompt="x").to_wire() == {
        "prompt": "x",
        "aspect_ratio": "16:9",
        "video_length": "10",
    }


def test_to_wire_turns_tuples_into_lists() -> None:
    """Sequences go on the wire as JSON arrays."""
    params = SeedreamV45Params(prompt="x", image_url=("https://e.com/a.png",))
    assert params.to_wire()["image_url"] == ["https://e.com/a.png"]


def test_building_bad_params_raises_every_issue() -> None:
    """Bad values fail at construction with one ParamError naming each field."""
    with pytest.raises(ParamError) as info:
        Sora2Params(prompt="", aspect_ratio="1:1", video_length=10)  # type: ignore[arg-type]
    assert info.value.model == "sora2"
    assert {issue.field for issue in info.value.issues} == {
        "prompt",
        "aspect_ratio",
        "video_length",
    }


def test_params_classes_are_frozen_keyword_only_values() -> None:
    """Params are frozen attrs values and cover every model of the spec."""
    params = Sora2Params(prompt="x")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        params.prompt = "y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Sora2Params("x")  # type: ignore[call-arg]
    assert len(PARAMS_CLASSES) == 20
