"""Resuming needs a journal that holds jobs, and a wrong base URL stops the run.

- ``TaskTracker.resume`` on a missing path, an empty (0-byte) file, an SQLite file with no
  journal in it, a journal with no jobs, or a PostgreSQL batch name with no jobs raises
  ``JournalError`` naming the journal and what was found, before anything is created in it
  or sent.
- A submit answered with a redirect, or with HTTP 404/405 (the submit route is not there), is
  not the API's answer: the run stops (``RunAbortedError``), its jobs stay ``QUEUED`` in the
  journal, and a resume against the right host sends each once. A rejection the API gives
  (a JSON 400) still fails that job only.

Everything goes over real HTTP on 127.0.0.1: the emulator, or a small aiohttp server here.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aireiter import AsyncAIReiter, JournalError, RunAbortedError, TaskTracker
from aireiter.emulator import RunningEmulator
from aireiter.tracker import JobRecord, JobState, MemoryJournal, PollPolicy, SQLiteJournal
from tests._postgres import fresh_schema, postgres_dsn
from tests._servers import wrong_host_server

MODEL = "gpt_4o"
POLICY = PollPolicy(fixed_duration_s=0.05, error_delay_s=0.02)
RUN_DEADLINE_S = 20.0


def _client(emulator: RunningEmulator) -> AsyncAIReiter:
    return AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url)


def _snapshot(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def _sqlite_prepare(kind: str, path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        if kind == "zero-bytes":  # what `sqlite3 FILE "select ..."` leaves on a missing path
            conn.execute("SELECT name FROM sqlite_master").fetchall()
        elif kind == "other-database":
            conn.execute("CREATE TABLE notes (body TEXT)")
            conn.execute("INSERT INTO notes VALUES ('mine')")
            conn.commit()
    finally:
        conn.close()
    if kind == "zero-bytes":
        assert path.stat().st_size == 0
    if kind == "no-jobs":
        path.unlink()


async def _prepare(kind: str, path: Path) -> None:
    if kind == "missing":
        return
    _sqlite_prepare(kind, path)
    if kind == "no-jobs":
        async with SQLiteJournal(path):
            pass


@pytest.mark.parametrize(
    ("kind", "found"),
    [
        ("missing", "does not exist"),
        ("zero-bytes", "empty file (0 bytes)"),
        ("other-database", "no journal in it (no jobs table)"),
        ("no-jobs", "a journal with no jobs"),
    ],
)
async def test_resume_from_nothing_raises_before_touching_the_file(
    kind: str, found: str, tmp_path: Path
) -> None:
    """JournalError names the path and what is there; the file is left exactly as it was
    (a 0-byte file is not made into a journal, a missing one is not created); nothing is
    sent (nothing listens at the base URL: a request would fail loudly)."""
    path = tmp_path / "run.db"
    await _prepare(kind, path)
    before = _snapshot(path)
    async with AsyncAIReiter(api_key="k", base_url="http://127.0.0.1:9") as client:
        with pytest.raises(JournalError) as caught:
            async with TaskTracker.resume(client, path, poll_policy=POLICY) as tracker:
                await tracker.gather()
    message = str(caught.value)
    assert str(path) in message
    assert found in message
    assert "nothing to resume" in message
    assert caught.value.path == str(path)
    assert _snapshot(path) == before


async def test_a_journal_with_jobs_still_resumes(emulator: RunningEmulator, tmp_path: Path) -> None:
    """The check lets a real journal through: its queued job is sent once and completes."""
    path = tmp_path / "run.db"
    async with SQLiteJournal(path) as journal:
        await journal.add([JobRecord(out_task_id="q-1", model=MODEL, params={"prompt": "a"})])
    async with (
        _client(emulator) as client,
        TaskTracker.resume(client, path, poll_policy=POLICY) as tracker,
    ):
        tasks = await asyncio.wait_for(tracker.gather(), RUN_DEADLINE_S)
    assert [(t.out_task_id, t.status.value) for t in tasks] == [("q-1", "completed")]
    assert emulator.state.submits_recorded["q-1"] == 1


async def test_an_empty_journal_object_is_refused_unless_joining(
    emulator: RunningEmulator,
) -> None:
    """Any journal with no jobs is refused by resume; ``join=True`` (a worker waiting for a
    batch) starts with nothing instead."""
    async with _client(emulator) as client:
        with pytest.raises(JournalError, match="holds no jobs"):
            async with TaskTracker.resume(client, MemoryJournal()):
                pass
        async with TaskTracker.resume(client, MemoryJournal(), join=True) as tracker:
            assert await tracker.gather() == []
    assert not emulator.state.request_counts


@pytest.fixture
async def pg() -> AsyncIterator[tuple[str, str]]:
    """(DSN, a fresh schema) on the test server."""
    dsn = postgres_dsn()
    async with fresh_schema(dsn) as schema:
        yield dsn, schema


async def test_a_postgres_batch_name_with_no_jobs_is_refused(
    pg: tuple[str, str], emulator: RunningEmulator
) -> None:
    """A mistyped batch name holds no jobs: JournalError naming it, the real batch's job
    untouched, nothing sent."""
    from aireiter.tracker import PostgresJournal

    dsn, schema = pg
    async with PostgresJournal(dsn, name="nightly", schema=schema) as journal:
        await journal.add([JobRecord(out_task_id="n-1", model=MODEL, params={"prompt": "a"})])
    async with (
        _client(emulator) as client,
        PostgresJournal(dsn, name="nightyl", schema=schema) as typo,
    ):
        with pytest.raises(JournalError, match="holds no jobs") as caught:
            async with TaskTracker.resume(client, typo):
                pass
    assert "nightyl" in str(caught.value)
    async with PostgresJournal(dsn, name="nightly", schema=schema) as journal:
        record = await journal.get("n-1")
    assert record is not None
    assert record.state is JobState.QUEUED
    assert record.owner is None
    assert not emulator.state.request_counts


# --- a wrong base URL ----------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["301", "404", "405"])
@pytest.mark.parametrize("jobs", [1, 4])
async def test_a_wrong_base_url_stops_the_run_and_a_resume_sends_each_job_once(
    mode: str, jobs: int, emulator: RunningEmulator, tmp_path: Path
) -> None:
    """Every submit redirected or answered 404/405: RunAbortedError naming the base URL, no
    job FAILED, all QUEUED in the journal; resuming against the emulator completes each
    with one recorded submit."""
    path = tmp_path / "run.db"
    async with (
        wrong_host_server(mode) as (base_url, asked),
        AsyncAIReiter(api_key="k", base_url=base_url) as client,
        TaskTracker(client, journal=path, poll_policy=POLICY) as tracker,
    ):
        for n in range(jobs):
            await tracker.submit(MODEL, {"prompt": f"p{n}"}, out_task_id=f"w-{n}")
        with pytest.raises(RunAbortedError, match="base URL") as caught:
            await asyncio.wait_for(tracker.gather(), RUN_DEADLINE_S)
    assert str(caught.value.cause.http_status) == mode  # type: ignore[union-attr]
    assert set(asked) == {"/api/openapi/submit"}
    async with SQLiteJournal(path) as journal:
        counts = await journal.counts()
        records = await journal.records()
    assert counts[JobState.QUEUED] == jobs
    assert counts[JobState.FAILED] == 0
    assert [r.state for r in records] == [JobState.QUEUED] * jobs
    async with (
        _client(emulator) as client,
        TaskTracker.resume(client, path, poll_policy=POLICY) as tracker,
    ):
        tasks = await asyncio.wait_for(tracker.gather(), RUN_DEADLINE_S)
    assert sorted(t.status.value for t in tasks) == ["completed"] * jobs
    assert {f"w-{n}": 1 for n in range(jobs)} == dict(emulator.state.submits_recorded)


async def test_a_json_rejection_of_a_submit_still_fails_that_job_only(
    emulator: RunningEmulator,
) -> None:
    """An HTTP 400 JSON answer and the API's own envelope rejection are rejections of the
    job, not of the host: the job fails, the run goes on."""
    async with (
        wrong_host_server("400") as (base_url, asked),
        AsyncAIReiter(api_key="k", base_url=base_url) as client,
        TaskTracker(client, poll_policy=POLICY) as tracker,
    ):
        for n in range(4):
            await tracker.submit(MODEL, {"prompt": f"p{n}"})
        tasks = await asyncio.wait_for(tracker.gather(), RUN_DEADLINE_S)
    assert [t.status.value for t in tasks] == ["failed"] * 4
    assert asked["/api/openapi/submit"] == 4
    async with (
        _client(emulator) as client,
        TaskTracker(client, poll_policy=POLICY) as tracker,
    ):
        await tracker.submit("no_such_model", {"prompt": "x"}, out_task_id="bad", validate=False)
        await tracker.submit(MODEL, {"prompt": "fine"}, out_task_id="good")
        tasks = await asyncio.wait_for(tracker.gather(), RUN_DEADLINE_S)
    assert {t.out_task_id: t.status.value for t in tasks} == {
        "bad": "failed",
        "good": "completed",
    }
