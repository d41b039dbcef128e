"""A batch shared through PostgreSQL, from the command line: ``aireiter journal migrate``,
``aireiter batch --journal postgresql://... --name`` with an ``aireiter worker`` beside it, and
``aireiter status --journal``. Real processes, a real server (skipped without one)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aireiter.emulator import RunningEmulator

from .._postgres import fresh_schema, postgres_dsn
from ..conftest import EmulatorFactory
from .conftest import cli_env, run_cli, start_cli

EXIT_USAGE = 2
WAIT_DEADLINE_S = 30.0


@pytest.fixture
async def pg() -> AsyncIterator[tuple[str, str]]:
    """(DSN, a fresh schema) on the test server."""
    dsn = postgres_dsn()
    async with fresh_schema(dsn) as schema:
        yield dsn, schema


def _jobs_file(path: Path, count: int) -> Path:
    lines = [
        json.dumps({"model": "seedream_v4_5", "params": {"prompt": f"fox {n}"}})
        for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def _job_count(dsn: str, schema: str, batch: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        exists = await conn.fetchval("SELECT to_regclass($1)", f'"{schema}".aireiter_jobs')
        if exists is None:
            return 0
        sql = f'SELECT count(*) FROM "{schema}".aireiter_jobs WHERE batch = $1'
        return int(await conn.fetchval(sql, batch))
    finally:
        await conn.close()


async def test_journal_migrate_creates_the_tables_once(pg: tuple[str, str]) -> None:
    """migrate creates the tables at the current version; a second run says they are there;
    --sql prints the statements without connecting."""
    dsn, schema = pg
    env = cli_env()
    first = await run_cli("journal", "migrate", dsn, "--schema", schema, "--json", env=env)
    assert first.code == 0, first.stderr
    assert first.json()["was"] == 0
    again = await run_cli("journal", "migrate", dsn, "--schema", schema, env=env)
    assert again.code == 0
    assert "already" in again.stderr
    assert await _job_count(dsn, schema, "none") == 0  # the table exists and is empty
    sql = await run_cli("journal", "migrate", "--sql", "--schema", "s1", env=env)
    assert sql.code == 0
    assert 'CREATE TABLE IF NOT EXISTS "s1".aireiter_jobs' in sql.stdout
    bad = await run_cli(
        "journal", "migrate", "postgresql://u:hunter2@127.0.0.1:1/x", "--json", env=env
    )
    assert bad.code == 1
    assert "hunter2" not in bad.stderr


JOBS = 80  # at 20 submits/s, 4 s of submits: a worker joining meanwhile gets some


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_batch_and_a_worker_share_one_batch(
    emulator_factory: EmulatorFactory, pg: tuple[str, str], tmp_path: Path
) -> None:
    """`batch` loads the jobs and works; a `worker` started beside it takes part of them; every
    job is submitted once, the results file holds them all, and status tells the end."""
    dsn, schema = pg
    emulator: RunningEmulator = await emulator_factory(default_duration_s=0.6)
    env = cli_env(emulator)
    jobs = _jobs_file(tmp_path / "jobs.jsonl", JOBS)
    shared = ["--journal", dsn, "--name", "nightly", "--schema", schema]
    # 8 claimed at a time and 20 submits/s keep the jobs a few seconds' work, which the
    # worker (started once they are loaded, then two budget refreshes before it sends) shares.
    tuning = ["--claim-limit", "8", "--submit-rate", "20", "--lease", "3", "--poll-scale", "0.01"]
    tuning.append("--json")
    out = tmp_path / "results.jsonl"
    loader = await start_cli("batch", str(jobs), "--out", str(out), *shared, *tuning, env=env)
    try:
        deadline = time.monotonic() + WAIT_DEADLINE_S
        while await _job_count(dsn, schema, "nightly") < JOBS:
            assert time.monotonic() < deadline, "the batch was never loaded"
            await asyncio.sleep(0.05)
        worker = await run_cli("worker", *shared, *tuning, env=env, timeout=90)
        loaded_out, loaded_err = await asyncio.wait_for(loader.communicate(), 90)
    finally:
        if loader.returncode is None:
            loader.kill()
            await loader.wait()
    assert loader.returncode == 0, loaded_err.decode()
    assert worker.code == 0, worker.stderr
    loaded = json.loads(loaded_out)
    assert loaded["counts"]["completed"] == JOBS
    assert loaded["unfinished"] == 0
    assert worker.json()["worker"]["finished"] > 0, "the worker took no part"
    assert loaded["worker"]["finished"] > 0
    assert loaded["worker"]["finished"] + worker.json()["worker"]["finished"] == JOBS
    state = emulator.state
    assert len(state.submits_recorded) == JOBS
    assert set(state.submits_recorded.values()) == {1}
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == JOBS
    assert {line["status"] for line in lines} == {"completed"}
    assert sorted(line["line"] for line in lines) == list(range(1, JOBS + 1))

    status, listing, again = await asyncio.gather(  # three readers of the finished batch
        run_cli("status", *shared, "--json", env=env),
        run_cli("status", "--journal", dsn, "--schema", schema, "--json", env=env),
        run_cli("batch", str(jobs), "--out", str(tmp_path / "r2.jsonl"), *shared, env=env),
    )
    assert status.code == 0, status.stderr
    body = status.json()
    assert (body["jobs"], body["unfinished"], body["eta_s"]) == (JOBS, 0, 0.0)
    assert body["credits_used"] == pytest.approx(state.charged)
    assert listing.json() == {"batches": {"nightly": JOBS}}
    assert again.code == EXIT_USAGE
    assert "--resume" in again.stderr


async def test_worker_and_status_refuse_what_they_cannot_do(
    emulator: RunningEmulator, pg: tuple[str, str]
) -> None:
    """A worker on a batch with no jobs, status without a task or a journal, and a file path
    as a worker's journal all exit 2 with a message; nothing is sent."""
    dsn, schema = pg
    env = cli_env(emulator)
    empty = await run_cli("worker", "--journal", dsn, "--name", "nope", "--schema", schema, env=env)
    assert empty.code == EXIT_USAGE
    assert "no jobs" in empty.stderr
    bare = await run_cli("status", env=env)
    assert bare.code == EXIT_USAGE
    assert "OUT_TASK_ID" in bare.stderr
    path = await run_cli("worker", "--journal", "run.db", "--name", "x", env=env)
    assert path.code == EXIT_USAGE
    assert "postgresql://" in path.stderr
    assert sum(emulator.state.request_counts.values()) == 0
