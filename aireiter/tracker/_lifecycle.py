"""The job lifecycle: every state a job can be in, and what each event does to it.

This module is the only place that decides a job's next state. :func:`transition` is pure:
``(state, event) -> (new state, actions)``; the engine turns each answer of the API into an
:class:`Event`, asks :func:`transition`, and carries out the :class:`Action` list in order
(journal first, then the rest). A pair not in the table is a bug and raises
:class:`IllegalTransition`.

::

    QUEUED ──SEND──> SUBMITTING ──ACCEPTED/PROCESSING──> PENDING/PROCESSING ──> COMPLETED
      ^                 │  │ └──FINISHED_*/REJECTED──────────────────────────> FAILED
      │                 │  └──ID_TAKEN──> (check the task under that id) ──MISMATCH──> CONFLICT
      │                 └──AMBIGUOUS──> IN_DOUBT ──found──> PENDING/PROCESSING/...
      └──NOT_SENT / ABSENT (a whole confirm window of "not found")──────┘

What "never twice" rests on: the only way into ``SUBMITTING`` (the only state that sends a
submit) is ``SEND`` from ``QUEUED``; the only ways back to ``QUEUED`` after a send are
``NOT_SENT`` (the request certainly never left: refused before sending, or a 429 the API
answered without doing anything) and ``ABSENT`` (a full confirm window of "not found"; see
:mod:`aireiter._confirm`). An answer that is not conclusive keeps the job where it is.

Timeouts and a stopped run are not states: the job keeps its journal state, so a resumed run
looks at it again.
"""

from __future__ import annotations

import enum
from typing import Final

from ._journal import JobState

__all__ = ["TRANSITIONS", "Action", "Event", "IllegalTransition", "transition"]


class Event(enum.Enum):
    """Something that happened to one job."""

    SEND = "send"
    """The submit budget let the job go: send its submit now."""
    ACCEPTED = "accepted"
    """The API has the task and it is not finished (``pending``, ``submitted``, or a status
    this SDK does not know yet: it is polled until the job's deadline)."""
    PROCESSING = "processing"
    """The API says ``processing``."""
    FINISHED_OK = "completed"
    """The API says ``completed``."""
    FINISHED_FAILED = "failed"
    """The API says ``failed`` (final; free)."""
    RETRY_FAILED = "retry_failed"
    """The API says ``failed`` and the job has ``retry_failed`` tries left: send it again
    under a new journaled id."""
    AMBIGUOUS = "ambiguous"
    """A submit whose outcome is unknown (timeout, reset after sending, 5xx, unreadable 2xx)."""
    NOT_SENT = "not_sent"
    """A submit that certainly did not reach the API (refused before sending, a 429)."""
    REJECTED = "rejected"
    """The API refused this one job for good (bad params and other 4xx business errors)."""
    ID_TAKEN = "id_taken"
    """The API says the ``out_task_id`` exists (409), or answered a first submit with a task
    that is already under way: look at that task before adopting it."""
    MISMATCH = "mismatch"
    """The task under this ``out_task_id`` is not this job's (another model or params, or no
    proof it is ours): a conflict, never a result."""
    NOT_FOUND = "not_found"
    """A query answered "not found" (no proof of anything on its own)."""
    RETRYABLE = "retryable"
    """A query failed in a way worth trying again (5xx, 429, connection, timeout, odd answer)."""
    ABSENT = "absent"
    """A whole confirm window said "not found": the ambiguous submit never landed."""
    CANCEL = "cancel"
    """The user cancelled the job."""


class Action(enum.Enum):
    """What the engine does for a transition, in the order listed."""

    WRITE = "write"
    """Journal the new state (durable before anything else happens)."""
    SEND_SUBMIT = "send_submit"
    """Send the submit request."""
    START_CONFIRM = "start_confirm"
    """Open a confirm window and schedule its first query."""
    CONTINUE_CONFIRM = "continue_confirm"
    """Schedule the next confirm query (or declare ABSENT when the window is complete)."""
    CHECK_ID = "check_id"
    """Query the id and compare the task found with this job (MISMATCH or adopt)."""
    SCHEDULE_POLL = "schedule_poll"
    """Schedule the next poll by the poll policy."""
    RETRY_LATER = "retry_later"
    """Schedule the same query again after the error backoff."""
    REQUEUE = "requeue"
    """Put the job back in the submit line."""
    RENAME = "rename"
    """Journal a new job under a fresh id with the same params (the failed one stays)."""
    FINISH = "finish"
    """The job is over for this run: record the result and wake its waiters."""


