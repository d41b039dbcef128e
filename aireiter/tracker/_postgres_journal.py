"""A journal in PostgreSQL, shared by every worker and web-app replica of a batch.

``PostgresJournal(dsn, name="nightly")`` keeps the jobs of batch ``nightly`` in the tables of
:mod:`._pg_schema` (created or migrated on open unless ``create_schema=False``). Several tracker
runs, on any number of hosts, work on one batch at once:

- **Claims.** :meth:`~PostgresJournal.claim` takes the unfinished jobs whose claim is void
  (no owner, its owner's lease and heartbeat ran out, or its owner was a process of this host
  that is gone) with ``SELECT ... FOR UPDATE SKIP LOCKED`` in one statement, so two workers
  claiming at once get disjoint jobs. Jobs already sent are always taken over; never-sent
  (``QUEUED``) jobs are taken until the run holds ``claim_limit`` of them, so a batch spreads
  over the workers instead of landing on the first. Leases are read from the database clock.
- **Heartbeats.** :meth:`~PostgresJournal.renew` upserts the run's row in ``aireiter_workers``;
  a job's claim holds while its own lease or its owner's heartbeat does (one row written per
  heartbeat, not one per job). :meth:`~PostgresJournal.live_owners` counts the live runs, so
  each takes its share of the batch's ``submit_rate``/``query_rate``.
- **Batched writes.** ``update``/``update_owned`` calls that arrive together are written by one
  statement (see :mod:`._pg_writer`); ``add`` writes a whole list in one statement. Each is
  committed (durable) when the call returns. :attr:`~PostgresJournal.statements` counts the
  statements sent.
- **Results from any replica.** A replica that resolves another's job (a webhook that landed on
  it) writes the result with ``update``; :meth:`~PostgresJournal.finished_since` lets the job's
  owner pick it up.

Needs the ``asyncpg`` driver: ``pip install 'aireiter[postgres]'``.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

import attrs

from .._exceptions import JournalError, ParamError
from ._claims import owner_is_dead
from ._journal import (
    DuplicateJobError,
    JobRecord,
    JobState,
    check_changes,
    duplicates_within,
    stamp_times,
)
from ._pg_rows import TERMINAL, UNFINISHED, decode, encode_changes, insert_arrays, insert_sql
from ._pg_schema import SCHEMA_VERSION, Tables, migrate
from ._pg_sql import Statements
from ._pg_status import BatchSummary, WorkerInfo, summarize
from ._pg_writer import UpdateWriter

if TYPE_CHECKING:
    import asyncpg

__all__ = [
    "DEFAULT_BATCH_NAME",
    "DEFAULT_CLAIM_LIMIT",
    "DEFAULT_PG_POOL_SIZE",
    "SCHEMA_VERSION",
    "BatchSummary",
    "PostgresJournal",
    "WorkerInfo",
    "redact_dsn",
]

DEFAULT_BATCH_NAME: Final = "default"  # the batch of a journal opened without name=
DEFAULT_CLAIM_LIMIT: Final = 500  # never-sent jobs one run holds at most (claims top up to it)
DEFAULT_PG_POOL_SIZE: Final = 4  # connections per journal object at most
DEFAULT_PG_CONNECT_TIMEOUT_S: Final = 10.0  # opening one connection
DEFAULT_PACE_WINDOW_S: Final = 60.0  # summary(): the pace is measured over this many seconds
_RETRY_DELAYS_S: Final = (0.2, 1.0, 3.0)  # a statement whose connection was lost is retried
_HOST: Final = socket.gethostname()
_USE_DEFAULT: Final[Any] = object()

_SECRET_IN_URL: Final = re.compile(r"(://[^:/@]*:)([^@]*)(@)")
_SECRET_IN_QUERY: Final = re.compile(r"(?i)(password=)([^&]*)")


def redact_dsn(dsn: str) -> str:
    """``dsn`` with its password (in the user part or as ``password=``) replaced by ``***``."""
    return _SECRET_IN_QUERY.sub(r"\1***", _SECRET_IN_URL.sub(r"\1***\3", dsn))


def _connection_errors() -> tuple[type[BaseException], ...]:
    import asyncpg

    return (
        OSError,
        asyncio.TimeoutError,
        asyncpg.PostgresConnectionError,
        asyncpg.exceptions.ConnectionDoesNotExistError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.AdminShutdownError,
        # an idle connection the server ended is noticed on its next use as this
        asyncpg.exceptions.InternalClientError,
    )


def _import_asyncpg() -> Any:
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - the test environment has it
        raise ModuleNotFoundError(
            "PostgresJournal needs the asyncpg driver: pip install 'aireiter[postgres]'",
            name="asyncpg",
        ) from None
    return asyncpg


class PostgresJournal:
    """The jobs of batch ``name`` in the PostgreSQL database at ``dsn`` (see the module doc).

    - ``schema``: the tables' schema (default: the connection's ``search_path``).
    - ``create_schema``: create or migrate the tables on open (default); ``False`` only checks
      their version (``aireiter journal migrate`` creates them).
    - ``claim_limit``: never-sent jobs one run holds at most (``None``: every one it can take).
    - ``pool``: an ``asyncpg`` pool of the application's to use (not closed here); else one of
      at most ``pool_size`` connections is opened.

    Use it as an async context manager, or call :meth:`open` and :meth:`close`. The DSN's
    password never appears in its repr or errors.
    """

    def __init__(
        self,
        dsn: str,
        *,
        name: str = DEFAULT_BATCH_NAME,
        schema: str | None = None,
        create_schema: bool = True,
        claim_limit: int | None = DEFAULT_CLAIM_LIMIT,
        pool_size: int = DEFAULT_PG_POOL_SIZE,
        pool: asyncpg.Pool | None = None,
        connect_timeout_s: float = DEFAULT_PG_CONNECT_TIMEOUT_S,
    ) -> None:
        if not isinstance(dsn, str) or not dsn.startswith(("postgresql://", "postgres://")):
            raise ParamError.single("dsn", redact_dsn(str(dsn)), "must be a postgresql:// URL")
        if not isinstance(name, str) or not name or len(name) > 200:
            raise ParamError.single("name", name, "must be a non-empty string (<= 200 chars)")
        if schema is not None and (not isinstance(schema, str) or not schema):
            raise ParamError.single("schema", schema, "must be a non-empty string or None")
        if claim_limit is not None and (not isinstance(claim_limit, int) or claim_limit < 1):
            raise ParamError.single("claim_limit", claim_limit, "must be an int >= 1 or None")
        if not isinstance(pool_size, int) or pool_size < 1:
            raise ParamError.single("pool_size", pool_size, "must be an int >= 1")
        _import_asyncpg()
        self.dsn = dsn
        self.name = name
        """The batch: the jobs of this journal are the rows with this ``batch``."""
        self.tables = Tables(schema)
        self._sql = Statements(self.tables)
        self.create_schema = create_schema
        self.claim_limit = claim_limit
        self.pool_size = pool_size
        self.connect_timeout_s = connect_timeout_s
        self._given_pool = pool
        self._pool: Any = None
        self._writer: UpdateWriter | None = None
        self._retryable: tuple[type[BaseException], ...] = ()
        self.skew = 0.0
        """The database clock minus this host's, in seconds (measured at open and heartbeat)."""
        self.statements = 0
        """How many SQL statements this object has sent (a measure of batching)."""

    def __repr__(self) -> str:
        state = "open" if self._writer is not None else "closed"
        return f"PostgresJournal({redact_dsn(self.dsn)!r}, name={self.name!r}, {state})"

    # --- lifecycle ----------------------------------------------------------------------------
    async def open(self) -> None:
        """Connect, create or check the tables, start the writer. Idempotent."""
        if self._writer is not None:
            return
        asyncpg = _import_asyncpg()
        self._retryable = _connection_errors()
        pool = self._given_pool
        if pool is None:
            try:
                pool = await asyncpg.create_pool(
                    self.dsn,
                    min_size=1,
                    max_size=self.pool_size,
                    timeout=self.connect_timeout_s,
                    # pg_stat_activity shows which batch a connection works for
                    server_settings={"application_name": f"aireiter:{self.name}"[:63]},
                )
            except (*self._retryable, asyncpg.PostgresError) as exc:
                raise JournalError(
                    f"cannot open the PostgreSQL journal at {redact_dsn(self.dsn)}: "
                    f"{type(exc).__name__}: {redact_dsn(str(exc))}"
                ) from None
        self._pool = pool
        try:
            await self._call(self._prepare)
        except BaseException:
            await self._close_pool()
            raise
        writer = UpdateWriter(self._call, self.tables.jobs, self.name, self._count)
        writer.start()
        self._writer = writer

    async def _prepare(self, conn: Any) -> None:
        self._count(4)
        await migrate(conn, self.tables, create=self.create_schema)
        await self._measure_skew(conn)

    async def _measure_skew(self, conn: Any) -> None:
        self._count(1)
        before = time.time()
        db_now = await conn.fetchval("SELECT extract(epoch from clock_timestamp())::float8")
        after = time.time()
        self.skew = float(db_now) - (before + after) / 2

    async def close(self) -> None:
        """Write what is queued and close the connections (not a pool given). Idempotent."""
        writer, self._writer = self._writer, None
        try:
            if writer is not None:
                await writer.stop()
        finally:
            await self._close_pool()

    async def _close_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None and self._given_pool is None:
            await pool.close()

    async def __aenter__(self) -> PostgresJournal:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- running statements -------------------------------------------------------------------
    def _count(self, statements: int) -> None:
        self.statements += statements

    async def _call(self, work: Callable[[Any], Awaitable[Any]], *, retry: bool = True) -> Any:
        """``work(connection)`` on a pooled connection; retried (it must be idempotent) when
        the connection was lost; database errors become :class:`~aireiter.JournalError`."""
        import asyncpg

        pool = self._pool
        if pool is None:
            raise RuntimeError(f"{self!r} is not open (use 'async with' or 'await open()')")
        delays = list(_RETRY_DELAYS_S) if retry else []
        while True:
            try:
                async with pool.acquire() as conn:
                    try:
                        return await work(conn)
                    except self._retryable:
                        conn.terminate()  # the pool opens a fresh one in its place
                        raise
            except self._retryable as exc:
                if not delays:
                    raise JournalError(
                        f"{self!r}: lost the database connection ({type(exc).__name__}: "
                        f"{redact_dsn(str(exc))})"
                    ) from exc
                await asyncio.sleep(delays.pop(0))
            except asyncpg.PostgresError as exc:
                raise JournalError(f"{self!r}: {type(exc).__name__}: {exc}") from exc

    def _running(self) -> UpdateWriter:
        writer = self._writer
        if writer is None:
            raise RuntimeError(f"{self!r} is not open (use 'async with' or 'await open()')")
        return writer

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        self._running()

        async def work(conn: Any) -> list[Any]:
            self._count(1)
            rows: list[Any] = await conn.fetch(sql, *args)
            return rows

        rows: list[Any] = await self._call(work)
        return rows

    def _select(self, where: str, order: bool = True) -> str:
        return self._sql.select + where + (" ORDER BY j.seq" if order else "")

    def _decode(self, rows: Sequence[Any]) -> list[JobRecord]:
        skew = self.skew
        return [decode(row, skew) for row in rows]

    # --- the journal methods ------------------------------------------------------------------
    async def add(self, records: Sequence[JobRecord]) -> None:
        """Store new jobs in one statement; :class:`DuplicateJobError` (nothing stored) if an
        id exists already."""
        self._running()
        if not records:
            return
        dup = duplicates_within(records)
        if dup:
            raise DuplicateJobError(dict.fromkeys(dup))
        import asyncpg

        now = time.time()
        arrays = insert_arrays([stamp_times(r, now) for r in records], self.skew)
        sql = insert_sql(self.tables.jobs)

        async def work(conn: Any) -> None:
            self._count(1)
            try:
                await conn.execute(sql, self.name, *arrays)
            except asyncpg.UniqueViolationError:
                self._count(1)
                rows = await conn.fetch(self._sql.ids_present, self.name, arrays[0])
                raise DuplicateJobError([row[0] for row in rows]) from None

        await self._call(work, retry=False)

    async def update(self, out_task_id: str, **changes: Any) -> None:
        """Change fields of one job (``updated_at`` defaults to the database clock); written,
        with the others that arrived meanwhile, by one statement; durable on return."""
        encoded = encode_changes(check_changes(changes), self.skew)
        await self._running().update(out_task_id, None, encoded)

    async def update_many(self, changes: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """Apply several updates in one transaction, all or nothing (in line with the updates
        queued before it)."""
        writer = self._running()
        if not changes:
            return
        merged: dict[str, dict[str, Any]] = {}
        for oid, fields in changes:
            merged.setdefault(oid, {}).update(check_changes(fields))
        skew = self.skew
        await writer.update_many([(oid, encode_changes(f, skew)) for oid, f in merged.items()])

    async def get(self, out_task_id: str) -> JobRecord | None:
        """One job, or ``None``."""
        rows = await self._fetch(
            self._select("j.out_task_id = $2", order=False), self.name, out_task_id
        )
        return self._decode(rows)[0] if rows else None

    async def records(self, states: Collection[JobState] | None = None) -> list[JobRecord]:
        """Every job of the batch (in ``states``), in the order they were added."""
        if states is None:
            rows = await self._fetch(self._select("TRUE"), self.name)
        else:
            wanted = sorted({JobState(s).value for s in states})
            if not wanted:
                return []
            rows = await self._fetch(self._select("j.state = ANY($2::text[])"), self.name, wanted)
        return self._decode(rows)

    async def counts(self) -> dict[JobState, int]:
        """How many jobs of the batch are in each state."""
        counts = dict.fromkeys(JobState, 0)
        rows = await self._fetch(self._sql.counts, self.name)
        for state, count in rows:
            counts[JobState(state)] = int(count)
        return counts

    # --- claims -------------------------------------------------------------------------------
    async def claim(
        self, owner: str, *, lease_s: float, limit: int | None = _USE_DEFAULT
    ) -> list[JobRecord]:
        """Take the unfinished jobs whose claim is void for ``owner`` until now + ``lease_s``
        (database clock): every one already sent, and never-sent ones until ``owner`` holds
        ``limit`` of them (default :attr:`claim_limit`). Rows another worker is claiming at
        the same moment are skipped (``SKIP LOCKED``), so claims never overlap. Returns every
        unfinished job ``owner`` now holds, in the order they were added."""
        writer = self._running()
        await writer.drain()
        limit = self.claim_limit if limit is _USE_DEFAULT else limit
        sql = self._sql.claim

        async def work(conn: Any) -> list[Any]:
            dead = await self._dead_owners(conn, owner)
            self._count(2)
            rows: list[Any] = await conn.fetch(
                sql, self.name, owner, float(lease_s), UNFINISHED, dead, limit
            )
            return rows

        rows = await self._call(work)
        # The statement's snapshot shows the rows it took as they were: now they are owner's.
        until = time.time() + lease_s
        return [
            attrs.evolve(record, owner=owner, lease_until=max(record.lease_until, until))
            for record in self._decode(rows)
        ]

    async def _dead_owners(self, conn: Any, owner: str) -> list[str]:
        """The owners of this host's processes that are gone and still hold jobs."""
        prefix = _HOST + ":"
        sql = self._sql.dead_candidates
        rows = await conn.fetch(sql, self.name, len(prefix), prefix, owner, UNFINISHED)
        return [row[0] for row in rows if owner_is_dead(row[0])]

    async def renew(self, owner: str, *, lease_s: float) -> int:
        """The heartbeat: upsert ``owner``'s row in ``aireiter_workers`` with a lease until
        now + ``lease_s`` (its claims hold while it does); how many unfinished jobs it holds."""
        self._running()
        sql = self._sql.renew

        async def work(conn: Any) -> int:
            self._count(1)
            before = time.time()
            row = await conn.fetchrow(sql, self.name, owner, float(lease_s), UNFINISHED)
            after = time.time()
            if after - before < 0.05:  # a quick answer: a fair reading of the clock
                self.skew = float(row[0]) - (before + after) / 2
            return int(row[1])

        held: int = await self._call(work)
        return held

    async def release(self, owner: str) -> None:
        """Give up ``owner``'s claims on its unfinished jobs and remove its heartbeat row
        (after every update queued before it is written)."""
        await self._running().drain()
        sql = self._sql.release

        async def work(conn: Any) -> None:
            self._count(1)
            await conn.execute(sql, self.name, owner, UNFINISHED)

        await self._call(work)

    async def holders(self) -> dict[str, int]:
        """Owners with a live claim on unfinished jobs, and how many each holds."""
        rows = await self._fetch(self._sql.holders, self.name, UNFINISHED)
        return {
            owner: int(count) for owner, count, live in rows if live and not owner_is_dead(owner)
        }

    async def update_owned(self, out_task_id: str, owner: str, **changes: Any) -> bool:
        """Update one job while ``owner`` holds its claim (checked by the same statement);
        False, nothing written, when another run has taken it over."""
        changes.setdefault("owner", owner)
        encoded = encode_changes(check_changes(changes), self.skew)
        return await self._running().update(out_task_id, owner, encoded)

    # --- sharing a batch ----------------------------------------------------------------------
    async def live_owners(self) -> int:
        """How many runs heartbeated on this batch within their lease (at least 1: the caller);
        processes of this host that are gone are not counted."""
        rows = await self._fetch(self._sql.live_owners, self.name)
        return max(1, sum(1 for (owner,) in rows if not owner_is_dead(owner)))

    async def finished_since(self, owner: str, since: float) -> list[JobRecord]:
        """The jobs ``owner`` holds that became final after Unix time ``since`` (whoever
        wrote it: another replica that received the job's callback, say)."""
        rows = await self._fetch(
            self._select("j.owner = $2 AND j.state = ANY($3::text[]) AND j.updated_at > $4"),
            self.name,
            owner,
            TERMINAL,
            float(since) + self.skew,
        )
        return self._decode(rows)

    # --- looking at a batch -------------------------------------------------------------------
    async def workers(self) -> list[WorkerInfo]:
        """Every run with a heartbeat row on this batch, the oldest first."""
        rows = await self._fetch(self._sql.workers, self.name, UNFINISHED)
        skew = self.skew
        return [
            WorkerInfo(
                owner=owner,
                started_at=started - skew,
                heartbeat_at=beat - skew,
                lease_until=until - skew,
                live=bool(live) and not owner_is_dead(owner),
                held=int(held),
            )
            for owner, started, beat, until, live, held in rows
        ]

    async def summary(self, *, window_s: float = DEFAULT_PACE_WINDOW_S) -> BatchSummary:
        """The batch now: jobs by state, credits, workers, and the pace over the last
        ``window_s`` seconds (for ``aireiter status --journal``)."""
        rows = await self._fetch(self._sql.summary, self.name, float(window_s))
        workers = await self.workers()
        return summarize(self.name, rows, workers, window_s=window_s, skew=self.skew)

    async def batches(self) -> dict[str, int]:
        """Every batch in these tables, with how many jobs each has."""
        rows = await self._fetch(self._sql.batches)
        return {batch: int(count) for batch, count in rows}
