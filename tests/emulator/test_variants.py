"""Wire variants the docs leave open: timestamps, gzip outputs, duplicate ids, a wrong host."""

from __future__ import annotations

import gzip
import time

import aiohttp
import pytest

from aireiter._constants import BALANCE_PATH, QUERY_PATH, SUBMIT_PATH
from aireiter.emulator import EmulatorConfig, ManualClock, file_bytes
from tests.conftest import EmulatorFactory
from tests.emulator.conftest import PROMPT, Api


@pytest.mark.parametrize(("fmt", "per_second"), [("epoch_ms", 1_000), ("epoch_us", 1_000_000)])
async def test_epoch_timestamps(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession, fmt: str, per_second: int
) -> None:
    """timestamp_format writes created_at/completed_at as integer Unix ms or us."""
    clock = ManualClock()
    emu = await emulator_factory(clock=clock, durations={"gpt_4o": 10}, timestamp_format=fmt)
    api = Api(http, emu)
    before = time.time()
    submitted = (await api.submit("ts"))["data"]
    assert isinstance(submitted["created_at"], int)
    assert before * per_second - per_second <= submitted["created_at"]
    assert submitted["created_at"] <= (time.time() + 1) * per_second
    clock.advance(10)
    data = (await api.query("ts"))["data"]
    assert data["created_at"] == submitted["created_at"]
    assert data["completed_at"] - data["created_at"] == pytest.approx(10 * per_second, abs=2)


def test_unknown_variant_values_are_refused() -> None:
    """A timestamp format or duplicate-id mode outside the allowed set is a ValueError."""
    with pytest.raises(ValueError, match="timestamp_format"):
        EmulatorConfig(timestamp_format="rfc2822")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="duplicate_id"):
        EmulatorConfig(duplicate_id="ignore")  # type: ignore[arg-type]


async def test_gzip_outputs_are_sent_compressed(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """gzip_outputs sends Content-Encoding: gzip; Content-Length is the compressed length."""
    emu = await emulator_factory(default_duration_s=0, gzip_outputs=True, output_bytes_image=5000)
    api = Api(http, emu)
    await api.submit("gz")
    url = (await api.query("gz"))["data"]["output"][0]["url"]
    async with aiohttp.ClientSession(auto_decompress=False) as raw_http:
        async with raw_http.get(url) as response:
            raw = await response.read()
            headers = response.headers
        async with raw_http.head(url) as head:
            head_headers = head.headers
    assert headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(raw) < 5000
    assert gzip.decompress(raw) == file_bytes("gz", "0.png", 5000)
    assert head_headers["Content-Encoding"] == "gzip"
    assert head_headers["Content-Length"] == headers["Content-Length"]
    async with http.get(url) as response:  # a decompressing client sees the original bytes
        assert await response.read() == file_bytes("gz", "0.png", 5000)


async def test_duplicate_id_return_existing_answers_the_old_task(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """duplicate_id="return_existing": a reused id answers 200 with the existing task."""
    emu = await emulator_factory(default_duration_s=60, duplicate_id="return_existing")
    api = Api(http, emu)
    first = (await api.submit("dup", model="gpt_4o"))["data"]
    second = await api.submit("dup", model="sora2", params={"prompt": "other"})
    assert second["statusCode"] == 200
    assert second["data"]["task_id"] == first["task_id"]
    assert second["data"]["estimated_credits"] == first["estimated_credits"]
    assert emu.state.submits_recorded["dup"] == 1
    assert emu.state.submit_requests["dup"] == 2
    assert emu.state.tasks["dup"].model == "gpt_4o"


async def test_duplicate_id_accept_records_a_second_task(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """duplicate_id="accept": a second task is recorded; queries return the newest; both are
    charged."""
    clock = ManualClock()
    emu = await emulator_factory(clock=clock, default_duration_s=10, duplicate_id="accept")
    api = Api(http, emu)
    first = (await api.submit("dup", model="gpt_4o"))["data"]
    second = (await api.submit("dup", model="sora2", params={"prompt": "x"}))["data"]
    assert second["task_id"] != first["task_id"]
    assert emu.state.submits_recorded["dup"] == 2
    assert emu.state.submit_counts is emu.state.submits_recorded
    clock.advance(10)
    data = (await api.query("dup"))["data"]
    assert data["input"]["model"] == "sora2"
    _, by_old_id, _ = await api.call("POST", QUERY_PATH, {"task_id": first["task_id"]})
    assert by_old_id["data"]["input"]["model"] == "gpt_4o"
    assert sorted(entry.credits for entry in emu.state.ledger) == [10.0, 100.0]


async def test_html_everywhere_answers_the_marketing_page(
    emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    """html_everywhere: every /api/ route answers HTTP 200 text/html, key or not."""
    emu = await emulator_factory(html_everywhere=True)
    api = Api(http, emu)
    body = {"model": "gpt_4o", "params": PROMPT, "out_task_id": "h"}
    for method, path, payload in (
        ("POST", SUBMIT_PATH, body),
        ("POST", QUERY_PATH, {"out_task_id": "h"}),
        ("GET", BALANCE_PATH, None),
        ("GET", "/api/v1/models", None),
    ):
        status, text, headers = await api.call(method, path, payload)
        assert status == 200, path
        assert headers["Content-Type"].startswith("text/html")
        assert isinstance(text, str)
        assert text.startswith("<!DOCTYPE html>")
    assert emu.state.tasks == {}
    assert emu.state.request_counts[("POST", SUBMIT_PATH)] == 1


async def test_submit_requests_count_every_outcome(api: Api) -> None:
    """submit_requests counts each submit read, refused or not; submits_recorded only tasks."""
    await api.submit("cnt")
    await api.submit("cnt")
    await api.submit("bad", model="no_such_model")
    state = api.emulator.state
    assert state.submit_requests == {"cnt": 2, "bad": 1}
    assert state.submits_recorded == {"cnt": 1}
