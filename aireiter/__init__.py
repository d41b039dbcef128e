"""aireiter: the asyncio-native Python SDK for the AIReiter API.

>>> from aireiter import AsyncAIReiter
>>> async with AsyncAIReiter() as client:                       # doctest: +SKIP
...     task = await client.videos.sora2.generate(prompt="a red fox in snow")
"""

from ._client import AsyncAIReiter
from ._exceptions import (
    AIReiterError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
    ParamError,
    ParamIssue,
    PermissionDeniedError,
    RateLimitError,
    TaskFailedError,
    TaskTimeoutError,
    UnprocessableEntityError,
)
from ._models import Balance, Task, TaskOutput, TaskStatus
from ._transport import Timeout
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__

__all__ = [
    "NOT_GIVEN",
    "AIReiterError",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncAIReiter",
    "AuthenticationError",
    "BadRequestError",
    "Balance",
    "ConflictError",
    "InsufficientCreditsError",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "ParamError",
    "ParamIssue",
    "PermissionDeniedError",
    "RateLimitError",
    "Task",
    "TaskFailedError",
    "TaskOutput",
    "TaskStatus",
    "TaskTimeoutError",
    "Timeout",
    "UnprocessableEntityError",
    "__version__",
]

# Tracebacks and reprs say ``aireiter.NotFoundError``, not ``aireiter._exceptions...``.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("aireiter."):
        _obj.__module__ = "aireiter"
del _name, _obj
