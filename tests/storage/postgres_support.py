"""A real PostgreSQL for the tests: a fresh schema per test on the server the machine runs.

Each call of :func:`fresh_postgres` makes a schema with a random name, hands out a URL whose
``search_path`` points at it (so the bot's migrations and queries land there and nowhere
else), and drops it with everything in it afterwards. Where the server can't be reached the
test is skipped with the reason, or fails under ``CI=true``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import asyncpg
import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    return os.environ.get("CIRCLEKEEPER_TEST_PG", DEFAULT_URL)


def unreachable(reason: str) -> None:
    """Skip, or under CI fail: a CI run that skipped PostgreSQL would prove nothing about it."""
    message = (
        f"PostgreSQL is not reachable at {server_url()} ({reason}); "
        "start it or set CIRCLEKEEPER_TEST_PG to a server with trust auth"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true needs PostgreSQL: {message}", pytrace=False)
    pytest.skip(message)


def with_schema(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}search_path={quote(schema)}"


async def _admin() -> asyncpg.Connection:
    try:
        conn: asyncpg.Connection = await asyncpg.connect(server_url(), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        unreachable(f"{type(error).__name__}: {error}")
        raise  # unreachable() never returns
    return conn


@asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """A URL on an empty schema of its own, dropped afterwards."""
    schema = await make_schema()
    try:
        yield with_schema(server_url(), schema)
    finally:
        await drop_schema(schema)


async def make_schema() -> str:
    """A new empty schema's name (for tests that can't hold one event loop throughout)."""
    schema = f"ck_test_{secrets.token_hex(6)}"
    admin = await _admin()
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await admin.close()
    return schema


async def drop_schema(schema: str) -> None:
    admin = await _admin()
    try:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await admin.close()
