"""What ``aireiter status --journal`` shows of a shared batch: its workers and its progress."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ._journal import UNFINISHED_STATES, JobState

__all__ = ["BatchSummary", "WorkerInfo", "summarize"]


@attrs.frozen(kw_only=True)
class WorkerInfo:
    """One run that heartbeated on a batch (a row of ``aireiter_workers``); times are Unix
    seconds in this host's clock."""

    owner: str
    started_at: float
    heartbeat_at: float
    lease_until: float
    live: bool
    """Its lease holds (and it is not a process of this host that is gone)."""
    held: int
    """Unfinished jobs it holds."""


@attrs.frozen(kw_only=True)
class BatchSummary:
    """A shared batch at one moment: jobs by state, credits, live workers, pace and ETA."""

    name: str
    counts: Mapping[JobState, int]
    credits_used: float
    """Credits charged for the batch's completed jobs."""
    credits_estimated: float
    """The API's estimates for the jobs it accepted (finished or not)."""
    workers: tuple[WorkerInfo, ...]
    finished_per_s: float
    """Jobs that became final per second, over the last ``window_s``."""
    window_s: float
    started_at: float | None
    """When the first job was added (Unix seconds), if any."""

    @property
    def total(self) -> int:
        """Every job of the batch."""
        return sum(self.counts.values())

    @property
    def unfinished(self) -> int:
        """Jobs not final yet."""
        return sum(self.counts.get(state, 0) for state in UNFINISHED_STATES)

    @property
    def live_workers(self) -> int:
        """Runs whose heartbeat is live."""
        return sum(1 for worker in self.workers if worker.live)

    @property
    def eta_s(self) -> float | None:
        """Seconds until every job is final at the recent pace (0 when done, ``None`` when
        nothing finished lately)."""
        if self.unfinished == 0:
            return 0.0
        if self.finished_per_s <= 0:
            return None
        return self.unfinished / self.finished_per_s


def summarize(
    name: str,
    rows: Sequence[Sequence[Any]],
    workers: Sequence[WorkerInfo],
    *,
    window_s: float,
    skew: float,
) -> BatchSummary:
    """A :class:`BatchSummary` from the rows of ``Statements.summary`` (per state: jobs,
    credits used, credits estimated, jobs changed lately, first creation)."""
    counts = dict.fromkeys(JobState, 0)
    used = estimated = 0.0
    recent = 0
    first = math.inf
    for state, count, state_used, state_estimated, changed, created in rows:
        job_state = JobState(state)
        counts[job_state] = int(count)
        used += float(state_used)
        estimated += float(state_estimated)
        if job_state.is_terminal:
            recent += int(changed)
        if created is not None:
            first = min(first, float(created) - skew)
    return BatchSummary(
        name=name,
        counts=counts,
        credits_used=used,
        credits_estimated=estimated,
        workers=tuple(workers),
        finished_per_s=recent / window_s,
        window_s=window_s,
        started_at=None if first == math.inf else first,
    )
