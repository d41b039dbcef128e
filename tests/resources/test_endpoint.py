"""Typed model endpoints against the emulator: wire params, channels, fallback, checks."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from aireiter import (
    AsyncAIReiter,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    ParamError,
    RateLimitError,
    TaskStatus,
    UndocumentedChannelWarning,
)
from aireiter._confirm import ConfirmPolicy
from aireiter._constants import QUERY_PATH, SUBMIT_PATH
from aireiter._endpoints import is_capacity_error
from aireiter._spec import _checks
from aireiter._spec._channels import reset_channel_warnings
from aireiter.emulator import RunningEmulator
from aireiter.types import Sora2Params
from tests.conftest import EmulatorFactory

SUBMIT = ("POST", SUBMIT_PATH)
QUERY = ("POST", QUERY_PATH)


@pytest.fixture(autouse=True)
def _fresh_channel_warnings() -> Iterator[None]:
    """Each test sees the one-time channel warnings afresh."""
    reset_channel_warnings()
    yield
    reset_channel_warnings()


async def test_submit_sends_the_channel_name_and_documented_defaults(
    client: AsyncAIReiter,
) -> None:
    """channel='plus' sends sora2_plus; documented defaults are sent, unset fields are not."""
    task = await client.videos.sora2.submit(prompt="a fox", channel="plus")
    assert task.model == "sora2_plus"
    assert task.status is TaskStatus.PENDING
    stored = await client.tasks.query(task.out_task_id)
    assert stored.input is not None
    assert stored.input["model"] == "sora2_plus"
    assert stored.input["params"] == {
        "prompt": "a fox",
        "aspect_ratio": "16:9",
        "video_length": "10",
    }


async def test_wire_types_are_the_models_own(client: AsyncAIReiter) -> None:
    """Seedance 1.5 Pro gets an integer video_length, Seedream 4.5 a list of image URLs."""
    seedance = await client.videos.seedance_1_5_pro.submit(prompt="x", video_length=5)
    seedream = await client.images.seedream_v4_5.submit(
        prompt="x", image_url=("https://example.com/a.png",)
    )
    seedance_input = (await client.tasks.query(seedance.out_task_id)).input
    seedream_input = (await client.tasks.query(seedream.out_task_id)).input
    assert seedance_input is not None
    assert seedance_input["params"]["video_length"] == 5
    assert seedream_input is not None
    assert seedream_input["params"]["image_url"] == ["https://example.com/a.png"]


async def test_extra_params_pass_through(client: AsyncAIReiter) -> None:
    """extra_params adds fields the spec does not know to the wire params."""
    task = await client.videos.veo3_1.submit(prompt="x", extra_params={"duration": 8})
    stored = (await client.tasks.query(task.out_task_id)).input
    assert stored is not None
    assert stored["params"]["duration"] == 8


async def test_bad_input_is_one_param_error_and_nothing_is_sent(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """Bad params, channel, fallback channel and extra_params come back in one ParamError."""
    with pytest.raises(ParamError) as info:
        await client.videos.sora2.submit(
            prompt="",
            aspect_ratio="4:3",  # type: ignore[arg-type]
            channel="turbo",  # type: ignore[arg-type]
            fallback_channels=["plus", "plus"],
            extra_params={"aspect_ratio": "16:9"},
        )
    fields = [issue.field for issue in info.value.issues]
    assert fields == [
        "prompt",
        "aspect_ratio",
        "channel",
        "fallback_channels[1]",
        "extra_params['aspect_ratio']",
    ]
    assert info.value.model == "sora2"
    assert sum(emulator.state.request_counts.values()) == 0


async def test_an_unlisted_level_is_sent_with_a_one_time_warning(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """gpt_4o lists no channels, but every model comes in four levels: channel='plus' sends
    gpt_4o_plus with one UndocumentedChannelWarning; the second submit is silent."""
    with pytest.warns(UndocumentedChannelWarning, match="gpt_4o_plus"):
        task = await client.images.gpt_4o.submit(prompt="x", channel="plus")
    assert task.model == "gpt_4o_plus"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = await client.images.gpt_4o.submit(prompt="x", channel="plus")
        listed = await client.videos.sora2.submit(prompt="x", channel="advanced")
    assert again.model == "gpt_4o_plus"
    assert listed.model == "sora2_advanced"
    assert emulator.state.request_counts[SUBMIT] == 3


async def test_a_suffixed_model_name_is_checked_as_its_base_model(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """client.images.submit("gpt_4o_max", ...) is checked as gpt_4o (a bad aspect_ratio is
    refused before sending) and sent under the name given, with the warning."""
    with pytest.raises(ParamError) as info:
        await client.images.submit("gpt_4o_max", prompt="x", aspect_ratio="16:9")
    assert (info.value.model, info.value.field) == ("gpt_4o", "aspect_ratio")
    assert sum(emulator.state.request_counts.values()) == 0
    with pytest.warns(UndocumentedChannelWarning):
        task = await client.images.submit("gpt_4o_max", prompt="x", aspect_ratio="3:2")
    assert task.model == "gpt_4o_max"


async def test_face_passes_through_and_a_non_level_is_refused(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """'face' is no level but passes through (warned on sora2, silent on seedance2, which
    lists it); a channel that is neither a level nor listed is a ParamError naming the
    levels."""
    with pytest.warns(UndocumentedChannelWarning, match="sora2_face"):
        face = await client.videos.sora2.submit(prompt="x", channel="face")  # type: ignore[arg-type]
    assert face.model == "sora2_face"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        listed = await client.videos.seedance2.submit(prompt="x", channel="face")
    assert listed.model == "seedance2_face"
    sent = emulator.state.request_counts[SUBMIT]
    with pytest.raises(ParamError) as info:
        await client.videos.sora2.submit(prompt="x", channel="turbo")  # type: ignore[arg-type]
    assert info.value.field == "channel"
    assert "'base', 'plus', 'advanced', 'max'" in str(info.value)
    assert emulator.state.request_counts[SUBMIT] == sent


async def test_params_are_checked_once_per_call(
    client: AsyncAIReiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typed call checks each field once (the params object is built once and sent as it
    is); submitting a prebuilt params object checks nothing again."""
    checked: list[str] = []
    original = _checks._check_value

    def counting(param: Any, value: Any) -> Any:
        checked.append(param.name)
        return original(param, value)

    monkeypatch.setattr(_checks, "_check_value", counting)
    await client.videos.sora2.submit(prompt="x", channel="plus")
    assert checked.count("prompt") == 1
    params = Sora2Params(prompt="y")
    checked.clear()
    await client.videos.sora2.submit_params(params, channel="base")
    await client.videos.submit("sora2", prompt="z")
    assert checked.count("prompt") == 1  # the dynamic submit only


