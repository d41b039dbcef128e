"""aireiter: the asyncio-native Python SDK for the AIReiter API.

>>> from aireiter import AsyncAIReiter
>>> async with AsyncAIReiter() as client:                       # doctest: +SKIP
...     task = await client.videos.sora2.generate(prompt="a red fox in snow")
"""

from ._client import AsyncAIReiter
from ._endpoints import task_id_for
from ._exceptions import (
    AIReiterError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    JournalBusyError,
    JournalError,
    NoOutputsError,
    NotFoundError,
    ParamError,
    ParamIssue,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    RunAbortedError,
    TaskFailedError,
    TaskTimeoutError,
    UnprocessableEntityError,
)
from ._models import Balance, Task, TaskOutput, TaskStatus
from ._spec import UndocumentedChannelWarning
from ._sync import AIReiter
from ._transport import Timeout
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__
from .tracker import (
    DownloadError,
    DuplicateJobError,
    JobCancelledError,
    JobRecord,
    JobState,
    Journal,
    MemoryJournal,
    PollPolicy,
    ProgressSnapshot,
    SQLiteJournal,
    TaskHandle,
    TaskTracker,
)

__all__ = [
    "NOT_GIVEN",
    "AIReiter",
    "AIReiterError",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncAIReiter",
    "AuthenticationError",
    "BadRequestError",
    "Balance",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "DownloadError",
    "DuplicateJobError",
    "InsufficientCreditsError",
    "InternalServerError",
    "JobCancelledError",
    "JobRecord",
    "JobState",
    "Journal",
    "JournalBusyError",
    "JournalError",
    "MemoryJournal",
    "NoOutputsError",
    "NotFoundError",
    "NotGiven",
    "ParamError",
    "ParamIssue",
    "PermissionDeniedError",
    "PollPolicy",
    "ProgressSnapshot",
    "RateLimitError",
    "ResponseTooLargeError",
    "RunAbortedError",
    "SQLiteJournal",
    "Task",
    "TaskFailedError",
    "TaskHandle",
    "TaskOutput",
    "TaskStatus",
    "TaskTimeoutError",
    "TaskTracker",
    "Timeout",
    "UndocumentedChannelWarning",
    "UnprocessableEntityError",
    "__version__",
    "task_id_for",
]

# Tracebacks and reprs say ``aireiter.NotFoundError``, not ``aireiter._exceptions...``.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("aireiter."):
        _obj.__module__ = "aireiter"
del _name, _obj
