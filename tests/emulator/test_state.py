"""Task lifecycle, failures, credits and counters, driven by a ManualClock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp
import pytest

from aireiter.emulator import (
    EmulatorConfig,
    EmulatorState,
    LedgerEntry,
    ManualClock,
    RunningEmulator,
)
from aireiter.emulator._catalog import resolve_model
from tests.conftest import EmulatorFactory
from tests.emulator.conftest import Api


@pytest.fixture
def clock() -> ManualClock:
    """A clock that moves only when the test advances it."""
    return ManualClock()


@pytest.fixture
async def manual(emulator_factory: EmulatorFactory, clock: ManualClock) -> RunningEmulator:
    """An emulator on a manual clock: gpt_4o tasks take 10 s, sora2 tasks 100 s."""
    return await emulator_factory(clock=clock, durations={"gpt_4o": 10, "sora2": 100})


async def test_status_moves_pending_processing_completed(
    manual: RunningEmulator, clock: ManualClock, http: aiohttp.ClientSession
) -> None:
    """pending for the first 20% of the duration, processing until done, then completed."""
    api = Api(http, manual)
    await api.submit("life")
    seen = []
    for step in (0, 1.9, 0.1, 7.9, 0.1):
        clock.advance(step)
        seen.append((await api.query("life"))["data"]["status"])
    assert seen == ["pending", "pending", "processing", "processing", "completed"]


async def test_completed_task_has_outputs_and_times(
    manual: RunningEmulator, clock: ManualClock, http: aiohttp.ClientSession
) -> None:
    """A completed task lists its output URLs and completed_at = created_at + duration."""
    api = Api(http, manual)
    await api.submit("done", model="seedream_v4", params={"prompt": "x", "output_n": "2"})
    running = (await api.query("done"))["data"]
    assert running["output"] == []
    assert running["completed_at"] is None
    clock.advance(1000)
    data = (await api.query("done"))["data"]
    assert [o["url"] for o in data["output"]] == [
        f"{manual.base_url}/files/done/0.png",
        f"{manual.base_url}/files/done/1.png",
    ]
    assert data["credits_used"] == 20
    assert data["error"] is None
    created = datetime.fromisoformat(data["created_at"].replace("Z", "+00:00"))
    completed = datetime.fromisoformat(data["completed_at"].replace("Z", "+00:00"))
    # the catalogue's image processing time (the FAQ: "a few seconds to tens of seconds")
    assert (completed - created).total_seconds() == pytest.approx(30, abs=0.002)


async def test_fail_marker_fails_and_charges_nothing(
    manual: RunningEmulator, clock: ManualClock, http: aiohttp.ClientSession
) -> None:
    """A prompt with FAIL_ME ends failed with an error, no outputs and no charge."""
    api = Api(http, manual)
    await api.submit("bad", model="sora2", params={"prompt": "FAIL_ME now"})
    await api.submit("good", model="gpt_4o")
    clock.advance(100)
    failed = (await api.query("bad"))["data"]
    assert failed["status"] == "failed"
    assert failed["error"]
    assert failed["output"] == []
    assert failed["credits_used"] == 0
    assert manual.state.ledger == [LedgerEntry("good", 10.0)]
    assert manual.state.charged == 10.0
    assert (await api.balance())["data"]["credits"] == 1_000_000 - 10


async def test_charge_happens_at_completion_not_at_submit(
    manual: RunningEmulator, clock: ManualClock, http: aiohttp.ClientSession
) -> None:
    """The balance drops only once a task is complete, by exactly its estimate."""
    api = Api(http, manual)
    estimate = (await api.submit("pay", model="sora2"))["data"]["estimated_credits"]
    assert estimate == 100
    clock.advance(99)
    assert manual.state.balance == 1_000_000
    assert manual.state.outstanding_credits == 100
    clock.advance(1)
    assert manual.state.balance == 1_000_000 - 100
    assert manual.state.outstanding_credits == 0
    assert sum(entry.credits for entry in manual.state.ledger) == manual.state.charged


def test_failure_rate_is_deterministic_per_id_and_seed() -> None:
    """The same seed and ids give the same failures; the share is near failure_rate."""
    info = resolve_model("gpt_4o")
    assert info is not None

    def fates(seed: int) -> list[bool]:
        state = EmulatorState(EmulatorConfig(failure_rate=0.3, seed=seed, clock=ManualClock()))
        return [
            state.create_task(
                info,
                out_task_id=f"id-{n}",
                params={"prompt": "x"},
                callback_url=None,
                metadata=None,
                estimated_credits=10,
                outputs=1,
            ).fails
            for n in range(2000)
        ]

    first = fates(1)
    assert first == fates(1)
    assert first != fates(2)
    assert 0.25 < sum(first) / len(first) < 0.35


def test_ten_thousand_tasks_settle_and_reconcile() -> None:
    """10,000 tasks are held and settled in one process; charges reconcile with the balance."""
    clock = ManualClock()
    state = EmulatorState(
        EmulatorConfig(clock=clock, initial_credits=1e9, failure_rate=0.1, time_scale=0.01)
    )
    info = resolve_model("sora2_plus")
    assert info is not None
    assert info.base == "sora2"
    assert info.channel == "plus"
    for n in range(10_000):
        credits, outputs = state.estimate(info, {"prompt": "x", "video_length": "15"})
        state.create_task(
            info,
            out_task_id=f"bulk-{n}",
            params={"prompt": "x"},
            callback_url=None,
            metadata=None,
            estimated_credits=credits,
            outputs=outputs,
        )
        clock.advance(0.0001)
    assert credits == 187.5
    assert state.task_status("bulk-0") in ("pending", "processing")
    clock.advance(2.0)
    completed = [t for t in state.tasks.values() if t.status_at(clock()) == "completed"]
    assert len(state.ledger) == len(completed) > 8000
    assert state.charged == pytest.approx(187.5 * len(completed))
    assert state.balance == pytest.approx(1e9 - state.charged)
    assert all(task.settled for task in state.tasks.values())


async def test_counters_and_reset(api: Api) -> None:
    """request_counts counts (method, path) pairs; reset_counts zeroes every counter."""
    await api.submit("cnt")
    await api.query("cnt")
    await api.balance()
    state = api.emulator.state
    assert state.request_counts[("POST", "/api/openapi/submit")] == 1
    assert state.request_counts[("GET", "/api/openapi/balance")] == 1
    state.reset_counts()
    assert sum(state.request_counts.values()) == 0
    assert state.submit_counts["cnt"] == 0
    assert "cnt" in state.tasks


def test_config_rejects_nonsense() -> None:
    """Invalid config values fail at construction with the field named."""
    bad: list[dict[str, Any]] = [
        {"failure_rate": 1.5},
        {"time_scale": -1},
        {"api_keys": ()},
        {"callback_attempts": 0},
        {"durations": {"sora2": -1}},
    ]
    for options in bad:
        with pytest.raises(ValueError):
            EmulatorConfig(**options)


def test_manual_clock_only_moves_forward() -> None:
    """advance() moves the clock and tells subscribers; going back is refused."""
    clock = ManualClock(5)
    calls: list[float] = []
    unsubscribe = clock.subscribe(lambda: calls.append(clock()))
    assert clock.advance(2) == 7
    unsubscribe()
    clock.advance(1)
    assert calls == [7]
    assert clock.now == 8
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_duration_spread_draws_each_task_within_its_band() -> None:
    """duration_spread=0.2: durations fall in 0.8x-1.2x, spread over the band, the same for
    the same seed and id (and independent of which tasks fail)."""
    info = resolve_model("gpt_4o")
    assert info is not None

    def durations(seed: int) -> list[float]:
        clock = ManualClock()
        state = EmulatorState(
            EmulatorConfig(default_duration_s=10.0, duration_spread=0.2, seed=seed, clock=clock)
        )
        tasks = [
            state.create_task(
                info,
                out_task_id=f"id-{n}",
                params={"prompt": "x"},
                callback_url=None,
                metadata=None,
                estimated_credits=10,
                outputs=1,
            )
            for n in range(1000)
        ]
        return [task.done_at - task.created for task in tasks]

    first = durations(1)
    assert first == durations(1)
    assert min(first) >= 8.0
    assert max(first) <= 12.0
    assert min(first) < 8.2
    assert max(first) > 11.8
