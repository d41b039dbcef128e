"""The ``aireiter`` command line: every subcommand and option (argparse, no dependencies).

Global options (``--base-url``, ``--api-key``, ``--json``, ``-v``) are accepted before or
after the subcommand. Each subcommand sets ``args.command``; :mod:`aireiter.cli._app`
dispatches on it.
"""

from __future__ import annotations

import argparse

from .._constants import DEFAULT_WAIT_TIMEOUT_S, ENV_API_KEY, ENV_BASE_URL
from .._version import __version__

__all__ = [
    "BATCH_EXIT_STATUS",
    "DEFAULT_BATCH_MAX_IN_FLIGHT",
    "DEFAULT_BATCH_QUERY_RATE",
    "DEFAULT_CHAT_MODEL",
    "DEFAULT_DEMO_FAULT_RATE",
    "DEFAULT_DEMO_JOBS",
    "DEFAULT_DEMO_OUT",
    "DEFAULT_DEMO_SECONDS",
    "DEFAULT_MESSAGES_MAX_TOKENS",
    "build_parser",
]

# --- CLI defaults ----------------------------------------------------------------------------
DEFAULT_CHAT_MODEL = "gpt-4o-mini"  # `aireiter chat` when --model is not given
DEFAULT_MESSAGES_MAX_TOKENS = 1024  # `aireiter chat --api messages` (the format requires it)
DEFAULT_BATCH_MAX_IN_FLIGHT = 200  # jobs submitted and not yet finished, at most
DEFAULT_BATCH_QUERY_RATE = 20.0  # status queries per second, whole batch
DEFAULT_DEMO_JOBS = 36  # tasks in `aireiter demo` (two thirds images, one third videos)
DEFAULT_DEMO_OUT = "aireiter-demo-output"  # where `aireiter demo` writes its files
DEFAULT_DEMO_SECONDS = 6.0  # how long the demo's slowest emulated task takes
DEFAULT_DEMO_FAULT_RATE = 0.05  # share of the demo's API requests answered with a fault
BATCH_EXIT_STATUS = (
    "Exit status: 0 every job completed (and its files are on disk); 1 a job failed (or, "
    "with --download, completed without outputs); "
    "2 usage error (a bad line, a bad option; nothing sent); 3 stopped by what no retry fixes "
    "(the key refused, the host unreachable, answers that are not the API), before the first "
    "submit or during the run, journal kept; 4 another live run holds the journal; 5 work "
    "left for --resume (jobs held by --max-credits, not finished, or files not downloaded; "
    "takes precedence over 1); 130 interrupted (Ctrl-C)."
)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The options every command takes; on subcommands they default to SUPPRESS so a value
    given before the subcommand is not overwritten."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--base-url",
        default=default(None),
        metavar="URL",
        help=f"API host (env {ENV_BASE_URL}; default https://aireiter.com)",
    )
    group.add_argument(
        "--api-key",
        default=default(None),
        metavar="KEY",
        help=f"API key (env {ENV_API_KEY}; prefer the env var: argv is visible to others)",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="machine-readable JSON on stdout (errors as JSON on stderr)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default(0),
        help="debug logs on stderr (requests, retries, polls; keys are never logged)",
    )


def _task_options(parser: argparse.ArgumentParser, kind: str) -> None:
    parser.add_argument("model", metavar="MODEL", help=f"{kind} model id (see `aireiter models`)")
    parser.add_argument("--prompt", "-p", help="text prompt")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a model parameter (repeatable); JSON values allowed, typed by the model's spec",
    )
    parser.add_argument(
        "--image",
        action="append",
        default=[],
        metavar="FILE_OR_URL",
        help="a reference image (repeatable): an http(s) URL, or a local png/jpeg/webp file "
        "sent as a data URI where the model's docs allow one",
    )
    parser.add_argument(
        "--out", default=".", metavar="DIR", help="directory for the outputs (default: .)"
    )
    parser.add_argument("--out-task-id", help="your id for the task (default: a fresh one)")
    parser.add_argument("--metadata", metavar="JSON", help="a JSON object echoed back by the API")
    parser.add_argument(
        "--no-wait", action="store_true", help="submit, print the task id and return"
    )
    parser.add_argument(
        "--no-download", action="store_true", help="wait, print the URLs, download nothing"
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=DEFAULT_WAIT_TIMEOUT_S,
        metavar="S",
        help=f"give up waiting after S seconds (default {DEFAULT_WAIT_TIMEOUT_S:g})",
    )
    parser.add_argument(
        "--poll-interval",
        type=_positive_float,
        default=None,
        metavar="S",
        help="fixed first wait before a status query, then growing (default: the model's "
        "typical duration, then shorter re-polls, as the tracker)",
    )


