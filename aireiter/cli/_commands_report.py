"""``aireiter report JOURNAL_OR_RESULTS [--out report.html] [--open]``: a batch as a web page.

The page (see :mod:`aireiter.report`) is one self-contained HTML file: the outputs as a
gallery, the timeline and the spend. It is built from a job journal (every job, finished or
not, prompts included) or from the results JSONL of ``aireiter batch`` (finished jobs; pass
``--jobs JOBS.jsonl`` for their prompts). ``aireiter batch --report FILE`` writes the same
page at the end of a run and every few seconds while it goes on (:func:`batch_report`).
"""

from __future__ import annotations

import argparse
import asyncio
import webbrowser
from collections import Counter
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from ._app import EXIT_OK, run_async
from ._output import Output

if TYPE_CHECKING:
    from ..report import LiveRun

__all__ = ["batch_report", "run_report"]


def batch_report(args: argparse.Namespace, run: LiveRun) -> AbstractAsyncContextManager[None]:
    """For ``batch``: rewrite ``--report`` while the block runs, and at its end (a no-op
    without ``--report``)."""
    from ..report import live_report

    report = getattr(args, "report", None)
    return live_report(report, run, source=str(getattr(args, "jobs", "") or ""))


async def _run(args: argparse.Namespace, out: Output) -> int:
    from ..report import read_source, write_report

    data = await read_source(args.source, jobs=args.jobs)
    path = await asyncio.to_thread(write_report, data, args.out, title=args.title)
    counts = Counter(job.status for job in data.jobs)
    if out.json_mode:
        out.json(
            {
                "report": str(path),
                "source": str(args.source),
                "source_kind": data.source_kind,
                "jobs": len(data.jobs),
                "by_status": dict(sorted(counts.items())),
                "bytes": path.stat().st_size,
            }
        )
    else:
        shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        out.info(f"report of {len(data.jobs)} jobs ({shown or 'none'}) written to {path}")
    if args.open:
        webbrowser.open(path.resolve().as_uri())
    return EXIT_OK


def run_report(args: argparse.Namespace, out: Output) -> int:
    """``aireiter report SOURCE [--out FILE] [--jobs JOBS.jsonl] [--title T] [--open]``."""
    args.out = Path(args.out)
    return run_async(_run(args, out))
