"""`aireiter batch` when the API answers every job ``completed`` with no output URL.

With ``--download`` there is no file to put on disk: the run exits 1 (not 0, and not 5: a
resume would fetch nothing), the summary counts the jobs as completed without outputs, each
job still gets its results line (``urls`` and ``files`` empty) and the journal is removed.
Without ``--download`` the jobs are counted the same way and the exit status stays 0.

The CLI runs in a subprocess against a scripted server on 127.0.0.1 run by the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..resources._scripted_api import ScriptedAPI
from ..resources.test_no_outputs import completed_with
from .conftest import CLIResult, cli_env, run_cli

JOBS = 3
SUMMARY_ROW = "completed without outputs"
POLL_SCALE = "0.01"


def _jobs(path: Path) -> Path:
    path.write_text(
        "".join(json.dumps({"model": "gpt_4o", "prompt": f"cat {n}"}) + "\n" for n in range(JOBS))
    )
    return path


def _results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _journal_kept(out: Path) -> bool:
    """True when the default journal of ``--out`` is still on disk."""
    return Path(str(out) + ".journal").exists()


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.iterdir()) if directory.exists() else []


async def _batch(tmp_path: Path, *extra: str) -> tuple[CLIResult, ScriptedAPI, Path]:
    """Run the batch of :data:`JOBS` jobs against a server answering each query ``completed``
    with ``output: []``; the result, the server and the results file."""
    jobs = _jobs(tmp_path / "jobs.jsonl")
    out = tmp_path / "results.jsonl"
    api = ScriptedAPI()
    completed_with(api, [], credits_used=10)
    async with api.serve() as base_url:
        env = cli_env(AIREITER_BASE_URL=base_url, AIREITER_API_KEY="sk-test")
        result = await run_cli(
            "batch", str(jobs), "--out", str(out), "--skip-preflight",
            "--poll-scale", POLL_SCALE, *extra, env=env,
        )  # fmt: skip
    return result, api, out


def _check_results(out: Path, api: ScriptedAPI) -> None:
    records = _results(out)
    assert len(records) == JOBS
    assert sorted(int(r["line"]) for r in records) == list(range(1, JOBS + 1))
    assert all(r["status"] == "completed" for r in records)
    assert all(r["urls"] == [] for r in records)
    assert sorted(r["out_task_id"] for r in records) == sorted(api.submits)
    assert all(count == 1 for count in api.submits.values())


async def test_with_download_no_outputs_fails_the_run_and_removes_the_journal(
    tmp_path: Path,
) -> None:
    files = tmp_path / "files"
    result, api, out = await _batch(tmp_path, "--download", str(files))
    assert result.code == 1, result.stdout + result.stderr
    text = result.stdout + result.stderr
    assert f"{SUMMARY_ROW}" in text
    assert f"{JOBS} (may have been charged)" in text
    assert "files missing" not in text  # a resume has nothing to fetch: not offered
    _check_results(out, api)
    assert all("files" not in r for r in _results(out))  # nothing was put on disk
    assert not _journal_kept(out)
    assert _entries(files) == []


async def test_with_download_the_json_summary_counts_no_outputs(tmp_path: Path) -> None:
    files = tmp_path / "files"
    result, api, out = await _batch(tmp_path, "--download", str(files), "--json")
    assert result.code == 1, result.stderr
    summary = json.loads(result.stdout)
    assert summary["no_outputs"] == JOBS
    assert summary["by_status"] == {"completed": JOBS}
    assert summary["files_missing"] == 0
    assert summary["exit_code"] == 1
    assert summary["journal"] is None
    _check_results(out, api)
    assert not _journal_kept(out)


async def test_without_download_no_outputs_are_counted_and_the_run_succeeds(
    tmp_path: Path,
) -> None:
    result, api, out = await _batch(tmp_path)
    assert result.code == 0, result.stdout + result.stderr
    text = result.stdout + result.stderr
    assert SUMMARY_ROW in text
    assert f"{JOBS} (may have been charged)" in text
    _check_results(out, api)
    assert not _journal_kept(out)
