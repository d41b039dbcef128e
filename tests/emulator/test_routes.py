"""The task API routes on the wire: envelopes, validation, duplicates, credits, balance."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from aireiter._constants import BALANCE_PATH, QUERY_PATH, SUBMIT_PATH
from tests.conftest import EmulatorFactory
from tests.emulator.conftest import PROMPT, Api


async def test_submit_answers_the_documented_envelope(api: Api) -> None:
    """A submit answers statusCode 200, empty message, and a pending task with its estimate."""
    envelope = await api.submit("t-1", model="gpt_4o")
    assert envelope["statusCode"] == 200
    assert envelope["message"] == ""
    data = envelope["data"]
    assert data["out_task_id"] == "t-1"
    assert data["status"] == "pending"
    assert data["task_id"].startswith("order_")
    assert len(data["task_id"]) == 27
    assert data["estimated_credits"] == 10
    assert data["created_at"].endswith("Z")
    assert "T" in data["created_at"]
    assert api.emulator.state.submit_counts["t-1"] == 1


async def test_query_by_either_id_returns_the_same_task(api: Api) -> None:
    """A task is found by out_task_id and by the system task_id, with the documented fields."""
    submitted = (await api.submit("t-2", metadata={"k": "v"}))["data"]
    by_out = (await api.query("t-2"))["data"]
    _, by_system, _ = await api.call("POST", QUERY_PATH, {"task_id": submitted["task_id"]})
    assert by_system["data"]["out_task_id"] == "t-2"
    assert set(by_out) == {
        "task_id",
        "out_task_id",
        "status",
        "created_at",
        "completed_at",
        "input",
        "credits_used",
        "output",
        "error",
        "metadata",
    }
    assert by_out["input"]["model"] == "gpt_4o"
    assert by_out["input"]["params"] == PROMPT
    assert by_out["metadata"] == {"k": "v"}
    assert api.emulator.state.query_counts["t-2"] == 2


async def test_unknown_task_is_400_inside_http_200(api: Api) -> None:
    """Querying an unknown id answers HTTP 200 with statusCode 400 "api task not found"."""
    status, body, _ = await api.call("POST", QUERY_PATH, {"out_task_id": "nope"})
    assert status == 200
    assert body == {"statusCode": 400, "message": "api task not found", "data": None}


async def test_query_without_an_id_is_a_bad_request(api: Api) -> None:
    """A query naming neither id is statusCode 400 naming both fields."""
    _, body, _ = await api.call("POST", QUERY_PATH, {})
    assert body["statusCode"] == 400
    assert "out_task_id or task_id" in body["message"]


async def test_duplicate_out_task_id_is_409_and_creates_nothing(api: Api) -> None:
    """A second submit with a used out_task_id is statusCode 409; the first task stays."""
    first = await api.submit("dup", model="gpt_4o")
    second = await api.submit("dup", model="sora2")
    assert second == {"statusCode": 409, "message": "out_task_id already exists", "data": None}
    state = api.emulator.state
    assert state.submit_counts["dup"] == 1
    assert state.submit_requests["dup"] == 2
    assert state.tasks["dup"].task_id == first["data"]["task_id"]
    assert state.tasks["dup"].model == "gpt_4o"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model": ""}, "model"),
        ({"model": None}, "model"),
        ({"params": "prompt"}, "params"),
        ({"out_task_id": None}, "out_task_id"),
        ({"out_task_id": "has space"}, "out_task_id"),
        ({"out_task_id": "x" * 65}, "out_task_id"),
        ({"callback_url": "ftp://127.0.0.1/x"}, "callback_url"),
        ({"metadata": [1, 2]}, "metadata"),
    ],
)
async def test_bad_top_level_fields_are_400_naming_the_field(
    api: Api, change: dict[str, Any], field: str
) -> None:
    """Each invalid top-level submit field gives statusCode 400 whose message names it."""
    body: dict[str, Any] = {"model": "gpt_4o", "params": PROMPT, "out_task_id": "ok-id"}
    body.update(change)
    body = {key: value for key, value in body.items() if value is not None}
    status, answer, _ = await api.call("POST", SUBMIT_PATH, body)
    assert status == 200
    assert answer["statusCode"] == 400
    assert answer["message"].startswith(field)
    assert api.emulator.state.tasks == {}


async def test_body_that_is_not_json_is_400(api: Api) -> None:
    """A submit body that is not a JSON object is statusCode 400."""
    async with api.session.post(
        api.emulator.url(SUBMIT_PATH), data=b"[1, 2", headers=api.auth
    ) as response:
        body = await response.json()
    assert body["statusCode"] == 400
    assert "JSON" in body["message"]


async def test_unknown_model_is_400_model_not_found(api: Api) -> None:
    """A model the spec does not know is statusCode 400 "model not found: <name>"."""
    envelope = await api.submit("m-1", model="dalle_9000")
    assert envelope == {"statusCode": 400, "message": "model not found: dalle_9000", "data": None}


async def test_unknown_models_can_be_accepted(emulator_factory: EmulatorFactory, http: Any) -> None:
    """accept_unknown_models lets any model name through, its kind guessed from the name."""
    emu = await emulator_factory(accept_unknown_models=True, default_duration_s=0)
    api = Api(http, emu)
    await api.submit("u-1", model="brand_new_video_model")
    data = (await api.query("u-1"))["data"]
    assert data["status"] == "completed"
    assert data["output"][0]["url"].endswith(".mp4")


async def test_invalid_params_are_400_naming_model_field_and_allowed(api: Api) -> None:
    """A param value the spec forbids is statusCode 400 naming model, field and allowed values."""
    envelope = await api.submit("p-1", model="sora2", params={"prompt": "x", "aspect_ratio": "4:3"})
    assert envelope["statusCode"] == 400
    message = envelope["message"]
    assert "sora2" in message
    assert "aspect_ratio" in message
    assert "16:9" in message
    assert api.emulator.state.tasks == {}


async def test_unknown_param_keys_pass_through(api: Api) -> None:
    """A param the spec does not list is stored and echoed, not rejected."""
    await api.submit("p-2", model="veo3_1", params={"prompt": "x", "duration": 8})
    assert (await api.query("p-2"))["data"]["input"]["params"]["duration"] == 8


async def test_validation_can_be_switched_off(emulator_factory: EmulatorFactory, http: Any) -> None:
    """validate_params=False accepts params the spec rejects."""
    emu = await emulator_factory(validate_params=False)
    envelope = await Api(http, emu).submit(
        "p-3", model="sora2", params={"prompt": "x", "aspect_ratio": "4:3"}
    )
    assert envelope["statusCode"] == 200


async def test_not_enough_credits_is_433_with_ok_true(
    emulator_factory: EmulatorFactory, http: Any
) -> None:
    """A submit costing more than is available is statusCode 433 with the odd "ok": true."""
    emu = await emulator_factory(initial_credits=15.0, default_duration_s=60)
    api = Api(http, emu)
    assert (await api.submit("c-1"))["statusCode"] == 200  # 10 credits, 5 left uncommitted
    envelope = await api.submit("c-2")
    assert envelope == {
        "ok": True,
        "statusCode": 433,
        "message": "not enough credits",
        "data": None,
    }
    assert emu.state.submit_counts["c-2"] == 0
    assert emu.state.balance == 15.0  # nothing charged before completion
    emu.state.add_credits(5.0)
    assert (await api.submit("c-2"))["statusCode"] == 200


async def test_balance_shape(api: Api) -> None:
    """The balance answers credits, balance and points (same number) and a free_quota object."""
    envelope = await api.balance()
    assert envelope["statusCode"] == 200
    assert envelope["data"] == {
        "credits": 1_000_000.0,
        "balance": 1_000_000.0,
        "points": 1_000_000.0,
        "free_quota": {},
    }


async def test_missing_or_wrong_key_is_http_401(api: Api) -> None:
    """Every task route answers HTTP 401 JSON without a valid bearer key."""
    for method, path in (("POST", SUBMIT_PATH), ("POST", QUERY_PATH), ("GET", BALANCE_PATH)):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "test-key"}):
            status, body, _ = await api.call(method, path, {}, headers=headers)
            assert status == 401, (method, path, headers)
            assert body == {"statusCode": 401, "message": "invalid api key"}
    assert api.emulator.state.tasks == {}


async def test_wrong_method_is_the_html_page(api: Api, http: aiohttp.ClientSession) -> None:
    """POST to the balance route answers HTTP 200 text/html, as the API does."""
    async with http.post(api.emulator.url(BALANCE_PATH), headers=api.auth) as response:
        text = await response.text()
    assert response.status == 200
    assert response.content_type == "text/html"
    assert text.startswith("<!DOCTYPE html>")
