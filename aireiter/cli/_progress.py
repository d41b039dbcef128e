"""The live progress of a bulk run (``batch``, ``demo``), fed by the tracker's snapshots.

On an interactive terminal with rich installed it is a progress bar (done/total, counts by
status, credits, throughput, ETA) redrawn in place on stderr. Anywhere else (a pipe, a CI log,
no rich) it is a plain line on stderr at most once a second, plus one at the end, so logs show
the run's progress without flooding.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._output import Output

if TYPE_CHECKING:
    from ..tracker import ProgressSnapshot

__all__ = [
    "DEFAULT_PLAIN_HEARTBEAT_S",
    "DEFAULT_PLAIN_PROGRESS_INTERVAL_S",
    "ProgressDisplay",
    "format_snapshot",
]

DEFAULT_PLAIN_PROGRESS_INTERVAL_S = 1.0  # a plain progress line at most this often ...
DEFAULT_PLAIN_HEARTBEAT_S = 15.0  # ... and, while nothing changes, only this often


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f}h"
    if seconds >= 60:
        return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"
    return f"{seconds:.0f}s"


def status_text(snap: ProgressSnapshot) -> str:
    """``ok 10  failed 1  running 5  queued 20  held 4`` (zeros left out, ``ok`` always
    shown; ``held``: not sent because of the spend guard, ``conflict``: the id belonged to
    another task)."""
    parts = [f"ok {snap.completed}"]
    for label, value in (
        ("failed", snap.failed),
        ("conflict", snap.conflict),
        ("cancelled", snap.cancelled),
        ("running", snap.in_flight),
        ("queued", max(0, snap.queued - snap.held_by_budget)),
        ("held", snap.held_by_budget),
    ):
        if value:
            parts.append(f"{label} {value}")
    return "  ".join(parts)


def credits_text(snap: ProgressSnapshot) -> str:
    """``credits 120 used / 800 est``."""
    return f"credits {snap.credits_used:g} used / {snap.credits_estimated:g} est"


def format_snapshot(snap: ProgressSnapshot) -> str:
    """One plain progress line."""
    percent = 100.0 * snap.done / snap.total if snap.total else 100.0
    width = len(str(snap.total))
    return (
        f"[{snap.done:>{width}}/{snap.total}] {percent:3.0f}% | {status_text(snap)} | "
        f"{credits_text(snap)} | {snap.throughput_per_s:.1f} jobs/s | "
        f"ETA {_eta(snap.eta_s)} | {snap.elapsed_s:.0f}s"
    )


class ProgressDisplay:
    """A context manager whose :meth:`update` is the tracker's ``on_progress`` callback."""

    def __init__(self, out: Output, *, label: str = "jobs") -> None:
        self._out = out
        self._label = label
        self._rich = out.use_rich and out.stderr_is_tty
        self._progress: Any = None
        self._task_id: Any = None
        self._last_line = 0.0
        self._last: ProgressSnapshot | None = None
        self._printed_final = False
        self._last_state: tuple[int, str] | None = None

    def __enter__(self) -> ProgressDisplay:
        if self._rich:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[status]}"),
                TextColumn("[dim]{task.fields[credits]}"),
                TextColumn("ETA {task.fields[eta]}"),
                console=self._out.err_console(),
                refresh_per_second=8,
            )
            self._progress.start()
            self._task_id = self._progress.add_task(
                self._label, total=None, status="starting", credits="", eta="?"
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def update(self, snap: ProgressSnapshot) -> None:
        """Show ``snap`` (cheap; plain lines are throttled)."""
        self._last = snap
        if self._progress is not None:
            self._progress.update(
                self._task_id,
                total=snap.total or None,
                completed=snap.done,
                status=status_text(snap),
                credits=credits_text(snap),
                eta=_eta(snap.eta_s),
            )
            return
        now = time.monotonic()
        final = snap.total > 0 and snap.done >= snap.total
        if final and self._printed_final:
            return
        state = (snap.total, status_text(snap))
        since = now - self._last_line
        changed = state != self._last_state
        if (
            final
            or (changed and since >= DEFAULT_PLAIN_PROGRESS_INTERVAL_S)
            or since >= DEFAULT_PLAIN_HEARTBEAT_S
        ):
            self._last_line = now
            self._last_state = state
            self._printed_final = final
            self._out.info(format_snapshot(snap))

    def close(self) -> None:
        """Stop the live display (the bar stays on screen); print a last plain line."""
        if self._progress is not None:
            progress, self._progress = self._progress, None
            progress.stop()
            return
        if self._last is not None and not self._printed_final:
            self._printed_final = True
            self._out.info(format_snapshot(self._last))
