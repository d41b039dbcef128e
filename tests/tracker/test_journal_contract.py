"""The journal contract, one body of tests run against every journal: in memory, SQLite and
PostgreSQL (the last skipped with a reason when no test server is configured).

Two journal objects on one store stand for two processes: claims taken at the same moment
are disjoint, a lapsed lease or a dead owner lets another run take over, and only the holder
of a claim may write through ``update_owned``.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from aireiter.tracker import (
    DuplicateJobError,
    JobRecord,
    JobState,
    Journal,
    MemoryJournal,
    SQLiteJournal,
    UnknownJobError,
)
from tests._postgres import fresh_schema, postgres_dsn

OpenJournal = Callable[[], Awaitable[Journal]]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenJournal]:
    """Opens journals on one store: each call is another process's view of the same jobs
    (the memory journal has one view)."""
    async with AsyncExitStack() as stack:
        if request.param == "memory":
            memory = MemoryJournal()

            async def open_memory() -> Journal:
                return memory

            yield open_memory
            return
        if request.param == "sqlite":

            async def open_sqlite() -> Journal:
                return await stack.enter_async_context(SQLiteJournal(tmp_path / "jobs.db"))

            yield open_sqlite
            return
        dsn = postgres_dsn()
        schema = await stack.enter_async_context(fresh_schema(dsn))
        from aireiter.tracker import PostgresJournal

        async def open_postgres() -> Journal:
            journal = PostgresJournal(dsn, name="contract", schema=schema, claim_limit=None)
            return await stack.enter_async_context(journal)

        yield open_postgres


def job(oid: str, **fields: Any) -> JobRecord:
    """A small job record."""
    return JobRecord(out_task_id=oid, model="sora2", params={"prompt": f"p {oid}"}, **fields)


def dead_pid() -> int:
    """The id of a process of this host that has just ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


async def until(check: Callable[[], Awaitable[bool]], deadline_s: float = 10.0) -> None:
    """Poll ``check`` until it is true (fail after ``deadline_s``)."""
    deadline = time.monotonic() + deadline_s
    while not await check():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        await asyncio.sleep(0.02)


# --- storing ------------------------------------------------------------------------------------
async def test_records_round_trip_every_field(store: OpenJournal) -> None:
    """What is added comes back field for field, in the order it was added, and counted."""
    journal = await store()
    full = JobRecord(
        out_task_id="full",
        model="sora2",
        params={"prompt": 'ü "quoted"', "n": 2, "ratio": 1.5, "nested": {"a": [1, None]}},
        metadata={"user": 7},
        callback_url="http://127.0.0.1/hook?token=t",
        state=JobState.PROCESSING,
        task_id="t-1",
        estimated_credits=4.5,
        credits_used=None,
        output_urls=("http://x/1.png", "http://x/2.png"),
        error="slow",
        submit_attempts=2,
        created_at=1_700_000_000.25,
        updated_at=1_700_000_001.5,
        downloaded=("/tmp/1.png",),
        adopted=True,
        retried_as="full-r1",
        retries=1,
    )
    await journal.add([job("a"), full, job("b")])
    records = await journal.records()
    assert [r.out_task_id for r in records] == ["a", "full", "b"]
    back = records[1]
    for name in ("model", "params", "metadata", "callback_url", "state", "task_id", "error"):
        assert getattr(back, name) == getattr(full, name), name
    for name in ("estimated_credits", "submit_attempts", "output_urls", "downloaded"):
        assert getattr(back, name) == getattr(full, name), name
    assert (back.adopted, back.retried_as, back.retries) == (True, "full-r1", 1)
    assert back.created_at == pytest.approx(full.created_at, abs=0.01)
    assert records[0].created_at > 1_700_000_001
    assert records[0].updated_at >= records[0].created_at
    assert await journal.get("full") == back
    assert await journal.get("missing") is None
    counts = await journal.counts()
    assert set(counts) == set(JobState)
    assert (counts[JobState.QUEUED], counts[JobState.PROCESSING], sum(counts.values())) == (2, 1, 3)
    picked = await journal.records([JobState.PROCESSING, JobState.FAILED])
    assert [r.out_task_id for r in picked] == ["full"]
    assert await journal.records([]) == []


async def test_add_is_all_or_nothing(store: OpenJournal) -> None:
    """An add naming a known id, or one id twice, raises DuplicateJobError and stores nothing."""
    journal = await store()
    await journal.add([job("a")])
    with pytest.raises(DuplicateJobError) as caught:
        await journal.add([job("new"), job("a")])
    assert caught.value.out_task_ids == ("a",)
    with pytest.raises(DuplicateJobError):
        await journal.add([job("x"), job("x")])
    assert [r.out_task_id for r in await journal.records()] == ["a"]


