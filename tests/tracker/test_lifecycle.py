"""The job lifecycle table: every state x event pair, and the rules "never twice" rests on."""

from __future__ import annotations

import pytest

from aireiter.tracker._journal import JobState
from aireiter.tracker._lifecycle import TRANSITIONS, Action, Event, IllegalTransition, transition

S, E, A = JobState, Event, Action

# Every defined pair: (state, event) -> (new state, actions). Anything else is illegal.
EXPECTED: dict[tuple[JobState, Event], tuple[JobState, tuple[Action, ...]]] = {
    (S.QUEUED, E.SEND): (S.SUBMITTING, (A.WRITE, A.SEND_SUBMIT)),
    (S.QUEUED, E.CANCEL): (S.CANCELLED, (A.WRITE, A.FINISH)),
    (S.SUBMITTING, E.ACCEPTED): (S.PENDING, (A.WRITE, A.SCHEDULE_POLL)),
    (S.SUBMITTING, E.PROCESSING): (S.PROCESSING, (A.WRITE, A.SCHEDULE_POLL)),
    (S.SUBMITTING, E.FINISHED_OK): (S.COMPLETED, (A.WRITE, A.FINISH)),
    (S.SUBMITTING, E.FINISHED_FAILED): (S.FAILED, (A.WRITE, A.FINISH)),
    (S.SUBMITTING, E.RETRY_FAILED): (S.QUEUED, (A.RENAME, A.REQUEUE)),
    (S.SUBMITTING, E.AMBIGUOUS): (S.IN_DOUBT, (A.WRITE, A.START_CONFIRM)),
    (S.SUBMITTING, E.NOT_SENT): (S.QUEUED, (A.WRITE, A.REQUEUE)),
    (S.SUBMITTING, E.REJECTED): (S.FAILED, (A.WRITE, A.FINISH)),
    (S.SUBMITTING, E.ID_TAKEN): (S.SUBMITTING, (A.CHECK_ID,)),
    (S.SUBMITTING, E.MISMATCH): (S.CONFLICT, (A.WRITE, A.FINISH)),
    (S.SUBMITTING, E.RETRYABLE): (S.IN_DOUBT, (A.WRITE, A.START_CONFIRM)),
    (S.SUBMITTING, E.NOT_FOUND): (S.IN_DOUBT, (A.WRITE, A.START_CONFIRM)),
    (S.SUBMITTING, E.CANCEL): (S.CANCELLED, (A.WRITE, A.FINISH)),
    (S.IN_DOUBT, E.ACCEPTED): (S.PENDING, (A.WRITE, A.SCHEDULE_POLL)),
    (S.IN_DOUBT, E.PROCESSING): (S.PROCESSING, (A.WRITE, A.SCHEDULE_POLL)),
    (S.IN_DOUBT, E.FINISHED_OK): (S.COMPLETED, (A.WRITE, A.FINISH)),
    (S.IN_DOUBT, E.FINISHED_FAILED): (S.FAILED, (A.WRITE, A.FINISH)),
    (S.IN_DOUBT, E.RETRY_FAILED): (S.QUEUED, (A.RENAME, A.REQUEUE)),
    (S.IN_DOUBT, E.NOT_FOUND): (S.IN_DOUBT, (A.CONTINUE_CONFIRM,)),
    (S.IN_DOUBT, E.RETRYABLE): (S.IN_DOUBT, (A.CONTINUE_CONFIRM,)),
    (S.IN_DOUBT, E.ABSENT): (S.QUEUED, (A.WRITE, A.REQUEUE)),
    (S.IN_DOUBT, E.ID_TAKEN): (S.IN_DOUBT, (A.CHECK_ID,)),
    (S.IN_DOUBT, E.MISMATCH): (S.CONFLICT, (A.WRITE, A.FINISH)),
    (S.IN_DOUBT, E.CANCEL): (S.CANCELLED, (A.WRITE, A.FINISH)),
    (S.PENDING, E.ACCEPTED): (S.PENDING, (A.SCHEDULE_POLL,)),
    (S.PENDING, E.PROCESSING): (S.PROCESSING, (A.WRITE, A.SCHEDULE_POLL)),
    (S.PENDING, E.FINISHED_OK): (S.COMPLETED, (A.WRITE, A.FINISH)),
    (S.PENDING, E.FINISHED_FAILED): (S.FAILED, (A.WRITE, A.FINISH)),
    (S.PENDING, E.RETRY_FAILED): (S.QUEUED, (A.RENAME, A.REQUEUE)),
    (S.PENDING, E.NOT_FOUND): (S.PENDING, (A.RETRY_LATER,)),
    (S.PENDING, E.RETRYABLE): (S.PENDING, (A.RETRY_LATER,)),
    (S.PENDING, E.CANCEL): (S.CANCELLED, (A.WRITE, A.FINISH)),
    (S.PROCESSING, E.ACCEPTED): (S.PROCESSING, (A.SCHEDULE_POLL,)),
    (S.PROCESSING, E.PROCESSING): (S.PROCESSING, (A.SCHEDULE_POLL,)),
    (S.PROCESSING, E.FINISHED_OK): (S.COMPLETED, (A.WRITE, A.FINISH)),
    (S.PROCESSING, E.FINISHED_FAILED): (S.FAILED, (A.WRITE, A.FINISH)),
    (S.PROCESSING, E.RETRY_FAILED): (S.QUEUED, (A.RENAME, A.REQUEUE)),
    (S.PROCESSING, E.NOT_FOUND): (S.PROCESSING, (A.RETRY_LATER,)),
    (S.PROCESSING, E.RETRYABLE): (S.PROCESSING, (A.RETRY_LATER,)),
    (S.PROCESSING, E.CANCEL): (S.CANCELLED, (A.WRITE, A.FINISH)),
}


