"""The API key never shows: not in logs, reprs, errors, their chains, the journal or CLI output.

Every public call runs against a purpose-built server that answers garbage (an HTML page,
broken JSON, malformed HTTP, a redirect loop, a reset connection), with the key set to a
unique marker and every logger at DEBUG. Then the marker is searched for in everything a
user or a log collector could see:

- every log record, formatted with its traceback;
- the repr of the clients and their configuration;
- every exception raised: its ``str``, ``repr``, ``args`` and attributes, its formatted
  traceback, and the same for each exception reachable from it (``__cause__``,
  ``__context__``, exception groups, exceptions held in attributes);
- the tracker's journal file;
- the stdout and stderr of CLI commands run with ``-v`` and ``AIREITER_LOG=debug``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aireiter import AIReiter, AIReiterError, AsyncAIReiter
from aireiter.webhooks import WebhookReceiver, WebhookRouter
from tests.cli.conftest import CLIResult, cli_env, run_cli

from ._servers import garbage_server

MARKER = f"sk-live-{uuid.uuid4().hex}"  # the API key: it must appear nowhere
MODES = ("html", "broken_json", "malformed", "redirect_loop", "reset", "echo_html", "echo_json")
CLI_MODES = ("malformed", "redirect_loop")  # where the key once leaked into -v output
WAIT_S = 0.3  # how long the waiting calls (wait, generate) keep trying


def reachable(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception reachable from it: causes, contexts, members of exception
    groups, exceptions held in its arguments or attributes."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked: list[object] = [current.__cause__, current.__context__, *current.args]
        linked += list(getattr(current, "exceptions", ()))
        linked += list(vars(current).values())
        todo.extend(item for item in linked if isinstance(item, BaseException))


def texts_of(exc: BaseException) -> Iterator[str]:
    """Everything an exception shows: for it and each exception reachable from it, ``str``,
    ``repr``, its arguments and attributes, and the formatted traceback."""
    yield "".join(traceback.format_exception(exc))
    for link in reachable(exc):
        yield str(link)
        yield repr(link)
        yield from (repr(arg) for arg in link.args)
        yield from (repr(value) for value in vars(link).values())


def assert_no_marker(where: str, texts: Iterator[str] | list[str]) -> None:
    """Fail naming ``where`` when the marker is in any of ``texts``."""
    for text in texts:
        assert MARKER not in text, f"the API key appears in {where}: {text[:300]!r}"


def _user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


async def _read(stream: Any) -> list[Any]:
    async with stream:
        return [item async for item in stream]


def public_calls(
    client: AsyncAIReiter, journal: Path, receiver: WebhookReceiver
) -> dict[str, Callable[[], Awaitable[Any]]]:
    """Every public call of the async client, by name (each fails against garbage)."""
    chat = client.chat.completions
    messages = client.messages

    async def tracker_run() -> Any:
        async with client.tracker(
            journal=journal, timeout=WAIT_S * 3, webhook=receiver.router
        ) as tracker:
            await tracker.submit("seedream_v4_5", {"prompt": "x"})
            return await tracker.gather()

    return {
        "chat": lambda: chat.create(model="gpt-4o-mini", messages=_user("x")),  # type: ignore[arg-type]
        "chat-stream": lambda: _read_created(
            chat.create(model="gpt-4o-mini", messages=_user("x"), stream=True)  # type: ignore[arg-type]
        ),
        "responses": lambda: client.responses.create(model="gpt-5.5", input="x"),
        "responses-stream": lambda: _read_created(
            client.responses.create(model="gpt-5.5", input="x", stream=True)
        ),
        "messages": lambda: messages.create(model="m", max_tokens=5, messages=_user("x")),  # type: ignore[arg-type]
        "messages-stream": lambda: _read_created(
            messages.create(model="m", max_tokens=5, messages=_user("x"), stream=True)  # type: ignore[arg-type]
        ),
        "tasks.submit": lambda: client.tasks.submit("seedream_v4_5", {"prompt": "x"}),
        "tasks.query": lambda: client.tasks.query("job-1"),
        "tasks.wait": lambda: client.tasks.wait("job-1", timeout=WAIT_S, poll_interval=0.01),
        "balance": client.balance,
        "images.generate": lambda: client.images.generate(
            "seedream_v4_5", prompt="x", wait_timeout=WAIT_S, poll_interval=0.01
        ),
        "videos.generate": lambda: client.videos.generate(
            "sora2", prompt="x", wait_timeout=WAIT_S, poll_interval=0.01
        ),
        "tracker": tracker_run,
    }


async def _read_created(created: Awaitable[Any]) -> list[Any]:
    return await _read(await created)


def sync_calls(base_url: str) -> list[BaseException | str]:
    """The blocking client's chat and balance against ``base_url``: what each raised, and the
    client's repr."""
    seen: list[BaseException | str] = []
    with AIReiter(api_key=MARKER, base_url=base_url, max_retries=1) as client:
        seen.append(repr(client))
        for call in (
            lambda: client.chat.completions.create(model="gpt-4o-mini", messages=_user("x")),  # type: ignore[arg-type]
            client.balance,
        ):
            try:
                call()
            except Exception as error:
                seen.append(error)
    return seen


