"""`aireiter batch` against a wrong base URL: a host that redirects every request (an
http:// URL of an https:// host) or answers 404 everywhere.

With ``--skip-preflight`` the run stops at the first submits (exit 3), keeps its journal and
fails no job; ``--resume`` against the right host then sends each job once. Without it, the
pre-flight says the base URL looks wrong (and where the host pointed), not "try again later".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aireiter.emulator import RunningEmulator
from tests._servers import WRONG_HOST_REDIRECT, wrong_host_server

from .conftest import cli_env, run_cli

EXIT_ABORTED = 3
REDIRECT_TO = WRONG_HOST_REDIRECT


def _jobs(path: Path, count: int) -> Path:
    path.write_text(
        "".join(json.dumps({"model": "gpt_4o", "prompt": f"cat {n}"}) + "\n" for n in range(count))
    )
    return path


def _is_file(path: Path) -> bool:
    return path.is_file()


def _results(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("mode", ["301", "404"])
async def test_a_wrong_host_stops_the_run_keeps_the_journal_and_resume_sends_each_once(
    mode: str, emulator: RunningEmulator, tmp_path: Path
) -> None:
    jobs = _jobs(tmp_path / "jobs.jsonl", 3)
    out = tmp_path / "results.jsonl"
    journal = Path(str(out) + ".journal")
    async with wrong_host_server(mode) as (base_url, asked):
        env = cli_env(AIREITER_BASE_URL=base_url, AIREITER_API_KEY="sk-test")
        first = await run_cli(
            "batch", str(jobs), "--out", str(out), "--skip-preflight", "--poll-scale", "0.01",
            env=env,
        )  # fmt: skip
    assert first.code == EXIT_ABORTED, first.stderr
    assert "base URL" in first.stderr
    assert "--resume" in first.stderr
    assert _is_file(journal)
    assert all(r["status"] != "failed" for r in _results(out))
    assert set(asked) == {"/api/openapi/submit"}
    resumed = await run_cli(
        "batch", str(jobs), "--out", str(out), "--resume", "--poll-scale", "0.01",
        env=cli_env(emulator),
    )  # fmt: skip
    assert resumed.code == 0, resumed.stderr
    results = _results(out)
    assert sorted(str(r["status"]) for r in results) == ["completed"] * 3
    assert len({r["out_task_id"] for r in results}) == 3
    recorded = emulator.state.submits_recorded
    assert sorted(recorded) == sorted(str(r["out_task_id"]) for r in results)
    assert all(count == 1 for count in recorded.values())
    assert not _is_file(journal)


@pytest.mark.parametrize("mode", ["301", "404"])
async def test_the_preflight_says_the_base_url_looks_wrong(mode: str, tmp_path: Path) -> None:
    jobs = _jobs(tmp_path / "jobs.jsonl", 2)
    out = tmp_path / "results.jsonl"
    async with wrong_host_server(mode) as (base_url, asked):
        env = cli_env(AIREITER_BASE_URL=base_url, AIREITER_API_KEY="sk-test")
        result = await run_cli("batch", str(jobs), "--out", str(out), env=env)
    assert result.code == EXIT_ABORTED, result.stderr
    assert "looks wrong" in result.stderr
    assert "--base-url" in result.stderr
    assert "try again later" not in result.stderr
    if mode == "301":
        assert f"{REDIRECT_TO}/api/openapi/balance" in result.stderr
    assert set(asked) == {"/api/openapi/balance"}  # nothing submitted
