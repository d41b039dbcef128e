"""The tracker and answers that are not about the job asked about, or have nothing to fetch.

- a query answered about another task is polled through (never the job's result, never a
  failure of the job, never the end of the run);
- a submit answered with another task's id is confirmed under the job's own id;
- ``handle.download`` of a job completed without outputs raises :class:`NoOutputsError`.

Over real HTTP against a small scripted server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from aireiter import AsyncAIReiter, NoOutputsError, TaskStatus
from aireiter._confirm import ConfirmPolicy
from aireiter.tracker import JobState, PollPolicy, TaskTracker
from tests.resources._scripted_api import ScriptedAPI, envelope

POLICY = PollPolicy(fixed_duration_s=0.05, error_delay_s=0.02)
CONFIRM = ConfirmPolicy(min_window_s=0.3, in_flight_factor=1.0, queries=3)
MINE_URL = "http://127.0.0.1:9/mine.png"


def _files_in(directory: Path) -> list[Path]:
    """The entries of ``directory`` (none when it does not exist)."""
    return sorted(directory.iterdir()) if directory.exists() else []


OTHER = {
    "task_id": "task_other",
    "out_task_id": "other-task",
    "status": "completed",
    "output": [{"url": "http://127.0.0.1:9/someone-elses.png"}],
}


async def test_a_query_about_another_task_is_polled_through() -> None:
    """The first two answers name another task (completed, with its URL): the job neither
    takes them nor fails nor stops the run; it completes with its own answer."""
    api = ScriptedAPI()
    strays = {"t-1": 2, "t-2": 2}

    async def stray_then_own(body: dict[str, Any]) -> web.StreamResponse:
        oid = body["out_task_id"]
        if strays.get(oid, 0) > 0:
            strays[oid] -= 1
            return envelope(OTHER)
        task = api.tasks[oid]
        return envelope({**task, "status": "completed", "output": [f"{MINE_URL}?{oid}"]})

    api.on_query = stray_then_own
    async with (
        api.serve() as base_url,
        AsyncAIReiter(api_key="k", base_url=base_url, max_retries=0) as client,
        TaskTracker(client, poll_policy=POLICY) as tracker,
    ):
        handles = [
            await tracker.submit("gpt_4o", {"prompt": "x"}, out_task_id=oid)
            for oid in ("t-1", "t-2")
        ]
        tasks = await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), 30)
        records = {r.out_task_id: r for r in await tracker.journal.records()}
    for task, oid in zip(tasks, ("t-1", "t-2"), strict=True):
        assert task.out_task_id == oid
        assert task.status is TaskStatus.COMPLETED
        assert task.urls == [f"{MINE_URL}?{oid}"]
        assert records[oid].state is JobState.COMPLETED
        assert records[oid].output_urls == (f"{MINE_URL}?{oid}",)
    assert strays == {"t-1": 0, "t-2": 0}  # the stray answers did come, and were passed over
    assert api.submits == {"t-1": 1, "t-2": 1}


async def test_a_submit_answered_with_another_tasks_id_is_confirmed_under_the_jobs_id() -> None:
    """The submit answer names another task: the tracker treats it as an unreadable answer,
    confirms under the job's own id, adopts the task it finds, and sends it once."""
    api = ScriptedAPI()

    async def misnamed(body: dict[str, Any]) -> web.StreamResponse:
        return envelope({**api.record(body), "out_task_id": "someone-else"})

    async def own(body: dict[str, Any]) -> web.StreamResponse:
        task = api.tasks.get(body["out_task_id"])
        if task is None:
            return await api.default_query(body)
        return envelope({**task, "status": "completed", "output": [MINE_URL]})

    api.on_submit, api.on_query = misnamed, own
    async with (
        api.serve() as base_url,
        AsyncAIReiter(api_key="k", base_url=base_url, max_retries=0) as client,
        TaskTracker(client, poll_policy=POLICY, confirm=CONFIRM) as tracker,
    ):
        handle = await tracker.submit("gpt_4o", {"prompt": "x"}, out_task_id="s-1")
        task = await asyncio.wait_for(handle.result(), 30)
    assert task.out_task_id == "s-1"
    assert task.urls == [MINE_URL]
    assert api.submits["s-1"] == 1
    assert "someone-else" not in api.submits
    assert all(q.get("out_task_id") == "s-1" for q in api.queries)


async def test_handle_download_of_a_job_without_outputs_raises(tmp_path: Path) -> None:
    """The job completed with an empty output list: its result is the completed task, and
    asking for its files raises NoOutputsError naming it."""
    api = ScriptedAPI()

    async def empty(body: dict[str, Any]) -> web.StreamResponse:
        task = api.tasks[body["out_task_id"]]
        return envelope({**task, "status": "completed", "output": [{"url": None}]})

    api.on_query = empty
    async with (
        api.serve() as base_url,
        AsyncAIReiter(api_key="k", base_url=base_url, max_retries=0) as client,
        TaskTracker(client, poll_policy=POLICY) as tracker,
    ):
        handle = await tracker.submit("gpt_4o", {"prompt": "x"}, out_task_id="e-1")
        task = await asyncio.wait_for(handle.result(), 30)
        assert task.status is TaskStatus.COMPLETED
        with pytest.raises(NoOutputsError, match="e-1") as caught:
            await handle.download(tmp_path)
    assert caught.value.out_task_id == "e-1"
    assert _files_in(tmp_path) == []
    assert handle.downloaded == ()
