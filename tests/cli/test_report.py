"""`aireiter report` and `aireiter batch --report` through the real entry point."""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from aireiter.emulator import ManualClock

from ..conftest import EmulatorFactory
from .conftest import cli_env, run_cli, start_cli

WAIT_DEADLINE_S = 20.0


def _jobs(path: Path, prompts: list[str], model: str = "gpt_4o") -> Path:
    path.write_text("".join(json.dumps({"model": model, "prompt": p}) + "\n" for p in prompts))
    return path


def _data(page: Path) -> dict[str, Any]:
    """The JSON block of a report page."""
    text = page.read_text(encoding="utf-8")
    start = text.index('id="report-data">') + len('id="report-data">')
    value: dict[str, Any] = json.loads(text[start : text.index("</script>", start)])
    return value


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


async def _until_text(path: Path, text: str, what: str) -> None:
    deadline = time.monotonic() + WAIT_DEADLINE_S
    while text not in _text(path):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_report_from_a_results_file_takes_prompts_from_the_jobs_file(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """After a batch, `aireiter report results.jsonl --jobs jobs.jsonl --json` writes a page
    with every job and its prompt, and says what it wrote."""
    emulator = await emulator_factory(time_scale=0.01)
    jobs = _jobs(tmp_path / "jobs.jsonl", ["an owl", "a fox FAIL_ME", "a crane"])
    out = tmp_path / "results.jsonl"
    env = cli_env(emulator)
    batch = await run_cli("batch", str(jobs), "--out", str(out), "--poll-scale", "0.01", env=env)
    assert batch.code == 1, batch.stderr  # the FAIL_ME job failed
    page = tmp_path / "pages" / "r.html"
    result = await run_cli(
        "report", str(out), "--jobs", str(jobs), "--out", str(page), "--json", env=env
    )
    assert result.code == 0, result.stderr
    summary = result.json()
    assert summary["report"] == str(page)
    assert (summary["source_kind"], summary["jobs"]) == ("results", 3)
    assert summary["by_status"] == {"completed": 2, "failed": 1}
    assert summary["bytes"] == page.stat().st_size
    data = _data(page)
    assert sorted(row[3] for row in data["jobs"]) == ["a crane", "a fox FAIL_ME", "an owl"]


async def test_report_from_a_kept_journal(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """A journal kept with --journal makes a report of every job, prompts included, and the
    command says how many jobs by status on stderr."""
    emulator = await emulator_factory(time_scale=0.01)
    jobs = _jobs(tmp_path / "jobs.jsonl", ["an owl", "a fox"])
    journal = tmp_path / "run.journal"
    env = cli_env(emulator)
    batch = await run_cli(
        "batch", str(jobs), "--out", str(tmp_path / "r.jsonl"), "--journal", str(journal),
        "--poll-scale", "0.01", env=env,
    )  # fmt: skip
    assert batch.code == 0, batch.stderr
    result = await run_cli("report", str(journal), "--out", str(tmp_path / "j.html"), env=env)
    assert result.code == 0, result.stderr
    assert "report of 2 jobs (2 completed) written to" in result.stderr
    data = _data(tmp_path / "j.html")
    assert sorted(row[3] for row in data["jobs"]) == ["a fox", "an owl"]


async def test_report_of_a_missing_or_foreign_file_is_a_usage_error(tmp_path: Path) -> None:
    """A source that does not exist, or is no journal or results file, exits 2 naming it."""
    missing = await run_cli("report", str(tmp_path / "nope.jsonl"), env=cli_env())
    assert missing.code == 2
    assert "nope.jsonl" in missing.stderr
    notes = tmp_path / "notes.txt"
    notes.write_text("not json\n")
    foreign = await run_cli("report", str(notes), "--out", str(tmp_path / "x.html"), env=cli_env())
    assert foreign.code == 2
    assert "neither a job journal nor" in foreign.stderr
    assert not (tmp_path / "x.html").exists()


async def test_report_open_hands_the_page_to_the_web_browser(tmp_path: Path) -> None:
    """--open opens the written page's file:// URL with the user's browser ($BROWSER)."""
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps({"out_task_id": "a", "model": "gpt_4o", "status": "failed"}))
    opened = tmp_path / "opened.txt"
    recorder = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])"
    browser = shlex.join([sys.executable, "-c", recorder, str(opened)]) + " %s"
    result = await run_cli(
        "report", str(results), "--out", str(tmp_path / "r.html"), "--open",
        env=cli_env(BROWSER=browser),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert _text(opened) == (tmp_path / "r.html").resolve().as_uri()


async def test_batch_report_is_live_during_the_run_and_final_at_its_end(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    """`batch --report` writes the page while jobs are still running (marked live, reloading
    itself) and, once the run ends, the final page with every job completed."""
    clock = ManualClock()
    emulator = await emulator_factory(clock=clock)
    jobs = _jobs(tmp_path / "jobs.jsonl", [f"owl {n}" for n in range(4)])
    page = tmp_path / "report.html"
    proc = await start_cli(
        "batch", str(jobs), "--out", str(tmp_path / "r.jsonl"), "--report", str(page),
        "--poll-scale", "0.01", env=cli_env(emulator),
    )  # fmt: skip
    await _until_text(page, 'id="live"', "the live page")
    deadline = time.monotonic() + WAIT_DEADLINE_S
    while len(emulator.state.submit_counts) < 4:
        assert time.monotonic() < deadline, "timed out waiting for the submits"
        await asyncio.sleep(0.02)
    clock.advance(10_000)  # every task is done
    _, stderr = await asyncio.wait_for(proc.communicate(), WAIT_DEADLINE_S)
    assert proc.returncode == 0, stderr.decode()
    data = _data(page)
    assert data["live"] is False
    assert 'id="live"' not in _text(page)
    assert data["statuses"] == ["completed"]
    assert sorted(row[3] for row in data["jobs"]) == [f"owl {n}" for n in range(4)]
