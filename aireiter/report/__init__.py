"""An HTML report of a batch: the outputs as a gallery, the timeline and the spend.

>>> from aireiter.report import render_report
>>> render_report("results.jsonl.journal", "report.html")  # doctest: +SKIP

One self-contained file (no network needed to view it): a gallery of every job (image
thumbnails, playable videos, each with its prompt, model, channel, credits and duration; failed
jobs with their error) filterable by model, status and prompt; a timeline of every job, grouped
by model; totals by status and model, credits estimated and used, throughput. Built from a job
journal (SQLite) or the results JSONL of ``aireiter batch``; ``aireiter report`` and
``aireiter batch --report`` write it from the command line.
"""

from ._data import Media, ReportData, ReportJob, RunStats, from_records, read_results, read_source
from ._render import json_for_script, render_html
from ._write import LiveRun, live_report, render_report, render_report_async, write_report

__all__ = [
    "LiveRun",
    "Media",
    "ReportData",
    "ReportJob",
    "RunStats",
    "from_records",
    "json_for_script",
    "live_report",
    "read_results",
    "read_source",
    "render_html",
    "render_report",
    "render_report_async",
    "write_report",
]
