"""Helpers for testing code that uses aireiter: the sleep switch, the time scale, the emulator.

``set_testing(True)`` makes every retry and polling sleep return at once (the delays asked
for are kept, see ``recorded_sleeps()``).

``time_scale(f)`` is the one switch for runs against an emulator whose tasks are ``f`` times
as fast: inside it, the SDK's poll schedules and confirm window are ``f`` times as long
(``aireiter._timing.time_scale()`` reads it), and an emulator started in this process without
an explicit ``time_scale`` runs its tasks ``f`` times as fast too. Against an emulator in
another process (``aireiter emulator --time-scale 0.01``), the same call scales the SDK side:

>>> from aireiter.testing import time_scale
>>> with time_scale(0.01):  # doctest: +SKIP
...     results = await run_my_tracker_snippet()  # seconds instead of minutes

The emulator is a real aiohttp server implementing the AIReiter API on 127.0.0.1; see
:mod:`aireiter.emulator`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import _timing
from ._timing import clear_recorded_sleeps, is_testing, recorded_sleeps, set_testing

__all__ = [
    "clear_recorded_sleeps",
    "get_time_scale",
    "is_testing",
    "recorded_sleeps",
    "set_testing",
    "set_time_scale",
    "time_scale",
]


def get_time_scale() -> float:
    """The current time scale (1.0 unless :func:`set_time_scale` or :func:`time_scale` set it)."""
    return _timing.time_scale()


def set_time_scale(factor: float) -> None:
    """Scale the SDK's poll schedules and confirm window by ``factor`` (a finite number > 0),
    and make it the default ``time_scale`` of emulators started in this process afterwards.

    Raises :class:`~aireiter.ParamError` for anything else; nothing changes then.
    """
    _timing.set_time_scale(factor)
    from .emulator._config import set_default_time_scale

    set_default_time_scale(factor)


@contextmanager
def time_scale(factor: float) -> Iterator[float]:
    """Within the block, :func:`set_time_scale` ``(factor)``; the previous scale is restored on
    exit (blocks nest). Yields ``factor``."""
    from .emulator._config import default_time_scale, set_default_time_scale

    previous_sdk, previous_emulator = _timing.time_scale(), default_time_scale()
    set_time_scale(factor)
    try:
        yield factor
    finally:
        _timing.set_time_scale(previous_sdk)
        set_default_time_scale(previous_emulator)
