"""The typing contract: mypy accepts tests/typing/check_models.py and rejects a wrong type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aireiter._codegen import repo_root

BAD_SNIPPET = """\
from aireiter import AIReiter, AsyncAIReiter


async def main(client: AsyncAIReiter) -> None:
    await client.videos.sora2.generate(prompt="x", aspect_ratio=3)
    await client.images.gpt_4o.submit(prompt="x", channel="turbo")


def blocking(client: AIReiter) -> None:
    client.videos.sora2.generate(prompt="x", aspect_ratio=3)
    client.tasks.query("x", max_retries="2")
"""


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_mypy_accepts_the_contract_and_rejects_a_wrong_type(tmp_path: Path) -> None:
    """One strict mypy run: the contract files are clean; aspect_ratio=3 is an arg-type
    error on the async and on the blocking endpoint, a channel that is no level is one too,
    and so is a wrong type for a parameter the blocking twin derives (max_retries)."""
    bad = tmp_path / "bad_aspect_ratio.py"
    bad.write_text(BAD_SNIPPET)
    typing_dir = repo_root() / "tests" / "typing"
    contracts = [str(typing_dir / "check_models.py"), str(typing_dir / "check_sync.py")]
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *contracts, str(bad)],
        capture_output=True,
        text=True,
        cwd=repo_root(),
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert result.returncode == 1, result.stdout + result.stderr
    assert errors, result.stdout
    # mypy may print the path it cached for this module: match by file name.
    assert all(f"{bad.name}:" in line for line in errors), errors
    wrong_type = [line for line in errors if '"aspect_ratio"' in line and "[arg-type]" in line]
    assert len(wrong_type) == 2, errors  # once through the async client, once the blocking one
    wrong_channel = [line for line in errors if '"channel"' in line and "[arg-type]" in line]
    assert len(wrong_channel) == 1, errors
    wrong_retries = [line for line in errors if '"max_retries"' in line and "[arg-type]" in line]
    assert len(wrong_retries) == 1, errors
