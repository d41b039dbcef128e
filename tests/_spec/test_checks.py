"""check_params: every problem of a params mapping, with field, value and what is allowed."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from aireiter._spec import check_params, is_image_ref, load_spec


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.com/a.png", True),
        ("http://127.0.0.1:8000/x", True),
        ("data:image/png;base64,iVBORw0KGgo=", True),
        ("data:image/webp;base64,UklGR", True),
        ("ftp://example.com/a.png", False),
        ("example.com/a.png", False),
        ("https://", False),
        ("https://exa mple.com/a.png", False),
        ("data:text/plain;base64,aGk=", False),
        ("data:image/png;base64,", False),
        ("", False),
        (3, False),
    ],
)
def test_is_image_ref(value: object, expected: bool) -> None:
    """Image inputs are http(s) URLs with a host or data:image/...;base64 URIs with data."""
    assert is_image_ref(value) is expected


def _issues(
    model_id: str, params: Mapping[str, object], *, allow_unknown: bool = False
) -> dict[str, str]:
    model = load_spec().models[model_id]
    return {
        issue.field: str(issue)
        for issue in check_params(model, params, allow_unknown=allow_unknown)
    }


def test_valid_params_have_no_issues() -> None:
    """A fully valid params mapping yields no issue."""
    params = {
        "prompt": "x",
        "image_url": "https://e.com/a.png",
        "aspect_ratio": "9:16",
        "video_length": "15",
    }
    assert _issues("sora2", params) == {}


def test_every_issue_is_reported_at_once() -> None:
    """Missing prompt, wrong enum, wrong type and bad URL all come back together."""
    issues = _issues(
        "sora2",
        {"aspect_ratio": "4:3", "video_length": 10, "image_url": "not a url"},
    )
    assert set(issues) == {"prompt", "aspect_ratio", "video_length", "image_url"}
    assert "is required" in issues["prompt"]
    assert '"16:9", "9:16"' in issues["aspect_ratio"]
    assert "must be a string" in issues["video_length"]
    assert '"10", "15"' in issues["video_length"]


def test_integer_field_rejects_strings_and_booleans() -> None:
    """Seedance 1.5 Pro's video_length is an integer: "5" and True are both rejected."""
    assert (
        "must be an integer"
        in _issues("seedance_1_5_pro", {"prompt": "x", "video_length": "5"})["video_length"]
    )
    assert "video_length" in _issues("seedance_1_5_pro", {"prompt": "x", "video_length": True})
    assert _issues("seedance_1_5_pro", {"prompt": "x", "video_length": 5}) == {}


def test_list_fields_check_type_length_and_items() -> None:
    """image_url lists: a bare string, too many items and bad items are each reported."""
    assert (
        "must be a list"
        in _issues("seedream_v4_5", {"prompt": "x", "image_url": "https://e.com/a"})["image_url"]
    )
    too_many = ["https://e.com/a.png"] * 10
    assert (
        "more than 9"
        in _issues("seedream_v4_5", {"prompt": "x", "image_url": too_many})["image_url"]
    )
    issues = _issues("seedream_v4_5", {"prompt": "x", "image_url": ["https://e.com/a", "nope", 3]})
    assert set(issues) == {"image_url[1]", "image_url[2]"}


def test_long_values_are_shortened_in_issues() -> None:
    """A huge data URI is cut in the issue so errors stay readable."""
    uri = "data:image/png;base64," + "A" * 10_000
    (issue,) = check_params(load_spec().models["gpt_4o"], {"prompt": "x", "image_url": [uri]})
    assert issue.field == "image_url"
    assert len(str(issue)) < 400


def test_cross_field_rule() -> None:
    """gpt_image_2_official: 4K with 1:1 is refused; 4K with 16:9 is fine."""
    bad = _issues(
        "gpt_image_2_official", {"prompt": "x", "resolution": "4K", "aspect_ratio": "1:1"}
    )
    assert 'resolution="4K"' in bad["aspect_ratio"]
    good = {"prompt": "x", "resolution": "4K", "aspect_ratio": "16:9"}
    assert _issues("gpt_image_2_official", good) == {}


def test_unknown_keys_on_documented_models() -> None:
    """An unknown key is an issue naming the allowed keys, unless allow_unknown is set."""
    issues = _issues("gpt_4o", {"prompt": "x", "seed": 3})
    assert "prompt, image_url, aspect_ratio" in issues["seed"]
    assert _issues("gpt_4o", {"prompt": "x", "seed": 3}, allow_unknown=True) == {}


def test_not_fully_documented_models_check_only_prompt() -> None:
    """seedance2: anything but prompt passes through; a missing prompt is still an issue."""
    params = {"prompt": "x", "type": 42, "video_length": "99", "anything": [1]}
    assert _issues("seedance2", params) == {}
    assert set(_issues("seedance2", {"type": "all_reference"})) == {"prompt"}
