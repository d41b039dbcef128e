"""The job journal: what the tracker writes down before it acts, so nothing is lost or paid twice.

Every job is :meth:`~Journal.add`-ed (``QUEUED``) before it is submitted, set to
``SUBMITTING`` right before the submit request goes out, and updated on every later state
change. After a crash, :meth:`~Journal.records` tells ``TaskTracker.resume`` where each job
stood::

    QUEUED ──> SUBMITTING ──> PENDING ──> PROCESSING ──> COMPLETED
       │            │            └────────────┴────────> FAILED
       └────────────┴──────────────────────────────────> FAILED / CANCELLED

Two journals ship: :class:`MemoryJournal` (the default, gone with the process) and
:class:`~aireiter.tracker._sqlite_journal.SQLiteJournal` (a file, durable once ``add`` /
``update`` returns). :func:`open_journal` picks one from what the user passed. Anything with
the :class:`Journal` methods can be used instead.
"""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from .._exceptions import AIReiterError
from ._claims import claim_is_void

__all__ = [
    "JOB_RECORD_FIELDS",
    "UNFINISHED_STATES",
    "DuplicateJobError",
    "JobRecord",
    "JobState",
    "Journal",
    "MemoryJournal",
    "UnknownJobError",
    "check_changes",
    "duplicates_within",
    "open_journal",
    "stamp_times",
]


class JobState(str, enum.Enum):
    """Where one job stands, as the journal records it."""

    QUEUED = "queued"
    """Written to the journal, never sent."""
    SUBMITTING = "submitting"
    """A submit may be on the wire: after a crash its outcome is unknown (query first)."""
    IN_DOUBT = "in_doubt"
    """A submit's outcome is unknown (timeout, reset, 5xx): being confirmed by queries over
    the confirm window; it is sent again only if the whole window says "not found"."""
    PENDING = "pending"
    """Accepted by the API (``pending``/``submitted``)."""
    PROCESSING = "processing"
    """The API is working on it."""
    COMPLETED = "completed"
    """Terminal: done, outputs known."""
    FAILED = "failed"
    """Terminal: the API said failed, or the submit was rejected for good."""
    CANCELLED = "cancelled"
    """Terminal: cancelled before it was submitted, or no longer tracked."""
    CONFLICT = "conflict"
    """Terminal: the ``out_task_id`` belongs to a task this job did not create (another
    model or params): its result is never taken as this job's."""

    @property
    def is_terminal(self) -> bool:
        """True for ``COMPLETED``, ``FAILED``, ``CANCELLED`` and ``CONFLICT``."""
        return self in _TERMINAL


_TERMINAL: Final = frozenset(
    {JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.CONFLICT}
)
UNFINISHED_STATES: Final = tuple(state for state in JobState if state not in _TERMINAL)
"""The states a job is not finished in (what a claim takes)."""


@attrs.frozen(kw_only=True)
class JobRecord:
    """One job as the journal stores it: a small, immutable value.

    ``params`` and ``metadata`` are kept as given (not copied): do not mutate them after
    handing them over. ``callback_url`` holds the per-tracker webhook token, so it is left
    out of the repr. Times are Unix seconds (:func:`time.time`); a journal fills
    ``created_at``/``updated_at`` when they are 0.
    """

    out_task_id: str
    model: str
    params: Mapping[str, Any]
    metadata: Mapping[str, Any] | None = None
    callback_url: str | None = attrs.field(default=None, repr=False)
    state: JobState = attrs.field(default=JobState.QUEUED, converter=JobState)
    task_id: str | None = None
    estimated_credits: float | None = None
    credits_used: float | None = None
    output_urls: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    error: str | None = None
    submit_attempts: int = 0
    created_at: float = 0.0
    updated_at: float = 0.0
    downloaded: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    owner: str | None = None
    """The tracker run that holds the claim on this job (``host:pid:token``), if any."""
    lease_until: float = 0.0
    """Unix time until which ``owner``'s claim holds unless renewed."""
    adopted: bool = False
    """The task under this id existed already and matched this job exactly: it was adopted."""
    retried_as: str | None = None
    """For a failed job sent again (``retry_failed``): the id of the new job."""
    retries: int = 0
    """How many times this job's line was sent again after the API failed it."""
    submitted_at: float | None = None
    """Unix time its first submit was sent (``None``: never sent)."""
    processing_at: float | None = None
    """Unix time an answer first showed it ``processing`` (``None``: never seen so)."""


