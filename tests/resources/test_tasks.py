"""client.tasks against the emulator and a scripted server: round trips, the confirm window of
an ambiguous submit, conflicts, waiting through errors."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from aireiter import (
    APIResponseValidationError,
    AsyncAIReiter,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DownloadError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
    ParamError,
    Task,
    TaskFailedError,
    TaskOutput,
    TaskStatus,
    TaskTimeoutError,
    _poll_schedule,
)
from aireiter._confirm import ConfirmPolicy
from aireiter._constants import QUERY_PATH, SUBMIT_PATH
from aireiter.emulator import RunningEmulator
from aireiter.resources._polling import TaskPollSchedule
from aireiter.testing import clear_recorded_sleeps, recorded_sleeps, time_scale
from aireiter.tracker._poll_policy import PollPolicy
from tests.conftest import EmulatorFactory

from ._scripted_api import ScriptedAPI, envelope, not_found, unavailable

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
    """Reusing an out_task_id raises ConflictError naming the id and creates nothing new."""
    await client.tasks.submit("gpt_4o", PROMPT, out_task_id="dup-1")
    with pytest.raises(ConflictError) as info:
        await client.tasks.submit("gpt_4o", PROMPT, out_task_id="dup-1")
    assert "dup-1" in str(info.value)
    assert info.value.out_task_id == "dup-1"
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
    """After a 5xx the SDK queries over the whole confirm window (4 queries spread over 20 s)
    before the one resend; the task was not created, so it is submitted again once."""
    emulator.state.inject("error_5xx", path=SUBMIT_PATH, count=1)
    task = await client.tasks.submit("gpt_4o", PROMPT, out_task_id="after-500")
    assert task.status is TaskStatus.PENDING
    assert emulator.state.submit_counts["after-500"] == 1
    assert emulator.state.request_counts[("POST", SUBMIT_PATH)] == 2
    assert emulator.state.request_counts[("POST", QUERY_PATH)] == 4
    assert recorded_sleeps() == pytest.approx([2.5, 2.5, 5.0, 10.0], abs=0.05)


# -- the confirm window: an ambiguous submit is never sent twice on one "not found" ----------


async def test_a_submit_recorded_late_is_sent_once(testing_sleeps: None) -> None:
    """A server still recording a submit answers "not found" for a while: the SDK keeps
    querying over its confirm window, finds the task and adopts it; nothing is sent twice.
    (One "not found" followed by a resend used to record the task twice.)"""
    api = ScriptedAPI()
    held: list[dict[str, Any]] = []

    async def hold_first(body: dict[str, Any]) -> web.StreamResponse:
        if not held:
            held.append(body)
            return unavailable()  # the answer is lost; the request is still being recorded
        return await api.default_submit(body)

    async def record_late(body: dict[str, Any]) -> web.StreamResponse:
        if held and len(api.queries) >= 2:  # recorded only while the second query is asked
            api.record(held.pop())
        return await api.default_query(body)

    api.on_submit, api.on_query = hold_first, record_late
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        task = await client.tasks.submit("gpt_4o", PROMPT, out_task_id="late-1")
    assert task.out_task_id == "late-1"
    assert api.submits["late-1"] == 1
    assert api.recorded["late-1"] == 1
    assert len(api.queries) == 2


async def test_the_confirm_window_runs_in_real_time() -> None:
    """With real sleeps: the first submit is held (the client times out) and recorded 1.4 s
    after that; queries spread over a 4 s window find it, so the server gets one submit."""
    api = ScriptedAPI()
    loop = asyncio.get_running_loop()
    request_timeout = 0.3

    async def hold_and_record_later(body: dict[str, Any]) -> web.StreamResponse:
        if api.submits[body["out_task_id"]] == 1:
            loop.call_later(request_timeout + 1.4, api.record, body)
            await asyncio.sleep(request_timeout + 0.5)  # the client has given up by then
            return unavailable()
        return await api.default_submit(body)

    api.on_submit = hold_and_record_later
    policy = ConfirmPolicy(min_window_s=4.0)
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        started = time.monotonic()
        task = await client.tasks.submit(
            "gpt_4o", PROMPT, out_task_id="slow-1", timeout=request_timeout, confirm=policy
        )
        elapsed = time.monotonic() - started
    assert task.out_task_id == "slow-1"
    assert api.submits["slow-1"] == 1
    assert api.recorded["slow-1"] == 1
    assert [q["out_task_id"] for q in api.queries] == ["slow-1"] * 3  # at 0.5, 1 and 2 s
    assert 2.0 < elapsed < 4.0


async def test_failed_confirm_queries_leave_the_outcome_unknown(testing_sleeps: None) -> None:
    """When no query of the window can answer, nothing is resent and the submit's error is
    raised, naming the out_task_id and saying to query it later."""
    api = ScriptedAPI()

    async def always_unavailable(body: dict[str, Any]) -> web.StreamResponse:
        return unavailable()

    api.on_submit = api.on_query = always_unavailable
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        with pytest.raises(InternalServerError) as info:
            await client.tasks.submit("gpt_4o", PROMPT, out_task_id="unknown-1")
    assert api.submits["unknown-1"] == 1
    assert len(api.queries) == ConfirmPolicy().queries
    message = str(info.value)
    assert "unknown-1" in message
    assert "later" in message
    assert info.value.out_task_id == "unknown-1"


async def test_a_failed_last_query_is_asked_again_after_the_window(
    testing_sleeps: None,
) -> None:
    """ "Not found" proves absence only at the window's end: when the last query fails after
    earlier "not found" answers, the SDK asks again, and resends only on a late "not found"."""
    api = ScriptedAPI()
    answers = iter([not_found, not_found, not_found, unavailable, unavailable, not_found])

    async def first_unavailable(body: dict[str, Any]) -> web.StreamResponse:
        if api.submits[body["out_task_id"]] == 1:
            return unavailable()
        return await api.default_submit(body)

    async def scripted(body: dict[str, Any]) -> web.StreamResponse:
        return next(answers)()

    api.on_submit, api.on_query = first_unavailable, scripted
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        task = await client.tasks.submit("gpt_4o", PROMPT, out_task_id="mixed-1")
    assert task.status is TaskStatus.PENDING
    assert len(api.queries) == 6
    assert api.submits["mixed-1"] == 2
    assert api.recorded["mixed-1"] == 1


async def test_a_task_of_another_request_is_a_conflict_not_a_result(
    client: AsyncAIReiter, emulator: RunningEmulator, testing_sleeps: None
) -> None:
    """An ambiguous submit whose confirm finds a task made by another request (another
    model) raises ConflictError naming the id; the old task's result is never returned."""
    old = await client.tasks.submit("sora2", {"prompt": "waves"}, out_task_id="reused-1")
    emulator.state.inject("error_5xx", path=SUBMIT_PATH, count=1)
    with pytest.raises(ConflictError) as info:
        await client.tasks.submit("veo3_1", {"prompt": "a fox"}, out_task_id="reused-1")
    assert "reused-1" in str(info.value)
    assert "sora2" in str(info.value)
    assert emulator.state.tasks["reused-1"].task_id == old.task_id
    assert emulator.state.submit_counts["reused-1"] == 1


