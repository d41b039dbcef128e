"""What every resource namespace shares: its client, seen through what it needs of it.

A namespace (``client.tasks``, ``client.videos.sora2``...) holds its client, but does not
import the client's module: the client is the layer above. :class:`ClientAPI` names what the
namespaces use (the transport, ``client.tasks``); mypy checks that
:class:`~aireiter.AsyncAIReiter` provides it wherever a namespace is built.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from .._exceptions import AIReiterError
from .._models import Task
from .._transport import HTTPTransport, Timeout
from .._transport._extras import RequestExtras
from .._types import NotGivenOr

__all__ = ["AsyncResource", "ClientAPI", "TasksAPI"]


class TasksAPI(Protocol):
    """What a model endpoint calls on ``client.tasks``."""

    async def submit(
        self,
        model: str,
        params: Mapping[str, Any],
        /,
        *,
        out_task_id: str | None = ...,
        callback_url: str | None = ...,
        metadata: Mapping[str, Any] | None = ...,
        validate: bool = ...,
        timeout: NotGivenOr[float | Timeout | None] = ...,
        max_retries: NotGivenOr[int] = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, str | int | float] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
    ) -> Task:
        """Submit a task (see :meth:`aireiter.resources.tasks.AsyncTasks.submit`)."""
        ...

    async def query(
        self,
        out_task_id: str,
        /,
        *,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, str | int | float] | None = ...,
    ) -> Task:
        """The task's current state."""
        ...

    async def wait(
        self,
        out_task_id: str | Task,
        /,
        *,
        task_id: str | None = ...,
        timeout: float | None,
        poll_interval: float | None,
        on_update: Callable[[Task], object] | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, str | int | float] | None = ...,
    ) -> Task:
        """Poll until the task is done."""
        ...

    async def download(
        self, task: Task | str, directory: str | os.PathLike[str], /
    ) -> tuple[Path, ...]:
        """Download a completed task's outputs into ``directory``; returns their paths."""
        ...

    async def _confirm_absent(
        self,
        out_task_id: str,
        error: AIReiterError,
        /,
        *,
        attempt_s: float,
        model: str | None = ...,
        params: Mapping[str, Any] | None = ...,
        extras: RequestExtras = ...,
    ) -> Task | None:
        """Resolve an ambiguous submit over the confirm window: the task when a query finds
        it, ``None`` when a whole window says "not found"; raises ``error`` when nothing can
        tell (see :class:`aireiter._confirm.ConfirmPolicy`)."""
        ...


class ClientAPI(Protocol):
    """What a namespace needs of its client: the transport and the tasks namespace."""

    @property
    def _transport(self) -> HTTPTransport: ...

    @property
    def tasks(self) -> TasksAPI: ...


class AsyncResource:
    """A namespace on :class:`~aireiter.AsyncAIReiter` (``client.tasks``, ``client.images``...)."""

    def __init__(self, client: ClientAPI) -> None:
        self._client = client

    @property
    def _transport(self) -> HTTPTransport:
        return self._client._transport
