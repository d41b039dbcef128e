"""What a report shows, read from a journal or a results file into plain values.

Two sources, one shape (:class:`ReportData` holding :class:`ReportJob` values):

- a job journal (:class:`~aireiter.tracker.SQLiteJournal` file): read with ``open``,
  ``records()``, ``close`` (no claim is taken, so a run working on it is not disturbed); it has
  every job, finished or not, with its params (the prompt), credits, files and times;
- the results JSONL of ``aireiter batch --out``: one line per finished job, without the
  prompt (pass the jobs file, ``jobs=``, to take each prompt from the line it came from).

Times. From a journal, a job's bar runs from its first submit (``submitted_at``; a journal of
an older aireiter: the moment it was written down) through the first answer that showed it
``processing`` (``processing_at``, when one did) to its last change (its end, for a finished
job); from a results file, from the API's ``created_at`` (accepted) to its ``completed_at``.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from .._exceptions import ParamError

if TYPE_CHECKING:
    from ..tracker import JobRecord

__all__ = [
    "MAX_PROMPT_CHARS",
    "Media",
    "ReportData",
    "ReportJob",
    "RunStats",
    "SourceKind",
    "from_records",
    "prompts_by_line",
    "read_journal",
    "read_results",
    "read_source",
]

MAX_PROMPT_CHARS: Final = 2000  # a longer prompt is cut (with an ellipsis) in the page
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
TERMINAL_STATUSES: Final = frozenset({"completed", "failed", "cancelled", "conflict"})
VIDEO_SUFFIXES: Final = frozenset({".mp4", ".webm", ".mov", ".m4v", ".mkv"})
IMAGE_SUFFIXES: Final = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif", ".bmp"})

SourceKind = Literal["journal", "results", "run"]
MediaKind = Literal["image", "video"]

JOURNAL_TIMES: Final = (
    "Each bar runs from the job's first submit (or, in a journal of an older aireiter, the "
    "moment it was written down) to its last change (its end, for a finished job). No answer "
    "showed a job processing (each was found finished by its first query), so queueing and "
    "processing are one bar."
)
RESULTS_TIMES: Final = (
    "Each bar runs from the API's created_at (the task accepted) to its completed_at. The "
    "results file does not record when a job was first seen processing, so queueing and "
    "processing are one bar."
)
PROCESSING_TIMES: Final = (
    "Each bar runs from the submit to the end; its lighter part is the wait before the job "
    "was first seen processing."
)


@attrs.frozen(kw_only=True)
class Media:
    """One output of a job: where the page loads it from, and what it is.

    ``url`` is the output URL the API gave (``None`` when it was not ``http(s)``: such a
    value is never put in a page); ``path`` the downloaded file, if any (the page prefers it
    and falls back to ``url``).
    """

    kind: MediaKind
    url: str | None = None
    path: str | None = None


@attrs.frozen(kw_only=True)
class ReportJob:
    """One job as the report shows it. Times are Unix seconds (``None`` when unknown)."""

    out_task_id: str
    model: str
    status: str
    prompt: str | None = None
    error: str | None = None
    estimated_credits: float | None = None
    credits_used: float | None = None
    submitted_at: float | None = None
    processing_at: float | None = None
    finished_at: float | None = None
    media: tuple[Media, ...] = ()
    submit_attempts: int | None = None

    @property
    def is_finished(self) -> bool:
        """True for a job in a final status (completed, failed, cancelled, conflict)."""
        return self.status in TERMINAL_STATUSES

    @property
    def duration_s(self) -> float | None:
        """Seconds from ``submitted_at`` to ``finished_at`` (``None`` unless both known)."""
        if self.submitted_at is None or self.finished_at is None:
            return None
        return max(0.0, self.finished_at - self.submitted_at)


@attrs.frozen(kw_only=True)
class RunStats:
    """Counters of a live run that no journal keeps."""

    queries_sent: int
    """Status queries sent by this run (a resumed run counts its own only)."""


@attrs.frozen(kw_only=True)
class ReportData:
    """Everything one report page shows."""

    jobs: tuple[ReportJob, ...]
    source: str
    """What the report was built from (a path), shown on the page."""
    source_kind: SourceKind
    generated_at: float = attrs.field(factory=time.time)
    live: bool = False
    """The run is still going: the page reloads itself to follow it."""
    stats: RunStats | None = None
    skipped_lines: int = 0
    """Lines of a results file that could not be read (a crash cuts the last one short)."""

    @property
    def times_note(self) -> str:
        """What the timeline's bars mean for this source (shown under the chart)."""
        if any(job.processing_at is not None for job in self.jobs):
            return PROCESSING_TIMES
        return RESULTS_TIMES if self.source_kind == "results" else JOURNAL_TIMES


