"""The one-task commands through the real entry point: image, video, status, balance, models,
chat, emulator; ``--json`` output parsed; exit statuses 0, 1 and 2."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from aireiter._spec import load_spec
from aireiter.emulator import RunningEmulator
from tests.conftest import EmulatorFactory

from .conftest import cli_env, run_cli, start_cli


def _files_ok(paths: list[str]) -> bool:
    return all(Path(p).stat().st_size > 0 for p in paths)


async def test_image_waits_and_downloads_every_output(
    emulator: RunningEmulator, env: dict[str, str], tmp_path: Path
) -> None:
    """`image` submits once, waits, downloads each output into --out and prints JSON."""
    result = await run_cli(
        "image", "seedream_v4", "--prompt", "a fox", "--param", "output_n=2",
        "--poll-interval", "0.05", "--out", str(tmp_path), "--json", env=env,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    body = result.json()
    assert body["status"] == "completed"
    assert len(body["files"]) == 2
    assert all(Path(f).parent == tmp_path for f in body["files"])
    assert _files_ok(body["files"])
    assert emulator.state.submit_counts[body["out_task_id"]] == 1


async def test_param_values_are_typed_by_the_spec(
    emulator: RunningEmulator, env: dict[str, str]
) -> None:
    """--param keeps Sora's video_length a string and makes Seedance's an integer."""
    sora = await run_cli(
        "video", "sora2", "-p", "waves", "--param", "video_length=15", "--no-wait", "--json",
        env=env,
    )  # fmt: skip
    seedance = await run_cli(
        "--json", "video", "seedance_1_5_pro", "-p", "waves", "--param", "video_length=5",
        "--no-wait", "--out-task-id", "mine-1", "--metadata", '{"batch": 7}', env=env,
    )  # fmt: skip
    assert sora.code == 0, sora.stderr
    assert seedance.code == 0, seedance.stderr
    assert emulator.state.tasks[sora.json()["out_task_id"]].params["video_length"] == "15"
    task = emulator.state.tasks["mine-1"]
    assert task.params["video_length"] == 5
    assert task.metadata == {"batch": 7}


async def test_bad_param_is_a_usage_error_naming_the_field(
    emulator: RunningEmulator, env: dict[str, str]
) -> None:
    """A value the spec rejects exits 2 with the field named, and nothing is sent."""
    result = await run_cli("video", "sora2", "-p", "x", "--param", "video_length=12", env=env)
    assert result.code == 2
    assert "video_length" in result.stderr
    assert '"10", "15"' in result.stderr
    as_json = await run_cli("--json", "image", "gpt_4o", "-p", "x", "--param", "size", env=env)
    assert as_json.code == 2
    assert '"error"' in as_json.stderr
    assert not emulator.state.submit_counts


async def test_usage_errors_exit_2(env: dict[str, str]) -> None:
    """Unknown options, unknown models and a video model under `image` all exit 2."""
    assert (await run_cli("image", "--no-such-flag", env=env)).code == 2
    unknown = await run_cli("image", "no_such_model", "-p", "x", env=env)
    assert unknown.code == 2
    assert "no_such_model" in unknown.stderr
    wrong_kind = await run_cli("image", "sora2", "-p", "x", env=env)
    assert wrong_kind.code == 2
    assert "aireiter video sora2" in wrong_kind.stderr


async def test_missing_api_key_exits_2_with_a_hint() -> None:
    """Without a key anywhere, an API command exits 2 and points at AIREITER_API_KEY."""
    result = await run_cli("balance", env=cli_env())
    assert result.code == 2
    assert "AIREITER_API_KEY" in result.stderr


async def test_a_key_the_api_refuses_exits_1(emulator: RunningEmulator) -> None:
    """A key the API answers 401 to is a failed call (exit 1), not a usage error."""
    env = cli_env(emulator, AIREITER_API_KEY="not-the-key")
    result = await run_cli("balance", env=env)
    assert result.code == 1
    assert "AuthenticationError" in result.stderr or "401" in result.stderr


async def test_failed_task_exits_1(env: dict[str, str]) -> None:
    """A task that ends failed exits 1 and shows the reason."""
    result = await run_cli(
        "image", "gpt_4o", "-p", "FAIL_ME please", "--poll-interval", "0.05", env=env
    )
    assert result.code == 1
    assert "failed" in result.stdout
    assert "safety review" in result.stderr


async def test_status_and_balance(emulator: RunningEmulator, env: dict[str, str]) -> None:
    """`status` reads a task by out_task_id (unknown: exit 1); `balance` prints credits."""
    submitted = await run_cli(
        "--json", "image", "gpt_4o", "-p", "x", "--no-wait", "--out-task-id", "st-1", env=env
    )
    assert submitted.code == 0, submitted.stderr
    status = await run_cli("status", "st-1", "--json", env=env)
    assert status.code == 0
    assert status.json()["out_task_id"] == "st-1"
    assert status.json()["status"] in ("pending", "processing", "completed")
    missing = await run_cli("status", "nope", env=env)
    assert missing.code == 1
    assert "NotFoundError" in missing.stderr
    balance = await run_cli("balance", "--json", env=env)
    assert balance.code == 0
    assert balance.json()["credits"] == emulator.state.balance


async def test_models_lists_the_spec() -> None:
    """`models` shows every model of the spec; --kind filters; MODEL shows its parameters."""
    env = cli_env()
    table = await run_cli("models", env=env)
    assert table.code == 0
    assert all(model_id in table.stdout for model_id in load_spec().models)
    videos = await run_cli("models", "--kind", "video", "--json", env=env)
    assert {m["kind"] for m in videos.json()} == {"video"}
    assert [m["id"] for m in videos.json()] == [m.id for m in load_spec().of_kind("video")]
    sora = await run_cli("--json", "models", "sora2", env=env)
    params = {p["name"]: p for p in sora.json()["params"]}
    assert params["video_length"]["enum"] == ["10", "15"]
    assert (await run_cli("models", "nope", env=env)).code == 2
    plain = await run_cli("models", env=cli_env(AIREITER_NO_RICH="1"))
    assert plain.code == 0
    assert "-----" in plain.stdout
    assert "┃" not in plain.stdout
    assert "sora2" in plain.stdout


async def test_chat_streams_and_prints_json(env: dict[str, str]) -> None:
    """`chat` streams the answer; --json prints one object; the prompt may come on stdin."""
    streamed = await run_cli("chat", "hello there", env=env)
    assert streamed.code == 0, streamed.stderr
    assert "hello there" in streamed.stdout
    piped = await run_cli("chat", "--json", env=env, stdin="from stdin")
    assert piped.code == 0, piped.stderr
    assert "from stdin" in piped.json()["content"]


async def test_emulator_command_serves_until_interrupted(tmp_path: Path) -> None:
    """`aireiter emulator --port 0` serves the API (the CLI can use it) and exits 0 on Ctrl-C."""
    proc = await start_cli("emulator", "--port", "0", "--duration", "0.05", env=cli_env())
    assert proc.stdout is not None
    first = await asyncio.wait_for(proc.stdout.readline(), 20)
    match = re.search(r"http://127\.0\.0\.1:\d+", first.decode())
    assert match, first
    try:
        env = cli_env(AIREITER_BASE_URL=match.group(0), AIREITER_API_KEY="test-key")
        balance = await run_cli("balance", "--json", env=env)
        assert balance.code == 0, balance.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0


async def test_installed_console_script(emulator: RunningEmulator) -> None:
    """The `aireiter` script pip installed (entry point aireiter.cli:main) works like -m."""
    script = Path(sys.executable).parent / "aireiter"
    if not script.exists():
        pytest.skip("the package is not installed with its console script")
    proc = await asyncio.create_subprocess_exec(
        str(script), "balance", "--json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=cli_env(emulator),
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert json.loads(out)["credits"] == emulator.state.balance


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
async def test_chat_is_a_conversation_on_a_terminal(env: dict[str, str]) -> None:
    """With no prompt and a terminal on stdin, chat answers line after line until /exit."""
    master, slave = os.openpty()
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aireiter", "chat", "--api", "messages",
            stdin=slave, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        os.write(master, b"first question\nsecond one\n/exit\n")
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        os.close(slave)
        os.close(master)
    assert proc.returncode == 0, err.decode()
    text = out.decode()
    assert "first question" in text
    assert "second one" in text
    assert text.index("first question") < text.index("second one")
    assert "/exit" in err.decode()


async def test_verbose_logs_requests_but_never_the_key(
    emulator: RunningEmulator, env: dict[str, str]
) -> None:
    """-v writes debug logs of each request on stderr; the API key appears nowhere."""
    result = await run_cli("-v", "balance", "--json", env=env)
    assert result.code == 0, result.stderr
    assert "/api/openapi/balance" in result.stderr
    assert "DEBUG" in result.stderr
    assert emulator.api_key not in result.stderr + result.stdout
    quiet = await run_cli("balance", env=env)
    assert "DEBUG" not in quiet.stderr


def test_emulator_usage_error_is_returned_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    """``main()`` keeps its contract for the emulator command too: a bad option value is exit
    status 2 with a message naming the problem, never a SystemExit escaping main()."""
    from aireiter.cli import main

    assert main(["emulator", "--fault-rate", "2"]) == 2
    assert "fault rates add up to 2" in capsys.readouterr().err


# -- a paid task's id stays visible: Ctrl-C, timeouts ------------------------------------------


async def _until_submitted(emu: RunningEmulator, out_task_id: str) -> None:
    """Poll the emulator (with a deadline) until it has recorded ``out_task_id``."""
    deadline = time.monotonic() + 30
    while not emu.state.submit_counts[out_task_id]:
        assert time.monotonic() < deadline, f"{out_task_id} was never submitted"
        await asyncio.sleep(0.02)


async def _interrupt_when(proc: asyncio.subprocess.Process, announced: str) -> tuple[int, str, str]:
    """Read stderr until a line holding ``announced`` (the CLI is waiting then), send Ctrl-C,
    and return the exit status, stdout and all of stderr."""
    assert proc.stderr is not None
    seen: list[bytes] = []
    while not seen or announced.encode() not in seen[-1]:
        line = await asyncio.wait_for(proc.stderr.readline(), 30)
        assert line, b"".join(seen)
        seen.append(line)
    proc.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), (b"".join(seen) + err).decode()


async def test_ctrl_c_names_the_paid_task_in_json_mode(
    emulator_factory: EmulatorFactory,
) -> None:
    """With --json, the submitted task is announced on stderr as a JSON event, and Ctrl-C
    during the wait names it again (exit 130): the paid task's id is never lost."""
    emu = await emulator_factory(default_duration_s=300)
    proc = await start_cli(
        "--json", "video", "sora2", "-p", "waves", "--out-task-id", "sig-json",
        "--poll-interval", "0.05", env=cli_env(emu),
    )  # fmt: skip
    code, _out, err = await _interrupt_when(proc, '"event": "submitted"')
    assert code == 130
    events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    kinds = {event.get("event"): event for event in events if "event" in event}
    assert kinds["submitted"]["out_task_id"] == "sig-json"
    assert kinds["interrupted"]["out_task_id"] == "sig-json"
    assert kinds["interrupted"]["submitted"] is True
    assert "aireiter status sig-json" in kinds["interrupted"]["message"]
    assert emu.state.submit_counts["sig-json"] == 1


