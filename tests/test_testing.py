"""aireiter.testing: the time-scale switch scales the SDK's schedule and an emulator's tasks."""

from __future__ import annotations

import math
import time

import pytest

from aireiter import AsyncAIReiter, ParamError, _timing
from aireiter.emulator import EmulatorConfig, ManualClock, run_emulator
from aireiter.emulator._catalog import resolve_model
from aireiter.emulator._config import default_time_scale
from aireiter.emulator._state import EmulatorState
from aireiter.testing import get_time_scale, set_time_scale, time_scale


def test_the_getter_follows_the_switch_and_blocks_restore_it() -> None:
    """time_scale(f) sets aireiter._timing.time_scale() and the emulator default; nested blocks
    restore what was there before."""
    assert _timing.time_scale() == 1.0
    assert get_time_scale() == 1.0
    with time_scale(0.1) as outer:
        assert outer == 0.1
        assert _timing.time_scale() == 0.1
        with time_scale(0.01):
            assert _timing.time_scale() == get_time_scale() == 0.01
            assert default_time_scale() == 0.01
        assert _timing.time_scale() == default_time_scale() == 0.1
    assert _timing.time_scale() == default_time_scale() == 1.0


def test_set_time_scale_and_bad_factors() -> None:
    """set_time_scale sets both sides; anything but a finite number > 0 is a ParamError and
    changes nothing."""
    try:
        set_time_scale(0.5)
        assert (_timing.time_scale(), default_time_scale()) == (0.5, 0.5)
        for bad in (0, -1, math.inf, math.nan, "0.1", True, None):
            with pytest.raises(ParamError, match="time_scale"):
                set_time_scale(bad)  # type: ignore[arg-type]
        assert (_timing.time_scale(), default_time_scale()) == (0.5, 0.5)
    finally:
        set_time_scale(1.0)


def test_the_emulator_side_scales_durations() -> None:
    """Inside the switch an emulator config without a time_scale runs tasks f times as fast;
    an explicit time_scale wins; outside, durations are the catalogue's."""
    sora2 = resolve_model("sora2")
    assert sora2 is not None
    assert EmulatorState(EmulatorConfig(clock=ManualClock())).duration_s(sora2) == 180
    with time_scale(0.01):
        config = EmulatorConfig(clock=ManualClock())
        assert config.time_scale == 0.01
        assert EmulatorState(config).duration_s(sora2) == pytest.approx(1.8)
        assert EmulatorConfig(time_scale=1.0).time_scale == 1.0
    assert EmulatorConfig().time_scale == 1.0


async def test_one_switch_makes_a_real_wait_take_a_fraction_of_a_second() -> None:
    """With time_scale(0.01), an emulator task (30 s -> 0.3 s) and the SDK's wait (first poll
    5 s -> 0.05 s) both shrink: submit + wait finish in well under the unscaled first poll."""
    with time_scale(0.01):
        async with (
            run_emulator() as emu,
            AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client,
        ):
            assert emu.state.config.time_scale == 0.01
            assert client.tasks.confirm_policy.min_window_s == pytest.approx(0.2)
            started = time.monotonic()
            task = await client.tasks.submit("gpt_4o", {"prompt": "a lighthouse"})
            done = await client.tasks.wait(task.out_task_id, timeout=20)
            elapsed = time.monotonic() - started
    assert done.is_done
    assert 0.25 < elapsed < 3.0
    assert emu.state.query_counts[task.out_task_id] <= 10
