"""Reading a report's jobs from a journal or a results JSONL (aireiter/report/_data.py)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from aireiter import ParamError
from aireiter.report import read_results, read_source
from aireiter.report._data import JOURNAL_TIMES, PROCESSING_TIMES, RESULTS_TIMES, ReportData
from aireiter.tracker import JobRecord, JobState, SQLiteJournal


def _record(oid: str, **fields: Any) -> JobRecord:
    fields.setdefault("model", "seedream_v4_5")
    fields.setdefault("params", {"prompt": f"prompt of {oid}"})
    return JobRecord(out_task_id=oid, **fields)


async def _journal(path: Path, *records: JobRecord) -> Path:
    async with SQLiteJournal(path) as journal:
        await journal.add(list(records))
    return path


def _lines(path: Path, *rows: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


async def test_a_journal_gives_every_job_with_prompt_outputs_and_times(tmp_path: Path) -> None:
    """Each record becomes a job: the prompt from its params, output kinds from the file
    names (else the model), the downloaded file before the URL, an end time only once final."""
    picture = tmp_path / "files" / "a-0.png"
    picture.parent.mkdir()
    picture.write_bytes(b"png")
    path = await _journal(
        tmp_path / "run.journal",
        _record(
            "a",
            state=JobState.COMPLETED,
            output_urls=["https://cdn.test/a/0.png"],
            downloaded=[str(picture)],
            estimated_credits=10,
            credits_used=9.5,
            submit_attempts=1,
            created_at=1000.0,
            updated_at=1012.5,
        ),
        _record(
            "v",
            model="sora2_plus",
            state=JobState.COMPLETED,
            output_urls=["https://cdn.test/v/out"],  # no extension: the model says video
            created_at=1000.0,
            updated_at=1100.0,
        ),
        _record(
            "f",
            state=JobState.FAILED,
            error="content policy",
            created_at=1001.0,
            updated_at=1003.0,
        ),
        _record("p", state=JobState.PROCESSING, created_at=1002.0, updated_at=1005.0),
    )
    data = await read_source(path)
    assert data.source_kind == "journal"
    jobs = {job.out_task_id: job for job in data.jobs}
    assert list(jobs) == ["a", "v", "f", "p"]
    a = jobs["a"]
    assert (a.status, a.prompt, a.credits_used, a.estimated_credits) == (
        "completed",
        "prompt of a",
        9.5,
        10.0,
    )
    assert a.duration_s == 12.5
    (media,) = a.media
    assert (media.kind, media.path, media.url) == (
        "image",
        str(picture),
        "https://cdn.test/a/0.png",
    )
    assert [m.kind for m in jobs["v"].media] == ["video"]
    assert jobs["f"].error == "content policy"
    assert jobs["f"].media == ()
    assert jobs["p"].finished_at is None  # not final: its last change is no end
    assert jobs["p"].duration_s is None
    assert data.times_note == JOURNAL_TIMES


async def test_reading_a_journal_takes_no_claim_and_changes_nothing(tmp_path: Path) -> None:
    """A run's claims (owner, lease) and every field are as they were after a report read it."""
    lease = time.time() + 600
    path = await _journal(
        tmp_path / "run.journal",
        _record("q", state=JobState.PENDING, owner="host:1:abc", lease_until=lease),
    )
    await read_source(path)
    async with SQLiteJournal(path) as journal:
        (record,) = await journal.records()
    assert (record.owner, record.lease_until, record.state) == (
        "host:1:abc",
        lease,
        JobState.PENDING,
    )


async def test_unsafe_output_urls_never_reach_the_report(tmp_path: Path) -> None:
    """An output "URL" that is not http(s) (javascript:, data:) is dropped from the job."""
    path = await _journal(
        tmp_path / "run.journal",
        _record(
            "x",
            state=JobState.COMPLETED,
            output_urls=["javascript:alert(1)", "data:text/html,<b>", "http://127.0.0.1/x.png"],
        ),
    )
    (job,) = (await read_source(path)).jobs
    assert [m.url for m in job.media] == ["http://127.0.0.1/x.png"]


async def test_a_results_file_with_the_jobs_file_gives_prompts_and_api_times(
    tmp_path: Path,
) -> None:
    """Results lines take their prompt from the jobs file's line; times are the API's
    created_at and completed_at; a job written twice is shown once; a cut line is counted."""
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(
        "# two jobs\n"
        + json.dumps({"model": "gpt_4o", "prompt": "an owl"})
        + "\n"
        + json.dumps({"model": "seedream_v4_5", "params": {"prompt": "a fox"}})
        + "\n",
        encoding="utf-8",
    )
    results = _lines(
        tmp_path / "results.jsonl",
        {"out_task_id": "o", "model": "gpt_4o", "status": "failed", "line": 2, "urls": []},
        {
            "out_task_id": "o",
            "model": "gpt_4o",
            "status": "completed",
            "line": 2,
            "urls": ["http://127.0.0.1/o.png"],
            "created_at": "2026-01-01T00:00:00+00:00",
            "completed_at": "2026-01-01T00:00:30Z",
            "credits_used": 10,
        },
        {"out_task_id": "f", "model": "seedream_v4_5", "status": "completed", "line": 3},
    )
    with results.open("a", encoding="utf-8") as file:
        file.write('{"out_task_id": "cut sh')
    data = await read_source(results, jobs=jobs)
    assert data.source_kind == "results"
    assert data.skipped_lines == 1
    assert [(j.out_task_id, j.status, j.prompt) for j in data.jobs] == [
        ("o", "completed", "an owl"),
        ("f", "completed", "a fox"),
    ]
    assert data.jobs[0].duration_s == 30.0
    assert data.jobs[0].credits_used == 10.0
    assert data.times_note == RESULTS_TIMES