async def test_other_params_under_the_same_id_are_a_conflict(testing_sleeps: None) -> None:
    """Same model, other params: a conflict too. The API's own echo fields (show_public)
    do not count as a difference: the same request found again is adopted."""
    api = ScriptedAPI()
    api.record(
        {"out_task_id": "p-1", "model": "gpt_4o", "params": {"prompt": "another prompt"}},
        status="completed",
        output=[{"url": "http://127.0.0.1/old.png"}],
    )
    api.record(
        {"out_task_id": "p-2", "model": "gpt_4o", "params": {**PROMPT, "show_public": False}}
    )

    async def lost(body: dict[str, Any]) -> web.StreamResponse:
        return unavailable()

    api.on_submit = lost
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        with pytest.raises(ConflictError) as info:
            await client.tasks.submit("gpt_4o", PROMPT, out_task_id="p-1")
        adopted = await client.tasks.submit("gpt_4o", PROMPT, out_task_id="p-2")
    assert "p-1" in str(info.value)
    assert "prompt" in str(info.value)
    assert adopted.out_task_id == "p-2"
    assert adopted.task_id == api.tasks["p-2"]["task_id"]


async def test_a_resend_refused_as_a_duplicate_adopts_the_earlier_attempt(
    testing_sleeps: None,
) -> None:
    """A window of "not found", then the resend answers 409: the first attempt landed after
    all. The task found under the id is this call's (same model and params): adopted."""
    api = ScriptedAPI()

    async def late_first(body: dict[str, Any]) -> web.StreamResponse:
        if api.submits[body["out_task_id"]] == 1:
            return unavailable()
        api.record(body)  # the first attempt, recorded just now
        return web.json_response({"statusCode": 409, "message": "out_task_id already exists"})

    api.on_submit = late_first
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        task = await client.tasks.submit("gpt_4o", PROMPT, out_task_id="landed-1")
    assert task.out_task_id == "landed-1"
    assert task.task_id == api.tasks["landed-1"]["task_id"]
    assert api.submits["landed-1"] == 2
    assert api.recorded["landed-1"] == 1


