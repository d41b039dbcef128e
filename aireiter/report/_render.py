"""One self-contained HTML page from a :class:`~aireiter.report.ReportData`.

The page needs no network: its CSS and script are inline (``page.css``, ``page.js`` beside
this module), no font, library or CDN is fetched. Media are never embedded: thumbnails point
at the downloaded files (relative to the page, so a folder moved whole keeps working) or at
the output URLs, and load lazily.

Escaping, the one rule: nothing from a prompt, an error or any server answer is written as
markup. The totals are written here with :func:`html.escape`; the jobs travel as one JSON
block (``<script type="application/json">``, with ``<``, ``>``, ``&``, U+2028 and U+2029
written as ``\\u`` escapes, so no text can close the block) that the script turns into the
gallery and the timeline with ``textContent`` only. A Content-Security-Policy lets only the
page's own script (by nonce) run, as a second line of defence.
"""

from __future__ import annotations

import html
import json
import os
import secrets
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any, Final
from urllib.parse import quote

from .._constants import DEFAULT_REPORT_REFRESH_S
from ._data import Media, ReportData, ReportJob

__all__ = ["json_for_script", "render_html"]

_JSON_ESCAPES: Final = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
_STATUS_ORDER: Final = (
    "completed",
    "failed",
    "processing",
    "pending",
    "in_doubt",
    "submitting",
    "queued",
    "cancelled",
    "conflict",
)
_CSP: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-$nonce'; "
    "img-src 'self' http: https: file: data: blob:; media-src 'self' http: https: file: blob:"
)


