"""The PostgreSQL journal's update writer: every ``update``/``update_owned`` that arrives while a
statement runs goes out in the next one.

One task drains a queue, in order. The row updates that have queued up (up to
:data:`MAX_BATCH_ROWS`) are written as one ``UPDATE ... FROM unnest(...)`` statement, committed
on its own (a single statement needs no transaction block), and every waiting coroutine of that
batch is woken. The same job named twice splits the batch in two statements, in order. An
``update_many`` (all or nothing) runs in the same line, in its own transaction, and a barrier
lets ``claim``/``release`` wait until everything queued before them is written. A cancelled
caller does not withdraw its update: once queued, it is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final

from ._journal import UnknownJobError
from ._pg_rows import update_arrays, update_sql

__all__ = ["MAX_BATCH_ROWS", "UpdateWriter"]

logger = logging.getLogger("aireiter.tracker")

MAX_BATCH_ROWS: Final = 1024  # rows updated by one statement at most

Run = Callable[[Callable[[Any], Awaitable[Any]]], Awaitable[Any]]
_Row = tuple[str, "str | None", Mapping[str, Any]]  # id, owner that must hold it, changes


class _Op:
    """One queued operation: ``rows`` to update (one row: a single update; several: an
    ``update_many``; none: a barrier) and its waiter."""

    __slots__ = ("future", "many", "rows")

    def __init__(self, rows: Sequence[_Row], future: asyncio.Future[Any], *, many: bool) -> None:
        self.rows = rows
        self.future = future
        self.many = many


class UpdateWriter:
    """Batches row updates of one journal (see the module doc). ``run`` executes a function
    with a pooled connection (retrying it when the connection was lost); ``count`` is told how
    many statements each use sent."""

    def __init__(self, run: Run, jobs: str, batch: str, count: Callable[[int], None]) -> None:
        self._run = run
        self._jobs = jobs
        self._batch = batch
        self._count = count
        self._queue: list[_Op] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.flushes = 0
        """How many update statements were sent (a measure of batching)."""

    def start(self) -> None:
        """Start the writer task on the running loop."""
        if self._task is None:
            self._closing = False
            self._task = asyncio.get_running_loop().create_task(
                self._serve(), name="aireiter-journal-writer"
            )

    async def stop(self) -> None:
        """Write what is queued, then stop the task."""
        task, self._task = self._task, None
        if task is None:
            return
        self._closing = True
        self._wake.set()
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise

    def _put(self, rows: Sequence[_Row], *, many: bool) -> asyncio.Future[Any]:
        if self._task is None:
            raise RuntimeError("the journal is not open (use 'async with' or 'await open()')")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Op(rows, future, many=many))
        self._wake.set()
        return future

    async def update(self, out_task_id: str, owner: str | None, changes: Mapping[str, Any]) -> bool:
        """Write one row's encoded ``changes``; False when ``owner`` (if given) no longer holds
        the job; :class:`UnknownJobError` when it is not there."""
        written: bool = await self._put([(out_task_id, owner, changes)], many=False)
        return written

    async def update_many(self, rows: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """Write several rows (distinct ids) in one transaction, all or nothing."""
        await self._put([(oid, None, changes) for oid, changes in rows], many=True)

    async def drain(self) -> None:
        """Return once everything queued before this call is written."""
        await self._put((), many=True)

    async def _serve(self) -> None:
        while True:
            await self._wake.wait()
            while self._queue:
                await self._flush_some()
            self._wake.clear()
            if self._closing:
                return

    async def _flush_some(self) -> None:
        ops = self._queue[:MAX_BATCH_ROWS]
        del self._queue[: len(ops)]
        batch: list[_Op] = []
        seen: set[str] = set()
        for op in ops:
            if op.many:  # everything before it first, then it alone
                await self._flush(batch)
                batch, seen = [], set()
                await self._write_many(op)
                continue
            oid = op.rows[0][0]
            if oid in seen:  # the same job twice: the first update goes out first
                await self._flush(batch)
                batch, seen = [], set()
            batch.append(op)
            seen.add(oid)
        await self._flush(batch)

    async def _write_many(self, op: _Op) -> None:
        if not op.rows:  # a barrier
            if not op.future.done():
                op.future.set_result(None)
            return
        names, arrays = update_arrays(op.rows)
        sql = update_sql(self._jobs, names)

        async def write(conn: Any) -> None:
            self._count(3)  # BEGIN, the update, COMMIT
            async with conn.transaction():
                rows = await conn.fetch(sql, self._batch, *arrays)
                written = {row[0] for row in rows}
                for oid, _, _ in op.rows:
                    if oid not in written:
                        raise UnknownJobError(oid)  # rolls the whole update back

        await self._settle([op], write, lambda _outcome, _op: None)

    async def _flush(self, ops: list[_Op]) -> None:
        if not ops:
            return
        names, arrays = update_arrays([op.rows[0] for op in ops])
        sql = update_sql(self._jobs, names)

        async def write(conn: Any) -> tuple[set[str], set[str]]:
            self._count(1)
            rows = await conn.fetch(sql, self._batch, *arrays)
            written = {row[0] for row in rows}
            refused = [op.rows[0][0] for op in ops if op.rows[0][0] not in written]
            present: set[str] = set()
            if refused:  # tell "held by another run" from "not there"
                self._count(1)
                found = await conn.fetch(
                    f"SELECT out_task_id FROM {self._jobs} "  # noqa: S608 (fixed name)
                    "WHERE batch = $1 AND out_task_id = ANY($2::text[])",
                    self._batch,
                    refused,
                )
                present = {row[0] for row in found}
            return written, present

        def result(outcome: tuple[set[str], set[str]], op: _Op) -> Any:
            written, present = outcome
            oid = op.rows[0][0]
            if oid in written:
                return True
            if oid in present:
                return False
            return UnknownJobError(oid)

        await self._settle(ops, write, result)
        self.flushes += 1

    async def _settle(
        self,
        ops: list[_Op],
        write: Callable[[Any], Awaitable[Any]],
        result: Callable[[Any, _Op], Any],
    ) -> None:
        try:
            outcome = await self._run(write)
        except Exception as exc:
            logger.debug("journal: an update statement failed: %r", exc)
            for op in ops:
                if not op.future.done():
                    op.future.set_exception(exc)
            return
        except BaseException as exc:
            for op in ops:
                if not op.future.done():
                    op.future.set_exception(exc)
            raise
        for op in ops:
            if op.future.done():
                continue
            value = result(outcome, op)
            if isinstance(value, BaseException):
                op.future.set_exception(value)
            else:
                op.future.set_result(value)
