"""A task answered ``completed`` with nothing to fetch is not a plain success: asking for its
files raises :class:`NoOutputsError` (naming the task, saying it may have been charged), and
waiting for it logs a warning. Null and empty URLs are dropped; when none is left it is the
same case.

Over real HTTP against a small scripted server on 127.0.0.1.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from aireiter import AsyncAIReiter, NoOutputsError, TaskFailedError, TaskStatus

from ._scripted_api import ScriptedAPI, envelope

PROMPT = {"prompt": "a lighthouse at dawn"}


def _files_in(directory: Path) -> list[Path]:
    """The entries of ``directory`` (none when it does not exist)."""
    return sorted(directory.iterdir()) if directory.exists() else []


NO_OUTPUTS: list[Any] = [[], [{"url": None}], [{"url": ""}, None], None]


def completed_with(api: ScriptedAPI, output: Any, **fields: Any) -> None:
    """Every query of a recorded task answers ``completed`` with ``output``."""

    async def done(body: dict[str, Any]) -> web.StreamResponse:
        data = {**api.tasks[body["out_task_id"]], "status": "completed", **fields}
        if output is not None:
            data["output"] = output
        return envelope(data)

    api.on_query = done


@pytest.mark.parametrize("output", NO_OUTPUTS)
async def test_download_of_a_completed_task_without_outputs_raises(
    output: Any, tmp_path: Path, testing_sleeps: None
) -> None:
    """tasks.download: NoOutputsError (a TaskFailedError) naming the task and the charge;
    nothing is written."""
    api = ScriptedAPI()
    completed_with(api, output, credits_used=40)
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        await client.tasks.submit("gpt_4o", PROMPT, out_task_id="empty-1")
        task = await client.tasks.query("empty-1")
        assert task.status is TaskStatus.COMPLETED
        assert task.urls == []
        with pytest.raises(NoOutputsError) as caught:
            await client.tasks.download(task, tmp_path / "files")
        with pytest.raises(NoOutputsError):
            await client.tasks.download("empty-1", tmp_path / "files")  # queried first
    error = caught.value
    assert isinstance(error, TaskFailedError)
    assert error.out_task_id == "empty-1"
    assert error.task is task
    assert "empty-1" in str(error)
    assert "Credits may have been charged" in str(error)
    assert "credits_used 40" in str(error)
    assert _files_in(tmp_path / "files") == []


async def test_null_urls_are_dropped_and_the_rest_downloaded(
    tmp_path: Path, testing_sleeps: None
) -> None:
    """A null URL next to a real one is left out; the real one is the task's only output."""
    files_app = web.Application()

    async def png(request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG-bytes", content_type="image/png")

    files_app.router.add_get("/one.png", png)
    runner = web.AppRunner(files_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/one.png"
    api = ScriptedAPI()
    completed_with(api, [{"url": None}, {"url": url}, {"url": ""}])
    try:
        async with (
            api.serve() as base_url,
            AsyncAIReiter(api_key="k", base_url=base_url) as client,
        ):
            task = await client.images.gpt_4o.generate(
                prompt="x", wait_timeout=30, download_dir=tmp_path
            )
    finally:
        await runner.cleanup()
    assert task.urls == [url]
    assert (tmp_path / f"{task.out_task_id}.png").read_bytes() == b"\x89PNG-bytes"


@pytest.mark.parametrize("output", NO_OUTPUTS)
async def test_generate_with_download_dir_raises_without_outputs(
    output: Any, tmp_path: Path, testing_sleeps: None
) -> None:
    """generate(download_dir=...) asked for files: NoOutputsError, naming the model too."""
    api = ScriptedAPI()
    completed_with(api, output)
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        with pytest.raises(NoOutputsError) as caught:
            await client.images.gpt_4o.generate(prompt="x", wait_timeout=30, download_dir=tmp_path)
    assert caught.value.task.status is TaskStatus.COMPLETED
    assert "(gpt_4o)" in str(caught.value)
    assert _files_in(tmp_path) == []


async def test_generate_without_download_returns_the_task_and_warns(
    caplog: pytest.LogCaptureFixture, testing_sleeps: None
) -> None:
    """No files asked for: the completed task is returned, with a warning naming it."""
    api = ScriptedAPI()
    completed_with(api, [])
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        with caplog.at_level(logging.WARNING, logger="aireiter"):
            task = await client.images.gpt_4o.generate(prompt="x", wait_timeout=30)
    assert task.status is TaskStatus.COMPLETED
    assert task.urls == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert task.out_task_id in message
    assert "without any output" in message
    assert "credits may have been charged" in message


async def test_a_completed_task_with_outputs_does_not_warn(
    caplog: pytest.LogCaptureFixture, testing_sleeps: None
) -> None:
    """The warning is for the empty case only."""
    api = ScriptedAPI()
    completed_with(api, ["http://127.0.0.1:9/a.png"])
    async with api.serve() as base_url, AsyncAIReiter(api_key="k", base_url=base_url) as client:
        with caplog.at_level(logging.WARNING, logger="aireiter"):
            task = await client.images.gpt_4o.generate(prompt="x", wait_timeout=30)
    assert task.urls == ["http://127.0.0.1:9/a.png"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
