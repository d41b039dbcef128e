"""Reading ``batch`` input: one job per JSON line, every line checked before anything is sent.

A line is ``{"model": "...", "params": {...}}`` with optional ``out_task_id``, ``metadata``,
``extra_params`` (sent as they are, after the check) and ``validate`` (``false``: the
SDK's spec does not check this line); without ``params``, every other key is a parameter
(``{"model": "gpt_4o", "prompt": "a cat"}``). Blank lines and lines starting with ``#`` are
skipped. Values are typed by the model's spec as ``--param`` types them
(:func:`~aireiter.cli._params.coerce_json_params`); a model name the spec does not know is
refused with the closest names (send it anyway with ``"validate": false`` or
``--no-validate``).

Automatic ids. A job without ``out_task_id`` gets ``<salt>-<digest>``: ``salt`` is ``b`` and
8 random hex digits, new for every run; ``digest`` is 20 hex digits of the SHA-256 of the
salt, the job's content (model, params, extra params, metadata) and its occurrence among
identical lines (0 for the first, 1 for the second ...). So an id depends on what the job
*is*, never on where it sits: inserting, removing or reordering lines between a run and its
``--resume`` changes no other job's id, and two identical lines are still two jobs. The salt
needs no file of its own: every automatic id starts with it, so ``--resume`` reads it back
from the journal's ids (:func:`recover_scheme`). Journals written when ids came from line
numbers (``<salt>-L<line>``) are resumed with line ids, as they were made.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .._constants import OUT_TASK_ID_PATTERN
from .._exceptions import ParamError, ParamIssue
from .._spec import load_spec, resolve_model, validate_params
from ._output import UsageError
from ._params import coerce_json_params

__all__ = [
    "IdScheme",
    "Job",
    "assign_ids",
    "content_key",
    "new_salt",
    "read_jobs",
    "recover_scheme",
]

MAX_REPORTED_PROBLEMS = 20  # a bad jobs file lists at most this many problems
DIGEST_HEX_DIGITS = 20  # of an automatic id: 80 bits, no collision among any run's jobs
_RESERVED = frozenset({"model", "params", "out_task_id", "metadata", "validate", "extra_params"})
_AUTO_ID = re.compile(rf"(b[0-9a-f]{{8}})-[0-9a-f]{{{DIGEST_HEX_DIGITS}}}")
_LINE_ID = re.compile(r"(b[0-9a-f]{8})-L\d+")  # ids of journals written before content ids
_SEND_ANYWAY = (
    'to send it unchecked, put it in the line\'s "extra_params": {...}, '
    'or add "validate": false to the line, or pass --no-validate'
)
_UNKNOWN_MODEL_HINT = (
    '`aireiter models` lists them; to send it anyway add "validate": false to the line '
    "or pass --no-validate"
)
_API_WORDS = ("validate=False", "extra_params=")  # hints written for Python callers


@attrs.frozen(kw_only=True)
class Job:
    """One line of the jobs file, checked, its params typed as they will be sent."""

    line: int
    model: str
    params: Mapping[str, Any]
    out_task_id: str | None = None
    metadata: Mapping[str, Any] | None = None
    validate: bool = True
    extra_params: Mapping[str, Any] | None = None


@attrs.frozen
class IdScheme:
    """How a run names jobs without an ``out_task_id``: its salt, and whether ids come from
    line numbers (a journal written before content ids)."""

    salt: str
    by_line: bool = False


def new_salt() -> str:
    """A fresh salt for a new run (``b`` + 8 hex digits)."""
    return "b" + secrets.token_hex(4)


def recover_scheme(out_task_ids: Iterable[str]) -> IdScheme | None:
    """The scheme a journal's automatic ids were made with, if it holds any."""
    for oid in out_task_ids:
        match = _AUTO_ID.fullmatch(oid)
        if match:
            return IdScheme(match.group(1))
        match = _LINE_ID.fullmatch(oid)
        if match:
            return IdScheme(match.group(1), by_line=True)
    return None


def content_key(job: Job) -> str:
    """What makes two jobs the same job: model, params, extra params and metadata, as
    canonical JSON (key order and spacing of the line do not matter)."""
    body = [job.model, job.params, job.extra_params or {}, job.metadata]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(salt: str, key: str, occurrence: int) -> str:
    text = f"{salt}\n{key}\n{occurrence}".encode()
    return hashlib.sha256(text).hexdigest()[:DIGEST_HEX_DIGITS]


