"""PostgresJournal beyond the shared contract: its tables and their versions, batches side by
side, claims in chunks, batched writes, the database clock, lost connections, and a DSN whose
password never shows. Against a real PostgreSQL (skipped without one)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from aireiter import JournalError, ParamError
from aireiter.tracker import JobRecord, JobState, PostgresJournal, open_journal
from aireiter.tracker._pg_schema import SCHEMA_VERSION
from tests._postgres import fresh_schema, postgres_dsn


@pytest.fixture
async def pg() -> AsyncIterator[tuple[str, str]]:
    """(DSN, a fresh schema) on the test server."""
    dsn = postgres_dsn()
    async with fresh_schema(dsn) as schema:
        yield dsn, schema


def job(oid: str, **fields: object) -> JobRecord:
    """A small job record."""
    return JobRecord(out_task_id=oid, model="sora2", params={"prompt": oid}, **fields)  # type: ignore[arg-type]


async def _fetchval(dsn: str, sql: str, *args: object) -> object:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def test_tables_are_created_once_by_workers_opening_together(pg: tuple[str, str]) -> None:
    """Five journals opening at once on an empty schema create the tables once (each schema
    step applied once: one version row per step) and all work."""
    dsn, schema = pg
    journals = [PostgresJournal(dsn, name=f"b{n}", schema=schema) for n in range(5)]
    await asyncio.gather(*(j.open() for j in journals))
    try:
        await asyncio.gather(*(j.add([job("x")]) for j in journals))
    finally:
        await asyncio.gather(*(j.close() for j in journals))
    rows = await _fetchval(dsn, f'SELECT count(*) FROM "{schema}".aireiter_schema_version')
    version = await _fetchval(dsn, f'SELECT max(version) FROM "{schema}".aireiter_schema_version')
    assert (rows, version) == (SCHEMA_VERSION, SCHEMA_VERSION)


async def test_schema_versions_are_checked(pg: tuple[str, str]) -> None:
    """create_schema=False on an empty schema says to run `aireiter journal migrate`; tables
    of a newer aireiter are refused rather than misread."""
    dsn, schema = pg
    with pytest.raises(JournalError, match="aireiter journal migrate"):
        async with PostgresJournal(dsn, schema=schema, create_schema=False):
            pass
    async with PostgresJournal(dsn, schema=schema):
        pass
    async with PostgresJournal(dsn, schema=schema, create_schema=False) as journal:
        assert await journal.counts() == dict.fromkeys(JobState, 0)
    await _fetchval(dsn, f'INSERT INTO "{schema}".aireiter_schema_version (version) VALUES (99)')
    with pytest.raises(JournalError, match="upgrade aireiter"):
        async with PostgresJournal(dsn, schema=schema):
            pass


async def test_batches_share_tables_but_not_jobs(pg: tuple[str, str]) -> None:
    """Two batch names in one schema see only their own jobs, even with the same ids."""
    dsn, schema = pg
    async with (
        PostgresJournal(dsn, name="one", schema=schema) as one,
        PostgresJournal(dsn, name="two", schema=schema) as two,
    ):
        await one.add([job("a"), job("b")])
        await two.add([job("a")])
        await two.update("a", state=JobState.COMPLETED)
        assert [(r.out_task_id, r.state) for r in await one.records()] == [
            ("a", JobState.QUEUED),
            ("b", JobState.QUEUED),
        ]
        assert [r.out_task_id for r in await two.claim("W", lease_s=60)] == []
        assert len(await one.claim("W", lease_s=60)) == 2
        assert await one.batches() == {"one": 2, "two": 1}


async def test_claims_take_unsent_jobs_in_chunks_and_every_sent_one(pg: tuple[str, str]) -> None:
    """A claim tops the unsent jobs a run holds up to claim_limit, in order; jobs already sent
    whose claim is void are all taken, whatever the limit."""
    dsn, schema = pg
    async with PostgresJournal(dsn, name="b", schema=schema, claim_limit=3) as journal:
        await journal.add([job(f"q{n}") for n in range(8)])
        await journal.add([job(f"s{n}", state=JobState.PENDING) for n in range(4)])
        first = await journal.claim("A", lease_s=60)
        assert [r.out_task_id for r in first] == ["q0", "q1", "q2", "s0", "s1", "s2", "s3"]
        await journal.update_owned("q0", "A", state=JobState.SUBMITTING)
        topped = await journal.claim("A", lease_s=60)
        queued = [r.out_task_id for r in topped if r.state is JobState.QUEUED]
        assert queued == ["q1", "q2", "q3"]
        other = await journal.claim("B", lease_s=60, limit=None)
        assert [r.out_task_id for r in other] == ["q4", "q5", "q6", "q7"]


async def test_concurrent_updates_share_statements(pg: tuple[str, str]) -> None:
    """2,000 updates from 2,000 coroutines at once cost a few dozen statements, not 2,000."""
    dsn, schema = pg
    async with PostgresJournal(dsn, schema=schema) as journal:
        await journal.add([job(f"j{n}") for n in range(2000)])
        before = journal.statements
        await asyncio.gather(
            *(journal.update(f"j{n}", state=JobState.PENDING, task_id=f"t{n}") for n in range(2000))
        )
        used = journal.statements - before
        counts = await journal.counts()
    assert counts[JobState.PENDING] == 2000
    assert used < 100, used


async def test_leases_are_read_from_the_database_clock(pg: tuple[str, str]) -> None:
    """A claim's lease is stored as the database's now() plus the lease, whatever this host's
    clock says; records come back in this host's clock."""
    dsn, schema = pg
    async with PostgresJournal(dsn, name="b", schema=schema) as journal:
        await journal.add([job("a")])
        journal.skew += 3600.0  # as if this host's clock were an hour behind the database's
        await journal.claim("A", lease_s=60)
        stored = await _fetchval(
            dsn,
            f'SELECT lease_until - extract(epoch from now())::float8 FROM "{schema}".aireiter_jobs',
        )
        assert 55 < float(stored) < 61  # type: ignore[arg-type]
        record = await journal.get("a")
        assert record is not None
        assert record.lease_until == pytest.approx(time.time() + 60 - 3600, abs=5)


