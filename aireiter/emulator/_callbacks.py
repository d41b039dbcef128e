"""Webhook callbacks: one scheduler for all tasks, never a sleeping coroutine per task.

When a task that was submitted with a ``callback_url`` finishes (completed or failed), the
emulator POSTs the task's final query ``data`` object as JSON to that URL. A connection error,
a timeout or a non-2xx answer is retried up to ``callback_attempts`` attempts in all, waiting
``callback_backoff_s`` (0.1 s), then twice that, and so on (real seconds, not scaled). Every
attempt is recorded in ``state.callbacks_sent``.

Only loopback receivers are contacted (``127.0.0.0/8``, ``::1``, ``localhost``): any other
host is recorded as ``"refused: non-loopback host"`` and never sent to.

The scheduler is a single background task started and stopped with the app. It sleeps until
the earliest of: the next task with a callback finishing (by the lifecycle clock; each
advance of a :class:`ManualClock` settles due tasks and wakes it), the next retry coming
due, or a poke (a new task, a finished send). Sends run concurrently, at most 32 at a time.
"""

from __future__ import annotations

import asyncio
import heapq
import ipaddress
import itertools
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from typing import Final

import aiohttp
from aiohttp import web
from yarl import URL

from ._state import CallbackRecord, EmulatorState
from ._task import EmulatedTask
from ._wire import json_bytes

__all__ = ["SCHEDULER_KEY", "CallbackScheduler", "is_loopback_url"]

MAX_SENDS_IN_FLIGHT: Final = 32
REFUSED: Final = "refused: non-loopback host"
_HEADERS: Final = {
    "Content-Type": "application/json",
    "User-Agent": "aireiter-emulator",
}


def is_loopback_url(url: str) -> bool:
    """True when ``url``'s host is this machine (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    try:
        host = URL(url).host
    except ValueError:
        return False
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Delivery:
    __slots__ = ("attempt", "body", "out_task_id", "status", "url")

    def __init__(self, task: EmulatedTask, url: str, body: bytes) -> None:
        self.out_task_id = task.out_task_id
        self.status = task.status_at(task.done_at)
        self.url = url
        self.body = body
        self.attempt = 1


class CallbackScheduler:
    """Delivers the callbacks of one emulator (see the module docstring)."""

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._ready: deque[_Delivery] = deque()
        self._retries: list[tuple[float, int, _Delivery]] = []
        self._seq = itertools.count()
        self._sending: set[asyncio.Task[None]] = set()
        self._wake: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def pending(self) -> int:
        """Deliveries queued, waiting for a retry or being sent."""
        return len(self._ready) + len(self._retries) + len(self._sending)

    def poke(self) -> None:
        """Wake the scheduler to look at its queues and the clock again."""
        if self._wake is not None:
            self._wake.set()

    def _clock_moved(self) -> None:
        self._state.settle()
        self.poke()

    async def start(self, _app: web.Application) -> None:
        """Start with the app (``on_startup``)."""
        state = self._state
        self._wake = asyncio.Event()
        state.on_settled = self._enqueue
        state.on_callback_due = self.poke
        clock = state.manual_clock
        if clock is not None:
            self._unsubscribe = clock.subscribe(self._clock_moved)
        self._runner = asyncio.get_running_loop().create_task(
            self._run(), name="aireiter-emulator-callbacks"
        )

    async def stop(self, _app: web.Application) -> None:
        """Stop with the app (``on_cleanup``): cancel sends, close the HTTP session."""
        state = self._state
        state.on_settled = None
        state.on_callback_due = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        tasks = [*self._sending, *([self._runner] if self._runner is not None else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _enqueue(self, task: EmulatedTask) -> None:
        url = task.callback_url
        if url is None:
            return
        if not is_loopback_url(url):
            status = task.status_at(task.done_at)
            self._state.callbacks_sent.append(CallbackRecord(task.out_task_id, status, REFUSED))
            return
        base = self._state.base_url or "http://127.0.0.1"
        body = json_bytes(self._state.task_data(task, task.done_at, base))
        self._ready.append(_Delivery(task, url, body))
        self.poke()

    def _next_timeout(self, loop_now: float) -> float | None:
        timeouts: list[float] = []
        state = self._state
        due = state.next_callback_due()
        if due is not None and state.manual_clock is None:
            timeouts.append(due - state.now())
        if self._retries:
            timeouts.append(self._retries[0][0] - loop_now)
        return max(0.0, min(timeouts)) if timeouts else None

    async def _run(self) -> None:
        wake = self._wake
        assert wake is not None
        loop = asyncio.get_running_loop()
        while True:
            wake.clear()
            self._state.settle()
            now = loop.time()
            retries = self._retries
            while retries and retries[0][0] <= now:
                self._ready.append(heapq.heappop(retries)[2])
            while self._ready and len(self._sending) < MAX_SENDS_IN_FLIGHT:
                send = loop.create_task(self._send(self._ready.popleft()))
                self._sending.add(send)
                send.add_done_callback(self._sent)
            timeout = self._next_timeout(loop.time())
            if timeout is None:
                await wake.wait()
            elif timeout > 0:
                with suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        self.poke()

    async def _send(self, delivery: _Delivery) -> None:
        config = self._state.config
        session = self._session
        if session is None:
            session = self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=config.callback_timeout_s)
            )
        outcome: int | str
        try:
            async with session.post(delivery.url, data=delivery.body, headers=_HEADERS) as answer:
                await answer.read()
                outcome = answer.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            outcome = f"error: {type(exc).__name__}"
        self._state.callbacks_sent.append(
            CallbackRecord(delivery.out_task_id, delivery.status, outcome)
        )
        delivered = isinstance(outcome, int) and 200 <= outcome < 300
        if not delivered and delivery.attempt < config.callback_attempts:
            delay = config.callback_backoff_s * 2 ** (delivery.attempt - 1)
            delivery.attempt += 1
            when = asyncio.get_running_loop().time() + delay
            heapq.heappush(self._retries, (when, next(self._seq), delivery))


SCHEDULER_KEY: web.AppKey[CallbackScheduler] = web.AppKey(
    "aireiter_emulator_callbacks", CallbackScheduler
)
"""Where an emulator app keeps its :class:`CallbackScheduler`."""
