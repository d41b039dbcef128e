"""``aireiter image``, ``video``, ``status`` and ``balance``: one task at a time."""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

from .._exceptions import TaskFailedError
from .._models import Task, TaskStatus
from .._spec import load_spec, resolve_model
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
    """A spinner on an interactive terminal (rich), else one line on stderr."""
    if out.json_mode:
        yield
    elif out.use_rich and out.stderr_is_tty:
        with out.err_console().status(message):
            yield
    else:
        out.info(message)
        yield


async def _generate(args: argparse.Namespace, out: Output) -> int:
    kind = args.command
    _check_model(args.model, kind)
    params = build_params(args.model, args.param, prompt=args.prompt)
    metadata = parse_json_object("--metadata", args.metadata)
    started = time.monotonic()
    async with make_client(args) as client:
        task = await client.tasks.submit(
            args.model, params, out_task_id=args.out_task_id, metadata=metadata
        )
        if args.no_wait:
            _show_task(out, task, [], elapsed_s=None)
            return EXIT_OK
        message = f"submitted {task.out_task_id} ({args.model}); waiting ..."
        try:
            with _waiting(out, message):
                task = await client.tasks.wait(
                    task.out_task_id, timeout=args.timeout, poll_interval=args.poll_interval
                )
        except TaskFailedError as error:
            failed = error.task if error.task is not None else task
            _show_task(out, failed, [], elapsed_s=time.monotonic() - started)
            if not out.json_mode:
                out.error(f"task {failed.out_task_id} failed: {failed.error}", kind="failed")
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
    """``aireiter image|video MODEL --prompt ... [--param k=v]... [--out DIR]``."""
    return run_async(_generate(args, out))


async def _status(args: argparse.Namespace, out: Output) -> int:
    async with make_client(args) as client:
        task = await client.tasks.query(args.out_task_id)
    _show_task(out, task, [], elapsed_s=None)
    return EXIT_FAILED if task.status is TaskStatus.FAILED else EXIT_OK


def run_status(args: argparse.Namespace, out: Output) -> int:
    """``aireiter status OUT_TASK_ID``: exit 1 when the task failed or is unknown."""
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
