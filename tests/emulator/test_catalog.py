"""The emulator's own model catalogue: names, channels, and a checker that refuses only what
the docs state."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import aiohttp
import pytest

from aireiter._constants import QUERY_PATH
from aireiter.emulator._catalog import (
    ModelInfo,
    load_catalog,
    output_count,
    params_problem,
    resolve_model,
    video_length_s,
)
from tests.conftest import EmulatorFactory
from tests.emulator.conftest import Api

LEVELS = ("base", "plus", "advanced", "max")


def _info(model: str) -> ModelInfo:
    info = resolve_model(model)
    assert info is not None, model
    return info


def _problem(model: str, params: dict[str, Any]) -> str | None:
    return params_problem(_info(model), params)


def test_the_catalogue_is_its_own_file() -> None:
    """The catalogue is a JSON file of the emulator package, not a copy of the SDK's spec."""
    ours = resources.files("aireiter.emulator").joinpath("catalog.json").read_bytes()
    sdk = resources.files("aireiter._spec").joinpath("models.json").read_bytes()
    assert ours != sdk
    raw = json.loads(ours)
    assert set(raw["channel_levels"]) == set(LEVELS)
    assert all(entry["kind"] in ("image", "video") for entry in raw["models"].values())


@pytest.mark.parametrize("model", sorted(load_catalog().models))
def test_every_level_and_face_resolve_on_every_model(model: str) -> None:
    """Each of the four channel levels, and the face pass-through, is accepted on every model."""
    for suffix in (*LEVELS, "face"):
        info = resolve_model(f"{model}_{suffix}")
        assert info is not None
        assert (info.base, info.channel) == (model, suffix)
    bare = resolve_model(model)
    assert bare is not None
    assert (bare.base, bare.channel) == (model, None)


def test_unknown_names_and_guesses() -> None:
    """An unknown name is refused unless accept_unknown, which guesses the kind."""
    assert resolve_model("dalle_9000") is None
    assert resolve_model("sora2_ultra") is None  # not a level
    guessed = resolve_model("brand_new_video_model_plus", accept_unknown=True)
    assert guessed is not None
    assert (guessed.kind, guessed.channel, guessed.known) == ("video", "plus", False)


def test_unknown_params_pass() -> None:
    """A param the catalogue does not list is never the reason for a refusal."""
    assert _problem("veo3_1", {"prompt": "x", "duration": 8, "seed": [1]}) is None


def test_seedream_v4_reference_images() -> None:
    """seedream_v4.image_url: a list of at most 9 strings (a single string passes too)."""
    assert _problem("seedream_v4", {"prompt": "x", "image_url": ["u"] * 9}) is None
    assert _problem("seedream_v4", {"prompt": "x", "image_url": "https://a/b.png"}) is None
    problem = _problem("seedream_v4", {"prompt": "x", "image_url": ["u"] * 10})
    assert problem is not None
    assert "image_url" in problem
    assert "9" in problem
    assert _problem("seedream_v4", {"prompt": "x", "image_url": {"a": 1}}) is not None


def test_seedance_1_5_pro_lengths_frames_and_audio() -> None:
    """seedance_1_5_pro: video_length 4..12 (integer or its text); frame and audio fields pass
    whatever they hold (their names are not documented)."""
    for good in (4, 12, "8", 5.0):
        assert _problem("seedance_1_5_pro", {"prompt": "x", "video_length": good}) is None
    for bad in (3, 13, "long", 4.5, True):
        problem = _problem("seedance_1_5_pro", {"prompt": "x", "video_length": bad})
        assert problem is not None
        assert "video_length" in problem
    frames = {"image_url": ["a", "b"], "end_image_url": 7, "generate_audio": "yes"}
    assert _problem("seedance_1_5_pro", {"prompt": "x", **frames}) is None


def test_nano_banana_image_url_string_or_list() -> None:
    """nano_banana.image_url: one (comma-joined) string or a list of strings."""
    assert _problem("nano_banana", {"prompt": "x", "image_url": "https://a,https://b"}) is None
    assert _problem("nano_banana", {"prompt": "x", "image_url": ["https://a"]}) is None
    assert _problem("nano_banana", {"prompt": "x", "image_url": 3}) is not None
    assert _problem("nano_banana", {"image_url": "u"}) is None  # prompt "required" is inferred


def test_enums_required_and_rules() -> None:
    """Documented enums, required prompts and cross-field rules are enforced, all at once."""
    problem = _problem("sora2", {"aspect_ratio": "4:3", "video_length": "12"})
    assert problem is not None
    assert problem.startswith("invalid params for model sora2: ")
    for part in ("prompt: required", "aspect_ratio='4:3'", "16:9, 9:16", "video_length='12'"):
        assert part in problem
    assert _problem("sora2", {"prompt": "x", "video_length": 10}) is None  # 10 is "10"
    official = {"prompt": "x", "resolution": "4K"}
    assert _problem("gpt_image_2_official", {**official, "aspect_ratio": "16:9"}) is None
    problem = _problem("gpt_image_2_official", {**official, "aspect_ratio": "1:1"})
    assert problem is not None
    assert "resolution=4K" in problem
    assert _problem("gpt_image_2_official", {"prompt": "x", "quality": "ultra"}) is None


