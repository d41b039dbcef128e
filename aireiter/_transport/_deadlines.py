"""One timer per event loop for the deadlines of every request in flight.

aiohttp's own ``total`` timeout costs each request a timer handle, a timer context entered
around every wait, and a cancelled handle left in the loop's heap; that is several percent of
a request's CPU. Here a request *arms* a deadline (a heap entry: a list, no timer), and *ends*
it when its answer is read. One loop timer, set for the earliest deadline (never more often
than every :data:`GRANULARITY_S`), cancels the task of a request still running at its
deadline; the request sees ``CancelledError``, finds its entry ``EXPIRED`` and turns it into a
timeout (on Python 3.11+ it also withdraws the cancellation with ``Task.uncancel``, so task
groups and outer timeouts are not confused). A cancellation of any other origin is left alone.

Ended entries stay in the heap until they come due or until they are more than half of it,
when the heap is rebuilt without them: memory stays proportional to the requests in flight.
Deadlines are kept to within :data:`GRANULARITY_S` (they never fire early).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections.abc import Callable
from typing import Any

__all__ = ["ARMED", "ENDED", "EXPIRED", "GRANULARITY_S", "Deadlines"]

GRANULARITY_S = 0.05  # the timer wakes at most this often; deadlines are kept to within it

ARMED, ENDED, EXPIRED = 0, 1, 2
# An entry: [when (loop time), sequence number, task, state]. Lists compare by ``when``, then
# by the unique sequence number, so the task is never compared.
_WHEN, _SEQ, _TASK, _STATE = 0, 1, 2, 3
_PURGE_MIN = 64  # never rebuild a heap smaller than this


class Deadlines:
    """The deadlines of one event loop's requests (see the module docstring)."""

    __slots__ = ("_ended", "_handle", "_heap", "_loop", "_seq", "_time", "_wake_at")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        # The loop's clock; asyncio's own ``loop.time()`` is ``time.monotonic()`` wrapped in a
        # Python method, so that is called directly when the loop does not change it.
        self._time: Callable[[], float] = (
            time.monotonic
            if getattr(type(loop), "time", None) is asyncio.BaseEventLoop.time
            else loop.time
        )
        self._heap: list[list[Any]] = []
        self._seq = itertools.count()
        self._handle: asyncio.TimerHandle | None = None
        self._wake_at = math.inf
        self._ended = 0

    def arm(self, seconds: float) -> list[Any]:
        """Start a deadline ``seconds`` from now for the running task; returns its entry."""
        when = self._time() + seconds
        entry = [when, next(self._seq), asyncio.current_task(), ARMED]
        heapq.heappush(self._heap, entry)
        if when < self._wake_at:
            self._schedule(when)
        return entry

    def end(self, entry: list[Any]) -> None:
        """The request of ``entry`` is over: its deadline no longer applies."""
        if entry[_STATE] == ARMED:
            entry[_STATE] = ENDED
            self._ended += 1
            heap = self._heap
            if self._ended > _PURGE_MIN and self._ended * 2 > len(heap):
                self._heap = [e for e in heap if e[_STATE] == ARMED]
                heapq.heapify(self._heap)
                self._ended = 0

    @staticmethod
    def withdraw(entry: list[Any]) -> bool:
        """Called on ``CancelledError`` inside a request: ``True`` when the cancellation is
        this entry's deadline alone (it is then taken back, on 3.11+), ``False`` when the
        caller's (or also the caller's: 3.11+ counts them) and must propagate."""
        if entry[_STATE] != EXPIRED:
            return False
        uncancel = getattr(entry[_TASK], "uncancel", None)
        return uncancel is None or uncancel() == 0

    def close(self) -> None:
        """Stop the timer (the loop's session is closing)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._wake_at = math.inf

    def _schedule(self, when: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._wake_at = max(when, self._loop.time() + GRANULARITY_S)
        self._handle = self._loop.call_at(self._wake_at, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self._wake_at = math.inf
        heap = self._heap
        now = self._loop.time()
        while heap and heap[0][_WHEN] <= now:
            entry = heapq.heappop(heap)
            if entry[_STATE] == ARMED:
                entry[_STATE] = EXPIRED
                task = entry[_TASK]
                if task is not None and not task.done():
                    task.cancel()
            else:
                self._ended -= 1
        while heap and heap[0][_STATE] != ARMED:  # no wake-up for requests already over
            heapq.heappop(heap)
            self._ended -= 1
        if heap:
            self._schedule(heap[0][_WHEN])
