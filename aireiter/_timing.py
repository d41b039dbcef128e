"""Every sleep aireiter does goes through here, so tests can remove them.

``aireiter.testing.set_testing(True)`` makes :func:`sleep` return at once while recording the
delay it was asked for (``recorded_sleeps()``), so retry and polling tests finish in
milliseconds and can still assert the waits the policy chose.

:func:`time_scale` is the factor every SDK duration derived from the API's timing is
multiplied by (poll schedules, the confirm window): 1.0 normally, 0.01 against an emulator
run with ``--time-scale 0.01``. The tracker's ``PollPolicy`` default ``duration_scale``,
``client.tasks.wait`` intervals and ``ConfirmPolicy.scaled`` read it;
``aireiter.testing.time_scale(f)`` sets it (and an in-process emulator's default time scale).
A process started by a test takes it from ``AIREITER_TIME_SCALE`` (read at import).
"""

from __future__ import annotations

import math
import os
import warnings

import anyio

from ._constants import ENV_TIME_SCALE

__all__ = [
    "clear_recorded_sleeps",
    "is_testing",
    "recorded_sleeps",
    "set_testing",
    "set_time_scale",
    "sleep",
    "time_scale",
]

_testing = False
_recorded: list[float] = []


def _scale_from_environment() -> float:
    """``AIREITER_TIME_SCALE`` when it is a finite number > 0 (else a warning, and 1.0)."""
    text = os.environ.get(ENV_TIME_SCALE, "").strip()
    if not text:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if math.isfinite(value) and value > 0:
        return value
    warnings.warn(f"{ENV_TIME_SCALE}={text!r} is not a number > 0: ignored", stacklevel=2)
    return 1.0


_time_scale = _scale_from_environment()


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


def time_scale() -> float:
    """The factor SDK durations are multiplied by (1.0 unless a test or run set it)."""
    return _time_scale


def set_time_scale(factor: float) -> None:
    """Set :func:`time_scale` to ``factor``, a finite number > 0 (``ParamError`` otherwise)."""
    global _time_scale
    if (
        isinstance(factor, bool)
        or not isinstance(factor, (int, float))
        or not math.isfinite(factor)
        or factor <= 0
    ):
        from ._exceptions import ParamError

        raise ParamError.single("time_scale", factor, "must be a finite number > 0")
    _time_scale = float(factor)


async def sleep(seconds: float) -> None:
    """Sleep ``seconds`` (a checkpoint even for 0), or record it when testing."""
    if _testing:
        _recorded.append(seconds)
        await anyio.lowlevel.checkpoint()
        return
    await anyio.sleep(max(0.0, seconds))