async def test_max_retries_zero_leaves_the_confirming_to_the_caller(
    client: AsyncAIReiter, emulator: RunningEmulator, testing_sleeps: None
) -> None:
    """max_retries=0 raises an ambiguous submit at once, unconfirmed, its message naming the
    id to query later (the tracker confirms on its own schedule)."""
    emulator.state.inject("error_5xx", path=SUBMIT_PATH, count=1)
    with pytest.raises(InternalServerError) as info:
        await client.tasks.submit("gpt_4o", PROMPT, out_task_id="zero-1", max_retries=0)
    assert "zero-1" in str(info.value)
    assert emulator.state.request_counts[("POST", QUERY_PATH)] == 0


async def test_confirm_absent_is_callable_on_its_own(
    client: AsyncAIReiter, emulator: RunningEmulator, testing_sleeps: None
) -> None:
    """_confirm_absent: None after a window of "not found", the task when it exists."""
    error = InternalServerError("boom", status_code=503)
    policy = ConfirmPolicy(min_window_s=1.0, queries=2)
    absent = await client.tasks._confirm_absent("nobody", error, attempt_s=0.1, policy=policy)
    assert absent is None
    assert recorded_sleeps() == pytest.approx([0.5, 0.5], abs=0.05)
    made = await client.tasks.submit("gpt_4o", PROMPT, out_task_id="somebody")
    found = await client.tasks._confirm_absent(
        "somebody", error, attempt_s=0.1, model="gpt_4o", params=PROMPT
    )
    assert found is not None
    assert found.task_id == made.task_id


def test_the_confirm_window_scales_with_the_time_scale(client: AsyncAIReiter) -> None:
    """The client-wide confirm policy is the _confirm defaults times the time scale; one set
    on the client wins; a bad one is a ParamError."""
    assert client.tasks.confirm_policy == ConfirmPolicy()
    with time_scale(0.01):
        assert client.tasks.confirm_policy.min_window_s == pytest.approx(0.2)
    mine = ConfirmPolicy(min_window_s=3.0)
    client.tasks.confirm_policy = mine
    assert client.tasks.confirm_policy is mine
    with pytest.raises(ParamError) as info:
        client.tasks.confirm_policy = 5  # type: ignore[assignment]
    assert info.value.field == "confirm_policy"


