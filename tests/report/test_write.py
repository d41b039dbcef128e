"""Writing reports (aireiter/report/_write.py): atomic pages, the sync entry point, and the
page kept fresh while a run goes on."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from aireiter import ParamError
from aireiter.report import ReportData, live_report, render_report, write_report
from aireiter.tracker import JobRecord, JobState, MemoryJournal, SQLiteJournal

DEADLINE_S = 10.0


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


async def _until(path: Path, text: str, what: str) -> str:
    """Poll ``path`` until it contains ``text``, failing by name after DEADLINE_S."""
    deadline = time.monotonic() + DEADLINE_S
    while text not in (page := _read(path)):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)
    return page


class _Run:
    """What a tracker offers the live report: its journal and its counters."""

    def __init__(self) -> None:
        self.journal = MemoryJournal()

    def progress(self) -> SimpleNamespace:
        """The counters the report reads (a ProgressSnapshot has them and more)."""
        return SimpleNamespace(queries_sent=7)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_report_replaces_the_page_whole_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    """The page is written beside itself and renamed over the old one: the folder holds the
    page alone; a folder given as the page is a ParamError."""
    out = tmp_path / "new" / "report.html"
    data = ReportData(jobs=(), source="s", source_kind="results")
    write_report(data, out)
    first = out.stat().st_ino
    write_report(data, out, title="again")
    assert "<title>again</title>" in _read(out)
    assert out.stat().st_ino != first  # a new file renamed over, not rewritten in place
    assert _names(out.parent) == ["report.html"]
    with pytest.raises(ParamError) as error:
        write_report(data, tmp_path)
    assert error.value.field == "out"


def test_render_report_from_a_journal_file(tmp_path: Path) -> None:
    """``render_report(journal, out)`` works from plain (non-async) code."""

    async def make() -> None:
        async with SQLiteJournal(tmp_path / "run.journal") as journal:
            await journal.add(
                [JobRecord(out_task_id="j1", model="gpt_4o", params={"prompt": "an owl"})]
            )

    asyncio.run(make())
    path = render_report(tmp_path / "run.journal", tmp_path / "r.html")
    assert path == tmp_path / "r.html"
    page = _read(path)
    assert '"j1"' in page
    assert '"an owl"' in page


async def test_live_report_rewrites_the_page_while_the_run_goes_on(tmp_path: Path) -> None:
    """Inside the block the page is rewritten every few moments (marked live, with the run's
    query count); at the end the final page is written, no longer live."""
    run, out = _Run(), tmp_path / "report.html"
    async with live_report(out, run, source="jobs.jsonl", every_s=0.01):
        await _until(out, 'id="live"', "the first live page")
        await run.journal.add([JobRecord(out_task_id="late-job", model="gpt_4o", params={})])
        page = await _until(out, "late-job", "a page with the job added later")
        assert 'id="live"' in page
        assert "<b>7.00</b><span>queries per job</span>" in page
    final = _read(out)
    assert "late-job" in final
    assert 'id="live"' not in final


async def test_live_report_without_a_path_does_nothing(tmp_path: Path) -> None:
    """``out=None`` (no --report) writes nothing."""
    async with live_report(None, _Run()):
        pass
    assert _names(tmp_path) == []


async def test_a_page_that_cannot_be_written_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A report path that cannot be written (a folder) never stops the run: a warning."""
    run = _Run()
    await run.journal.add(
        [JobRecord(out_task_id="x", model="gpt_4o", params={}, state=JobState.COMPLETED)]
    )
    with caplog.at_level(logging.WARNING, logger="aireiter.report"):
        async with live_report(tmp_path, run, every_s=0.01):
            pass
    assert any("final page not written" in r.getMessage() for r in caplog.records)
