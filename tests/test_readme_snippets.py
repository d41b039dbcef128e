"""Every fenced ``python`` block of README.md and docs/*.md runs, as written, against the
emulator: a snippet that stops working fails the suite.

Each block is a complete program (imports, ``asyncio.run(main())``, every name defined) and is
run in a subprocess of its own, in an empty directory, with ``AIREITER_API_KEY`` /
``AIREITER_BASE_URL`` naming an emulator started by the test whose tasks run 100 times faster,
and ``AIREITER_TIME_SCALE`` scaling the SDK's polling to match (read by
:mod:`aireiter._timing` at import). The blocks run a few at a time. A block that must not run
(one that needs the real API) is marked by an HTML comment on the line before its fence:
``<!-- snippet: skip why -->``; the count of blocks run and skipped is printed.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from pathlib import Path

import attrs
import pytest

from aireiter.emulator import EmulatorConfig, run_emulator

ROOT = Path(__file__).parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TIME_SCALE = 0.01  # the emulator's tasks and the SDK's polling, both 100 times faster
SNIPPET_TIMEOUT_S = 60.0  # one snippet, start to exit, on a loaded 2-core machine
CONCURRENCY = 4  # snippets running at once

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_SKIP = re.compile(r"<!--\s*snippet:\s*skip\b\s*(.*?)\s*-->\s*\Z", re.DOTALL)


@attrs.frozen
class Snippet:
    """One fenced python block: where it is, its code, and why it is not run (if so)."""

    document: str
    line: int
    code: str
    skip: str | None = None

    @property
    def name(self) -> str:
        """``README.md:22``."""
        return f"{self.document}:{self.line}"


def extract(text: str, document: str) -> list[Snippet]:
    """The python blocks of a markdown ``text``, each with its skip reason when the line
    before its fence is ``<!-- snippet: skip reason -->``."""
    snippets = []
    for found in _FENCE.finditer(text):
        before = text[: found.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = _SKIP.search(before)
        line = text.count("\n", 0, found.start()) + 1
        reason = (skip.group(1) or "no reason given") if skip else None
        snippets.append(Snippet(document, line, found.group(1), reason))
    return snippets


def all_snippets() -> list[Snippet]:
    """Every python block of README.md and docs/*.md."""
    found: list[Snippet] = []
    for path in DOCUMENTS:
        found += extract(path.read_text(encoding="utf-8"), path.name)
    return found


async def _run(snippet: Snippet, env: dict[str, str], cwd: Path) -> tuple[int, str, float]:
    script = cwd / "snippet.py"
    script.write_text(snippet.code, encoding="utf-8")
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-W", "error", str(script),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd=cwd,
    )  # fmt: skip
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), SNIPPET_TIMEOUT_S)
    except asyncio.TimeoutError:  # (not the builtin before Python 3.11)
        proc.kill()
        await proc.wait()
        return -1, f"timed out after {SNIPPET_TIMEOUT_S:g} s", SNIPPET_TIMEOUT_S
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace"), time.monotonic() - started


def test_extract_finds_blocks_and_skip_markers() -> None:
    """Blocks are found with their line; the marker applies to the block right after it."""
    text = (
        "# T\n\n```python\nprint(1)\n```\n\n<!-- snippet: skip needs the real API -->\n"
        "```python\nprint(2)\n```\n<!-- snippet: skip -->\n```python\nprint(3)\n```\n"
        "<!-- snippet: skip far away -->\n\ntext\n```python\nprint(4)\n```\n"
        "```bash\nls\n```\n"
    )
    found = extract(text, "X.md")
    assert [(s.line, s.code, s.skip) for s in found] == [
        (3, "print(1)\n", None),
        (8, "print(2)\n", "needs the real API"),
        (12, "print(3)\n", "no reason given"),
        (18, "print(4)\n", None),
    ]
    assert found[0].name == "X.md:3"


def test_the_time_scale_reaches_a_subprocess_through_the_environment() -> None:
    """AIREITER_TIME_SCALE sets aireiter._timing.time_scale() in a process at import."""
    import subprocess

    code = "import aireiter._timing as t; print(t.time_scale())"
    env = {**os.environ, "AIREITER_TIME_SCALE": "0.01"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "0.01"


@pytest.mark.timeout(180)
async def test_every_python_snippet_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each fenced python block of README.md and docs/*.md not marked skip exits 0 against
    the emulator (warnings are errors), printing what it prints."""
    snippets = all_snippets()
    to_run = [s for s in snippets if s.skip is None]
    skipped = [s for s in snippets if s.skip is not None]
    assert len(to_run) >= 15  # the README and the docs show that many
    config = EmulatorConfig(time_scale=TIME_SCALE)
    started = time.monotonic()
    async with run_emulator(config) as emu:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIREITER_", "OPENAI_"))}
        env.update(
            AIREITER_API_KEY=emu.api_key,
            AIREITER_BASE_URL=emu.base_url,
            AIREITER_TIME_SCALE=str(TIME_SCALE),
        )
        gate = asyncio.Semaphore(CONCURRENCY)

        async def run(index: int, snippet: Snippet) -> tuple[int, str, float]:
            cwd = tmp_path / f"snippet-{index}"
            cwd.mkdir()
            async with gate:
                return await _run(snippet, env, cwd)

        results = await asyncio.gather(*(run(i, s) for i, s in enumerate(to_run)))
    elapsed = time.monotonic() - started
    failures = [
        f"{snippet.name} exited {code} after {seconds:.1f} s:\n{output}"
        for snippet, (code, output, seconds) in zip(to_run, results, strict=True)
        if code != 0
    ]
    slowest = max(zip(results, to_run, strict=True), key=lambda pair: pair[0][2])
    with capsys.disabled():
        print(
            f"\nREADME/docs snippets: ran {len(to_run)}, skipped {len(skipped)} "
            f"({', '.join(f'{s.name}: {s.skip}' for s in skipped) or 'none'}); "
            f"{elapsed:.1f} s, slowest {slowest[1].name} {slowest[0][2]:.1f} s"
        )
    assert not failures, "\n\n".join(failures)


def _quick_start_commands() -> list[str]:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Quick start", 1)[1]
    block = re.search(r"```(?:bash|sh|console)?\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_quick_start_makes_and_uses_a_virtual_environment() -> None:
    """The two quick-start commands (which .ci/run runs, on the default python3 and on the
    Debian system Python) install into a .venv they make themselves, never into the system
    Python that PEP 668 protects; .ci/run reads them from the README and runs both."""
    demo, tests = _quick_start_commands()
    for command in (demo, tests):
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install -e "), command
        assert "python3 -m pip" not in command
    assert demo.endswith(".venv/bin/aireiter demo")
    assert tests.endswith(".venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "test_command=$(quick_start_command 1)" in ci
    assert "main_command=$(quick_start_command 0)" in ci
    assert "system_python=/usr/bin/python3" in ci