# --- small readers ---------------------------------------------------------------------------
def _number(value: object) -> float | None:
    if type(value) is float:  # the common case, first
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_PROMPT_CHARS else text[: MAX_PROMPT_CHARS - 1] + "…"


def _prompt(params: object) -> str | None:
    """The prompt of a job's params (``prompt``, else ``text``), as text."""
    if not isinstance(params, Mapping):
        return None
    for key in ("prompt", "text"):
        if params.get(key) is not None:
            return _text(params[key])
    return None


def _timestamp(value: object) -> float | None:
    """Unix seconds from an ISO-8601 string or a number (``None`` when unreadable)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return _number(value)
    number = _number(value)
    return number if number else None


@functools.lru_cache(maxsize=256)
def _model_kind(model: str) -> MediaKind | None:
    from .._spec import resolve_model

    spec, _channel = resolve_model(model)
    if spec is None:
        return None
    return "video" if spec.kind == "video" else "image"


def _media_kind(location: str, fallback: MediaKind | None) -> MediaKind:
    suffix = os.path.splitext(location.split("?", 1)[0].split("#", 1)[0])[1].lower()
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    return fallback or "image"


def _safe_url(url: object) -> str | None:
    """``url`` if it is an ``http(s)`` URL, else ``None`` (a ``javascript:`` or ``data:``
    value from an odd answer never reaches the page)."""
    if not isinstance(url, str):
        return None
    return url if url.lower().startswith(("http://", "https://")) else None


def _locate(path: str, bases: Sequence[Path]) -> str:
    """``path`` made absolute: as it is if absolute, else against the first of ``bases``
    where it exists (the first base if none)."""
    candidate = Path(path)
    if candidate.is_absolute():
        return str(candidate)
    for base in bases:
        if (base / candidate).exists():
            return str((base / candidate).resolve())
    return str((bases[0] / candidate).resolve())


def _media(
    model: str, urls: Sequence[object], files: Sequence[object], bases: Sequence[Path]
) -> tuple[Media, ...]:
    if not urls and not files:
        return ()
    url_list = list(urls)
    fallback = _model_kind(model)
    file_list = [str(f) for f in files if isinstance(f, (str, os.PathLike))]
    found: list[Media] = []
    for index in range(max(len(url_list), len(file_list))):
        url = _safe_url(url_list[index]) if index < len(url_list) else None
        path = _locate(file_list[index], bases) if index < len(file_list) else None
        location = path or url
        if location is None:
            continue
        found.append(Media(kind=_media_kind(location, fallback), url=url, path=path))
    return tuple(found)


# --- journals --------------------------------------------------------------------------------
def from_records(
    records: Iterable[JobRecord], *, files_base: Path | None = None
) -> tuple[ReportJob, ...]:
    """Report jobs from journal records (relative file paths are taken against
    ``files_base``, default the working directory)."""
    bases = [files_base or Path.cwd()]
    jobs: list[ReportJob] = []
    for record in records:
        status = record.state.value
        finished = status in TERMINAL_STATUSES
        jobs.append(
            ReportJob(
                out_task_id=record.out_task_id,
                model=record.model,
                status=status,
                prompt=_prompt(record.params),
                error=_text(record.error),
                estimated_credits=_number(record.estimated_credits),
                credits_used=_number(record.credits_used),
                submitted_at=(
                    _number(getattr(record, "submitted_at", None)) or _number(record.created_at)
                )
                or None,
                processing_at=_number(getattr(record, "processing_at", None)) or None,
                finished_at=(_number(record.updated_at) or None) if finished else None,
                media=_media(record.model, record.output_urls, record.downloaded, bases),
                submit_attempts=record.submit_attempts,
            )
        )
    return tuple(jobs)


def _check_journal(path: Path) -> None:
    """Refuse an SQLite file that is not a job journal (opening it as one would add a table)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'jobs'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise ParamError.single(
            "source", str(path), f"cannot be read as a journal ({error})"
        ) from None
    if not row[0]:
        raise ParamError.single(
            "source", str(path), "is an SQLite file without a jobs table, not a job journal"
        )


