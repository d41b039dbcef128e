"""Run the emulator from the shell until Ctrl-C: ``python -m aireiter.emulator --port 8787``.

``aireiter emulator`` parses the same options (``build_parser``) and calls :func:`serve`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from ._app import run_emulator
from ._config import (
    DEFAULT_API_KEY,
    DEFAULT_SLOW_RECORD_S,
    DUPLICATE_ID_MODES,
    TIMESTAMP_FORMATS,
    EmulatorConfig,
    FaultConfig,
)

__all__ = ["build_parser", "config_from_args", "main", "serve"]

DEFAULT_PORT = 8787


def build_parser(prog: str = "python -m aireiter.emulator") -> argparse.ArgumentParser:
    """The command line's options."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run the AIReiter API emulator (task API, chat, files, faults) locally.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (0: a free one)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="bearer key to accept")
    parser.add_argument(
        "--initial-credits", type=float, default=1_000_000.0, help="starting balance"
    )
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds every task takes (default: per model)"
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiply every task duration by this; in the client's tests pair it with "
        "aireiter.testing.time_scale(the same factor)",
    )
    parser.add_argument(
        "--duration-spread",
        type=float,
        default=0.0,
        help="each task takes its duration times 1 +/- up to this (0.2: 0.8x-1.2x)",
    )
    parser.add_argument(
        "--failure-rate", type=float, default=0.0, help="fraction of tasks that end failed"
    )
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="fraction of task API requests answered with a fault (5xx, 429, reset, broken JSON)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every task API request"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of failures and faults")
    parser.add_argument(
        "--no-validate", action="store_true", help="accept params the model catalogue rejects"
    )
    parser.add_argument(
        "--slow-record-rate",
        type=float,
        default=0.0,
        help="fraction of submits held --slow-record-s seconds before the task is recorded",
    )
    parser.add_argument(
        "--slow-record-s",
        type=float,
        default=DEFAULT_SLOW_RECORD_S,
        help="seconds a slow-recording submit is held (default %(default)s)",
    )
    parser.add_argument(
        "--duplicate-id",
        choices=DUPLICATE_ID_MODES,
        default="conflict",
        help="answer to a reused out_task_id: 409 conflict (default), the existing task, "
        "or accept a second task under the id",
    )
    parser.add_argument(
        "--timestamp-format",
        choices=TIMESTAMP_FORMATS,
        default="iso",
        help="how created_at/completed_at are written (default iso)",
    )
    parser.add_argument(
        "--gzip-outputs",
        action="store_true",
        help="serve output files with Content-Encoding: gzip",
    )
    parser.add_argument(
        "--html-everywhere",
        action="store_true",
        help="answer every /api/ route with the HTML marketing page (a wrong base URL)",
    )
    return parser


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """The :class:`EmulatorConfig` the parsed options describe."""
    return EmulatorConfig(
        api_keys=(args.api_key,),
        initial_credits=args.initial_credits,
        default_duration_s=args.duration,
        time_scale=args.time_scale,
        failure_rate=args.failure_rate,
        duration_spread=args.duration_spread,
        seed=args.seed,
        validate_params=not args.no_validate,
        faults=FaultConfig.uniform(
            args.fault_rate,
            latency_s=args.latency,
            seed=args.seed,
            slow_record_rate=args.slow_record_rate,
            slow_record_s=args.slow_record_s,
        ),
        duplicate_id=args.duplicate_id,
        timestamp_format=args.timestamp_format,
        gzip_outputs=args.gzip_outputs,
        html_everywhere=args.html_everywhere,
    )


async def _serve(config: EmulatorConfig, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with run_emulator(config, host=host, port=port) as emu:
        sys.stdout.write(
            f"AIReiter emulator listening on {emu.base_url}\n"
            f"API key: {emu.api_key}\n"
            f"  export AIREITER_BASE_URL={emu.base_url}\n"
            f"  export AIREITER_API_KEY={emu.api_key}\n"
            "Press Ctrl-C to stop.\n"
        )
        sys.stdout.flush()
        await stop.wait()


def serve(config: EmulatorConfig, host: str, port: int) -> int:
    """Serve ``config`` on ``host``:``port`` until Ctrl-C or SIGTERM; the exit status (1 when
    it cannot listen there)."""
    try:
        asyncio.run(_serve(config, host, port))
    except KeyboardInterrupt:
        pass
    except OSError as error:  # the port is taken, the host is not ours ...
        sys.stderr.write(f"cannot listen on {host}:{port}: {error}\n")
        return 1
    return 0


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m aireiter.emulator") -> int:
    """Parse ``argv`` (default: the process's), serve until interrupted; the exit status."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as error:
        parser.error(str(error))
    return serve(config, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
