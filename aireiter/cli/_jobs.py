"""Reading ``batch`` input: one job per JSON line, every line checked before anything is sent.

A line is ``{"model": "...", "params": {...}}`` with optional ``out_task_id`` and
``metadata``; without ``params``, every other key is a parameter
(``{"model": "gpt_4o", "prompt": "a cat"}``). Blank lines and lines starting with ``#`` are
skipped. A job without ``out_task_id`` gets ``<run id>-L<line number>``: stable across
``--resume`` (the run id is read back from the journal), fresh for every new run.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .._constants import OUT_TASK_ID_PATTERN
from .._exceptions import ParamError
from .._spec import validate_params
from ._output import UsageError

__all__ = ["Job", "auto_out_task_id", "new_run_id", "read_jobs", "recover_run_id"]

MAX_REPORTED_PROBLEMS = 20  # a bad jobs file lists at most this many problems
_RESERVED = frozenset({"model", "params", "out_task_id", "metadata"})
_AUTO_ID = re.compile(r"(b[0-9a-f]{8})-L\d+")


@attrs.frozen(kw_only=True)
class Job:
    """One line of the jobs file."""

    line: int
    model: str
    params: Mapping[str, Any]
    out_task_id: str | None = None
    metadata: Mapping[str, Any] | None = None


def new_run_id() -> str:
    """A fresh run id for jobs without an ``out_task_id`` (``b`` + 8 hex digits)."""
    return "b" + secrets.token_hex(4)


def auto_out_task_id(run_id: str, line: int) -> str:
    """The ``out_task_id`` of the job on ``line`` when the file gives none."""
    return f"{run_id}-L{line}"


def recover_run_id(out_task_ids: Iterable[str]) -> str | None:
    """The run id of a journal's automatically named jobs, if it has any."""
    for oid in out_task_ids:
        match = _AUTO_ID.fullmatch(oid)
        if match:
            return match.group(1)
    return None


def _parse_line(number: int, text: str) -> Job:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ParamError.single("line", text[:60], f"is not valid JSON ({error.args[0]})") from None
    if not isinstance(value, dict):
        raise ParamError.single("line", text[:60], "must be a JSON object")
    model = value.get("model")
    if not isinstance(model, str) or not model:
        raise ParamError.single("model", model, "must be a non-empty string")
    if "params" in value:
        params = value["params"]
        if not isinstance(params, dict):
            raise ParamError.single("params", params, "must be a JSON object", model=model)
    else:
        params = {k: v for k, v in value.items() if k not in _RESERVED}
    oid = value.get("out_task_id")
    if oid is not None and (not isinstance(oid, str) or not OUT_TASK_ID_PATTERN.fullmatch(oid)):
        raise ParamError.single(
            "out_task_id", oid, "must be 1-64 characters of A-Z a-z 0-9 _ -", model=model
        )
    metadata = value.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise ParamError.single("metadata", metadata, "must be a JSON object", model=model)
    validate_params(model, params)
    return Job(line=number, model=model, params=params, out_task_id=oid, metadata=metadata)


def read_jobs(path: Path) -> list[Job]:
    """Every job of ``path``; raises :class:`UsageError` listing the bad lines (with their
    line numbers and the field at fault) when any line is wrong, or an id repeats."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read jobs file {str(path)!r}: {error.strerror}") from None
    jobs: list[Job] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            job = _parse_line(number, stripped)
        except ParamError as error:
            problems.append(f"line {number}: {error}")
            continue
        if job.out_task_id is not None:
            if job.out_task_id in seen:
                problems.append(
                    f"line {number}: out_task_id {job.out_task_id!r} repeats line "
                    f"{seen[job.out_task_id]}"
                )
                continue
            seen[job.out_task_id] = number
        jobs.append(job)
    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        tail = f"\n  ... and {more} more" if more else ""
        raise UsageError(
            f"{path}: {len(problems)} bad job line(s), nothing was sent:\n  "
            + "\n  ".join(shown)
            + tail
        )
    if not jobs:
        raise UsageError(f"{path}: no jobs in the file")
    return jobs
