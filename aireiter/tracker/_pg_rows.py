"""Rows of the PostgreSQL journal: how a :class:`JobRecord` is written and read back, and the
SQL that moves many of them per statement.

Writes go through ``unnest`` of one array per column, so a thousand new jobs, or every update
that queued up while the last statement ran, cost one statement. An update statement carries,
per row, a bit mask of the columns that row changes (the others keep their value) and an
optional owner that must still hold the job (``update_owned``).

Times cross the wire in the database's clock: a value the caller gives (its ``time.time()``)
is shifted by ``skew`` (database clock minus this host's, measured at open and at every
heartbeat) on the way in and back on the way out.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from ._journal import UNFINISHED_STATES, JobRecord, JobState

__all__ = [
    "NOW",
    "SELECT_COLUMNS",
    "TERMINAL",
    "UNFINISHED",
    "decode",
    "encode_changes",
    "insert_arrays",
    "insert_sql",
    "update_arrays",
    "update_sql",
]

NOW: Final = "extract(epoch from now())::float8"
"""The database clock, Unix seconds (the same all through one statement)."""

UNFINISHED: Final = [state.value for state in UNFINISHED_STATES]
TERMINAL: Final = [state.value for state in JobState if state not in UNFINISHED_STATES]

# column -> (element type of its unnest array, cast applied to the array's element)
_TYPES: Final[dict[str, tuple[str, str]]] = {
    "model": ("text", ""),
    "params": ("text", "::jsonb"),
    "metadata": ("text", "::jsonb"),
    "callback_url": ("text", ""),
    "state": ("text", ""),
    "task_id": ("text", ""),
    "estimated_credits": ("float8", ""),
    "credits_used": ("float8", ""),
    "output_urls": ("text", "::jsonb"),
    "error": ("text", ""),
    "submit_attempts": ("int4", ""),
    "created_at": ("float8", ""),
    "updated_at": ("float8", ""),
    "downloaded": ("text", "::jsonb"),
    "owner": ("text", ""),
    "lease_until": ("float8", ""),
    "adopted": ("bool", ""),
    "retried_as": ("text", ""),
    "retries": ("int4", ""),
    "submitted_at": ("float8", ""),
    "processing_at": ("float8", ""),
}
_FIELDS: Final = tuple(a.name for a in attrs.fields(JobRecord))  # out_task_id first
_STORED: Final = _FIELDS[1:]
assert set(_STORED) == set(_TYPES), "every JobRecord field needs a column"
_JSON: Final = frozenset({"params", "metadata"})
_LISTS: Final = frozenset({"output_urls", "downloaded"})
_TIMES: Final = frozenset(
    {"created_at", "updated_at", "lease_until", "submitted_at", "processing_at"}
)
_FLOATS: Final = frozenset({"estimated_credits", "credits_used"})
_INTS: Final = frozenset({"submit_attempts", "retries"})

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_loads = json.loads


def _select_column(name: str) -> str:
    if name == "lease_until":  # a claim holds while its owner's heartbeat does
        return "GREATEST(j.lease_until, COALESCE(w.lease_until, 0)) AS lease_until"
    if name in _JSON or name in _LISTS:
        return f"j.{name}::text AS {name}"
    return f"j.{name}"


SELECT_COLUMNS: Final = ", ".join(_select_column(name) for name in _FIELDS)
"""The record's columns of ``{jobs} AS j LEFT JOIN {workers} AS w`` (see :func:`decode`)."""


def _encode(name: str, value: Any, skew: float) -> Any:
    if value is None:
        return None
    if name in _TIMES:
        return float(value) + skew if value else 0.0
    if name in _JSON:
        return _dumps(value)
    if name in _LISTS:
        return _dumps(list(value)) if value else None
    if name == "state":
        return JobState(value).value
    if name in _FLOATS:
        return float(value)
    if name in _INTS:
        return int(value)
    if name == "adopted":
        return bool(value)
    return str(value)


def encode_changes(changes: Mapping[str, Any], skew: float) -> dict[str, Any]:
    """The column values of checked ``changes`` (see ``check_changes``), ready for
    :func:`update_arrays`; a value of the wrong type raises here, in the caller."""
    return {name: _encode(name, value, skew) for name, value in changes.items()}


