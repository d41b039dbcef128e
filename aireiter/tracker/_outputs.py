"""Output downloads for a tracker: completed jobs are fetched before they are reported.

With ``download_dir=``, a job the API reports ``completed`` is written to the journal as
COMPLETED at once (so a resumed run never polls it again), then its files are downloaded by a
few worker tasks, the paths are recorded in the journal (``downloaded``), and only then is the
job handed to ``as_completed`` / ``result()``. A download that fails after the downloader's
retries is logged; the job is still reported (its ``downloaded`` stays empty) and a resumed run
tries the download again. A completed task without a single output URL is a download failure
too (:class:`~aireiter.NoOutputsError`, logged the same way): there is no file to put on disk,
and nothing a resumed run could fetch. ``handle.download(dir)`` fetches one job's files on
demand, and raises that error for such a task.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Final

from anyio.abc import TaskGroup

from .._exceptions import NoOutputsError
from .._models import Task
from ._downloads import Downloader
from ._scheduler import Wakeup

if TYPE_CHECKING:
    from ._engine import Engine
    from ._handle import TaskHandle

__all__ = ["DEFAULT_DOWNLOAD_WORKERS", "Outputs"]

logger = logging.getLogger("aireiter.tracker")

DEFAULT_DOWNLOAD_WORKERS: Final = 8  # jobs whose files are being fetched at once


class Outputs:
    """The tracker's downloaders (one per directory) and its download queue."""

    def __init__(self, engine: Engine, download_dir: Path | None) -> None:
        self._engine = engine
        self._default_dir = download_dir
        self._downloaders: dict[Path, Downloader] = {}
        self._queue: deque[tuple[TaskHandle, Task]] = deque()
        self._wake = Wakeup()
        if download_dir is not None:
            engine.on_completed = self.enqueue

    def start(self, tg: TaskGroup) -> None:
        """Start the download workers (only when a ``download_dir`` was given)."""
        if self._default_dir is not None:
            for _ in range(DEFAULT_DOWNLOAD_WORKERS):
                tg.start_soon(self._worker)

    def enqueue(self, job: TaskHandle, task: Task) -> None:
        """Download ``job``'s outputs into ``download_dir``, then deliver it."""
        self._queue.append((job, task))
        self._wake.set()

    async def _worker(self) -> None:
        assert self._default_dir is not None
        while True:
            if not self._queue:
                await self._wake.wait(None)
                continue
            job, task = self._queue.popleft()
            try:
                await self.download(job, task, self._default_dir)
            except Exception as error:  # a bad URL, a full disk: this job's files, not the run
                logger.warning(
                    "download of %s failed: %s: %s", job.out_task_id, type(error).__name__, error
                )
            finally:
                self._engine.deliver(job)

    async def download(self, job: TaskHandle, task: Task, directory: Path) -> tuple[Path, ...]:
        """Fetch ``task``'s outputs into ``directory`` and record the paths in the journal;
        :class:`~aireiter.NoOutputsError` when the completed task has no output URL."""
        if not task.urls:
            raise NoOutputsError(task)
        downloader = self._downloaders.get(directory)
        if downloader is None:
            network = self._engine.client.config.network  # the client's proxy and TLS
            downloader = self._downloaders[directory] = Downloader(directory, network=network)
        paths = await downloader.download(job.out_task_id, task.urls)
        job.downloaded = paths
        await self._engine.journal.update(job.out_task_id, downloaded=tuple(map(str, paths)))
        return paths

    async def aclose(self) -> None:
        """Close every downloader's HTTP session."""
        downloaders, self._downloaders = self._downloaders, {}
        for downloader in downloaders.values():
            await downloader.aclose()
