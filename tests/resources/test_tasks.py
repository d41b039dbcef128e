"""client.tasks against the emulator: round trips, idempotent submits, waiting."""

from __future__ import annotations

import pytest

from aireiter import (
    AsyncAIReiter,
    BadRequestError,
    ConflictError,
    InsufficientCreditsError,
    NotFoundError,
    ParamError,
    TaskFailedError,
    TaskStatus,
    TaskTimeoutError,
)
from aireiter._constants import QUERY_PATH, SUBMIT_PATH
from aireiter.emulator import RunningEmulator
from tests.conftest import EmulatorFactory

PROMPT = {"prompt": "a lighthouse at dawn"}


async def test_submit_query_wait_round_trip(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """A submitted task is pending, then found by query, then completed by wait."""
    task = await client.tasks.submit("seedream_v4_5", PROMPT, metadata={"batch": "b1"})
    assert task.status is TaskStatus.PENDING
    assert task.model == "seedream_v4_5"
    assert task.estimated_credits is not None
    assert task.estimated_credits > 0
    assert len(task.out_task_id) == 32  # a fresh id was generated

    queried = await client.tasks.query(task.out_task_id)
    assert queried.out_task_id == task.out_task_id
    assert queried.status in (TaskStatus.PENDING, TaskStatus.PROCESSING, TaskStatus.COMPLETED)

    done = await client.tasks.wait(task.out_task_id, poll_interval=0.01, timeout=10)
    assert done.status is TaskStatus.COMPLETED
    assert done.urls
    assert all(url.startswith(emulator.base_url) for url in done.urls)
    assert done.credits_used == task.estimated_credits
    assert done.metadata == {"batch": "b1"}
    assert done.created_at is not None
    assert done.created_at.tzinfo is not None
    assert emulator.state.submit_counts[task.out_task_id] == 1


async def test_query_by_system_task_id(client: AsyncAIReiter) -> None:
    """A task can also be found by the system task_id the API assigned."""
    task = await client.tasks.submit("sora2", PROMPT, out_task_id="by-system-id")
    assert task.task_id
    found = await client.tasks.query(task_id=task.task_id)
    assert found.out_task_id == "by-system-id"


async def test_balance_drops_only_by_charged_credits(client: AsyncAIReiter) -> None:
    """Balance is read, and a completed task lowers it by exactly its credits_used."""
    before = await client.balance()
    assert before.credits is not None
    done = await client.tasks.wait(
        (await client.tasks.submit("gpt_4o", PROMPT)).out_task_id, poll_interval=0.01, timeout=10
    )
    after = await client.balance()
    assert after.credits == pytest.approx(before.credits - (done.credits_used or 0))


async def test_failed_task_raises_with_task(client: AsyncAIReiter) -> None:
    """wait() raises TaskFailedError carrying the failed task and its reason."""
    task = await client.tasks.submit("sora2", {"prompt": "FAIL_ME please"})
    with pytest.raises(TaskFailedError) as info:
        await client.tasks.wait(task.out_task_id, poll_interval=0.01, timeout=10)
    assert info.value.task.status is TaskStatus.FAILED
    assert info.value.task.error
    assert info.value.out_task_id == task.out_task_id
    same = await client.tasks.wait(
        task.out_task_id, poll_interval=0.01, timeout=10, raise_on_failure=False
    )
    assert same.status is TaskStatus.FAILED
    assert not same.credits_used


async def test_wait_times_out(emulator_factory: EmulatorFactory) -> None:
    """wait() gives up after its timeout with TaskTimeoutError (also a TimeoutError)."""
    emu = await emulator_factory(default_duration_s=60)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client:
        task = await client.tasks.submit("sora2", PROMPT)
        with pytest.raises(TimeoutError) as info:
            await client.tasks.wait(task.out_task_id, poll_interval=0.02, timeout=0.1)
    assert isinstance(info.value, TaskTimeoutError)
    assert info.value.out_task_id == task.out_task_id
    assert info.value.task is not None
    assert not info.value.task.is_done


async def test_unknown_task_is_not_found(client: AsyncAIReiter) -> None:
    """Querying an id the API does not know raises NotFoundError (statusCode 400 in HTTP 200)."""
    with pytest.raises(NotFoundError) as info:
        await client.tasks.query("never-submitted")
    assert info.value.status_code == 400
    assert info.value.http_status == 200
    assert "not found" in info.value.message
    assert info.value.request_id


async def test_duplicate_out_task_id_is_a_conflict(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """Reusing an out_task_id raises ConflictError and creates nothing new."""
    await client.tasks.submit("gpt_4o", PROMPT, out_task_id="dup-1")
    with pytest.raises(ConflictError):
        await client.tasks.submit("gpt_4o", PROMPT, out_task_id="dup-1")
    assert emulator.state.submit_counts["dup-1"] == 1


async def test_insufficient_credits(emulator_factory: EmulatorFactory) -> None:
    """An account without credits gets InsufficientCreditsError (statusCode 433)."""
    emu = await emulator_factory(initial_credits=0.0)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client:
        with pytest.raises(InsufficientCreditsError) as info:
            await client.tasks.submit("sora2", PROMPT, out_task_id="broke")
    assert info.value.status_code == 433
    assert info.value.out_task_id == "broke"
    assert emu.state.submit_counts["broke"] == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"out_task_id": "has space"}, "out_task_id"),
        ({"out_task_id": "x" * 65}, "out_task_id"),
        ({"callback_url": "ftp://host/x"}, "callback_url"),
        ({"metadata": ["not", "a", "dict"]}, "metadata"),
    ],
)
async def test_bad_submit_fields_fail_before_the_wire(
    client: AsyncAIReiter, emulator: RunningEmulator, kwargs: dict[str, object], field: str
) -> None:
    """Invalid top-level fields raise ParamError naming the field; nothing is sent."""
    with pytest.raises(ParamError) as info:
        await client.tasks.submit("sora2", PROMPT, **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert emulator.state.request_counts[("POST", SUBMIT_PATH)] == 0


async def test_params_that_are_not_json_fail_before_the_wire(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """Params JSON cannot encode (a set) raise ParamError naming params; nothing is sent."""
    with pytest.raises(ParamError) as info:
        await client.tasks.submit("gpt_4o", {"prompt": "x", "tags": {1, 2}}, validate=False)
    assert info.value.field == "params"
    assert "JSON" in str(info.value)
    assert emulator.state.request_counts[("POST", SUBMIT_PATH)] == 0


async def test_server_side_validation_is_a_second_guard(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """With the client check off, the API's own 400 comes back as BadRequestError naming the
    field, and no task is created."""
    with pytest.raises(BadRequestError) as info:
        await client.tasks.submit("sora2", {"prompt": "x", "aspect_ratio": "4:3"}, validate=False)
    assert info.value.status_code == 400
    assert "aspect_ratio" in info.value.message
    assert info.value.request_id is not None
    assert emulator.state.tasks == {}


async def test_lost_submit_answer_creates_exactly_one_task(
    client: AsyncAIReiter, emulator: RunningEmulator, testing_sleeps: None
) -> None:
    """A submit whose answer is lost (reset after processing) is confirmed by query, not resent."""
    emulator.state.inject("reset_after", path=SUBMIT_PATH, count=1)
    task = await client.tasks.submit("sora2", PROMPT, out_task_id="lost-answer")
    assert task.out_task_id == "lost-answer"
    assert emulator.state.submit_counts["lost-answer"] == 1
    assert emulator.state.submit_requests["lost-answer"] == 1
    assert emulator.state.query_counts["lost-answer"] == 1


async def test_submit_reset_before_processing_is_resent_once(
    client: AsyncAIReiter, emulator: RunningEmulator, testing_sleeps: None
) -> None:
    """A submit dropped before the server processed it is found missing, then sent again."""
    emulator.state.inject("reset_before", path=SUBMIT_PATH, count=1)
    await client.tasks.submit("sora2", PROMPT, out_task_id="dropped-early")
    assert emulator.state.submit_counts["dropped-early"] == 1
    assert emulator.state.submit_requests["dropped-early"] == 1  # the dropped one never arrived


async def test_malformed_submit_answer_is_confirmed_not_resent(
    client: AsyncAIReiter, emulator: RunningEmulator, testing_sleeps: None
) -> None:
    """A 200 with a broken body is treated as "probably created": queried, not resubmitted."""
    emulator.state.inject("malformed", path=SUBMIT_PATH, count=1)
    task = await client.tasks.submit("gpt_4o", PROMPT, out_task_id="garbled")
    assert task.out_task_id == "garbled"
    assert emulator.state.submit_counts["garbled"] == 1


async def test_submit_5xx_is_checked_before_resending(
    client: AsyncAIReiter, emulator: RunningEmulator, testing_sleeps: None
) -> None:
    """After a 5xx the SDK queries first; the task was not created, so it submits again once."""
    emulator.state.inject("error_5xx", path=SUBMIT_PATH, count=1)
    task = await client.tasks.submit("gpt_4o", PROMPT, out_task_id="after-500")
    assert task.status is TaskStatus.PENDING
    assert emulator.state.submit_counts["after-500"] == 1
    assert emulator.state.request_counts[("POST", SUBMIT_PATH)] == 2
    assert emulator.state.request_counts[("POST", QUERY_PATH)] == 1