async def test_generate_returns_the_completed_task(client: AsyncAIReiter) -> None:
    """generate submits and waits; the task comes back completed with its outputs."""
    task = await client.images.nano_banana_pro.generate(
        prompt="x", resolution="2K", poll_interval=0.01
    )
    assert task.status is TaskStatus.COMPLETED
    assert task.urls


async def test_submit_params_object(client: AsyncAIReiter) -> None:
    """A params object built beforehand is submitted as its wire form."""
    task = await client.videos.sora2.submit_params(Sora2Params(prompt="x", video_length="15"))
    stored = (await client.tasks.query(task.out_task_id)).input
    assert stored is not None
    assert stored["params"]["video_length"] == "15"
    with pytest.raises(ParamError, match="Sora2Params"):
        await client.videos.sora2_pro.submit_params(Sora2Params(prompt="x"))  # type: ignore[arg-type]


def test_capacity_errors_are_429_and_5xx() -> None:
    """Only 429 and 5xx count as 'turned away for load'."""
    assert is_capacity_error(RateLimitError("busy", status_code=429))
    assert is_capacity_error(InternalServerError("down", status_code=503))
    assert not is_capacity_error(InsufficientCreditsError("poor", status_code=433))
    assert not is_capacity_error(ValueError())


async def test_fallback_after_rate_limit_uses_the_next_channel_and_same_id(
    emulator_factory: EmulatorFactory,
) -> None:
    """A 429 on plus moves the submit to advanced, with the same out_task_id, once."""
    emu = await emulator_factory(default_duration_s=0.01)
    emu.state.inject("rate_limit", path=SUBMIT_PATH, count=1)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url, max_retries=0) as client:
        task = await client.videos.sora2.submit(
            prompt="x", channel="plus", fallback_channels=["advanced"], out_task_id="job-1"
        )
    assert task.out_task_id == "job-1"
    assert task.model == "sora2_advanced"
    assert emu.state.submit_counts["job-1"] == 1
    assert emu.state.request_counts[SUBMIT] == 2
    assert emu.state.request_counts[QUERY] == 0


