"""A query answer that names no top-level ``model``: the tracker's task and its errors keep
the model the job was submitted with.

Over real HTTP against the scripted server of ``tests/resources``.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from aireiter import AsyncAIReiter, TaskFailedError
from aireiter.tracker import PollPolicy
from tests.resources._scripted_api import ScriptedAPI, envelope


async def test_the_submitted_model_is_kept_when_answers_name_none() -> None:
    """The completed task says ``gpt_4o``; the failed one's error names it too."""
    api = ScriptedAPI()

    async def finish(body: dict[str, Any]) -> web.StreamResponse:
        oid = body["out_task_id"]
        data = {k: v for k, v in api.tasks[oid].items() if k != "input"}  # no model anywhere
        data.update(status="completed", output=[{"url": "http://x/a.png"}])
        if oid.startswith("bad"):
            data.update(status="failed", error="blocked", output=[])
        return envelope(data)

    api.on_query = finish
    async with (
        api.serve() as base_url,
        AsyncAIReiter(api_key="k", base_url=base_url) as client,
        client.tracker(
            poll_policy=PollPolicy(fixed_duration_s=0.01), submit_rate=None, query_rate=None
        ) as tracker,
    ):
        good = await tracker.submit("gpt_4o", {"prompt": "a lighthouse"}, out_task_id="ok-1")
        bad = await tracker.submit("gpt_4o", {"prompt": "a lighthouse"}, out_task_id="bad-1")
        await tracker.wait()
    task = await good.result()
    assert task.model == "gpt_4o"
    with pytest.raises(TaskFailedError) as caught:
        await bad.result()
    assert "gpt_4o" in str(caught.value)
    assert "unknown model" not in str(caught.value)
