"""The confirm window: how an ambiguous submit is resolved before anything is sent again.

A submit whose outcome is unknown (a timeout, a connection lost after the request went out, a
5xx, an unreadable 2xx) may still be on its way through the API: a server that is slow to
record it answers "not found" to a query sent right away, then records it anyway. One "not
found" is therefore no proof. The SDK resends only after a *window* of "not found" answers:

- the window lasts ``max(min_window_s, in_flight_factor * attempt_s)`` seconds from the
  failure, where ``attempt_s`` is how long the failed attempt was on the wire (a request the
  server held for 30 s may be held 30 s more);
- ``queries`` queries are spread over it, at geometric offsets (the last one at its end), so a
  quick server is confirmed at once and a slow one is still seen;
- any query that finds the task ends the window (the task exists: it is adopted, never sent
  again); a query that fails (timeout, 5xx) proves nothing and the window goes on; when the
  window ends without a single "not found", the outcome stays unknown and nothing is resent.

The API docs never say that a reused ``out_task_id`` is refused, so the SDK does not rely on
it. This one policy is used by ``client.tasks.submit``, ``generate()`` and the tracker.
"""

from __future__ import annotations

from typing import Final

import attrs

__all__ = [
    "DEFAULT_CONFIRM_IN_FLIGHT_FACTOR",
    "DEFAULT_CONFIRM_MIN_WINDOW_S",
    "DEFAULT_CONFIRM_QUERIES",
    "ConfirmPolicy",
]

DEFAULT_CONFIRM_MIN_WINDOW_S: Final = 20.0
"""The shortest confirm window, in seconds (a fast failure still waits this long)."""
DEFAULT_CONFIRM_IN_FLIGHT_FACTOR: Final = 1.0
"""The window is at least this many times the failed attempt's time on the wire."""
DEFAULT_CONFIRM_QUERIES: Final = 4
"""Queries spread over one window (all must say "not found" before a resend)."""


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:
        from ._exceptions import ParamError

        raise ParamError.single(attribute.name, value, "must be > 0")


def _at_least_one(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or value < 1:
        from ._exceptions import ParamError

        raise ParamError.single(attribute.name, value, "must be an int >= 1")


@attrs.frozen(kw_only=True)
class ConfirmPolicy:
    """When to query an ambiguous submit, and when its "not found" answers prove absence.

    ``scaled(f)`` shrinks every duration by ``f`` (for tests and emulator runs with a time
    scale); the number of queries stays the same.
    """

    min_window_s: float = attrs.field(default=DEFAULT_CONFIRM_MIN_WINDOW_S, validator=_positive)
    in_flight_factor: float = attrs.field(
        default=DEFAULT_CONFIRM_IN_FLIGHT_FACTOR, validator=_positive
    )
    queries: int = attrs.field(default=DEFAULT_CONFIRM_QUERIES, validator=_at_least_one)

    def window(self, attempt_s: float) -> float:
        """Seconds from the failure until a run of "not found" answers allows a resend."""
        return max(self.min_window_s, self.in_flight_factor * max(0.0, attempt_s))

    def offsets(self, attempt_s: float) -> tuple[float, ...]:
        """When to query, in seconds after the failure: ``queries`` geometric steps, the
        first at 1/2**(queries-1) of the window (at once for one query), the last at its end.
        """
        window = self.window(attempt_s)
        n = self.queries
        if n == 1:
            return (window,)
        return tuple(window / 2 ** (n - 1 - i) for i in range(n))

    def scaled(self, factor: float) -> ConfirmPolicy:
        """This policy with every duration multiplied by ``factor`` (> 0)."""
        return attrs.evolve(self, min_window_s=self.min_window_s * factor)
