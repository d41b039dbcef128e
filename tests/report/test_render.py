"""The page itself (aireiter/report/_render.py): self-contained, escaped, small."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from aireiter.report import Media, ReportData, ReportJob, RunStats, json_for_script, render_html

HOSTILE = "</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)> & \u2028\u2029"


def _job(oid: str, **fields: object) -> ReportJob:
    fields.setdefault("model", "seedream_v4_5")
    fields.setdefault("status", "completed")
    return ReportJob(out_task_id=oid, **fields)  # type: ignore[arg-type]


def _data(*jobs: ReportJob, **fields: object) -> ReportData:
    fields.setdefault("source", "/runs/batch.journal")
    fields.setdefault("source_kind", "journal")
    return ReportData(jobs=tuple(jobs), **fields)  # type: ignore[arg-type]


def _payload(page: str) -> dict[str, object]:
    block = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S
    )
    assert block is not None
    value: dict[str, object] = json.loads(block.group(1))
    return value


def test_json_for_script_escapes_what_could_end_the_block() -> None:
    """No <, >, & or U+2028/2029 survives, and the text still decodes to the same value."""
    text = json_for_script({"p": HOSTILE})
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert json.loads(text) == {"p": HOSTILE}


def test_text_from_jobs_and_server_answers_is_never_markup() -> None:
    """A hostile prompt, error, model name, id and source path appear nowhere raw: the only
    script elements are the page's own two, and the totals show the names escaped."""
    bad_model = "<img src=x onerror=alert(3)>"
    page = render_html(
        _data(
            _job("a<b>", prompt=HOSTILE, error=HOSTILE, model=bad_model, status="failed"),
            source="/runs/<script>x</script>.journal",
        ),
        title="<b>my</b> run",
    )
    assert page.count("<script") == 2
    assert page.count("</script>") == 2
    assert HOSTILE not in page
    assert bad_model not in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page  # in the by-model table
    assert "&lt;b&gt;my&lt;/b&gt; run" in page
    assert "/runs/&lt;script&gt;x&lt;/script&gt;.journal" in page
    payload = _payload(page)
    assert payload["jobs"] == [["a<b>", 0, 0, HOSTILE, HOSTILE, None, None, None, None, None, []]]


def test_the_page_loads_nothing_from_the_network() -> None:
    """No stylesheet, script, font or import is fetched: CSS and script are inline, and the
    Content-Security-Policy lets only the page's own script (its nonce) run."""
    page = render_html(_data(_job("a", media=(Media(kind="image", url="https://cdn.test/a.png"),))))
    assert not re.search(r"<link|<script[^>]*\bsrc=|@import|url\(", page)
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert found is not None
    csp = html.unescape(found.group(1))
    nonce = re.search(r"script-src 'nonce-([^']+)';", csp)
    assert nonce is not None
    assert f'<script nonce="{nonce.group(1)}">' in page
    assert "default-src 'none'" in csp


def test_downloaded_files_are_linked_relative_to_the_page(tmp_path: Path) -> None:
    """A downloaded file is loaded relative to the page's folder (percent-encoded), with the
    output URL as its fallback; media are referenced, never embedded."""
    file = tmp_path / "out files" / "a: 1.png"
    page = render_html(
        _data(
            _job("a", media=(Media(kind="image", url="https://cdn.test/a.png", path=str(file)),))
        ),
        out_dir=tmp_path,
    )
    (row,) = _payload(page)["jobs"]  # type: ignore[misc]
    assert row[10] == [[0, "out%20files/a%3A%201.png", "https://cdn.test/a.png"]]
    assert "base64" not in page


def test_totals_count_by_status_and_model_with_credits_and_throughput() -> None:
    """The totals: jobs by status, a row per model with its channel, credits estimated and
    used, throughput over the run, and queries per job when the run counted them."""
    jobs = [
        _job("a", estimated_credits=10, credits_used=10, submitted_at=0.0, finished_at=30.0),
        _job("b", estimated_credits=10, credits_used=8, submitted_at=0.0, finished_at=60.0),
        _job("c", model="sora2_plus", status="failed", estimated_credits=100, submitted_at=0.0,
             finished_at=60.0),
        _job("d", model="sora2_plus", status="processing", submitted_at=10.0),
    ]  # fmt: skip
    page = render_html(_data(*jobs, stats=RunStats(queries_sent=10)))
    stats = {
        label: value for value, label in re.findall(r"<b>([^<]+)</b><span>([^<]+)</span>", page)
    }
    assert stats == {
        "jobs": "4",
        "completed": "2",
        "failed": "1",
        "processing": "1",
        "credits used": "18",
        "credits estimated": "120",
        "throughput": "3 jobs/min",
        "queries per job": "2.50",
    }
    rows = re.findall(r'<tr data-base="([^"]+)">(.*?)</tr>', page)
    assert [base for base, _ in rows] == ["seedream_v4_5", "sora2"]
    cells = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for _, row in rows]
    assert cells[0] == ["seedream_v4_5", "default", "2", "2", "0", "0", "20", "18", "45.0 s",
                        "57.0 s"]  # fmt: skip
    assert cells[1][:8] == ["sora2_plus", "plus", "2", "0", "1", "1", "100", "–"]


def test_a_live_page_says_so_and_a_final_one_does_not() -> None:
    """A live page carries the refresh notice and its interval; a final page neither."""
    live = render_html(_data(live=True), refresh_s=3)
    assert 'id="live"' in live
    assert "refreshed every 3 s" in live
    assert _payload(live)["live"] is True
    final = render_html(_data())
    assert 'id="live"' not in final
    assert _payload(final)["live"] is False


def test_ten_thousand_jobs_make_a_page_of_a_few_hundred_bytes_each() -> None:
    """10,000 jobs with a prompt and an output URL each stay under 400 bytes per job."""
    jobs = [
        _job(
            f"b0123abcd-{n:020x}",
            prompt=f"a red fox in fresh snow, soft light, watercolour #{n}",
            media=(Media(kind="image", url=f"https://cdn.test/files/{n:020x}/0.png"),),
            submitted_at=float(n),
            finished_at=float(n + 30),
            credits_used=10.0,
        )
        for n in range(10_000)
    ]
    page = render_html(_data(*jobs))
    assert len(page.encode()) < 10_000 * 400


def test_long_times_read_in_minutes_and_one_job_is_its_own_quantile() -> None:
    """A model whose only job took 5 minutes shows 5.0 min as median and p90."""
    page = render_html(_data(_job("v", model="sora2", submitted_at=0.0, finished_at=300.0)))
    assert page.count("<td>5.0 min</td>") == 2
