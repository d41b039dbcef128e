"""Every script in examples/ runs to completion against the emulator, as CI runs it.

Each example reads AIREITER_BASE_URL / AIREITER_API_KEY (set here to a test emulator whose
tasks are scaled like the examples' own embedded one) and falls back to starting an emulator
itself when they are unset: both paths are run.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from aireiter.emulator import RunningEmulator

from .conftest import EmulatorFactory

EXAMPLES_DIR = Path(__file__).parent.parent / "examples"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.py") if not p.name.startswith("_"))
EXAMPLE_TIMEOUT_S = 40.0
TIME_SCALE = 0.01  # the examples' LOCAL_TIME_SCALE


async def _run(script: Path, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-W", "error", str(script),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(proc.communicate(), EXAMPLE_TIMEOUT_S)
    except asyncio.TimeoutError:  # (not the builtin before Python 3.11)
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _env(emulator: RunningEmulator | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIREITER_", "OPENAI_"))}
    if emulator is not None:
        env["AIREITER_BASE_URL"] = emulator.base_url
        env["AIREITER_API_KEY"] = emulator.api_key
    return env


def test_examples_exist() -> None:
    """The examples the README promises are there."""
    names = {p.stem for p in EXAMPLES}
    assert {
        "webapp_aiohttp",
        "openai_dropin",
        "bulk_tracker",
        "typed_model",
        "claude_messages",
        "sync_script",
    } <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
async def test_example_runs_against_the_emulator(
    script: Path, emulator_factory: EmulatorFactory
) -> None:
    """The example exits 0 and prints something, talking to the emulator named in the env."""
    emulator = await emulator_factory(time_scale=TIME_SCALE)
    code, out, err = await _run(script, _env(emulator))
    assert code == 0, err
    assert out.strip()
    assert sum(emulator.state.request_counts.values()) > 0  # it really used this emulator


SELF_STARTING = [p for p in EXAMPLES if p.stem in ("claude_messages", "sync_script")]


@pytest.mark.parametrize("script", SELF_STARTING, ids=lambda p: p.stem)
async def test_example_starts_its_own_emulator_without_a_key(script: Path) -> None:
    """Without AIREITER_API_KEY the example starts an emulator itself and still succeeds."""
    code, out, err = await _run(script, _env(None))
    assert code == 0, err
    assert out.strip()


async def test_an_example_runs_twice_against_one_account(
    emulator_factory: EmulatorFactory,
) -> None:
    """typed_model.py names its task with a fresh id each run: run twice against one emulator
    (which refuses a reused out_task_id, 409), both runs succeed and make two tasks. The two
    runs go at once: a fixed id would collide all the same."""
    emulator = await emulator_factory(time_scale=TIME_SCALE)
    script = EXAMPLES_DIR / "typed_model.py"
    runs = await asyncio.gather(*(_run(script, _env(emulator)) for _ in range(2)))
    for code, _out, err in runs:
        assert code == 0, err
    ids = [oid for oid in emulator.state.tasks if oid.startswith("typed-demo-")]
    assert len(ids) == 2