def _shared_journal_options(
    parser: argparse.ArgumentParser, purpose: str, *, name_required: bool
) -> None:
    parser.add_argument(
        "--journal",
        metavar="URL",
        required=name_required,
        help=f"{purpose}a postgresql:// journal (leave the password out: PGPASSWORD or "
        "~/.pgpass are read)",
    )
    parser.add_argument("--name", required=name_required, help="the batch's name in the journal")
    parser.add_argument("--schema", help="the journal's schema (default: the search_path)")


def _claim_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lease",
        type=_positive_float,
        default=None,
        metavar="S",
        help="with a postgresql:// journal: how long this process's claims hold without a "
        "heartbeat (default 60)",
    )
    parser.add_argument(
        "--claim-limit",
        type=_positive_int,
        default=None,
        metavar="N",
        help="with a postgresql:// journal: unsent jobs this process holds at most (default 500)",
    )


def _worker_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = _add(
        sub,
        "worker",
        "work on a batch shared in a PostgreSQL journal, from any host, until it is done",
        "Join the batch NAME (loaded with `aireiter batch JOBS.jsonl --journal URL --name "
        "NAME`) and work on it until every job is final: claim jobs in chunks, take over the "
        "jobs of a worker that died once its lease ran out, and share --query-rate and "
        "--submit-rate with the other live workers (the rates are for the whole batch).",
    )
    worker.epilog = (
        "Exit status: 0 every job of the batch completed; 1 a job failed; 3 stopped by what "
        "no retry fixes; 5 --timeout passed with jobs left; 130 interrupted (the jobs this "
        "worker held are released for the others)."
    )
    _shared_journal_options(worker, "", name_required=True)
    worker.add_argument(
        "--max-in-flight",
        type=_positive_int,
        default=DEFAULT_BATCH_MAX_IN_FLIGHT,
        metavar="N",
        help=f"jobs on the server at once, this worker (default {DEFAULT_BATCH_MAX_IN_FLIGHT})",
    )
    worker.add_argument(
        "--query-rate",
        type=_positive_float,
        default=DEFAULT_BATCH_QUERY_RATE,
        metavar="R",
        help="status queries per second for the whole batch, shared by the live workers "
        f"(default {DEFAULT_BATCH_QUERY_RATE:g})",
    )
    worker.add_argument(
        "--submit-rate",
        type=_positive_float,
        default=None,
        metavar="R",
        help="submits per second for the whole batch, shared by the live workers",
    )
    worker.add_argument(
        "--poll-scale", type=_positive_float, default=None, metavar="F", help="as for batch"
    )
    worker.add_argument("--download", metavar="DIR", help="download the outputs into DIR")
    _claim_options(worker)
    worker.add_argument(
        "--timeout", type=_positive_float, default=None, metavar="S", help="stop after S seconds"
    )


def _add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    description: str | None = None,
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=description or help_text)
    _global_options(parser, suppress=True)
    parser.set_defaults(command=name)
    return parser