JOB_RECORD_FIELDS: Final[frozenset[str]] = frozenset(a.name for a in attrs.fields(JobRecord))
_UPDATABLE: Final = JOB_RECORD_FIELDS - {"out_task_id"}
"""Every field name of :class:`JobRecord` (what ``update`` accepts, minus ``out_task_id``)."""


class DuplicateJobError(AIReiterError):
    """An ``add`` named an ``out_task_id`` the journal already holds (or twice in one call).

    Nothing of that ``add`` was written. ``out_task_ids`` lists the clashing ids.
    """

    def __init__(self, out_task_ids: Iterable[str]) -> None:
        self.out_task_ids = tuple(out_task_ids)
        shown = ", ".join(self.out_task_ids[:5])
        more = f" and {len(self.out_task_ids) - 5} more" if len(self.out_task_ids) > 5 else ""
        super().__init__(f"job already in the journal: {shown}{more}")


class UnknownJobError(AIReiterError, KeyError):
    """An ``update`` named an ``out_task_id`` the journal does not hold. Nothing was written."""

    def __init__(self, out_task_id: str) -> None:
        self.out_task_id = out_task_id
        super().__init__(f"no job {out_task_id!r} in the journal")

    def __str__(self) -> str:
        return self.message


_SLOTS: Final = tuple(a.name for a in attrs.fields(JobRecord))
_new_record = object.__new__
_set = object.__setattr__


def replace_record(record: JobRecord, fields: Mapping[str, Any]) -> JobRecord:
    """``record`` with ``fields`` (already checked by :func:`check_changes`) replaced: the
    same as ``attrs.evolve`` for checked values, without running ``__init__`` again (the
    memory journal does this on every state change)."""
    new = _new_record(JobRecord)
    get = fields.get
    for name in _SLOTS:
        value = get(name, _MISSING)
        _set(new, name, getattr(record, name) if value is _MISSING else value)
    return new


_MISSING: Final = object()