async def test_updates_change_fields_and_refuse_unknown_ids(store: OpenJournal) -> None:
    """update changes only what it names; update_many is all or nothing; unknown ids raise."""
    journal = await store()
    await journal.add([job("a"), job("b")])
    before = await journal.get("a")
    assert before is not None
    await journal.update("a", state=JobState.PENDING, task_id="t-a", estimated_credits=3.0)
    after = await journal.get("a")
    assert after is not None
    assert (after.state, after.task_id, after.estimated_credits) == (JobState.PENDING, "t-a", 3.0)
    assert after.params == before.params
    assert after.updated_at >= before.updated_at
    await journal.update("a", state="completed", credits_used=2.5, output_urls=["http://x/1"])
    done = await journal.get("a")
    assert done is not None
    assert (done.state, done.task_id, done.output_urls) == (
        JobState.COMPLETED,
        "t-a",
        ("http://x/1",),
    )
    with pytest.raises(UnknownJobError):
        await journal.update("nope", state=JobState.FAILED)
    with pytest.raises(UnknownJobError):
        await journal.update_many([("b", {"state": JobState.FAILED}), ("nope", {"error": "x"})])
    b = await journal.get("b")
    assert b is not None
    assert b.state is JobState.QUEUED
    await journal.update_many(
        [("b", {"state": JobState.SUBMITTING}), ("b", {"state": JobState.PENDING})]
    )
    b = await journal.get("b")
    assert b is not None
    assert b.state is JobState.PENDING


async def test_many_concurrent_updates_all_land(store: OpenJournal) -> None:
    """Hundreds of updates at once (batched by durable journals) each reach their own row."""
    journal = await store()
    n = 300
    await journal.add([job(f"j{i:03d}") for i in range(n)])
    await asyncio.gather(
        *(journal.update(f"j{i:03d}", state=JobState.PENDING, task_id=f"t{i}") for i in range(n))
    )
    records = await journal.records()
    assert [r.task_id for r in records] == [f"t{i}" for i in range(n)]
    assert (await journal.counts())[JobState.PENDING] == n


# --- claims -------------------------------------------------------------------------------------
async def test_claim_takes_void_jobs_and_a_live_claim_keeps_others_out(
    store: OpenJournal,
) -> None:
    """A claim takes the unowned unfinished jobs (not the finished ones); while its lease lives,
    another owner gets nothing and holders() names the holder."""
    journal, other = await store(), await store()
    await journal.add([job("a"), job("b"), job("done", state=JobState.COMPLETED)])
    held = await journal.claim("A", lease_s=60)
    assert [(r.out_task_id, r.owner) for r in held] == [("a", "A"), ("b", "A")]
    assert all(r.lease_until > time.time() + 50 for r in held)
    assert await other.claim("B", lease_s=60) == []
    assert await other.holders() == {"A": 2}
    again = await journal.claim("A", lease_s=60)  # claiming again returns what A holds
    assert [r.out_task_id for r in again] == ["a", "b"]


async def test_concurrent_claims_are_disjoint(store: OpenJournal) -> None:
    """Four runs claiming at the same moment get disjoint sets that cover every job."""
    views = [await store() for _ in range(4)]
    ids = [f"j{i:03d}" for i in range(200)]
    await views[0].add([job(oid) for oid in ids])
    results = await asyncio.gather(
        *(view.claim(f"W{n}", lease_s=60) for n, view in enumerate(views))
    )
    taken = [[r.out_task_id for r in held] for held in results]
    flat = [oid for held in taken for oid in held]
    assert len(flat) == len(set(flat)), "a job was claimed twice"
    assert set(flat) == set(ids)
    owners = {r.out_task_id: r.owner for r in await views[0].records()}
    for n, held in enumerate(taken):
        assert all(owners[oid] == f"W{n}" for oid in held)


async def test_a_lapsed_lease_is_taken_over(store: OpenJournal) -> None:
    """Once its lease runs out unrenewed, another run takes the job; the old owner's
    update_owned is then refused and writes nothing."""
    journal, other = await store(), await store()
    await journal.add([job("a")])
    assert len(await journal.claim("A", lease_s=0.3)) == 1
    assert await other.claim("B", lease_s=60) == []
    taken: list[JobRecord] = []

    async def b_takes_it() -> bool:
        taken.extend(await other.claim("B", lease_s=60))
        return bool(taken)

    await until(b_takes_it)
    assert taken[0].owner == "B"
    assert await journal.update_owned("a", "A", state=JobState.SUBMITTING) is False
    record = await journal.get("a")
    assert record is not None
    assert (record.owner, record.state) == ("B", JobState.QUEUED)
    assert await other.update_owned("a", "B", state=JobState.SUBMITTING) is True


