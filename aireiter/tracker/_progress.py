"""Progress of a tracker run: live counters and the frozen :class:`ProgressSnapshot` they give."""

from __future__ import annotations

import time

import attrs

from ._journal import JobState

__all__ = ["ProgressSnapshot", "RunStats"]


@attrs.frozen(kw_only=True)
class ProgressSnapshot:
    """Where a tracker run stands at one moment.

    Counts are by :class:`~aireiter.tracker.JobState` over every job the tracker knows (jobs
    resumed from a journal included). ``credits_estimated`` sums the API's estimates of the
    jobs it accepted; ``credits_used`` sums what completed jobs were charged. ``throughput_per_s``
    is jobs finished by this run per second since it started; ``eta_s`` the time the unfinished
    jobs would take at that pace (``None`` until one job finished).
    """

    total: int
    queued: int
    submitting: int
    pending: int
    processing: int
    completed: int
    failed: int
    cancelled: int
    credits_estimated: float
    credits_used: float
    submits_sent: int
    queries_sent: int
    callbacks_received: int
    elapsed_s: float
    throughput_per_s: float
    eta_s: float | None
    timed_out: int = 0
    in_doubt: int = 0
    """Jobs whose submit outcome is being confirmed (see the confirm window)."""
    conflict: int = 0
    """Jobs whose ``out_task_id`` belonged to another task (never taken as a result)."""
    held_by_budget: int = 0
    """Jobs not sent because ``max_credits`` would have been passed (still queued)."""
    spare_queries: int = 0
    """Of ``queries_sent``, those sent with query budget nothing due wanted, to find jobs
    sooner (see :class:`~aireiter.tracker.PollPolicy`'s ``spare_query_step``)."""

    @property
    def done(self) -> int:
        """Jobs finished: completed + failed + cancelled + conflict."""
        return self.completed + self.failed + self.cancelled + self.conflict

    @property
    def in_flight(self) -> int:
        """Jobs sent to the API and not finished: submitting + in doubt + pending +
        processing."""
        return self.submitting + self.in_doubt + self.pending + self.processing

    def __str__(self) -> str:
        eta = "?" if self.eta_s is None else f"{self.eta_s:.0f}s"
        return (
            f"{self.done}/{self.total} done ({self.completed} ok, {self.failed} failed), "
            f"{self.in_flight} in flight, {self.queued} queued, "
            f"{self.throughput_per_s:.1f}/s, ETA {eta}, credits {self.credits_used:g}"
        )


class RunStats:
    """The counters a tracker updates as jobs move (cheap: a dict of ints and a few floats)."""

    __slots__ = (
        "callbacks_received",
        "counts",
        "credits_estimated",
        "credits_used",
        "finished_this_run",
        "held_by_budget",
        "queries_sent",
        "spare_queries",
        "started",
        "submits_sent",
        "timed_out",
    )

    def __init__(self) -> None:
        self.counts: dict[JobState, int] = dict.fromkeys(JobState, 0)
        self.credits_estimated = 0.0
        self.credits_used = 0.0
        self.submits_sent = 0
        self.queries_sent = 0
        self.spare_queries = 0
        self.callbacks_received = 0
        self.finished_this_run = 0
        self.timed_out = 0
        self.held_by_budget = 0
        self.started = time.monotonic()

    def move(self, old: JobState | None, new: JobState) -> None:
        """A job went from ``old`` (``None``: new job) to ``new``."""
        if old is not None:
            self.counts[old] -= 1
        self.counts[new] += 1

    def snapshot(self) -> ProgressSnapshot:
        """The counters now, frozen."""
        counts = self.counts
        elapsed = max(1e-9, time.monotonic() - self.started)
        total = sum(counts.values())
        done = (
            counts[JobState.COMPLETED]
            + counts[JobState.FAILED]
            + counts[JobState.CANCELLED]
            + counts[JobState.CONFLICT]
        )
        throughput = self.finished_this_run / elapsed
        remaining = max(0, total - done - self.timed_out - self.held_by_budget)
        eta = remaining / throughput if throughput > 0 else (0.0 if remaining == 0 else None)
        return ProgressSnapshot(
            total=total,
            queued=counts[JobState.QUEUED],
            submitting=counts[JobState.SUBMITTING],
            pending=counts[JobState.PENDING],
            processing=counts[JobState.PROCESSING],
            completed=counts[JobState.COMPLETED],
            failed=counts[JobState.FAILED],
            cancelled=counts[JobState.CANCELLED],
            credits_estimated=self.credits_estimated,
            credits_used=self.credits_used,
            submits_sent=self.submits_sent,
            queries_sent=self.queries_sent,
            callbacks_received=self.callbacks_received,
            elapsed_s=elapsed,
            throughput_per_s=throughput,
            eta_s=eta,
            timed_out=self.timed_out,
            in_doubt=counts[JobState.IN_DOUBT],
            conflict=counts[JobState.CONFLICT],
            held_by_budget=self.held_by_budget,
            spare_queries=self.spare_queries,
        )