async def test_ctrl_c_names_the_paid_task_in_plain_mode(
    emulator_factory: EmulatorFactory,
) -> None:
    """Without --json, Ctrl-C during the wait ends with a line naming the task and the command
    that shows it."""
    emu = await emulator_factory(default_duration_s=300)
    proc = await start_cli(
        "image", "gpt_4o", "-p", "x", "--out-task-id", "sig-plain", "--poll-interval", "0.05",
        env=cli_env(emu, AIREITER_NO_RICH="1"),
    )  # fmt: skip
    code, _out, err = await _interrupt_when(proc, "submitted sig-plain")
    assert code == 130
    assert "submitted sig-plain" in err
    last = err.strip().splitlines()
    assert any("aireiter status sig-plain" in line for line in last[-2:])


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
async def test_ctrl_c_on_a_terminal_leaves_the_task_id_on_screen(
    emulator_factory: EmulatorFactory,
) -> None:
    """On a terminal the wait shows a spinner, which is erased when it stops; the task's id
    is still on screen after Ctrl-C (written after the spinner's last erase)."""
    emu = await emulator_factory(default_duration_s=300)
    master, slave = os.openpty()
    received = bytearray()

    def read_all() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every writer has closed the terminal
                return
            if not chunk:
                return
            received.extend(chunk)

    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aireiter", "video", "sora2", "-p", "waves",
            "--out-task-id", "sig-tty", "--poll-interval", "0.05",
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=slave,
            env=cli_env(emu, TERM="xterm-256color"),
        )  # fmt: skip
        os.close(slave)
        slave = -1
        reader = asyncio.create_task(asyncio.to_thread(read_all))
        await _until_submitted(emu, "sig-tty")
        deadline = time.monotonic() + 30
        while b"\x1b[2K" not in received:  # the spinner is on screen, redrawn once
            assert time.monotonic() < deadline, bytes(received)
            await asyncio.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.communicate(), 30)
        await asyncio.wait_for(reader, 30)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    assert proc.returncode == 130
    screen = received.decode(errors="replace")
    assert "\x1b[2K" in screen  # the spinner was drawn and erased
    after_last_erase = screen.rsplit("\x1b[2K", 1)[1]
    assert "sig-tty" in after_last_erase