def build_parser(prog: str = "aireiter") -> argparse.ArgumentParser:
    """The whole command line."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="AIReiter from the shell: generate images and videos, run JSONL batches, "
        "chat, and try it all offline with `aireiter demo`.",
        epilog="Exit status: 0 all good, 1 something failed, 2 usage error, 130 interrupted.",
    )
    _global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    sub.required = True

    chat = _add(sub, "chat", "chat with a text model (streams to the terminal)")
    chat.add_argument(
        "prompt", nargs="?", help="the message (default: stdin; on a terminal, a conversation)"
    )
    chat.add_argument(
        "--model",
        "-m",
        default=None,
        help=f"chat model (default {DEFAULT_CHAT_MODEL}; claude-sonnet-4-6 with --api messages)",
    )
    chat.add_argument("--system", help="a system prompt")
    chat.add_argument("--no-stream", action="store_true", help="print the answer at the end")
    chat.add_argument(
        "--api",
        choices=("openai", "messages"),
        default="openai",
        help="OpenAI chat completions (default) or the Claude Messages format",
    )
    chat.add_argument(
        "--max-tokens",
        type=_positive_int,
        default=None,
        help=f"answer length limit (messages default {DEFAULT_MESSAGES_MAX_TOKENS})",
    )

    _task_options(_add(sub, "image", "generate an image (submit, wait, download)"), "image")
    _task_options(_add(sub, "video", "generate a video (submit, wait, download)"), "video")

    status = _add(
        sub,
        "status",
        "show a task's state by its out_task_id, or a shared batch's progress (--journal)",
    )
    status.add_argument("out_task_id", metavar="OUT_TASK_ID", nargs="?")
    _shared_journal_options(status, "a batch's progress across workers: ", name_required=False)

    _add(sub, "balance", "show the account's credits")

    models = _add(sub, "models", "list the image and video models (from the SDK's spec)")
    models.add_argument("--kind", choices=("image", "video"), help="only this kind")
    models.add_argument("model", nargs="?", metavar="MODEL", help="show one model's parameters")

    batch = _add(
        sub,
        "batch",
        "run a JSONL file of jobs with a progress bar, resumable",
        "Run every job of JOBS.jsonl (one JSON object a line: "
        '{"model": "...", "params": {...}, "out_task_id": optional, "metadata": optional, '
        '"extra_params": {...} sent unchecked, "validate": false to skip the spec\'s checks}), '
        "write one result a line to --out, download outputs to --download. Every line is "
        "checked and the key and host are proven (one balance request) before the first "
        "submit. Ctrl-C stops cleanly (exit 130); `--resume` continues from the journal "
        "without paying twice, also after the file was edited (jobs without out_task_id are "
        "named by their content).",
    )
    batch.epilog = BATCH_EXIT_STATUS
    batch.add_argument("jobs", metavar="JOBS.jsonl", help="the jobs, one JSON object per line")
    batch.add_argument(
        "--out",
        default="results.jsonl",
        metavar="FILE",
        help="results JSONL (default results.jsonl)",
    )
    batch.add_argument("--download", metavar="DIR", help="download every output into DIR")
    batch.add_argument(
        "--journal",
        metavar="FILE_OR_URL",
        help="SQLite journal (default: <--out>.journal), or a postgresql:// URL with --name "
        "to share the batch with `aireiter worker` on other hosts",
    )
    batch.add_argument("--name", help="the batch's name in a postgresql:// journal")
    batch.add_argument("--schema", help="the postgresql:// journal's schema (default: search_path)")
    _claim_options(batch)
    batch.add_argument(
        "--resume", action="store_true", help="continue an interrupted run from its journal"
    )
    batch.add_argument(
        "--max-in-flight",
        type=_positive_int,
        default=DEFAULT_BATCH_MAX_IN_FLIGHT,
        metavar="N",
        help=f"jobs on the server at once (default {DEFAULT_BATCH_MAX_IN_FLIGHT})",
    )
    batch.add_argument(
        "--query-rate",
        type=_positive_float,
        default=DEFAULT_BATCH_QUERY_RATE,
        metavar="R",
        help=f"status queries per second, in all (default {DEFAULT_BATCH_QUERY_RATE:g})",
    )
    batch.add_argument(
        "--submit-rate", type=_positive_float, default=None, metavar="R", help="submits per second"
    )
    batch.add_argument(
        "--timeout", type=_positive_float, default=None, metavar="S", help="whole-batch timeout"
    )
    batch.add_argument(
        "--poll-scale",
        type=_positive_float,
        default=None,
        metavar="F",
        help="scale the expected task durations the poll schedule is built on (against "
        "`aireiter emulator --time-scale 0.01`, pass 0.01)",
    )
    batch.add_argument(
        "--max-credits",
        type=_non_negative_float,
        default=None,
        metavar="C",
        help="spend guard: no new submit once credits used plus the estimates of accepted "
        "jobs would pass C; the rest stays queued in the journal (exit 5, --resume later)",
    )
    batch.add_argument(
        "--retry-failed",
        type=_count,
        default=0,
        metavar="N",
        help="send a job the API failed again, up to N times, each under a new id "
        "(failed tasks are free; default 0: a failure is final)",
    )
    batch.add_argument(
        "--dry-run",
        action="store_true",
        help="check every line and show the jobs per model; send nothing, no request at all",
    )
    batch.add_argument(
        "--no-validate",
        action="store_true",
        help="do not check params against the SDK's model spec (for models or fields it does "
        'not know yet); per line: "validate": false',
    )
    batch.add_argument(
        "--report",
        metavar="FILE",
        help="write an HTML report (gallery, timeline, spend) to FILE at the end, and every "
        "few seconds while the run goes on (leave it open in a browser)",
    )
    batch.add_argument(
        "--skip-preflight",
        action="store_true",
        help="do not send the balance request that proves the key and host before submitting",
    )

    report = _add(
        sub,
        "report",
        "write an HTML report of a batch: outputs as a gallery, timeline, spend",
        "Write one self-contained HTML page (no network needed to view it) from a batch's "
        "journal or its results JSONL: a gallery of the outputs filterable by model and status, "
        "failed jobs with their error, a timeline per job, totals by status and model, credits "
        "and throughput.",
    )
    report.add_argument(
        "source", metavar="JOURNAL_OR_RESULTS", help="a job journal (SQLite) or a results JSONL"
    )
    report.add_argument(
        "--out", default="report.html", metavar="FILE", help="the page (default report.html)"
    )
    report.add_argument(
        "--jobs",
        metavar="JOBS.jsonl",
        help="the batch's jobs file: gives a results JSONL its prompts (a journal has them)",
    )
    report.add_argument("--title", help="the page's title (default: from the source's name)")
    report.add_argument(
        "--open", action="store_true", help="open the page in the default web browser"
    )

    _worker_parser(sub)
    journal = _add(
        sub,
        "journal",
        "manage a PostgreSQL journal's tables (for shared batches)",
        "Create or upgrade the tables of a PostgreSQL journal (the SDK does it on first use; "
        "this is for databases whose schema is managed by hand).",
    )
    actions = journal.add_subparsers(title="actions", metavar="ACTION", dest="journal_action")
    actions.required = True
    migrate = actions.add_parser(
        "migrate",
        help="create or upgrade the journal tables",
        description="Create or upgrade the journal tables at URL (postgresql://...).",
    )
    _global_options(migrate, suppress=True)
    migrate.add_argument("url", metavar="URL", nargs="?", default="", help="postgresql://...")
    migrate.add_argument("--schema", help="the tables' schema (default: the search_path)")
    migrate.add_argument(
        "--sql", action="store_true", help="print the SQL instead of running it (no connection)"
    )

    from ..emulator.__main__ import build_parser as emulator_parser

    emulator = sub.add_parser(
        "emulator",
        parents=[emulator_parser("aireiter emulator")],
        add_help=False,
        help="run the local API emulator (no network, no key needed)",
        description="Run the AIReiter API emulator locally until Ctrl-C.",
    )
    emulator.set_defaults(command="emulator")

    demo = _add(
        sub,
        "demo",
        "run a bulk job on the embedded emulator: progress, downloads, summary",
        "Start the emulator in-process, run a few dozen mixed image and video tasks through "
        "the task tracker, download the outputs and print a summary. No key, no network.",
    )
    demo.add_argument(
        "--out",
        default=DEFAULT_DEMO_OUT,
        metavar="DIR",
        help=f"where the outputs go (default ./{DEFAULT_DEMO_OUT})",
    )
    demo.add_argument(
        "--jobs",
        type=_positive_int,
        default=DEFAULT_DEMO_JOBS,
        metavar="N",
        help=f"how many tasks (default {DEFAULT_DEMO_JOBS})",
    )
    demo.add_argument(
        "--fault-rate",
        type=_rate,
        default=DEFAULT_DEMO_FAULT_RATE,
        metavar="F",
        help="fraction of API requests the emulator answers with a fault "
        f"(default {DEFAULT_DEMO_FAULT_RATE:g})",
    )
    demo.add_argument(
        "--seconds",
        type=_positive_float,
        default=DEFAULT_DEMO_SECONDS,
        metavar="S",
        help=f"how long the slowest emulated task takes (default {DEFAULT_DEMO_SECONDS:g})",
    )
    return parser
