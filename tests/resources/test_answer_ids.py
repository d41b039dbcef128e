"""An answer is about the task the SDK asked about: the id sent or asked for is the task's, an
answer naming another task is an error (never that task's state or outputs), and the model
the SDK submitted to stays on the task when a query answer names none.

Every test runs over real HTTP against a small scripted server on 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from aireiter import (
    APIResponseValidationError,
    AsyncAIReiter,
    TaskFailedError,
    TaskStatus,
    TaskTimeoutError,
)
from aireiter._converter import other_task_in, structure_task
from aireiter._transport._redact import redact

from ._scripted_api import ScriptedAPI, envelope

PROMPT = {"prompt": "a lighthouse at dawn"}
OTHER_URL = "http://127.0.0.1:9/someone-elses.png"
MINE_URL = "http://127.0.0.1:9/mine.png"


def answer(data: Any, request_id: str = "req-7") -> web.Response:
    """The success envelope with a request id header."""
    body = {"statusCode": 200, "message": "", "data": data}
    return web.json_response(body, headers={"X-Request-Id": request_id})


def other_task(**fields: Any) -> dict[str, Any]:
    """A completed task that is not the one asked about."""
    return {
        "task_id": "task_other",
        "out_task_id": "other-task",
        "status": "completed",
        "output": [{"url": OTHER_URL}],
        **fields,
    }


async def test_a_query_answered_about_another_task_raises_naming_both_ids() -> None:
    """query("abc") answered with out_task_id "other-task": a typed error with both ids, the
    HTTP status and the request id; not a Task named "other-task" with its URLs."""
    api = ScriptedAPI()

    async def elsewhere(body: dict[str, Any]) -> web.StreamResponse:
        return answer(other_task())

    api.on_query = elsewhere
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        with pytest.raises(APIResponseValidationError) as caught:
            await client.tasks.query("abc")
    error = caught.value
    assert type(error) is APIResponseValidationError
    assert "'other-task'" in str(error)
    assert "'abc'" in str(error)
    assert error.status_code == 200
    assert error.request_id == "req-7"
    assert error.out_task_id == "abc"
    assert error.content_type == "application/json"
    assert "other-task" in error.body_preview


async def test_an_answer_without_an_echo_or_with_the_same_id_is_accepted() -> None:
    """No echoed id, an empty one, or the asked one (as a number too) is this task's answer."""
    api = ScriptedAPI()
    echoes: list[Any] = [None, "", "abc"]

    async def echo(body: dict[str, Any]) -> web.StreamResponse:
        data: dict[str, Any] = {"status": "completed", "output": [{"url": MINE_URL}]}
        value = echoes.pop(0)
        if value is not None:
            data["out_task_id"] = value
        return answer(data)

    api.on_query = echo
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        for _ in range(3):
            task = await client.tasks.query("abc")
            assert task.out_task_id == "abc"
            assert task.urls == [MINE_URL]
    numeric = structure_task({"out_task_id": 12, "status": "pending"}, out_task_id="12")
    assert other_task_in(numeric, out_task_id="12") is None


async def test_a_query_by_task_id_answered_about_another_task_raises() -> None:
    """Asked by system task_id, an answer naming another task_id is refused too."""
    api = ScriptedAPI()

    async def elsewhere(body: dict[str, Any]) -> web.StreamResponse:
        return answer(other_task())

    api.on_query = elsewhere
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        with pytest.raises(APIResponseValidationError, match="task_other") as caught:
            await client.tasks.query(task_id="task_mine")
    assert "'task_mine'" in str(caught.value)
    assert api.queries == [{"task_id": "task_mine"}]


async def test_the_id_sent_stays_the_tasks_when_the_submit_answer_names_another(
    testing_sleeps: None,
) -> None:
    """A submit answered with another task's id is an unreadable answer: the SDK queries the
    id it sent (never the echoed one), finds its own task and returns it under that id."""
    api = ScriptedAPI()

    async def misnamed(body: dict[str, Any]) -> web.StreamResponse:
        data = api.record(body)
        return answer({**data, "out_task_id": "someone-else"})

    api.on_submit = misnamed
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        task = await client.tasks.submit("gpt_4o", PROMPT, out_task_id="mine-1")
    assert task.out_task_id == "mine-1"
    assert task.status is TaskStatus.PENDING
    assert api.submits["mine-1"] == 1  # found by the confirm query: not sent again
    assert api.queries
    assert all(q == {"out_task_id": "mine-1"} for q in api.queries)


async def test_a_submit_answer_naming_another_task_is_raised_unconfirmed_with_no_retries() -> None:
    """With max_retries=0 (the tracker's way) the error is raised at once: both ids named,
    the outcome unknown, the id sent kept on the error."""
    api = ScriptedAPI()

    async def misnamed(body: dict[str, Any]) -> web.StreamResponse:
        return answer({**api.record(body), "out_task_id": "someone-else"})

    api.on_submit = misnamed
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        with pytest.raises(APIResponseValidationError) as caught:
            await client.tasks.submit("gpt_4o", PROMPT, out_task_id="mine-1", max_retries=0)
    text = str(caught.value)
    assert "'someone-else'" in text
    assert "'mine-1'" in text
    assert "may exist" in text  # the outcome-unknown note
    assert caught.value.out_task_id == "mine-1"
    assert api.queries == []