async def test_a_lost_connection_is_retried(pg: tuple[str, str]) -> None:
    """Updates go through after the server drops every connection of the journal."""
    dsn, schema = pg
    async with PostgresJournal(dsn, name="dropped", schema=schema) as journal:
        await journal.add([job("a"), job("b")])
        killed = await _fetchval(
            dsn,
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'aireiter:dropped'",
        )
        assert killed
        await journal.update("a", state=JobState.PENDING)
        await journal.update_many([("b", {"state": JobState.FAILED})])
        assert [r.state for r in await journal.records()] == [JobState.PENDING, JobState.FAILED]


async def test_the_password_never_shows(pg: tuple[str, str]) -> None:
    """The DSN's password is masked in the repr and in the error of a failed open; bad
    arguments raise ParamError before any connection."""
    secret = "hunter2-very-secret"
    journal = PostgresJournal(f"postgresql://user:{secret}@127.0.0.1:1/x", name="b")
    assert secret not in repr(journal)
    with pytest.raises(JournalError) as caught:
        await journal.open()
    assert secret not in str(caught.value)
    assert "cannot open" in str(caught.value)
    for bad in ({"dsn": "sqlite:///x"}, {"name": ""}, {"claim_limit": 0}, {"pool_size": 0}):
        options = {"dsn": "postgresql://h/d", **bad}
        with pytest.raises(ParamError):
            PostgresJournal(**options)  # type: ignore[arg-type]
    opened = open_journal(f"postgresql://user:{secret}@h/d", name="nightly")
    assert isinstance(opened, PostgresJournal)
    assert opened.name == "nightly"