def json_for_script(value: Any) -> str:
    """``value`` as JSON that is safe inside an HTML ``<script>`` element: no ``<``, ``>``
    or ``&`` (so no ``</script>`` or ``<!--``), no U+2028/U+2029 (line ends to old JS)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_JSON_ESCAPES)


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _media_src(media: Media, out_dir: Path) -> tuple[str | None, str | None]:
    """Where the page loads ``media`` from first, and where it falls back to."""
    if media.path is None:
        return media.url, None
    try:
        relative = os.path.relpath(media.path, out_dir)
    except ValueError:  # another drive (Windows): only an absolute file URL reaches it
        local = Path(media.path).as_uri()
    else:
        local = quote(relative.replace(os.sep, "/"))
    return local, media.url


def _rounded(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(value, places)


def _payload(data: ReportData, out_dir: Path, refresh_s: float) -> dict[str, Any]:
    """The jobs as compact arrays (model and status by index, times relative to ``t0``)."""
    jobs = data.jobs
    starts = [j.submitted_at for j in jobs if j.submitted_at is not None]
    t0 = min(starts) if starts else data.generated_at
    models = sorted({job.model for job in jobs})
    statuses = sorted({job.status for job in jobs}, key=_status_key)
    model_index = {name: i for i, name in enumerate(models)}
    status_index = {name: i for i, name in enumerate(statuses)}

    def rel(t: float | None) -> float | None:
        return None if t is None else round(t - t0, 3)

    rows: list[list[Any]] = []
    for job in jobs:
        media: list[list[Any]] = []
        for item in job.media:
            src, fallback = _media_src(item, out_dir)
            media.append([1 if item.kind == "video" else 0, src, fallback])
        rows.append(
            [
                job.out_task_id,
                model_index[job.model],
                status_index[job.status],
                job.prompt,
                job.error,
                _rounded(job.estimated_credits, 4),
                _rounded(job.credits_used, 4),
                rel(job.submitted_at),
                rel(job.processing_at),
                rel(job.finished_at),
                media,
            ]
        )
    return {
        "now": rel(data.generated_at),
        "models": [[name, *_channel(name)] for name in models],
        "statuses": statuses,
        "jobs": rows,
        "live": data.live,
        "refresh_s": refresh_s,
    }


def _status_key(status: str) -> tuple[int, str]:
    order = _STATUS_ORDER.index(status) if status in _STATUS_ORDER else len(_STATUS_ORDER)
    return order, status


def _channel(model: str) -> tuple[str, str]:
    """The base model and channel of a model name (``sora2_plus`` -> ``sora2``, ``plus``)."""
    from .._spec import resolve_model

    spec, channel = resolve_model(model)
    return (spec.id if spec is not None else model), (channel or "default")


# --- totals (static HTML) --------------------------------------------------------------------
def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.4g}{unit}" if abs(value) < 1e4 else f"{value:,.0f}{unit}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.1f} min"


def _quantile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def _sum(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _stat(label: str, value: str, note: str = "") -> str:
    hint = f'<span class="note">{_e(note)}</span>' if note else ""
    return f'<div class="stat"><b>{_e(value)}</b><span>{_e(label)}</span>{hint}</div>'


def _summary(data: ReportData) -> str:
    jobs = data.jobs
    total = len(jobs)
    by_status = Counter(job.status for job in jobs)
    finished = [j for j in jobs if j.is_finished and j.finished_at is not None]
    starts = [j.submitted_at for j in jobs if j.submitted_at is not None]
    span = (
        max(j.finished_at for j in finished if j.finished_at is not None) - min(starts)
        if finished and starts
        else None
    )
    per_min = len(finished) / span * 60 if span else None
    used = _sum(j.credits_used for j in jobs)
    estimated = _sum(j.estimated_credits for j in jobs)
    stats = data.stats
    if stats is not None and total:
        queries = _stat("queries per job", f"{stats.queries_sent / total:.2f}", "sent by this run")
    else:
        queries = _stat("queries per job", "–", "not recorded in a journal or results file")
    attempts = [j.submit_attempts for j in jobs if j.submit_attempts]
    cells = [
        _stat("jobs", f"{total:,}"),
        *(_stat(status, f"{by_status[status]:,}") for status in sorted(by_status, key=_status_key)),
        _stat("credits used", _num(used)),
        _stat("credits estimated", _num(estimated), "the API's estimates of accepted jobs"),
        _stat("throughput", _num(per_min, " jobs/min"), "finished jobs, first submit to last end"),
        queries,
    ]
    if attempts:
        cells.append(_stat("submits per job", f"{sum(attempts) / len(attempts):.2f}"))
    return "".join(cells)


def _by_model_table(jobs: Sequence[ReportJob]) -> str:
    groups: dict[str, list[ReportJob]] = defaultdict(list)
    for job in jobs:
        groups[job.model].append(job)
    rows = []
    for model in sorted(groups):
        items = groups[model]
        count = Counter(job.status for job in items)
        base, channel = _channel(model)
        durations = sorted(
            d for j in items if j.status == "completed" and (d := j.duration_s) is not None
        )
        unfinished = sum(1 for j in items if not j.is_finished)
        cells = [
            f'<td class="model">{_e(model)}</td>',
            f"<td>{_e(channel)}</td>",
            f"<td>{len(items):,}</td>",
            f"<td>{count['completed']:,}</td>",
            f'<td class="{"bad" if count["failed"] else ""}">{count["failed"]:,}</td>',
            f"<td>{unfinished:,}</td>",
            f"<td>{_e(_num(_sum(j.estimated_credits for j in items)))}</td>",
            f"<td>{_e(_num(_sum(j.credits_used for j in items)))}</td>",
            f"<td>{_e(_seconds(_quantile(durations, 0.5)))}</td>",
            f"<td>{_e(_seconds(_quantile(durations, 0.9)))}</td>",
        ]
        rows.append(f'<tr data-base="{_e(base)}">{"".join(cells)}</tr>')
    head = "".join(
        f"<th>{name}</th>"
        for name in (
            "model",
            "channel",
            "jobs",
            "completed",
            "failed",
            "unfinished",
            "credits est.",
            "credits used",
            "median time",
            "p90 time",
        )
    )
    body = "".join(rows)
    return f'<table id="by-model"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_html(
    data: ReportData,
    *,
    out_dir: str | os.PathLike[str] = ".",
    title: str | None = None,
    refresh_s: float = DEFAULT_REPORT_REFRESH_S,
) -> str:
    """The report page for ``data``. Downloaded files are linked relative to ``out_dir``
    (the folder the page is written to); ``refresh_s`` is how often a live page reloads."""
    nonce = secrets.token_urlsafe(16)
    generated = datetime.fromtimestamp(data.generated_at, timezone.utc)
    heading = title or f"aireiter report: {Path(data.source).name}"
    live = (
        f'<span class="live" id="live">live: refreshed every {refresh_s:g} s '
        '<label><input type="checkbox" id="live-pause"> pause</label></span>'
        if data.live
        else ""
    )
    skipped = (
        f'<p class="warn">{data.skipped_lines} unreadable line(s) of the results file skipped.</p>'
        if data.skipped_lines
        else ""
    )
    page = Template(_asset("page.html"))
    return page.substitute(
        csp=_e(Template(_CSP).substitute(nonce=nonce)),
        nonce=_e(nonce),
        title=_e(heading),
        source=_e(data.source),
        source_kind=_e(data.source_kind),
        generated=_e(generated.strftime("%Y-%m-%d %H:%M:%S UTC")),
        live=live,
        skipped=skipped,
        summary=_summary(data),
        by_model=_by_model_table(data.jobs),
        times_note=_e(data.times_note),
        css=_asset("page.css"),
        script=_asset("page.js"),
        data=json_for_script(_payload(data, Path(out_dir), refresh_s)),
    )