async def read_journal(path: str | os.PathLike[str]) -> ReportData:
    """Every job of the journal file at ``path`` (no claim taken, nothing changed)."""
    from ..tracker import SQLiteJournal

    source = Path(path)
    _check_journal(source)
    journal = SQLiteJournal(source)
    await journal.open()
    try:
        records = await journal.records()
    finally:
        await journal.close()
    jobs = from_records(records, files_base=Path.cwd())
    return ReportData(jobs=jobs, source=str(source), source_kind="journal")


# --- results files ---------------------------------------------------------------------------
def prompts_by_line(jobs_file: str | os.PathLike[str]) -> dict[int, str]:
    """The prompt of each line of a ``batch`` jobs file, by line number (lines without one,
    comments and unreadable lines are left out)."""
    prompts: dict[int, str] = {}
    try:
        text = Path(jobs_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ParamError.single("jobs", str(jobs_file), f"cannot be read ({error})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            job = json.loads(stripped)
        except ValueError:
            continue
        if isinstance(job, dict):
            prompt = _prompt(job.get("params", job))
            if prompt is not None:
                prompts[number] = prompt
    return prompts


def _result_job(
    row: Mapping[str, Any], prompts: Mapping[int, str], bases: Sequence[Path]
) -> ReportJob:
    model = str(row.get("model") or "unknown")
    line = row.get("line")
    prompt = _prompt(row.get("params")) or _text(row.get("prompt"))
    if prompt is None and isinstance(line, int):
        prompt = prompts.get(line)
    urls = row.get("urls") if isinstance(row.get("urls"), list) else []
    files = row.get("files") if isinstance(row.get("files"), list) else []
    return ReportJob(
        out_task_id=str(row["out_task_id"]),
        model=model,
        status=str(row.get("status") or "unknown"),
        prompt=prompt,
        error=_text(row.get("error")),
        estimated_credits=_number(row.get("estimated_credits")),
        credits_used=_number(row.get("credits_used")),
        submitted_at=_timestamp(row.get("created_at")),
        processing_at=_timestamp(row.get("processing_at")),
        finished_at=_timestamp(row.get("completed_at")),
        media=_media(model, urls or [], files or [], bases),
    )


def read_results(
    path: str | os.PathLike[str], *, jobs: str | os.PathLike[str] | None = None
) -> ReportData:
    """Every job of a ``batch`` results JSONL; ``jobs`` (the jobs file) supplies prompts.

    A line that is not a JSON object with an ``out_task_id`` is skipped and counted; a job
    written twice (by a resumed run) is shown once, as last written.
    """
    source = Path(path)
    prompts = prompts_by_line(jobs) if jobs is not None else {}
    bases = [Path.cwd(), source.resolve().parent]
    found: dict[str, ReportJob] = {}
    skipped = 0
    with source.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                skipped += 1
                continue
            if not isinstance(row, dict) or not isinstance(row.get("out_task_id"), str):
                skipped += 1
                continue
            job = _result_job(row, prompts, bases)
            found.pop(job.out_task_id, None)
            found[job.out_task_id] = job
    if not found and skipped:
        raise ParamError.single(
            "source", str(source), "is neither a job journal nor a batch results JSONL"
        )
    return ReportData(
        jobs=tuple(found.values()), source=str(source), source_kind="results", skipped_lines=skipped
    )


def _is_sqlite(path: Path) -> bool:
    """True for an SQLite file; :class:`ParamError` when ``path`` is no readable file."""
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError as error:
        raise ParamError.single(
            "source",
            str(path),
            f"cannot be read ({error.strerror or error})",
            allowed="a job journal or a batch results JSONL",
        ) from None


async def read_source(
    source: str | os.PathLike[str], *, jobs: str | os.PathLike[str] | None = None
) -> ReportData:
    """Read a journal (an SQLite file) or a results JSONL, whichever ``source`` is."""
    path = Path(source)
    if _is_sqlite(path):
        if jobs is not None:
            raise ParamError.single(
                "jobs", str(jobs), "is only used with a results file (a journal has the prompts)"
            )
        return await read_journal(path)
    return read_results(path, jobs=jobs)
