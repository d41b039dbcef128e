"""The command line: ``python -m aireiter.emulator``."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

from aireiter.emulator.__main__ import build_parser, config_from_args


def test_help_runs() -> None:
    """``python -m aireiter.emulator --help`` exits 0 and lists the options."""
    result = subprocess.run(
        [sys.executable, "-m", "aireiter.emulator", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    for option in ("--port", "--host", "--api-key", "--fault-rate", "--time-scale"):
        assert option in result.stdout


def test_options_make_the_config() -> None:
    """Command-line options land in the EmulatorConfig (fault rate spread over five kinds)."""
    args = build_parser().parse_args(
        ["--api-key", "k", "--time-scale", "0.01", "--failure-rate", "0.1", "--fault-rate", "0.5"]
    )
    config = config_from_args(args)
    assert config.api_keys == ("k",)
    assert config.time_scale == 0.01
    assert config.failure_rate == 0.1
    assert config.faults.error_rate == 0.1
    assert config.faults.total_rate == 0.5
    assert build_parser().parse_args([]).port == 8787


def test_serves_until_terminated() -> None:
    """The server prints its URL and key, answers requests, and stops on SIGTERM."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "aireiter.emulator", "--port", "0", "--api-key", "cli-key"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("AIReiter emulator listening on http://127.0.0.1:")
        assert proc.stdout.readline().strip() == "API key: cli-key"
        base_url = first.rsplit(" ", 1)[1].strip()
        request = urllib.request.Request(
            base_url + "/api/openapi/balance", headers={"Authorization": "Bearer cli-key"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read())["statusCode"] == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0
        if proc.stdout is not None:
            proc.stdout.close()


def test_variant_and_slow_record_options() -> None:
    """The wire-variant and slow-record options land in the config."""
    args = build_parser().parse_args(
        [
            "--duplicate-id",
            "accept",
            "--timestamp-format",
            "epoch_us",
            "--gzip-outputs",
            "--html-everywhere",
            "--slow-record-rate",
            "0.2",
            "--slow-record-s",
            "7",
        ]
    )
    config = config_from_args(args)
    assert config.duplicate_id == "accept"
    assert config.timestamp_format == "epoch_us"
    assert config.gzip_outputs is True
    assert config.html_everywhere is True
    assert config.faults.slow_record_rate == 0.2
    assert config.faults.slow_record_s == 7
    defaults = config_from_args(build_parser().parse_args([]))
    assert (defaults.duplicate_id, defaults.timestamp_format) == ("conflict", "iso")
    assert not defaults.gzip_outputs
    assert not defaults.html_everywhere