def check_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the field names of an ``update`` and normalise ``state`` to a :class:`JobState`.

    Raises :class:`TypeError` for a name that is not a :class:`JobRecord` field (or for
    ``out_task_id``, which never changes).
    """
    if not changes.keys() <= _UPDATABLE:
        bad = [name for name in changes if name not in _UPDATABLE]
        raise TypeError(f"cannot update journal field(s): {', '.join(sorted(bad))}")
    checked = dict(changes)
    if "state" in checked:
        checked["state"] = JobState(checked["state"])
    for name in ("output_urls", "downloaded"):
        if name in checked:
            checked[name] = tuple(checked[name])
    return checked


def stamp_times(record: JobRecord, now: float) -> JobRecord:
    """``record`` with ``created_at``/``updated_at`` set to ``now`` where they are 0."""
    if record.created_at and record.updated_at:
        return record
    created = record.created_at or now
    return attrs.evolve(record, created_at=created, updated_at=record.updated_at or created)


def duplicates_within(records: Sequence[JobRecord]) -> list[str]:
    """The ids that occur more than once in ``records``."""
    seen: set[str] = set()
    dup: list[str] = []
    for record in records:
        if record.out_task_id in seen:
            dup.append(record.out_task_id)
        seen.add(record.out_task_id)
    return dup


@runtime_checkable
class Journal(Protocol):
    """Where the tracker records its jobs. All methods are coroutines, called from one loop.

    ``add`` and ``update`` are durable when they return (for a durable journal): a crash
    right after loses nothing. ``add`` is all-or-nothing.
    """

    async def open(self) -> None:
        """Make the journal ready (create the file, start workers). Idempotent."""

    async def close(self) -> None:
        """Flush and release everything. Idempotent."""

    async def add(self, records: Sequence[JobRecord]) -> None:
        """Store new jobs atomically; :class:`DuplicateJobError` if an id exists already."""

    async def update(self, out_task_id: str, **changes: Any) -> None:
        """Change fields of one job; :class:`UnknownJobError` if it is not there."""

    async def update_many(self, changes: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """Apply several updates in one transaction (all or nothing)."""

    async def get(self, out_task_id: str) -> JobRecord | None:
        """One job, or ``None``."""

    async def records(self, states: Collection[JobState] | None = None) -> list[JobRecord]:
        """Every job (in the states given), in the order they were added."""

    async def counts(self) -> dict[JobState, int]:
        """How many jobs are in each state (every state present, zeros included)."""

    async def claim(self, owner: str, *, lease_s: float) -> list[JobRecord]:
        """Atomically take every unfinished job whose claim is void (see
        :func:`~aireiter.tracker._claims.claim_is_void`) for ``owner`` until now +
        ``lease_s``; the jobs ``owner`` now holds, in the order they were added."""

    async def renew(self, owner: str, *, lease_s: float) -> int:
        """Extend ``owner``'s claims to now + ``lease_s`` (the heartbeat); how many it holds."""

    async def release(self, owner: str) -> None:
        """Give up ``owner``'s claims on its unfinished jobs (a clean stop)."""

    async def holders(self) -> dict[str, int]:
        """Live owners other than void ones, with how many unfinished jobs each holds."""

    async def update_owned(self, out_task_id: str, owner: str, **changes: Any) -> bool:
        """Like :meth:`update`, but only while ``owner`` holds the job's claim; False (nothing
        written) when another run has taken it over."""

    async def __aenter__(self) -> Journal:
        """Open the journal."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the journal."""


