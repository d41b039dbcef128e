"""The PostgreSQL journal's tables, and how they are created and migrated.

Three tables, in the schema given (``schema=``) or the connection's ``search_path``:

``aireiter_jobs``
    one row per job, keyed by ``(batch, out_task_id)``: the :class:`~aireiter.tracker.JobRecord`
    columns, ``seq`` (the order jobs were added in), ``owner`` and ``lease_until`` (the claim).
``aireiter_workers``
    one row per live tracker run on a batch: ``(batch, owner)``, ``started_at``,
    ``heartbeat_at`` and ``lease_until`` (its heartbeat; a run's claims hold while it is live).
``aireiter_schema_version``
    one row per migration applied (``version``, ``applied_at``).

Times are Unix seconds (``double precision``) read from the database clock, so workers on hosts
whose clocks disagree judge leases alike. ``params``/``metadata``/``output_urls``/``downloaded``
are ``jsonb``. Only ``batch``, ``out_task_id``, ``owner`` and ``seq`` are indexed, so the
frequent state updates stay HOT (no index write; the table leaves 20 % of each page free).

:func:`migrate` brings a database to :data:`SCHEMA_VERSION` under a transaction-scoped advisory
lock, so several workers opening a batch at once migrate it once. ``aireiter journal migrate URL``
runs it for users who manage schemas themselves (``--sql`` prints the statements instead).
"""

from __future__ import annotations

from typing import Any, Final

from .._exceptions import JournalError

__all__ = ["SCHEMA_VERSION", "Tables", "migrate", "migration_sql", "schema_version"]

SCHEMA_VERSION: Final = 2  # 2: submitted_at, processing_at (the report's timeline)
"""The version of the tables this aireiter reads and writes."""

_LOCK_KEY: Final = 0x61697265  # pg_advisory_xact_lock key while migrating ("aire")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class Tables:
    """The qualified names of the journal's tables in ``schema`` (``None``: the search path)."""

    __slots__ = ("jobs", "schema", "version", "workers")

    def __init__(self, schema: str | None = None) -> None:
        prefix = "" if schema is None else _quote(schema) + "."
        self.schema = schema
        self.jobs = prefix + "aireiter_jobs"
        self.workers = prefix + "aireiter_workers"
        self.version = prefix + "aireiter_schema_version"


def _steps(tables: Tables) -> dict[int, tuple[str, ...]]:
    jobs, workers = tables.jobs, tables.workers
    return {
        1: (
            f"""CREATE TABLE IF NOT EXISTS {jobs} (
    batch text NOT NULL,
    out_task_id text NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    model text NOT NULL,
    params jsonb NOT NULL,
    metadata jsonb,
    callback_url text,
    state text NOT NULL,
    task_id text,
    estimated_credits double precision,
    credits_used double precision,
    output_urls jsonb,
    error text,
    submit_attempts integer NOT NULL DEFAULT 0,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL,
    downloaded jsonb,
    owner text,
    lease_until double precision NOT NULL DEFAULT 0,
    adopted boolean NOT NULL DEFAULT false,
    retried_as text,
    retries integer NOT NULL DEFAULT 0,
    PRIMARY KEY (batch, out_task_id)
) WITH (fillfactor = 80)""",
            f"CREATE INDEX IF NOT EXISTS aireiter_jobs_owner ON {jobs} (batch, owner)",
            f"CREATE INDEX IF NOT EXISTS aireiter_jobs_seq ON {jobs} (batch, seq)",
            f"""CREATE TABLE IF NOT EXISTS {workers} (
    batch text NOT NULL,
    owner text NOT NULL,
    started_at double precision NOT NULL,
    heartbeat_at double precision NOT NULL,
    lease_until double precision NOT NULL,
    PRIMARY KEY (batch, owner)
)""",
        ),
        2: (
            f"ALTER TABLE {jobs} ADD COLUMN IF NOT EXISTS submitted_at double precision",
            f"ALTER TABLE {jobs} ADD COLUMN IF NOT EXISTS processing_at double precision",
        ),
    }


def _version_table(tables: Tables) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {tables.version} "
        "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
    )


def migration_sql(schema: str | None = None) -> str:
    """Every statement that creates the tables at :data:`SCHEMA_VERSION`, as one SQL script
    (for a DBA to review and apply; ``aireiter journal migrate --sql`` prints it)."""
    tables = Tables(schema)
    lines = ["BEGIN;"]
    if schema is not None:
        lines.append(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)};")
    lines.append(_version_table(tables) + ";")
    for version, statements in sorted(_steps(tables).items()):
        lines.extend(statement + ";" for statement in statements)
        lines.append(
            f"INSERT INTO {tables.version} (version) VALUES ({version}) "  # noqa: S608
            "ON CONFLICT DO NOTHING;"
        )
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


async def schema_version(conn: Any, tables: Tables) -> int:
    """The version the database's tables are at (0: no journal tables yet)."""
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", tables.version)
    if not exists:
        return 0
    version = await conn.fetchval(f"SELECT max(version) FROM {tables.version}")  # noqa: S608
    return int(version or 0)


async def migrate(conn: Any, tables: Tables, *, create: bool = True) -> int:
    """Bring the tables to :data:`SCHEMA_VERSION` (``create=False``: only check that they are
    there); returns the version found before. :class:`~aireiter.JournalError` when the
    database is newer than this aireiter, or (``create=False``) older."""
    async with conn.transaction():
        if create:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        found = await schema_version(conn, tables)
        if found > SCHEMA_VERSION:
            raise JournalError(
                f"the PostgreSQL journal tables are at schema version {found}; this aireiter "
                f"reads {SCHEMA_VERSION} (upgrade aireiter)"
            )
        if found == SCHEMA_VERSION:
            return found
        if not create:
            raise JournalError(
                f"the PostgreSQL journal tables are at schema version {found}, this aireiter "
                f"needs {SCHEMA_VERSION}: run `aireiter journal migrate URL` (or open the "
                "journal with create_schema=True)"
            )
        if tables.schema is not None:
            await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(tables.schema)}")
        await conn.execute(_version_table(tables))
        for version, statements in sorted(_steps(tables).items()):
            if version <= found:
                continue
            for statement in statements:
                await conn.execute(statement)
            await conn.execute(
                f"INSERT INTO {tables.version} (version) VALUES ($1)",  # noqa: S608
                version,
            )
        return found
