"""A tracker asked to download: a job completed without any output URL is a failed download
(logged with :class:`NoOutputsError`), not a job whose files are on disk.

Over real HTTP against the scripted server of ``tests/resources``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from aireiter import AsyncAIReiter, TaskStatus
from aireiter.tracker import PollPolicy
from tests.resources._scripted_api import ScriptedAPI
from tests.resources.test_no_outputs import completed_with


async def test_a_completed_job_without_outputs_is_logged_as_a_failed_download(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The job completes (the journal says so), nothing is written, and the download
    failure names the job and NoOutputsError."""
    api = ScriptedAPI()
    completed_with(api, [])
    caplog.set_level(logging.WARNING, logger="aireiter")
    async with (
        api.serve() as base_url,
        AsyncAIReiter(api_key="k", base_url=base_url) as client,
        client.tracker(
            download_dir=tmp_path / "files",
            poll_policy=PollPolicy(fixed_duration_s=0.01),
            submit_rate=None,
            query_rate=None,
        ) as tracker,
    ):
        handle = await tracker.submit("gpt_4o", {"prompt": "a lighthouse"}, out_task_id="nil-1")
        tasks = await tracker.gather()
    assert [t.status for t in tasks] == [TaskStatus.COMPLETED]
    assert handle.downloaded == ()
    assert not (tmp_path / "files").exists() or not any((tmp_path / "files").iterdir())
    failures = [r for r in caplog.records if "download of nil-1 failed" in r.getMessage()]
    assert failures, [r.getMessage() for r in caplog.records]
    assert "NoOutputsError" in failures[0].getMessage()