def test_third_party_and_guessed_models_are_not_checked() -> None:
    """Models known only from third-party code, or by a guessed id, accept any params."""
    for model in ("seedance2", "seedance2_face", "grok_imagine_1_5", "seedance_pro_fast"):
        assert _problem(model, {"whatever": object()}) is None
    assert _problem("nano_banana_v2", {"prompt": "x", "image_url": ["u"] * 20}) is None


def test_outputs_and_video_lengths() -> None:
    """output_n sets seedream_v4's file count; video lengths fall back to documented values."""
    seedream, sora, seedance, veo = (
        _info(name) for name in ("seedream_v4", "sora2_plus", "seedance_1_5_pro", "veo3_1")
    )
    assert output_count(seedream, {"output_n": "4"}) == 4
    assert output_count(seedream, {}) == 1
    assert video_length_s(sora, {}) == 10
    assert video_length_s(sora, {"video_length": "15"}) == 15
    assert video_length_s(seedance, {}) == 4
    assert video_length_s(veo, {}) == 5


async def test_gpt_image_2_official_answers_its_documented_variant(api: Api) -> None:
    """gpt_image_2_official's submit answers {code, data: [{status: submitted, task_id}]}, no
    out_task_id; the task is then found by that task_id."""
    status, body, _ = await api.call(
        "POST",
        "/api/openapi/submit",
        {"model": "gpt_image_2_official", "params": {"prompt": "x"}, "out_task_id": "off-1"},
    )
    assert status == 200
    assert set(body) == {"code", "data"}
    assert body["code"] == 200
    [item] = body["data"]
    assert item["status"] == "submitted"
    assert item["task_id"].startswith("task_")
    assert "out_task_id" not in item
    _, by_task_id, _ = await api.call("POST", QUERY_PATH, {"task_id": item["task_id"]})
    assert by_task_id["data"]["out_task_id"] == "off-1"
    assert by_task_id["data"]["status"] in ("pending", "processing", "completed")


async def test_submits_may_omit_task_id(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """submit_omits_task_id answers submits without task_id, as the newer docs show."""
    emu = await emulator_factory(submit_omits_task_id=True)
    api = Api(http, emu)
    data = (await api.submit("n-1"))["data"]
    assert "task_id" not in data
    assert data["out_task_id"] == "n-1"
    _, official, _ = await api.call(
        "POST",
        "/api/openapi/submit",
        {"model": "gpt_image_2_official", "params": {"prompt": "x"}, "out_task_id": "n-2"},
    )
    assert official["data"] == [{"status": "submitted"}]
    assert (await api.query("n-1"))["data"]["task_id"].startswith("order_")


async def test_task_id_only_models(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """A model in task_id_only_models is not found by out_task_id, only by task_id."""
    emu = await emulator_factory(task_id_only_models=("gpt_image_2_official",))
    api = Api(http, emu)
    _, body, _ = await api.call(
        "POST",
        "/api/openapi/submit",
        {"model": "gpt_image_2_official_plus", "params": {"prompt": "x"}, "out_task_id": "t-1"},
    )
    task_id = body["data"][0]["task_id"]
    assert (await api.query("t-1"))["message"] == "api task not found"
    _, found, _ = await api.call("POST", QUERY_PATH, {"out_task_id": "t-1", "task_id": task_id})
    assert found["data"]["task_id"] == task_id
    await api.submit("plain")
    assert (await api.query("plain"))["statusCode"] == 200


async def test_out_task_id_rule_can_be_lifted(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """The reported id rule is the default; out_task_id_pattern=None accepts an order number."""
    strict = Api(http, await emulator_factory())
    refused = await strict.submit("ORDER.2025.0001")
    assert refused["statusCode"] == 400
    assert refused["message"].startswith("out_task_id")
    lenient = Api(http, await emulator_factory(out_task_id_pattern=None))
    assert (await lenient.submit("ORDER.2025.0001"))["statusCode"] == 200
    assert (await lenient.query("ORDER.2025.0001"))["data"]["out_task_id"] == "ORDER.2025.0001"


async def test_balance_reports_points_and_free_quota(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """The balance carries points (credits, balance) and the free quota left per model."""
    emu = await emulator_factory(initial_credits=500, free_quota={"sora2": 3, "gpt_4o": 0})
    data = (await Api(http, emu).balance())["data"]
    assert data["points"] == data["credits"] == data["balance"] == 500
    assert data["free_quota"] == {"sora2": 3, "gpt_4o": 0}
