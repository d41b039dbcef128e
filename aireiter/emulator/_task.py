"""One emulated generation task: a small slotted record whose status is derived from the clock.

No coroutine runs per task. A task knows when it was created, when it stops being
``pending`` and when it finishes; :meth:`EmulatedTask.status_at` reads the status for any
moment, and :meth:`EmulatedTask.data_at` builds the query ``data`` object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

__all__ = ["FILE_EXTENSIONS", "EmulatedTask", "TaskStatusName"]

TaskStatusName = Literal["pending", "processing", "completed", "failed"]

FILE_EXTENSIONS: Final[Mapping[str, str]] = {"image": "png", "video": "mp4"}


class EmulatedTask:
    """A task as the emulator stores it. Times are readings of the emulator's clock.

    ``settled`` turns true once the emulator has seen the task finish: it is then charged
    (when completed) and its callback, if any, is queued. ``credits_used`` is what was charged.
    """

    __slots__ = (
        "base_model",
        "callback_url",
        "completed_at",
        "created",
        "created_at",
        "credits_used",
        "done_at",
        "error",
        "estimated_credits",
        "fails",
        "input",
        "kind",
        "metadata",
        "model",
        "out_task_id",
        "output_names",
        "pending_until",
        "settled",
        "submit_answer",
        "task_id",
    )

    def __init__(
        self,
        *,
        out_task_id: str,
        task_id: str,
        model: str,
        base_model: str,
        kind: str,
        submit_answer: str = "envelope",
        params: Mapping[str, Any],
        metadata: Mapping[str, Any] | None,
        callback_url: str | None,
        created: float,
        pending_until: float,
        done_at: float,
        created_at: str | int,
        completed_at: str | int,
        error: str | None,
        estimated_credits: float,
        outputs: int,
    ) -> None:
        self.out_task_id = out_task_id
        self.task_id = task_id
        self.model = model
        self.base_model = base_model
        self.kind = kind
        self.submit_answer = submit_answer
        self.metadata = metadata
        self.callback_url = callback_url
        self.created = created
        self.pending_until = pending_until
        self.done_at = done_at
        self.created_at = created_at
        self.completed_at = completed_at
        self.error = error
        self.fails = error is not None
        self.estimated_credits = estimated_credits
        self.credits_used = 0.0
        self.settled = False
        ext = FILE_EXTENSIONS.get(kind, "bin")
        self.output_names = tuple(f"{n}.{ext}" for n in range(outputs))
        # The echo the API returns under "input" (internal fields as in the documented example).
        self.input: dict[str, Any] = {
            "model": model,
            "params": params,
            "showPublic": 0,
            "attachments": [],
        }

    @property
    def params(self) -> Mapping[str, Any]:
        """The params as submitted."""
        params: Mapping[str, Any] = self.input["params"]
        return params

    def status_at(self, now: float) -> TaskStatusName:
        """The status at clock reading ``now``."""
        if now >= self.done_at:
            return "failed" if self.fails else "completed"
        if now >= self.pending_until:
            return "processing"
        return "pending"

    def data_at(
        self, now: float, base_url: str, *, forced_status: str | None = None
    ) -> dict[str, Any]:
        """The query ``data`` object at ``now``; output URLs start with ``base_url``.

        ``forced_status`` replaces the status, and the task then reads as one still running
        (no outputs, no ``completed_at``, no error, nothing charged).
        """
        status: str = self.status_at(now)
        done = now >= self.done_at
        if forced_status is not None:
            status, done = forced_status, False
        completed = status == "completed" and done
        oid = self.out_task_id
        return {
            "task_id": self.task_id,
            "out_task_id": oid,
            "status": status,
            "created_at": self.created_at,
            "completed_at": self.completed_at if done else None,
            "input": self.input,
            "credits_used": self.estimated_credits if completed else 0,
            "output": (
                [{"url": f"{base_url}/files/{oid}/{name}"} for name in self.output_names]
                if completed
                else []
            ),
            "error": self.error if done else None,
            "metadata": self.metadata,
        }

    def submit_data(self, status: str = "pending", *, with_task_id: bool = True) -> Any:
        """The submit answer's ``data`` (``status`` "pending" for a new task): the documented
        object, or for a ``code_list`` model the list its page shows (no ``out_task_id``)."""
        if self.submit_answer == "code_list":
            item = {"status": "submitted" if status == "pending" else status}
            if with_task_id:
                item["task_id"] = self.task_id
            return [item]
        data: dict[str, Any] = {
            "task_id": self.task_id,
            "out_task_id": self.out_task_id,
            "status": status,
            "estimated_credits": self.estimated_credits,
            "created_at": self.created_at,
        }
        if not with_task_id:
            del data["task_id"]
        return data

    def __repr__(self) -> str:
        return (
            f"EmulatedTask(out_task_id={self.out_task_id!r}, model={self.model!r}, "
            f"settled={self.settled!r})"
        )
