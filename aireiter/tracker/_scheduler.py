"""The tracker's timer heap: every job's next action, ordered by when it is due.

One heap for all jobs replaces a sleeping coroutine per job: an entry is a small tuple
``(due, seq, item, generation)``. Rescheduling a job pushes a new entry and bumps the job's
generation; the stale entry stays in the heap and is skipped when it reaches the top (lazy
deletion, O(log n) per operation, no search). ``seq`` keeps equal due times first-in first-out.
Pure logic: the caller passes clock readings. :class:`Wakeup` is how the loops that drain the
heap are nudged when something earlier is scheduled.

:class:`SpareHeap` is a second, optional ordering of the same items: when each may get a
*spare* query (budget nothing due wants). Its entries are only valid while the item's timer
entry they were made with is live, so it needs no bookkeeping of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from typing import Generic, Protocol, TypeVar

__all__ = ["Schedulable", "SpareHeap", "TimerHeap", "Wakeup"]


class Schedulable(Protocol):
    """Anything with a ``generation`` counter the heap can bump to invalidate old entries,
    and a ``scheduled`` flag the heap keeps true while the item has a live entry."""

    generation: int
    scheduled: bool


T = TypeVar("T", bound=Schedulable)


class TimerHeap(Generic[T]):
    """Due times of items; each item has at most one live entry (its latest)."""

    __slots__ = ("_heap", "_live", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, T, int]] = []
        self._seq = itertools.count()
        self._live = 0

    def __len__(self) -> int:
        """How many items have a live entry."""
        return self._live

    def schedule(self, item: T, due: float) -> None:
        """Make ``item`` due at ``due`` (replacing any earlier schedule of it)."""
        if item.scheduled:
            self._live -= 1
        item.generation += 1
        heapq.heappush(self._heap, (due, next(self._seq), item, item.generation))
        item.scheduled = True
        self._live += 1

    def unschedule(self, item: T) -> None:
        """Forget ``item``'s pending entry, if any."""
        if item.scheduled:
            item.generation += 1
            item.scheduled = False
            self._live -= 1

    def _drop_stale(self) -> None:
        heap = self._heap
        while heap and heap[0][2].generation != heap[0][3]:
            heapq.heappop(heap)

    def live(self) -> list[tuple[T, float]]:
        """Every item with a live entry and its due time (a copy; O(n))."""
        return [(e[2], e[0]) for e in self._heap if e[2].scheduled and e[2].generation == e[3]]

    def next_due(self) -> float | None:
        """The earliest live due time, or ``None`` when nothing is scheduled."""
        self._drop_stale()
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> T | None:
        """The earliest item due at or before ``now`` (removed), or ``None``."""
        self._drop_stale()
        heap = self._heap
        if not heap or heap[0][0] > now:
            return None
        item = heapq.heappop(heap)[2]
        item.scheduled = False
        self._live -= 1
        return item


class SpareHeap(Generic[T]):
    """When items may be looked at early, each entry tied to the item's live timer entry.

    ``push(item, eligible, due)`` right after the item was scheduled (due at ``due``) records
    that it may be taken at ``eligible``; the entry goes stale as soon as the item is
    rescheduled, unscheduled or popped from its :class:`TimerHeap` (its ``generation`` moves or
    ``scheduled`` drops), and stale entries are skipped, or pruned when they outnumber the
    items (a busy run may never look at this heap).
    """

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, T, int, float]] = []
        self._seq = itertools.count()

    def __len__(self) -> int:
        """Entries held, stale ones included."""
        return len(self._heap)

    def push(self, item: T, eligible: float, due: float) -> None:
        """``item`` (scheduled at ``due`` just now) may be taken from ``eligible`` on."""
        heapq.heappush(self._heap, (eligible, next(self._seq), item, item.generation, due))

    def _drop_stale(self) -> None:
        heap = self._heap
        while heap:
            entry = heap[0]
            item = entry[2]
            if item.scheduled and item.generation == entry[3]:
                return
            heapq.heappop(heap)

    def next_eligible(self) -> float | None:
        """The earliest eligible time of a live entry, or ``None``."""
        self._drop_stale()
        return self._heap[0][0] if self._heap else None

    def pop(self, now: float) -> tuple[T, float] | None:
        """The earliest item eligible at ``now`` and the due time of its timer entry (the
        entry is removed here; the caller unschedules the item), or ``None``."""
        self._drop_stale()
        heap = self._heap
        if not heap or heap[0][0] > now:
            return None
        entry = heapq.heappop(heap)
        return entry[2], entry[4]

    def prune(self, live: int) -> None:
        """Drop stale entries once they are more than the ``live`` items can explain."""
        heap = self._heap
        if len(heap) > 2 * live + 64:
            self._heap = [e for e in heap if e[2].scheduled and e[2].generation == e[3]]
            heapq.heapify(self._heap)


class Wakeup:
    """A broadcast nudge: ``set()`` wakes every task waiting in ``wait(timeout)`` right now.

    Loops check their condition, then wait (no await in between), so a ``set()`` cannot fall
    in a gap; a ``set()`` with nobody waiting costs nothing. Built on plain asyncio futures and
    ``call_later`` (one future per wait, no cancel scope): the dispatch loops wait thousands of
    times a second.
    """

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def set(self) -> None:
        """Wake everyone waiting now."""
        waiters = self._waiters
        if waiters:
            self._waiters = []
            for future in waiters:
                if not future.done():
                    future.set_result(None)

    async def wait(self, seconds: float | None) -> None:
        """Return when set or after ``seconds`` (``None``: no limit)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        waiters = self._waiters
        waiters.append(future)
        handle = None if seconds is None else loop.call_later(max(0.0, seconds), _wake, future)
        try:
            await future
        finally:
            if handle is not None:
                handle.cancel()
            if waiters is self._waiters:  # not taken by set(): leave no done future behind
                with contextlib.suppress(ValueError):
                    waiters.remove(future)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
