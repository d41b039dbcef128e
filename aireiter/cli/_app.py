"""``main(argv)``: parse, set up logging, run one command, map the outcome to an exit status.

Exit status: ``0`` all good; ``1`` something failed (a task, a batch job, an API error);
``2`` usage error (a bad option, a parameter the model's spec rejects, no API key);
``batch`` adds ``3`` stopped (key, host, not the API), ``4`` journal busy, ``5`` resumable work
left (see :mod:`aireiter.cli._batch`); ``130`` interrupted by Ctrl-C (a batch's journal is
left consistent: ``--resume`` continues).

Errors are told in the command line's words (``--base-url``, ``--no-validate``), not in
the Python arguments the SDK's messages name. ``aireiter --version`` prints the version.

Logging: each retry of a request is printed on stderr (``aireiter: retrying in 2.1 s after
HTTP 503 ...``) with or without ``-v``, and so is any warning; ``-v`` adds every DEBUG record
of the ``aireiter`` logger. Everything printed is redacted: no API key reaches the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from .._exceptions import AIReiterError, ConfigurationError, ParamError
from .._transport._logging import RETRY_RECORD_ATTRIBUTE, add_stream_handler, remove_handler
from ._common import option_name
from ._output import Output, UsageError

__all__ = [
    "EXIT_ABORTED",
    "EXIT_BUSY",
    "EXIT_FAILED",
    "EXIT_INCOMPLETE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "main",
    "run_async",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ABORTED = 3  # batch: stopped by what no retry fixes (key, host, not the API)
EXIT_BUSY = 4  # batch: another live run holds the journal's jobs
EXIT_INCOMPLETE = 5  # batch: work left for --resume (budget, timeouts, missing files)
EXIT_INTERRUPTED = 130

Handler = Callable[[argparse.Namespace, Output], int]


def run_async(coro: Awaitable[int]) -> int:
    """Run a command's coroutine on a fresh event loop. Ctrl-C cancels it (so ``finally``
    blocks and ``async with`` exits run) and then surfaces as :class:`KeyboardInterrupt`."""

    async def runner() -> int:
        return await coro

    return asyncio.run(runner())


class _RetriesAndWarnings(logging.Filter):
    """Without ``-v``: pass retry notices and warnings, nothing else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or hasattr(record, RETRY_RECORD_ATTRIBUTE)


def _configure_logging(verbosity: int) -> logging.Handler:
    """Show retries and warnings always; every DEBUG record with ``-v``. The handler redacts
    what it prints; ``main()`` removes it again when the command is over."""
    if verbosity > 0:
        return add_stream_handler(
            logging.DEBUG,
            mark="cli-verbose",
            fmt="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    return add_stream_handler(
        logging.INFO,
        mark="cli-retries",
        record_filter=_RetriesAndWarnings(),
        fmt="aireiter: %(message)s",
    )


def _handlers() -> dict[str, Handler]:
    from . import _commands_info, _commands_tasks

    def lazy(module: str, name: str) -> Handler:
        def handler(args: argparse.Namespace, out: Output) -> int:
            import importlib

            function: Handler = getattr(importlib.import_module(module, __package__), name)
            return function(args, out)

        return handler

    return {
        "chat": lazy("._commands_chat", "run_chat"),
        "image": _commands_tasks.run_generate,
        "video": _commands_tasks.run_generate,
        "status": lazy("._commands_journal", "run_status"),
        "balance": _commands_info.run_balance,
        "models": _commands_info.run_models,
        "emulator": _commands_info.run_emulator,
        "batch": lazy("._batch", "run_batch"),
        "report": lazy("._commands_report", "run_report"),
        "demo": lazy("._demo", "run_demo"),
        "worker": lazy("._commands_journal", "run_worker"),
        "journal": lazy("._commands_journal", "run_journal"),
    }


def _exit_code(error: SystemExit) -> int:
    code: Any = error.code
    if code is None:
        return EXIT_OK
    return code if isinstance(code, int) else EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``aireiter`` command line with ``argv`` (default: ``sys.argv[1:]``); returns the
    exit status (``sys.exit(main())``)."""
    from ._parser import build_parser

    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as error:  # --help, or a usage error argparse already printed
        return _exit_code(error)
    out = Output(json_mode=bool(getattr(args, "json", False)))
    log_handler = _configure_logging(int(getattr(args, "verbose", 0) or 0))
    try:
        return _handlers()[args.command](args, out)
    except KeyboardInterrupt:
        hint = None
        if args.command == "batch":
            hint = "the journal keeps every job: run the same command with --resume to continue"
        out.error("interrupted", kind="interrupted", hint=hint)
        return EXIT_INTERRUPTED
    except (ParamError, UsageError) as error:
        field = getattr(error, "field", None)
        kind = "usage" if field is None else f"usage: {option_name(field)}"
        out.error(str(error), kind=kind)
        return EXIT_USAGE
    except ConfigurationError as error:
        hint = "set AIREITER_API_KEY (or --api-key); `aireiter demo` needs no key"
        out.error(str(error), kind=type(error).__name__, hint=hint)
        return EXIT_USAGE
    except AIReiterError as error:
        out.error(str(error), kind=type(error).__name__)
        return EXIT_FAILED
    except BrokenPipeError:  # `aireiter models | head`
        return EXIT_OK
    finally:
        remove_handler(log_handler)
