"""Run the real console entry point (``python -m aireiter``) in a subprocess, as a user would.

The emulator runs in the test's event loop, so the CLI is started with
``asyncio.create_subprocess_exec`` (the loop keeps serving while the CLI runs).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from aireiter.emulator import RunningEmulator

CLI_TIMEOUT_S = 45.0  # one CLI run, start to exit


@attrs.frozen
class CLIResult:
    """What one CLI run printed and returned."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout as one JSON document."""
        return json.loads(self.stdout)


def cli_env(emulator: RunningEmulator | None = None, **extra: str) -> dict[str, str]:
    """The process environment for a CLI run: no AIREITER_* of the developer's, the
    emulator's URL and key when given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIREITER_", "OPENAI_"))}
    env["PYTHONWARNINGS"] = "error"
    env["COLUMNS"] = "160"
    if emulator is not None:
        env["AIREITER_BASE_URL"] = emulator.base_url
        env["AIREITER_API_KEY"] = emulator.api_key
    env.update(extra)
    return env


async def start_cli(
    *args: str, env: Mapping[str, str], cwd: Path | None = None
) -> asyncio.subprocess.Process:
    """Start ``python -m aireiter ARGS`` with pipes for stdout and stderr."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aireiter",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(env),
        cwd=cwd,
    )


async def run_cli(
    *args: str,
    env: Mapping[str, str],
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = CLI_TIMEOUT_S,
) -> CLIResult:
    """Run ``python -m aireiter ARGS`` to completion."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aireiter",
        *args,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(env),
        cwd=cwd,
    )
    try:
        out, err = await asyncio.wait_for(
            proc.communicate(stdin.encode() if stdin is not None else None), timeout
        )
    except asyncio.TimeoutError:  # (not the builtin before Python 3.11)
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return CLIResult(proc.returncode, out.decode(), err.decode())


@pytest.fixture
def env(emulator: RunningEmulator) -> dict[str, str]:
    """CLI environment pointing at the test's emulator."""
    return cli_env(emulator)