async def test_bad_confirm_and_wait_arguments_are_param_errors(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """confirm= and wait()'s numbers are checked before any request, each field named."""
    with pytest.raises(ParamError) as info:
        await client.tasks.submit("gpt_4o", PROMPT, confirm=20)  # type: ignore[arg-type]
    assert info.value.field == "confirm"
    with pytest.raises(ParamError) as waited:
        await client.tasks.wait("x-1", poll_interval=0, backoff=0.5, timeout=-1)
    assert {issue.field for issue in waited.value.issues} == {
        "poll_interval",
        "backoff",
        "timeout",
    }
    assert sum(emulator.state.request_counts.values()) == 0


# -- wait(): polling through errors, the task_id fallback, the time scale ----------------------


async def test_wait_polls_through_server_errors(
    emulator: RunningEmulator,
) -> None:
    """Queries answered 503 (and beyond the transport's retries) do not end a wait: it polls
    on and returns the completed task."""
    async with AsyncAIReiter(
        api_key=emulator.api_key, base_url=emulator.base_url, max_retries=0
    ) as client:
        task = await client.tasks.submit("gpt_4o", PROMPT)
        emulator.state.inject("error_5xx", path=QUERY_PATH, count=5)
        done = await client.tasks.wait(task.out_task_id, poll_interval=0.01, timeout=10)
    assert done.status is TaskStatus.COMPLETED
    assert emulator.state.request_counts[("POST", QUERY_PATH)] >= 6


async def test_a_wait_that_ends_in_errors_is_a_task_timeout(
    emulator: RunningEmulator,
) -> None:
    """When queries fail until the deadline, wait raises TaskTimeoutError (never the submit's
    error classes) with the id, the last error, and words saying the task exists."""
    async with AsyncAIReiter(
        api_key=emulator.api_key, base_url=emulator.base_url, max_retries=0
    ) as client:
        task = await client.tasks.submit("gpt_4o", PROMPT, out_task_id="storm-1")
        emulator.state.inject("error_5xx", path=QUERY_PATH, count=10_000)
        with pytest.raises(TaskTimeoutError) as info:
            await client.tasks.wait(task.out_task_id, poll_interval=0.02, timeout=0.3)
    error = info.value
    assert error.out_task_id == "storm-1"
    assert isinstance(error.last_error, InternalServerError)
    assert "storm-1" in str(error)
    assert "paid for" in str(error)
    assert "InternalServerError" in str(error)


async def test_wait_raises_fatal_answers_at_once(emulator: RunningEmulator) -> None:
    """An answer that is not the API (HTML) or a refused key ends a wait at once."""
    async with AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url) as client:
        task = await client.tasks.submit("gpt_4o", PROMPT)
        emulator.state.inject("html", path=QUERY_PATH, count=1)
        with pytest.raises(APIResponseValidationError):
            await client.tasks.wait(task.out_task_id, poll_interval=0.01, timeout=30)
    async with AsyncAIReiter(api_key="wrong-key", base_url=emulator.base_url) as client:
        with pytest.raises(AuthenticationError):
            await client.tasks.wait(task.out_task_id, poll_interval=0.01, timeout=30)


async def test_a_hanging_query_does_not_outlive_the_wait(
    emulator_factory: EmulatorFactory,
) -> None:
    """A query the server holds past the wait's deadline is cut there: TaskTimeoutError on
    time, not after the request's own timeout."""
    emu = await emulator_factory(default_duration_s=60)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client:
        task = await client.tasks.submit("gpt_4o", PROMPT)
        emu.state.inject("latency", path=QUERY_PATH, count=1, seconds=30)
        started = time.monotonic()
        with pytest.raises(TaskTimeoutError):
            await client.tasks.wait(task.out_task_id, poll_interval=0.01, timeout=0.3)
    assert time.monotonic() - started < 5


async def test_generate_queries_by_task_id_when_the_id_is_unknown() -> None:
    """A submit answered in the gpt_image_2_official form ({"code":200, "data":[{"status":
    "submitted","task_id":...}]}) whose task the API finds only by task_id: generate() and
    wait() query by task_id, and the task keeps the caller's out_task_id."""
    api = ScriptedAPI()

    async def official_submit(body: dict[str, Any]) -> web.StreamResponse:
        api.record(body)
        data = [{"status": "submitted", "task_id": api.tasks[body["out_task_id"]]["task_id"]}]
        return web.json_response({"code": 200, "data": data})

    async def by_task_id_only(body: dict[str, Any]) -> web.StreamResponse:
        if body.get("out_task_id") is not None:
            return not_found()
        task = next(t for t in api.tasks.values() if t["task_id"] == body["task_id"])
        data = {
            "task_id": task["task_id"],
            "status": "completed",
            "output": [{"url": "http://127.0.0.1/out.png"}],
        }
        return envelope(data)

    api.on_submit, api.on_query = official_submit, by_task_id_only
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        done = await client.images.gpt_image_2_official.generate(
            prompt="a lighthouse", out_task_id="official-1", poll_interval=0.01
        )
        waited = await client.tasks.wait("official-1", task_id=done.task_id, poll_interval=0.01)
    assert done.status is TaskStatus.COMPLETED
    assert done.out_task_id == "official-1"
    assert done.task_id == "task_0001"
    assert done.urls == ["http://127.0.0.1/out.png"]
    assert waited.out_task_id == "official-1"
    assert {"task_id": "task_0001"} in api.queries


