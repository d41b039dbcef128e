"""A journal in one SQLite file (standard library), durable once ``add``/``update`` returns.

How it stays cheap for many jobs: one writer thread owns the only connection and drains a
queue of operations. Whatever has queued up while it was busy runs as one transaction (each
operation inside its own savepoint, so one failing ``add`` undoes only itself), followed by
one ``COMMIT``; then every waiting coroutine of that batch is woken with a single
``call_soon_threadsafe``. Ten thousand jobs updated from ten thousand coroutines cost a
handful of commits, not ten thousand, and nothing per job lives in Python memory.

Durability: the file is in WAL mode. ``synchronous="NORMAL"`` (the default) makes a change
durable against the *process* dying (SIGKILL, a crash, Ctrl-C) the moment its ``COMMIT``
returns, which is before the awaiting coroutine resumes: the WAL write has reached the
operating system. It is not fsynced on every commit, so a *power loss* or kernel crash can
drop the last commits (the file stays consistent). ``synchronous="FULL"`` adds one fsync per
batch and survives that too.

Reads (``get``, ``records``, ``counts``) go through the same queue, so they always see every
write that was awaited before them. Other processes may read the file at any time (WAL).
An awaiting coroutine that is cancelled does not withdraw its operation: once queued, it is
written.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal

import attrs

from .._exceptions import JournalError
from ._claims import claim_is_void, owner_is_dead
from ._journal import (
    UNFINISHED_STATES,
    DuplicateJobError,
    JobRecord,
    JobState,
    UnknownJobError,
    check_changes,
    duplicates_within,
    stamp_times,
)

__all__ = [
    "DEFAULT_SQLITE_BUSY_TIMEOUT_S",
    "MAX_BATCH_OPS",
    "SCHEMA_VERSION",
    "SQLiteJournal",
    "nothing_to_resume",
]

logger = logging.getLogger("aireiter.tracker")

SCHEMA_VERSION: Final = 3  # PRAGMA user_version (2: claims and retries; 3: timeline)
MAX_BATCH_OPS: Final = 1024  # operations committed together at most
SQLITE_CACHE_KIB: Final = 512  # page cache of the journal's connection
DEFAULT_SQLITE_BUSY_TIMEOUT_S: Final = 10.0  # wait this long for another process's lock
_IN_CHUNK: Final = 500  # ids per "IN (...)" query (SQLite's variable limit can be 999)

_COLUMNS: Final = tuple(a.name for a in attrs.fields(JobRecord))  # the table's column order
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS jobs (
    out_task_id TEXT PRIMARY KEY NOT NULL,
    model TEXT NOT NULL,
    params TEXT NOT NULL,
    metadata TEXT,
    callback_url TEXT,
    state TEXT NOT NULL,
    task_id TEXT,
    estimated_credits REAL,
    credits_used REAL,
    output_urls TEXT,
    error TEXT,
    submit_attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    downloaded TEXT,
    owner TEXT,
    lease_until REAL NOT NULL DEFAULT 0,
    adopted INTEGER NOT NULL DEFAULT 0,
    retried_as TEXT,
    retries INTEGER NOT NULL DEFAULT 0,
    submitted_at REAL,
    processing_at REAL
)
"""
# Columns added by each schema version (a version-1 file gets them on open).
_MIGRATIONS: Final = {
    2: (
        "ALTER TABLE jobs ADD COLUMN owner TEXT",
        "ALTER TABLE jobs ADD COLUMN lease_until REAL NOT NULL DEFAULT 0",
        "ALTER TABLE jobs ADD COLUMN adopted INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE jobs ADD COLUMN retried_as TEXT",
        "ALTER TABLE jobs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0",
    ),
    3: (
        "ALTER TABLE jobs ADD COLUMN submitted_at REAL",
        "ALTER TABLE jobs ADD COLUMN processing_at REAL",
    ),
}
_UNFINISHED: Final = tuple(state.value for state in UNFINISHED_STATES)
_UNFINISHED_SQL: Final = ", ".join(f"'{value}'" for value in _UNFINISHED)
_SELECT: Final = f"SELECT {', '.join(_COLUMNS)} FROM jobs"  # noqa: S608 (constant names)
# Partial indexes for what a run sharing the file reads every second (made on open, to old
# files too: an index holds no data of its own). Claimed unfinished jobs by owner: the live
# owners are found by a few index seeks, not a scan. Finished jobs by owner and time: what
# another process finished lately is a range read.
_INDEXES: Final = (
    "CREATE INDEX IF NOT EXISTS jobs_claimed ON jobs(owner, lease_until) "
    f"WHERE owner IS NOT NULL AND state IN ({_UNFINISHED_SQL})",
    "CREATE INDEX IF NOT EXISTS jobs_finished ON jobs(owner, updated_at) "
    f"WHERE state NOT IN ({_UNFINISHED_SQL})",
)
# The owners of claimed unfinished jobs, each with its latest lease: one index seek per owner.
_LIVE_OWNERS: Final = f"""
WITH RECURSIVE owners(name) AS (
    SELECT (SELECT owner FROM jobs
            WHERE owner IS NOT NULL AND state IN ({_UNFINISHED_SQL})
            ORDER BY owner LIMIT 1)
    UNION ALL
    SELECT (SELECT owner FROM jobs
            WHERE owner IS NOT NULL AND state IN ({_UNFINISHED_SQL}) AND owner > name
            ORDER BY owner LIMIT 1)
    FROM owners WHERE name IS NOT NULL
)
SELECT name, (SELECT lease_until FROM jobs
              WHERE owner IS NOT NULL AND state IN ({_UNFINISHED_SQL}) AND owner = name
              ORDER BY lease_until DESC LIMIT 1)
FROM owners WHERE name IS NOT NULL
"""  # noqa: S608 (constant state names)
_INSERT: Final = (
    f"INSERT INTO jobs ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"  # noqa: S608
)
_JSON_FIELDS: Final = frozenset({"params", "metadata"})
_LIST_FIELDS: Final = frozenset({"output_urls", "downloaded"})

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

