"""SQLiteJournal: a file that survives reopening and SIGKILL, with batched commits."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import pytest

from aireiter import JournalError
from aireiter.tracker._journal import JobRecord, JobState
from aireiter.tracker._sqlite_journal import SCHEMA_VERSION, SQLiteJournal

ROOT = Path(__file__).resolve().parents[2]  # the writer subprocess imports aireiter from here


def job(oid: str) -> JobRecord:
    """A small job record."""
    return JobRecord(out_task_id=oid, model="sora2", params={"prompt": f"p {oid}", "n": 1})


async def test_records_survive_close_and_reopen(tmp_path: Path) -> None:
    """What one journal object wrote, a new one on the same file reads back."""
    path = tmp_path / "jobs.db"
    async with SQLiteJournal(path) as journal:
        await journal.add([job("a"), job("b")])
        await journal.update("b", state=JobState.COMPLETED, credits_used=3.0)
    async with SQLiteJournal(path) as again:
        records = await again.records()
        assert [(r.out_task_id, r.state) for r in records] == [
            ("a", JobState.QUEUED),
            ("b", JobState.COMPLETED),
        ]
        assert records[1].credits_used == 3.0
        assert records[0].params == {"prompt": "p a", "n": 1}
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


async def test_concurrent_writes_share_commits(tmp_path: Path) -> None:
    """Thousands of concurrent updates are committed in far fewer transactions."""
    n = 2000
    async with SQLiteJournal(tmp_path / "jobs.db") as journal:
        await journal.add([job(f"j{i}") for i in range(n)])
        start = journal.commits
        await asyncio.gather(
            *(journal.update(f"j{i}", state=JobState.PENDING, task_id=f"t{i}") for i in range(n))
        )
        used = journal.commits - start
        counts = await journal.counts()
    assert counts[JobState.PENDING] == n
    assert used < n / 10


async def test_cancelled_caller_still_gets_its_write(tmp_path: Path) -> None:
    """An update whose awaiting task is cancelled is still written (it was already queued)."""
    async with SQLiteJournal(tmp_path / "jobs.db") as journal:
        await journal.add([job("a")])
        task = asyncio.ensure_future(journal.update("a", state=JobState.SUBMITTING))
        await asyncio.sleep(0)  # let it queue the write
        task.cancel()
        record = await journal.get("a")  # queued after the update: sees it
        assert record is not None
        assert record.state is JobState.SUBMITTING


async def test_closed_journal_refuses_calls_and_close_is_idempotent(tmp_path: Path) -> None:
    """Calls before open or after close raise RuntimeError; close twice is fine."""
    journal = SQLiteJournal(tmp_path / "jobs.db")
    with pytest.raises(RuntimeError, match="not open"):
        await journal.get("a")
    await journal.open()
    await journal.open()
    await journal.close()
    await journal.close()
    with pytest.raises(RuntimeError, match="not open"):
        await journal.add([job("a")])


async def test_newer_schema_and_bad_files_are_refused(tmp_path: Path) -> None:
    """A journal from a newer schema, or a file that is not SQLite, fails to open clearly."""
    newer = tmp_path / "newer.db"
    with closing(sqlite3.connect(newer)) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(JournalError, match="schema version"):
        await SQLiteJournal(newer).open()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(JournalError, match=r"junk\.db") as caught:
        await SQLiteJournal(junk).open()
    assert caught.value.path is not None
    assert caught.value.path.endswith("junk.db")
    with pytest.raises(ValueError, match="synchronous"):
        SQLiteJournal(newer, synchronous="OFF")  # type: ignore[arg-type]


_WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from aireiter.tracker._journal import JobRecord, JobState
    from aireiter.tracker._sqlite_journal import SQLiteJournal

    async def worker(journal, w):
        i = 0
        while True:
            oid = f"w{w}-{i}"
            await journal.add([JobRecord(out_task_id=oid, model="m", params={"i": i})])
            print("added", oid, flush=True)
            await journal.update(oid, state=JobState.PENDING, task_id="t" + oid)
            print("updated", oid, flush=True)
            i += 1

    async def main():
        async with SQLiteJournal(sys.argv[1], synchronous=sys.argv[2]) as journal:
            await asyncio.gather(*(worker(journal, w) for w in range(8)))

    asyncio.run(main())
    """
)