@pytest.mark.parametrize("state", list(JobState))
@pytest.mark.parametrize("event", list(Event))
def test_every_state_and_event(state: JobState, event: Event) -> None:
    """Each pair does exactly what the table says; a cancel of a finished job is a no-op;
    every other pair is refused as a bug."""
    expected = EXPECTED.get((state, event))
    if expected is not None:
        assert transition(state, event) == expected
    elif event is Event.CANCEL and state.is_terminal:
        assert transition(state, event) == (state, ())
    else:
        with pytest.raises(IllegalTransition):
            transition(state, event)


def test_the_table_is_exactly_the_expected_one() -> None:
    """No transition exists that this test does not list (a new one must be reviewed here)."""
    defined = {(s, e) for s, events in TRANSITIONS.items() for e in events}
    assert defined == set(EXPECTED)


def test_only_queued_sends_and_only_proof_of_absence_returns_to_queued() -> None:
    """What "never twice" rests on: a submit is sent only on SEND from QUEUED; a sent job goes
    back to QUEUED only when it certainly did not arrive (NOT_SENT), a whole confirm window
    said "not found" (ABSENT), or a failed task is sent again under a new id (RENAME)."""
    senders = {(s, e) for (s, e), (_, acts) in EXPECTED.items() if A.SEND_SUBMIT in acts}
    assert senders == {(S.QUEUED, E.SEND)}
    back = {e for (s, e), (new, _) in EXPECTED.items() if new is S.QUEUED and s is not S.QUEUED}
    assert back == {E.NOT_SENT, E.ABSENT, E.RETRY_FAILED}
    for (_, event), (_, actions) in EXPECTED.items():
        if event is E.RETRY_FAILED:
            assert A.RENAME in actions  # never the same id again


def test_terminal_states_accept_nothing_but_a_harmless_cancel() -> None:
    """A finished job never moves again (a late answer changes nothing)."""
    for state in JobState:
        if state.is_terminal:
            assert TRANSITIONS[state] == {}