class MemoryJournal:
    """A journal in a dict: fast, compact (one :class:`JobRecord` per job), gone on exit.

    The default when no journal is asked for. It keeps per-state counts as it goes, so
    :meth:`counts` costs nothing however many jobs there are.
    """

    def __init__(self) -> None:
        self._jobs: dict[str, JobRecord] = {}
        self._counts: dict[JobState, int] = dict.fromkeys(JobState, 0)

    def __repr__(self) -> str:
        return f"MemoryJournal(jobs={len(self._jobs)})"

    def __len__(self) -> int:
        return len(self._jobs)

    async def open(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to close; the records stay readable."""

    async def __aenter__(self) -> MemoryJournal:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def add(self, records: Sequence[JobRecord]) -> None:
        """Store new jobs; :class:`DuplicateJobError` (nothing stored) if an id exists."""
        jobs = self._jobs
        clash = [r.out_task_id for r in records if r.out_task_id in jobs]
        clash += duplicates_within(records)
        if clash:
            raise DuplicateJobError(dict.fromkeys(clash))
        now = time.time()
        counts = self._counts
        for record in records:
            stamped = stamp_times(record, now)
            jobs[record.out_task_id] = stamped
            counts[stamped.state] += 1

    async def update(self, out_task_id: str, **changes: Any) -> None:
        """Change fields of one job; ``updated_at`` is set to now unless given."""
        self._apply([(out_task_id, check_changes(changes))])

    async def update_many(self, changes: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """Apply several updates, all or nothing."""
        self._apply([(oid, check_changes(c)) for oid, c in changes])

    def _apply(self, changes: Sequence[tuple[str, dict[str, Any]]]) -> None:
        jobs = self._jobs
        for oid, _ in changes:
            if oid not in jobs:
                raise UnknownJobError(oid)
        now = time.time()
        counts = self._counts
        for oid, fields in changes:
            old = jobs[oid]
            fields.setdefault("updated_at", now)
            new = replace_record(old, fields)
            jobs[oid] = new
            if new.state is not old.state:
                counts[old.state] -= 1
                counts[new.state] += 1

    async def get(self, out_task_id: str) -> JobRecord | None:
        """One job, or ``None``."""
        return self._jobs.get(out_task_id)

    async def records(self, states: Collection[JobState] | None = None) -> list[JobRecord]:
        """Every job (in ``states``), in the order they were added."""
        if states is None:
            return list(self._jobs.values())
        wanted = frozenset(JobState(s) for s in states)
        return [r for r in self._jobs.values() if r.state in wanted]

    async def counts(self) -> dict[JobState, int]:
        """How many jobs are in each state."""
        return dict(self._counts)

    async def claim(self, owner: str, *, lease_s: float) -> list[JobRecord]:
        """Take every unfinished job whose claim is void; the jobs ``owner`` holds."""
        now = time.time()
        until = now + lease_s
        held: list[JobRecord] = []
        for oid, record in self._jobs.items():
            if record.state.is_terminal:
                continue
            if claim_is_void(record.owner, record.lease_until, me=owner, now=now):
                record = attrs.evolve(record, owner=owner, lease_until=until)
                self._jobs[oid] = record
                held.append(record)
        return held

    async def renew(self, owner: str, *, lease_s: float) -> int:
        """Extend ``owner``'s claims; how many unfinished jobs it holds."""
        until = time.time() + lease_s
        count = 0
        for oid, record in self._jobs.items():
            if record.owner == owner and not record.state.is_terminal:
                self._jobs[oid] = attrs.evolve(record, lease_until=until)
                count += 1
        return count

    async def release(self, owner: str) -> None:
        """Give up ``owner``'s claims."""
        for oid, record in self._jobs.items():
            if record.owner == owner and not record.state.is_terminal:
                self._jobs[oid] = attrs.evolve(record, owner=None, lease_until=0.0)

    async def holders(self) -> dict[str, int]:
        """Owners with a live claim on unfinished jobs, and how many each holds."""
        now = time.time()
        found: dict[str, int] = {}
        for record in self._jobs.values():
            owner = record.owner
            if owner is None or record.state.is_terminal:
                continue
            if not claim_is_void(owner, record.lease_until, me="", now=now):
                found[owner] = found.get(owner, 0) + 1
        return found

    async def update_owned(self, out_task_id: str, owner: str, **changes: Any) -> bool:
        """Update one job while ``owner`` holds it; False when another run took it over."""
        record = self._jobs.get(out_task_id)
        if record is None:
            raise UnknownJobError(out_task_id)
        if record.owner not in (None, owner):
            return False
        changes.setdefault("owner", owner)
        self._apply([(out_task_id, check_changes(changes))])
        return True


def open_journal(
    journal: Journal | str | os.PathLike[str] | None, *, name: str | None = None
) -> Journal:
    """The journal to use for ``journal=``: ``None`` -> a new :class:`MemoryJournal`; a
    ``postgresql://`` URL -> a :class:`~aireiter.tracker.PostgresJournal` on batch ``name``
    (default ``"default"``); a path -> an
    :class:`~aireiter.tracker._sqlite_journal.SQLiteJournal` on that file; a journal object ->
    itself. The result is not opened yet."""
    if journal is None:
        return MemoryJournal()
    if isinstance(journal, str) and journal.startswith(("postgresql://", "postgres://")):
        from ._postgres_journal import DEFAULT_BATCH_NAME, PostgresJournal

        return PostgresJournal(journal, name=name or DEFAULT_BATCH_NAME)
    if isinstance(journal, (str, os.PathLike)):
        from ._sqlite_journal import SQLiteJournal

        return SQLiteJournal(journal)
    if isinstance(journal, Journal):
        return journal
    raise TypeError(f"journal must be a Journal, a path or None, not {type(journal).__name__}")