def decode(row: Sequence[Any], skew: float) -> JobRecord:
    """A record from a row of :data:`SELECT_COLUMNS`, times in this host's clock."""
    fields = dict(zip(_FIELDS, row, strict=False))
    for name in _JSON:
        if fields[name] is not None:
            fields[name] = _loads(fields[name])
    for name in _LISTS:
        fields[name] = tuple(_loads(fields[name])) if fields[name] else ()
    for name in _TIMES:
        if fields[name]:
            fields[name] -= skew
    return JobRecord(**fields)


# --- inserting ---------------------------------------------------------------------------------
@functools.lru_cache(maxsize=16)
def insert_sql(jobs: str) -> str:
    """Insert one row per element of the arrays ``$2 ...`` into batch ``$1``."""
    names = ("out_task_id", *_STORED)
    arrays = ", ".join(
        f"${n}::{_TYPES.get(name, ('text', ''))[0]}[]" for n, name in enumerate(names, start=2)
    )
    values = ", ".join(f"u.{name}{_TYPES.get(name, ('text', ''))[1]}" for name in names)
    return (
        f"INSERT INTO {jobs} (batch, {', '.join(names)}) "  # noqa: S608 (fixed names)
        f"SELECT $1, {values} FROM unnest({arrays}) AS u({', '.join(names)})"
    )


def insert_arrays(records: Sequence[JobRecord], skew: float) -> list[list[Any]]:
    """One array per column of :func:`insert_sql`, in its order."""
    columns: list[list[Any]] = [[r.out_task_id for r in records]]
    for name in _STORED:
        columns.append([_encode(name, getattr(r, name), skew) for r in records])
    return columns


# --- updating ----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=256)
def update_sql(jobs: str, names: tuple[str, ...]) -> str:
    """Update the rows of batch ``$1`` named by ``$2`` (ids): ``$3`` owners that must still
    hold them (NULL: no condition), ``$4`` bit masks (bit ``i``: the row sets ``names[i]``),
    then one array per name. ``updated_at`` is the database clock unless given. Returns the
    ids updated."""
    sets = []
    for bit, name in enumerate(names):
        cast = _TYPES[name][1]
        other = NOW if name == "updated_at" else f"j.{name}"
        sets.append(
            f"{name} = CASE WHEN u.m & {1 << bit} <> 0 THEN u.{name}{cast} ELSE {other} END"
        )
    if "updated_at" not in names:
        sets.append(f"updated_at = {NOW}")
    arrays = "".join(f", ${n}::{_TYPES[name][0]}[]" for n, name in enumerate(names, start=5))
    aliases = "".join(f", {name}" for name in names)
    return (
        f"UPDATE {jobs} AS j SET {', '.join(sets)} "  # noqa: S608 (names are checked fields)
        f"FROM unnest($2::text[], $3::text[], $4::int8[]{arrays}) AS u(id, chk, m{aliases}) "
        "WHERE j.batch = $1 AND j.out_task_id = u.id "
        "AND (u.chk IS NULL OR j.owner IS NULL OR j.owner = u.chk) "
        "RETURNING j.out_task_id"
    )


def update_arrays(
    rows: Sequence[tuple[str, str | None, Mapping[str, Any]]],
) -> tuple[tuple[str, ...], list[list[Any]]]:
    """The column names and the arrays (ids, owners, masks, then one per name) of
    :func:`update_sql` for ``rows`` of (id, owner that must hold it or None, encoded changes);
    the ids must be distinct."""
    names = tuple(sorted({name for _, _, changes in rows for name in changes}))
    bits = {name: 1 << bit for bit, name in enumerate(names)}
    ids: list[str] = []
    owners: list[str | None] = []
    masks: list[int] = []
    values: list[list[Any]] = [[] for _ in names]
    for oid, owner, changes in rows:
        ids.append(oid)
        owners.append(owner)
        mask = 0
        for column, name in zip(values, names, strict=True):
            if name in changes:
                mask |= bits[name]
                column.append(changes[name])
            else:
                column.append(None)
        masks.append(mask)
    return names, [ids, owners, masks, *values]