async def test_wait_polls_through_an_answer_about_another_task(testing_sleeps: None) -> None:
    """wait() never takes another task's completion for its own: that answer is polled
    through, and the task's own answer (its own URL) is what it returns."""
    api = ScriptedAPI()
    answers = [other_task(), {"out_task_id": "mine-2", "status": "processing"}]

    async def mixed(body: dict[str, Any]) -> web.StreamResponse:
        if answers:
            return answer(answers.pop(0))
        return answer({"out_task_id": "mine-2", "status": "completed", "output": [MINE_URL]})

    api.on_query = mixed
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        task = await client.tasks.wait("mine-2", timeout=30, poll_interval=0.01)
    assert task.out_task_id == "mine-2"
    assert task.urls == [MINE_URL]
    assert len(api.queries) == 3


async def test_a_wait_that_only_sees_another_task_times_out_naming_the_mismatch() -> None:
    """Only answers about another task: the wait ends at its deadline, its last error the
    mismatch; no completed task is returned."""
    api = ScriptedAPI()

    async def elsewhere(body: dict[str, Any]) -> web.StreamResponse:
        return answer(other_task())

    api.on_query = elsewhere
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        with pytest.raises(TaskTimeoutError) as caught:
            await client.tasks.wait("mine-3", timeout=0.5, poll_interval=0.05)
    assert isinstance(caught.value.last_error, APIResponseValidationError)
    assert "other-task" in str(caught.value.last_error)
    assert caught.value.task is None


async def test_an_echoed_id_holding_the_key_is_redacted_in_the_error() -> None:
    """What the error quotes from the answer goes through the redactor, as every error's."""
    api = ScriptedAPI()
    key = "sk-live-VERYSECRET0123456789abcdef"

    async def leaky(body: dict[str, Any]) -> web.StreamResponse:
        return answer(other_task(out_task_id=f"key {key}"), request_id=key)

    api.on_query = leaky
    async with api.serve() as base_url, AsyncAIReiter(api_key=key, base_url=base_url) as client:
        with pytest.raises(APIResponseValidationError) as caught:
            await client.tasks.query("abc")
    error = caught.value
    assert redact(key) != key
    assert key not in str(error)
    assert key not in error.body_preview
    assert key not in (error.request_id or "")


def _without_model(task: dict[str, Any]) -> dict[str, Any]:
    """A query answer as the API may give it: no top-level model, no input echo."""
    return {k: v for k, v in task.items() if k not in ("model", "input")}


async def test_wait_and_generate_keep_the_submitted_model(testing_sleeps: None) -> None:
    """Query answers with no model: the task that wait() and generate() return still names
    the model submitted to."""
    api = ScriptedAPI()

    async def done(body: dict[str, Any]) -> web.StreamResponse:
        task = api.tasks[body["out_task_id"]]
        return envelope(_without_model({**task, "status": "completed", "output": [MINE_URL]}))

    api.on_query = done
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        submitted = await client.tasks.submit("gpt_4o", PROMPT, out_task_id="m-1")
        waited = await client.tasks.wait(submitted, timeout=30)
        generated = await client.images.gpt_4o.generate(prompt="x", wait_timeout=30)
        by_name = await client.images.generate("gpt_4o", prompt="y", wait_timeout=30)
    assert waited.model == "gpt_4o"
    assert generated.model == "gpt_4o"
    assert by_name.model == "gpt_4o"
    assert waited.urls == [MINE_URL]


async def test_a_failed_task_error_names_the_submitted_model(testing_sleeps: None) -> None:
    """TaskFailedError from generate() names the model, not "unknown model"."""
    api = ScriptedAPI()

    async def failed(body: dict[str, Any]) -> web.StreamResponse:
        task = api.tasks[body["out_task_id"]]
        return envelope(_without_model({**task, "status": "failed", "error": "nsfw"}))

    api.on_query = failed
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        with pytest.raises(TaskFailedError) as caught:
            await client.images.gpt_4o.generate(prompt="x", wait_timeout=30)
    assert "(gpt_4o)" in str(caught.value)
    assert "unknown model" not in str(caught.value)
    assert caught.value.task.model == "gpt_4o"


async def test_the_answers_model_wins_when_it_names_one(testing_sleeps: None) -> None:
    """A query answer that names a model is taken as it is (the known model only fills a
    gap); a wait on an id alone learns the model from the first answer that names it."""
    api = ScriptedAPI()
    answers = [
        {"out_task_id": "m-2", "status": "processing", "model": "gpt_4o_plus"},
        {"out_task_id": "m-2", "status": "completed", "output": [MINE_URL]},
    ]

    async def scripted(body: dict[str, Any]) -> web.StreamResponse:
        return envelope(answers.pop(0))

    api.on_query = scripted
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        task = await client.tasks.wait("m-2", timeout=30, poll_interval=0.01)
    assert task.model == "gpt_4o_plus"
