"""The tracker for blocking code: ``with AIReiter().tracker(...) as tracker:``.

:class:`SyncTaskTracker` is the blocking twin of :class:`~aireiter.TaskTracker` and
:class:`SyncTaskHandle` that of :class:`~aireiter.tracker.TaskHandle`: their methods are derived
from the async ones (:mod:`aireiter._endpoints._sync`) and run on the blocking client's loop
thread, where the tracker's background work (submits, polls, downloads, webhooks) goes on
while the calling thread blocks, or does something else.

>>> with AIReiter() as client:                                       # doctest: +SKIP
...     with client.tracker(journal="run.db") as tracker:
...         for prompt in prompts:
...             tracker.submit("seedream_v4_5", {"prompt": prompt})
...         for task in tracker.as_completed():
...             print(task.out_task_id, task.urls)
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from .._endpoints._sync import (
    LoopRunner,
    PortalCall,
    SyncTwin,
    each,
    twin,
    twin_iterator,
    twin_sync,
)
from ._handle import TaskHandle
from ._tracker import TaskTracker

if TYPE_CHECKING:
    from types import TracebackType

    from .._sync import AIReiter
    from ._journal import Journal

__all__ = ["SyncTaskHandle", "SyncTaskTracker"]


class SyncTaskHandle(SyncTwin, twin_of=TaskHandle):
    """A job of a :class:`SyncTaskTracker`: ``result()`` blocks until the job is done (and
    raises as ``TaskHandle.result`` does), ``download(dir)`` fetches its files; its id, state
    and last task are read as on the async handle (``handle.out_task_id``, ``.state``,
    ``.task``, ``.downloaded``, ``.done``)."""

    _target: TaskHandle

    result = twin(TaskHandle.result)
    download = twin(TaskHandle.download)

    @property
    def handle(self) -> TaskHandle:
        """The async handle underneath."""
        return self._target

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._target, name)

    def __repr__(self) -> str:
        return repr(self._target).replace("TaskHandle(", "SyncTaskHandle(", 1)


def _handle(run: PortalCall, handle: TaskHandle) -> SyncTaskHandle:
    return SyncTaskHandle(run, handle)


def _maybe_handle(run: PortalCall, handle: TaskHandle | None) -> SyncTaskHandle | None:
    return None if handle is None else SyncTaskHandle(run, handle)


class SyncTaskTracker(SyncTwin, twin_of=TaskTracker):
    """A :class:`~aireiter.TaskTracker` for blocking code, made by ``AIReiter().tracker()``.

    Use it in ``with``: entering starts the tracker on the client's loop thread, leaving it
    stops every background task at once (unfinished jobs stay in the journal, resumable).
    ``submit`` returns a :class:`SyncTaskHandle`; ``as_completed()`` and
    ``progress_updates()`` are plain iterators; ``gather()`` and ``wait()`` block.
    """

    _target: TaskTracker

    submit = twin(TaskTracker.submit, _handle)
    submit_many = twin(TaskTracker.submit_many, each(_handle))
    as_completed = twin_iterator(TaskTracker.as_completed)
    gather = twin(TaskTracker.gather)
    wait = twin(TaskTracker.wait)
    progress_updates = twin_iterator(TaskTracker.progress_updates)
    cancel = twin_sync(TaskTracker.cancel)
    progress = twin_sync(TaskTracker.progress)
    handles = twin_sync(TaskTracker.handles, each(_handle))
    handle = twin_sync(TaskTracker.handle, _maybe_handle)

    def __init__(self, run: PortalCall, tracker: TaskTracker) -> None:
        super().__init__(run, tracker)
        self._entered: AbstractContextManager[Any] | None = None

    @classmethod
    def resume(
        cls, client: AIReiter, journal: Journal | str | os.PathLike[str], **options: Any
    ) -> SyncTaskTracker:
        """A tracker that, when entered, continues every job of ``journal`` (see
        ``TaskTracker.resume``): nothing is paid for twice, nothing is lost."""
        runner = client._runner
        made = runner.run_sync(lambda: TaskTracker.resume(client.async_client, journal, **options))
        return cls(runner, made)

    @property
    def tracker(self) -> TaskTracker:
        """The async tracker underneath (it runs on the client's loop thread)."""
        return self._target

    @property
    def journal(self) -> Journal:
        """The journal in use."""
        return self._target.journal

    @property
    def owner(self) -> str:
        """This run's name in the journal's claims (``host:pid:token``)."""
        return self._target.owner

    def __enter__(self) -> SyncTaskTracker:
        run = self._run
        if not isinstance(run, LoopRunner):
            raise TypeError("a SyncTaskTracker runs on the blocking client's loop")
        entered = run.enter(self._target)
        entered.__enter__()
        self._entered = entered
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        entered, self._entered = self._entered, None
        run = self._run
        if entered is not None and not (isinstance(run, LoopRunner) and run.closed):
            # The block's own error (or Ctrl-C) goes on as it is: the tracker only stops.
            entered.__exit__(None, None, None)

    def __repr__(self) -> str:
        return "Sync" + repr(self._target)
