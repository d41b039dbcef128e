"""Every sleep aireiter does goes through here, so tests can remove them.

``aireiter.testing.set_testing(True)`` makes :func:`sleep` return at once while recording the
delay it was asked for (``recorded_sleeps()``), so retry and polling tests finish in
milliseconds and can still assert the waits the policy chose.
"""

from __future__ import annotations

import anyio

__all__ = ["clear_recorded_sleeps", "is_testing", "recorded_sleeps", "set_testing", "sleep"]

_testing = False
_recorded: list[float] = []


def set_testing(enabled: bool) -> None:
    """Turn the testing switch on (sleeps return at once and are recorded) or off."""
    global _testing
    _testing = enabled
    _recorded.clear()


def is_testing() -> bool:
    """Whether the testing switch is on."""
    return _testing


def recorded_sleeps() -> list[float]:
    """The delays asked of :func:`sleep` since the switch was turned on (testing only)."""
    return list(_recorded)


def clear_recorded_sleeps() -> None:
    """Forget the recorded delays."""
    _recorded.clear()


async def sleep(seconds: float) -> None:
    """Sleep ``seconds`` (a checkpoint even for 0), or record it when testing."""
    if _testing:
        _recorded.append(seconds)
        await anyio.lowlevel.checkpoint()
        return
    await anyio.sleep(max(0.0, seconds))
