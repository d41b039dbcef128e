"""What the CLI prints, and where: results on stdout, everything else on stderr.

``--json`` makes stdout machine-readable (one JSON document per command, or one JSON object
per line for streams) and sends errors to stderr as ``{"error": {...}}``. Without it, tables
and messages are drawn with rich when the ``cli`` extra is installed and as plain aligned text
otherwise; rich is imported only when something is drawn.

Links (URLs, file paths) are never drawn inside a table, where a narrow terminal would fold
them mid-string and a copied link would break: they are printed after it, each whole on a
line of its own (the terminal wraps it softly). Prose cells may fold.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from .._models import Task

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Output", "UsageError", "is_link", "rich_available", "task_to_json"]

ENV_NO_RICH = "AIREITER_NO_RICH"  # set to 1: never use rich, even when it is installed
_LINK = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://\S+"  # a URL
    r"|[~.]*/\S*"  # an absolute or relative path: /tmp/x, ./x, ~/x
    r"|[^\s/]+/\S*\.\S+"  # a relative path with a file name: out/x.png
)


def is_link(text: str) -> bool:
    """True for a URL or a file path (no spaces): text a table must not fold."""
    return bool(text) and _LINK.fullmatch(text) is not None


class UsageError(Exception):
    """A bad command line that argparse could not catch: exit status 2, message shown."""


def rich_available() -> bool:
    """True when rich is installed and not turned off with ``AIREITER_NO_RICH=1``."""
    if os.environ.get(ENV_NO_RICH, "") not in ("", "0"):
        return False
    return importlib.util.find_spec("rich") is not None  # found, not imported (yet)


def task_to_json(task: Task, *, files: Sequence[str] = ()) -> dict[str, Any]:
    """A task as a JSON-ready dict (what ``--json`` prints and ``batch`` writes)."""
    result: dict[str, Any] = {
        "out_task_id": task.out_task_id,
        "task_id": task.task_id,
        "model": task.model,
        "status": task.status.value,
        "urls": task.urls,
        "estimated_credits": task.estimated_credits,
        "credits_used": task.credits_used,
        "error": task.error,
        "metadata": dict(task.metadata) if task.metadata is not None else None,
        "created_at": task.created_at.isoformat() if task.created_at else None,
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
    }
    if files:
        result["files"] = list(files)
    return result


def _plain_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(c) for c in columns]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip()

    lines = [fmt(columns), fmt(["-" * w for w in widths])]
    lines += [fmt(row) for row in rows]
    return "\n".join(lines)


class Output:
    """The CLI's printer. ``json_mode`` switches stdout to JSON; stderr gets messages."""

    def __init__(
        self,
        *,
        json_mode: bool = False,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
    ) -> None:
        self.json_mode = json_mode
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.use_rich = rich_available()
        self._console: Console | None = None
        self._err_console: Console | None = None

    # -- consoles (rich, lazily) -----------------------------------------------------------
    def console(self) -> Console:
        """The rich console on stdout (only when :attr:`use_rich`)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.stdout, highlight=False)
        return self._console

    def err_console(self) -> Console:
        """The rich console on stderr (only when :attr:`use_rich`)."""
        if self._err_console is None:
            from rich.console import Console

            self._err_console = Console(file=self.stderr, highlight=False)
        return self._err_console

    @property
    def stderr_is_tty(self) -> bool:
        """True when stderr is an interactive terminal (live progress bars make sense)."""
        isatty = getattr(self.stderr, "isatty", None)
        return bool(isatty and isatty())

    # -- results (stdout) ------------------------------------------------------------------
    def json(self, value: Any) -> None:
        """Print ``value`` as one JSON document on stdout."""
        self.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")
        self.stdout.flush()

    def line(self, text: str = "") -> None:
        """Print a line of human-readable text on stdout."""
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def write(self, text: str) -> None:
        """Write text to stdout without a newline (streamed chat)."""
        self.stdout.write(text)
        self.stdout.flush()

    def table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        title: str | None = None,
    ) -> None:
        """Print a table on stdout (rich when available, else aligned plain text). A cell that
        is a link is shown as ``[n]`` and the link printed whole after the table."""
        links: list[str] = []

        def cell(text: str) -> str:
            if not is_link(text):
                return text
            links.append(text)
            return f"[{len(links)}]"

        rows = [[cell(text) for text in row] for row in rows]
        if self.use_rich:
            from rich.table import Table

            table = Table(title=title, title_justify="left", show_lines=False)
            for index, column in enumerate(columns):
                table.add_column(column, overflow="fold", no_wrap=index == 0)  # prose folds
            for row in rows:
                table.add_row(*row)
            self.console().print(table)
        else:
            if title:
                self.line(title)
            self.line(_plain_table(columns, rows))
        for number, link in enumerate(links, start=1):
            self.line(f"[{number}] {link}")

    def fields(self, values: Mapping[str, Any], *, title: str | None = None) -> None:
        """Print ``name: value`` pairs (a task, a balance) on stdout. Values that are links
        (URLs, paths) come after the others, each whole on a line of its own."""
        shown = [(name, value) for name, value in values.items() if _shown(value)]
        rows = [(name, _text(value)) for name, value in shown if not _links(value)]
        linked = [(name, _links(value)) for name, value in shown if _links(value)]
        width = max((len(name) for name, _ in shown), default=0)
        if self.use_rich and rows:
            from rich.table import Table

            table = Table(title=title, title_justify="left", show_header=False, box=None)
            table.add_column(style="bold", no_wrap=True)
            table.add_column(overflow="fold")  # prose: words, numbers, messages
            for name, value in rows:
                table.add_row(name, value)
            self.console().print(table)
        else:
            if title:
                self.line(title)
            for name, value in rows:
                self.line(f"{name.ljust(width)}  {value}")
        for name, links in linked:
            for index, link in enumerate(links):
                self.line(f"{(name if index == 0 else '').ljust(width)}  {link}")

    # -- messages (stderr) -----------------------------------------------------------------
    def info(self, text: str) -> None:
        """A progress or status message on stderr (not part of the result)."""
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def error(self, message: str, *, kind: str = "error", hint: str | None = None) -> None:
        """An error on stderr: JSON ``{"error": {...}}`` in ``--json`` mode, else text; told in
        the command line's words (:func:`~aireiter.cli._common.cli_words`)."""
        from ._common import cli_words

        message = cli_words(message)
        hint = cli_words(hint) if hint else hint
        if self.json_mode:
            body: dict[str, Any] = {"type": kind, "message": message}
            if hint:
                body["hint"] = hint
            self.stderr.write(json.dumps({"error": body}, ensure_ascii=False) + "\n")
        else:
            prefix = "error" if kind == "error" else f"error ({kind})"
            self.stderr.write(f"aireiter: {prefix}: {message}\n")
            if hint:
                self.stderr.write(f"hint: {hint}\n")
        self.stderr.flush()


def _links(value: Any) -> list[str]:
    """The links of a field's value (one, or a list of them), else ``[]``."""
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    texts = [str(item) for item in items]
    if texts and all(
        isinstance(item, (str, os.PathLike)) and is_link(t)
        for item, t in zip(items, texts, strict=True)
    ):
        return texts
    return []


def _shown(value: Any) -> bool:
    return value is not None and not (isinstance(value, (str, list, tuple)) and not value)


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
