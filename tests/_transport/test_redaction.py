"""No key anywhere: a server that answers garbage and echoes the key back in every way it can
(malformed HTTP, redirect loops with ``?api_key=``, HTML and JSON quoting the Authorization
header, resets, cut bodies) meets every task-API call and the ``-v`` command line; the key
appears in no log record, repr, exception message or ``__cause__``/``__context__`` chain."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import attrs
import pytest

from aireiter import AIReiterError, AsyncAIReiter, Timeout
from aireiter._transport._redact import REDACTED, RedactedException, redact, sanitize_exception
from tests.cli.conftest import cli_env, run_cli

MARKER = "sk-MARKER-" + uuid.uuid4().hex


def _response(status_line: str, headers: list[str], body: bytes) -> bytes:
    head = "\r\n".join([status_line, *headers, f"Content-Length: {len(body)}", "", ""])
    return head.encode("latin-1") + body


def _answer(mode: str, auth: str, path: str) -> bytes | None:
    """The raw bytes one garbage mode answers; ``None``: close without answering."""
    echo = f"Authorization: {auth}; key={MARKER}; {MARKER}"
    if mode == "bad_status":
        return f"HTTP/1.1 2OO {auth}\r\nX-Echo: {auth}\r\n\r\n".encode("latin-1")
    if mode == "bad_header":
        return f"HTTP/1.1 200 OK\r\nContent-Length: {MARKER}\r\n\r\n".encode("latin-1")
    if mode == "redirect_loop":
        return _response(
            "HTTP/1.1 302 Found", [f"Location: {path}?api_key={MARKER}&token={MARKER}"], b""
        )
    if mode == "html_echo":
        body = f"<html><body><pre>{echo}</pre></body></html>".encode()
        return _response("HTTP/1.1 200 OK", ["Content-Type: text/html"], body)
    if mode == "json_echo":
        body = (
            f'{{"statusCode": 401, "message": "invalid key {MARKER}", '
            f'"data": {{"headers": {{"Authorization": "{auth}"}}, "api_key": "{MARKER}"}}}}'
        ).encode()
        return _response(
            "HTTP/1.1 200 OK",
            ["Content-Type: application/json", f"X-Request-Id: {MARKER}"],
            body,
        )
    if mode == "error_echo":
        body = f'{{"error": {{"message": "upstream said {echo}"}}}}'.encode()
        return _response("HTTP/1.1 503 Busy", ["Content-Type: application/json"], body)
    if mode == "cut":
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
        return head.encode() + f'{{"statusCode": 200, "data": "{echo}'.encode()
    if mode == "binary":
        return b"\x00\xff\xfe garbage " + echo.encode() + b"\r\n\r\n"
    return None  # reset


MODES = [
    "bad_status",
    "bad_header",
    "redirect_loop",
    "html_echo",
    "json_echo",
    "error_echo",
    "cut",
    "binary",
    "reset",
]


@attrs.define
class Garbage:
    """A raw HTTP/1.1 server on 127.0.0.1 answering every request per ``mode``."""

    mode: str = "reset"
    requests: int = 0
    base_url: str = ""


@pytest.fixture
async def garbage() -> AsyncIterator[Garbage]:
    """The garbage server, stopped after the test."""
    state = Garbage()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
                length = int(headers.get("Content-Length", "0"))
                if length:
                    await reader.readexactly(length)
                state.requests += 1
                answer = _answer(state.mode, headers.get("Authorization", ""), lines[0].split()[1])
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if state.mode in ("bad_status", "bad_header", "cut", "binary"):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    state.base_url = f"http://127.0.0.1:{port}"
    try:
        yield state
    finally:
        server.close()
        await server.wait_closed()


def _texts_of(value: object) -> Iterator[str]:
    yield str(value)
    yield repr(value)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__]
        pending += [v for v in vars(current).values() if isinstance(v, BaseException)]


def _assert_clean(error: BaseException) -> None:
    for link in _chain(error):
        for text in _texts_of(link):
            assert MARKER not in text, f"{type(link).__name__}: {text}"
        for text in _texts_of(link.args):
            assert MARKER not in text
        for name, value in vars(link).items():
            for text in _texts_of(value):
                assert MARKER not in text, f"{type(link).__name__}.{name}: {text}"


Call = Callable[[AsyncAIReiter], Awaitable[Any]]

CALLS: dict[str, Call] = {
    "submit": lambda c: c.tasks.submit("gpt_4o", {"prompt": "x"}, out_task_id="leak-1"),
    "query": lambda c: c.tasks.query("leak-1"),
    "wait": lambda c: c.tasks.wait("leak-1", timeout=0.3, poll_interval=0.01),
    "balance": lambda c: c.balance(),
    "typed": lambda c: c.images.gpt_4o.submit(prompt="x"),
}


@pytest.mark.parametrize("mode", MODES)
async def test_no_call_leaks_the_key(
    garbage: Garbage,
    mode: str,
    caplog: pytest.LogCaptureFixture,
    testing_sleeps: None,
) -> None:
    """Every task-API call against every kind of garbage fails with an AIReiterError that,
    like every DEBUG log record and every repr, holds no trace of the key."""
    caplog.set_level(logging.DEBUG)
    garbage.mode = mode
    async with AsyncAIReiter(
        api_key=MARKER,
        base_url=garbage.base_url,
        timeout=Timeout(total=2.0, connect=1.0, read=1.0),
    ) as client:
        for name, call in CALLS.items():
            with pytest.raises(AIReiterError) as info:
                await call(client)
            _assert_clean(info.value)
            assert name  # the call is named in the parameters of a failure report
        for text in (repr(client), repr(client.config), repr(client._transport)):
            assert MARKER not in text
    assert garbage.requests > 0
    formatter = logging.Formatter("%(name)s %(message)s")
    for record in caplog.records:
        assert MARKER not in formatter.format(record), record.name


async def test_cli_verbose_output_holds_no_key(garbage: Garbage) -> None:
    """`aireiter -v` balance/status/image against garbage prints no trace of the key, on
    stdout or stderr, with or without --json."""
    env = cli_env(AIREITER_API_KEY=MARKER, AIREITER_BASE_URL=garbage.base_url)
    runs = []
    for mode in ("bad_status", "json_echo", "redirect_loop", "error_echo"):
        garbage.mode = mode
        commands = [("-v", "balance"), ("-v", "--json", "status", "leak-1")]
        if mode == "json_echo":  # a clear refusal: no confirm window after the submit
            commands.append(("-v", "image", "gpt_4o", "-p", "x", "--no-wait"))
        runs += await asyncio.gather(*(run_cli(*command, env=env) for command in commands))
    for result in runs:
        assert result.code == 1, result.stderr
        assert MARKER not in result.stdout
        assert MARKER not in result.stderr
    assert any("DEBUG" in result.stderr for result in runs)  # -v did log


def test_redact_removes_every_form_of_a_key() -> None:
    """Authorization values, Bearer tokens and key=/token=/api_key values are redacted."""
    samples = {
        "Authorization: Bearer abc.def-123": "Authorization: " + REDACTED,
        "'Authorization': 'Bearer abc'": "'Authorization': '" + REDACTED + "'",
        "GET /x?api_key=abc&y=1": "GET /x?api_key=" + REDACTED + "&y=1",
        '{"access_token": "abc"}': '{"access_token": "' + REDACTED + '"}',
        "x-api-key: abc": "x-api-key: " + REDACTED,
        "out_task_id=job-1 status=ok": "out_task_id=job-1 status=ok",
    }
    for text, expected in samples.items():
        assert redact(text) == expected


def test_sanitize_keeps_clean_causes_and_replaces_leaky_ones() -> None:
    """An exception free of secrets is kept as it is; one whose chain holds one is replaced
    by a chain-less stand-in naming the original type."""
    clean = ConnectionRefusedError("refused")
    assert sanitize_exception(clean) is clean
    inner = ValueError("Authorization: Bearer xyz")
    outer = RuntimeError("wrapped")
    outer.__cause__ = inner
    replaced = sanitize_exception(outer)
    assert isinstance(replaced, RedactedException)
    assert replaced.original_type == "builtins.RuntimeError"
    assert replaced.__cause__ is None
    assert "xyz" not in str(replaced)


def test_redacting_a_huge_answer_takes_linear_time() -> None:
    """An error body of 200,000 word characters (a minified page, a base64 blob) is redacted
    at once, not in minutes: the key-name pattern starts only where a word does. Run in a
    subprocess with a deadline, so a regression fails instead of hanging the suite."""
    import subprocess
    import sys

    code = (
        "from aireiter._transport._redact import redact\n"
        "text = 'a' * 200_000 + ' api_key=secret ' + '7' * 200_000\n"
        "out = redact(text)\n"
        "assert 'secret' not in out and out.count('[REDACTED]') == 1, out[199_990:200_030]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=20)
