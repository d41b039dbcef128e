"""The HTML report at 10,000 jobs: generation time, file size, and (with chromium) how the page
behaves in a real browser.

A journal of 10,000 finished jobs (three quarters images, one quarter videos, 8 % failed;
prompts of 60-160 characters, one output URL of the emulator's shape each) is written to an
SQLite file, then:

- read: ``read_source`` of the journal (open, ``records()``, close), best of ``--rounds``;
- render: ``render_html`` of those jobs, best of ``--rounds``;
- write: ``render_report`` end to end (read + render + atomic write), best of ``--rounds``;
- size: the page in bytes, and per job.

With ``--browser`` (needs chromium), the page is opened in headless chromium from disk:
time until its script has built the first cards and drawn the timeline, the cards in the DOM
after that, time to apply a model filter, and the page's JS heap.

    python benchmarks/report_render.py [--jobs 10000] [--rounds 3] [--browser]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aireiter.report import read_source, render_html, render_report
from aireiter.tracker import JobRecord, JobState, SQLiteJournal

IMAGE_MODELS = ("seedream_v4_5", "nano_banana", "nano_banana_plus", "gpt_4o", "gpt_image_2")
VIDEO_MODELS = ("sora2", "sora2_plus", "veo3_1_fast")
PHRASES = (
    "a red fox in fresh snow",
    "soft morning light",
    "watercolour",
    "wide shot",
    "muted palette",
    "an old tram crossing a bridge at dusk",
    "cinematic, 35 mm",
    "light rain, reflections",
    "a paper crane on a desk",
    "macro, shallow depth of field",
    "studio light",
    "pastel colours",
)


def _records(count: int, seed: int = 14) -> list[JobRecord]:
    rng = random.Random(seed)
    start = time.time() - 3600
    records = []
    for n in range(count):
        video = n % 4 == 3
        model = rng.choice(VIDEO_MODELS if video else IMAGE_MODELS)
        failed = rng.random() < 0.08
        created = start + n * 0.3
        took = rng.uniform(60, 300) if video else rng.uniform(5, 60)
        oid = f"b1a2b3c4d-{n:020x}"
        prompt = ", ".join(rng.choice(PHRASES) for _ in range(rng.randint(3, 7)))
        ext = "mp4" if video else "png"
        records.append(
            JobRecord(
                out_task_id=oid,
                model=model,
                params={"prompt": prompt, "aspect_ratio": "16:9"},
                state=JobState.FAILED if failed else JobState.COMPLETED,
                task_id=f"t-{n}",
                estimated_credits=100.0 if video else 10.0,
                credits_used=None if failed else (100.0 if video else 10.0),
                output_urls=() if failed else (f"https://cdn.example.test/files/{oid}/0.{ext}",),
                error="content policy: the prompt was rejected" if failed else None,
                submit_attempts=1,
                created_at=created,
                updated_at=created + took,
            )
        )
    return records


async def _write_journal(path: Path, records: list[JobRecord]) -> None:
    async with SQLiteJournal(path) as journal:
        for start in range(0, len(records), 1000):
            await journal.add(records[start : start + 1000])


def _best(rounds: int, work) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


async def _browser_figures(page_path: Path) -> dict[str, float]:
    from tests.report._browser import find_chromium, launch

    executable = find_chromium()
    if executable is None:
        raise SystemExit("--browser: no chromium found (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        async with launch(executable, Path(profile)) as browser:
            page = await browser.new_page()
            started = time.perf_counter()
            await page.goto(page_path.as_uri())
            await page.wait_for("document.documentElement.dataset.ready === '1'", "the page")
            ready = time.perf_counter() - started
            cards = await page.evaluate("document.querySelectorAll('#gallery .card').length")
            filter_ms = await page.evaluate(
                "(() => { const s = document.querySelector('#f-model');"
                " const t = performance.now(); s.value = '1';"
                " s.dispatchEvent(new Event('change')); return performance.now() - t; })()"
            )
            scroll_ms = await page.evaluate(
                "(() => { const t = performance.now();"
                " window.scrollTo(0, document.documentElement.scrollHeight);"
                " window.dispatchEvent(new Event('scroll')); return performance.now() - t; })()"
            )
            heap = await page.call("Runtime.getHeapUsage")
            return {
                "ready_s": ready,
                "cards": float(cards),
                "filter_ms": float(filter_ms),
                "scroll_ms": float(scroll_ms),
                "heap_mb": heap["usedSize"] / 1e6,
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--browser", action="store_true", help="also open it in chromium")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        journal = Path(folder) / "run.journal"
        out = Path(folder) / "report.html"
        asyncio.run(_write_journal(journal, _records(args.jobs)))
        data = asyncio.run(read_source(journal))
        read_s = _best(args.rounds, lambda: asyncio.run(read_source(journal)))
        render_s = _best(args.rounds, lambda: render_html(data, out_dir=folder))
        write_s = _best(args.rounds, lambda: render_report(journal, out))
        size = out.stat().st_size
        jobs = len(data.jobs)
        print(f"jobs                  {jobs:,}")
        print(f"read the journal      {read_s * 1000:.0f} ms")
        print(f"render the page       {render_s * 1000:.0f} ms")
        print(f"render_report (all)   {write_s * 1000:.0f} ms")
        print(f"page size             {size / 1e6:.2f} MB ({size / jobs:.0f} bytes per job)")
        if args.browser:
            fig = asyncio.run(_browser_figures(out))
            ready_ms = fig["ready_s"] * 1000
            print(f"chromium: page ready  {ready_ms:.0f} ms (load, first cards, timeline)")
            print(f"chromium: cards built {fig['cards']:.0f} (more as the gallery scrolls)")
            print(f"chromium: filter      {fig['filter_ms']:.0f} ms (one model of {jobs:,} jobs)")
            print(f"chromium: scroll end  {fig['scroll_ms']:.0f} ms (next cards built)")
            print(f"chromium: JS heap     {fig['heap_mb']:.1f} MB")


if __name__ == "__main__":
    main()
