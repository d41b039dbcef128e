"""`aireiter demo`: the newcomer's first command, run exactly as the README says."""

from __future__ import annotations

import re
from pathlib import Path

from aireiter.cli._demo import DEMO_MODELS, demo_jobs
from aireiter.cli._parser import DEFAULT_DEMO_JOBS

from .conftest import cli_env, run_cli

DEMO_TIMEOUT_S = 60.0  # the promise: the demo finishes in under a minute


def _file_count(directory: Path) -> int:
    return sum(1 for p in directory.iterdir() if p.is_file() and not p.name.endswith(".part"))


async def test_demo_runs_offline_with_progress_and_a_summary(tmp_path: Path) -> None:
    """With no key and an unreachable AIREITER_BASE_URL, the default demo finishes, shows
    progress lines and a summary (jobs, credits, time, queries per job) and writes files."""
    env = cli_env(AIREITER_BASE_URL="http://192.0.2.1:9")  # never used: the demo is offline
    result = await run_cli("demo", env=env, cwd=tmp_path, timeout=DEMO_TIMEOUT_S)
    assert result.code == 0, result.stderr
    total = DEFAULT_DEMO_JOBS
    assert f"[{total}/{total}] 100%" in result.stderr
    assert re.search(rf"\[\s*\d+/{total}\]", result.stderr.splitlines()[1])
    for words in ("Demo summary", "credits used", "queries sent", "per job", "time", "files"):
        assert words in result.stdout
    assert re.search(rf"completed\s+{total}", result.stdout)
    out = tmp_path / "aireiter-demo-output"
    assert _file_count(out / "files") >= total
    assert len((out / "results.jsonl").read_text().splitlines()) == total


async def test_demo_json_summary(tmp_path: Path) -> None:
    """`demo --json` prints one parseable summary; --out and --jobs are honoured."""
    out = tmp_path / "elsewhere"
    result = await run_cli(
        "demo", "--json", "--out", str(out), "--jobs", "6", "--seconds", "1", "--fault-rate", "0",
        env=cli_env(), timeout=DEMO_TIMEOUT_S,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    body = result.json()
    assert body["by_status"] == {"completed": 6}
    assert body["output_dir"] == str(out)
    assert body["queries_per_job"] >= 1
    assert body["balance_after"] == body["balance_before"] - body["credits_used"]
    assert _file_count(out / "files") >= 6


def test_demo_jobs_mix_images_and_videos() -> None:
    """The demo's jobs cycle through its models, two images for every video."""
    jobs = demo_jobs(9)
    models = [model for model, _ in jobs]
    assert set(models) <= set(DEMO_MODELS)
    videos = ("sora2", "veo3_1_fast", "seedance_1_5_pro")
    kinds = ["video" if m in videos else "image" for m in models]
    assert kinds.count("image") == 6
    assert kinds.count("video") == 3
    assert all(params["prompt"] for _, params in jobs)