def assign_ids(jobs: Sequence[Job], scheme: IdScheme) -> list[str]:
    """The ``out_task_id`` of every job, in order: its own, else an automatic one (see the
    module doc)."""
    seen: dict[str, int] = {}
    ids: list[str] = []
    for job in jobs:
        if job.out_task_id is not None:
            ids.append(job.out_task_id)
        elif scheme.by_line:
            ids.append(f"{scheme.salt}-L{job.line}")
        else:
            key = content_key(job)
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            ids.append(f"{scheme.salt}-{_digest(scheme.salt, key, occurrence)}")
    return ids


def _unknown_model(model: str) -> ParamError:
    names = list(load_spec().by_model_name)
    close = difflib.get_close_matches(model, names, n=3, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(model.lower(), names, n=3, cutoff=0.6)
    guess = f"; did you mean {' or '.join(repr(n) for n in close)}?" if close else ""
    problem = f"is not a model the SDK knows{guess}"
    return ParamError([ParamIssue("model", model, problem, _UNKNOWN_MODEL_HINT)], model=None)


def _in_cli_words(error: ParamError) -> ParamError:
    """``error`` with hints meant for Python callers (``validate=False``) told the way a jobs
    file says it (``"validate": false``, ``--no-validate``)."""
    issues = []
    for issue in error.issues:
        problem = issue.problem
        if any(word in problem for word in _API_WORDS):
            head = problem.split(" (", 1)[0]
            problem = f"{head} ({_SEND_ANYWAY})"
        issues.append(ParamIssue(issue.field, issue.value, problem, issue.allowed))
    return ParamError(issues, model=error.model)


def _extra_params(value: Any, model: str, params: Mapping[str, Any], check: bool) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ParamError.single("extra_params", value, "must be a JSON object", model=model)
    spec, _channel = resolve_model(model) if check else (None, None)
    issues = []
    for key in value:
        if key in params:
            issues.append(ParamIssue(f"extra_params.{key}", value[key], "is also in params"))
        elif spec is not None and spec.param(key) is not None:
            problem = f'is a parameter of {spec.id}: put it in "params" so it is checked'
            issues.append(ParamIssue(f"extra_params.{key}", value[key], problem))
    if issues:
        raise ParamError(issues, model=model)
    return value or None


def _parse_line(number: int, text: str, *, validate: bool) -> Job:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ParamError.single("line", text[:60], f"is not valid JSON ({error.args[0]})") from None
    if not isinstance(value, dict):
        raise ParamError.single("line", text[:60], "must be a JSON object")
    model = value.get("model")
    if not isinstance(model, str) or not model:
        raise ParamError.single("model", model, "must be a non-empty string")
    check = value.get("validate", validate)
    if not isinstance(check, bool):
        raise ParamError.single("validate", check, "must be true or false", model=model)
    if "params" in value:
        params = value["params"]
        if not isinstance(params, dict):
            raise ParamError.single("params", params, "must be a JSON object", model=model)
        stray = sorted(k for k in value if k not in _RESERVED)
        if stray:
            raise ParamError.single(
                stray[0], value[stray[0]], 'is outside "params": put it inside', model=model
            )
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
    if check:
        spec, _channel = resolve_model(model)
        if spec is None:
            raise _unknown_model(model)
        params = coerce_json_params(spec, params)
        try:
            validate_params(model, params)
        except ParamError as error:
            raise _in_cli_words(error) from None
    extra = _extra_params(value.get("extra_params"), model, params, check)
    return Job(
        line=number,
        model=model,
        params=params,
        out_task_id=oid,
        metadata=metadata,
        validate=check,
        extra_params=extra,
    )


def read_jobs(path: Path, *, validate: bool = True) -> list[Job]:
    """Every job of ``path``; raises :class:`UsageError` listing the bad lines (with their
    line numbers and the field at fault) when any line is wrong, or an id repeats.

    ``validate=False`` (``--no-validate``) skips the spec's checks for every line; the JSON
    shape, ``model`` and ``out_task_id`` are still checked.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM (Windows editors) is no content
    except OSError as error:
        raise UsageError(f"cannot read jobs file {str(path)!r}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"jobs file {str(path)!r} is not UTF-8 text ({error.reason})") from None
    jobs: list[Job] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            job = _parse_line(number, stripped, validate=validate)
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
