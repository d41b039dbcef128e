"""Bulk generation with the task tracker: a journal, an interruption, and a resume.

The tracker writes every job to an SQLite journal before it is submitted. Here the first run
stops after a few results (as a crash or Ctrl-C would); `TaskTracker.resume` then finishes
the rest without submitting any job twice. Without AIREITER_API_KEY a local emulator (tasks
scaled to well under a second) is started first:

    python examples/bulk_tracker.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from aireiter import AsyncAIReiter
from aireiter.tracker import PollPolicy, TaskTracker

LOCAL_TIME_SCALE = 0.01  # emulated tasks take 1 % of a real one's typical duration


@contextlib.asynccontextmanager
async def connect() -> AsyncIterator[AsyncAIReiter]:
    """The API named by AIREITER_API_KEY / AIREITER_BASE_URL, else a local emulator."""
    if os.environ.get("AIREITER_API_KEY"):
        async with AsyncAIReiter() as client:
            yield client
        return
    from aireiter.emulator import EmulatorConfig, run_emulator

    config = EmulatorConfig(time_scale=LOCAL_TIME_SCALE)
    async with (
        run_emulator(config) as emu,
        AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        yield client


async def main() -> None:
    prompts = [f"a watercolor postcard of city number {n}" for n in range(12)]
    run = uuid.uuid4().hex[:8]  # out_task_ids are unique per account: one prefix per run
    with tempfile.TemporaryDirectory() as tmp:
        journal = Path(tmp) / "bulk.journal"
        downloads = Path(tmp) / "files"
        async with connect() as client:
            local = client.base_url.startswith("http://127.0.0.1")
            options = {
                "poll_policy": PollPolicy(duration_scale=LOCAL_TIME_SCALE) if local else None,
                "download_dir": downloads,
            }

            # First run: stop after 4 results, as if the process had been interrupted.
            async with client.tracker(journal=journal, **options) as tracker:
                for n, prompt in enumerate(prompts):
                    await tracker.submit(
                        "seedream_v4_5", {"prompt": prompt}, out_task_id=f"bulk-{run}-{n}"
                    )
                seen = 0
                async for task in tracker.as_completed():
                    seen += 1
                    print("first run:", task.out_task_id, task.status.value)
                    if seen == 4:
                        break  # leaving the block stops the tracker; the journal keeps the rest
                print("stopped at", tracker.progress())

            # Resume: finished jobs are reported, the others are polled or submitted (once).
            async with TaskTracker.resume(client, journal, **options) as tracker:
                tasks = await tracker.gather()
                final = tracker.progress()
            done = sum(task.status.value == "completed" for task in tasks)
            print(f"resumed: {done}/{len(tasks)} completed, {final.submits_sent} submitted now")
            print("files:", len(list(downloads.iterdir())), "in", downloads)


if __name__ == "__main__":
    asyncio.run(main())