def test_a_processing_time_when_a_source_has_one(tmp_path: Path) -> None:
    """A results line with processing_at (a later tracker may record it) is read, and the
    note then describes the waiting part of each bar."""
    path = _lines(
        tmp_path / "r.jsonl",
        {
            "out_task_id": "o",
            "model": "gpt_4o",
            "status": "completed",
            "created_at": 100.0,
            "processing_at": 105.0,
            "completed_at": 120.0,
        },
    )
    data = read_results(path)
    assert data.jobs[0].processing_at == 105.0
    assert data.times_note == PROCESSING_TIMES


def test_long_prompts_are_cut() -> None:
    """A prompt longer than the page shows is cut with an ellipsis (the page stays small)."""
    from aireiter.report._data import MAX_PROMPT_CHARS, from_records

    (job,) = from_records([_record("l", params={"prompt": "x" * 10_000})])
    assert job.prompt is not None
    assert len(job.prompt) == MAX_PROMPT_CHARS
    assert job.prompt.endswith("…")


async def test_bad_sources_are_param_errors(tmp_path: Path) -> None:
    """A missing file, an SQLite file that is no journal (left untouched), a file that is no
    results JSONL, and --jobs with a journal are ParamErrors naming the argument."""
    with pytest.raises(ParamError, match="No such file") as missing:
        await read_source(tmp_path / "nope.journal")
    assert missing.value.field == "source"

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (x)")
    conn.close()
    with pytest.raises(ParamError, match="not a job journal"):
        await read_source(other)
    with sqlite3.connect(other) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert tables == {"things"}

    text = tmp_path / "notes.txt"
    text.write_text("hello\nworld\n")
    with pytest.raises(ParamError, match="neither a job journal nor"):
        await read_source(text)

    journal = await _journal(tmp_path / "run.journal", _record("a"))
    with pytest.raises(ParamError) as both:
        await read_source(journal, jobs=text)
    assert both.value.field == "jobs"


def test_report_data_defaults() -> None:
    """A report is not live and has no run counters unless told."""
    data = ReportData(jobs=(), source="x", source_kind="journal")
    assert (data.live, data.stats, data.skipped_lines) == (False, None, 0)
    assert data.generated_at > 0


async def test_odd_values_in_a_results_file_never_raise(tmp_path: Path) -> None:
    """Credits that are no number, unreadable or epoch times, an unknown model, a URL list
    that is no list and files named relative to the results file are all read sensibly."""
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "o.webm").write_bytes(b"")
    row = {
        "out_task_id": "o",
        "model": "future_model_x",
        "status": "completed",
        "credits_used": "lots",
        "estimated_credits": "NaN",
        "created_at": "yesterday",
        "completed_at": 1_700_000_000,
        "urls": "http://127.0.0.1/o",
        "files": ["files/o.webm"],
    }
    path = _lines(tmp_path / "results.jsonl", row, ["not", "an", "object"])
    data = read_results(path)
    (job,) = data.jobs
    assert (job.credits_used, job.estimated_credits) == (None, None)
    assert (job.submitted_at, job.finished_at) == (None, 1_700_000_000.0)
    (media,) = job.media
    assert media.kind == "video"  # from the file's extension
    assert media.path == str((tmp_path / "files" / "o.webm").resolve())
    assert data.skipped_lines == 1


def test_a_jobs_file_with_odd_lines_and_a_missing_one(tmp_path: Path) -> None:
    """Unreadable or non-object lines of a jobs file give no prompt; a missing jobs file is
    a ParamError naming ``jobs``."""
    from aireiter.report._data import prompts_by_line

    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"model": "gpt_4o", "prompt": "an owl"}\n{cut\n[1, 2]\n{"model": "x"}\n')
    assert prompts_by_line(jobs) == {1: "an owl"}
    with pytest.raises(ParamError) as error:
        prompts_by_line(tmp_path / "nope.jsonl")
    assert error.value.field == "jobs"


async def test_a_damaged_sqlite_file_is_a_param_error(tmp_path: Path) -> None:
    """A file that starts like SQLite but is damaged is refused, naming the source."""
    from aireiter.report._data import SQLITE_MAGIC

    bad = tmp_path / "bad.journal"
    bad.write_bytes(SQLITE_MAGIC + b"\x00" * 200)
    with pytest.raises(ParamError, match="cannot be read as a journal") as error:
        await read_source(bad)
    assert error.value.field == "source"