Synchronous = Literal["NORMAL", "FULL"]
_Work = Callable[[sqlite3.Connection, Any], Any]
_Op = tuple[_Work, Any, "asyncio.Future[Any]"]
_Result = tuple["asyncio.Future[Any]", BaseException | None, Any]


def _encode(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _JSON_FIELDS:
        return _dumps(value)
    if name in _LIST_FIELDS:
        return _dumps(list(value)) if value else None
    if name == "state":
        return JobState(value).value
    if name == "adopted":
        return int(bool(value))
    return value


def _row(record: JobRecord) -> tuple[Any, ...]:
    return tuple(_encode(name, getattr(record, name)) for name in _COLUMNS)


def _decode(row: Sequence[Any]) -> JobRecord:
    fields = dict(zip(_COLUMNS, row, strict=True))
    for name in _JSON_FIELDS:
        if fields[name] is not None:
            fields[name] = json.loads(fields[name])
    for name in _LIST_FIELDS:
        fields[name] = tuple(json.loads(fields[name])) if fields[name] else ()
    fields["adopted"] = bool(fields["adopted"])
    return JobRecord(**fields)


@functools.lru_cache(maxsize=256)
def _update_sql(names: tuple[str, ...]) -> str:
    sets = ", ".join(f"{name} = ?" for name in names)  # names are checked JobRecord fields
    return f"UPDATE jobs SET {sets} WHERE out_task_id = ?"  # noqa: S608


def _prepared_update(
    out_task_id: str, changes: Mapping[str, Any], now: float
) -> tuple[str, str, tuple[Any, ...]]:
    fields = check_changes(changes)
    fields.setdefault("updated_at", now)
    names = tuple(sorted(fields))
    values = [_encode(name, fields[name]) for name in names]
    values.append(out_task_id)
    return out_task_id, _update_sql(names), tuple(values)


# --- work done on the writer thread ---------------------------------------------------------
def _do_add(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    conn.execute("SAVEPOINT add_rows")
    try:
        conn.executemany(_INSERT, rows)
    except sqlite3.IntegrityError:
        conn.execute("ROLLBACK TO add_rows")
        conn.execute("RELEASE add_rows")
        ids = [row[0] for row in rows]
        existing: list[str] = []
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT out_task_id FROM jobs WHERE out_task_id IN ({marks})"  # noqa: S608
            existing += [r[0] for r in conn.execute(sql, chunk)]
        if existing:
            raise DuplicateJobError(existing) from None
        raise
    conn.execute("RELEASE add_rows")


def _do_update(conn: sqlite3.Connection, updates: list[tuple[str, str, tuple[Any, ...]]]) -> None:
    for out_task_id, sql, values in updates:
        if conn.execute(sql, values).rowcount == 0:
            raise UnknownJobError(out_task_id)


def _do_get(conn: sqlite3.Connection, out_task_id: str) -> JobRecord | None:
    row = conn.execute(f"{_SELECT} WHERE out_task_id = ?", (out_task_id,)).fetchone()
    return None if row is None else _decode(row)


def _do_records(conn: sqlite3.Connection, states: tuple[str, ...] | None) -> list[JobRecord]:
    if states is None:
        rows = conn.execute(f"{_SELECT} ORDER BY rowid")
    else:
        marks = ", ".join("?" * len(states))
        rows = conn.execute(f"{_SELECT} WHERE state IN ({marks}) ORDER BY rowid", states)
    return [_decode(row) for row in rows]


def _do_counts(conn: sqlite3.Connection, _arg: None) -> dict[JobState, int]:
    counts = dict.fromkeys(JobState, 0)
    for state, count in conn.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state"):
        counts[JobState(state)] = count
    return counts


def _do_claim(conn: sqlite3.Connection, arg: tuple[str, float, float]) -> list[JobRecord]:
    owner, now, until = arg
    others = [
        row[0]
        for row in conn.execute(
            f"SELECT DISTINCT owner FROM jobs WHERE state IN ({_UNFINISHED_SQL}) "  # noqa: S608
            "AND owner IS NOT NULL AND owner != ?",
            (owner,),
        )
    ]
    dead = [other for other in others if owner_is_dead(other)]
    marks = ", ".join("?" * len(dead)) or "NULL"
    conn.execute(
        f"UPDATE jobs SET owner = ?, lease_until = ? WHERE state IN ({_UNFINISHED_SQL}) "  # noqa: S608
        f"AND (owner IS NULL OR owner = ? OR lease_until < ? OR owner IN ({marks}))",
        (owner, until, owner, now, *dead),
    )
    rows = conn.execute(
        f"{_SELECT} WHERE owner = ? AND state IN ({_UNFINISHED_SQL}) ORDER BY rowid", (owner,)
    )
    return [_decode(row) for row in rows]


def _do_renew(conn: sqlite3.Connection, arg: tuple[str, float]) -> int:
    owner, until = arg
    cursor = conn.execute(
        f"UPDATE jobs SET lease_until = ? WHERE owner = ? AND state IN ({_UNFINISHED_SQL})",  # noqa: S608
        (until, owner),
    )
    return cursor.rowcount


def _do_release(conn: sqlite3.Connection, owner: str) -> None:
    conn.execute(
        f"UPDATE jobs SET owner = NULL, lease_until = 0 WHERE owner = ? "  # noqa: S608
        f"AND state IN ({_UNFINISHED_SQL})",
        (owner,),
    )


def _do_holders(conn: sqlite3.Connection, now: float) -> dict[str, int]:
    found: dict[str, int] = {}
    for owner, lease_until, count in conn.execute(
        f"SELECT owner, MAX(lease_until), COUNT(*) FROM jobs WHERE owner IS NOT NULL "  # noqa: S608
        f"AND state IN ({_UNFINISHED_SQL}) GROUP BY owner"
    ):
        if not claim_is_void(owner, lease_until, me="", now=now):
            found[owner] = count
    return found


def _do_live_owners(conn: sqlite3.Connection, now: float) -> int:
    return sum(
        1
        for owner, lease_until in conn.execute(_LIVE_OWNERS)
        if not claim_is_void(owner, lease_until, me="", now=now)
    )


def _do_finished_since(conn: sqlite3.Connection, arg: tuple[str, float]) -> list[JobRecord]:
    owner, since = arg
    rows = conn.execute(
        f"{_SELECT} WHERE owner = ? AND state NOT IN ({_UNFINISHED_SQL}) "
        "AND updated_at > ? ORDER BY rowid",
        (owner, since),
    )
    return [_decode(row) for row in rows]


def _do_update_owned(
    conn: sqlite3.Connection, arg: tuple[str, str, tuple[str, str, tuple[Any, ...]]]
) -> bool:
    out_task_id, owner, (_, sql, values) = arg
    row = conn.execute("SELECT owner FROM jobs WHERE out_task_id = ?", (out_task_id,)).fetchone()
    if row is None:
        raise UnknownJobError(out_task_id)
    if row[0] not in (None, owner):
        return False
    conn.execute(sql, values)
    return True


def _connect(path: str, synchronous: Synchronous, busy_timeout_s: float) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=True
    )
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"journal {path} has schema version {version}; this aireiter reads "
                f"{SCHEMA_VERSION} (upgrade aireiter)",
                path=path,
            )
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            logger.warning("journal %s: WAL mode unavailable, using %s", path, mode)
        conn.execute(f"PRAGMA synchronous={synchronous}")
        # Rows are written once and rarely read back: a small page cache (KiB) keeps memory
        # flat; the operating system caches the file.
        conn.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        conn.execute("BEGIN IMMEDIATE")
        fresh = (
            conn.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'jobs'"
            ).fetchone()[0]
            == 0
        )
        conn.execute(_SCHEMA)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if not fresh:
            for target in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[target]:
                    conn.execute(statement)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        for statement in _INDEXES:
            conn.execute(statement)
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise JournalError(
            f"journal {path} cannot be used ({exc}): it is damaged or not an aireiter "
            "journal. Keep a copy, then move it aside to start afresh (its jobs may have "
            "been submitted: query their ids before sending them again).",
            path=path,
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


_SQLITE_HEADER: Final = b"SQLite format 3\x00"


def nothing_to_resume(
    path: str | os.PathLike[str],
    *,
    allow_empty: bool = False,
    busy_timeout_s: float = DEFAULT_SQLITE_BUSY_TIMEOUT_S,
) -> str | None:
    """What is at ``path`` when it holds no journal with jobs to resume (``"does not exist"``,
    ``"is an empty file (0 bytes) ..."``, ``"is a journal with no jobs"`` unless
    ``allow_empty`` ...), else ``None``. Read-only: nothing is created or changed in the
    file. A file that is not SQLite at all also gives ``None``: opening it reports it as
    damaged."""
    file = Path(path)
    if not file.exists():
        return "does not exist"
    if not file.is_file():
        return "is not a file"
    size = file.stat().st_size
    if size == 0:
        return (
            "is an empty file (0 bytes), not a journal (a tool that opens a missing path, "
            "such as sqlite3, leaves one)"
        )
    with file.open("rb") as head:
        if head.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            return None
    try:
        conn = sqlite3.connect(
            f"{file.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout_s
        )
    except sqlite3.Error:
        return None
    try:
        tables = conn.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'jobs'"
        ).fetchone()[0]
        if not tables:
            return f"is an SQLite file ({size} bytes) with no journal in it (no jobs table)"
        if not allow_empty and conn.execute("SELECT 1 FROM jobs LIMIT 1").fetchone() is None:
            return "is a journal with no jobs"
    except sqlite3.Error:
        return None  # damaged: opening it says so
    finally:
        conn.close()
    return None


