"""What the CLI prints: links never folded inside tables, errors in the command line's words,
``--version``."""

from __future__ import annotations

import asyncio
import io
import re

from rich.console import Console

from aireiter import __version__
from aireiter.cli._common import cli_words
from aireiter.cli._output import Output, is_link
from aireiter.emulator import RunningEmulator
from tests.conftest import EmulatorFactory

from .conftest import cli_env, run_cli

# What an error must not say to a shell user: Python arguments and calls.
PYTHON_WORDS = re.compile(
    r"\w+=\.\.\.|=False|=True|extra_params=|task_id_for\(|client\.\w|tasks\.\w+\(|base_url\b"
)


def _rich_output(width: int) -> tuple[Output, io.StringIO]:
    buffer = io.StringIO()
    out = Output(stdout=buffer)
    out.use_rich = True
    out._console = Console(file=buffer, width=width, highlight=False)
    return out, buffer


def test_links_in_a_table_are_printed_whole_after_it() -> None:
    """On a narrow terminal a URL or a path in a table cell is never folded: the cell shows
    ``[n]`` and the link comes after the table, whole on one line; prose still folds."""
    url = "https://cdn.example.com/outputs/2025/12/22/a-rather-long-task-id-0001/0.png"
    path = "/tmp/aireiter-output/files/a-rather-long-task-id-0001.png"
    out, buffer = _rich_output(width=40)
    prose = "a long description of the parameter that must wrap on a narrow terminal"
    out.table(("Name", "Link", "Description"), [("a", url, prose), ("b", path, "short")])
    lines = buffer.getvalue().splitlines()
    assert f"[1] {url}" in lines
    assert f"[2] {path}" in lines
    assert max(len(line) for line in lines if not line.startswith("[")) <= 40


def test_links_among_fields_are_printed_whole_on_their_own_lines() -> None:
    """A task's URLs and files are not drawn in the fields table: each is printed whole on a
    line of its own, after the other fields, in rich and in plain output."""
    urls = [f"http://127.0.0.1:8787/files/a-rather-long-out-task-id-000{n}/{n}.png" for n in (0, 1)]
    for rich in (True, False):
        out, buffer = _rich_output(width=40)
        out.use_rich = rich
        out.fields(
            {"out_task_id": "a-rather-long-out-task-id", "status": "completed", "urls": urls}
        )
        lines = [line.strip() for line in buffer.getvalue().splitlines()]
        assert f"urls  {urls[0]}".split() == lines[-2].split()
        assert lines[-1] == urls[1]
        assert "completed" in "".join(lines[:-2])


def test_what_counts_as_a_link() -> None:
    """URLs and paths are links; words, ratios and "n/a" are prose."""
    assert all(is_link(t) for t in ("http://a/b", "/tmp/x", "./x", "~/x", "out/x.png"))
    assert not any(is_link(t) for t in ("n/a", "16:9", "a lighthouse", "x.png", ""))


async def test_a_task_url_is_never_folded_by_a_narrow_terminal(
    emulator: RunningEmulator,
) -> None:
    """`aireiter status` on a 40-column terminal with rich prints each output URL whole on
    one line (a folded URL breaks when copied), and `models MODEL` its docs URL."""
    env = cli_env(emulator, COLUMNS="40")
    done = await run_cli(
        "image", "gpt_4o", "-p", "x", "--no-download", "--poll-interval", "0.01", env=env
    )
    assert done.code == 0, done.stderr
    url_line = next(line for line in done.stdout.splitlines() if "/files/" in line)
    url = re.search(r"http://\S+", url_line)
    assert url is not None
    assert url.group(0).endswith(".png"), done.stdout
    model = await run_cli("models", "sora2", env=env)
    assert model.code == 0, model.stderr
    assert re.search(r"^\s*docs\s+https://\S+$", model.stdout, re.MULTILINE), model.stdout


async def test_errors_speak_the_command_line_not_python(
    emulator_factory: EmulatorFactory,
) -> None:
    """Usage and API errors name options (`--api-key`, `--base-url`), never Python arguments
    or calls (`api_key=...`, `extra_params={...}`, `validate=False`, `task_id_for(key)`)."""
    html = await emulator_factory(html_everywhere=True)
    env = cli_env(html)
    runs = await asyncio.gather(
        run_cli("image", "gpt_4o", "--prompt", "x", "--param", "foo=1", env=env),
        run_cli("status", "not/an/id", env=env),
        run_cli("--base-url", "ftp://x", "balance", env=env),
        run_cli("balance", env=cli_env()),
        run_cli("chat", "hi", "--api", "messages", "--no-stream", env=env),
    )
    for result in runs:
        assert result.code != 0
        assert not PYTHON_WORDS.search(result.stderr), result.stderr
    unknown, bad_id, bad_url, no_key, wrong_host = (r.stderr for r in runs)
    assert "is not a parameter of gpt_4o (allowed: prompt" in unknown
    assert "is not a valid task id" in bad_id
    assert "(usage: --base-url): --base-url='ftp://x'" in bad_url
    assert "pass --api-key or set the AIREITER_API_KEY" in no_key
    assert "set --base-url / AIREITER_BASE_URL" in wrong_host


def test_cli_words_leave_plain_messages_alone() -> None:
    """A message without Python hints is printed as it is."""
    text = "task t1 failed: content rejected by the safety review"
    assert cli_words(text) == text
    assert "aireiter status t1" in cli_words(
        "task t1 did not finish within 5 s; query out_task_id 't1' later instead"
    )


async def test_version() -> None:
    """`aireiter --version` prints the package version and exits 0."""
    result = await run_cli("--version", env=cli_env())
    assert result.code == 0
    assert result.stdout.strip() == f"aireiter {__version__}"
