"""Bulk task tracking: submit, poll, retry, resume, download and report thousands of tasks.

>>> async with client.tracker(journal="run.db") as tracker:  # doctest: +SKIP
...     for prompt in prompts:
...         await tracker.submit("seedream_v4_5", {"prompt": prompt})
...     async for task in tracker.as_completed():
...         ...

:class:`TaskTracker` is the engine; jobs are written to a :class:`Journal` (in memory, or a
:class:`SQLiteJournal` file) before they are sent, so ``TaskTracker.resume(client, "run.db")``
continues a crashed run without paying twice. :class:`PollPolicy` is the poll schedule.
:class:`PostgresJournal` (``pip install 'aireiter[postgres]'``) shares one batch between
workers on several hosts and web-app replicas; it is imported on first use, so asyncpg stays
optional.
"""

from typing import TYPE_CHECKING, Any

from ._downloads import Downloader, DownloadError
from ._handle import JobCancelledError, TaskHandle
from ._journal import (
    DuplicateJobError,
    JobRecord,
    JobState,
    Journal,
    MemoryJournal,
    UnknownJobError,
    open_journal,
)
from ._poll_policy import PollPolicy
from ._progress import ProgressSnapshot
from ._sqlite_journal import SQLiteJournal
from ._tracker import TaskTracker

if TYPE_CHECKING:
    from ._postgres_journal import PostgresJournal

__all__ = [
    "DownloadError",
    "Downloader",
    "DuplicateJobError",
    "JobCancelledError",
    "JobRecord",
    "JobState",
    "Journal",
    "MemoryJournal",
    "PollPolicy",
    "PostgresJournal",
    "ProgressSnapshot",
    "SQLiteJournal",
    "TaskHandle",
    "TaskTracker",
    "UnknownJobError",
    "open_journal",
]

# Reprs and tracebacks say ``aireiter.tracker.TaskTracker``, not a private module path.
for _name in __all__:
    _obj = globals().get(_name)
    if isinstance(_obj, type) and _obj.__module__.startswith("aireiter.tracker."):
        _obj.__module__ = __name__
del _name, _obj


def __getattr__(name: str) -> Any:
    """``PostgresJournal`` is imported on first use (its driver, asyncpg, is optional)."""
    if name == "PostgresJournal":
        from ._postgres_journal import PostgresJournal

        PostgresJournal.__module__ = __name__
        globals()[name] = PostgresJournal
        return PostgresJournal
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