async def test_renew_keeps_the_claim_alive(store: OpenJournal) -> None:
    """A renewed claim outlives its first lease: another run still gets nothing after it."""
    journal, other = await store(), await store()
    await journal.add([job("a"), job("b"), job("c", state=JobState.FAILED)])
    await journal.claim("A", lease_s=0.2)
    assert await journal.renew("A", lease_s=60) == 2
    await asyncio.sleep(0.3)  # the first lease has run out: only the renewal holds the claim
    assert await other.claim("B", lease_s=60) == []
    assert await other.holders() == {"A": 2}
    record = await other.get("a")
    assert record is not None
    assert record.lease_until > time.time() + 50


async def test_release_hands_the_jobs_back(store: OpenJournal) -> None:
    """After release, the jobs have no owner and the next claim takes them at once."""
    journal, other = await store(), await store()
    await journal.add([job("a"), job("b")])
    await journal.claim("A", lease_s=60)
    await journal.release("A")
    assert await other.holders() == {}
    assert all(r.owner is None for r in await other.records())
    assert [r.out_task_id for r in await other.claim("B", lease_s=60)] == ["a", "b"]


async def test_update_owned_writes_only_for_the_holder(store: OpenJournal) -> None:
    """The holder's update lands; another run's is refused (False, nothing written); an
    unowned job is written and becomes the writer's; an unknown id raises."""
    journal = await store()
    await journal.add([job("a"), job("free")])
    await journal.claim("A", lease_s=60)
    await journal.release("A")
    await journal.claim("A", lease_s=60)
    assert await journal.update_owned("a", "A", state=JobState.SUBMITTING, submit_attempts=1)
    assert await journal.update_owned("a", "B", state=JobState.FAILED, error="stolen") is False
    record = await journal.get("a")
    assert record is not None
    assert (record.state, record.error, record.owner) == (JobState.SUBMITTING, None, "A")
    await journal.release("A")
    assert await journal.update_owned("free", "C", state=JobState.SUBMITTING) is True
    free = await journal.get("free")
    assert free is not None
    assert free.owner == "C"
    with pytest.raises(UnknownJobError):
        await journal.update_owned("nope", "A", state=JobState.FAILED)


async def test_a_dead_owner_on_this_host_is_taken_over_at_once(store: OpenJournal) -> None:
    """Jobs held by a process of this host that has ended are taken without waiting for their
    lease, and that owner is not listed as a holder."""
    journal, other = await store(), await store()
    dead = f"{socket.gethostname()}:{dead_pid()}:0000"
    far = time.time() + 3600
    await journal.add([job("a", owner=dead, lease_until=far), job("b", owner="elsewhere:1:x")])
    await journal.update("b", lease_until=far)
    assert await other.holders() == {"elsewhere:1:x": 1}
    taken = await other.claim("B", lease_s=60)
    assert [(r.out_task_id, r.owner) for r in taken] == [("a", "B")]


# --- sharing a batch (the optional methods) -----------------------------------------------------
async def test_live_owners_counts_the_runs_sharing_the_jobs(store: OpenJournal) -> None:
    """Two runs holding jobs and heartbeating count 2; after one releases, 1 (never 0)."""
    journal, other = await store(), await store()
    if not hasattr(journal, "live_owners"):
        pytest.skip("this journal is not shared between processes")
    far = time.time() + 60
    await journal.add([job("a", owner="A", lease_until=far), job("b", owner="B", lease_until=far)])
    await journal.renew("A", lease_s=60)
    await other.renew("B", lease_s=60)
    assert await journal.live_owners() == 2  # type: ignore[attr-defined]
    await other.release("B")
    assert await journal.live_owners() == 1  # type: ignore[attr-defined]
    await journal.release("A")
    assert await journal.live_owners() == 1  # type: ignore[attr-defined]


async def test_finished_since_reports_what_another_run_finished(store: OpenJournal) -> None:
    """A job of A's that another run wrote as final shows up in A's finished_since, once the
    time has passed only later changes do, and B's jobs are not A's."""
    journal, other = await store(), await store()
    if not hasattr(journal, "finished_since"):
        pytest.skip("this journal is not shared between processes")
    far = time.time() + 60
    await journal.add(
        [
            job("a1", owner="A", lease_until=far),
            job("a2", owner="A", lease_until=far),
            job("b1", owner="B", lease_until=far),
        ]
    )
    since = time.time() - 0.5
    await other.update("a1", state=JobState.COMPLETED, credits_used=1.0, output_urls=["u"])
    await other.update("b1", state=JobState.FAILED, error="no")
    found = await journal.finished_since("A", since)  # type: ignore[attr-defined]
    assert [(r.out_task_id, r.state, r.credits_used) for r in found] == [
        ("a1", JobState.COMPLETED, 1.0)
    ]
    assert await journal.finished_since("A", time.time() + 5) == []  # type: ignore[attr-defined]
    assert [r.out_task_id for r in await journal.finished_since("B", since)] == ["b1"]  # type: ignore[attr-defined]