async def test_the_first_poll_follows_the_model_and_the_time_scale(
    client: AsyncAIReiter, testing_sleeps: None
) -> None:
    """Given the submitted Task, wait's first query waits for the model's typical duration
    (gpt_4o: 60 s in the spec) times the time scale, jitter upward only; given only an id, the
    first query goes out at once and its answer names the model."""
    task = await client.tasks.submit("gpt_4o", PROMPT)
    with time_scale(0.01):
        await client.tasks.wait(task, timeout=10)
        first = recorded_sleeps()[0]
        assert 0.6 <= first <= 0.66
        clear_recorded_sleeps()
        await client.tasks.wait(task.out_task_id, timeout=10)
        assert recorded_sleeps()[0] == 0.0


# -- one task, start to finish: the shared schedule, on_update, watch, download ---------------


def test_wait_and_the_tracker_compute_one_schedule() -> None:
    """The one-task schedule and the tracker's PollPolicy give the same delays for the same
    draws: first query, re-polls of pending and processing tasks, waits after errors."""
    policy = PollPolicy(duration_scale=1.0)
    for typical in (0.6, 45.0, 300.0):
        assert _poll_schedule.first_delay(typical, rng=random.Random(7)) == policy.first_delay(
            typical, rng=random.Random(7)
        )
        for polls in range(1, 8):
            for processing in (False, True):
                ours = _poll_schedule.next_delay(
                    typical, polls, processing=processing, rng=random.Random(polls)
                )
                theirs = policy.next_delay(
                    typical, polls, processing=processing, rng=random.Random(polls)
                )
                assert ours == theirs
    for failures in range(1, 10):
        assert _poll_schedule.error_delay(failures, rng=random.Random(3)) == policy.error_delay(
            failures, rng=random.Random(3)
        )


async def test_generate_of_a_typical_image_sends_one_or_two_queries(
    emulator_factory: EmulatorFactory,
) -> None:
    """A 60 s image (scaled by 0.01) costs generate() one or two queries, as in the tracker;
    the old fixed schedule (5 s, growing by 1.5x up to 20 s) sent about five."""
    with time_scale(0.01):
        emu = await emulator_factory(durations={"gpt_4o": 60.0})
        async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client:
            done = await client.images.gpt_4o.generate(prompt="a lighthouse", wait_timeout=30)
            fixed = await client.images.gpt_4o.generate(
                prompt="a lighthouse", wait_timeout=30, poll_interval=5.0, out_task_id="fixed-1"
            )
    assert done.status is TaskStatus.COMPLETED
    assert 1 <= emu.state.query_counts[done.out_task_id] <= 2
    assert fixed.status is TaskStatus.COMPLETED
    assert emu.state.query_counts["fixed-1"] >= 4


