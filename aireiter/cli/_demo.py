"""``aireiter demo``: the main job, end to end, on an emulator inside the process.

It starts :mod:`aireiter.emulator` on 127.0.0.1 (no network, no API key: the emulator's own
key is used), with durations scaled so the slowest task takes ``--seconds`` and a small rate
of injected faults, then runs a few dozen mixed image and video tasks through
``client.tracker()``: an SQLite journal, webhooks (callbacks confirmed by one query) with
polling as the safety net, downloads. It shows the progress bar, writes the results and files
under ``--out`` and ends with a summary: jobs, credits, time, queries per job, where the files
are.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._client import AsyncAIReiter
from .._models import TaskStatus
from .._spec import load_spec
from ._app import EXIT_FAILED, EXIT_OK, run_async
from ._batch_report import summary_json, summary_rows
from ._common import remove_journal
from ._output import Output, task_to_json
from ._progress import ProgressDisplay

if TYPE_CHECKING:
    from ..emulator import RunningEmulator

__all__ = ["DEMO_MODELS", "demo_jobs", "run_demo"]

DEMO_SEED = 7  # the emulator's seed: the same faults on every demo run
DEMO_QUERY_RATE = 50.0  # status queries per second the demo's tracker may send
DEMO_MAX_IN_FLIGHT = 100  # jobs in flight at once
DEMO_SUBMIT_RATE = 40.0  # submits per second the demo's tracker may send

# (model, params besides the prompt); two images for every video.
DEMO_IMAGES: tuple[tuple[str, Mapping[str, Any]], ...] = (
    ("seedream_v4_5", {"aspect_ratio": "16:9", "resolution": "high"}),
    ("nano_banana_pro", {"aspect_ratio": "1:1", "resolution": "2K"}),
    ("gpt_image_2", {"aspect_ratio": "3:2"}),
    ("seedream_v4", {"output_n": "2"}),
)
DEMO_VIDEOS: tuple[tuple[str, Mapping[str, Any]], ...] = (
    ("sora2", {"video_length": "10", "aspect_ratio": "16:9"}),
    ("veo3_1_fast", {"aspect_ratio": "9:16"}),
    ("seedance_1_5_pro", {"video_length": 5, "resolution": "720p"}),
)
DEMO_MODELS = tuple(model for model, _ in DEMO_IMAGES + DEMO_VIDEOS)
_SUBJECTS = (
    "a lighthouse in a storm",
    "a red fox in fresh snow",
    "a tiny robot watering plants",
    "a paper boat on a rainy street",
    "a cat astronaut floating by a window",
    "a night market lit by lanterns",
    "a hot-air balloon over canyons",
    "a glass greenhouse on the moon",
    "an old train crossing a bridge",
)


def demo_jobs(count: int) -> list[tuple[str, dict[str, Any]]]:
    """``count`` (model, params) pairs: images and videos interleaved 2:1, varied prompts."""
    jobs: list[tuple[str, dict[str, Any]]] = []
    images = videos = 0
    for index in range(count):
        if index % 3 == 2:
            model, extra = DEMO_VIDEOS[videos % len(DEMO_VIDEOS)]
            videos += 1
        else:
            model, extra = DEMO_IMAGES[images % len(DEMO_IMAGES)]
            images += 1
        prompt = f"{_SUBJECTS[index % len(_SUBJECTS)]}, take {index + 1}"
        jobs.append((model, {"prompt": prompt, **extra}))
    return jobs


def _time_scale(seconds: float) -> float:
    models = load_spec().models
    slowest = max(models[m].typical_duration_s or 60.0 for m in DEMO_MODELS)
    return seconds / slowest


def _files_summary(records: list[dict[str, Any]]) -> tuple[int, int]:
    """How many files this run wrote, and their bytes (files of earlier runs in the same
    folder are not counted)."""
    files = [Path(name) for record in records for name in record.get("files") or ()]
    return len(files), sum(p.stat().st_size for p in files if p.is_file())


def _by_model(records: list[dict[str, Any]], emu: RunningEmulator) -> list[tuple[str, ...]]:
    rows: dict[str, list[float]] = {}
    for record in records:
        model = str(record["model"])
        row = rows.setdefault(model, [0, 0, 0.0, 0])
        row[0] += 1
        row[1] += record["status"] == TaskStatus.COMPLETED.value
        row[2] += record["credits_used"] or 0.0
        row[3] += emu.state.query_counts[record["out_task_id"]]
    kinds = {m.id: m.kind for m in load_spec().models.values()}
    return [
        (
            model,
            kinds.get(model, "?"),
            str(int(jobs)),
            str(int(ok)),
            f"{credits:g}",
            f"{queries / jobs:.1f}",
        )
        for model, (jobs, ok, credits, queries) in sorted(rows.items())
    ]


async def _run(args: argparse.Namespace, out: Output) -> int:
    from ..emulator import EmulatorConfig, FaultConfig, run_emulator
    from ..tracker import PollPolicy

    out_dir = Path(args.out)
    files_dir = out_dir / "files"
    journal = out_dir / "demo.journal"
    results_path = out_dir / "results.jsonl"
    scale = _time_scale(args.seconds)
    config = EmulatorConfig(
        time_scale=scale,
        seed=DEMO_SEED,
        faults=FaultConfig.uniform(args.fault_rate, seed=DEMO_SEED),
    )
    jobs = demo_jobs(args.jobs)
    started = time.monotonic()
    records: list[dict[str, Any]] = []
    async with run_emulator(config) as emu:
        if not out.json_mode:
            out.info(
                f"aireiter demo: emulator on {emu.base_url} (in this process, no network); "
                f"{len(jobs)} jobs, slowest ~{args.seconds:g} s, "
                f"{args.fault_rate:.0%} of API requests faulted"
            )
        display = ProgressDisplay(out, label="demo")
        async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client:
            balance_before = (await client.balance()).credits or 0.0
            tracker = client.tracker(
                journal=str(journal),
                download_dir=str(files_dir),
                poll_policy=PollPolicy(duration_scale=scale),
                max_in_flight=DEMO_MAX_IN_FLIGHT,
                query_rate=DEMO_QUERY_RATE,
                submit_rate=DEMO_SUBMIT_RATE,
                on_progress=display.update,
                webhook=True,  # a callback receiver on 127.0.0.1; polling is the safety net
            )
            with display, results_path.open("w", encoding="utf-8") as results:
                async with tracker:
                    for model, params in jobs:
                        await tracker.submit(model, params)
                    async for task in tracker.as_completed():
                        handle = tracker.handle(task.out_task_id)
                        files = [str(p) for p in handle.downloaded] if handle else []
                        record = task_to_json(task, files=files)
                        records.append(record)
                        results.write(json.dumps(record, default=str) + "\n")
                    snap = tracker.progress()
            balance_after = (await client.balance()).credits or 0.0
        elapsed = time.monotonic() - started
        by_model = _by_model(records, emu)
        api_requests = sum(
            count
            for (_method, path), count in emu.state.request_counts.items()
            if path.startswith("/api/openapi/")
        )
    counts: dict[str, int] = {}
    for record in records:
        counts[record["status"]] = counts.get(record["status"], 0) + 1
    credits_used = sum(record["credits_used"] or 0.0 for record in records)
    file_count, file_bytes = _files_summary(records)
    ok = counts.get(TaskStatus.COMPLETED.value, 0) == len(jobs)
    if out.json_mode:
        body = summary_json(snap, counts, elapsed, jobs=len(jobs), credits_used=credits_used)
        body.update(
            files=file_count,
            files_bytes=file_bytes,
            output_dir=str(out_dir),
            results=str(results_path),
            balance_before=balance_before,
            balance_after=balance_after,
            api_requests=api_requests,
        )
        out.json(body)
        return EXIT_OK if ok else EXIT_FAILED
    out.line()
    out.table(
        ("Model", "Kind", "Jobs", "Completed", "Credits", "Queries/job"),
        by_model,
        title="Jobs by model",
    )
    rows = summary_rows(snap, counts, elapsed, jobs=len(jobs), credits_used=credits_used)
    rows.insert(-1, ("balance", f"{balance_before:,.0f} -> {balance_after:,.0f} credits"))
    per_job = api_requests / len(jobs) if jobs else 0.0
    rows.insert(-1, ("API requests", f"{api_requests} ({per_job:.2f} per job, retries included)"))
    rows += [
        ("files", f"{file_count} files, {file_bytes / 1024:.0f} KiB in {files_dir}"),
        ("results", str(results_path)),
        ("journal", str(journal)),
    ]
    out.line()
    out.fields(dict(rows), title="Demo summary")
    out.line()
    out.line("Next: `aireiter models`, `aireiter emulator` (then point the SDK at it), or")
    out.line(
        f"      `aireiter batch jobs.jsonl --download DIR` (see {results_path} for the format)"
    )
    return EXIT_OK if ok else EXIT_FAILED


def run_demo(args: argparse.Namespace, out: Output) -> int:
    """``aireiter demo [--out DIR] [--jobs N] [--fault-rate F] [--seconds S]``."""
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_journal(out_dir / "demo.journal")  # a new demo run, not a resumed one
    return run_async(_run(args, out))
