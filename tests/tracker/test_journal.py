"""The journal contract, run against both journals, plus MemoryJournal and open_journal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import attrs
import pytest

from aireiter import AIReiterError
from aireiter.tracker._journal import (
    DuplicateJobError,
    JobRecord,
    JobState,
    Journal,
    MemoryJournal,
    UnknownJobError,
    open_journal,
)
from aireiter.tracker._sqlite_journal import SQLiteJournal


def job(oid: str, **fields: object) -> JobRecord:
    """A small job record."""
    return JobRecord(out_task_id=oid, model="seedream_v4_5", params={"prompt": oid}, **fields)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "sqlite"])
async def journal(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Journal]:
    """Each journal implementation, opened."""
    j: Journal = MemoryJournal() if request.param == "memory" else SQLiteJournal(tmp_path / "j.db")
    async with j:
        yield j


def test_terminal_states() -> None:
    """Exactly completed, failed, cancelled and conflict are terminal."""
    assert {s for s in JobState if s.is_terminal} == {
        JobState.COMPLETED,
        JobState.FAILED,
        JobState.CANCELLED,
        JobState.CONFLICT,
    }


def test_record_repr_hides_callback_url() -> None:
    """The callback URL carries the webhook token, so the repr leaves it out."""
    record = job("a", callback_url="http://127.0.0.1:1/cb/SECRET/a")
    assert "SECRET" not in repr(record)
    assert record.state is JobState.QUEUED


async def test_add_then_get_round_trips_every_field(journal: Journal) -> None:
    """A record comes back field for field, with created_at/updated_at filled in."""
    record = job(
        "a",
        metadata={"row": 1, "tags": ["x"]},
        callback_url="http://127.0.0.1:9/cb/t/a",
        estimated_credits=12.5,
        output_urls=("http://x/1.png",),
        submit_attempts=2,
        downloaded=("/tmp/a.png",),
    )
    await journal.add([record])
    got = await journal.get("a")
    assert got is not None
    assert got.created_at > 0
    assert got.updated_at == got.created_at
    assert attrs.evolve(got, created_at=0.0, updated_at=0.0) == record
    assert await journal.get("missing") is None


async def test_duplicate_add_writes_nothing(journal: Journal) -> None:
    """An add clashing with a stored id raises DuplicateJobError and stores none of its jobs."""
    await journal.add([job("a")])
    with pytest.raises(DuplicateJobError) as info:
        await journal.add([job("b"), job("a")])
    assert info.value.out_task_ids == ("a",)
    assert isinstance(info.value, AIReiterError)
    assert await journal.get("b") is None
    with pytest.raises(DuplicateJobError):
        await journal.add([job("c"), job("c")])
    assert await journal.get("c") is None


async def test_update_changes_fields_and_counts(journal: Journal) -> None:
    """Updates change the named fields, bump updated_at and move the per-state counts."""
    await journal.add([job("a"), job("b"), job("c")])
    before = await journal.get("a")
    assert before is not None
    await journal.update("a", state=JobState.SUBMITTING, submit_attempts=1)
    await journal.update("a", state="pending", task_id="order_1", estimated_credits=10.0)
    await journal.update_many(
        [("b", {"state": JobState.COMPLETED, "output_urls": ["u1", "u2"]}), ("c", {"error": "x"})]
    )
    a = await journal.get("a")
    b = await journal.get("b")
    assert a is not None
    assert b is not None
    assert (a.state, a.task_id, a.submit_attempts, a.estimated_credits) == (
        JobState.PENDING,
        "order_1",
        1,
        10.0,
    )
    assert a.updated_at >= before.updated_at
    assert b.output_urls == ("u1", "u2")
    counts = await journal.counts()
    assert counts[JobState.PENDING] == 1
    assert counts[JobState.COMPLETED] == 1
    assert counts[JobState.QUEUED] == 1
    assert set(counts) == set(JobState)


async def test_update_unknown_or_bad_field_writes_nothing(journal: Journal) -> None:
    """update_many is all or nothing; unknown ids and unknown fields are refused."""
    await journal.add([job("a")])
    with pytest.raises(UnknownJobError):
        await journal.update_many([("a", {"state": JobState.FAILED}), ("nope", {"error": "x"})])
    got = await journal.get("a")
    assert got is not None
    assert got.state is JobState.QUEUED
    with pytest.raises(TypeError, match="colour"):
        await journal.update("a", colour="red")
    renaming: dict[str, object] = {"out_task_id": "b"}
    with pytest.raises(TypeError):
        await journal.update("a", **renaming)
    with pytest.raises(KeyError):
        await journal.update("nope", error="x")


async def test_records_keep_insertion_order_and_filter_by_state(journal: Journal) -> None:
    """records() lists jobs in the order added; states= filters."""
    ids = [f"j{n}" for n in (5, 3, 9, 1)]
    await journal.add([job(oid) for oid in ids])
    await journal.update("j9", state=JobState.FAILED)
    assert [r.out_task_id for r in await journal.records()] == ids
    failed = await journal.records([JobState.FAILED])
    assert [r.out_task_id for r in failed] == ["j9"]
    assert await journal.records([]) == []
    queued = await journal.records({JobState.QUEUED, JobState.SUBMITTING})
    assert [r.out_task_id for r in queued] == ["j5", "j3", "j1"]


def test_open_journal_picks_the_implementation(tmp_path: Path) -> None:
    """None -> MemoryJournal, a path -> SQLiteJournal, a journal -> itself, else TypeError."""
    assert isinstance(open_journal(None), MemoryJournal)
    sqlite_journal = open_journal(tmp_path / "x.db")
    assert isinstance(sqlite_journal, SQLiteJournal)
    assert isinstance(open_journal(str(tmp_path / "y.db")), SQLiteJournal)
    memory = MemoryJournal()
    assert open_journal(memory) is memory
    with pytest.raises(TypeError):
        open_journal(42)  # type: ignore[arg-type]


async def test_memory_journal_counts_are_kept_incrementally() -> None:
    """MemoryJournal tracks counts as it goes, matching a recount of its records."""
    journal = MemoryJournal()
    await journal.add([job(f"j{n}") for n in range(100)])
    for n in range(0, 100, 3):
        await journal.update(f"j{n}", state=JobState.COMPLETED)
    counts = await journal.counts()
    records = await journal.records()
    assert len(journal) == 100
    for state in JobState:
        assert counts[state] == sum(r.state is state for r in records)
    assert counts[JobState.COMPLETED] == 34
