"""Value objects of the task API: what is sent and what comes back.

Models are values: frozen, slotted, keyword-only. They do no I/O; actions live on the client's
namespaces (``client.tasks.wait(id)``, not ``task.wait()``). Responses keep every field the
server sent in ``raw``, so a field the SDK does not know yet is never lost.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

__all__ = [
    "Balance",
    "QueryRequest",
    "SubmitRequest",
    "Task",
    "TaskOutput",
    "TaskStatus",
]


class TaskStatus(str, enum.Enum):
    """Where a task is in its life. ``completed`` and ``failed`` are terminal.

    ``submitted`` appears on one documented submit response and means the same as ``pending``.
    A status string the SDK does not know becomes ``UNKNOWN`` (the raw value stays in
    ``Task.raw["status"]``) rather than an error, and is treated as not finished.
    """

    PENDING = "pending"
    SUBMITTED = "submitted"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @classmethod
    def _missing_(cls, value: object) -> TaskStatus:
        if isinstance(value, str):
            lowered = value.strip().lower()
            for member in cls:
                if member.value == lowered:
                    return member
        return cls.UNKNOWN

    @property
    def is_terminal(self) -> bool:
        """True for ``completed`` and ``failed``: the task will not change any more."""
        return self in (TaskStatus.COMPLETED, TaskStatus.FAILED)


@attrs.frozen(kw_only=True)
class TaskOutput:
    """One output file of a finished task."""

    url: str
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Task:
    """A generation task as the API last reported it.

    ``raw`` is the decoded ``data`` object exactly as received, so fields the SDK does not
    model yet stay reachable; a ``data`` that is not an object is kept as ``raw["data"]``.
    A field that cannot be read (a timestamp in an unknown form, credits that are no number)
    is ``None`` here and keeps its raw value in ``raw``.

    ``request_id`` is the id of the answer this state came from (its ``X-Request-Id``), what
    support asks for; it is not part of the task's value (two equal states with different
    request ids compare equal), and ``None`` for a task that did not come from an answer.
    """

    out_task_id: str
    status: TaskStatus
    task_id: str | None = None
    model: str | None = None
    outputs: tuple[TaskOutput, ...] = ()
    estimated_credits: float | None = None
    credits_used: float | None = None
    error: str | None = None
    metadata: Mapping[str, Any] | None = None
    input: Mapping[str, Any] | None = attrs.field(default=None, repr=False)
    created_at: datetime | None = None
    completed_at: datetime | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
    request_id: str | None = attrs.field(default=None, eq=False)

    @property
    def urls(self) -> list[str]:
        """The output URLs, in the order the API listed them."""
        return [output.url for output in self.outputs]

    @property
    def is_done(self) -> bool:
        """True once the task is ``completed`` or ``failed``."""
        return self.status.is_terminal


@attrs.frozen(kw_only=True)
class Balance:
    """The account's points balance and the free quota left per model.

    ``credits`` is the points balance (``None`` when the answer does not carry one);
    ``free_quota`` maps a model id to the free generations (or points) it has left, empty when
    the answer has none. ``raw`` keeps every field the answer carried, known or not.
    """

    credits: float | None
    free_quota: Mapping[str, float] = attrs.field(factory=dict)
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class SubmitRequest:
    """The body of ``POST /api/openapi/submit``."""

    model: str
    params: Mapping[str, Any]
    out_task_id: str
    callback_url: str | None = None
    metadata: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class QueryRequest:
    """The body of ``POST /api/openapi/query``: one of the two ids."""

    out_task_id: str | None = None
    task_id: str | None = None