@pytest.mark.usefixtures("testing_sleeps")
async def test_fallback_after_5xx_first_confirms_the_task_was_not_created(
    emulator_factory: EmulatorFactory,
) -> None:
    """A 5xx is ambiguous: the id is confirmed absent over the client's confirm window (every
    query of it says "not found") before the next channel is tried."""
    emu = await emulator_factory(default_duration_s=0.01)
    emu.state.inject("error_5xx", path=SUBMIT_PATH, count=1)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url, max_retries=0) as client:
        task = await client.videos.sora2.submit(
            prompt="x", fallback_channels=["base"], out_task_id="job-2"
        )
    assert task.model == "sora2_base"
    assert emu.state.request_counts[QUERY] == ConfirmPolicy().queries
    assert emu.state.submit_counts["job-2"] == 1


@pytest.mark.usefixtures("testing_sleeps")
async def test_fallback_after_5xx_returns_the_task_the_failed_submit_created(
    emulator_factory: EmulatorFactory,
) -> None:
    """When the confirm window finds the task this call sent (same model and params), it is
    returned and no other channel is tried."""
    emu = await emulator_factory(default_duration_s=0.01)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url, max_retries=0) as client:
        await client.videos.sora2.submit(prompt="x", out_task_id="job-3")
        emu.state.inject("error_5xx", path=SUBMIT_PATH, count=1)
        task = await client.videos.sora2.submit(
            prompt="x", fallback_channels=["base"], out_task_id="job-3"
        )
    assert task.out_task_id == "job-3"
    assert task.model == "sora2"
    assert emu.state.submit_counts["job-3"] == 1
    assert emu.state.request_counts[SUBMIT] == 2
    assert emu.state.request_counts[QUERY] == 1


@pytest.mark.usefixtures("testing_sleeps")
async def test_fallback_after_5xx_never_adopts_another_requests_task(
    emulator_factory: EmulatorFactory,
) -> None:
    """A task found under the id with other params is not this call's: ConflictError, and
    no other channel is tried."""
    emu = await emulator_factory(default_duration_s=0.01)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url, max_retries=0) as client:
        await client.tasks.submit("sora2", {"prompt": "another"}, out_task_id="job-4")
        emu.state.inject("error_5xx", path=SUBMIT_PATH, count=1)
        with pytest.raises(ConflictError, match="job-4"):
            await client.videos.sora2.submit(
                prompt="x", fallback_channels=["base"], out_task_id="job-4"
            )
    assert emu.state.request_counts[SUBMIT] == 2


async def test_no_fallback_for_other_errors(emulator_factory: EmulatorFactory) -> None:
    """Not enough credits is not a channel problem: raised at once, nothing else sent."""
    emu = await emulator_factory(default_duration_s=0.01, initial_credits=0.0)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url, max_retries=0) as client:
        with pytest.raises(InsufficientCreditsError):
            await client.videos.sora2.submit(prompt="x", fallback_channels=["base", "plus"])
    assert emu.state.request_counts[SUBMIT] == 1


async def test_last_channel_error_is_raised(emulator_factory: EmulatorFactory) -> None:
    """When every channel turns the submit away, the last error is raised."""
    emu = await emulator_factory(default_duration_s=0.01)
    emu.state.inject("rate_limit", path=SUBMIT_PATH, count=2)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url, max_retries=0) as client:
        with pytest.raises(RateLimitError):
            await client.videos.sora2.submit(prompt="x", channel="base", fallback_channels=["plus"])
    assert emu.state.request_counts[SUBMIT] == 2
    assert emu.state.tasks == {}


async def test_fallback_channels_must_be_a_list(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """A bare string is not taken letter by letter: it is refused as a whole."""
    with pytest.raises(ParamError) as info:
        await client.videos.submit("sora2", prompt="x", fallback_channels="plus")
    assert [issue.field for issue in info.value.issues] == ["fallback_channels"]
    assert sum(emulator.state.request_counts.values()) == 0