@pytest.mark.parametrize("synchronous", ["NORMAL", "FULL"])
async def test_every_acknowledged_write_survives_sigkill(tmp_path: Path, synchronous: str) -> None:
    """After SIGKILL at an arbitrary moment, every add/update that had returned is on disk."""
    path = tmp_path / "killed.db"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _WRITER,
        str(path),
        synchronous,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        while len(lines) < 600:
            line = await asyncio.wait_for(proc.stdout.readline(), 20)
            assert line, "the writer exited early"
            lines.append(line.decode())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = await proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    lines += [line + "\n" for line in rest.decode().split("\n")[:-1]]  # drop a cut-off line
    lines = [line for line in lines if line.endswith("\n")]
    added = {line.split()[1] for line in lines if line.startswith("added")}
    updated = {line.split()[1] for line in lines if line.startswith("updated")}
    async with SQLiteJournal(path) as journal:
        records = {r.out_task_id: r for r in await journal.records()}
    assert added <= records.keys()
    assert all(records[oid].state is JobState.PENDING for oid in updated)
    assert all(records[oid].task_id == "t" + oid for oid in updated)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


class _WriterCrash(BaseException):
    """Something no per-operation handler catches."""


def _crash(_conn: sqlite3.Connection, _arg: object) -> None:
    raise _WriterCrash


async def test_a_dead_writer_fails_waiters_instead_of_hanging(tmp_path: Path) -> None:
    """If the writer thread dies, the waiting call and every later one fail; close still works."""
    journal = SQLiteJournal(tmp_path / "jobs.db")
    await journal.open()
    await journal.add([job("a")])
    with pytest.raises(_WriterCrash):
        await journal._call(_crash, None)
    with pytest.raises(RuntimeError, match="writer thread failed"):
        await journal.get("a")
    await journal.close()
    async with SQLiteJournal(tmp_path / "jobs.db") as again:  # the file is fine
        assert [r.out_task_id for r in await again.records()] == ["a"]


async def test_open_cancelled_midway_leaves_no_thread_behind(tmp_path: Path) -> None:
    """Cancelling open() stops the writer thread; a later open works."""
    journal = SQLiteJournal(tmp_path / "jobs.db")
    opening = asyncio.ensure_future(journal.open())
    await asyncio.sleep(0)
    opening.cancel()
    with pytest.raises(asyncio.CancelledError):
        await opening
    async with journal:
        await journal.add([job("a")])
        assert await journal.get("a") is not None


async def test_another_process_can_read_while_a_run_writes(tmp_path: Path) -> None:
    """A second connection (e.g. the sqlite3 shell) reads committed jobs during a run."""
    path = tmp_path / "jobs.db"
    async with SQLiteJournal(path) as journal:
        await journal.add([job("a"), job("b")])
        await journal.update("a", state=JobState.COMPLETED)
        with closing(sqlite3.connect(path)) as reader:
            rows = reader.execute("SELECT out_task_id, state FROM jobs ORDER BY rowid").fetchall()
        assert rows == [("a", "completed"), ("b", "queued")]
        await journal.update("b", state=JobState.FAILED)  # the reader did not block the writer
        assert (await journal.counts())[JobState.FAILED] == 1


async def test_the_per_second_reads_of_a_shared_file_use_indexes(tmp_path: Path) -> None:
    """A run sharing the file reads its live owners and the jobs finished elsewhere every
    second: both are index reads (made on open, for old files too), never a table scan, and
    they give the same answers as the plain queries."""
    from aireiter.tracker._sqlite_journal import _LIVE_OWNERS, _SELECT, _UNFINISHED_SQL

    path = tmp_path / "run.db"
    async with SQLiteJournal(path) as journal:
        await journal.add([job(f"j{n}") for n in range(40)])
        lease = {"lease_until": 4e9}  # far ahead: live
        await journal.update_many([(f"j{n}", {"owner": "a", **lease}) for n in range(20)])
        await journal.update_many([(f"j{n}", {"owner": "b", **lease}) for n in range(20, 30)])
        await journal.update_many([(f"j{n}", {"state": JobState.COMPLETED}) for n in range(5)])
        assert await journal.live_owners() == 2
        finished = await journal.finished_since("a", 0.0)
        assert sorted(r.out_task_id for r in finished) == [f"j{n}" for n in range(5)]
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP INDEX jobs_claimed")  # a file from before the indexes
        conn.execute("DROP INDEX jobs_finished")
        conn.commit()
    async with SQLiteJournal(path) as journal:
        assert await journal.live_owners() == 2
    with closing(sqlite3.connect(path)) as conn:
        names = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
        }
        assert {"jobs_claimed", "jobs_finished"} <= names
        finished_sql = (
            f"{_SELECT} WHERE owner = ? AND state NOT IN ({_UNFINISHED_SQL}) AND updated_at > ?"
        )
        for sql, args in ((_LIVE_OWNERS, ()), (finished_sql, ("a", 0.0))):
            plan = " ".join(str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
            assert "SCAN jobs" not in plan, plan
            assert "USING INDEX jobs_" in plan, plan