async def post_callbacks(receiver: WebhookReceiver) -> None:
    """Garbage callbacks to the webhook receiver, carrying the key in a header and a body."""
    import aiohttp

    assert receiver.base_url is not None
    headers = {"Authorization": f"Bearer {MARKER}"}
    async with aiohttp.ClientSession() as session:
        for url, body in [
            (f"{receiver.base_url}/wrong-token/job-1", b"{}"),
            (receiver.router.callback_url(receiver.base_url, "job-1"), b"<html>"),
            (receiver.router.callback_url(receiver.base_url, "job-1"), MARKER.encode()),
            (receiver.router.callback_url(receiver.base_url, "bad id!"), b"{}"),
        ]:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.usefixtures("testing_sleeps")
async def test_no_key_in_logs_reprs_or_errors(
    mode: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """Every public call against a garbage answer, key = marker, DEBUG logging: the marker is
    in no log record, repr, exception (nor anything reachable from one) nor the journal."""
    caplog.set_level(logging.DEBUG)  # every logger, aireiter's and its libraries'
    journal = tmp_path / "jobs.db"
    outcomes: dict[str, BaseException | str] = {}
    async with (
        garbage_server(mode) as base_url,
        WebhookReceiver(WebhookRouter()) as receiver,
        AsyncAIReiter(api_key=MARKER, base_url=base_url, max_retries=1, timeout=2.0) as client,
    ):
        calls = public_calls(client, journal, receiver)

        async def run(name: str) -> None:
            try:
                outcomes[name] = repr(await calls[name]())
            except Exception as error:
                outcomes[name] = error

        await asyncio.gather(*(run(name) for name in calls))
        await post_callbacks(receiver)
        shown = [repr(client), repr(client.config), repr(client.openai), repr(receiver)]
        shown.append(repr(receiver.router))
        sync_seen = await asyncio.to_thread(sync_calls, base_url)

    assert_no_marker("a repr", shown)
    for index, seen in enumerate(sync_seen):
        outcomes[f"sync-{index}"] = seen
    for name, outcome in outcomes.items():
        texts = texts_of(outcome) if isinstance(outcome, BaseException) else iter([outcome])
        assert_no_marker(f"the outcome of {name}", texts)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    assert_no_marker("the logs", [formatter.format(record) for record in caplog.records])
    assert caplog.records, "nothing was logged: the test would prove nothing"
    for path in journal_files(tmp_path):
        assert MARKER.encode() not in path.read_bytes(), f"the key is in {path.name}"
    raised = {name for name, outcome in outcomes.items() if isinstance(outcome, BaseException)}
    taken = set(calls) - {"tracker"} - raised  # the tracker returns its failures
    assert not taken, f"garbage was taken for an answer by {sorted(taken)}"
    foreign = {
        name: outcomes[name] for name in raised if not isinstance(outcomes[name], AIReiterError)
    }
    assert not foreign, f"errors outside the aireiter tree: {foreign}"


def journal_files(directory: Path) -> list[Path]:
    """The journal and its companions (``-wal``, ``-shm``) in ``directory``."""
    return [path for path in directory.iterdir() if path.name.startswith("jobs.db")]


async def _cli(*args: str, base_url: str, cwd: Path) -> CLIResult:
    env = cli_env(AIREITER_BASE_URL=base_url, AIREITER_API_KEY=MARKER, AIREITER_LOG="debug")
    return await run_cli("-v", *args, env=env, cwd=cwd)


@pytest.mark.slow
@pytest.mark.parametrize("mode", CLI_MODES)
async def test_no_key_in_cli_output(mode: str, tmp_path: Path) -> None:
    """CLI commands with -v and AIREITER_LOG=debug against garbage: the marker is in neither
    stdout nor stderr (also when the key is given as --api-key), and each run fails cleanly."""
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(json.dumps({"model": "seedream_v4_5", "params": {"prompt": "x"}}) + "\n")
    commands = [
        ("chat", "hi"),
        ("chat", "hi", "--api", "messages"),
        ("status", "job-1"),
        ("status", "job-1", "--api-key", MARKER),
        ("balance",),
        ("batch", str(jobs), "--journal", str(tmp_path / "batch.db")),
    ]
    async with garbage_server(mode) as base_url:
        results = await asyncio.gather(
            *(_cli(*command, base_url=base_url, cwd=tmp_path) for command in commands)
        )
    for command, result in zip(commands, results, strict=True):
        where = f"`aireiter -v {' '.join(command[:2])}` output"
        assert_no_marker(where, [result.stdout, result.stderr])
        assert result.code != 0, f"{where}: exit 0 on garbage\n{result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr, f"{where}:\n{result.stderr[-3000:]}"
    logged = [
        cmd[0] for cmd, result in zip(commands, results, strict=True) if "DEBUG" in result.stderr
    ]
    assert len(logged) >= len(commands) // 2, f"few debug logs ({logged}): the test proves little"
