"""The report of a real 200-job batch, opened in a real headless chromium.

``aireiter batch --report`` runs 200 image and video jobs against the emulator (some fail);
the page it writes is then loaded from disk in chromium and used as a person would: the
gallery holds every completed job, the filters narrow it, and a prompt carrying markup is
shown as text and never runs. A screenshot is kept as the test's artifact.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aireiter.report import ReportData, ReportJob, write_report

from ..cli.conftest import cli_env, run_cli
from ..conftest import EmulatorFactory
from ._browser import Browser, Page

JOBS = 200
TIME_SCALE = 0.01  # emulated durations: a spec's typical time x this (sora2: 180 s -> 1.8 s)
DEADLINE_S = 20.0
RELOAD_S = 4.0  # a live page's reload interval: time for the test to choose a filter first
HOSTILE = (
    '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    "<b>bold?</b> & a fox"
)
IMAGE_MODELS = ("seedream_v4_5", "nano_banana", "nano_banana_plus", "gpt_4o")
VIDEO_MODELS = ("sora2", "veo3_1_fast")
SUBJECTS = ("a red fox", "a lighthouse", "a tea garden", "an old tram", "a paper crane")
STYLES = ("in watercolour", "at dusk, cinematic", "as a linocut", "in morning fog")


def _png(seed: str, size: int = 96) -> bytes:
    """A small valid PNG: a vertical gradient between two colours taken from ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    top, bottom = digest[:3], digest[3:6]
    rows = []
    for y in range(size):
        mix = y / (size - 1)
        pixel = bytes(round(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True))
        rows.append(b"\x00" + pixel * size)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _jobs_file(path: Path) -> Path:
    lines = []
    made = {True: 0, False: 0}
    for n in range(JOBS):
        video = n % 4 == 3  # one job in four is a video
        models = VIDEO_MODELS if video else IMAGE_MODELS
        model = models[made[video] % len(models)]
        made[video] += 1
        prompt = f"{SUBJECTS[n % len(SUBJECTS)]} {STYLES[n % len(STYLES)]} #{n}"
        if n == 7:
            prompt = HOSTILE
        elif n % 23 == 5:
            prompt += " FAIL_ME"  # the emulator fails these (its failure_rate adds others)
        lines.append(json.dumps({"model": model, "prompt": prompt}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def _show_all(page: Page, expected: int, what: str) -> None:
    """Scroll to the end of the gallery until ``expected`` cards are in it."""
    await page.wait_for(
        "(() => { window.scrollTo(0, document.documentElement.scrollHeight);"
        f" return document.querySelectorAll('#gallery .card').length >= {expected}; }})()",
        what,
    )


async def _cards(page: Page) -> list[dict[str, Any]]:
    value: list[dict[str, Any]] = await page.evaluate(
        "[...document.querySelectorAll('#gallery .card')].map(c => ({"
        " id: c.dataset.id, model: c.dataset.model, status: c.dataset.status,"
        " prompt: c.querySelector('.prompt').textContent,"
        " img: c.querySelector('img') ? c.querySelector('img').getAttribute('loading') : null,"
        " video: !!c.querySelector('video'),"
        " error: c.querySelector('.error') ? c.querySelector('.error').textContent : null }))"
    )
    return value


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds, failing by name after DEADLINE_S."""
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def _with_files(rows: list[dict[str, Any]], folder: Path) -> int:
    """Give each completed image job a real PNG in ``folder``, listed in its results line as
    ``batch --download`` lists them; how many files were written."""
    folder.mkdir()
    count = 0
    for row in rows:
        if row["status"] == "completed" and row["model"] in IMAGE_MODELS:
            path = folder / f"{row['out_task_id']}-0.png"
            path.write_bytes(_png(path.name))
            row["files"] = [str(path)]
            count += 1
    return count


@pytest.mark.slow
@pytest.mark.timeout(180)
async def test_a_200_job_batch_report_works_in_chromium(
    emulator_factory: EmulatorFactory,
    browser: Browser,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The page of a 200-job batch (``batch --report``) shows every completed job (images
    lazy, videos playable), the model and status filters narrow the gallery, failed jobs show
    their error, a <script> prompt is text and never runs, and nothing is fetched from
    anywhere but the disk and the emulator. Then ``aireiter report`` of the results, with
    downloaded files, shows the thumbnails from disk (the screenshot)."""
    emulator = await emulator_factory(
        time_scale=TIME_SCALE, failure_rate=0.08, duration_spread=0.5, seed=14
    )
    jobs = _jobs_file(tmp_path / "jobs.jsonl")
    out, report = tmp_path / "results.jsonl", tmp_path / "report.html"
    result = await run_cli(
        "batch", str(jobs), "--out", str(out), "--report", str(report),
        "--poll-scale", str(TIME_SCALE), "--query-rate", "400", "--submit-rate", "400",
        env=cli_env(emulator), timeout=120,
    )  # fmt: skip
    assert result.code == 1, result.stderr  # some jobs failed
    rows = _results(out)
    assert len(rows) == JOBS
    completed = {r["out_task_id"]: r for r in rows if r["status"] == "completed"}
    failed = {r["out_task_id"]: r for r in rows if r["status"] == "failed"}
    assert failed
    assert len(completed) + len(failed) == JOBS
    thumbnails = {r["urls"][0] for r in completed.values() if r["model"] in IMAGE_MODELS}

    page = await browser.new_page()
    await page.goto(report.as_uri())
    await page.wait_for("document.documentElement.dataset.ready === '1'", "the page's script")

    # Lazy: the thumbnails near the top are fetched (from the emulator), the rest are not.
    await _until(lambda: any(url in thumbnails for url in page.requests), "a thumbnail")
    fetched = thumbnails.intersection(page.requests)
    assert len(fetched) < len(thumbnails) / 2, (len(fetched), len(thumbnails))

    # Every completed job is in the gallery once the status filter says "completed".
    await page.select("#f-status", "completed")
    await _show_all(page, len(completed), "every completed card")
    cards = await _cards(page)
    assert {c["id"] for c in cards} == set(completed)
    assert all(c["status"] == "completed" for c in cards)
    videos = [c for c in cards if completed[c["id"]]["model"] in VIDEO_MODELS]
    assert videos
    assert all(c["video"] for c in videos)
    images = [c for c in cards if c not in videos]
    assert all(c["img"] == "lazy" for c in images)

    # The model filter narrows the gallery to that model's completed jobs.
    await page.select("#f-model", "sora2 ")
    expected = {oid for oid, r in completed.items() if r["model"] == "sora2"}
    await _show_all(page, len(expected), "the sora2 cards")
    cards = await _cards(page)
    assert {c["id"] for c in cards} == expected
    assert {c["model"] for c in cards} == {"sora2"}
    assert await page.evaluate("document.querySelector('#shown-count').textContent") == (
        f"showing {len(expected)} of {JOBS} jobs"
    )

    # Failed jobs, with their error.
    await page.select("#f-model", "all models")
    await page.select("#f-status", "failed")
    await _show_all(page, len(failed), "the failed cards")
    cards = await _cards(page)
    assert {c["id"] for c in cards} == set(failed)
    assert all(c["error"] == failed[c["id"]]["error"] for c in cards)

    # The hostile prompt: shown as the very text, never run, no element made of it.
    await page.select("#f-status", "all statuses")
    await page.evaluate(
        "(() => { const s = document.querySelector('#f-search'); s.value = 'bold?';"
        " s.dispatchEvent(new Event('input', {bubbles: true})); })()"
    )
    await page.wait_for(
        "document.querySelectorAll('#gallery .card').length === 1", "the hostile card alone"
    )
    (card,) = await _cards(page)
    assert card["prompt"] == HOSTILE
    assert await page.evaluate("window.__pwned") is None
    assert await page.evaluate("document.scripts.length") == 2  # the data block and the script
    injected = "document.querySelectorAll('#gallery img[src=\"x\"], #gallery b').length"
    assert await page.evaluate(injected) == 0

    # The timeline was drawn (a canvas with coloured pixels) and the totals list every model.
    painted = await page.evaluate(
        "(() => { const c = document.querySelector('#timeline');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })()"
    )
    assert painted > 1000
    models = await page.evaluate("document.querySelectorAll('#by-model tbody tr').length")
    assert models == len(IMAGE_MODELS) + len(VIDEO_MODELS)

    # Nothing came from anywhere but the disk and the emulator; the script raised nothing.
    foreign = [
        url
        for url in page.requests
        if not url.startswith(("file:", "data:", emulator.base_url.rstrip("/") + "/"))
    ]
    assert foreign == []
    assert page.errors == []

    # `aireiter report` of the results with downloaded files: thumbnails come from disk,
    # linked relative to the page (here in another folder).
    assert _with_files(rows, tmp_path / "files") > 100
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    second = tmp_path / "site" / "report.html"
    made = await run_cli(
        "report", str(out), "--jobs", str(jobs), "--out", str(second), env=cli_env()
    )
    assert made.code == 0, made.stderr
    await page.goto(second.as_uri())
    await page.wait_for("document.documentElement.dataset.ready === '1'", "the second page")
    await page.wait_for(
        "[...document.querySelectorAll('#gallery img')].slice(0, 8)"
        ".every(i => i.complete && i.naturalWidth === 96)",
        "the first thumbnails, decoded from the downloaded files",
    )
    first = await page.evaluate("document.querySelector('#gallery img').getAttribute('src')")
    assert first.startswith("../files/")
    lines = jobs.read_text().splitlines()
    by_id = {r["out_task_id"]: r for r in rows}
    for card in (await _cards(page))[:10]:  # prompts from the jobs file, by line
        assert card["prompt"] == json.loads(lines[by_id[card["id"]]["line"] - 1])["prompt"]
    shot = await page.screenshot(tmp_path / "report-screenshot.png")
    with capsys.disabled():
        print(f"\nreport screenshot: {shot}\nreport page: {second}")


async def test_a_live_page_reloads_itself_keeping_filter_and_scroll(
    browser: Browser, tmp_path: Path
) -> None:
    """A live page (what ``batch --report`` writes while the run goes on) reloads itself: a
    rewritten page shows without a click, and the status filter and scroll position chosen
    before the reload are kept."""
    out = tmp_path / "report.html"

    def write(title: str, extra: int, refresh_s: float) -> None:
        jobs = tuple(
            ReportJob(
                out_task_id=f"job-{n}",
                model="gpt_4o",
                status="failed" if n % 5 == 0 else "completed",
                prompt=f"an owl #{n}",
            )
            for n in range(300 + extra)
        )
        data = ReportData(jobs=jobs, source="run.journal", source_kind="run", live=True)
        write_report(data, out, title=title, refresh_s=refresh_s)

    write("first", 0, RELOAD_S)  # the open page reloads RELOAD_S after it loaded
    page = await browser.new_page()
    await page.goto(out.as_uri())
    await page.wait_for("document.documentElement.dataset.ready === '1'", "the page's script")
    await page.select("#f-status", "completed")
    await page.wait_for(
        "(() => { window.scrollTo(0, 3000); return window.scrollY === 3000; })()",
        "the page scrolled down",
    )
    write("second", 1, RELOAD_S)
    await page.wait_for("document.title === 'second'", "the page reloaded by itself")
    await page.wait_for("document.documentElement.dataset.ready === '1'", "the reloaded script")
    assert await page.evaluate("document.querySelector('#f-status').selectedOptions[0].text") == (
        "completed (240)"  # job-300 is a failed one
    )
    assert await page.evaluate("location.hash") == "#status=completed"
    assert await page.evaluate("window.scrollY") == 3000
    assert page.errors == []
