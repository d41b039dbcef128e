"""`aireiter batch --resume` with no journal that holds jobs never starts afresh.

A finished run removes its journal; ``sqlite3 JOURNAL "select ..."`` on that path then leaves
a 0-byte file. ``--resume`` must not take that for a journal and submit (and pay for) every
job again under a new salt: when ``--out`` already lists the batch's jobs it says so and
sends nothing; otherwise it is a usage error (exit 2) saying how to start a new run.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from aireiter.emulator import RunningEmulator

from .conftest import cli_env, run_cli

EXIT_FAILED = 1
EXIT_USAGE = 2


def _jobs(path: Path, prompts: list[str]) -> Path:
    path.write_text(
        "".join(json.dumps({"model": "gpt_4o", "prompt": prompt}) + "\n" for prompt in prompts)
    )
    return path


def _select_on(path: Path) -> None:
    """What the README's ``sqlite3 JOURNAL "select state, count(*) ..."`` does to a path
    that does not exist: a 0-byte file."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("SELECT name FROM sqlite_master").fetchall()
    finally:
        conn.close()


def _size(path: Path) -> int:
    return path.stat().st_size


def _text(path: Path) -> str:
    return path.read_text()


def _exists(path: Path) -> bool:
    return path.exists()


async def _finished_run(emulator: RunningEmulator, jobs: Path, out: Path, code: int = 0) -> str:
    first = await run_cli(
        "batch", str(jobs), "--out", str(out), "--poll-scale", "0.01", env=cli_env(emulator)
    )
    assert first.code == code, first.stderr
    assert not _exists(Path(str(out) + ".journal"))  # a finished run removes its journal
    return _text(out)


async def test_resume_on_the_empty_file_sqlite3_leaves_sends_nothing(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    """The reviewer's sequence: a finished run, `sqlite3` on its journal path, `--resume`.
    Nothing is sent again, the results file is unchanged, the 0-byte file stays 0 bytes."""
    jobs = _jobs(tmp_path / "jobs.jsonl", [f"cat {n}" for n in range(4)])
    out = tmp_path / "results.jsonl"
    results = await _finished_run(emulator, jobs, out)
    requests = sum(emulator.state.submit_requests.values())
    journal = Path(str(out) + ".journal")
    _select_on(journal)
    assert _size(journal) == 0
    again = await run_cli(
        "batch", str(jobs), "--out", str(out), "--resume", "--poll-scale", "0.01",
        env=cli_env(emulator),
    )  # fmt: skip
    assert again.code == 0, again.stderr
    assert "nothing to resume" in again.stderr
    assert "empty file (0 bytes)" in again.stderr
    assert "already lists all 4 jobs" in again.stderr
    assert sum(emulator.state.submit_requests.values()) == requests
    assert _text(out) == results
    assert _size(journal) == 0


async def test_resume_without_a_journal_reports_the_listed_jobs_statuses(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    """No journal at all, results listing every job, one of them failed: exit 1 as the
    finished run had, --json says what was found, nothing sent."""
    jobs = _jobs(tmp_path / "jobs.jsonl", ["cat", "FAIL_ME", "dog"])
    out = tmp_path / "results.jsonl"
    await _finished_run(emulator, jobs, out, code=EXIT_FAILED)
    requests = sum(emulator.state.submit_requests.values())
    again = await run_cli(
        "batch", str(jobs), "--out", str(out), "--resume", "--json", env=cli_env(emulator)
    )
    assert again.code == EXIT_FAILED, again.stderr
    body = again.json()
    assert body["already_in_results"] == 3
    assert body["submitted"] == 0
    assert body["by_status"] == {"completed": 2, "failed": 1}
    assert sum(emulator.state.submit_requests.values()) == requests


async def test_resume_with_jobs_missing_from_the_results_is_a_usage_error(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    """A line added after the run finished: without the journal nothing shows whether the
    unlisted job was sent, so nothing is sent; exit 2 says which are listed and what to do."""
    jobs = _jobs(tmp_path / "jobs.jsonl", ["cat", "dog"])
    out = tmp_path / "results.jsonl"
    results = await _finished_run(emulator, jobs, out)
    requests = sum(emulator.state.submit_requests.values())
    _jobs(jobs, ["cat", "dog", "owl"])
    again = await run_cli("batch", str(jobs), "--out", str(out), "--resume", env=cli_env(emulator))
    assert again.code == EXIT_USAGE
    assert "already lists 2 of the 3 jobs" in again.stderr
    assert "other 1" in again.stderr
    assert sum(emulator.state.submit_requests.values()) == requests
    assert _text(out) == results


async def test_resume_from_nothing_with_unrelated_results_says_how_to_start(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    """An empty journal, and results of another batch: exit 2, nothing sent, the message says
    there is nothing to resume and how to start a new run (delete the empty file, another
    --out); the empty file is not made into a journal."""
    other = _jobs(tmp_path / "other.jsonl", ["a fox"])
    jobs = _jobs(tmp_path / "jobs.jsonl", ["an owl", "a cat"])
    out = tmp_path / "results.jsonl"
    await _finished_run(emulator, other, out)
    requests = sum(emulator.state.submit_requests.values())
    journal = Path(str(out) + ".journal")
    _select_on(journal)
    again = await run_cli("batch", str(jobs), "--out", str(out), "--resume", env=cli_env(emulator))
    assert again.code == EXIT_USAGE
    assert "nothing to resume" in again.stderr
    assert "lists none of the 2 jobs" in again.stderr
    assert f"delete {journal}" in again.stderr
    assert "another --out" in again.stderr
    assert "without --resume" in again.stderr
    assert _size(journal) == 0
    assert sum(emulator.state.submit_requests.values()) == requests
    # Without --resume, the empty file is named as such (not "an earlier run's journal").
    fresh = await run_cli("batch", str(jobs), "--out", str(tmp_path / "new.jsonl"),
                          "--journal", str(journal), env=cli_env(emulator))  # fmt: skip
    assert fresh.code == EXIT_USAGE
    assert "empty file (0 bytes)" in fresh.stderr
    assert "delete it" in fresh.stderr
    assert sum(emulator.state.submit_requests.values()) == requests