async def test_a_wait_timeout_names_the_task_and_says_it_goes_on(
    emulator_factory: EmulatorFactory,
) -> None:
    """--timeout ends the wait with exit 1 and a message naming the task, saying it exists
    and was paid for."""
    emu = await emulator_factory(default_duration_s=300)
    result = await run_cli(
        "video", "sora2", "-p", "waves", "--out-task-id", "slow-cli", "--timeout", "0.3",
        "--poll-interval", "0.05", env=cli_env(emu),
    )  # fmt: skip
    assert result.code == 1
    assert "TaskTimeoutError" in result.stderr
    assert "slow-cli" in result.stderr.splitlines()[-1]
    assert "paid for" in result.stderr


async def test_balance_shows_free_quota_per_model(emulator_factory: EmulatorFactory) -> None:
    """`balance` prints the points and the free quota left per model; --json keeps every
    field of the answer."""
    emu = await emulator_factory(free_quota={"sora2": 3, "seedream_v4_5": 10})
    plain = await run_cli("balance", env=cli_env(emu))
    assert plain.code == 0, plain.stderr
    assert "Free quota per model" in plain.stdout
    assert re.search(r"sora2\W+3\b", plain.stdout)
    assert re.search(r"seedream_v4_5\W+10\b", plain.stdout)
    assert "1,000,000" in plain.stdout  # the emulator's starting points, no exponent
    as_json = await run_cli("balance", "--json", env=cli_env(emu))
    body = as_json.json()
    assert body["free_quota"] == {"sora2": 3, "seedream_v4_5": 10}
    assert body["raw"]["free_quota"] == {"sora2": 3, "seedream_v4_5": 10}


