"""Everything a running emulator remembers: tasks, credits, counters, callbacks sent.

Tasks finish lazily. Each new task goes on a heap ordered by the clock reading at which it
finishes; :meth:`EmulatorState.settle` pops every task that is due, charges the completed
ones and queues their callbacks. Every read of state that can see a finished task (a query,
the balance, a file, the ``balance``/``charged``/``ledger`` attributes, the callback
scheduler) settles first, so what is charged is always consistent with what is reported.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import heapq
import itertools
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Mapping
from contextlib import suppress
from typing import Any, NamedTuple, TypeVar

from aiohttp import web

from ._catalog import ModelInfo, output_count
from ._config import (
    DEFAULT_IMAGE_DURATION_S,
    DEFAULT_VIDEO_DURATION_S,
    OUTAGE_KINDS,
    EmulatorConfig,
    FaultKind,
    ManualClock,
    OutageKind,
)
from ._faults import FaultPlan
from ._pricing import estimate_credits
from ._task import EmulatedTask, TaskStatusName
from ._wire import format_time

_T = TypeVar("_T")

__all__ = ["FAIL_MARKER", "STATE_KEY", "CallbackRecord", "EmulatorState", "LedgerEntry"]

FAIL_MARKER = "FAIL_ME"
"""A prompt containing this always ends ``failed`` (so tests can force a failure)."""

_REJECTED = "content rejected by the safety review"
_FAILED = "generation failed: the upstream model returned an error"


class LedgerEntry(NamedTuple):
    """One charge: the task and the credits taken when it completed."""

    out_task_id: str
    credits: float


class CallbackRecord(NamedTuple):
    """One callback attempt: the task, its final status and the receiver's HTTP status, or
    the error (``"refused: ..."`` for a non-loopback URL, never contacted)."""

    out_task_id: str
    status: str
    outcome: int | str


def _digest(seed: int, out_task_id: str, generation: int = 0) -> bytes:
    key = f"{seed}:{out_task_id}" if generation == 0 else f"{seed}:{out_task_id}#{generation}"
    return hashlib.blake2b(key.encode(), digest_size=24).digest()


class _Outage:
    __slots__ = ("kind", "over", "until")

    def __init__(self, kind: OutageKind, until: float) -> None:
        self.kind = kind
        self.until = until
        self.over = asyncio.Event()


class EmulatorState:
    """The state of one emulator; reach it as ``RunningEmulator.state`` or ``app[STATE_KEY]``.

    Counters (plain :class:`collections.Counter`, so a missing key reads 0):

    - ``submits_recorded[out_task_id]``: how many times a task was recorded (created) under
      the id: 0 or 1, or more with ``duplicate_id="accept"``; ``submit_counts`` is the same
      counter under its older name;
    - ``submit_requests[out_task_id]``: submit requests received for the id, whatever their
      outcome (faults that turn a request away before the handler reads its body, such as
      ``reset_before``, ``error_5xx`` or an outage, are not counted);
    - ``query_counts[out_task_id]``: query requests the handler saw for the id;
    - ``request_counts[(method, path)]``: every request that reached the server, faulted or not.
    """

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock: Callable[[], float] = config.clock or time.monotonic
        self.api_keys = frozenset(config.api_keys)
        self.faults = FaultPlan(config.faults)
        self.tasks: dict[str, EmulatedTask] = {}
        self.submits_recorded: Counter[str] = Counter()
        self.submit_counts = self.submits_recorded  # the older name of the same counter
        self.submit_requests: Counter[str] = Counter()
        self.forced_statuses: dict[str, str] = {}
        self.held_requests = 0  # requests a silent outage holds right now
        self.query_counts: Counter[str] = Counter()
        self.request_counts: Counter[tuple[str, str]] = Counter()
        self.callbacks_sent: list[CallbackRecord] = []
        self.base_url: str | None = None
        self.on_settled: Callable[[EmulatedTask], None] | None = None
        self.on_callback_due: Callable[[], None] | None = None
        self._by_task_id: dict[str, EmulatedTask] = {}
        self._balance = float(config.initial_credits)
        self._charged = 0.0
        self._outstanding = 0.0
        self._ledger: list[LedgerEntry] = []
        self._due: list[tuple[float, int, EmulatedTask]] = []
        self._callback_due: list[tuple[float, int, EmulatedTask]] = []
        self._seq = itertools.count()
        self._request_seq = itertools.count(1)
        self._wall_offset = time.time() - self.clock()
        self._outage: _Outage | None = None
        self._background: set[asyncio.Task[Any]] = set()
        manual = self.manual_clock
        if manual is not None:
            manual.subscribe(self._clock_moved)

    # --- time -----------------------------------------------------------------------------
    @property
    def manual_clock(self) -> ManualClock | None:
        """The config's :class:`ManualClock`, if that is the clock in use."""
        clock = self.clock
        return clock if isinstance(clock, ManualClock) else None

    def now(self) -> float:
        """The lifecycle clock's reading."""
        return self.clock()

    def wall_time(self, reading: float) -> float:
        """The Unix time matching clock reading ``reading``."""
        return self._wall_offset + reading

    def next_request_id(self) -> str:
        """A new, unique ``X-Request-Id``."""
        return f"req_{next(self._request_seq):08d}"

    # --- creating tasks ---------------------------------------------------------------------
    def duration_s(self, info: ModelInfo) -> float:
        """How long a task of ``info`` takes, time scale applied."""
        config = self.config
        seconds = config.durations.get(info.name)
        if seconds is None:
            seconds = config.durations.get(info.base)
        if seconds is None:
            seconds = config.default_duration_s
        if seconds is None:
            seconds = info.typical_duration_s
        if seconds is None:
            seconds = DEFAULT_VIDEO_DURATION_S if info.kind == "video" else DEFAULT_IMAGE_DURATION_S
        return seconds * config.time_scale

    def estimate(self, info: ModelInfo, params: Mapping[str, Any]) -> tuple[float, int]:
        """The credits a task would cost and how many files it makes."""
        outputs = output_count(info, params)
        credits = estimate_credits(
            info,
            params,
            outputs,
            image_credits=self.config.image_credits,
            video_credits_per_5s=self.config.video_credits_per_5s,
        )
        return credits, outputs

    def _failure(self, digest: bytes, params: Mapping[str, Any]) -> str | None:
        prompt = params.get("prompt")
        if isinstance(prompt, str) and FAIL_MARKER in prompt:
            return _REJECTED
        fraction = int.from_bytes(digest[:8], "big") / 2**64
        return _FAILED if fraction < self.config.failure_rate else None

    def create_task(
        self,
        info: ModelInfo,
        *,
        out_task_id: str,
        params: Mapping[str, Any],
        callback_url: str | None,
        metadata: Mapping[str, Any] | None,
        estimated_credits: float,
        outputs: int,
        now: float | None = None,
    ) -> EmulatedTask:
        """Store a new task (the caller checked the id is free and the credits suffice)."""
        created = self.clock() if now is None else now
        duration = self.duration_s(info)
        config = self.config
        digest = _digest(config.seed, out_task_id, self.submits_recorded[out_task_id])
        if config.duration_spread:
            draw = int.from_bytes(digest[16:24], "big") / 2**64  # independent of the fate
            duration *= 1.0 + config.duration_spread * (2.0 * draw - 1.0)
        if info.submit_answer == "code_list":  # "task_01KPT...": 26 base32 characters
            task_id = "task_" + base64.b32encode(digest[8:]).decode()[:26]
        else:
            task_id = "order_" + base64.urlsafe_b64encode(digest[8:]).decode()[:21]
        done_at = created + duration
        task = EmulatedTask(
            out_task_id=out_task_id,
            task_id=task_id,
            model=info.name,
            base_model=info.base,
            kind=info.kind,
            submit_answer=info.submit_answer,
            params=params,
            metadata=metadata,
            callback_url=callback_url,
            created=created,
            pending_until=created + duration * self.config.pending_fraction,
            done_at=done_at,
            created_at=format_time(self.wall_time(created), config.timestamp_format),
            completed_at=format_time(self.wall_time(done_at), config.timestamp_format),
            error=self._failure(digest, params),
            estimated_credits=estimated_credits,
            outputs=outputs,
        )
        self.tasks[out_task_id] = task
        self._by_task_id[task_id] = task
        self.submits_recorded[out_task_id] += 1
        self._outstanding += estimated_credits
        seq = next(self._seq)
        heapq.heappush(self._due, (done_at, seq, task))
        if callback_url is not None:
            heap = self._callback_due
            heapq.heappush(heap, (done_at, seq, task))
            if heap[0][2] is task and self.on_callback_due is not None:
                self.on_callback_due()
        return task

    # --- reading tasks ----------------------------------------------------------------------
    def find(
        self, out_task_id: str | None = None, task_id: str | None = None
    ) -> EmulatedTask | None:
        """The task with ``out_task_id`` (preferred) or system ``task_id``, or ``None``. A task
        of a model in ``task_id_only_models`` is found by ``task_id`` only."""
        if out_task_id is not None:
            task = self.tasks.get(out_task_id)
            if task is not None and task.base_model not in self.config.task_id_only_models:
                return task
        if task_id is not None:
            return self._by_task_id.get(task_id)
        return None

    def task_status(self, out_task_id: str) -> TaskStatusName | str:
        """The status a query would report for ``out_task_id`` now (``KeyError`` if unknown)."""
        now = self.settle()
        forced = self.forced_statuses.get(out_task_id)
        return forced if forced is not None else self.tasks[out_task_id].status_at(now)

    def task_data(self, task: EmulatedTask, now: float, base_url: str) -> dict[str, Any]:
        """The query ``data`` of ``task`` at ``now`` (a forced status applied)."""
        return task.data_at(now, base_url, forced_status=self.forced_statuses.get(task.out_task_id))

    # --- settling and credits ---------------------------------------------------------------
    def settle(self, now: float | None = None) -> float:
        """Settle every task finished by ``now`` (default: the clock); returns ``now``."""
        if now is None:
            now = self.clock()
        due = self._due
        while due and due[0][0] <= now:
            self._settle(heapq.heappop(due)[2])
        if not due:
            self._outstanding = 0.0  # no rounding residue once nothing is in flight
        return now

    def _settle(self, task: EmulatedTask) -> None:
        task.settled = True
        self._outstanding -= task.estimated_credits
        if not task.fails and task.out_task_id not in self.forced_statuses:
            credits = task.estimated_credits
            task.credits_used = credits
            self._balance -= credits
            self._charged += credits
            self._ledger.append(LedgerEntry(task.out_task_id, credits))
        if task.callback_url is not None and self.on_settled is not None:
            self.on_settled(task)

    def next_callback_due(self) -> float | None:
        """The clock reading at which the next task with a callback finishes, if any."""
        heap = self._callback_due
        while heap and heap[0][2].settled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    @property
    def balance(self) -> float:
        """Credits left (settled first). Only completed tasks have been taken off."""
        self.settle()
        return self._balance

    @property
    def charged(self) -> float:
        """Total credits charged so far (settled first)."""
        self.settle()
        return self._charged

    @property
    def ledger(self) -> list[LedgerEntry]:
        """Every charge, in the order the tasks were settled (settled first)."""
        self.settle()
        return self._ledger

    @property
    def outstanding_credits(self) -> float:
        """Estimated credits of tasks not finished yet (settled first)."""
        self.settle()
        return max(0.0, self._outstanding)

    def available_credits(self, now: float | None = None) -> float:
        """What a new submit may still spend: the balance minus what unfinished tasks will
        cost if they complete."""
        self.settle(now)
        return self._balance - max(0.0, self._outstanding)

    # --- test controls ----------------------------------------------------------------------
    def inject(
        self,
        kind: FaultKind,
        path: str | None = None,
        count: int = 1,
        *,
        seconds: float | None = None,
    ) -> None:
        """Force fault ``kind`` on the next ``count`` requests on ``path`` (``None``: any of
        ``FaultConfig.paths``). ``seconds`` is the delay of a ``latency`` fault, or how long a
        ``slow_record`` submit is held before it is recorded."""
        self.faults.inject(kind, path, count, seconds)

    def force_status(self, out_task_id: str, status: str) -> None:
        """From now on, queries (and callbacks) of ``out_task_id`` report ``status``, any
        string (e.g. ``"cancelled"``, which the docs never mention), for good. The task then
        reads as one still running (no outputs, no error) and is never charged. The id need
        not exist yet."""
        if not isinstance(status, str):
            raise ValueError(f"status must be a string, got {status!r}")
        self.forced_statuses[out_task_id] = status

    # --- outages ----------------------------------------------------------------------------
    def start_outage(self, seconds: float, kind: OutageKind = "5xx") -> None:
        """Make every task API request (submit, query, balance) fail for ``seconds`` of the
        emulator's clock: ``"5xx"`` answers HTTP 503, ``"reset"`` drops the connection,
        ``"silent"`` holds the request unanswered until the outage ends (then handles it, if
        the client is still there). Replaces any outage in progress."""
        if kind not in OUTAGE_KINDS:
            raise ValueError(f"unknown outage kind {kind!r}; allowed: {', '.join(OUTAGE_KINDS)}")
        if not seconds > 0:
            raise ValueError(f"seconds must be > 0, got {seconds!r}")
        self.end_outage()
        self._outage = _Outage(kind, self.clock() + seconds)

    def end_outage(self) -> None:
        """End the outage in progress now (held ``"silent"`` requests go on)."""
        outage, self._outage = self._outage, None
        if outage is not None:
            outage.over.set()

    @property
    def outage_kind(self) -> OutageKind | None:
        """The kind of the outage in progress, or ``None``."""
        outage = self._outage
        if outage is None:
            return None
        if self.clock() >= outage.until:
            self.end_outage()
            return None
        return outage.kind

    async def wait_outage_over(self) -> None:
        """Return once no outage is in progress (at its end on the clock, or ``end_outage``)."""
        while self.outage_kind is not None:
            outage = self._outage
            assert outage is not None
            timeout = None if self.manual_clock is not None else outage.until - self.clock()
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(outage.over.wait(), timeout)

    def _clock_moved(self) -> None:
        _ = self.outage_kind  # ends an outage whose time is up, waking held requests

    # --- background work ----------------------------------------------------------------------
    async def shielded(self, work: Coroutine[Any, Any, _T]) -> _T:
        """Run ``work`` in its own task and await it; if the caller is cancelled (a client gone
        away), the work still runs to its end."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return await asyncio.shield(task)

    async def stop_background(self) -> None:
        """Cancel background work still running (the app is stopping)."""
        tasks = list(self._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.end_outage()

    def add_credits(self, credits: float) -> float:
        """Top the balance up by ``credits`` (negative takes some away); the new balance."""
        self._balance += credits
        return self.balance

    def reset_counts(self) -> None:
        """Zero every counter (tasks, credits and callbacks are kept)."""
        self.submits_recorded.clear()
        self.submit_requests.clear()
        self.query_counts.clear()
        self.request_counts.clear()

    def __repr__(self) -> str:
        return f"EmulatorState(tasks={len(self.tasks)}, balance={self._balance!r})"


STATE_KEY: web.AppKey[EmulatorState] = web.AppKey("aireiter_emulator_state", EmulatorState)
"""Where an emulator app keeps its :class:`EmulatorState`: ``app[STATE_KEY]``."""
