"""Pieces shared by the commands: the client from the global options, downloads, JSON args,
and the SDK's messages told in the command line's words."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._client import AsyncAIReiter
from .._exceptions import ParamError
from .._models import Task

__all__ = [
    "cli_words",
    "download_task",
    "make_client",
    "option_name",
    "parse_json_object",
    "paths_text",
    "remove_journal",
]

_OPTIONS = {"api_key": "--api-key", "base_url": "--base-url"}  # client argument -> option
_PYTHON_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Hints written for Python callers, said the way the command line says them.
    (re.compile(r"\bpass api_key=\.\.\. or set"), "pass --api-key or set"),
    (re.compile(r"\bset base_url / "), "set --base-url / "),
    (re.compile(r"; aireiter\.task_id_for\(key\) maps any other key.*? to a valid id"), ""),
    (re.compile(r" \((?:send|set|pass) [^()]*extra_params=\{\.\.\.\}[^()]*(?:\([^()]*\))?\)"), ""),
    (re.compile(r"\bvalidate=False\b"), "--no-validate"),
    (re.compile(r"\bquery out_task_id '([^']+)' later"), r"see it later with `aireiter status \1`"),
    (re.compile(r" \(wait for it first: client\.tasks\.wait\)"), " (wait for it first)"),
)
_ARGUMENT = re.compile(r"\b(api_key|base_url)(?==)")  # "base_url='x': ..." in a ParamError


def cli_words(text: str) -> str:
    """``text`` (an SDK error's message) with the hints written for Python callers told the
    way the command line says them (``--api-key``, ``--base-url``, ``--no-validate``,
    ``aireiter status ID``); hints with no command line equivalent are left out."""
    for pattern, replacement in _PYTHON_HINTS:
        text = pattern.sub(replacement, text)
    return _ARGUMENT.sub(lambda found: option_name(found.group(1)), text)


def option_name(field: str) -> str:
    """The command line's name of a client argument (``base_url`` -> ``--base-url``)."""
    return _OPTIONS.get(field, field)


def make_client(args: argparse.Namespace) -> AsyncAIReiter:
    """An :class:`AsyncAIReiter` from ``--api-key`` / ``--base-url`` (else the environment).

    Raises :class:`~aireiter.ConfigurationError` when no key is set anywhere (exit 2).
    """
    return AsyncAIReiter(
        api_key=getattr(args, "api_key", None) or None,
        base_url=getattr(args, "base_url", None) or None,
    )


def parse_json_object(option: str, text: str | None) -> Mapping[str, Any] | None:
    """``--metadata '{"a": 1}'`` -> a dict; ParamError naming ``option`` when it is not one."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ParamError.single(option, text, f"is not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise ParamError.single(option, text, "must be a JSON object")
    return value


async def download_task(task: Task, directory: Path) -> tuple[Path, ...]:
    """Download ``task``'s outputs into ``directory`` (created), named after its
    ``out_task_id``; streamed, atomic, retried, no API key sent (the tracker's downloader)."""
    if not task.urls:
        return ()
    from ..tracker._downloads import Downloader

    downloader = Downloader(directory)
    try:
        return tuple(await downloader.download(task.out_task_id, task.urls))
    finally:
        await downloader.aclose()


def paths_text(paths: Sequence[Path]) -> list[str]:
    """Paths as strings for JSON output."""
    return [str(path) for path in paths]


def remove_journal(path: Path) -> None:
    """Delete an SQLite journal and its ``-wal`` / ``-shm`` / ``-journal`` companions."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()
