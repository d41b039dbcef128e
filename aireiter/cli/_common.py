"""Pieces shared by the commands: the client from the global options, downloads, JSON args."""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._client import AsyncAIReiter
from .._exceptions import ParamError
from .._models import Task

__all__ = ["download_task", "make_client", "parse_json_object", "paths_text", "remove_journal"]


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
