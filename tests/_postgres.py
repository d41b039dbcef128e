"""A real PostgreSQL for the tests that need one: its DSN, and a fresh schema per test.

The DSN comes from ``AIREITER_TEST_POSTGRES_DSN``. Without it, or with a server that does not
answer, the tests that ask for one are skipped with a one-line reason, unless
``AIREITER_TEST_POSTGRES_REQUIRED`` is set (``.ci/run`` sets both): then they fail, so CI can
never skip them. Each test gets its own schema, dropped at the end.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NoReturn

import pytest

ENV_DSN = "AIREITER_TEST_POSTGRES_DSN"
ENV_REQUIRED = "AIREITER_TEST_POSTGRES_REQUIRED"
CONNECT_TIMEOUT_S = 5.0


def _skip(reason: str) -> NoReturn:
    if os.environ.get(ENV_REQUIRED):
        pytest.fail(f"{reason} (and {ENV_REQUIRED} is set)")
    pytest.skip(reason)


def postgres_dsn() -> str:
    """The test server's DSN, or skip the test (no DSN set)."""
    dsn = os.environ.get(ENV_DSN, "").strip()
    if not dsn:
        _skip(f"{ENV_DSN} is not set: no PostgreSQL to test against")
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        _skip("asyncpg is not installed (pip install -e '.[dev]')")
    return dsn


@asynccontextmanager
async def fresh_schema(dsn: str) -> AsyncIterator[str]:
    """A new, empty schema on the test server (skip when it cannot be reached); dropped, with
    everything in it, on exit."""
    import asyncpg

    name = f"aireiter_test_{secrets.token_hex(6)}"
    try:
        conn = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S)
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError) as exc:
        _skip(f"PostgreSQL at {ENV_DSN} is unreachable: {type(exc).__name__}")
    try:
        await conn.execute(f'CREATE SCHEMA "{name}"')
        yield name
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        await conn.close()
