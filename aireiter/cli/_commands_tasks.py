"""``aireiter image``, ``video``, ``status`` and ``balance``: one task at a time."""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._exceptions import NoOutputsError, TaskFailedError
from .._models import Task, TaskStatus
from .._spec import ParamSpec, load_spec, resolve_model
from ..resources._validation import new_out_task_id
from ..tracker import DownloadError
from ._app import EXIT_FAILED, EXIT_OK, run_async
from ._common import download_task, make_client, parse_json_object, paths_text
from ._output import Output, UsageError, task_to_json
from ._params import build_params

__all__ = ["run_balance", "run_generate", "run_status"]


def _check_model(model: str, kind: str) -> None:
    spec, _channel = resolve_model(model)
    if spec is None:
        known = ", ".join(m.id for m in load_spec().of_kind(kind))  # type: ignore[arg-type]
        raise UsageError(
            f"unknown {kind} model {model!r}; known: {known} (see `aireiter models --kind {kind}`)"
        )
    if spec.kind != kind:
        raise UsageError(f"{model!r} is a {spec.kind} model: use `aireiter {spec.kind} {model}`")


def _image_field(model: str) -> ParamSpec | None:
    """The model's reference-image field: the first one the spec marks as an image, else one
    named ``image_url``."""
    spec, _channel = resolve_model(model)
    if spec is None:
        return None
    marked = [p for p in spec.params if p.format == "image"]
    return marked[0] if marked else spec.param("image_url")


def _with_images(model: str, params: dict[str, Any], images: list[str]) -> dict[str, Any]:
    """``params`` with each ``--image``: an http(s) or data URI as typed, anything else a
    local file (a :class:`~pathlib.Path`, encoded as a data URI by ``client.tasks.submit``
    where the model's docs allow one, refused with the reason otherwise)."""
    if not images:
        return params
    field = _image_field(model)
    if field is None:
        raise UsageError(f"--image: {model} has no reference-image parameter")
    values: list[Any] = [
        text if text.startswith(("http://", "https://", "data:")) else Path(text).expanduser()
        for text in images
    ]
    if "array" in field.types:
        before = params.get(field.name)
        kept = list(before) if isinstance(before, list) else [] if before is None else [before]
        return {**params, field.name: [*kept, *values]}
    if len(values) > 1 or params.get(field.name) is not None:
        raise UsageError(f"--image: {model} takes one reference image ({field.name})")
    return {**params, field.name: values[0]}


def _show_task(out: Output, task: Task, files: list[str], *, elapsed_s: float | None) -> None:
    if out.json_mode:
        result = task_to_json(task, files=files)
        if elapsed_s is not None:
            result["elapsed_s"] = round(elapsed_s, 3)
        out.json(result)
        return
    values: dict[str, object] = {
        "out_task_id": task.out_task_id,
        "task_id": task.task_id,
        "model": task.model,
        "status": task.status.value,
        "estimated credits": task.estimated_credits,
        "credits used": task.credits_used,
        "error": task.error,
        "urls": task.urls if not files else None,
        "files": files or None,
        "time": f"{elapsed_s:.1f} s" if elapsed_s is not None else None,
    }
    out.fields(values)


@contextlib.contextmanager
def _waiting(out: Output, message: str) -> Iterator[None]:
    """A spinner on an interactive terminal (rich; it is cleared when it stops, so nothing
    that must stay visible goes in it), else nothing: :func:`_notice` said it already."""
    if not out.json_mode and out.use_rich and out.stderr_is_tty:
        with out.err_console().status(message):
            yield
    else:
        yield


def _notice(out: Output, event: str, out_task_id: str, text: str, **fields: object) -> None:
    """A line on stderr that stays (never part of a spinner): plain text, or with ``--json``
    one JSON object ``{"event": ..., "out_task_id": ..., "message": ...}``."""
    if out.json_mode:
        body = {"event": event, "out_task_id": out_task_id, **fields, "message": text}
        out.stderr.write(json.dumps(body, ensure_ascii=False, default=str) + "\n")
        out.stderr.flush()
    else:
        out.info(text)


