"""`aireiter image|video` and `aireiter status` exit statuses for outcomes that are not plain
successes: a task completed without any output (exit 1, nothing written) and a status the SDK
does not know (exit 1, as the README says). The CLI runs as a subprocess against a small
scripted server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.resources._scripted_api import ScriptedAPI, envelope

from .conftest import cli_env, run_cli


def _completed_with(api: ScriptedAPI, output: list[Any]) -> None:
    async def done(body: dict[str, Any]) -> web.StreamResponse:
        task = api.tasks[body["out_task_id"]]
        return envelope({**task, "status": "completed", "output": output, "credits_used": 5})

    api.on_query = done


@pytest.mark.parametrize("output", [[], [{"url": None}]])
@pytest.mark.parametrize("download", [True, False])
async def test_image_completed_without_outputs_exits_1(
    output: list[Any], download: bool, tmp_path: Path
) -> None:
    """Completed with nothing to fetch: exit 1, an error naming the task and the possible
    charge, no file; with or without --no-download (there is nothing to show either way)."""
    api = ScriptedAPI()
    _completed_with(api, output)
    files = tmp_path / "img"
    args = ["--poll-interval", "0.05", "--out-task-id", "empty-cli-1"]
    args += ["--out", str(files)] if download else ["--no-download"]
    async with api.serve() as base_url:
        env = cli_env(AIREITER_BASE_URL=base_url, AIREITER_API_KEY="k")
        result = await run_cli("image", "gpt_4o", "-p", "cat", *args, env=env)
    assert result.code == 1, (result.stdout, result.stderr)
    assert "NoOutputsError" in result.stderr
    assert "empty-cli-1" in result.stderr
    assert "Credits may have been charged" in result.stderr
    assert not files.exists() or list(files.iterdir()) == []
    assert api.submits["empty-cli-1"] == 1


async def test_image_without_outputs_in_json_mode_exits_1(tmp_path: Path) -> None:
    """--json: the task is the stdout document, the error a JSON object on stderr."""
    api = ScriptedAPI()
    _completed_with(api, [])
    async with api.serve() as base_url:
        env = cli_env(AIREITER_BASE_URL=base_url, AIREITER_API_KEY="k")
        result = await run_cli(
            "--json", "image", "gpt_4o", "-p", "cat", "--poll-interval", "0.05",
            "--out", str(tmp_path), env=env,
        )  # fmt: skip
    assert result.code == 1
    assert result.json()["status"] == "completed"
    assert result.json()["urls"] == []
    assert '"type": "NoOutputsError"' in result.stderr


@pytest.mark.parametrize(("status", "code"), [("cancelled", 1), ("failed", 1), ("pending", 0)])
async def test_status_exits_1_when_failed_or_unknown(status: str, code: int) -> None:
    """`aireiter status`: a status the SDK does not know (``cancelled``) exits 1 like a failed
    one; a known unfinished one exits 0."""
    api = ScriptedAPI()

    async def answer(body: dict[str, Any]) -> web.StreamResponse:
        return envelope({"out_task_id": body["out_task_id"], "status": status})

    api.on_query = answer
    async with api.serve() as base_url:
        env = cli_env(AIREITER_BASE_URL=base_url, AIREITER_API_KEY="k")
        result = await run_cli("status", "abc", env=env)
    assert result.code == code, (result.stdout, result.stderr)
    expected = "unknown" if status == "cancelled" else status
    assert expected in result.stdout