async def test_each_retry_is_printed_without_verbose(
    emulator: RunningEmulator, env: dict[str, str]
) -> None:
    """Without -v, a retried 5xx still says so on stderr ("retrying in ... after HTTP 5xx"),
    and nothing else of the debug log is shown."""
    emulator.state.inject("error_5xx", path="/api/openapi/balance", count=1)
    result = await run_cli("balance", env=env)
    assert result.code == 0, result.stderr
    assert re.search(r"aireiter: retrying in \d+\.\d s after HTTP 5\d\d", result.stderr)
    assert "DEBUG" not in result.stderr


async def test_aireiter_log_env_logs_requests_redacted(emulator: RunningEmulator) -> None:
    """AIREITER_LOG=debug logs each request of a plain script on stderr, key redacted."""
    script = (
        "import asyncio, aireiter\n"
        "async def main():\n"
        "    async with aireiter.AsyncAIReiter() as client:\n"
        "        await client.balance()\n"
        "        print('Authorization: Bearer ' + client.config.api_key)\n"
        "asyncio.run(main())\n"
    )
    env = cli_env(emulator, AIREITER_LOG="debug")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 45)
    assert proc.returncode == 0, stderr
    assert "GET" in stderr.decode()
    assert "/api/openapi/balance -> HTTP 200" in stderr.decode()
    assert emulator.api_key not in stderr.decode()
    assert emulator.api_key in stdout.decode()  # the script itself may print what it likes