class IllegalTransition(RuntimeError):
    """An event that cannot happen in this state (a bug in the engine, never the API's fault)."""

    def __init__(self, state: JobState, event: Event) -> None:
        super().__init__(f"no transition for event {event.value!r} in state {state.value!r}")
        self.state = state
        self.event = event


S = JobState
E = Event
A = Action
_Result = tuple[JobState, tuple[Action, ...]]

_FOUND: Final[dict[Event, _Result]] = {
    E.ACCEPTED: (S.PENDING, (A.WRITE, A.SCHEDULE_POLL)),
    E.PROCESSING: (S.PROCESSING, (A.WRITE, A.SCHEDULE_POLL)),
    E.FINISHED_OK: (S.COMPLETED, (A.WRITE, A.FINISH)),
    E.FINISHED_FAILED: (S.FAILED, (A.WRITE, A.FINISH)),
    E.RETRY_FAILED: (S.QUEUED, (A.RENAME, A.REQUEUE)),
}
_CANCEL: Final[dict[Event, _Result]] = {E.CANCEL: (S.CANCELLED, (A.WRITE, A.FINISH))}

TRANSITIONS: Final[dict[JobState, dict[Event, _Result]]] = {
    S.QUEUED: {
        E.SEND: (S.SUBMITTING, (A.WRITE, A.SEND_SUBMIT)),
        **_CANCEL,
    },
    S.SUBMITTING: {
        **_FOUND,
        E.AMBIGUOUS: (S.IN_DOUBT, (A.WRITE, A.START_CONFIRM)),
        E.NOT_SENT: (S.QUEUED, (A.WRITE, A.REQUEUE)),
        E.REJECTED: (S.FAILED, (A.WRITE, A.FINISH)),
        E.ID_TAKEN: (S.SUBMITTING, (A.CHECK_ID,)),
        E.MISMATCH: (S.CONFLICT, (A.WRITE, A.FINISH)),
        # A failed CHECK_ID query: the id exists, so the outcome is in doubt, never resent.
        E.RETRYABLE: (S.IN_DOUBT, (A.WRITE, A.START_CONFIRM)),
        E.NOT_FOUND: (S.IN_DOUBT, (A.WRITE, A.START_CONFIRM)),
        **_CANCEL,
    },
    S.IN_DOUBT: {
        **_FOUND,
        E.NOT_FOUND: (S.IN_DOUBT, (A.CONTINUE_CONFIRM,)),
        E.RETRYABLE: (S.IN_DOUBT, (A.CONTINUE_CONFIRM,)),
        E.ABSENT: (S.QUEUED, (A.WRITE, A.REQUEUE)),
        E.ID_TAKEN: (S.IN_DOUBT, (A.CHECK_ID,)),
        E.MISMATCH: (S.CONFLICT, (A.WRITE, A.FINISH)),
        **_CANCEL,
    },
    S.PENDING: {
        **_FOUND,
        E.ACCEPTED: (S.PENDING, (A.SCHEDULE_POLL,)),
        E.NOT_FOUND: (S.PENDING, (A.RETRY_LATER,)),
        E.RETRYABLE: (S.PENDING, (A.RETRY_LATER,)),
        **_CANCEL,
    },
    S.PROCESSING: {
        **_FOUND,
        E.ACCEPTED: (S.PROCESSING, (A.SCHEDULE_POLL,)),  # "pending" again: no step back
        E.PROCESSING: (S.PROCESSING, (A.SCHEDULE_POLL,)),
        E.NOT_FOUND: (S.PROCESSING, (A.RETRY_LATER,)),
        E.RETRYABLE: (S.PROCESSING, (A.RETRY_LATER,)),
        **_CANCEL,
    },
    S.COMPLETED: {},
    S.FAILED: {},
    S.CANCELLED: {},
    S.CONFLICT: {},
}
"""The whole lifecycle: ``TRANSITIONS[state][event] -> (new state, actions)``."""


def transition(state: JobState, event: Event) -> tuple[JobState, tuple[Action, ...]]:
    """The state ``event`` leads to from ``state``, and the actions to carry out.

    A cancel of a finished job changes nothing (no actions); any other pair that is not in
    :data:`TRANSITIONS` raises :class:`IllegalTransition`.
    """
    try:
        return TRANSITIONS[state][event]
    except KeyError:
        if event is E.CANCEL and state.is_terminal:
            return state, ()
        raise IllegalTransition(state, event) from None
