"""Bulk task tracking: submit, poll, retry, resume, download and report thousands of tasks.

>>> async with client.tracker(journal="run.db") as tracker:  # doctest: +SKIP
...     for prompt in prompts:
...         await tracker.submit("seedream_v4_5", {"prompt": prompt})
...     async for task in tracker.as_completed():
...         ...

:class:`TaskTracker` is the engine; jobs are written to a :class:`Journal` (in memory, or a
:class:`SQLiteJournal` file) before they are sent, so ``TaskTracker.resume(client, "run.db")``
continues a crashed run without paying twice. :class:`PollPolicy` is the poll schedule.
"""

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
    "ProgressSnapshot",
    "SQLiteJournal",
    "TaskHandle",
    "TaskTracker",
    "UnknownJobError",
    "open_journal",
]

# Reprs and tracebacks say ``aireiter.tracker.TaskTracker``, not a private module path.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("aireiter.tracker."):
        _obj.__module__ = __name__
del _name, _obj