class SQLiteJournal:
    """A durable journal in the SQLite file ``path`` (created if missing; see the module doc).

    ``synchronous`` is ``"NORMAL"`` (durable against the process dying; the default) or
    ``"FULL"`` (also against power loss, one fsync per batch). Use it as an async context
    manager, or call :meth:`open` and :meth:`close`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: Synchronous = "NORMAL",
        busy_timeout_s: float = DEFAULT_SQLITE_BUSY_TIMEOUT_S,
    ) -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be 'NORMAL' or 'FULL', not {synchronous!r}")
        self.path = Path(path)
        self.synchronous: Synchronous = synchronous
        self.busy_timeout_s = busy_timeout_s
        self._queue: queue.SimpleQueue[_Op | None] = queue.SimpleQueue()
        self._gate = threading.Lock()  # orders "queue an op" against "the writer has died"
        self._dead: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Future[None] | None = None
        self.commits = 0
        """How many transactions the writer has committed (a measure of batching)."""

    def __repr__(self) -> str:
        state = "open" if self._thread is not None else "closed"
        return f"SQLiteJournal({str(self.path)!r}, {state})"

    # --- lifecycle ----------------------------------------------------------------------------
    async def open(self) -> None:
        """Open (or create) the file and start the writer thread. Idempotent."""
        if self._thread is not None:
            return
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        stopped: asyncio.Future[None] = loop.create_future()
        self._queue = queue.SimpleQueue()  # nothing left over from an earlier run
        self._dead = None
        self._stopped, self._loop = stopped, loop
        thread = threading.Thread(
            target=self._run, args=(ready,), name=f"aireiter-journal:{self.path.name}", daemon=True
        )
        thread.start()
        try:
            await ready
        except BaseException:
            self._queue.put(None)  # cancelled while opening: stop the thread if it started
            await asyncio.shield(stopped)
            self._loop = None
            raise
        self._thread = thread

    async def close(self) -> None:
        """Write what is queued, checkpoint the WAL, close the file. Idempotent."""
        thread, stopped = self._thread, self._stopped
        if thread is None or stopped is None:
            return
        self._thread = None
        self._queue.put(None)
        await asyncio.shield(stopped)
        self._loop = None

    async def __aenter__(self) -> SQLiteJournal:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def check_resumable(self, *, allow_empty: bool = False) -> None:
        """Raise :class:`JournalError` when the file holds no journal with jobs (missing,
        empty, not a journal; no jobs, unless ``allow_empty``), before anything is created
        or changed in it."""
        found = await asyncio.to_thread(
            functools.partial(
                nothing_to_resume,
                self.path,
                allow_empty=allow_empty,
                busy_timeout_s=self.busy_timeout_s,
            )
        )
        if found is not None:
            raise JournalError(
                f"nothing to resume: the journal path {self.path} {found}. Check the path "
                "(a run whose jobs all finished removes its journal); to start a new run, "
                "use a TaskTracker without resume.",
                path=str(self.path),
            )

    # --- the journal methods ------------------------------------------------------------------
    async def add(self, records: Sequence[JobRecord]) -> None:
        """Store new jobs in one transaction; :class:`DuplicateJobError` if an id exists."""
        if not records:
            return
        dup = duplicates_within(records)
        if dup:
            raise DuplicateJobError(dict.fromkeys(dup))
        now = time.time()
        rows = [_row(stamp_times(record, now)) for record in records]
        await self._call(_do_add, rows)

    async def update(self, out_task_id: str, **changes: Any) -> None:
        """Change fields of one job (``updated_at`` defaults to now); durable on return."""
        await self._call(_do_update, [_prepared_update(out_task_id, changes, time.time())])

    async def update_many(self, changes: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """Apply several updates in one transaction, all or nothing."""
        if not changes:
            return
        now = time.time()
        updates = [_prepared_update(oid, fields, now) for oid, fields in changes]
        await self._call(_do_update, updates)

    async def get(self, out_task_id: str) -> JobRecord | None:
        """One job, or ``None``."""
        result: JobRecord | None = await self._call(_do_get, out_task_id)
        return result

    async def records(self, states: Collection[JobState] | None = None) -> list[JobRecord]:
        """Every job (in ``states``), in the order they were added."""
        arg = None if states is None else tuple(sorted({JobState(s).value for s in states}))
        if arg == ():
            return []
        result: list[JobRecord] = await self._call(_do_records, arg)
        return result

    async def counts(self) -> dict[JobState, int]:
        """How many jobs are in each state (one scan of the table)."""
        result: dict[JobState, int] = await self._call(_do_counts, None)
        return result

    async def claim(self, owner: str, *, lease_s: float) -> list[JobRecord]:
        """Take every unfinished job whose claim is void, in one transaction (so two
        processes claiming at once get disjoint jobs); the jobs ``owner`` holds."""
        now = time.time()
        result: list[JobRecord] = await self._call(_do_claim, (owner, now, now + lease_s))
        return result

    async def renew(self, owner: str, *, lease_s: float) -> int:
        """Extend ``owner``'s claims; how many unfinished jobs it holds."""
        result: int = await self._call(_do_renew, (owner, time.time() + lease_s))
        return result

    async def release(self, owner: str) -> None:
        """Give up ``owner``'s claims on its unfinished jobs."""
        await self._call(_do_release, owner)

    async def holders(self) -> dict[str, int]:
        """Owners with a live claim on unfinished jobs, and how many each holds."""
        result: dict[str, int] = await self._call(_do_holders, time.time())
        return result

    async def live_owners(self) -> int:
        """How many runs hold a live claim on this file's unfinished jobs (at least 1: the
        caller); runs on one file share the tracker's budgets by this count."""
        result: int = await self._call(_do_live_owners, time.time())
        return max(1, result)

    async def finished_since(self, owner: str, since: float) -> list[JobRecord]:
        """The jobs ``owner`` holds that became final after Unix time ``since`` (written by
        another process on this file, say)."""
        result: list[JobRecord] = await self._call(_do_finished_since, (owner, since))
        return result

    async def update_owned(self, out_task_id: str, owner: str, **changes: Any) -> bool:
        """Update one job while ``owner`` holds its claim (checked in the same transaction);
        False, nothing written, when another run has taken it over."""
        changes.setdefault("owner", owner)
        prepared = _prepared_update(out_task_id, changes, time.time())
        result: bool = await self._call(_do_update_owned, (out_task_id, owner, prepared))
        return result

    # --- the queue and the writer thread ------------------------------------------------------
    async def _call(self, work: _Work, arg: Any) -> Any:
        loop = self._loop
        if self._thread is None or loop is None:
            raise RuntimeError(f"{self!r} is not open (use 'async with' or 'await open()')")
        future: asyncio.Future[Any] = loop.create_future()
        with self._gate:
            if self._dead is not None:
                raise RuntimeError(f"{self!r}: the writer thread failed") from self._dead
            self._queue.put((work, arg, future))
        return await future

    def _post(self, callback: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(callback, *args)

    def _run(self, ready: asyncio.Future[None]) -> None:
        stopped = self._stopped
        assert stopped is not None
        try:
            conn = _connect(str(self.path), self.synchronous, self.busy_timeout_s)
        except BaseException as exc:
            self._post(_settle, [(ready, exc, None), (stopped, None, None)])
            return
        self._post(_settle, [(ready, None, None)])
        try:
            self._serve(conn)
        except BaseException as exc:  # a bug or a broken file: fail every waiter, never hang
            logger.exception("journal %s: writer thread failed", self.path)
            self._fail_queued(exc)
        finally:
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                logger.debug("journal %s: checkpoint at close failed: %s", self.path, exc)
            conn.close()
            self._post(_settle, [(stopped, None, None)])

    def _fail_queued(self, exc: BaseException) -> None:
        with self._gate:
            self._dead = exc
        error = RuntimeError(f"{self!r}: the writer thread failed")
        error.__cause__ = exc
        failed: list[_Result] = []
        while True:
            try:
                op = self._queue.get_nowait()
            except queue.Empty:
                break
            if op is not None:
                failed.append((op[2], error, None))
        self._post(_settle, failed)

    def _serve(self, conn: sqlite3.Connection) -> None:
        get, get_nowait = self._queue.get, self._queue.get_nowait
        while True:
            first = get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH_OPS:
                try:
                    op = get_nowait()
                except queue.Empty:
                    break
                if op is None:
                    stop = True
                    break
                batch.append(op)
            try:
                results = self._run_batch(conn, batch)
            except BaseException as exc:
                with self._gate:  # before any waiter wakes: later calls must see it
                    self._dead = exc
                self._post(_settle, [(future, exc, None) for _, _, future in batch])
                raise
            self._post(_settle, results)
            if stop:
                return

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Op]) -> list[_Result]:
        """One transaction; each operation in a savepoint, so a failing one undoes only itself."""
        results: list[_Result] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            return [(future, exc, None) for _, _, future in batch]
        for work, arg, future in batch:
            conn.execute("SAVEPOINT op")
            try:
                value = work(conn, arg)
            except Exception as exc:
                conn.execute("ROLLBACK TO op")
                results.append((future, exc, None))
            else:
                results.append((future, None, value))
            conn.execute("RELEASE op")
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            logger.error("journal %s: commit failed: %s", self.path, exc)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return [(future, exc if error is None else error, None) for future, error, _ in results]
        self.commits += 1
        return results


def _settle(results: list[_Result]) -> None:
    for future, exc, value in results:
        if future.done():
            continue
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(value)
