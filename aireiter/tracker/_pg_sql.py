"""The PostgreSQL journal's statements, built once per set of table names.

Every statement names its batch as ``$1``. A job's claim is live while ``GREATEST(its own
lease, its owner's heartbeat lease)`` is ahead of the database clock, so a heartbeat writes one
row of ``aireiter_workers`` instead of every job its run holds.
"""

from __future__ import annotations

from typing import Final

from ._journal import JobState
from ._pg_rows import NOW, SELECT_COLUMNS
from ._pg_schema import Tables

__all__ = ["Statements"]

_QUEUED: Final = JobState.QUEUED.value
_LEASE: Final = "GREATEST({a}.lease_until, COALESCE(w.lease_until, 0))"


class Statements:
    """The SQL of :class:`~aireiter.tracker.PostgresJournal` for ``tables`` (see each
    attribute for its parameters)."""

    def __init__(self, tables: Tables) -> None:
        jobs, workers = tables.jobs, tables.workers
        joined = f"LEFT JOIN {workers} AS w ON w.batch = {{a}}.batch AND w.owner = {{a}}.owner"
        self.jobs_joined = f"{jobs} AS j {joined.format(a='j')}"
        """``FROM`` this for :data:`SELECT_COLUMNS` (the job as ``j``, its owner's row ``w``)."""

        self.select = f"SELECT {SELECT_COLUMNS} FROM {self.jobs_joined} WHERE j.batch = $1 AND "  # noqa: S608
        """Records of batch ``$1`` whose condition follows."""

        self.ids_present = (
            f"SELECT out_task_id FROM {jobs} "  # noqa: S608 (fixed names)
            "WHERE batch = $1 AND out_task_id = ANY($2::text[])"
        )
        """Which of the ids ``$2`` the batch holds."""

        self.counts = f"SELECT state, count(*) FROM {jobs} WHERE batch = $1 GROUP BY state"  # noqa: S608

        void = (
            "(c.owner IS NULL OR c.owner = $2 OR c.owner = ANY($5::text[]) "
            f"OR {_LEASE.format(a='c')} < {NOW})"
        )
        source = f"FROM {jobs} AS c {joined.format(a='c')} WHERE c.batch = $1 AND"
        queued_held = (
            f"(SELECT count(*) FROM {jobs} WHERE batch = $1 AND owner = $2 "  # noqa: S608
            f"AND state = '{_QUEUED}')"
        )
        self.claim = (
            f"WITH sent AS (SELECT c.out_task_id {source} c.state = ANY($4::text[]) "  # noqa: S608
            f"AND (c.state <> '{_QUEUED}' OR c.owner = $2) AND {void} "
            "FOR UPDATE OF c SKIP LOCKED), "
            f"unsent AS (SELECT c.out_task_id {source} c.state = '{_QUEUED}' "
            f"AND c.owner IS DISTINCT FROM $2 AND {void} ORDER BY c.seq "
            "LIMIT (CASE WHEN $6::int IS NULL THEN NULL "
            f"ELSE GREATEST(0, $6::int - {queued_held}) END) "
            "FOR UPDATE OF c SKIP LOCKED), "
            f"taken AS (UPDATE {jobs} AS t SET owner = $2, lease_until = {NOW} + $3 "
            "WHERE t.batch = $1 AND t.out_task_id IN "
            "(SELECT out_task_id FROM sent UNION ALL SELECT out_task_id FROM unsent) "
            "RETURNING t.out_task_id) "
            f"{self.select}j.state = ANY($4::text[]) "
            "AND (j.owner = $2 OR j.out_task_id IN (SELECT out_task_id FROM taken)) "
            "ORDER BY j.seq"
        )
        """Owner ``$2`` takes, until now + ``$3`` s, the jobs in states ``$4`` whose claim is
        void (dead owners ``$5``): every sent one, and queued ones until it holds ``$6`` of
        them (NULL: all). Returns what it holds, as the statement's snapshot saw the rows."""

        self.dead_candidates = (
            f"SELECT DISTINCT owner FROM {jobs} WHERE batch = $1 "  # noqa: S608
            "AND left(owner, $2) = $3 AND owner <> $4 AND state = ANY($5::text[])"
        )
        """Owners named ``$3...`` (this host; ``$2`` its length), other than ``$4``, holding
        jobs in states ``$5``."""

        self.renew = (
            f"WITH beat AS (INSERT INTO {workers} "  # noqa: S608
            "(batch, owner, started_at, heartbeat_at, lease_until) "
            f"VALUES ($1, $2, {NOW}, {NOW}, {NOW} + $3) ON CONFLICT (batch, owner) DO UPDATE "
            "SET heartbeat_at = EXCLUDED.heartbeat_at, lease_until = EXCLUDED.lease_until) "
            "SELECT extract(epoch from clock_timestamp())::float8, "
            f"(SELECT count(*) FROM {jobs} WHERE batch = $1 AND owner = $2 "
            "AND state = ANY($4::text[]))"
        )
        """Owner ``$2``'s heartbeat, lease ``$3`` s; returns the database clock and how many
        jobs in states ``$4`` it holds."""

        self.release = (
            f"WITH gone AS (DELETE FROM {workers} WHERE batch = $1 AND owner = $2) "  # noqa: S608
            f"UPDATE {jobs} SET owner = NULL, lease_until = 0 "
            "WHERE batch = $1 AND owner = $2 AND state = ANY($3::text[])"
        )
        """Owner ``$2`` lets go of its jobs in states ``$3`` and its heartbeat row."""

        self.holders = (
            f"SELECT j.owner, count(*), bool_or({_LEASE.format(a='j')} >= {NOW}) "  # noqa: S608
            f"FROM {self.jobs_joined} WHERE j.batch = $1 AND j.owner IS NOT NULL "
            "AND j.state = ANY($2::text[]) GROUP BY j.owner"
        )
        """Per owner of jobs in states ``$2``: how many, and whether any claim is live."""

        self.live_owners = f"SELECT owner FROM {workers} WHERE batch = $1 AND lease_until >= {NOW}"  # noqa: S608

        self.workers = (
            "SELECT w.owner, w.started_at, w.heartbeat_at, w.lease_until, "  # noqa: S608
            f"w.lease_until >= {NOW}, (SELECT count(*) FROM {jobs} AS j "
            "WHERE j.batch = w.batch AND j.owner = w.owner AND j.state = ANY($2::text[])) "
            f"FROM {workers} AS w WHERE w.batch = $1 ORDER BY w.started_at"
        )
        """Every heartbeat row, with whether it is live and how many jobs in ``$2`` it holds."""

        self.summary = (
            "SELECT state, count(*), COALESCE(sum(credits_used), 0), "  # noqa: S608
            "COALESCE(sum(estimated_credits), 0), "
            f"count(*) FILTER (WHERE updated_at >= {NOW} - $2), min(created_at) "
            f"FROM {jobs} WHERE batch = $1 GROUP BY state"
        )
        """Per state: jobs, credits used, credits estimated, jobs changed in the last ``$2``
        seconds, the first job's creation."""

        self.batches = f"SELECT batch, count(*) FROM {jobs} GROUP BY batch ORDER BY batch"  # noqa: S608