def _interrupted(out: Output, out_task_id: str, *, answered: bool) -> None:
    """Say, before the interrupt is reported, which task was paid for and how to find it."""
    if answered:
        text = (
            f"stopped waiting: task {out_task_id} was submitted and paid for, and goes on; "
            f"see it with `aireiter status {out_task_id}`"
        )
    else:
        text = (
            f"stopped while submitting task {out_task_id}: it may have reached the API; "
            f"check with `aireiter status {out_task_id}` before submitting it again"
        )
    _notice(out, "interrupted", out_task_id, text, submitted=answered)


async def _generate(args: argparse.Namespace, out: Output, sent: dict[str, bool]) -> int:
    kind = args.command
    _check_model(args.model, kind)
    params = build_params(args.model, args.param, prompt=args.prompt)
    params = _with_images(args.model, params, args.image)
    metadata = parse_json_object("--metadata", args.metadata)
    oid = args.out_task_id if args.out_task_id is not None else new_out_task_id()
    started = time.monotonic()
    async with make_client(args) as client:
        sent[oid] = False  # from here on the task may exist
        task = await client.tasks.submit(args.model, params, out_task_id=oid, metadata=metadata)
        sent[oid] = True
        if args.no_wait:
            _show_task(out, task, [], elapsed_s=None)
            return EXIT_OK
        _notice(
            out,
            "submitted",
            task.out_task_id,
            f"submitted {task.out_task_id} ({args.model}); waiting ... "
            f"(Ctrl-C stops waiting, the task goes on: `aireiter status {task.out_task_id}`)",
            model=args.model,
            task_id=task.task_id,
        )
        try:
            with _waiting(out, f"waiting for {task.out_task_id} ..."):
                task = await client.tasks.wait(
                    task, timeout=args.timeout, poll_interval=args.poll_interval
                )
        except TaskFailedError as error:
            failed = error.task if error.task is not None else task
            _show_task(out, failed, [], elapsed_s=time.monotonic() - started)
            if not out.json_mode:
                out.error(f"task {failed.out_task_id} failed: {failed.error}", kind="failed")
            return EXIT_FAILED
        if not task.urls:  # completed, yet nothing to show or fetch: not a success
            _show_task(out, task, [], elapsed_s=time.monotonic() - started)
            out.error(str(NoOutputsError(task)), kind="NoOutputsError")
            return EXIT_FAILED
        files: list[str] = []
        if not args.no_download:
            try:
                files = paths_text(await download_task(task, Path(args.out)))
            except DownloadError as error:  # the task is done: still show it and its URLs
                _show_task(out, task, [], elapsed_s=time.monotonic() - started)
                out.error(f"download failed: {error}", kind="DownloadError")
                return EXIT_FAILED
    _show_task(out, task, files, elapsed_s=time.monotonic() - started)
    return EXIT_OK


def run_generate(args: argparse.Namespace, out: Output) -> int:
    """``aireiter image|video MODEL --prompt ... [--param k=v]... [--out DIR]``.

    Every task that may have been paid for is named on stderr in a line that stays: when it
    is submitted, and again when Ctrl-C stops the wait (the task goes on) or the submit.
    """
    sent: dict[str, bool] = {}  # out_task_id -> the API answered the submit
    try:
        return run_async(_generate(args, out, sent))
    except KeyboardInterrupt:
        for out_task_id, answered in sent.items():
            _interrupted(out, out_task_id, answered=answered)
        raise


async def _status(args: argparse.Namespace, out: Output) -> int:
    async with make_client(args) as client:
        task = await client.tasks.query(args.out_task_id)
    _show_task(out, task, [], elapsed_s=None)
    return EXIT_FAILED if task.status in _NOT_OK else EXIT_OK


_NOT_OK = frozenset({TaskStatus.FAILED, TaskStatus.UNKNOWN})
"""Statuses ``aireiter status`` exits 1 for: failed, or one the SDK does not know."""


def run_status(args: argparse.Namespace, out: Output) -> int:
    """``aireiter status OUT_TASK_ID``: exit 1 when the task failed or its status is unknown
    (a value the SDK does not know, such as ``cancelled``)."""
    return run_async(_status(args, out))


async def _balance(args: argparse.Namespace, out: Output) -> int:
    async with make_client(args) as client:
        balance = await client.balance()
    if out.json_mode:
        out.json({"credits": balance.credits, "raw": dict(balance.raw)})
    else:
        out.fields({"credits": balance.credits})
    return EXIT_OK


def run_balance(args: argparse.Namespace, out: Output) -> int:
    """``aireiter balance``."""
    return run_async(_balance(args, out))
