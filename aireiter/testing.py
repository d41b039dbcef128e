"""Helpers for testing code that uses aireiter: the sleep switch and the local emulator.

``set_testing(True)`` makes every retry and polling sleep return at once (the delays asked
for are kept, see ``recorded_sleeps()``). The emulator is a real aiohttp server implementing
the AIReiter API on 127.0.0.1; see :mod:`aireiter.emulator`.
"""

from __future__ import annotations

from ._timing import clear_recorded_sleeps, is_testing, recorded_sleeps, set_testing

__all__ = ["clear_recorded_sleeps", "is_testing", "recorded_sleeps", "set_testing"]
