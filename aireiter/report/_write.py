"""Writing the report: once (:func:`render_report`), or again and again while a run goes on
(:func:`live_report`).

A page is written to a temporary file beside ``out`` and renamed over it, so a browser
reloading it never reads half a page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol

from .._constants import DEFAULT_REPORT_REFRESH_S
from .._exceptions import ParamError
from ._data import ReportData, RunStats, from_records, read_source
from ._render import render_html

if TYPE_CHECKING:
    from ..tracker import Journal, ProgressSnapshot

__all__ = ["LiveRun", "live_report", "render_report", "render_report_async", "write_report"]

logger = logging.getLogger("aireiter.report")

REFRESH_COST_FACTOR: Final = 10  # a live page waits at least 10x its last write: <= 1/11 of the run


def write_report(
    data: ReportData,
    out: str | os.PathLike[str],
    *,
    title: str | None = None,
    refresh_s: float = DEFAULT_REPORT_REFRESH_S,
) -> Path:
    """Write the page for ``data`` to ``out`` (atomically: a reader sees the old page or the
    new one, never a part); returns the path written."""
    path = Path(out)
    if path.is_dir():
        raise ParamError.single("out", str(out), "is a directory", allowed="an .html file path")
    path.parent.mkdir(parents=True, exist_ok=True)
    page = render_html(data, out_dir=path.resolve().parent, title=title, refresh_s=refresh_s)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(page)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return path


async def render_report_async(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    jobs: str | os.PathLike[str] | None = None,
    title: str | None = None,
) -> Path:
    """:func:`render_report` for async code."""
    data = await read_source(source, jobs=jobs)
    return await asyncio.to_thread(write_report, data, out, title=title)


def render_report(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str] = "report.html",
    *,
    jobs: str | os.PathLike[str] | None = None,
    title: str | None = None,
) -> Path:
    """Write the HTML report of a job journal or a ``batch`` results JSONL to ``out``.

    ``source`` is read as a journal when it is an SQLite file, else as a results file;
    ``jobs`` (the ``batch`` jobs file) gives a results file its prompts. Returns the path
    written. From async code, ``await`` :func:`render_report_async` instead.
    """
    return asyncio.run(render_report_async(source, out, jobs=jobs, title=title))


class LiveRun(Protocol):
    """What :func:`live_report` reads from a running tracker (a :class:`~aireiter.TaskTracker`)."""

    @property
    def journal(self) -> Journal:
        """The run's journal."""

    def progress(self) -> ProgressSnapshot:
        """The run's counters now."""


def _stats(run: LiveRun) -> RunStats | None:
    try:
        snap = run.progress()
    except RuntimeError:  # not started
        return None
    return RunStats(queries_sent=snap.queries_sent)


async def _write_from(run: LiveRun, out: Path, *, live: bool, source: str) -> None:
    records = await run.journal.records()
    data = ReportData(
        jobs=from_records(records),
        source=source,
        source_kind="run",
        live=live,
        stats=_stats(run),
    )
    await asyncio.to_thread(write_report, data, out)


@contextlib.asynccontextmanager
async def live_report(
    out: str | os.PathLike[str] | None,
    run: LiveRun,
    *,
    source: str = "",
    every_s: float = DEFAULT_REPORT_REFRESH_S,
) -> AsyncIterator[None]:
    """While the block runs, rewrite the report ``out`` of ``run`` every ``every_s`` seconds
    (a page that reloads itself), or less often when a page takes long to make (never more
    than a tenth of the time: 10,000 jobs take about half a second); when the block ends,
    write the final page. ``out=None`` does nothing. A failure to write is logged, never
    raised: the run matters more than its page.
    """
    if out is None:
        yield
        return
    path = Path(out)
    label = source or str(getattr(run.journal, "path", "the run's journal"))

    async def refresh() -> None:
        while True:
            started = time.monotonic()
            try:
                await _write_from(run, path, live=True, source=label)
            except Exception as error:
                logger.warning("report %s: not written (%s)", path, error)
            took = time.monotonic() - started
            await asyncio.sleep(max(every_s, took * REFRESH_COST_FACTOR))

    task = asyncio.create_task(refresh(), name=f"aireiter-report:{path.name}")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.wait([task])  # (an outer cancellation still propagates)
        try:
            await _write_from(run, path, live=False, source=label)
        except Exception as error:
            logger.warning("report %s: final page not written (%s)", path, error)
