"""The one error tree of aireiter.

::

    AIReiterError
    ├── APIConnectionError            the request did not get a usable answer
    │   └── APITimeoutError           ... because a timeout ran out (also a TimeoutError)
    ├── APIResponseValidationError    an answer came, but it is not the JSON we expect
    │   └── ResponseTooLargeError     ... because it is larger than ``max_response_bytes``
    ├── ConfigurationError            the client cannot send anything (no API key ...)
    ├── ClientClosedError             the client was closed (also a RuntimeError)
    ├── APIStatusError                the API answered with an error status / statusCode
    │   ├── BadRequestError           400
    │   ├── AuthenticationError       401
    │   ├── InsufficientCreditsError  402, or statusCode 433 "not enough credits"
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404, or statusCode 400 "api task not found"
    │   ├── ConflictError             409 (e.g. an out_task_id used before)
    │   ├── UnprocessableEntityError  422
    │   ├── RateLimitError            429
    │   └── InternalServerError       5xx
    ├── ParamError                    bad input, raised before any request (also a ValueError)
    ├── TaskFailedError               a waited-for task ended as ``failed``
    │   └── NoOutputsError            ... or ``completed`` without a single output URL
    ├── TaskTimeoutError              a waited-for task did not finish in time (also a TimeoutError)
    │   (defined with the tracker, in ``aireiter.tracker``:)
    ├── JobCancelledError             a tracked job was cancelled before it finished
    ├── DuplicateJobError             a journal already holds that ``out_task_id``
    ├── UnknownJobError               a journal does not hold that ``out_task_id`` (also a KeyError)
    └── DownloadError                 an output file could not be downloaded after retries

Class names follow openai-python where the meaning is the same, so drop-in users recognise
them. Every error carries what a user needs to act: the status, the server's message, the
request id, and the ``out_task_id`` where one exists. None of them ever holds the API key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._models import Task

__all__ = [
    "AIReiterError",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "InsufficientCreditsError",
    "InternalServerError",
    "JournalBusyError",
    "JournalError",
    "NoOutputsError",
    "NotFoundError",
    "ParamError",
    "ParamIssue",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "RunAbortedError",
    "TaskFailedError",
    "TaskTimeoutError",
    "UnprocessableEntityError",
]


class AIReiterError(Exception):
    """Base of every error raised by aireiter."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(AIReiterError):
    """The request failed before a usable answer came back (refused, reset, DNS, TLS ...).

    ``request_sent`` tells whether the request may have reached the server: when it is true a
    non-idempotent call (a submit) may have taken effect, and aireiter checks before it repeats
    one. ``host`` is the ``host:port`` tried and ``kind`` what went wrong, in words
    (``"DNS lookup failed"``, ``"connection refused"``, ``"TLS handshake failed"``,
    ``"connection reset"``, ``"timed out"`` ...); the message names both.
    """

    def __init__(
        self,
        message: str = "Connection error.",
        *,
        method: str | None = None,
        url: str | None = None,
        request_sent: bool = True,
        out_task_id: str | None = None,
        host: str | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.request_sent = request_sent
        self.out_task_id = out_task_id
        self.host = host
        self.kind = kind


class APITimeoutError(APIConnectionError, TimeoutError):
    """A connect, read or total timeout ran out. ``except TimeoutError`` catches it too."""

    def __init__(
        self,
        message: str = "Request timed out.",
        *,
        method: str | None = None,
        url: str | None = None,
        request_sent: bool = True,
        out_task_id: str | None = None,
        host: str | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(
            message,
            method=method,
            url=url,
            request_sent=request_sent,
            out_task_id=out_task_id,
            host=host,
            kind=kind,
        )


class _ResponseError(AIReiterError):
    """Shared fields of errors built from an HTTP answer."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        http_status: int | None = None,
        request_id: str | None = None,
        body: Any = None,
        method: str | None = None,
        url: str | None = None,
        out_task_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.http_status = status_code if http_status is None else http_status
        self.request_id = request_id
        self.body = body
        self.method = method
        self.url = url
        self.out_task_id = out_task_id

    def __str__(self) -> str:
        parts = [f"{self.status_code}: {self.message}" if self.message else str(self.status_code)]
        if self.http_status != self.status_code:
            parts.append(f"(HTTP {self.http_status})")
        if self.request_id:
            parts.append(f"[request_id={self.request_id}]")
        if self.out_task_id:
            parts.append(f"[out_task_id={self.out_task_id}]")
        return " ".join(parts)


class APIResponseValidationError(_ResponseError):
    """The API answered, but not with the JSON envelope expected (HTML page, broken JSON...).

    ``content_type`` and ``body_preview`` (the first bytes, decoded leniently) show what came.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        content_type: str | None = None,
        body_preview: str = "",
        request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        out_task_id: str | None = None,
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            request_id=request_id,
            body=body_preview,
            method=method,
            url=url,
            out_task_id=out_task_id,
        )
        self.content_type = content_type
        self.body_preview = body_preview


class ResponseTooLargeError(APIResponseValidationError):
    """The answer is larger than the client's ``max_response_bytes``; it was not read past the
    limit. ``limit`` is that limit and ``size`` the announced size (``None`` when the server
    did not announce one)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        limit: int,
        size: int | None = None,
        content_type: str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        out_task_id: str | None = None,
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            content_type=content_type,
            request_id=request_id,
            method=method,
            url=url,
            out_task_id=out_task_id,
        )
        self.limit = limit
        self.size = size


class ConfigurationError(AIReiterError):
    """The client cannot send anything as configured (no API key ...). Raised when the client
    is created, before any request. ``setting`` names the argument and ``env`` the environment
    variable that provide what is missing."""

    def __init__(self, message: str, *, setting: str, env: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting
        self.env = env


class ClientClosedError(AIReiterError, RuntimeError):
    """The client was closed (``close()``/``aclose()``, or its ``async with`` ended) and was
    used again: make a new one. ``except RuntimeError`` catches it too."""


class APIStatusError(_ResponseError):
    """The API answered with an error.

    ``status_code`` is the effective status: the envelope's business ``statusCode`` when the
    HTTP status was 2xx (the API reports most errors inside HTTP 200), else the HTTP status.
    ``http_status`` is always the HTTP status line's code. ``body`` is the decoded body.
    ``retry_after`` is the server's ``Retry-After`` hint in seconds, if it sent one.
    """

    retry_after: float | None = None


class BadRequestError(APIStatusError):
    """400: the API rejected the request's content."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""


class InsufficientCreditsError(APIStatusError):
    """402, or statusCode 433 "not enough credits": top up before submitting more."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not use this model or endpoint."""


class NotFoundError(APIStatusError):
    """404, or statusCode 400 "api task not found": no such task (or route)."""


class ConflictError(APIStatusError):
    """409: the request conflicts with existing state (e.g. a reused ``out_task_id``)."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but cannot be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` holds the server's hint in seconds, if any."""

    retry_after: float | None = None


class InternalServerError(APIStatusError):
    """5xx: the API failed; retried automatically before this is raised."""


class ParamIssue:
    """One problem with one field of a request: which field, what value, what is allowed."""

    __slots__ = ("allowed", "field", "problem", "value")

    def __init__(self, field: str, value: Any, problem: str, allowed: str | None = None) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        self.allowed = allowed

    def __str__(self) -> str:
        text = f"{self.field}={self.value!r}: {self.problem}"
        if self.allowed:
            text += f" (allowed: {self.allowed})"
        return text

    def __repr__(self) -> str:
        return f"ParamIssue({self!s})"


class ParamError(AIReiterError, ValueError):
    """Bad input, found before any request was sent.

    ``issues`` lists every problem found (not only the first); ``model``, ``field``, ``value``
    and ``allowed`` describe the first one, for the common case of a single problem.
    """

    def __init__(self, issues: Sequence[ParamIssue], *, model: str | None = None) -> None:
        if not issues:
            raise ValueError("ParamError needs at least one issue")
        self.issues = tuple(issues)
        self.model = model
        first = self.issues[0]
        self.field = first.field
        self.value = first.value
        self.allowed = first.allowed
        where = f"model {model!r}: " if model else ""
        if len(self.issues) == 1:
            message = f"{where}{first}"
        else:
            lines = "\n".join(f"  - {issue}" for issue in self.issues)
            message = f"{where}{len(self.issues)} invalid parameters:\n{lines}"
        super().__init__(message)

    @classmethod
    def single(
        cls,
        field: str,
        value: Any,
        problem: str,
        *,
        allowed: str | None = None,
        model: str | None = None,
    ) -> ParamError:
        """Build an error with one issue."""
        return cls([ParamIssue(field, value, problem, allowed)], model=model)


class TaskFailedError(AIReiterError):
    """A task ended with status ``failed``; ``task`` holds it, ``task.error`` the reason."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.out_task_id = task.out_task_id
        reason = task.error or "no reason given"
        super().__init__(
            f"task {task.out_task_id} ({task.model or 'unknown model'}) failed: {reason}"
        )


class NoOutputsError(TaskFailedError):
    """A task the API reports ``completed`` has no output to fetch: its ``output`` list is
    empty, or none of its items holds a URL. Raised when its files were asked for
    (``client.tasks.download``, ``generate(download_dir=...)``, ``handle.download``).

    Unlike a ``failed`` task (free), this one may have been charged: ``task.credits_used``
    shows what the answer says. ``task`` holds it, ``out_task_id`` its id (keep it when asking
    the provider about the charge). A subclass of :class:`TaskFailedError`, so code that
    treats "no result" alike catches both.
    """

    def __init__(self, task: Task) -> None:
        self.task = task
        self.out_task_id = task.out_task_id
        listed = task.raw.get("output", task.raw.get("outputs"))
        what = "an empty output list" if not listed else "no output URL"
        used = "" if task.credits_used is None else f" (credits_used {task.credits_used:g})"
        AIReiterError.__init__(
            self,
            f"task {task.out_task_id} ({task.model or 'unknown model'}) completed with {what}: "
            f"there is nothing to download. Credits may have been charged for it{used}: keep "
            f"out_task_id {task.out_task_id!r} to ask about it, and submit again under a new "
            "out_task_id to retry",
        )


class TaskTimeoutError(AIReiterError, TimeoutError):
    """A task did not finish within the wait's timeout. It may still finish later: it is not
    cancelled (the API has no cancel). ``task`` is the last state seen, if any; ``last_error``
    the last error a query met (the wait polled through it), if any. ``submitted=True`` (a
    wait on a task the API accepted) makes the message say the task exists and was paid for.
    """

    def __init__(
        self,
        out_task_id: str,
        timeout: float,
        task: Task | None = None,
        *,
        last_error: BaseException | None = None,
        submitted: bool = False,
    ) -> None:
        self.out_task_id = out_task_id
        self.timeout = timeout
        self.task = task
        self.last_error = last_error
        seen = [f"last status: {task.status.value}"] if task is not None else []
        if last_error is not None:
            seen.append(f"last error: {type(last_error).__name__}: {last_error}")
        last = f" ({'; '.join(seen)})" if seen else ""
        state = "it exists and was paid for" if submitted else "it is not cancelled"
        super().__init__(
            f"task {out_task_id} did not finish within {timeout:g} s{last}; {state} and may "
            f"still complete: query out_task_id {out_task_id!r} later instead of submitting again"
        )


class JournalError(AIReiterError):
    """A job journal cannot be used (damaged, unreadable, of a newer format ...). ``path``
    names it when it is a file; the message says what to do. Nothing was submitted."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class JournalBusyError(JournalError):
    """Another live process holds the claims on this journal's unfinished jobs, so this one
    would have nothing to do (or would pay twice). ``owner`` names the holder."""

    def __init__(self, message: str, *, owner: str, path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.owner = owner


class RunAbortedError(AIReiterError):
    """A condition that no retry can fix (a rejected key, an answer that is not the API, a host
    that cannot be reached) stopped a tracker run at once. Nothing more was submitted; the
    journal keeps every job for a resume once the cause is fixed. The error that caused it is
    ``cause`` (and ``__cause__``)."""

    def __init__(self, message: str, *, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.cause = cause