async def test_on_update_sees_each_new_status_once(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """on_update gets the submitted task, then each status change once (however many
    queries saw it), the completed task last; an async callback is awaited."""
    seen: list[TaskStatus] = []
    task = await client.tasks.submit("seedream_v4_5", PROMPT)
    done = await client.tasks.wait(
        task, poll_interval=0.005, timeout=10, on_update=lambda t: seen.append(t.status)
    )
    assert done.status is TaskStatus.COMPLETED
    assert seen[0] is TaskStatus.PENDING
    assert seen[-1] is TaskStatus.COMPLETED
    assert all(a is not b for a, b in itertools.pairwise(seen))
    assert set(seen) <= {TaskStatus.PENDING, TaskStatus.PROCESSING, TaskStatus.COMPLETED}
    assert emulator.state.query_counts[task.out_task_id] > len(seen) - 1  # repeats not reported

    awaited: list[str] = []

    async def record(update: Task) -> None:
        await asyncio.sleep(0)
        awaited.append(update.status.value)

    generated = await client.images.seedream_v4_5.generate(
        prompt="x", poll_interval=0.005, on_update=record
    )
    assert awaited[0] == "pending"
    assert awaited[-1] == "completed"
    assert generated.status is TaskStatus.COMPLETED


async def test_an_on_update_that_raises_ends_the_wait(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """An exception in on_update propagates out of wait and stops the polling; a callback
    that is not callable is a ParamError before any query."""
    task = await client.tasks.submit("gpt_4o", PROMPT)

    def boom(update: Task) -> None:
        raise RuntimeError(f"stop at {update.status.value}")

    with pytest.raises(RuntimeError, match="stop at pending"):
        await client.tasks.wait(task, poll_interval=0.005, on_update=boom)
    assert emulator.state.query_counts[task.out_task_id] == 0
    with pytest.raises(ParamError) as info:
        await client.tasks.wait(task, on_update="print")  # type: ignore[arg-type]
    assert info.value.field == "on_update"


async def test_watch_yields_each_status_change_until_the_end(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """watch() yields the given task, then each change, and ends after the terminal task: a
    failed task is yielded, not raised. By id alone, the first answer comes first."""
    task = await client.tasks.submit("seedream_v4_5", PROMPT)
    statuses = [t.status async for t in client.tasks.watch(task, poll_interval=0.005)]
    assert statuses[0] is TaskStatus.PENDING
    assert statuses[-1] is TaskStatus.COMPLETED
    assert all(a is not b for a, b in itertools.pairwise(statuses))

    failing = await client.tasks.submit("gpt_4o", {"prompt": "FAIL_ME"})
    seen = [t async for t in client.tasks.watch(failing.out_task_id, poll_interval=0.005)]
    assert seen[-1].status is TaskStatus.FAILED
    assert seen[-1].error

    with pytest.raises(TaskTimeoutError):
        async for _ in client.tasks.watch("never-1", task_id="task_x", timeout=0):
            pass


async def test_watch_stops_polling_when_the_loop_is_left(
    emulator_factory: EmulatorFactory,
) -> None:
    """Leaving the loop early closes the iterator: no query follows."""
    emu = await emulator_factory(default_duration_s=30)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client:
        task = await client.tasks.submit("gpt_4o", PROMPT)
        updates = client.tasks.watch(task.out_task_id, poll_interval=0.005)
        first = await updates.__anext__()
        assert first.status is TaskStatus.PENDING
        await updates.aclose()  # type: ignore[attr-defined]
        sent = emu.state.query_counts[task.out_task_id]
        await client.tasks.query(task.out_task_id)
    assert sent == 1
    assert emu.state.query_counts[task.out_task_id] == 2


async def test_download_writes_each_output_whole(
    client: AsyncAIReiter, emulator: RunningEmulator, tmp_path: Path
) -> None:
    """download() streams a completed task's outputs into the folder (created), named after
    the task, every byte there; by Task or by id; generate(download_dir=) does the same."""
    task = await client.tasks.submit("seedream_v4", {"prompt": "x", "output_n": "2"})
    done = await client.tasks.wait(task, poll_interval=0.005)
    paths = await client.tasks.download(done, tmp_path / "new")
    assert [p.name for p in paths] == [f"{done.out_task_id}_1.png", f"{done.out_task_id}_2.png"]
    size = emulator.state.config.output_bytes_image
    assert all(p.stat().st_size == size for p in paths)
    assert not list((tmp_path / "new").glob("*.part"))
    again = await client.tasks.download(done.out_task_id, tmp_path / "new")
    assert again == paths

    generated = await client.images.gpt_4o.generate(
        prompt="x", poll_interval=0.005, download_dir=tmp_path / "gen"
    )
    files = sorted((tmp_path / "gen").iterdir())
    assert [f.name for f in files] == [f"{generated.out_task_id}.png"]
    assert files[0].stat().st_size == size


async def test_download_refuses_what_has_no_outputs(
    client: AsyncAIReiter, emulator: RunningEmulator, tmp_path: Path
) -> None:
    """A pending task is a ParamError, a failed one a TaskFailedError, bad arguments
    ParamErrors: nothing is fetched, no folder made."""
    pending = await client.tasks.submit("gpt_4o", PROMPT)
    with pytest.raises(ParamError) as info:
        await client.tasks.download(pending, tmp_path / "out")
    assert info.value.field == "task"
    assert "pending" in str(info.value)
    failed = await client.tasks.wait(
        await client.tasks.submit("gpt_4o", {"prompt": "FAIL_ME"}),
        poll_interval=0.005,
        raise_on_failure=False,
    )
    with pytest.raises(TaskFailedError):
        await client.tasks.download(failed, tmp_path / "out")
    with pytest.raises(ParamError):
        await client.tasks.download(42, tmp_path)  # type: ignore[arg-type]
    with pytest.raises(ParamError):
        await client.tasks.download(failed, 3)  # type: ignore[arg-type]
    with pytest.raises(ParamError) as bad_dir:
        await client.images.gpt_4o.generate(prompt="x", download_dir=3)  # type: ignore[arg-type]
    assert bad_dir.value.field == "download_dir"
    assert not (tmp_path / "out").exists()


async def test_a_download_cut_short_leaves_no_file(tmp_path: Path, testing_sleeps: None) -> None:
    """An output host that announces 1000 bytes and sends 10 (every time): DownloadError after
    the retries, and no file under the final name (nor a .part)."""
    hits = 0

    async def short(request: web.Request) -> web.StreamResponse:
        nonlocal hits
        hits += 1
        response = web.StreamResponse(headers={"Content-Length": "1000"})
        await response.prepare(request)
        await response.write(b"0123456789")
        request.transport.close()  # type: ignore[union-attr]
        return response

    app = web.Application()
    app.router.add_get("/out.png", short)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    task = Task(
        out_task_id="cut-1",
        status=TaskStatus.COMPLETED,
        outputs=(TaskOutput(url=f"http://127.0.0.1:{port}/out.png"),),
    )
    try:
        async with AsyncAIReiter(api_key="k", base_url="http://127.0.0.1:9") as client:
            with pytest.raises(DownloadError) as info:
                await client.tasks.download(task, tmp_path)
    finally:
        await runner.cleanup()
    assert info.value.out_task_id == "cut-1"
    assert hits >= 2  # retried
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 - the server is down by now


def test_the_one_task_schedule_step_by_step() -> None:
    """TaskPollSchedule: at once with only an id; T after a fresh submit; a processing task
    re-polled at 10 % of T; pending at 50 %, growing by backoff; failed queries doubling from
    0.5 s; the model learnt from the first answer; poll_interval= fixes the waits."""
    gpt = _poll_schedule.DEFAULT_TYPICAL_DURATION_S  # gpt_4o's spec duration is 60 s too
    pending = Task(out_task_id="s-1", status=TaskStatus.PENDING, model="gpt_4o")
    running = Task(out_task_id="s-1", status=TaskStatus.PROCESSING, model="gpt_4o")
    veo = Task(out_task_id="s-2", status=TaskStatus.PENDING, model="veo3_1_plus")

    def schedule(**options: Any) -> TaskPollSchedule:
        values: dict[str, Any] = {
            "model": None,
            "poll_interval": None,
            "max_interval": 60.0,
            "backoff": 1.5,
            "rng": random.Random(5),
        }
        values.update(options)
        return TaskPollSchedule(**values)

    assert schedule().first(None) == 0.0
    assert gpt <= schedule(model="gpt_4o").first(pending) <= gpt * 1.1
    assert 0.9 * 6 <= schedule(model="gpt_4o").first(running) <= 1.1 * 6
    waits = schedule(model="gpt_4o")
    assert 0.9 * 30 <= waits.after(pending) <= 1.1 * 30
    assert 0.9 * 9 <= waits.after(running) <= 1.1 * 9  # 10 % of T x 1.5 (second re-poll)
    assert all(1.0 <= waits.after_failure() / d <= 1.1 for d in (0.5, 1.0, 2.0))
    assert waits.failures == 3
    waits.after(running)
    assert waits.failures == 0
    learnt = schedule()
    learnt.after(veo)
    assert learnt.typical_s == 150.0  # veo3_1's spec duration, read from the answer's model
    with time_scale(0.01):
        assert schedule(model="sora2").typical_s == pytest.approx(1.8)
        fixed = schedule(poll_interval=5.0, max_interval=20.0)
        assert [round(fixed.first(pending), 2), round(fixed.after(pending), 2)] == [
            pytest.approx(0.05, abs=0.01),
            pytest.approx(0.075, abs=0.01),
        ]
